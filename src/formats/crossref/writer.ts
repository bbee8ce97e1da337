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
  publicationDate,
  publishedOnline,
  type DateParts,
  doiUrl,
} from '../common.js';
import { ExportError } from '../errors.js';
import {
  appendBlockFragment,
  appendFragment,
  element,
  finishXml,
  fragmentUsesMathMl,
  indentXml,
  isBlockFragment,
  lineBreak,
  newDocument,
  parseRecordMarkup,
  serialize,
  setAttributes,
  textElement,
  xmlSafe,
  type Builder,
  type MarkupTarget,
} from '../xml.js';

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

export function toCrossref(records: ArticleRecord[], options: CrossrefHeadOptions): string {
  if (records.length === 0) {
    throw new ExportError('(batch)', 'records', 'crossref', 'a Crossref deposit needs at least one record');
  }
  checkHead(options);
  for (const record of records) assertCrossrefExportable(record);

  const given = options.timestamp === undefined ? undefined : BigInt(options.timestamp);
  const timestamp = given ?? nextCrossrefTimestamp(options.clock);
  if (given !== undefined && given > lastTimestamp) lastTimestamp = given;
  const batchId = options.batchId ?? defaultBatchId(records, timestamp);

  const usesMath = records.some(
    (r) => Object.values(r.markup?.title ?? {}).some(fragmentUsesMathMl) || Object.values(r.markup?.abstract ?? {}).some(fragmentUsesMathMl),
  );
  const rootAttributes = {
    version: '5.3.1',
    'xmlns:xsi': NS.xsi,
    'xsi:schemaLocation': CROSSREF_SCHEMA_LOCATION,
    'xmlns:jats': NS.crossrefJats,
    'xmlns:fr': NS.fundref,
    'xmlns:ai': NS.accessIndicators,
    'xmlns:mml': usesMath ? NS.mml : undefined,
  };
  const groups = groupByJournalIssue(records);
  const batch = (withArticles: boolean) => {
    const doc = newDocument();
    const root = doc.root.eleNS(NS.crossref, 'doi_batch');
    setAttributes(root, rootAttributes);
    const head = root.ele('head');
    textElement(head, 'doi_batch_id', batchId);
    textElement(head, 'timestamp', String(timestamp));
    const depositor = head.ele('depositor');
    textElement(depositor, 'depositor_name', options.depositor.name.trim());
    textElement(depositor, 'email_address', options.depositor.email.trim());
    textElement(head, 'registrant', options.registrant.trim());
    const body = root.ele('body');
    for (const group of groups) {
      const journal = body.ele('journal');
      journalMetadata(journal, group[0]!);
      journalIssue(journal, group);
      if (withArticles) for (const record of group) journalArticle(journal, record);
    }
    return doc;
  };

  // A 50-record batch as one DOM lives long enough for the garbage collector to copy and
  // promote all of it, which made Crossref export twice as slow per record as single records.
  // So each journal_article is built and serialised on its own, under a doi_batch/body/journal
  // with the same namespace declarations, which gives it exactly the bytes (and indentation)
  // it has inside the whole batch, and spliced into the batch written without articles.
  const skeleton = indentXml(batch(false).end());
  const parts: string[] = [];
  let copied = 0;
  for (const group of groups) {
    // The batch's <journal> always has journal_metadata, so its end tag is on a line of its own.
    const journalEnd = skeleton.indexOf(`${lineBreak(2)}</journal>`, copied + 1);
    parts.push(skeleton.slice(copied, journalEnd));
    copied = journalEnd;
    for (const record of group) {
      const article = standaloneArticle(record, rootAttributes);
      // xmlbuilder2 numbers prefixes it has to invent (ns1, ns2...) across the whole document,
      // which articles serialised apart cannot reproduce: such batches are built in one piece.
      if (INVENTED_PREFIX.test(article)) return serialize(batch(true), true);
      parts.push(lineBreak(3), article);
    }
  }
  parts.push(skeleton.slice(copied));
  return finishXml(parts.join(''), true);
}

const INVENTED_PREFIX = / xmlns:ns\d/;
const ARTICLE_END = '</journal_article>';

