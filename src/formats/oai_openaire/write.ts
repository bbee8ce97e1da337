// OpenAIRE Guidelines for Literature Repositories 4.0 (metadataPrefix oai_openaire): Dublin
// Core, DataCite 4.1 and oaire elements in one record, with the COAR vocabularies for
// resource type, access right and version. The element choice follows OpenAIRE's own
// journal article sample (openaire-samples/sample_journalarticle1.xml).
import { recordLocalId } from '../../model/records.js';
import type { ArticleRecord, Contributor, Galley } from '../../model/types.js';
import {
  contributorRole,
  doiUrl,
  invertedName,
  isOpenLicense,
  isOrganization,
  issnsElectronicFirst,
  languagesPrimaryFirst,
  mainTitleLanguage,
  orcidUrl,
  paragraphs,
  present,
  publicationDate,
} from '../common.js';
import { creativeCommonsLicense } from '../datacite/licenses.js';
import { writeFundingReferences } from '../datacite/write.js';
import { XmlWriter } from '../datacite/xml-writer.js';
import { ExportError } from '../errors.js';

export const OPENAIRE_NAMESPACE = 'http://namespace.openaire.eu/schema/oaire/';
export const OPENAIRE_SCHEMA = 'https://www.openaire.eu/schema/repo-lit/4.0/openaire.xsd';
export const OPENAIRE_SCHEMA_LOCATION = `${OPENAIRE_NAMESPACE} ${OPENAIRE_SCHEMA}`;
const NAMESPACES = {
  'xmlns:oaire': OPENAIRE_NAMESPACE,
  'xmlns:datacite': 'http://datacite.org/schema/kernel-4',
  'xmlns:dc': 'http://purl.org/dc/elements/1.1/',
  'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
} as const;

/** COAR access right "open access" (Access Rights, mandatory). */
export const COAR_OPEN_ACCESS = 'http://purl.org/coar/access_right/c_abf2';
/** COAR version "VoR": the record describes the article as the journal published it. */
const COAR_VERSION_OF_RECORD = 'http://purl.org/coar/version/c_970fb48d4fbd8a85';

interface CoarType {
  label: string;
  uri: string;
}
const COAR = (code: string, label: string): CoarType => ({ label, uri: `http://purl.org/coar/resource_type/${code}` });
const JOURNAL_ARTICLE = COAR('c_6501', 'journal article');
const CONTRIBUTION_TO_JOURNAL = COAR('c_3e5a', 'contribution to journal');

// Publication Type (mandatory): JATS article-type to the COAR Resource Types in oaire-resourceType-v4.xsd.
const PUBLICATION_TYPES: Record<string, CoarType> = {
  'research-article': JOURNAL_ARTICLE,
  'case-report': JOURNAL_ARTICLE,
  'brief-report': JOURNAL_ARTICLE,
  'rapid-communication': JOURNAL_ARTICLE,
  'review-article': COAR('c_dcae04bc', 'review article'),
  'systematic-review': COAR('c_dcae04bc', 'review article'),
  editorial: COAR('c_b239', 'editorial'),
  letter: COAR('c_545b', 'letter to the editor'),
  'book-review': COAR('c_ba08', 'book review'),
  'product-review': COAR('c_efa0', 'review'),
  'data-paper': COAR('c_beb9', 'data paper'),
};

export interface OpenAireOptions {
  /** Emit the XML declaration (default true; false for embedding in an OAI-PMH response). */
  declaration?: boolean;
}

interface Mandatory {
  issued: string;
  accessRight: string;
}

/** What the guidelines make mandatory and a record may lack; throws ExportError naming the field. */
export function openAireMandatory(record: ArticleRecord): Mandatory {
  const fail = (field: string, requirement: string): never => {
    throw new ExportError(recordLocalId(record), field, 'oai_openaire', `OpenAIRE ${requirement}`);
  };
  if (!record.contributors.some((c) => contributorRole(c) === 'author' && invertedName(c) !== undefined)) {
    fail('contributors', 'needs at least one creator (Creator is mandatory)');
  }
  const issued = publicationDate(record)?.iso ?? fail('dates.published', 'needs a publication date (Publication Date is mandatory)');
  const license = present(record.license?.url);
  // Access Rights is mandatory; the record states access only through its licence.
  if (!license || !isOpenLicense(license)) {
    fail('license', `needs the access right (COAR, mandatory); pubmeta knows it only from an open licence, and the record has ${license ? `the licence ${license}, which does not say` : 'no licence'}`);
  }
  return { issued, accessRight: COAR_OPEN_ACCESS };
}

