// Crossref metadata deposit, schema 5.3.1 (crossref5.3.1.xsd + common5.3.1.xsd, fundref.xsd,
// AccessIndicators.xsd, Crossref's namespaced JATS for abstracts). Element order follows the
// XSD sequences; limits the schema states are checked up front so failures name the field.
import { createHash } from 'node:crypto';
import type { ArticleRecord, Contributor, Reference } from '../../model/types.js';
import {
  NS,
  contributorRole,
  dateParts,
  isOrganization,
  isPdf,
  issueDate,
  issnsElectronicFirst,
  languagesPrimaryFirst,
  mainTitleLanguage,
  orcidUrl,
  paragraphs,
  present,
  hasStructuredFields,
  publicationDate,
  primaryMedium,
  publishedByMedium,
  type DateParts,
  doiUrl,
} from '../common.js';
import { ExportError } from '../errors.js';
import {
  PrefixMap,
  fragmentUsesMathMl,
  fragmentWritesText,
  isBlockFragment,
  parseRecordMarkup,
  writeFragment,
  type MarkupScope,
  type MarkupTarget,
} from '../xml/markup.js';
import { attr, attrs, optionalAttr, writeXml, type XmlWriter } from '../xml/writer.js';

export interface CrossrefHeadOptions {
  depositor: { name: string; email: string };
  registrant: string;
  /** doi_batch_id; default derived from the timestamp and the batch's DOIs (unique per batch). */
  batchId?: string;
  /** head/timestamp (see crossrefTimestampOf); default from the process-wide strictly increasing clock source. */
  timestamp?: bigint | number;
  clock?: () => Date;
}

export const CROSSREF_SCHEMA_LOCATION = 'http://www.crossref.org/schema/5.3.1 https://www.crossref.org/schemas/crossref5.3.1.xsd';

let lastTimestamp = 0n;

/**
 * The deposit timestamp for a moment: UTC yyyyMMddHHmmssSSS, the clock in milliseconds written
 * the way OJS 3.4+ writes it (date('YmdHisv')). Crossref compares timestamps as numbers and
 * ignores a deposit whose timestamp is not greater than the DOI's last one, so a journal moving
 * to pubmeta from OJS (or from 14- and 16-digit yyyyMMddHHmmss forms) must not go back to the
 * 13 digits of epoch milliseconds. 17 digits exceed 2^53: timestamps are bigints.
 */
export function crossrefTimestampOf(date: Date): bigint {
  const iso = date.toISOString(); // 2026-11-25T18:21:41.123Z
  return BigInt(iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) + iso.slice(14, 16) + iso.slice(17, 19) + iso.slice(20, 23));
}

/** crossrefTimestampOf(clock()), strictly increasing within this process. */
export function nextCrossrefTimestamp(clock: () => Date = () => new Date()): bigint {
  const now = crossrefTimestampOf(clock());
  lastTimestamp = now > lastTimestamp ? now : lastTimestamp + 1n;
  return lastTimestamp;
}

// language.atts in common5.3.1.xsd: ISO 639-1 codes only.
const CROSSREF_LANGUAGES = new Set(
  ('aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee el ' +
    'en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ' +
    'ja jw ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mu mi mk ml mn mr ms mt my na ' +
    'nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so ' +
    'sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh').split(' '),
);

// mime_type.atts in common5.3.1.xsd, the types a journal galley can plausibly have.
const CROSSREF_MIME_TYPES = new Set([
  'application/pdf', 'text/html', 'text/xml', 'application/xml', 'text/plain', 'application/epub+zip',
  'application/msword', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.oasis.opendocument.text', 'application/rtf', 'text/rtf', 'application/zip', 'application/postscript',
  'image/jpeg', 'image/png', 'image/gif', 'image/tiff', 'audio/mpeg', 'video/mp4', 'video/mpeg', 'video/quicktime',
  'text/csv', 'application/vnd.ms-excel', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
]);

