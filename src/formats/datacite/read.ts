/**
 * DataCite Metadata Schema 4.x XML (kernel-4) to article records. DataCite describes any
 * research output; an article record needs a DOI, a title, a text-like resource type and the
 * journal it was published in (relatedItem IsPublishedIn Journal). What maps is read, what the
 * record has no place for is named in a warning, and a resource that cannot be an article
 * (a dataset, software, a report with no journal) is refused with the reason.
 */
import type { Affiliation, ArticleRecord, Contributor, Funding, Issn, Journal, LangMap, OtherId } from '../../model/types.js';
import { isValidIssn } from '../../model/identifiers.js';
import { extractDoi, extractOrcid, extractRor, isoPartialDate, normalizeFunderId, normalizeLanguage, put } from '../readers/common.js';
import {
  ReaderError,
  WarningSink,
  attr,
  child,
  childrenNamed,
  collapse,
  descendants,
  elementPath,
  elements,
  parseXmlDocument,
  rawText,
  xmlLang,
  type ReaderResult,
  type XElement,
} from '../readers/xml.js';
import { DATACITE_NAMESPACE, DATE_INFORMATION } from './write.js';

/** resourceTypeGeneral values (4.7) that are never a piece of writing, so never an article. */
const NOT_ARTICLES = new Set([
  'Audiovisual', 'Award', 'Collection', 'ComputationalNotebook', 'Dataset', 'Event', 'Image', 'Instrument',
  'InteractiveResource', 'Journal', 'Model', 'OutputManagementPlan', 'PhysicalObject', 'Project', 'Service',
  'Software', 'Sound', 'StudyRegistration', 'Workflow',
]);

/** Reads a DataCite <resource>, or every <resource> inside a wrapper such as an OAI-PMH response. */
export function readDataCite(xml: string): ReaderResult {
  const { root, warnings } = parseXmlDocument(xml);
  const resources = isResource(root) ? [root] : descendants(root, ['resource'], 8).filter(isResource);
  if (resources.length === 0) {
    const ns = root.ns ? ` in namespace ${root.ns}` : ' in no namespace';
    throw new ReaderError(`no DataCite <resource> in ${DATACITE_NAMESPACE}: the document's root is <${root.name}>${ns}`, { path: elementPath(root) });
  }
  const records: ArticleRecord[] = [];
  const refusals: string[] = [];
  for (const resource of resources) {
    try {
      records.push(readResource(resource, warnings));
    } catch (error) {
      if (!(error instanceof ReaderError) || resources.length === 1) throw error;
      refusals.push(error.message);
      warnings.add(elementPath(resource), `record not read: ${error.message}`, `refused:${refusals.length}`);
    }
  }
  if (records.length === 0) throw new ReaderError(`none of the ${resources.length} DataCite records can be an article record; first: ${refusals[0]}`);
  return { records, warnings: warnings.list() };
}

function isResource(el: XElement): boolean {
  return el.local === 'resource' && el.ns === DATACITE_NAMESPACE;
}

/** Cannot be an article record: the reason, with the resource's location. */
function refuse(resource: XElement, reason: string): never {
  const doi = text(child(resource, 'identifier'));
  throw new ReaderError(`${doi ? `${doi}: ` : ''}${reason}`, { path: elementPath(resource) });
}

function text(el: XElement | undefined): string {
  return el ? collapse(rawText(el)) : '';
}

const HANDLED = new Set([
  'identifier', 'creators', 'titles', 'publisher', 'publicationYear', 'resourceType', 'subjects', 'contributors', 'dates',
  'language', 'alternateIdentifiers', 'relatedIdentifiers', 'formats', 'rightsList', 'descriptions', 'fundingReferences', 'relatedItems',
]);