/** The oai_openaire record for one article. */
export function toOpenAire(record: ArticleRecord, options: OpenAireOptions = {}): string {
  const mandatory = openAireMandatory(record);
  const xml = new XmlWriter(options.declaration ?? true);
  xml.open('oaire:resource', { ...NAMESPACES, 'xsi:schemaLocation': OPENAIRE_SCHEMA_LOCATION });
  writeTitles(xml, record);
  writePeople(xml, record);
  writeFundingReferences(xml, record, 'oaire:'); // Funding Reference (MA)
  writeIdentifiers(xml, record);
  xml.open('datacite:dates').text('datacite:date', mandatory.issued, { dateType: 'Issued' }).close('datacite:dates');
  xml.text('dc:language', record.language);
  xml.text('dc:publisher', present(record.journal.publisher?.name));
  const type = PUBLICATION_TYPES[record.articleType ?? 'research-article'] ?? CONTRIBUTION_TO_JOURNAL;
  xml.text('oaire:resourceType', type.label, { resourceTypeGeneral: 'literature', uri: type.uri });
  for (const lang of languagesPrimaryFirst(record.abstract, record.language)) {
    const text = paragraphs(record.abstract![lang]!).join('\n\n');
    if (text) xml.text('dc:description', text, { 'xml:lang': lang });
  }
  for (const format of new Set(fulltexts(record).map((g) => g.mimeType.trim().toLowerCase()))) xml.text('dc:format', format);
  xml.text('datacite:rights', 'open access', { rightsURI: mandatory.accessRight });
  writeSubjects(xml, record);
  writeLicense(xml, record);
  xml.text('oaire:version', 'VoR', { uri: COAR_VERSION_OF_RECORD });
  for (const galley of fulltexts(record)) {
    xml.text('oaire:file', galley.url.trim(), { accessRightsURI: mandatory.accessRight, mimeType: galley.mimeType.trim().toLowerCase(), objectType: 'fulltext' });
  }
  writeCitation(xml, record);
  xml.close('oaire:resource');
  return xml.toString();
}

function fulltexts(record: ArticleRecord): Galley[] {
  return (record.galleys ?? []).filter((g) => present(g.url) && present(g.mimeType));
}

// Title (M): the main title untyped, translations TranslatedTitle, subtitles Subtitle.
function writeTitles(xml: XmlWriter, record: ArticleRecord): void {
  const main = mainTitleLanguage(record);
  xml.open('datacite:titles');
  for (const lang of languagesPrimaryFirst(record.title, main)) {
    xml.text('datacite:title', present(record.title[lang]), { 'xml:lang': lang, titleType: lang === main ? undefined : 'TranslatedTitle' });
    xml.text('datacite:title', present(record.subtitle?.[lang]), { 'xml:lang': lang, titleType: 'Subtitle' });
  }
  xml.close('datacite:titles');
}

// Creator (M) and Contributor (MA): "Family, Given", ORCID as nameIdentifier, affiliation names.
function writePeople(xml: XmlWriter, record: ArticleRecord): void {
  const named = record.contributors.filter((c) => invertedName(c) !== undefined);
  const authors = named.filter((c) => contributorRole(c) === 'author');
  const others = named.filter((c) => contributorRole(c) !== 'author');
  xml.open('datacite:creators');
  for (const author of authors) writePerson(xml, 'creator', author);
  xml.close('datacite:creators');
  if (others.length === 0) return;
  xml.open('datacite:contributors');
  // The profile's contributor types (DataCite 4.1) have Editor but no Translator.
  for (const other of others) writePerson(xml, 'contributor', other, contributorRole(other) === 'editor' ? 'Editor' : 'Other');
  xml.close('datacite:contributors');
}