// Crossref titles take face markup only (common5.3.1.xsd face_markup); JATS inline elements map onto it.
const FACE_MARKUP: Record<string, string> = {
  italic: 'i', bold: 'b', underline: 'u', overline: 'ovl', sup: 'sup', sub: 'sub', sc: 'scp', monospace: 'tt',
};
const TITLE_MARKUP: MarkupTarget = {
  jats: { mode: 'inherit' },
  rename: (name) => FACE_MARKUP[name] ?? null,
  keepAttributes: false,
};
const ABSTRACT_MARKUP: MarkupTarget = {
  jats: { mode: 'namespace', namespace: NS.crossrefJats, prefix: 'jats' },
  keepAttributes: true,
};

// Patterns from common5.3.1.xsd; values that fail them are left out of structured citations.
const DOI_PATTERN = /^10\.[0-9]{4,9}\/.{1,200}$/;
const ISSN_PATTERN = /^\d{4}-?\d{3}[\dX]$/;
const ISBN_PATTERN = /^(97(8|9)-)?\d[\d -]+[\dX]$/;

export function toCrossref(records: readonly ArticleRecord[], options: CrossrefHeadOptions): string {
  if (records.length === 0) {
    throw new ExportError('(batch)', 'records', 'crossref', 'a Crossref deposit needs at least one record');
  }
  checkHead(options);
  for (const record of records) assertCrossrefExportable(record);

  const given = options.timestamp === undefined ? undefined : BigInt(options.timestamp);
  const timestamp = given ?? nextCrossrefTimestamp(options.clock);
  if (given !== undefined && given > lastTimestamp) lastTimestamp = given;
  const batchId = options.batchId ?? defaultBatchId(records, timestamp);
  return writeXml((out) => writeBatch(out, records, options, batchId, timestamp), true);
}

/** What the parts of the writer share: the output and where fragments go. */
interface Crossref {
  out: XmlWriter;
  scope: MarkupScope;
}

function writeBatch(out: XmlWriter, records: readonly ArticleRecord[], options: CrossrefHeadOptions, batchId: string, timestamp: bigint): void {
  const usesMath = records.some(
    (r) => Object.values(r.markup?.title ?? {}).some(fragmentUsesMathMl) || Object.values(r.markup?.abstract ?? {}).some(fragmentUsesMathMl),
  );
  const declarations = { xsi: NS.xsi, jats: NS.crossrefJats, fr: NS.fundref, ai: NS.accessIndicators, mml: usesMath ? NS.mml : undefined };
  out.start(
    'doi_batch',
    attr('xmlns', NS.crossref) +
      attrs({
        version: '5.3.1',
        'xmlns:xsi': NS.xsi,
        'xsi:schemaLocation': CROSSREF_SCHEMA_LOCATION,
        'xmlns:jats': NS.crossrefJats,
        'xmlns:fr': NS.fundref,
        'xmlns:ai': NS.accessIndicators,
        'xmlns:mml': declarations.mml,
      }),
  );
  const crossref: Crossref = { out, scope: { defaultNamespace: NS.crossref, prefixes: PrefixMap.of(declarations), generated: { value: 1 } } };
  out.start('head');
  out.leaf('doi_batch_id', batchId);
  out.leaf('timestamp', String(timestamp));
  out.start('depositor');
  out.leaf('depositor_name', options.depositor.name.trim());
  out.leaf('email_address', options.depositor.email.trim());
  out.end();
  out.leaf('registrant', options.registrant.trim());
  out.end();
  out.start('body');
  for (const group of groupByJournalIssue(records)) {
    out.start('journal');
    journalMetadata(out, group[0]!);
    journalIssue(out, group);
    for (const record of group) journalArticle(crossref, record);
    out.end();
  }
  out.end().end();
}

function checkHead(options: CrossrefHeadOptions): void {
  const fail = (field: string, requirement: string) => {
    throw new ExportError('(batch)', field, 'crossref', requirement);
  };
  const name = present(options.depositor?.name);
  const email = present(options.depositor?.email);
  if (!name) fail('depositor.name', 'Crossref requires a depositor name (--depositor-name or PUBMETA_DEPOSITOR_NAME)');
  if (name!.length > 130) fail('depositor.name', 'Crossref limits the depositor name to 130 characters');
  if (!email || !/^[^\s@]+@[^\s@]+$/.test(email)) {
    fail('depositor.email', 'Crossref requires a depositor e-mail address for batch results (--depositor-email or PUBMETA_DEPOSITOR_EMAIL)');
  }
  if (email!.length < 6 || email!.length > 200) fail('depositor.email', 'Crossref requires a depositor e-mail of 6 to 200 characters');
  const registrant = present(options.registrant);
  if (!registrant) fail('registrant', 'Crossref requires a registrant (--registrant or PUBMETA_REGISTRANT)');
  if (registrant!.length > 255) fail('registrant', 'Crossref limits the registrant to 255 characters');
  if (options.batchId !== undefined && (options.batchId.length < 4 || options.batchId.length > 100)) {
    fail('batchId', 'Crossref requires a doi_batch_id of 4 to 100 characters');
  }
}

