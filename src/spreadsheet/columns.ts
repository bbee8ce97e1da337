/**
 * The spreadsheet columns: one table that both directions (rows -> records, records -> rows),
 * the template and the README follow.
 *
 * Naming rule (one rule for every repeated field): an item of a list is named by its singular
 * with a number counted from 1 (`author2.family`, `author1.affiliation2.ror`, `keyword3.en`,
 * `funder1.award2`, `reference4.doi`); text per language takes the language tag as the last part
 * (`title.en`, `abstract.ar`, `keyword1.id`). Everything else is the field's path in the JSON
 * record (`dates.published.online`, `journal.id`, `issue.volume`). The one exception, asked for
 * by editors, is `references`: one citation per line inside a single cell.
 */

export type CellKind = 'text' | 'integer' | 'boolean' | 'lines';

export interface ColumnSpec {
  /** Column name pattern: `{n}`/`{m}` are item numbers (1, 2, ...), `{lang}` a BCP 47 tag. */
  readonly name: string;
  /**
   * Where the value goes in the record, "/"-separated: `{n}`/`{m}` become list positions (in
   * number order), `{lang}` a key, `#k` a fixed list position, anything else a key.
   */
  readonly path: string;
  readonly kind: CellKind;
  /** Constant values set beside the cell's value, by path (the ISSN's media). */
  readonly constants?: Readonly<Record<string, string>>;
  /** In the short template (`pubmeta template --csv` without --full). */
  readonly basic?: boolean;
  /** One line for the README and `pubmeta template`. */
  readonly help: string;
}

const spec = (name: string, path: string, help: string, extra: Partial<ColumnSpec> = {}): ColumnSpec => ({
  name,
  path,
  kind: 'text',
  help,
  ...extra,
});
const basic = { basic: true } as const;

const REFERENCE_FIELDS: [string, string][] = [
  ['author', "first author's surname, or the author string"],
  ['articleTitle', 'title of the cited article or chapter'],
  ['source', 'journal, book or series title'],
  ['volume', 'volume'],
  ['issue', 'issue'],
  ['firstPage', 'first page'],
  ['lastPage', 'last page'],
  ['year', 'year'],
  ['publisher', 'publisher'],
  ['isbn', 'ISBN'],
  ['issn', 'ISSN'],
  ['edition', 'edition'],
];

