/**
 * Crossref deposit XML (schema 5.3.0 / 5.3.1, also readable: 4.x journal deposits) to article
 * records: every journal_article in the batch, each with its journal and issue context.
 */
import type {
  Affiliation,
  ArticleRecord,
  Contributor,
  ContributorRole,
  Funding,
  Galley,
  Issn,
  Journal,
  LangMap,
  OtherId,
  PersonNameVariant,
  Reference,
  ReferenceFields,
} from '../../model/types.js';
import { datePrecision, extractDoi, extractOrcid, extractRor, isoPartialDate, mimeTypeFor, normalizeFunderId, normalizeLanguage, partialDate, put } from '../readers/common.js';
import { readBlocks, readInline } from '../readers/text.js';
import {
  ReaderError,
  WarningSink,
  attr,
  child,
  childText,
  childrenNamed,
  collapse,
  descendants,
  elementPath,
  elements,
  parseXmlDocument,
  text,
  xmlLang,
  type ReaderResult,
  type XElement,
} from '../readers/xml.js';

export const CROSSREF_NS_PREFIX = 'http://www.crossref.org/schema/';
const FUNDREF_NS = 'http://www.crossref.org/fundref.xsd';
const ACCESS_INDICATORS_NS = 'http://www.crossref.org/AccessIndicators.xsd';

/** Deposit content types other than journals: recognised so the warning can name them. */
const NON_JOURNAL = ['book', 'conference', 'sa_component', 'dissertation', 'report-paper', 'standard', 'database', 'peer_review', 'posted_content', 'pending_publication'];

export function readCrossref(xml: string): ReaderResult {
  const { root, warnings } = parseXmlDocument(xml);
  if (root.local !== 'doi_batch') {
    throw new ReaderError(`not a Crossref deposit: the root element is <${root.name}>, not <doi_batch>`, { path: elementPath(root) });
  }
  const version = root.ns.startsWith(CROSSREF_NS_PREFIX) ? root.ns.slice(CROSSREF_NS_PREFIX.length) : (attr(root, 'version') ?? '');
  if (!/^5\.3\.[01]$/.test(version)) {
    warnings.add('/doi_batch', `Crossref schema version "${version || 'unknown'}": read as 5.3.x, fields that changed may be missed`);
  }
  const body = child(root, 'body');
  if (!body) throw new ReaderError('Crossref deposit without <body>', { path: '/doi_batch' });
  const records: ArticleRecord[] = [];
  for (const el of elements(body)) {
    if (el.local === 'journal') for (const record of readJournal(el, warnings)) records.push(record);
    else if (NON_JOURNAL.includes(el.local)) {
      warnings.add(elementPath(el), `<${el.local}> deposit not read: pubmeta reads journal articles only`, `non-journal:${el.local}`);
    } else warnings.dropped(el, 'not a Crossref content type pubmeta reads');
  }
  if (records.length === 0 && !body.children.some((c) => c.kind === 'element' && c.local === 'journal')) {
    warnings.add('/doi_batch/body', 'the deposit holds no journal articles: no records');
  }
  return { records, warnings: warnings.list() };
}

function readJournal(journalEl: XElement, warnings: WarningSink): ArticleRecord[] {
  const metadata = child(journalEl, 'journal_metadata');
  const journal = readJournalMetadata(metadata, warnings);
  const journalLanguage = normalizeLanguage(attr(metadata, 'language'));
  const issueEl = child(journalEl, 'journal_issue');
  const issue = readJournalIssue(issueEl, warnings);
  const articles = childrenNamed(journalEl, 'journal_article');
  if (articles.length === 0) {
    warnings.add(elementPath(journalEl), 'journal deposit without journal_article (journal or issue DOIs only): no records');
  }
  return articles.map((article) => readJournalArticle(article, journal, issue, journalLanguage, warnings));
}