/**
 * Throws ExportError for anything Crossref requires that the record model leaves optional, and
 * for values over the schema's length limits, so a batch can leave such a record out up front.
 */
export function assertCrossrefExportable(record: ArticleRecord): void {
  const fail = (field: string, requirement: string): never => {
    throw new ExportError(record.doi, field, 'crossref', `Crossref ${requirement}`);
  };
  if (!DOI_PATTERN.test(record.doi)) fail('doi', `requires a DOI of the form 10.NNNN/suffix (doi)`);
  if (!publicationDate(record)) {
    fail('issue.year', 'requires a publication year (issue.year, issue.publicationDate or dates.published)');
  }
  const year = publicationDate(record)!.year;
  if (year < 1400 || year > 2200) fail('dates.published', `requires a publication year between 1400 and 2200, not ${year}`);
  if (!present(record.landingPage)) fail('landingPage', 'requires the article landing page URL for doi_data/resource (landingPage)');
  if (!/^(https?|ftp):\/\//i.test(record.landingPage!.trim())) fail('landingPage', 'requires an http(s) landing page URL (landingPage)');
  if (record.journal.title.trim().length > 255) fail('journal.title', 'limits full_title to 255 characters (journal.title)');
  if ((record.journal.abbrevTitle?.trim().length ?? 0) > 150) fail('journal.abbrevTitle', 'limits abbrev_title to 150 characters (journal.abbrevTitle)');
  if ((record.issue?.volume?.trim().length ?? 0) > 32) fail('issue.volume', 'limits volume to 32 characters (issue.volume)');
  if ((record.issue?.number?.trim().length ?? 0) > 32) fail('issue.number', 'limits issue to 32 characters (issue.number)');
  if ((record.pages?.first.trim().length ?? 0) > 32) fail('pages.first', 'limits first_page to 32 characters (pages.first)');
  if ((record.pages?.last?.trim().length ?? 0) > 32) fail('pages.last', 'limits last_page to 32 characters (pages.last)');
  if ((record.articleNumber?.trim().length ?? 0) > 32) fail('articleNumber', 'limits item_number to 32 characters (articleNumber)');
  record.contributors.forEach((contributor, index) => {
    const at = `contributors/${index}`;
    if (isOrganization(contributor)) {
      const name = present(contributor.name);
      if (!name) fail(`${at}/name`, `requires a name for the group author (${at}/name)`);
      if (name!.length > 511) fail(`${at}/name`, `limits organization names to 511 characters (${at}/name)`);
      return;
    }
    const family = present(contributor.family);
    if (!family) fail(`${at}/family`, `requires a surname for every person (${at}/family)`);
    if (family!.length > 60) fail(`${at}/family`, `limits surnames to 60 characters (${at}/family)`);
    if ((present(contributor.given)?.length ?? 0) > 60) fail(`${at}/given`, `limits given names to 60 characters (${at}/given)`);
    if ((present(contributor.suffix)?.length ?? 0) > 10) fail(`${at}/suffix`, `limits suffixes to 10 characters (${at}/suffix)`);
  });
}

function defaultBatchId(records: readonly ArticleRecord[], timestamp: bigint): string {
  const digest = createHash('sha256').update(records.map((r) => r.doi).join('\n')).digest('hex').slice(0, 12);
  return `pubmeta-${timestamp}-${digest}`;
}

function journalKey(record: ArticleRecord): string {
  const journal = record.journal;
  const issns = (journal.issns ?? []).map((i) => `${i.media}:${i.value}`).sort().join(',');
  return [journal.title.trim(), issns, journal.doi ?? ''].join('\u0000');
}

// The issue's year belongs to the key: journals numbered by issue alone restart at "1" every
// year, and each year's issue is a different journal_issue with its own date.
function issueKey(record: ArticleRecord): string {
  return [record.issue?.volume?.trim() ?? '', record.issue?.number?.trim() ?? '', issueDate(record)?.year ?? ''].join('\u0000');
}

/** One <journal> per (journal, volume, issue, issue year), in the order each group first appears. */
export function groupByJournalIssue(records: readonly ArticleRecord[]): ArticleRecord[][] {
  const groups = new Map<string, ArticleRecord[]>();
  for (const record of records) {
    const key = `${journalKey(record)}\u0001${issueKey(record)}`;
    const group = groups.get(key);
    if (group) group.push(record);
    else groups.set(key, [record]);
  }
  return [...groups.values()];
}

function dateElement(out: XmlWriter, name: string, date: DateParts, media: string): void {
  out.start(name, attr('media_type', media));
  // date_t sequence: month, day, year (month and day only when known).
  if (date.month) out.leaf('month', date.month);
  if (date.day) out.leaf('day', date.day);
  out.leaf('year', String(date.year));
  out.end();
}

function crossrefLanguage(tag: string | undefined): string | undefined {
  if (!tag) return undefined;
  const primary = tag.trim().toLowerCase().split('-')[0]!;
  return CROSSREF_LANGUAGES.has(primary) ? primary : undefined;
}

function journalMetadata(out: XmlWriter, record: ArticleRecord): void {
  out.start('journal_metadata');
  out.leaf('full_title', record.journal.title.trim());
  if (present(record.journal.abbrevTitle)) out.leaf('abbrev_title', record.journal.abbrevTitle!.trim());
  for (const issn of issnsElectronicFirst(record.journal.issns)) out.leaf('issn', issn.value, attr('media_type', issn.media));
  // doi_data needs a resource URL; without the journal's home page the journal DOI is left as registered.
  if (present(record.journal.doi) && present(record.journal.url)) {
    out.start('doi_data');
    out.leaf('doi', record.journal.doi!.trim());
    out.leaf('resource', record.journal.url!.trim());
    out.end();
  }
  out.end();
}

function journalIssue(out: XmlWriter, group: ArticleRecord[]): void {
  const first = group[0]!;
  const volume = present(first.issue?.volume);
  const number = present(first.issue?.number);
  if (!volume && !number) return; // continuous publication: articles sit directly in the journal
  // journal_issue requires a date: the issue's own when any record states it, else the year of
  // its earliest article (the only date known for it).
  const stated = group.map(issueDate).find((d) => d !== undefined);
  const earliestYear = Math.min(...group.map((r) => publicationDate(r)!.year));
  const date: DateParts = stated ?? { year: earliestYear, iso: String(earliestYear) };
  out.start('journal_issue');
  const title = group.map((r) => present(r.issue?.title)).find((t) => t !== undefined);
  if (title) out.start('titles').leaf('title', title).end();
  dateElement(out, 'publication_date', date, primaryMedium(first));
  if (volume) out.start('journal_volume').leaf('volume', volume).end();
  if (number) out.leaf('issue', number);
  out.end();
}

function journalArticle({ out, scope }: Crossref, record: ArticleRecord): void {
  out.start('journal_article', attr('publication_type', 'full_text') + optionalAttr('language', crossrefLanguage(record.language)));

  // Crossref: original_language_title is for translations only; a title in another language
  // goes in its own <titles> (community.crossref.org/t/multi-language-support/3054).
  const main = mainTitleLanguage(record);
  for (const lang of languagesPrimaryFirst(record.title, main)) {
    out.start('titles');
    const markup = present(record.markup?.title?.[lang]);
    if (markup) {
      const nodes = parseRecordMarkup(markup, record.doi, `markup.title.${lang}`, 'crossref');
      if (fragmentWritesText(nodes, TITLE_MARKUP, scope.defaultNamespace)) out.startInline('title');
      else out.start('title');
      writeFragment(out, nodes, TITLE_MARKUP, scope);
      out.end();
    } else {
      out.leaf('title', record.title[lang]!.trim());
    }
    if (present(record.subtitle?.[lang])) out.leaf('subtitle', record.subtitle![lang]!.trim());
    out.end();
  }

  if (record.contributors.length > 0) contributors(out, record.contributors);

  for (const lang of languagesPrimaryFirst(record.abstract, record.language)) abstract(out, scope, record, lang);

  // One publication_date per medium; an article without a date of its own takes its issue's.
  const published = publishedByMedium(record);
  if (published.length === 0) dateElement(out, 'publication_date', publicationDate(record)!, primaryMedium(record));
  for (const { medium, date } of published) dateElement(out, 'publication_date', date, medium);
  const accepted = dateParts(record.dates?.accepted);
  if (accepted) dateElement(out, 'acceptance_date', accepted, primaryMedium(record));

  if (present(record.pages?.first)) {
    out.start('pages');
    out.leaf('first_page', record.pages!.first.trim());
    if (present(record.pages!.last)) out.leaf('last_page', record.pages!.last!.trim());
    out.end();
  }
  if (present(record.articleNumber)) {
    out.start('publisher_item').leaf('item_number', record.articleNumber!.trim(), attr('item_number_type', 'article_number')).end();
  }

  if (record.funding?.length) fundref(out, record);
  if (record.license) {
    const start = dateParts(record.license.startDate);
    out.start('ai:program', attr('name', 'AccessIndicators'));
    out.leaf('ai:license_ref', record.license.url.trim(), attr('applies_to', 'vor') + optionalAttr('start_date', start?.day ? start.iso : undefined));
    out.end();
  }

  doiData(out, record);
  if (record.references?.length) citationList(out, record.references);
  out.end();
}

function contributors(out: XmlWriter, list: Contributor[]): void {
  out.start('contributors');
  const seenRoles = new Set<string>();
  for (const contributor of list) {
    const role = contributorRole(contributor);
    // "first" marks the first contributor of each role (the first author), the rest are "additional".
    const sequence = seenRoles.has(role) ? 'additional' : 'first';
    seenRoles.add(role);
    const attributes = attr('sequence', sequence) + attr('contributor_role', role);
    if (isOrganization(contributor)) {
      out.leaf('organization', contributor.name!.trim(), attributes);
      continue;
    }
    out.start('person_name', attributes);
    if (present(contributor.given)) out.leaf('given_name', contributor.given!.trim());
    out.leaf('surname', contributor.family!.trim());
    if (present(contributor.suffix)) out.leaf('suffix', contributor.suffix!.trim());
    const affiliations = contributor.affiliations?.filter((a) => present(a.name) || present(a.ror)) ?? [];
    if (affiliations.length > 0) {
      out.start('affiliations');
      for (const aff of affiliations) {
        out.start('institution');
        if (present(aff.name)) out.leaf('institution_name', aff.name.trim());
        if (present(aff.ror)) out.leaf('institution_id', aff.ror!.trim(), attr('type', 'ror'));
        out.end();
      }
      out.end();
    }
    if (present(contributor.orcid)) out.leaf('ORCID', orcidUrl(contributor.orcid!.trim()));
    out.end();
  }
  out.end();
}

function abstract(out: XmlWriter, scope: MarkupScope, record: ArticleRecord, lang: string): void {
  const markup = present(record.markup?.abstract?.[lang]);
  const plain = present(record.abstract?.[lang]);
  if (!markup && !plain) return;
  out.start('jats:abstract', attr('xml:lang', lang));
  if (markup) {
    const nodes = parseRecordMarkup(markup, record.doi, `markup.abstract.${lang}`, 'crossref');
    if (isBlockFragment(nodes)) {
      writeFragment(out, nodes, ABSTRACT_MARKUP, scope, true);
    } else {
      if (fragmentWritesText(nodes, ABSTRACT_MARKUP, scope.defaultNamespace)) out.startInline('jats:p');
      else out.start('jats:p');
      writeFragment(out, nodes, ABSTRACT_MARKUP, scope);
      out.end();
    }
  } else {
    for (const paragraph of paragraphs(plain!)) out.leaf('jats:p', paragraph);
  }
  out.end();
}

function fundref(out: XmlWriter, record: ArticleRecord): void {
  out.start('fr:program', attr('name', 'fundref'));
  for (const funding of record.funding!) {
    // One fundgroup per funder keeps each award number with the funder that gave it.
    out.start('fr:assertion', attr('name', 'fundgroup'));
    const id = present(funding.funderId);
    const name = attr('name', 'funder_name');
    if (id) {
      out.startInline('fr:assertion', name).text(funding.funderName.trim());
      out.leaf('fr:assertion', /^10\.13039\//.test(id) ? doiUrl(id) : id, attr('name', 'funder_identifier'));
      out.end();
    } else {
      out.leaf('fr:assertion', funding.funderName.trim(), name);
    }
    for (const award of funding.awardIds ?? []) {
      if (present(award)) out.leaf('fr:assertion', award.trim(), attr('name', 'award_number'));
    }
    out.end();
  }
  out.end();
}

function doiData(out: XmlWriter, record: ArticleRecord): void {
  out.start('doi_data');
  out.leaf('doi', record.doi);
  out.leaf('resource', record.landingPage!.trim());
  const galleys = (record.galleys ?? []).filter((g) => /^(https?|ftp):\/\//i.test(g.url.trim()));
  const pdf = galleys.find((g) => isPdf(g.mimeType));
  if (pdf) {
    // Similarity Check crawls the full-text PDF (crawler "iParadigms").
    out.start('collection', attr('property', 'crawler-based'));
    out.start('item', attr('crawler', 'iParadigms')).leaf('resource', pdf.url.trim()).end();
    out.end();
    // Text and data mining links: every full-text galley whose MIME type Crossref knows.
    out.start('collection', attr('property', 'text-mining'));
    for (const galley of galleys) {
      const mime = galley.mimeType.trim().toLowerCase();
      if (!CROSSREF_MIME_TYPES.has(mime)) continue;
      out.start('item').leaf('resource', galley.url.trim(), attr('mime_type', mime)).end();
    }
    out.end();
  }
  out.end();
}

const ANY = (): boolean => true;
const AT_MOST_32 = (v: string): boolean => v.length <= 32;
const AT_MOST_15 = (v: string): boolean => v.length <= 15;
const IS_ISSN = (v: string): boolean => ISSN_PATTERN.test(v);
const IS_DOI = (v: string): boolean => DOI_PATTERN.test(v);
const IS_ISBN = (v: string): boolean => v.length >= 10 && v.length <= 17 && ISBN_PATTERN.test(v);

/** A citation_t child when the value is present and fits the schema. */
function citationField(out: XmlWriter, name: string, value: string | undefined, valid: (v: string) => boolean = ANY): void {
  const text = present(value);
  if (text && valid(text)) out.leaf(name, text);
}

function citationList(out: XmlWriter, references: Reference[]): void {
  out.start('citation_list');
  const usedKeys = new Set<string>();
  references.forEach((reference, index) => {
    const fields = reference.structured ?? {};
    const unstructured = present(reference.unstructured);
    const doi = present(reference.doi);
    if (!unstructured && !doi && !hasStructuredFields(fields)) return;

    // Keys identify references in Crossref's match results; they must be unique within the DOI.
    let key = present(reference.key)?.replace(/\s+/g, ' ').slice(0, 128);
    if (!key || usedKeys.has(key)) {
      let n = index + 1;
      do key = `ref${n++}`;
      while (usedKeys.has(key));
    }
    usedKeys.add(key);
    out.start('citation', attr('key', key));
    const book = reference.publicationType === 'book' || (present(fields.isbn) !== undefined && present(fields.issn) === undefined);
    // citation_t is an xsd:all group: any order, each element at most once.
    citationField(out, 'issn', fields.issn, IS_ISSN);
    if (!book) citationField(out, 'journal_title', fields.source);
    citationField(out, 'author', fields.author);
    citationField(out, 'volume', fields.volume, AT_MOST_32);
    citationField(out, 'issue', fields.issue, AT_MOST_32);
    citationField(out, 'first_page', fields.firstPage, AT_MOST_32);
    citationField(out, 'cYear', fields.year);
    citationField(out, 'doi', doi, IS_DOI);
    citationField(out, 'isbn', fields.isbn, IS_ISBN);
    if (book) citationField(out, 'volume_title', fields.source);
    citationField(out, 'edition_number', fields.edition, AT_MOST_15);
    citationField(out, 'article_title', fields.articleTitle);
    citationField(out, 'unstructured_citation', unstructured);
    out.end();
  });
  out.end();
}
