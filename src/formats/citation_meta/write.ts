// Highwire Press citation_* meta tags, the ones Google Scholar's Inclusion Guidelines for
// Webmasters ask article pages to carry ("Indexing": citation_title, citation_author,
// citation_publication_date are required; journal title, ISSN, volume, issue and first page
// identify the article; citation_pdf_url names the full text). The author's institution and
// ORCID follow each citation_author, as Highwire's convention has it.
import { recordLocalId } from '../../model/records.js';
import type { ArticleRecord, Reference } from '../../model/types.js';
import {
  contributorRole,
  dateParts,
  invertedName,
  isPdf,
  issnsElectronicFirst,
  languagesPrimaryFirst,
  mainTitleLanguage,
  orcidUrl,
  present,
  titleWithSubtitle,
  type DateParts,
} from '../common.js';
import { ExportError } from '../errors.js';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;

export interface CitationTag {
  name: string;
  content: string;
  /** BCP 47 language of the content, when it is not the article's. */
  lang?: string;
}

/**
 * Google Scholar: "Provide full dates in the "2010/5/12" format if available; or a year alone
 * otherwise." A year and month is given as the year.
 */
export function scholarDate(parts: DateParts): string {
  return parts.day !== undefined ? `${parts.year}/${parts.month}/${parts.day}` : String(parts.year);
}

/** The tags for an article, in order. Throws ExportError when a tag Google Scholar requires cannot be given. */
export function citationMetaTags(record: ArticleRecord): CitationTag[] {
  const fail = (field: string, requirement: string): never => {
    throw new ExportError(recordLocalId(record), field, 'citation_meta', `Google Scholar ${requirement}`);
  };
  const authors = record.contributors.filter((c) => contributorRole(c) === 'author' && invertedName(c) !== undefined);
  if (authors.length === 0) fail('contributors', 'requires at least one citation_author');
  const published = record.dates?.published;
  const official = dateParts(published?.print) ?? dateParts(published?.online) ?? dateParts(record.issue?.publicationDate) ?? dateParts(record.issue?.year)
    ?? fail('dates.published', 'requires citation_publication_date (dates.published, issue.publicationDate or issue.year)');

  const tags: CitationTag[] = [];
  const add = (name: string, value: string | undefined, lang?: string): void => {
    // One line; control characters (which HTML text may not hold) dropped.
    const content = value === undefined ? undefined : present(value.replace(CONTROL, '').replace(/\s+/g, ' '));
    if (content !== undefined) tags.push(lang === undefined ? { name, content } : { name, content, lang });
  };
  const titleLanguage = mainTitleLanguage(record);
  add('citation_title', titleWithSubtitle(record.title[titleLanguage]!, record.subtitle?.[titleLanguage]), titleLanguage === record.language ? undefined : titleLanguage);
  for (const author of authors) {
    add('citation_author', invertedName(author));
    for (const affiliation of author.affiliations ?? []) add('citation_author_institution', affiliation.name);
    if (author.orcid) add('citation_author_orcid', orcidUrl(author.orcid));
  }
  add('citation_publication_date', scholarDate(official));
  // The online date when it is not already the publication date (a print date exists).
  const online = dateParts(published?.online);
  if (online && published?.print) add('citation_online_date', scholarDate(online));
  add('citation_journal_title', record.journal.title);
  add('citation_journal_abbrev', record.journal.abbrevTitle);
  for (const issn of issnsElectronicFirst(record.journal.issns)) add('citation_issn', issn.value);
  add('citation_publisher', record.journal.publisher?.name);
  add('citation_volume', record.issue?.volume);
  add('citation_issue', record.issue?.number);
  add('citation_firstpage', record.pages?.first);
  add('citation_lastpage', record.pages?.last);
  add('citation_doi', record.doi);
  add('citation_pdf_url', record.galleys?.find((g) => isPdf(g.mimeType))?.url);
  add('citation_fulltext_html_url', record.galleys?.find((g) => g.mimeType.trim().toLowerCase() === 'text/html')?.url);
  add('citation_abstract_html_url', record.landingPage);
  add('citation_language', record.language);
  for (const lang of languagesPrimaryFirst(record.keywords, record.language)) {
    for (const keyword of record.keywords![lang]!) add('citation_keywords', keyword, lang === record.language ? undefined : lang);
  }
  for (const reference of record.references ?? []) add('citation_reference', referenceContent(reference));
  return tags;
}

/**
 * A cited work: Highwire's "citation_title=...; citation_author=...; ..." pairs when its parts
 * are known (semicolons in values become commas: they would end a pair), else the citation as printed.
 */
function referenceContent(reference: Reference): string | undefined {
  const s = reference.structured;
  const pairs: [string, string | undefined][] = s
    ? [
        ['citation_author', s.author], ['citation_title', s.articleTitle], [sourceKey(reference), s.source],
        ['citation_publisher', s.publisher], ['citation_volume', s.volume], ['citation_issue', s.issue],
        ['citation_firstpage', s.firstPage], ['citation_lastpage', s.lastPage], ['citation_publication_date', s.year],
        ['citation_isbn', s.isbn], ['citation_issn', s.issn], ['citation_doi', reference.doi],
      ]
    : reference.unstructured === undefined ? [['citation_doi', reference.doi]] : [];
  const known = pairs.filter((p): p is [string, string] => present(p[1]) !== undefined);
  if (known.length > 0) return known.map(([key, value]) => `${key}=${value.trim().replace(/;/g, ',')}`).join('; ');
  return present(reference.unstructured);
}

/** Where the cited work appeared: a journal, a conference, a book (or, with no article title, the book itself). */
function sourceKey(reference: Reference): string {
  switch (reference.publicationType) {
    case 'book':
      return reference.structured?.articleTitle ? 'citation_inbook_title' : 'citation_title';
    case 'confproc':
      return 'citation_conference_title';
    default:
      return 'citation_journal_title';
  }
}

/** HTML attribute-value escaping; control characters (not allowed in HTML text) dropped. */
export function escapeHtmlAttribute(value: string): string {
  return value.replace(CONTROL, '').replace(/[&"<>]/g, (c) => ({ '&': '&amp;', '"': '&quot;', '<': '&lt;', '>': '&gt;' })[c]!);
}

/** The tags as an HTML <head> fragment, one <meta> per line. */
export function toCitationMeta(record: ArticleRecord): string {
  return citationMetaTags(record)
    .map((t) => `<meta name="${t.name}" content="${escapeHtmlAttribute(t.content)}"${t.lang === undefined ? '' : ` lang="${escapeHtmlAttribute(t.lang)}"`}>\n`)
    .join('');
}
