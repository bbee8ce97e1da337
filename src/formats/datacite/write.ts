// DataCite Metadata Schema 4.7 (kernel-4) for a journal article: resourceTypeGeneral
// JournalArticle, the journal as a relatedItem (IsPublishedIn), as DataCite's own example
// datacite-example-relateditem1-v4.xml does. Property numbers cite the 4.7 documentation.
import { recordLocalId } from '../../model/records.js';
import type { Affiliation, ArticleRecord, Contributor } from '../../model/types.js';
import {
  contributorRole,
  dateParts,
  invertedName,
  isOrganization,
  issnsElectronicFirst,
  languagesPrimaryFirst,
  mainTitleLanguage,
  orcidUrl,
  paragraphs,
  present,
} from '../common.js';
import { ExportError } from '../errors.js';
import { creativeCommonsLicense } from './licenses.js';
import { XmlWriter } from './xml-writer.js';

export const DATACITE_NAMESPACE = 'http://datacite.org/schema/kernel-4';
export const DATACITE_SCHEMA_LOCATION = `${DATACITE_NAMESPACE} https://schema.datacite.org/meta/kernel-4/metadata.xsd`;
const XSI_NAMESPACE = 'http://www.w3.org/2001/XMLSchema-instance';

/** dateInformation values this writer gives, so its reader can tell the dates apart again. */
export const DATE_INFORMATION = {
  print: 'Published in print',
  issue: 'Date of the journal issue',
  revised: 'Revised',
} as const;

export interface DataCiteOptions {
  /** Emit the XML declaration (default true). */
  declaration?: boolean;
}

/** DataCite 4.7 XML for one article. Throws ExportError when a mandatory property is unknown. */
export function toDataCite(record: ArticleRecord, options: DataCiteOptions = {}): string {
  const required = requiredProperties(record);
  const xml = new XmlWriter(options.declaration ?? true);
  xml.open('resource', { xmlns: DATACITE_NAMESPACE, 'xmlns:xsi': XSI_NAMESPACE, 'xsi:schemaLocation': DATACITE_SCHEMA_LOCATION });
  xml.text('identifier', record.doi, { identifierType: 'DOI' });
  writeCreators(xml, required.authors);
  writeTitles(xml, record);
  xml.text('publisher', required.publisher);
  xml.text('publicationYear', String(required.year));
  // 10 ResourceType: the general type is the controlled one; the free text keeps the JATS article-type.
  xml.text('resourceType', present(record.articleType) ?? '', { resourceTypeGeneral: 'JournalArticle' });
  writeSubjects(xml, record);
  writeContributors(xml, record.contributors.filter((c) => contributorRole(c) !== 'author'));
  writeDates(xml, record);
  xml.text('language', record.language);
  writeAlternateIdentifiers(xml, record);
  writeRelatedIdentifiers(xml, record);
  writeFormats(xml, record);
  writeRights(xml, record);
  writeDescriptions(xml, record);
  writeFundingReferences(xml, record);
  writeJournalItem(xml, record);
  xml.close('resource');
  return xml.toString();
}

interface RequiredProperties {
  authors: Contributor[];
  publisher: string;
  year: number;
}

/** The mandatory properties (DataCite 4.7 §1-§5, §10) that a record may lack. */
function requiredProperties(record: ArticleRecord): RequiredProperties {
  const fail = (field: string, requirement: string): never => {
    throw new ExportError(recordLocalId(record), field, 'datacite', `DataCite ${requirement}`);
  };
  const authors = record.contributors.filter((c) => contributorRole(c) === 'author' && invertedName(c) !== undefined);
  if (authors.length === 0) fail('contributors', 'needs at least one creator (an author with a name)');
  const publisher = present(record.journal.publisher?.name) ?? fail('journal.publisher.name', 'needs a publisher (journal.publisher.name)');
  const year = articleDate(record)?.year ?? fail('dates.published', 'needs a publication year (dates.published, issue.publicationDate or issue.year)');
  return { authors, publisher, year };
}

