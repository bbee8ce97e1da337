// RIS (Research Information Systems) for a journal article: TY JOUR, with the tags the RIS
// specification gives journal articles (TI, AU, T2, J2, PY, DA, VL, IS, SP, EP, C7, DO, UR,
// SN, AB, KW, LA) plus PB, CY and L1 (PDF), which reference managers read for any type.
// Values come from the record's CSL item (src/formats/csl). RIS has no escaping: a value is the
// rest of its line, so values are single lines with whitespace runs as one space.
import type { ArticleRecord } from '../../model/types.js';
import { isPdf, present } from '../common.js';
import { keywordsOf, toCslItem, type CslName } from '../csl/write.js';

export type RisTag = [tag: string, value: string];

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

/** A value as RIS can hold it: one line, no control characters, whitespace runs as one space. */
export function risValue(value: string): string {
  return value.replace(CONTROL, '').replace(/\s+/g, ' ').trim();
}

/** "Family, Given, Suffix" (RIS's name form), or an organisation's name as it is. */
export function risName(name: CslName): string {
  if (name.literal !== undefined) return name.literal;
  return [name.family, name.given ?? (name.suffix ? '' : undefined), name.suffix].filter((p) => p !== undefined).join(', ');
}

/** The tags of one record, in order, values already single-line; empty values left out. */
export function risTags(record: ArticleRecord): RisTag[] {
  const item = toCslItem(record);
  const tags: RisTag[] = [['TY', 'JOUR']];
  const add = (tag: string, value: string | undefined): void => {
    const clean = value === undefined ? '' : risValue(value);
    if (clean !== '') tags.push([tag, clean]);
  };
  add('TI', item.title);
  for (const author of item.author ?? []) add('AU', risName(author));
  add('T2', item['container-title']);
  add('J2', item['container-title-short']);
  const [year, month, day] = item.issued?.['date-parts'][0] ?? [];
  if (year !== undefined) {
    add('PY', String(year));
    if (month !== undefined) add('DA', `${year}/${String(month).padStart(2, '0')}/${day === undefined ? '' : String(day).padStart(2, '0')}/`);
  }
  add('VL', item.volume);
  add('IS', item.issue);
  add('SP', present(record.pages?.first));
  add('EP', present(record.pages?.last));
  add('C7', item.number);
  add('DO', item.DOI);
  add('UR', item.URL);
  for (const galley of record.galleys ?? []) if (isPdf(galley.mimeType)) add('L1', galley.url);
  for (const issn of item.ISSN?.split(', ') ?? []) add('SN', issn);
  add('PB', item.publisher);
  add('CY', item['publisher-place']);
  add('AB', item.abstract);
  // The CSL item joins the keywords with ", "; RIS gives each its own KW line.
  for (const keyword of keywordsOf(record)) add('KW', keyword);
  add('LA', item.language);
  return tags;
}

/** One RIS record, CRLF line ends as the RIS specification has them. */
export function toRis(record: ArticleRecord): string {
  const lines = risTags(record).map(([tag, value]) => `${tag}  - ${value}`);
  lines.push('ER  - ');
  return `${lines.join('\r\n')}\r\n`;
}

/** Several records, one after the other (a blank line between them). */
export function toRisBatch(records: readonly ArticleRecord[]): string {
  return records.map(toRis).join('\r\n');
}
