// CSL-JSON (Citation Style Language input data 1.0): an article as citation processors
// (citeproc-js, Zotero, Pandoc) take it. This is also pubmeta's one definition of "the
// citation of a record": the BibTeX and RIS writers serialise this item, and their round-trip
// checks compare what a parser reads back against it.
import { recordLocalId } from '../../model/records.js';
import type { ArticleRecord, Contributor } from '../../model/types.js';
import {
  contributorRole,
  dateParts,
  isOrganization,
  issnsElectronicFirst,
  languagesPrimaryFirst,
  mainTitleLanguage,
  pageRange,
  present,
  publicationDate,
  titleWithSubtitle,
} from '../common.js';

export interface CslName {
  family?: string;
  given?: string;
  suffix?: string;
  /** An organisation's name, never split. */
  literal?: string;
}

export interface CslDate {
  'date-parts': [number[]];
}

export interface CslItem {
  id: string;
  type: 'article-journal' | 'review-book';
  title: string;
  author?: CslName[];
  editor?: CslName[];
  translator?: CslName[];
  'container-title': string;
  'container-title-short'?: string;
  ISSN?: string;
  publisher?: string;
  'publisher-place'?: string;
  volume?: string;
  issue?: string;
  page?: string;
  'page-first'?: string;
  /** The article number (elocation-id), for articles without pages. */
  number?: string;
  issued?: CslDate;
  submitted?: CslDate;
  DOI: string;
  URL?: string;
  abstract?: string;
  /** Keywords of the item's language, comma-separated. */
  keyword?: string;
  language: string;
  section?: string;
}

/** The CSL item for an article. Never throws: CSL needs only an id and a type. */
export function toCslItem(record: ArticleRecord): CslItem {
  const titleLanguage = mainTitleLanguage(record);
  const item: CslItem = {
    id: recordLocalId(record),
    type: record.articleType === 'book-review' ? 'review-book' : 'article-journal',
    title: titleWithSubtitle(record.title[titleLanguage] ?? '', record.subtitle?.[titleLanguage]),
    'container-title': record.journal.title.trim(),
    DOI: record.doi,
    language: record.language,
  };
  set(item, 'author', names(record.contributors, 'author'));
  set(item, 'editor', names(record.contributors, 'editor'));
  set(item, 'translator', names(record.contributors, 'translator'));
  set(item, 'container-title-short', present(record.journal.abbrevTitle));
  set(item, 'ISSN', issnsElectronicFirst(record.journal.issns).map((i) => i.value).join(', '));
  set(item, 'publisher', present(record.journal.publisher?.name));
  set(item, 'publisher-place', present(record.journal.publisher?.place));
  set(item, 'volume', present(record.issue?.volume));
  set(item, 'issue', present(record.issue?.number));
  if (present(record.pages?.first)) {
    set(item, 'page', pageRange(record));
    set(item, 'page-first', present(record.pages?.first));
  } else {
    set(item, 'number', present(record.articleNumber));
  }
  set(item, 'issued', cslDate(publicationDate(record)));
  set(item, 'submitted', cslDate(dateParts(record.dates?.received)));
  set(item, 'URL', present(record.landingPage));
  const abstractLanguage = languagesPrimaryFirst(record.abstract, record.language)[0];
  set(item, 'abstract', abstractLanguage === undefined ? undefined : present(record.abstract![abstractLanguage]));
  set(item, 'keyword', keywordsOf(record).join(', '));
  set(item, 'section', present(record.section));
  return item;
}

/** The keywords of the record's language (else of the first language that has any), trimmed. */
export function keywordsOf(record: ArticleRecord): string[] {
  for (const lang of languagesPrimaryFirst(record.keywords, record.language)) {
    const words = record.keywords![lang]!.map((k) => present(k)).filter((k): k is string => k !== undefined);
    if (words.length > 0) return words;
  }
  return [];
}

function set<K extends keyof CslItem>(item: CslItem, key: K, value: CslItem[K] | undefined): void {
  if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) return;
  item[key] = value;
}

function names(contributors: Contributor[], role: NonNullable<Contributor['role']>): CslName[] {
  const out: CslName[] = [];
  for (const contributor of contributors) {
    if (contributorRole(contributor) !== role) continue;
    const name = cslName(contributor);
    if (name) out.push(name);
  }
  return out;
}

export function cslName(contributor: Contributor): CslName | undefined {
  if (isOrganization(contributor)) {
    const literal = present(contributor.name);
    return literal ? { literal } : undefined;
  }
  const family = present(contributor.family);
  if (!family) return undefined;
  const name: CslName = { family };
  const given = present(contributor.given);
  const suffix = present(contributor.suffix);
  if (given) name.given = given;
  if (suffix) name.suffix = suffix;
  return name;
}

function cslDate(parts: { year: number; month?: string; day?: string } | undefined): CslDate | undefined {
  if (!parts) return undefined;
  const date = [parts.year];
  if (parts.month !== undefined) date.push(Number(parts.month));
  if (parts.day !== undefined) date.push(Number(parts.day));
  return { 'date-parts': [date] };
}

/** CSL-JSON for one article: an array holding its item, as csl-data.json defines the document. */
export function toCsl(record: ArticleRecord): string {
  return toCslBatch([record]);
}

/** CSL-JSON for several articles, one item each. */
export function toCslBatch(records: readonly ArticleRecord[]): string {
  return `${JSON.stringify(records.map(toCslItem), null, 2)}\n`;
}