/** The article's own publication date (online first, then print), else the issue's. */
function articleDate(record: ArticleRecord): { iso: string; year: number; information?: string } | undefined {
  const online = dateParts(record.dates?.published?.online);
  if (online) return online;
  const print = dateParts(record.dates?.published?.print);
  if (print) return { ...print, information: DATE_INFORMATION.print };
  const issue = dateParts(record.issue?.publicationDate) ?? dateParts(record.issue?.year);
  return issue && { ...issue, information: DATE_INFORMATION.issue };
}

// 2 Creator / 7 Contributor: "Family, Given", with givenName, familyName, ORCID and ROR affiliations.
function writePerson(xml: XmlWriter, kind: 'creator' | 'contributor', contributor: Contributor, contributorType?: string): void {
  xml.open(kind, contributorType === undefined ? undefined : { contributorType });
  const organization = isOrganization(contributor);
  xml.text(`${kind}Name`, invertedName(contributor), { nameType: organization ? 'Organizational' : 'Personal' });
  if (!organization) {
    xml.text('givenName', present(contributor.given));
    xml.text('familyName', present(contributor.family));
  }
  if (contributor.orcid) {
    xml.text('nameIdentifier', orcidUrl(contributor.orcid), { nameIdentifierScheme: 'ORCID', schemeURI: 'https://orcid.org' });
  }
  for (const affiliation of contributor.affiliations ?? []) writeAffiliation(xml, affiliation);
  xml.close(kind);
}

function writeAffiliation(xml: XmlWriter, affiliation: Affiliation): void {
  const name = present(affiliation.name);
  if (!name) return;
  xml.text('affiliation', name, affiliation.ror
    ? { affiliationIdentifier: affiliation.ror, affiliationIdentifierScheme: 'ROR', schemeURI: 'https://ror.org' }
    : undefined);
}

function writeCreators(xml: XmlWriter, authors: Contributor[]): void {
  xml.open('creators');
  for (const author of authors) writePerson(xml, 'creator', author);
  xml.close('creators');
}

const CONTRIBUTOR_TYPES: Partial<Record<NonNullable<Contributor['role']>, string>> = { editor: 'Editor', translator: 'Translator' };

function writeContributors(xml: XmlWriter, others: Contributor[]): void {
  const named = others.filter((c) => invertedName(c) !== undefined);
  if (named.length === 0) return;
  xml.open('contributors');
  for (const contributor of named) writePerson(xml, 'contributor', contributor, CONTRIBUTOR_TYPES[contributorRole(contributor)] ?? 'Other');
  xml.close('contributors');
}

// 3 Title: the main title untyped, its subtitle typed Subtitle, the other languages TranslatedTitle.
function writeTitles(xml: XmlWriter, record: ArticleRecord): void {
  const main = mainTitleLanguage(record);
  xml.open('titles');
  for (const lang of languagesPrimaryFirst(record.title, main)) {
    const title = present(record.title[lang]);
    if (title === undefined) continue;
    xml.text('title', title, { 'xml:lang': lang, titleType: lang === main ? undefined : 'TranslatedTitle' });
    xml.text('title', present(record.subtitle?.[lang]), { 'xml:lang': lang, titleType: 'Subtitle' });
  }
  xml.close('titles');
}

// 6 Subject: keywords, per language, with no scheme.
function writeSubjects(xml: XmlWriter, record: ArticleRecord): void {
  const languages = languagesPrimaryFirst(record.keywords, record.language);
  const keywords = languages.flatMap((lang) => record.keywords![lang]!.map((k) => ({ lang, keyword: present(k) })));
  if (!keywords.some((k) => k.keyword !== undefined)) return;
  xml.open('subjects');
  for (const { lang, keyword } of keywords) xml.text('subject', keyword, { 'xml:lang': lang });
  xml.close('subjects');
}

