// Small pure helpers shared by the three writers.
import type { ArticleRecord, Contributor, Issn, LangMap, PartialDate, ReferenceFields } from '../model/types.js';

export const NS = {
  xml: 'http://www.w3.org/XML/1998/namespace',
  xmlns: 'http://www.w3.org/2000/xmlns/',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  xlink: 'http://www.w3.org/1999/xlink',
  mml: 'http://www.w3.org/1998/Math/MathML',
  ali: 'http://www.niso.org/schemas/ali/1.0/',
  oaiDc: 'http://www.openarchives.org/OAI/2.0/oai_dc/',
  dc: 'http://purl.org/dc/elements/1.1/',
  crossref: 'http://www.crossref.org/schema/5.3.1',
  crossrefJats: 'http://www.ncbi.nlm.nih.gov/JATS1',
  fundref: 'http://www.crossref.org/fundref.xsd',
  accessIndicators: 'http://www.crossref.org/AccessIndicators.xsd',
} as const;

/** Keys of a language map, the primary language first, then the others in their given order. */
export function languagesPrimaryFirst(map: LangMap<unknown> | undefined, primary: string): string[] {
  if (!map) return [];
  const keys = Object.keys(map);
  const index = keys.findIndex((key) => key.toLowerCase() === primary.toLowerCase());
  if (index <= 0) return keys;
  return [keys[index]!, ...keys.slice(0, index), ...keys.slice(index + 1)];
}

/** The language of the main title: the record's language when it has a title in it, else the first title given. */
export function mainTitleLanguage(record: ArticleRecord): string {
  return languagesPrimaryFirst(record.title, record.language)[0] ?? record.language;
}