function readResource(resource: XElement, warnings: WarningSink): ArticleRecord {
  checkResourceType(resource, warnings);
  const doi = readDoi(resource);
  const journal = readJournal(resource, warnings) ?? refuse(resource, 'no journal: an article record needs the journal it was published in (a relatedItem of type Journal with relationType IsPublishedIn and a title)');
  const { title, subtitle, language } = readTitles(resource, warnings);
  for (const el of elements(resource)) {
    if (!HANDLED.has(el.local)) warnings.dropped(el, 'the article record has no place for it');
  }
  const record: ArticleRecord = { language, title, contributors: readCreators(resource, warnings), journal: journal.journal, doi };
  put(record, 'subtitle', subtitle);
  record.contributors.push(...readContributors(resource, warnings));
  readPublisher(resource, record);
  put(record, 'issue', journal.issue);
  put(record, 'pages', journal.pages);
  put(record, 'articleNumber', journal.articleNumber);
  put(record, 'keywords', readSubjects(resource, language, warnings));
  readDates(resource, record, warnings);
  readAlternateIdentifiers(resource, record);
  readRelatedIdentifiers(resource, record, warnings);
  readRights(resource, record, warnings);
  put(record, 'abstract', readAbstracts(resource, language, warnings));
  put(record, 'funding', readFunding(resource, warnings));
  for (const format of descendants(child(resource, 'formats'), ['format'], 1)) {
    warnings.add(elementPath(format), `<format> "${text(format)}" dropped: formats belong to galleys, whose URLs DataCite does not give`, 'format');
  }
  return record;
}

function checkResourceType(resource: XElement, warnings: WarningSink): void {
  const type = child(resource, 'resourceType');
  const general = attr(type, 'resourceTypeGeneral')?.trim() ?? '';
  if (NOT_ARTICLES.has(general)) refuse(resource, `resourceTypeGeneral "${general}" is not a journal article, and the article record cannot hold it`);
  if (general !== 'JournalArticle') {
    warnings.add(type ? elementPath(type) : elementPath(resource), `resourceTypeGeneral "${general || '(none)'}" read as a journal article`, `type:${general}`);
  }
}

function readDoi(resource: XElement): string {
  const identifier = child(resource, 'identifier');
  const type = attr(identifier, 'identifierType')?.trim();
  if (!identifier || type?.toUpperCase() !== 'DOI') {
    refuse(resource, `the identifier is ${identifier ? `of type "${type ?? ''}"` : 'missing'}, not a DOI: an article record needs a DOI`);
  }
  return extractDoi(text(identifier)) ?? refuse(resource, `identifier "${text(identifier)}" is not a DOI`);
}

// 3 Title: untyped is the main title, Subtitle its subtitle, TranslatedTitle the title in another language.
function readTitles(resource: XElement, warnings: WarningSink): { title: LangMap; subtitle: LangMap; language: string } {
  const declared = normalizeLanguage(text(child(resource, 'language')) || undefined);
  const titles = childrenNamed(child(resource, 'titles'), 'title').filter((t) => text(t) !== '');
  const main = titles.find((t) => attr(t, 'titleType') === undefined) ?? refuse(resource, 'no title without titleType: an article record needs a main title');
  const language = normalizeLanguage(xmlLang(main)) ?? declared ?? 'und';
  if (!declared) warnings.add(elementPath(resource), `no <language>: the article's language is taken from its main title ("${language}")`, 'language');
  else if (declared !== language) warnings.add(elementPath(main), `<language> "${declared}" differs from the main title's xml:lang "${language}": the record's language is the main title's`, 'language');
  const title: LangMap = { [language]: text(main) };
  const subtitle: LangMap = {};
  for (const t of titles) {
    if (t === main) continue;
    const lang = normalizeLanguage(xmlLang(t)) ?? language;
    const type = attr(t, 'titleType');
    const target = type === 'Subtitle' ? subtitle : type === 'TranslatedTitle' ? title : undefined;
    if (target && target[lang] === undefined) target[lang] = text(t);
    else warnings.add(elementPath(t), `title "${text(t)}" (${type ?? 'untyped'}, ${lang}) dropped: the record holds one title and subtitle per language`, `title:${type}`);
  }
  return { title, subtitle, language };
}