/** Every column, in the order templates and written sheets use. */
export const COLUMNS: readonly ColumnSpec[] = [
  spec('id', 'id', 'local id, unique in the store (no spaces); blank: the DOI is the key', basic),
  spec('doi', 'doi', 'the article DOI (10.xxxx/...; https://doi.org/... is accepted)', basic),
  spec('language', 'language', "primary language (BCP 47: en, id, ar ...); must be one of the title languages; blank: the row's only title language (or the journal profile's language, when the import is given one and it is a title language)", basic),
  spec('articleType', 'articleType', 'JATS article-type, default research-article'),
  spec('section', 'section', 'journal section'),
  spec('title.{lang}', 'title/{lang}', 'title in that language', basic),
  spec('subtitle.{lang}', 'subtitle/{lang}', 'subtitle in that language'),
  spec('abstract.{lang}', 'abstract/{lang}', 'abstract in that language; paragraphs separated by an empty line in the cell', basic),
  spec('keyword{n}.{lang}', 'keywords/{lang}/{n}', 'one keyword in that language per column', basic),
  spec('markup.title.{lang}', 'markup/title/{lang}', 'title with JATS inline markup (<italic>, <sub> ...)'),
  spec('markup.abstract.{lang}', 'markup/abstract/{lang}', 'abstract as JATS body (<p> ...)'),
  spec('author{n}.type', 'contributors/{n}/type', 'person (default) or organization'),
  spec('author{n}.given', 'contributors/{n}/given', 'given name(s)', basic),
  spec('author{n}.family', 'contributors/{n}/family', 'family name (required for a person)', basic),
  spec('author{n}.suffix', 'contributors/{n}/suffix', 'name suffix such as Jr.'),
  spec('author{n}.name', 'contributors/{n}/name', 'group name, for type organization'),
  spec('author{n}.given.{lang}', 'contributors/{n}/nameVariants/{lang}/given', 'given name in another language or script'),
  spec('author{n}.family.{lang}', 'contributors/{n}/nameVariants/{lang}/family', 'family name in another language or script'),
  spec('author{n}.orcid', 'contributors/{n}/orcid', 'ORCID iD (0000-0002-1825-0097 or https://orcid.org/...); the checksum is verified', basic),
  spec('author{n}.email', 'contributors/{n}/email', 'e-mail address', basic),
  spec('author{n}.corresponding', 'contributors/{n}/corresponding', 'yes for the corresponding author (yes/no, true/false, 1/0)', { ...basic, kind: 'boolean' }),
  spec('author{n}.role', 'contributors/{n}/role', 'author (default), editor, translator, chair or reviewer'),
  spec('author{n}.affiliation{m}.name', 'contributors/{n}/affiliations/{m}/name', 'institution as printed', basic),
  spec('author{n}.affiliation{m}.ror', 'contributors/{n}/affiliations/{m}/ror', 'ROR id (https://ror.org/... or the bare id); the checksum is verified', basic),
  spec('author{n}.affiliation{m}.country', 'contributors/{n}/affiliations/{m}/country', 'ISO 3166-1 alpha-2 country code (ID, DE ...)'),
  spec('journal.id', 'journal/id', 'journal profile id (pubmeta journal add ID)', basic),
  spec('journal.title', 'journal/title', 'journal title (required)', basic),
  spec('journal.abbrevTitle', 'journal/abbrevTitle', 'abbreviated journal title'),
  spec('journal.issn.print', 'journal/issns/#1/value', 'print ISSN (check digit verified)', { ...basic, constants: { 'journal/issns/#1/media': 'print' } }),
  spec('journal.issn.electronic', 'journal/issns/#2/value', 'electronic ISSN (check digit verified)', { ...basic, constants: { 'journal/issns/#2/media': 'electronic' } }),
  spec('journal.publisher.name', 'journal/publisher/name', 'publisher'),
  spec('journal.publisher.place', 'journal/publisher/place', "publisher's place"),
  spec('journal.url', 'journal/url', 'journal home page'),
  spec('journal.doi', 'journal/doi', 'journal DOI'),
  spec('issue.volume', 'issue/volume', 'volume', basic),
  spec('issue.number', 'issue/number', 'issue number', basic),
  spec('issue.year', 'issue/year', 'year of the issue (four digits)', { ...basic, kind: 'integer' }),
  spec('issue.publicationDate', 'issue/publicationDate', 'issue date (YYYY, YYYY-MM or YYYY-MM-DD)'),
  spec('issue.title', 'issue/title', 'special issue title'),
  spec('pages.first', 'pages/first', 'first page (arabic or roman)', basic),
  spec('pages.last', 'pages/last', 'last page', basic),
  spec('articleNumber', 'articleNumber', 'article number / elocation-id, instead of pages', basic),
  spec('dates.published.online', 'dates/published/online', 'first published online (YYYY, YYYY-MM or YYYY-MM-DD)', basic),
  spec('dates.published.print', 'dates/published/print', 'published in print', basic),
  spec('dates.received', 'dates/received', 'received', basic),
  spec('dates.accepted', 'dates/accepted', 'accepted', basic),
  spec('dates.revised', 'dates/revised', 'revised', basic),
  spec('landingPage', 'landingPage', 'landing page URL (http or https)', basic),
  spec('galley{n}.url', 'galleys/{n}/url', 'full-text URL (PDF, HTML, XML)'),
  spec('galley{n}.mimeType', 'galleys/{n}/mimeType', 'its MIME type (application/pdf ...)'),
  spec('galley{n}.label', 'galleys/{n}/label', 'its label (PDF, HTML ...)'),
  spec('license.url', 'license/url', 'licence URL (https://creativecommons.org/licenses/by/4.0/)', basic),
  spec('license.startDate', 'license/startDate', 'date from which the licence applies'),
  spec('copyright.holder', 'copyright/holder', 'copyright holder'),
  spec('copyright.year', 'copyright/year', 'copyright year', { kind: 'integer' }),
  spec('copyright.statement', 'copyright/statement', 'copyright statement'),
  spec('funder{n}.name', 'funding/{n}/funderName', 'funder name', basic),
  spec('funder{n}.id', 'funding/{n}/funderId', 'Funder Registry DOI (10.13039/...) or ROR URL', basic),
  spec('funder{n}.award{m}', 'funding/{n}/awardIds/{m}', 'award (grant) number', basic),
  spec('otherId{n}.type', 'otherIds/{n}/type', 'other article id type (publisher-id, pmid ...)'),
  spec('otherId{n}.value', 'otherIds/{n}/value', 'its value'),
  spec('references', 'references', 'the reference list, one citation per line inside the cell (as printed)', { ...basic, kind: 'lines' }),
  spec('reference{n}.unstructured', 'references/{n}/unstructured', 'one citation as printed (instead of the references cell, when it has a DOI or fields)'),
  spec('reference{n}.doi', 'references/{n}/doi', 'DOI of the cited work'),
  spec('reference{n}.key', 'references/{n}/key', 'label in the article (B12, ref12)'),
  spec('reference{n}.publicationType', 'references/{n}/publicationType', 'journal, book, web ...'),
  ...REFERENCE_FIELDS.map(([field, help]) => spec(`reference{n}.${field}`, `references/{n}/structured/${field}`, help)),
  spec('note{n}', 'notes/{n}', "editor's provenance note"),
  spec('synthetic', 'synthetic', 'yes only for generated test records (never deposited)', { kind: 'boolean' }),
];