// 8 Date: Submitted (received), Accepted, Issued (published), Copyrighted, Other (revised, print).
function writeDates(xml: XmlWriter, record: ArticleRecord): void {
  const dates: { type: string; value: string; information?: string }[] = [];
  const add = (type: string, value: string | undefined, information?: string): void => {
    const parts = dateParts(value);
    if (parts) dates.push(information === undefined ? { type, value: parts.iso } : { type, value: parts.iso, information });
  };
  add('Submitted', record.dates?.received);
  add('Accepted', record.dates?.accepted);
  add('Other', record.dates?.revised, DATE_INFORMATION.revised);
  const issued = articleDate(record);
  if (issued) add('Issued', issued.iso, issued.information);
  if (record.dates?.published?.online) add('Other', record.dates.published.print, DATE_INFORMATION.print);
  if (record.copyright?.year !== undefined) add('Copyrighted', String(record.copyright.year));
  if (dates.length === 0) return;
  xml.open('dates');
  for (const date of dates) xml.text('date', date.value, { dateType: date.type, dateInformation: date.information });
  xml.close('dates');
}

// 11 AlternateIdentifier: the landing page (URL) and the record's other ids (publisher-id, pmid, ...).
function writeAlternateIdentifiers(xml: XmlWriter, record: ArticleRecord): void {
  const ids: { type: string; value: string }[] = [];
  const landing = present(record.landingPage);
  if (landing) ids.push({ type: 'URL', value: landing });
  for (const other of record.otherIds ?? []) {
    const value = present(other.value);
    const type = present(other.type);
    if (value && type) ids.push({ type, value });
  }
  if (ids.length === 0) return;
  xml.open('alternateIdentifiers');
  for (const id of ids) xml.text('alternateIdentifier', id.value, { alternateIdentifierType: id.type });
  xml.close('alternateIdentifiers');
}

// 12 RelatedIdentifier: the journal (ISSN/EISSN, journal DOI) it IsPublishedIn; cited DOIs (References).
function writeRelatedIdentifiers(xml: XmlWriter, record: ArticleRecord): void {
  const related: { type: string; relation: string; value: string; general?: string }[] = [];
  for (const issn of issnsElectronicFirst(record.journal.issns)) {
    related.push({ type: issn.media === 'electronic' ? 'EISSN' : 'ISSN', relation: 'IsPublishedIn', value: issn.value, general: 'Journal' });
  }
  const journalDoi = present(record.journal.doi);
  if (journalDoi) related.push({ type: 'DOI', relation: 'IsPublishedIn', value: journalDoi, general: 'Journal' });
  const cited = new Set<string>();
  for (const reference of record.references ?? []) {
    const doi = present(reference.doi);
    if (doi && !cited.has(doi)) {
      cited.add(doi);
      related.push({ type: 'DOI', relation: 'References', value: doi });
    }
  }
  if (related.length === 0) return;
  xml.open('relatedIdentifiers');
  for (const r of related) {
    xml.text('relatedIdentifier', r.value, { relatedIdentifierType: r.type, relationType: r.relation, resourceTypeGeneral: r.general });
  }
  xml.close('relatedIdentifiers');
}

// 14 Format: the galleys' media types.
function writeFormats(xml: XmlWriter, record: ArticleRecord): void {
  const formats = [...new Set((record.galleys ?? []).map((g) => g.mimeType.trim().toLowerCase()).filter((m) => m !== ''))];
  if (formats.length === 0) return;
  xml.open('formats');
  for (const format of formats) xml.text('format', format);
  xml.close('formats');
}

// 16 Rights: the licence (with its SPDX id when it is a Creative Commons licence) and the copyright statement.
function writeRights(xml: XmlWriter, record: ArticleRecord): void {
  const licenseUrl = present(record.license?.url);
  const statement = copyrightStatement(record);
  if (!licenseUrl && !statement) return;
  xml.open('rightsList');
  if (licenseUrl) {
    const known = creativeCommonsLicense(licenseUrl);
    xml.text('rights', known?.name ?? '', {
      rightsURI: licenseUrl,
      rightsIdentifier: known?.spdx,
      rightsIdentifierScheme: known?.spdx ? 'SPDX' : undefined,
      schemeURI: known?.spdx ? 'https://spdx.org/licenses/' : undefined,
    });
  }
  xml.text('rights', statement);
  xml.close('rightsList');
}