// 2 Creator: authors. nameType tells persons from organisations; "Family, Given" when not split.
function readCreators(resource: XElement, warnings: WarningSink): Contributor[] {
  const out: Contributor[] = [];
  for (const creator of childrenNamed(child(resource, 'creators'), 'creator')) {
    const contributor = readName(creator, 'creatorName', warnings);
    if (contributor) out.push(contributor);
  }
  return out;
}

const ROLES: Record<string, Contributor['role']> = { Editor: 'editor', Translator: 'translator' };

// 7 Contributor: editors and translators; DataCite's other roles have no place in the record.
function readContributors(resource: XElement, warnings: WarningSink): Contributor[] {
  const out: Contributor[] = [];
  for (const el of childrenNamed(child(resource, 'contributors'), 'contributor')) {
    const type = attr(el, 'contributorType') ?? '';
    const role = ROLES[type];
    if (!role) {
      warnings.add(elementPath(el), `contributor "${text(child(el, 'contributorName'))}" (${type}) dropped: the record knows authors, editors and translators`, `contributor:${type}`);
      continue;
    }
    const contributor = readName(el, 'contributorName', warnings);
    if (contributor) out.push({ ...contributor, role });
  }
  return out;
}

function readName(el: XElement, nameElement: string, warnings: WarningSink): Contributor | undefined {
  const nameEl = child(el, nameElement);
  const name = text(nameEl);
  const given = text(child(el, 'givenName')) || undefined;
  const family = text(child(el, 'familyName')) || undefined;
  if (!name && !family) {
    warnings.add(elementPath(el), `<${el.local}> without a name dropped`, `noname:${el.local}`);
    return undefined;
  }
  const nameType = attr(nameEl, 'nameType');
  let contributor: Contributor;
  if (nameType === 'Organizational') {
    contributor = { type: 'organization', name, role: 'author' };
  } else if (family) {
    contributor = { type: 'person', family, role: 'author' };
    put(contributor, 'given', given);
  } else {
    contributor = { type: 'person', ...splitInvertedName(name), role: 'author' };
    if (!nameType && !name.includes(',')) {
      warnings.add(elementPath(nameEl!), `"${name}" has no nameType and no "Family, Given" form: read as a person's family name`, `unsplit:${el.local}`);
    }
  }
  readNameIdentifiers(el, contributor, warnings);
  put(contributor, 'affiliations', readAffiliations(el, warnings));
  return contributor;
}

function splitInvertedName(name: string): { family: string; given?: string } {
  const comma = name.indexOf(',');
  if (comma < 0) return { family: name };
  const family = name.slice(0, comma).trim();
  const given = name.slice(comma + 1).trim();
  return given ? { family, given } : { family };
}

function readNameIdentifiers(el: XElement, contributor: Contributor, warnings: WarningSink): void {
  for (const id of childrenNamed(el, 'nameIdentifier')) {
    const scheme = attr(id, 'nameIdentifierScheme')?.trim() ?? '';
    const orcid = scheme.toUpperCase() === 'ORCID' ? extractOrcid(text(id)) : undefined;
    if (orcid && contributor.type !== 'organization' && !contributor.orcid) contributor.orcid = orcid;
    else warnings.add(elementPath(id), `name identifier "${text(id)}" (${scheme}) dropped: the record keeps a person's ORCID iD only`, `nameid:${scheme}`);
  }
}

function readAffiliations(el: XElement, warnings: WarningSink): Affiliation[] {
  const out: Affiliation[] = [];
  for (const a of childrenNamed(el, 'affiliation')) {
    const name = text(a);
    const scheme = attr(a, 'affiliationIdentifierScheme')?.trim();
    const id = attr(a, 'affiliationIdentifier')?.trim();
    const ror = scheme === 'ROR' || id?.includes('ror.org') ? extractRor(id) : undefined;
    if (id && !ror) warnings.add(elementPath(a), `affiliation identifier "${id}" (${scheme ?? 'no scheme'}) dropped: the record keeps ROR ids only`, `affid:${scheme}`);
    if (!name) continue;
    out.push(ror ? { name, ror } : { name });
  }
  return out;
}