// ---------------------------------------------------------------------------------------------
// Header names -> columns

/** A header cell matched to its column spec, with the numbers and language it names. */
export interface ColumnMatch {
  spec: ColumnSpec;
  /** The item numbers in the order of the name's `{n}`, `{m}`. */
  numbers: number[];
  lang?: string;
}

const LANGUAGE_TAG = '[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*';
const NUMBER = '([1-9][0-9]{0,3})';

interface CompiledSpec {
  spec: ColumnSpec;
  regex: RegExp;
  /** For each capture group: a number or the language. */
  groups: ('number' | 'lang')[];
}

const compiled: CompiledSpec[] = COLUMNS.map((column) => {
  const groups: ('number' | 'lang')[] = [];
  const source = column.name
    .split(/(\{n\}|\{m\}|\{lang\})/)
    .map((part) => {
      if (part === '{n}' || part === '{m}') {
        groups.push('number');
        return NUMBER;
      }
      if (part === '{lang}') {
        groups.push('lang');
        return `(${LANGUAGE_TAG})`;
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  // Field names are matched whatever their case; language tags keep theirs.
  return { spec: column, regex: new RegExp(`^${source}$`, 'i'), groups };
});

/** The column a header names, or undefined when it names none. */
export function matchColumn(header: string): ColumnMatch | undefined {
  const name = header.trim();
  for (const { spec: column, regex, groups } of compiled) {
    const found = regex.exec(name);
    if (!found) continue;
    // "title.en" must not be read as the language-less "title" plus junk: the regex is anchored.
    const numbers: number[] = [];
    let lang: string | undefined;
    groups.forEach((kind, index) => {
      const value = found[index + 1]!;
      if (kind === 'number') numbers.push(Number(value));
      else lang = value;
    });
    return lang === undefined ? { spec: column, numbers } : { spec: column, numbers, lang };
  }
  return undefined;
}

/** The concrete column name for a spec, its numbers and its language. */
export function columnName(column: ColumnSpec, numbers: readonly number[], lang?: string): string {
  let next = 0;
  return column.name.replace(/\{n\}|\{m\}|\{lang\}/g, (placeholder) => (placeholder === '{lang}' ? (lang ?? '{lang}') : String(numbers[next++] ?? placeholder)));
}

// ---------------------------------------------------------------------------------------------
// Record paths -> columns

/** One step of a record path: an object key, or a list position counted from 1. */
export type PathToken = string | number;

/**
 * The column that holds the value at `tokens` (list positions counted from 1), or undefined.
 * Fixed positions (`#1`) match only that position: the ISSN list is written print first.
 */
export function columnForPath(tokens: readonly PathToken[]): ColumnMatch | undefined {
  for (const column of COLUMNS) {
    const match = matchPath(column.path, tokens);
    if (match) return { spec: column, ...match };
  }
  return undefined;
}

/** Like columnForPath, but also for a path inside a column's value or above it (for messages). */
export function nearestColumnForPath(tokens: readonly PathToken[]): ColumnMatch | undefined {
  for (let length = tokens.length; length > 0; length--) {
    const found = columnForPath(tokens.slice(0, length));
    if (found) return found;
  }
  return undefined;
}

function matchPath(path: string, tokens: readonly PathToken[]): { numbers: number[]; lang?: string } | undefined {
  const parts = path.split('/');
  if (parts.length !== tokens.length) return undefined;
  const numbers: number[] = [];
  let lang: string | undefined;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const token = tokens[i]!;
    if (part === '{n}' || part === '{m}') {
      if (typeof token !== 'number') return undefined;
      numbers.push(token);
    } else if (part === '{lang}') {
      if (typeof token !== 'string') return undefined;
      lang = token;
    } else if (part.startsWith('#')) {
      if (token !== Number(part.slice(1))) return undefined;
    } else if (part !== token) {
      return undefined;
    }
  }
  return lang === undefined ? { numbers } : { numbers, lang };
}

/** The record path a column's value goes to: list positions are the column's numbers. */
export function pathOfColumn(match: ColumnMatch): PathToken[] {
  return pathTokens(match.spec.path, match);
}

export function pathTokens(path: string, match: { numbers: readonly number[]; lang?: string }): PathToken[] {
  let next = 0;
  return path.split('/').map((part) => {
    if (part === '{n}' || part === '{m}') return match.numbers[next++]!;
    if (part === '{lang}') return match.lang!;
    if (part.startsWith('#')) return Number(part.slice(1));
    return part;
  });
}