/** The copyright statement as given, else "Copyright (c) YEAR HOLDER" from its parts. */
export function copyrightStatement(record: ArticleRecord): string | undefined {
  const copyright = record.copyright;
  if (!copyright) return undefined;
  const statement = present(copyright.statement);
  if (statement) return statement;
  const holder = present(copyright.holder);
  if (!holder && copyright.year === undefined) return undefined;
  return ['Copyright (c)', copyright.year, holder].filter((part) => part !== undefined).join(' ');
}

// 17 Description: the abstract per language; paragraphs separated by <br/>.
function writeDescriptions(xml: XmlWriter, record: ArticleRecord): void {
  const languages = languagesPrimaryFirst(record.abstract, record.language).filter((lang) => paragraphs(record.abstract![lang]!).length > 0);
  if (languages.length === 0) return;
  xml.open('descriptions');
  for (const lang of languages) {
    xml.textWithBreaks('description', paragraphs(record.abstract![lang]!), 'br', { 'xml:lang': lang, descriptionType: 'Abstract' });
  }
  xml.close('descriptions');
}

// 19 FundingReference: one per award (DataCite's awardNumber is single), or one per funder
// without awards. OpenAIRE 4 reuses DataCite's element under its own prefix ("oaire:").
export function writeFundingReferences(xml: XmlWriter, record: ArticleRecord, prefix: '' | 'oaire:' = ''): void {
  const funding = (record.funding ?? []).filter((f) => present(f.funderName) !== undefined);
  if (funding.length === 0) return;
  xml.open(`${prefix}fundingReferences`);
  for (const funder of funding) {
    const awards = (funder.awardIds ?? []).map((a) => present(a)).filter((a): a is string => a !== undefined);
    for (const award of awards.length > 0 ? awards : [undefined]) {
      xml.open(`${prefix}fundingReference`);
      xml.text(`${prefix}funderName`, present(funder.funderName));
      const id = funderIdentifier(funder.funderId);
      if (id) xml.text(`${prefix}funderIdentifier`, id.value, { funderIdentifierType: id.type });
      xml.text(`${prefix}awardNumber`, award);
      xml.close(`${prefix}fundingReference`);
    }
  }
  xml.close(`${prefix}fundingReferences`);
}

/** A Funder Registry DOI as its resolver URL ("Crossref Funder ID"), or a ROR URL ("ROR"). */
export function funderIdentifier(funderId: string | undefined): { type: 'Crossref Funder ID' | 'ROR'; value: string } | undefined {
  const id = present(funderId);
  if (!id) return undefined;
  if (/^https?:\/\/ror\.org\//i.test(id)) return { type: 'ROR', value: id };
  return { type: 'Crossref Funder ID', value: `https://doi.org/${id.replace(/^https?:\/\/(dx\.)?doi\.org\//i, '')}` };
}

// 20 RelatedItem: the journal issue the article IsPublishedIn, with volume, issue, pages or article number.
function writeJournalItem(xml: XmlWriter, record: ArticleRecord): void {
  const journalTitle = present(record.journal.title);
  if (!journalTitle) return;
  xml.open('relatedItems');
  xml.open('relatedItem', { relatedItemType: 'Journal', relationType: 'IsPublishedIn' });
  const issn = issnsElectronicFirst(record.journal.issns)[0];
  if (issn) xml.text('relatedItemIdentifier', issn.value, { relatedItemIdentifierType: issn.media === 'electronic' ? 'EISSN' : 'ISSN' });
  else xml.text('relatedItemIdentifier', present(record.journal.doi), { relatedItemIdentifierType: 'DOI' });
  xml.open('titles').text('title', journalTitle).close('titles');
  const issueYear = dateParts(record.issue?.publicationDate)?.year ?? record.issue?.year;
  if (issueYear !== undefined) xml.text('publicationYear', String(issueYear));
  xml.text('volume', present(record.issue?.volume));
  xml.text('issue', present(record.issue?.number));
  xml.text('number', present(record.articleNumber), { numberType: 'Article' });
  xml.text('firstPage', present(record.pages?.first));
  xml.text('lastPage', present(record.pages?.last));
  xml.text('publisher', present(record.journal.publisher?.name));
  xml.close('relatedItem');
  xml.close('relatedItems');
}