// 4 Publisher: the journal's publisher (a relatedItem's publisher is used when 4 is absent).
function readPublisher(resource: XElement, record: ArticleRecord): void {
  const name = text(child(resource, 'publisher'));
  if (name) record.journal.publisher = { name };
}

interface JournalParts {
  journal: Journal;
  issue?: ArticleRecord['issue'];
  pages?: ArticleRecord['pages'];
  articleNumber?: string;
}

// 20 RelatedItem IsPublishedIn Journal: the journal title, ISSN, volume, issue, pages.
function readJournal(resource: XElement, warnings: WarningSink): JournalParts | undefined {
  const items = childrenNamed(child(resource, 'relatedItems'), 'relatedItem');
  const item = items.find((i) => attr(i, 'relationType') === 'IsPublishedIn' && attr(i, 'relatedItemType') === 'Journal' && text(child(child(i, 'titles'), 'title')) !== '');
  for (const other of items) {
    if (other !== item) warnings.add(elementPath(other), `related item (${attr(other, 'relationType')} ${attr(other, 'relatedItemType')}) dropped`, `relitem:${attr(other, 'relationType')}`);
  }
  if (!item) return undefined;
  const journal: Journal = { title: text(child(child(item, 'titles'), 'title')) };
  const identifier = child(item, 'relatedItemIdentifier');
  const idType = attr(identifier, 'relatedItemIdentifierType');
  if (idType === 'ISSN' || idType === 'EISSN') addIssn(journal, text(identifier), idType, identifier!, warnings);
  else if (idType === 'DOI') put(journal, 'doi', extractDoi(text(identifier)));
  const publisher = text(child(item, 'publisher'));
  if (publisher) journal.publisher = { name: publisher };
  const issue: NonNullable<ArticleRecord['issue']> = {};
  put(issue, 'volume', text(child(item, 'volume')) || undefined);
  put(issue, 'number', text(child(item, 'issue')) || undefined);
  const year = text(child(item, 'publicationYear'));
  if (/^\d{4}$/.test(year)) issue.year = Number(year);
  const first = text(child(item, 'firstPage'));
  const last = text(child(item, 'lastPage'));
  const number = child(item, 'number');
  const parts: JournalParts = { journal, issue };
  if (first) parts.pages = last ? { first, last } : { first };
  if (number && attr(number, 'numberType') === 'Article' && text(number)) parts.articleNumber = text(number);
  return parts;
}

/** ISSN and EISSN: DataCite's ISSN type does not say the medium; the record's ISSNs must, so ISSN is read as print. */
function addIssn(journal: Journal, value: string, type: string, el: XElement, warnings: WarningSink): void {
  const issn = value.toUpperCase();
  if (!isValidIssn(issn)) {
    warnings.add(elementPath(el), `ISSN "${value}" dropped: its check digit is wrong`, `issn-check:${value}`);
    return;
  }
  const media: Issn['media'] = type === 'EISSN' ? 'electronic' : 'print';
  if (type === 'ISSN') warnings.add(elementPath(el), `ISSN ${issn} read as the print ISSN (DataCite's type "ISSN" does not say the medium; "EISSN" would)`, `issn-media:${issn}`);
  const issns = journal.issns ?? [];
  if (!issns.some((i) => i.value === issn)) issns.push({ value: issn, media });
  journal.issns = issns;
}