/** A journal_article serialised and indented exactly as it is inside doi_batch/body/journal. */
function standaloneArticle(record: ArticleRecord, rootAttributes: Record<string, string | undefined>): string {
  const doc = newDocument();
  const root = doc.root.eleNS(NS.crossref, 'doi_batch');
  setAttributes(root, rootAttributes);
  journalArticle(root.ele('body').ele('journal'), record);
  const xml = indentXml(doc.end());
  return xml.slice(xml.indexOf('<journal_article'), xml.lastIndexOf(ARTICLE_END) + ARTICLE_END.length);
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

function defaultBatchId(records: ArticleRecord[], timestamp: bigint): string {
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
export function groupByJournalIssue(records: ArticleRecord[]): ArticleRecord[][] {
  const groups = new Map<string, ArticleRecord[]>();
  for (const record of records) {
    const key = `${journalKey(record)}\u0001${issueKey(record)}`;
    const group = groups.get(key);
    if (group) group.push(record);
    else groups.set(key, [record]);
  }
  return [...groups.values()];
}

function mediaType(record: ArticleRecord): 'online' | 'print' {
  return publishedOnline(record) ? 'online' : 'print';
}

function dateElement(parent: Builder, name: string, date: DateParts, media: string): void {
  const node = parent.ele(name, { media_type: media });
  // date_t sequence: month, day, year (month and day only when known).
  if (date.month) textElement(node, 'month', date.month);
  if (date.day) textElement(node, 'day', date.day);
  textElement(node, 'year', String(date.year));
}

function crossrefLanguage(tag: string | undefined): string | undefined {
  if (!tag) return undefined;
  const primary = tag.trim().toLowerCase().split('-')[0]!;
  return CROSSREF_LANGUAGES.has(primary) ? primary : undefined;
}

function journalMetadata(journal: Builder, record: ArticleRecord): void {
  const meta = journal.ele('journal_metadata');
  textElement(meta, 'full_title', record.journal.title.trim());
  if (present(record.journal.abbrevTitle)) textElement(meta, 'abbrev_title', record.journal.abbrevTitle!.trim());
  for (const issn of issnsElectronicFirst(record.journal.issns)) {
    textElement(meta, 'issn', issn.value, { media_type: issn.media });
  }
  // doi_data needs a resource URL; without the journal's home page the journal DOI is left as registered.
  if (present(record.journal.doi) && present(record.journal.url)) {
    const doiData = meta.ele('doi_data');
    textElement(doiData, 'doi', record.journal.doi!.trim());
    textElement(doiData, 'resource', record.journal.url!.trim());
  }
}

function journalIssue(journal: Builder, group: ArticleRecord[]): void {
  const first = group[0]!;
  const volume = present(first.issue?.volume);
  const number = present(first.issue?.number);
  if (!volume && !number) return; // continuous publication: articles sit directly in the journal
  // journal_issue requires a date: the issue's own when any record states it, else the year of
  // its earliest article (the only date known for it).
  const stated = group.map(issueDate).find((d) => d !== undefined);
  const earliestYear = Math.min(...group.map((r) => publicationDate(r)!.year));
  const date: DateParts = stated ?? { year: earliestYear, iso: String(earliestYear) };
  const issue = journal.ele('journal_issue');
  const title = group.map((r) => present(r.issue?.title)).find((t) => t !== undefined);
  if (title) textElement(issue.ele('titles'), 'title', title);
  dateElement(issue, 'publication_date', date, mediaType(first));
  if (volume) textElement(issue.ele('journal_volume'), 'volume', volume);
  if (number) textElement(issue, 'issue', number);
}

function journalArticle(journal: Builder, record: ArticleRecord): void {
  const article = journal.ele('journal_article', {
    publication_type: 'full_text',
    language: crossrefLanguage(record.language),
  });

  // Crossref: original_language_title is for translations only; a title in another language
  // goes in its own <titles> (community.crossref.org/t/multi-language-support/3054).
  const main = mainTitleLanguage(record);
  for (const lang of languagesPrimaryFirst(record.title, main)) {
    const titles = article.ele('titles');
    const title = titles.ele('title');
    const markup = present(record.markup?.title?.[lang]);
    if (markup) appendFragment(title, parseRecordMarkup(markup, record.doi, `markup.title.${lang}`, 'crossref'), TITLE_MARKUP);
    else title.txt(xmlSafe(record.title[lang]!.trim()));
    if (present(record.subtitle?.[lang])) textElement(titles, 'subtitle', record.subtitle![lang]!.trim());
  }

  if (record.contributors.length > 0) contributors(article.ele('contributors'), record.contributors);

  for (const lang of languagesPrimaryFirst(record.abstract, record.language)) abstract(article, record, lang);

  const media = mediaType(record);
  dateElement(article, 'publication_date', publicationDate(record)!, media);
  const accepted = dateParts(record.dates?.accepted);
  if (accepted) dateElement(article, 'acceptance_date', accepted, media);

  if (present(record.pages?.first)) {
    const pages = article.ele('pages');
    textElement(pages, 'first_page', record.pages!.first.trim());
    if (present(record.pages!.last)) textElement(pages, 'last_page', record.pages!.last!.trim());
  }
  if (present(record.articleNumber)) {
    textElement(article.ele('publisher_item'), 'item_number', record.articleNumber!.trim(), { item_number_type: 'article_number' });
  }

  if (record.funding?.length) fundref(article, record);
  if (record.license) {
    const program = element(article, 'ai:program', { name: 'AccessIndicators' }, NS.accessIndicators);
    const start = dateParts(record.license.startDate);
    textElement(
      program,
      'ai:license_ref',
      record.license.url.trim(),
      { applies_to: 'vor', start_date: start?.day ? start.iso : undefined },
      NS.accessIndicators,
    );
  }

  doiData(article, record);
  if (record.references?.length) citationList(article, record.references);
}

function contributors(parent: Builder, list: Contributor[]): void {
  const seenRoles = new Set<string>();
  for (const contributor of list) {
    const role = contributorRole(contributor);
    // "first" marks the first contributor of each role (the first author), the rest are "additional".
    const sequence = seenRoles.has(role) ? 'additional' : 'first';
    seenRoles.add(role);
    if (isOrganization(contributor)) {
      textElement(parent, 'organization', contributor.name!.trim(), { sequence, contributor_role: role });
      continue;
    }
    const person = parent.ele('person_name', { sequence, contributor_role: role });
    if (present(contributor.given)) textElement(person, 'given_name', contributor.given!.trim());
    textElement(person, 'surname', contributor.family!.trim());
    if (present(contributor.suffix)) textElement(person, 'suffix', contributor.suffix!.trim());
    const affiliations = contributor.affiliations?.filter((a) => present(a.name) || present(a.ror)) ?? [];
    if (affiliations.length > 0) {
      const container = person.ele('affiliations');
      for (const aff of affiliations) {
        const institution = container.ele('institution');
        if (present(aff.name)) textElement(institution, 'institution_name', aff.name.trim());
        if (present(aff.ror)) textElement(institution, 'institution_id', aff.ror!.trim(), { type: 'ror' });
      }
    }
    if (present(contributor.orcid)) textElement(person, 'ORCID', orcidUrl(contributor.orcid!.trim()));
  }
}

function abstract(article: Builder, record: ArticleRecord, lang: string): void {
  const markup = present(record.markup?.abstract?.[lang]);
  const plain = present(record.abstract?.[lang]);
  if (!markup && !plain) return;
  const node = element(article, 'jats:abstract', { 'xml:lang': lang }, NS.crossrefJats);
  if (markup) {
    const nodes = parseRecordMarkup(markup, record.doi, `markup.abstract.${lang}`, 'crossref');
    if (isBlockFragment(nodes)) appendBlockFragment(node, nodes, ABSTRACT_MARKUP);
    else appendFragment(element(node, 'jats:p', undefined, NS.crossrefJats), nodes, ABSTRACT_MARKUP);
    return;
  }
  for (const paragraph of paragraphs(plain!)) textElement(node, 'jats:p', paragraph, undefined, NS.crossrefJats);
}

function fundref(article: Builder, record: ArticleRecord): void {
  const program = element(article, 'fr:program', { name: 'fundref' }, NS.fundref);
  for (const funding of record.funding!) {
    // One fundgroup per funder keeps each award number with the funder that gave it.
    const group = element(program, 'fr:assertion', { name: 'fundgroup' }, NS.fundref);
    const funder = element(group, 'fr:assertion', { name: 'funder_name' }, NS.fundref);
    funder.txt(xmlSafe(funding.funderName.trim()));
    const id = present(funding.funderId);
    if (id) {
      const value = /^10\.13039\//.test(id) ? doiUrl(id) : id;
      textElement(funder, 'fr:assertion', value, { name: 'funder_identifier' }, NS.fundref);
    }
    for (const award of funding.awardIds ?? []) {
      if (present(award)) textElement(group, 'fr:assertion', award.trim(), { name: 'award_number' }, NS.fundref);
    }
  }
}

function doiData(article: Builder, record: ArticleRecord): void {
  const doiData = article.ele('doi_data');
  textElement(doiData, 'doi', record.doi);
  textElement(doiData, 'resource', record.landingPage!.trim());
  const galleys = (record.galleys ?? []).filter((g) => /^(https?|ftp):\/\//i.test(g.url.trim()));
  const pdf = galleys.find((g) => isPdf(g.mimeType));
  if (!pdf) return;
  // Similarity Check crawls the full-text PDF (crawler "iParadigms").
  const crawler = doiData.ele('collection', { property: 'crawler-based' });
  textElement(crawler.ele('item', { crawler: 'iParadigms' }), 'resource', pdf.url.trim());
  // Text and data mining links: every full-text galley whose MIME type Crossref knows.
  const mining = doiData.ele('collection', { property: 'text-mining' });
  for (const galley of galleys) {
    const mime = galley.mimeType.trim().toLowerCase();
    if (!CROSSREF_MIME_TYPES.has(mime)) continue;
    textElement(mining.ele('item'), 'resource', galley.url.trim(), { mime_type: mime });
  }
}

function citationList(article: Builder, references: Reference[]): void {
  const list = article.ele('citation_list');
  const usedKeys = new Set<string>();
  references.forEach((reference, index) => {
    const fields = reference.structured ?? {};
    const unstructured = present(reference.unstructured);
    const doi = present(reference.doi);
    const hasFields = Object.values(fields).some((v) => present(v) !== undefined);
    if (!unstructured && !doi && !hasFields) return;

    // Keys identify references in Crossref's match results; they must be unique within the DOI.
    let key = present(reference.key)?.replace(/\s+/g, ' ').slice(0, 128);
    if (!key || usedKeys.has(key)) {
      let n = index + 1;
      do key = `ref${n++}`;
      while (usedKeys.has(key));
    }
    usedKeys.add(key);
    const citation = list.ele('citation', { key });
    const add = (name: string, value: string | undefined, valid: (v: string) => boolean = () => true) => {
      const text = present(value);
      if (text && valid(text)) textElement(citation, name, text);
    };
    const book = reference.publicationType === 'book' || (present(fields.isbn) !== undefined && present(fields.issn) === undefined);
    // citation_t is an xsd:all group: any order, each element at most once.
    add('issn', fields.issn, (v) => ISSN_PATTERN.test(v));
    if (!book) add('journal_title', fields.source);
    add('author', fields.author);
    add('volume', fields.volume, (v) => v.length <= 32);
    add('issue', fields.issue, (v) => v.length <= 32);
    add('first_page', fields.firstPage, (v) => v.length <= 32);
    add('cYear', fields.year);
    add('doi', doi, (v) => DOI_PATTERN.test(v));
    add('isbn', fields.isbn, (v) => v.length >= 10 && v.length <= 17 && ISBN_PATTERN.test(v));
    if (book) add('volume_title', fields.source);
    add('edition_number', fields.edition, (v) => v.length <= 15);
    add('article_title', fields.articleTitle);
    add('unstructured_citation', unstructured);
  });
}