function writePerson(xml: XmlWriter, kind: 'creator' | 'contributor', person: Contributor, contributorType?: string): void {
  xml.open(`datacite:${kind}`, contributorType === undefined ? undefined : { contributorType });
  const organization = isOrganization(person);
  xml.text(`datacite:${kind}Name`, invertedName(person), { nameType: organization ? 'Organizational' : 'Personal' });
  if (!organization) {
    xml.text('datacite:givenName', present(person.given));
    xml.text('datacite:familyName', present(person.family));
  }
  if (person.orcid) xml.text('datacite:nameIdentifier', orcidUrl(person.orcid), { nameIdentifierScheme: 'ORCID', schemeURI: 'https://orcid.org' });
  for (const affiliation of person.affiliations ?? []) xml.text('datacite:affiliation', present(affiliation.name));
  xml.close(`datacite:${kind}`);
}

// Resource Identifier (M): the landing page ("a jump-off page"), else the DOI link; the DOI and
// other ids as Alternate Identifiers; the journal's ISSNs and cited DOIs as Related Identifiers.
function writeIdentifiers(xml: XmlWriter, record: ArticleRecord): void {
  const landing = present(record.landingPage);
  const alternates: [string, string][] = landing ? [['DOI', record.doi]] : [];
  for (const other of record.otherIds ?? []) {
    if (present(other.type) && present(other.value)) alternates.push([other.type.trim(), other.value.trim()]);
  }
  if (alternates.length > 0) {
    xml.open('datacite:alternateIdentifiers');
    for (const [type, value] of alternates) xml.text('datacite:alternateIdentifier', value, { alternateIdentifierType: type });
    xml.close('datacite:alternateIdentifiers');
  }
  const related: [string, string, string][] = issnsElectronicFirst(record.journal.issns).map((i) => [i.media === 'electronic' ? 'EISSN' : 'ISSN', 'IsPartOf', i.value]);
  for (const doi of new Set((record.references ?? []).map((r) => present(r.doi)).filter((d): d is string => d !== undefined))) related.push(['DOI', 'References', doi]);
  if (related.length > 0) {
    xml.open('datacite:relatedIdentifiers');
    for (const [type, relation, value] of related) xml.text('datacite:relatedIdentifier', value, { relatedIdentifierType: type, relationType: relation });
    xml.close('datacite:relatedIdentifiers');
  }
  if (landing) xml.text('datacite:identifier', landing, { identifierType: 'URL' });
  else xml.text('datacite:identifier', doiUrl(record.doi), { identifierType: 'DOI' });
}

// Subject (MA): the keywords, per language.
function writeSubjects(xml: XmlWriter, record: ArticleRecord): void {
  const subjects = languagesPrimaryFirst(record.keywords, record.language)
    .flatMap((lang) => record.keywords![lang]!.map((k) => [lang, present(k)] as const))
    .filter((s): s is readonly [string, string] => s[1] !== undefined);
  if (subjects.length === 0) return;
  xml.open('datacite:subjects');
  for (const [lang, subject] of subjects) xml.text('datacite:subject', subject, { 'xml:lang': lang });
  xml.close('datacite:subjects');
}

// License Condition (R): the licence's name, its URL and start date.
function writeLicense(xml: XmlWriter, record: ArticleRecord): void {
  const url = present(record.license?.url);
  if (!url) return;
  xml.text('oaire:licenseCondition', creativeCommonsLicense(url)?.name ?? url, { uri: url, startDate: present(record.license?.startDate) });
}

// Citation Title/Volume/Issue/Start Page/End Page (R): where the article was published.
function writeCitation(xml: XmlWriter, record: ArticleRecord): void {
  xml.text('oaire:citationTitle', present(record.journal.title));
  xml.text('oaire:citationVolume', present(record.issue?.volume));
  xml.text('oaire:citationIssue', present(record.issue?.number));
  xml.text('oaire:citationStartPage', present(record.pages?.first));
  xml.text('oaire:citationEndPage', present(record.pages?.last));
}