// 6 Subject: uncontrolled subjects are keywords; classification codes and scheme terms have no place.
function readSubjects(resource: XElement, language: string, warnings: WarningSink): LangMap<string[]> {
  const keywords: LangMap<string[]> = {};
  for (const s of childrenNamed(child(resource, 'subjects'), 'subject')) {
    const value = text(s);
    if (!value) continue;
    const scheme = attr(s, 'subjectScheme') ?? attr(s, 'classificationCode') ?? attr(s, 'valueURI');
    if (scheme !== undefined) {
      warnings.add(elementPath(s), `subject "${value}" from scheme "${scheme}" dropped: the record keeps uncontrolled keywords only`, `subject-scheme:${scheme}`);
      continue;
    }
    const lang = normalizeLanguage(xmlLang(s)) ?? language;
    (keywords[lang] ??= []).push(value);
  }
  return keywords;
}

// 8 Date: Submitted, Accepted, Issued, Copyrighted; Other as this package's writer labels them.
function readDates(resource: XElement, record: ArticleRecord, warnings: WarningSink): void {
  const dates: NonNullable<ArticleRecord['dates']> = {};
  const published: NonNullable<NonNullable<ArticleRecord['dates']>['published']> = {};
  let issued = false;
  for (const d of childrenNamed(child(resource, 'dates'), 'date')) {
    const type = attr(d, 'dateType') ?? '';
    const info = attr(d, 'dateInformation')?.trim();
    const value = isoPartialDate(text(d));
    const isPrint = info === DATE_INFORMATION.print;
    if (type === 'Issued' && value) issued = true;
    if (!value) warnings.add(elementPath(d), `date "${text(d)}" (${type}) dropped: not a date the record can hold (ranges and times are not)`, `date-form:${type}`);
    else if (type === 'Submitted') dates.received ??= value;
    else if (type === 'Accepted') dates.accepted ??= value;
    else if (type === 'Other' && info === DATE_INFORMATION.revised) dates.revised ??= value;
    else if ((type === 'Issued' || type === 'Other') && isPrint) published.print ??= value;
    else if (type === 'Issued' && info === DATE_INFORMATION.issue) {
      // The writer gives the issue's year here when it knows no more; the relatedItem has it already.
      if (value !== String(record.issue?.year)) record.issue = { ...record.issue, publicationDate: value };
    } else if (type === 'Issued') published.online ??= value;
    else if (type === 'Copyrighted' && /^\d{4}/.test(value)) record.copyright = { ...record.copyright, year: Number(value.slice(0, 4)) };
    else warnings.add(elementPath(d), `date ${value} (${type}${info ? `, ${info}` : ''}) dropped: the record has no such date`, `date:${type}`);
  }
  // 5 PublicationYear is mandatory: with no Issued date it is the only publication date there is.
  if (!issued) {
    const year = text(child(resource, 'publicationYear'));
    if (/^\d{4}$/.test(year)) published.online = year;
  }
  put(dates, 'published', published);
  put(record, 'dates', dates);
}