function readJournalMetadata(metadata: XElement | undefined, warnings: WarningSink): Journal {
  const journal: Partial<Journal> = {};
  if (!metadata) return journal as Journal;
  put(journal, 'title', childText(metadata, 'full_title'));
  put(journal, 'abbrevTitle', childText(metadata, 'abbrev_title'));
  const issns: Issn[] = [];
  for (const issnEl of childrenNamed(metadata, 'issn')) {
    const raw = text(issnEl).toUpperCase();
    const value = /^\d{7}[\dX]$/.test(raw) ? `${raw.slice(0, 4)}-${raw.slice(4)}` : raw;
    // media_type defaults to print in the Crossref schema.
    const media: Issn['media'] = attr(issnEl, 'media_type') === 'electronic' ? 'electronic' : 'print';
    if (value && !issns.some((i) => i.value === value)) issns.push({ value, media });
  }
  put(journal, 'issns', issns);
  const doiData = child(metadata, 'doi_data');
  put(journal, 'doi', extractDoi(childText(doiData, 'doi')));
  put(journal, 'url', childText(doiData, 'resource'));
  for (const el of elements(metadata)) {
    if (!['full_title', 'abbrev_title', 'issn', 'doi_data', 'archive_locations'].includes(el.local)) warnings.dropped(el, 'not in the record model');
  }
  return journal as Journal;
}

interface IssueContext {
  issue: NonNullable<ArticleRecord['issue']>;
}

function readJournalIssue(issueEl: XElement | undefined, warnings: WarningSink): IssueContext {
  const issue: NonNullable<ArticleRecord['issue']> = {};
  if (!issueEl) return { issue };
  put(issue, 'volume', childText(child(issueEl, 'journal_volume'), 'volume'));
  put(issue, 'number', childText(issueEl, 'issue'));
  const titles = child(issueEl, 'titles');
  if (titles) put(issue, 'title', readInline(child(titles, 'title') ?? titles).plain);
  const date = bestDate(childrenNamed(issueEl, 'publication_date'), warnings);
  if (date) {
    issue.year = Number(date.slice(0, 4));
    if (datePrecision(date) > 1) issue.publicationDate = date;
  }
  if (child(issueEl, 'contributors')) warnings.add(elementPath(child(issueEl, 'contributors')!), 'issue contributors (e.g. guest editors) dropped: the record lists the article\'s contributors', 'issue-contributors');
  if (child(issueEl, 'doi_data')) warnings.add(elementPath(child(issueEl, 'doi_data')!), 'issue DOI dropped: the record model has no issue DOI', 'issue-doi');
  return { issue };
}

/** The most precise date among publication_date elements, online before print on ties. */
function bestDate(dates: XElement[], warnings: WarningSink): string | undefined {
  const read = dates
    .map((d, order) => ({ date: crossrefDate(d, warnings), online: attr(d, 'media_type') === 'online', order }))
    .filter((d): d is { date: string; online: boolean; order: number } => d.date !== undefined);
  read.sort((a, b) => datePrecision(b.date) - datePrecision(a.date) || Number(b.online) - Number(a.online) || a.order - b.order);
  return read[0]?.date;
}

/**
 * The article's publication dates by medium (media_type; the schema's default is print), the
 * most precise of each. "other" counts as online when no online date is given.
 */
function datesByMedium(dates: XElement[], warnings: WarningSink): { online?: string; print?: string } {
  const read = dates.map((el, order) => ({ el, date: crossrefDate(el, warnings), media: attr(el, 'media_type') ?? 'print', order }));
  const best = (media: string) =>
    read
      .filter((d): d is typeof d & { date: string } => d.date !== undefined && d.media === media)
      .sort((a, b) => datePrecision(b.date) - datePrecision(a.date) || a.order - b.order)[0]?.date;
  const out: { online?: string; print?: string } = {};
  put(out, 'online', best('online') ?? best('other'));
  put(out, 'print', best('print'));
  const other = read.find((d) => d.media === 'other');
  if (other && best('online') !== undefined) warnings.add(elementPath(other.el), 'publication_date with media_type "other" dropped: the record has online and print dates', 'media-other');
  return out;
}

function crossrefDate(el: XElement, warnings: WarningSink): string | undefined {
  const month = childText(el, 'month');
  if (month && Number(month) > 12) {
    warnings.add(elementPath(el), `month "${month}" is a Crossref season or quarter code; the year is kept`, 'season');
  }
  return partialDate(childText(el, 'year'), month, childText(el, 'day'));
}

