// BibTeX: one @article entry per record, from its CSL item (src/formats/csl). Fields are the
// classic BibTeX ones (author, title, journal, year, month, volume, number, pages, publisher,
// address) plus those biblatex, Zotero and JabRef read (date, shortjournal, eid, doi, url, issn,
// abstract, keywords, language, editor, translator). Text is UTF-8 with LaTeX specials escaped.
import { recordLocalId } from '../../model/records.js';
import type { ArticleRecord } from '../../model/types.js';
import { toCslItem, type CslItem } from '../csl/write.js';
import { ExportError } from '../errors.js';
import { isVerbatimSafe, latexNames, latexText, verbatimUrl } from './latex.js';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** The entry's citation key: the record's local id, with characters keys cannot hold replaced. */
export function bibtexKey(record: ArticleRecord): string {
  return recordLocalId(record).replace(/[^A-Za-z0-9_.:/+-]/g, '-');
}

/** One BibTeX entry for an article. Throws ExportError for a DOI BibTeX cannot hold verbatim. */
export function toBibtex(record: ArticleRecord): string {
  if (!isVerbatimSafe(record.doi)) {
    throw new ExportError(recordLocalId(record), 'doi', 'bibtex', 'BibTeX holds a DOI verbatim; braces, backslashes and spaces would break the entry');
  }
  const item = toCslItem(record);
  const fields = bibtexFields(item);
  const body = fields.map(([name, value, macro]) => `  ${name} = ${macro ? value : `{${value}}`}`).join(',\n');
  return `@article{${bibtexKey(record)},\n${body}\n}\n`;
}

/** Several entries, separated by a blank line. */
export function toBibtexBatch(records: readonly ArticleRecord[]): string {
  return records.map(toBibtex).join('\n');
}

type Field = [name: string, value: string, macro?: boolean];

function bibtexFields(item: CslItem): Field[] {
  const fields: Field[] = [];
  const text = (name: string, value: string | undefined): void => {
    if (value !== undefined && value.trim() !== '') fields.push([name, latexText(value.trim())]);
  };
  if (item.author) fields.push(['author', latexNames(item.author)]);
  if (item.editor) fields.push(['editor', latexNames(item.editor)]);
  if (item.translator) fields.push(['translator', latexNames(item.translator)]);
  text('title', item.title);
  text('journal', item['container-title']);
  text('shortjournal', item['container-title-short']);
  const [year, month, day] = item.issued?.['date-parts'][0] ?? [];
  if (year !== undefined) fields.push(['year', String(year)]);
  if (month !== undefined) {
    fields.push(['month', MONTHS[month - 1]!, true]);
    fields.push(['date', [year, month, day].filter((p) => p !== undefined).map((p, i) => (i === 0 ? String(p) : String(p).padStart(2, '0'))).join('-')]);
  }
  text('volume', item.volume);
  text('number', item.issue);
  const pages = pageParts(item);
  if (pages) fields.push(['pages', pages.map(latexText).join('--')]);
  text('eid', item.number);
  fields.push(['doi', item.DOI]);
  if (item.URL) fields.push(['url', verbatimUrl(item.URL)]);
  text('issn', item.ISSN);
  text('publisher', item.publisher);
  text('address', item['publisher-place']);
  text('abstract', item.abstract);
  text('keywords', item.keyword);
  text('language', item.language);
  return fields;
}

/** First and last page from the CSL item (page is "first-last", page-first the first). */
function pageParts(item: CslItem): string[] | undefined {
  const first = item['page-first'];
  if (!item.page || !first) return undefined;
  return item.page === first ? [first] : [first, item.page.slice(first.length + 1)];
}