// 11 AlternateIdentifier: a URL is the landing page; other types are kept as other ids.
function readAlternateIdentifiers(resource: XElement, record: ArticleRecord): void {
  const otherIds: OtherId[] = [];
  for (const id of childrenNamed(child(resource, 'alternateIdentifiers'), 'alternateIdentifier')) {
    const type = attr(id, 'alternateIdentifierType')?.trim() ?? '';
    const value = text(id);
    if (!value || !type) continue;
    if (type === 'URL' && !record.landingPage && /^https?:\/\//i.test(value)) record.landingPage = value;
    else otherIds.push({ type, value });
  }
  put(record, 'otherIds', otherIds);
}

// 12 RelatedIdentifier: the journal's ISSNs (IsPublishedIn/IsPartOf) and cited DOIs (References, Cites).
function readRelatedIdentifiers(resource: XElement, record: ArticleRecord, warnings: WarningSink): void {
  for (const r of childrenNamed(child(resource, 'relatedIdentifiers'), 'relatedIdentifier')) {
    const type = attr(r, 'relatedIdentifierType') ?? '';
    const relation = attr(r, 'relationType') ?? '';
    const value = text(r);
    const journalLink = relation === 'IsPublishedIn' || relation === 'IsPartOf';
    if (journalLink && (type === 'ISSN' || type === 'EISSN')) addIssn(record.journal, value, type, r, warnings);
    else if (journalLink && type === 'DOI' && attr(r, 'resourceTypeGeneral') === 'Journal') record.journal.doi ??= extractDoi(value);
    else if ((relation === 'References' || relation === 'Cites') && type === 'DOI' && extractDoi(value)) {
      (record.references ??= []).push({ doi: extractDoi(value)! });
    } else {
      warnings.add(elementPath(r), `related identifier ${type} "${value}" (${relation}) dropped: the record keeps the journal's ISSNs and cited DOIs`, `relid:${relation}:${type}`);
    }
  }
}

// 16 Rights: a licence URL; open-access terms say nothing the licence does not; a bare statement is the copyright.
function readRights(resource: XElement, record: ArticleRecord, warnings: WarningSink): void {
  for (const r of childrenNamed(child(resource, 'rightsList'), 'rights')) {
    const uri = attr(r, 'rightsURI')?.trim();
    const value = text(r);
    if (uri && /^https?:\/\//i.test(uri)) {
      if (!record.license) record.license = { url: uri };
      else if (record.license.url !== uri) warnings.add(elementPath(r), `a further licence ${uri} dropped: the record has one licence`, 'license');
    } else if (uri) {
      warnings.add(elementPath(r), `rights "${value || uri}" dropped: ${uri} is not a licence URL`, `rights:${uri}`);
    } else if (value) {
      record.copyright = { ...record.copyright, statement: value };
    }
  }
}

// 17 Description: Abstract, per language; <br/> separates paragraphs.
function readAbstracts(resource: XElement, language: string, warnings: WarningSink): LangMap {
  const abstracts: LangMap = {};
  for (const d of childrenNamed(child(resource, 'descriptions'), 'description')) {
    const type = attr(d, 'descriptionType') ?? '';
    const lang = normalizeLanguage(xmlLang(d)) ?? language;
    const value = descriptionText(d);
    if (!value) continue;
    if (type === 'Abstract' && abstracts[lang] === undefined) abstracts[lang] = value;
    else warnings.add(elementPath(d), `description (${type}, ${lang}) dropped: the record holds one abstract per language`, `description:${type}`);
  }
  return abstracts;
}

/** Text with paragraphs at <br/> elements, each paragraph's whitespace collapsed. */
function descriptionText(el: XElement): string {
  const runs: string[] = [''];
  for (const c of el.children) {
    if (c.kind === 'text') runs[runs.length - 1] += c.text;
    else if (c.local === 'br') runs.push('');
    else runs[runs.length - 1] += rawText(c);
  }
  return runs.map(collapse).filter((p) => p !== '').join('\n\n');
}

// 19 FundingReference: one Funding per funder, its awards gathered (the writer gives one reference per award).
function readFunding(resource: XElement, warnings: WarningSink): Funding[] {
  const funding: Funding[] = [];
  for (const f of childrenNamed(child(resource, 'fundingReferences'), 'fundingReference')) {
    const funderName = text(child(f, 'funderName'));
    if (!funderName) continue;
    const idEl = child(f, 'funderIdentifier');
    const funderId = normalizeFunderId(text(idEl) || undefined);
    if (idEl && text(idEl) && !funderId) warnings.add(elementPath(idEl), `funder identifier "${text(idEl)}" dropped: neither a Funder Registry DOI nor a ROR id`, 'funderid');
    const award = text(child(f, 'awardNumber'));
    const title = child(f, 'awardTitle');
    if (title) warnings.add(elementPath(title), 'award title dropped: the record keeps award numbers', 'awardTitle');
    let entry = funding.find((e) => e.funderName === funderName && e.funderId === funderId);
    if (!entry) {
      entry = { funderName };
      put(entry, 'funderId', funderId);
      funding.push(entry);
    }
    if (award) (entry.awardIds ??= []).push(award);
  }
  return funding;
}