/** Trimmed text, or undefined when empty or whitespace-only. */
export function present(value: string | undefined | null): string | undefined {
  if (value === undefined || value === null) return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** Whether a reference has any structured field with text (no array built, unlike Object.values). */
export function hasStructuredFields(fields: ReferenceFields | undefined): boolean {
  if (!fields) return false;
  for (const key in fields) if (present(fields[key as keyof ReferenceFields]) !== undefined) return true;
  return false;
}

/** Paragraphs of a plain-text abstract: blank lines separate them (record model convention). */
export function paragraphs(text: string): string[] {
  const out: string[] = [];
  for (const paragraph of text.includes('\n') ? text.split(/\r?\n[ \t]*\r?\n/) : [text]) {
    // Most paragraphs have single spaces only: no copy for them.
    const collapsed = (LOOSE_WHITESPACE.test(paragraph) ? paragraph.replace(/\s+/g, ' ') : paragraph).trim();
    if (collapsed !== '') out.push(collapsed);
  }
  return out;
}

const LOOSE_WHITESPACE = /\s\s|[\t\n\r\f\v\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/;

export interface DateParts {
  year: number;
  month?: string;
  day?: string;
  iso: string;
}

/** Splits an ISO 8601 partial date ("YYYY", "YYYY-MM", "YYYY-MM-DD") into its known parts. */
export function dateParts(value: PartialDate | number | undefined): DateParts | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(String(value).trim());
  if (!match) return undefined;
  const parts: DateParts = { year: Number(match[1]), iso: match[0] };
  if (match[2] !== undefined) parts.month = match[2];
  if (match[3] !== undefined) parts.day = match[3];
  return parts;
}

/** The earlier of two dates; when one is a less precise form of the other (2024 and 2024-03), the more precise. */
function earlier(a: DateParts, b: DateParts): DateParts {
  const common = Math.min(a.iso.length, b.iso.length);
  const left = a.iso.slice(0, common);
  const right = b.iso.slice(0, common);
  if (left !== right) return left < right ? a : b;
  return a.iso.length >= b.iso.length ? a : b;
}

/** The article's earliest publication date, whatever the medium. */
export function earliestPublished(record: ArticleRecord): DateParts | undefined {
  const online = dateParts(record.dates?.published?.online);
  const print = dateParts(record.dates?.published?.print);
  return online && print ? earlier(online, print) : (online ?? print);
}

/** The publication date a format with one date gives: the article's earliest, then the issue's date, then the issue year. */
export function publicationDate(record: ArticleRecord): DateParts | undefined {
  return earliestPublished(record) ?? dateParts(record.issue?.publicationDate) ?? dateParts(record.issue?.year);
}

/** The issue's own date (issue.publicationDate, else issue.year). */
export function issueDate(record: ArticleRecord): DateParts | undefined {
  return dateParts(record.issue?.publicationDate) ?? dateParts(record.issue?.year);
}

/**
 * Whether an article known by a single, undifferentiated publication date was published
 * online. Journals known only by print ISSNs and without any web address for the article are
 * taken as print; everything else as online. Only decides for records with one date: before
 * dates by medium a record had one `dates.published`, which is read as the online date.
 */
export function publishedOnline(record: ArticleRecord): boolean {
  const issns = record.journal.issns ?? [];
  const printOnly = issns.length > 0 && issns.every((issn) => issn.media === 'print');
  return !(printOnly && !record.landingPage && !(record.galleys?.length));
}

export type Medium = 'online' | 'print';

/**
 * The article's publication dates with their media, online first. Online and print dates each
 * keep their own medium; a record with an online date only may be a single legacy date, so
 * publishedOnline decides its medium.
 */
export function publishedByMedium(record: ArticleRecord): { medium: Medium; date: DateParts }[] {
  const online = dateParts(record.dates?.published?.online);
  const print = dateParts(record.dates?.published?.print);
  if (online && print) return [{ medium: 'online', date: online }, { medium: 'print', date: print }];
  if (print) return [{ medium: 'print', date: print }];
  if (online) return [{ medium: publishedOnline(record) ? 'online' : 'print', date: online }];
  return [];
}

/** The medium of dates that belong to no medium of their own (an issue's date, acceptance): print when the article appeared in print, else as publishedOnline says. */
export function primaryMedium(record: ArticleRecord): Medium {
  if (record.dates?.published?.print !== undefined) return 'print';
  return publishedOnline(record) ? 'online' : 'print';
}

/** Electronic ISSNs first: for journal ids and citations the online edition is the one cited. */
export function issnsElectronicFirst(issns: Issn[] | undefined): Issn[] {
  if (!issns) return [];
  return [...issns.filter((i) => i.media === 'electronic'), ...issns.filter((i) => i.media !== 'electronic')];
}

// DOI Handbook §2.5.2.4: in a URL, "%", '"', "#", space and "?" must be percent-encoded, and
// "<", ">", "{", "}", "^", "[", "]", "`", "|", "\\" should be (SICI-style DOIs carry "<" and ">").
const DOI_URL_UNSAFE = /[%"# ?<>{}^[\]`|\\]/g;

export function doiUrl(doi: string): string {
  return `https://doi.org/${doi.replace(DOI_URL_UNSAFE, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)}`;
}

export function orcidUrl(orcid: string): string {
  const bare = orcid.replace(/^https?:\/\/orcid\.org\//i, '');
  return `https://orcid.org/${bare}`;
}

export function contributorRole(contributor: Contributor): NonNullable<Contributor['role']> {
  return contributor.role ?? 'author';
}

export function isOrganization(contributor: Contributor): boolean {
  return contributor.type === 'organization';
}

/** "Family, Given" (or just "Family"), as Dublin Core and most catalogues expect creators. */
export function invertedName(contributor: Contributor): string | undefined {
  if (isOrganization(contributor)) return present(contributor.name);
  const family = present(contributor.family);
  const given = present(contributor.given);
  const suffix = present(contributor.suffix);
  const base = family && given ? `${family}, ${given}` : (family ?? given);
  if (!base) return undefined;
  return suffix ? `${base}, ${suffix}` : base;
}

/** "Title: Subtitle" unless the title already ends with punctuation that introduces one. */
export function titleWithSubtitle(title: string, subtitle: string | undefined): string {
  const main = title.trim();
  const sub = present(subtitle);
  if (!sub) return main;
  return /[:?!.]$/.test(main) ? `${main} ${sub}` : `${main}: ${sub}`;
}

/** Page range "117-130", a single page, or the article number. */
export function pageRange(record: ArticleRecord): string | undefined {
  const first = present(record.pages?.first);
  if (first) {
    const last = present(record.pages?.last);
    return last && last !== first ? `${first}-${last}` : first;
  }
  return present(record.articleNumber);
}

export function isPdf(mimeType: string): boolean {
  return mimeType.trim().toLowerCase() === 'application/pdf';
}

/** An XML NCName usable as an ID attribute value. */
export function isXmlId(value: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9._-]*$/.test(value);
}

/** Whether a licence URL is a Creative Commons licence or public-domain tool (open access by definition). */
export function isOpenLicense(url: string): boolean {
  return /^https?:\/\/(www\.)?creativecommons\.org\/(licenses|publicdomain)\//i.test(url.trim());
}

const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });

const countryNames = new Map<string, string | undefined>();

/** English name of an ISO 3166-1 alpha-2 code ("US" -> "United States"), undefined when unknown. */
export function countryName(code: string): string | undefined {
  const upper = code.toUpperCase();
  if (countryNames.has(upper)) return countryNames.get(upper);
  let name: string | undefined;
  try {
    name = regionNames.of(upper);
  } catch {
    name = undefined;
  }
  // A few hundred codes at most: Intl's look-up costs more than the rest of an affiliation.
  if (countryNames.size < 1000) countryNames.set(upper, name);
  return name;
}