function readJournalArticle(
  article: XElement,
  journal: Journal,
  context: IssueContext,
  journalLanguage: string | undefined,
  warnings: WarningSink,
): ArticleRecord {
  const declared = normalizeLanguage(attr(article, 'language'));
  if (!declared) {
    warnings.add(elementPath(article), `journal_article has no language attribute; ${journalLanguage ? `the journal's language "${journalLanguage}"` : '"en"'} is used`, 'article-language');
  }
  const language = declared ?? journalLanguage ?? 'en';
  const record: Partial<ArticleRecord> & { contributors: Contributor[] } = {
    language,
    contributors: [],
    journal: structuredClone(journal),
  };
  put(record, 'issue', Object.keys(context.issue).length > 0 ? structuredClone(context.issue) : undefined);

  const titleSets = childrenNamed(article, 'titles');
  readTitles(titleSets[0], record, language, warnings);
  // Crossref puts a title in another language in a further <titles>, which says no language.
  for (const extra of titleSets.slice(1)) {
    warnings.add(elementPath(extra), `title "${readInline(child(extra, 'title') ?? extra).plain}" dropped: a further <titles> does not say its language`, 'titles-extra');
  }
  record.contributors = readContributors(child(article, 'contributors'), warnings);
  readAbstracts(article, record, language, warnings);

  const published = datesByMedium(childrenNamed(article, 'publication_date'), warnings);
  if (published.online !== undefined || published.print !== undefined) record.dates = { published };
  const accepted = child(article, 'acceptance_date');
  if (accepted) record.dates = { ...(record.dates ?? {}), ...optional('accepted', crossrefDate(accepted, warnings)) };

  const pages = child(article, 'pages');
  if (pages) {
    const first = childText(pages, 'first_page');
    if (first) {
      record.pages = { first };
      put(record.pages, 'last', childText(pages, 'last_page'));
    }
    if (child(pages, 'other_pages')) warnings.add(elementPath(child(pages, 'other_pages')!), 'other_pages dropped', 'other-pages');
  }
  const publisherItem = child(article, 'publisher_item');
  if (publisherItem) {
    const otherIds: OtherId[] = [];
    for (const item of childrenNamed(publisherItem, 'item_number')) {
      const type = attr(item, 'item_number_type');
      if (!record.articleNumber && (!type || type === 'article_number' || type === 'article-number')) put(record, 'articleNumber', text(item));
      else otherIds.push({ type: type ?? 'other', value: text(item) });
    }
    for (const id of childrenNamed(publisherItem, 'identifier')) {
      const type = attr(id, 'id_type') ?? 'other';
      if (type !== 'doi') otherIds.push({ type, value: text(id) });
    }
    put(record, 'otherIds', otherIds.filter((i) => i.value));
  }

  // Crossmark's custom_metadata carries the same programs as the article itself, plus history.
  const crossmark = child(article, 'crossmark');
  const custom = child(crossmark, 'custom_metadata');
  for (const assertion of childrenNamed(custom, 'assertion')) {
    const name = attr(assertion, 'name');
    const date = isoPartialDate(text(assertion));
    if (date && (name === 'received' || name === 'accepted')) {
      const dates = record.dates ?? {};
      if (dates[name] === undefined) dates[name] = date;
      record.dates = dates;
    }
  }
  if (crossmark) warnings.add(elementPath(crossmark), 'Crossmark policy and update data dropped (history dates, funding and licences are kept)', 'crossmark');

  const programs = [...elements(article), ...elements(custom)].filter((el) => el.local === 'program');
  const funding: Funding[] = [];
  for (const program of programs) {
    if (program.ns === FUNDREF_NS || attr(program, 'name') === 'fundref') for (const entry of readFundref(program, warnings)) funding.push(entry);
    else if (program.ns === ACCESS_INDICATORS_NS || child(program, 'license_ref')) readAccessIndicators(program, record, warnings);
    else warnings.dropped(program, `${program.ns || 'unknown'} program not in the record model`);
  }
  put(record, 'funding', funding);

  const doiData = child(article, 'doi_data');
  if (doiData) {
    put(record, 'doi', extractDoi(childText(doiData, 'doi')));
    put(record, 'landingPage', childText(doiData, 'resource'));
    put(record, 'galleys', readCollections(doiData, warnings));
  } else {
    warnings.add(elementPath(article), 'journal_article without doi_data: the record has no DOI');
  }

  const citations = child(article, 'citation_list');
  put(record, 'references', citations ? childrenNamed(citations, 'citation').map((c) => readCitation(c)).filter((r): r is Reference => r !== undefined) : undefined);

  for (const el of elements(article)) {
    if (['titles', 'contributors', 'abstract', 'publication_date', 'acceptance_date', 'pages', 'publisher_item', 'crossmark', 'program', 'doi_data', 'citation_list', 'archive_locations'].includes(el.local)) continue;
    warnings.dropped(el, 'not in the record model');
  }
  return record as ArticleRecord;
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

function readTitles(titles: XElement | undefined, record: Partial<ArticleRecord>, language: string, warnings: WarningSink): void {
  const title: LangMap = {};
  const subtitle: LangMap = {};
  const markup: LangMap = {};
  if (!titles) {
    warnings.add('/doi_batch/body/journal/journal_article', 'journal_article without titles');
    record.title = title;
    return;
  }
  // titles: title, subtitle?, (original_language_title, subtitle?)? ; a subtitle belongs to the title before it.
  let currentLang: string | undefined;
  for (const el of elements(titles)) {
    if (el.local === 'title' || el.local === 'original_language_title') {
      const lang = el.local === 'title' ? language : normalizeLanguage(attr(el, 'language') ?? xmlLang(el));
      if (!lang) {
        warnings.add(elementPath(el), 'original_language_title without a language attribute dropped');
        currentLang = undefined;
        continue;
      }
      if (title[lang] !== undefined) {
        warnings.add(elementPath(el), `a second title in "${lang}" dropped`);
        currentLang = undefined;
        continue;
      }
      const read = readInline(el, { crossrefFace: true });
      put(title, lang, read.plain);
      put(markup, lang, read.markup);
      currentLang = lang;
    } else if (el.local === 'subtitle' && currentLang) {
      put(subtitle, currentLang, readInline(el, { crossrefFace: true }).plain);
    } else {
      warnings.dropped(el);
    }
  }
  record.title = title;
  put(record, 'subtitle', subtitle);
  if (Object.keys(markup).length > 0) record.markup = { ...(record.markup ?? {}), title: markup };
}

const CROSSREF_ROLES: Record<string, ContributorRole> = {
  author: 'author', editor: 'editor', chair: 'chair', translator: 'translator', reviewer: 'reviewer',
  'review-assistant': 'reviewer', 'stats-reviewer': 'reviewer', 'reviewer-external': 'reviewer', reader: 'reviewer',
};

function readContributors(contributors: XElement | undefined, warnings: WarningSink): Contributor[] {
  const out: Contributor[] = [];
  for (const el of elements(contributors)) {
    const roleValue = attr(el, 'contributor_role') ?? 'author';
    const role = CROSSREF_ROLES[roleValue] ?? 'author';
    if (!CROSSREF_ROLES[roleValue]) warnings.add(elementPath(el), `contributor_role "${roleValue}" read as author`, `role:${roleValue}`);
    if (el.local === 'organization') {
      const name = text(el);
      if (name) out.push({ type: 'organization', name, role });
      continue;
    }
    if (el.local === 'anonymous') {
      warnings.add(elementPath(el), 'anonymous contributor dropped: the record model lists named contributors', 'anonymous');
      continue;
    }
    if (el.local !== 'person_name') {
      warnings.dropped(el);
      continue;
    }
    const person: Contributor = { type: 'person' };
    put(person, 'given', childText(el, 'given_name'));
    put(person, 'family', childText(el, 'surname'));
    put(person, 'suffix', childText(el, 'suffix'));
    const variants: LangMap<PersonNameVariant> = {};
    for (const name of childrenNamed(child(el, 'alt-name'), 'name')) {
      const lang = normalizeLanguage(xmlLang(name) ?? attr(name, 'language'));
      const family = childText(name, 'surname');
      if (!lang || !family) {
        warnings.add(elementPath(name), 'alt-name without a language or surname dropped', 'alt-name');
        continue;
      }
      const given = childText(name, 'given_name');
      variants[lang] = given !== undefined ? { given, family } : { family };
    }
    put(person, 'nameVariants', variants);
    const affiliations: Affiliation[] = [];
    for (const institution of childrenNamed(child(el, 'affiliations'), 'institution')) {
      const read = readInstitution(institution, warnings);
      if (read) affiliations.push(read);
    }
    // Crossref 4.x: <affiliation> as plain text.
    for (const legacy of childrenNamed(el, 'affiliation')) {
      const name = text(legacy);
      if (name) affiliations.push({ name });
    }
    put(person, 'affiliations', affiliations);
    put(person, 'orcid', extractOrcid(childText(el, 'ORCID')));
    person.role = role;
    out.push(person);
  }
  return out;
}

function readInstitution(institution: XElement, warnings: WarningSink): Affiliation | undefined {
  let ror: string | undefined;
  for (const id of childrenNamed(institution, 'institution_id')) {
    const type = attr(id, 'type');
    if (type === 'ror') ror ??= extractRor(text(id));
    else warnings.add(elementPath(id), `institution_id of type "${type ?? '(none)'}" dropped: the record keeps ROR ids`, `institution_id:${type}`);
  }
  let name = childText(institution, 'institution_name');
  const department = childText(institution, 'institution_department');
  if (department && name) name = `${department}, ${name}`;
  for (const extra of ['institution_acronym', 'institution_place']) {
    if (child(institution, extra)) warnings.add(elementPath(child(institution, extra)!), `${extra} dropped`, extra);
  }
  if (!name && ror) {
    warnings.add(elementPath(institution), 'institution with only a ROR id: the id is used as the affiliation name', 'ror-only');
    name = ror;
  }
  if (!name) return undefined;
  const affiliation: Affiliation = { name };
  put(affiliation, 'ror', ror);
  return affiliation;
}

function readAbstracts(article: XElement, record: Partial<ArticleRecord>, language: string, warnings: WarningSink): void {
  const abstract: LangMap = {};
  const markup: LangMap = {};
  for (const el of childrenNamed(article, 'abstract')) {
    // Crossref's own examples put xml:lang on the first jats:p rather than on jats:abstract.
    const lang = normalizeLanguage(xmlLang(el) ?? xmlLang(child(el, 'p')) ?? xmlLang(descendants(el, ['p'], 3)[0])) ?? language;
    if (abstract[lang] !== undefined) {
      warnings.add(elementPath(el), `a second abstract in "${lang}" dropped`, `abstract:${lang}`);
      continue;
    }
    const read = readBlocks(el, warnings);
    if (!read.plain) continue;
    abstract[lang] = read.plain;
    put(markup, lang, read.markup);
  }
  put(record, 'abstract', abstract);
  if (Object.keys(markup).length > 0) record.markup = { ...(record.markup ?? {}), abstract: markup };
}

function readFundref(program: XElement, warnings: WarningSink): Funding[] {
  const funding: Funding[] = [];
  for (const group of childrenNamed(program, 'assertion')) {
    const name = attr(group, 'name');
    if (name === 'fundgroup') {
      const awards = childrenNamed(group, 'assertion').filter((a) => attr(a, 'name') === 'award_number').map((a) => text(a)).filter(Boolean);
      const funders = childrenNamed(group, 'assertion').filter((a) => attr(a, 'name') === 'funder_name');
      const looseIds = childrenNamed(group, 'assertion').filter((a) => attr(a, 'name') === 'funder_identifier');
      for (const [index, funder] of funders.entries()) {
        const entry = fundingFromAssertion(funder, looseIds[index]);
        if (!entry) continue;
        put(entry, 'awardIds', awards.length > 0 ? [...awards] : undefined);
        funding.push(entry);
      }
      if (funders.length === 0 && looseIds.length > 0) warnings.add(elementPath(group), 'fundgroup with a funder_identifier but no funder_name dropped');
    } else if (name === 'funder_name') {
      const entry = fundingFromAssertion(group, undefined);
      if (entry) funding.push(entry);
    } else if (name === 'award_number' && funding.length > 0) {
      const last = funding[funding.length - 1]!;
      last.awardIds = [...(last.awardIds ?? []), text(group)];
    } else {
      warnings.dropped(group, `fundref assertion "${name}" not read`);
    }
  }
  return funding;
}

function fundingFromAssertion(funder: XElement, sibling: XElement | undefined): Funding | undefined {
  // The funder_name assertion's own text, without its nested funder_identifier.
  const funderName = collapse(funder.children.filter((c) => c.kind === 'text').map((c) => (c.kind === 'text' ? c.text : '')).join(' '));
  if (!funderName) return undefined;
  const nested = childrenNamed(funder, 'assertion').find((a) => attr(a, 'name') === 'funder_identifier');
  const entry: Funding = { funderName };
  put(entry, 'funderId', normalizeFunderId(text(nested ?? sibling)));
  return entry;
}

function readAccessIndicators(program: XElement, record: Partial<ArticleRecord>, warnings: WarningSink): void {
  const refs = childrenNamed(program, 'license_ref');
  const preferred = refs.find((r) => attr(r, 'applies_to') === 'vor') ?? refs.find((r) => !attr(r, 'applies_to')) ?? refs[0];
  if (!preferred || record.license) return;
  const url = text(preferred);
  if (!url) return;
  record.license = { url };
  put(record.license, 'startDate', isoPartialDate(attr(preferred, 'start_date')));
  const others = refs.filter((r) => r !== preferred && text(r) !== url);
  if (others.length > 0) warnings.add(elementPath(program), `further licences dropped (${others.map((r) => `${attr(r, 'applies_to') ?? ''} ${text(r)}`.trim()).join(', ')})`);
}

/** Full-text links from doi_data collections: text-mining items carry the MIME type. */
function readCollections(doiData: XElement, warnings: WarningSink): Galley[] {
  const galleys: Galley[] = [];
  const seen = new Set<string>();
  const crawlerUrls: string[] = [];
  for (const collection of childrenNamed(doiData, 'collection')) {
    const property = attr(collection, 'property');
    for (const item of childrenNamed(collection, 'item')) {
      const resource = child(item, 'resource');
      const url = text(resource);
      if (!url) continue;
      if (property === 'text-mining' || property === 'syndication' || property === 'unspecified') {
        const mimeType = mimeTypeFor(attr(resource, 'mime_type'), url);
        if (!mimeType) {
          warnings.add(elementPath(item), `full-text link ${url} without a MIME type dropped`);
          continue;
        }
        if (!seen.has(url)) galleys.push({ url, mimeType });
        seen.add(url);
      } else if (property === 'crawler-based') {
        crawlerUrls.push(url);
      } else {
        warnings.dropped(collection, `collection "${property}" not read`);
      }
    }
  }
  // A crawler-based (Similarity Check) link alone still names a full text.
  for (const url of crawlerUrls) {
    if (seen.has(url)) continue;
    const mimeType = mimeTypeFor(undefined, url) ?? 'application/pdf';
    galleys.push({ url, mimeType });
    seen.add(url);
  }
  return galleys;
}

function readCitation(citation: XElement): Reference | undefined {
  const reference: Reference = {};
  put(reference, 'key', attr(citation, 'key'));
  put(reference, 'doi', extractDoi(childText(citation, 'doi')));
  const unstructured = child(citation, 'unstructured_citation');
  if (unstructured) put(reference, 'unstructured', readInline(unstructured, { crossrefFace: true }).plain);
  const fields: ReferenceFields = {};
  put(fields, 'author', childText(citation, 'author'));
  put(fields, 'articleTitle', childText(citation, 'article_title'));
  put(fields, 'source', childText(citation, 'journal_title') ?? childText(citation, 'volume_title') ?? childText(citation, 'series_title'));
  put(fields, 'volume', childText(citation, 'volume'));
  put(fields, 'issue', childText(citation, 'issue'));
  put(fields, 'firstPage', childText(citation, 'first_page') ?? childText(citation, 'elocation_id'));
  put(fields, 'year', childText(citation, 'cYear'));
  put(fields, 'isbn', childText(citation, 'isbn'));
  put(fields, 'issn', childText(citation, 'issn'));
  put(fields, 'edition', childText(citation, 'edition_number'));
  put(reference, 'structured', fields);
  if (!reference.doi && !reference.unstructured && !reference.structured) return undefined;
  return reference;
}
