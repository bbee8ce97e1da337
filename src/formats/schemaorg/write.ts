// schema.org JSON-LD: the article as a ScholarlyArticle, in its issue, volume and periodical
// (PublicationIssue > PublicationVolume > Periodical, schema.org's model for journal articles),
// with authors as Person/Organization (ORCID as @id and sameAs, affiliations with ROR), the DOI
// as identifier and @id. Written to be embedded in an HTML <script type="application/ld+json">.
import type { Affiliation, ArticleRecord, Contributor } from '../../model/types.js';
import {
  contributorRole,
  dateParts,
  doiUrl,
  isOrganization,
  issnsElectronicFirst,
  languagesPrimaryFirst,
  mainTitleLanguage,
  orcidUrl,
  pageRange,
  present,
  publicationDate,
} from '../common.js';
import { funderIdentifier } from '../datacite/write.js';
import { keywordsOf } from '../csl/write.js';

export type JsonLd = { [key: string]: JsonLdValue };
type JsonLdValue = string | number | JsonLd | JsonLdValue[];

/** The JSON-LD object for an article. Never throws: schema.org requires no property. */
export function toSchemaOrgObject(record: ArticleRecord): JsonLd {
  const titleLanguage = mainTitleLanguage(record);
  const article: JsonLd = {
    '@context': 'https://schema.org',
    '@type': 'ScholarlyArticle',
    '@id': doiUrl(record.doi),
    headline: record.title[titleLanguage]!.trim(),
    name: record.title[titleLanguage]!.trim(),
    inLanguage: record.language,
  };
  set(article, 'alternativeHeadline', present(record.subtitle?.[titleLanguage]));
  set(article, 'alternateName', languagesPrimaryFirst(record.title, titleLanguage).slice(1).map((lang) => record.title[lang]!.trim()));
  set(article, 'url', present(record.landingPage));
  set(article, 'identifier', identifiers(record));
  for (const [property, role] of [['author', 'author'], ['editor', 'editor'], ['translator', 'translator']] as const) {
    set(article, property, record.contributors.filter((c) => contributorRole(c) === role).map(agent).filter((a): a is JsonLd => a !== undefined));
  }
  set(article, 'datePublished', publicationDate(record)?.iso);
  const abstractLanguage = languagesPrimaryFirst(record.abstract, record.language)[0];
  set(article, 'abstract', abstractLanguage === undefined ? undefined : present(record.abstract![abstractLanguage]));
  set(article, 'keywords', keywordsOf(record));
  set(article, 'license', present(record.license?.url));
  set(article, 'copyrightYear', record.copyright?.year);
  set(article, 'copyrightNotice', present(record.copyright?.statement));
  set(article, 'pageStart', present(record.pages?.first));
  set(article, 'pageEnd', present(record.pages?.last));
  set(article, 'pagination', pageRange(record));
  set(article, 'articleSection', present(record.section));
  article.isPartOf = container(record);
  set(article, 'publisher', publisher(record));
  set(article, 'encoding', (record.galleys ?? []).map((g) => ({ '@type': 'MediaObject', contentUrl: g.url.trim(), encodingFormat: g.mimeType.trim().toLowerCase() })));
  set(article, 'funding', grants(record));
  set(article, 'citation', citations(record));
  return article;
}

/** The JSON-LD text: "<", ">" and "&" as \u escapes, so it can sit in a <script> element as it is. */
export function toSchemaOrg(record: ArticleRecord): string {
  return `${JSON.stringify(toSchemaOrgObject(record), null, 2).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}

function set(target: JsonLd, key: string, value: JsonLdValue | undefined): void {
  if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) return;
  target[key] = value;
}

function identifiers(record: ArticleRecord): JsonLd[] {
  const ids: JsonLd[] = [{ '@type': 'PropertyValue', propertyID: 'DOI', value: record.doi }];
  for (const other of record.otherIds ?? []) {
    if (present(other.type) && present(other.value)) ids.push({ '@type': 'PropertyValue', propertyID: other.type.trim(), value: other.value.trim() });
  }
  return ids;
}

/** "Given Family Suffix", the order schema.org's name and Google's author guidelines expect. */
export function displayName(contributor: Contributor): string | undefined {
  if (isOrganization(contributor)) return present(contributor.name);
  const parts = [present(contributor.given), present(contributor.family), present(contributor.suffix)].filter((p) => p !== undefined);
  return parts.length > 0 ? parts.join(' ') : undefined;
}

function agent(contributor: Contributor): JsonLd | undefined {
  const name = displayName(contributor);
  if (!name) return undefined;
  if (isOrganization(contributor)) return { '@type': 'Organization', name };
  const person: JsonLd = { '@type': 'Person' };
  if (contributor.orcid) person['@id'] = orcidUrl(contributor.orcid);
  person.name = name;
  set(person, 'givenName', present(contributor.given));
  set(person, 'familyName', present(contributor.family));
  if (contributor.orcid) person.sameAs = orcidUrl(contributor.orcid);
  set(person, 'affiliation', (contributor.affiliations ?? []).map(organization).filter((o): o is JsonLd => o !== undefined));
  return person;
}

function organization(affiliation: Affiliation): JsonLd | undefined {
  const name = present(affiliation.name);
  if (!name) return undefined;
  const org: JsonLd = { '@type': 'Organization' };
  if (affiliation.ror) org['@id'] = affiliation.ror;
  org.name = name;
  if (affiliation.ror) org.sameAs = affiliation.ror;
  // schema.org's addressCountry takes the ISO 3166-1 alpha-2 code the record holds.
  if (affiliation.country) org.address = { '@type': 'PostalAddress', addressCountry: affiliation.country.toUpperCase() };
  return org;
}

function publisher(record: ArticleRecord): JsonLd | undefined {
  const name = present(record.journal.publisher?.name);
  if (!name) return undefined;
  const org: JsonLd = { '@type': 'Organization', name };
  const place = present(record.journal.publisher?.place);
  if (place) org.location = place;
  return org;
}

/** PublicationIssue > PublicationVolume > Periodical, skipping the levels the record does not know. */
function container(record: ArticleRecord): JsonLd {
  const journal = record.journal;
  const periodical: JsonLd = { '@type': 'Periodical' };
  if (present(journal.doi)) periodical['@id'] = doiUrl(journal.doi!.trim());
  periodical.name = journal.title.trim();
  set(periodical, 'alternateName', present(journal.abbrevTitle));
  set(periodical, 'issn', issnsElectronicFirst(journal.issns).map((i) => i.value));
  set(periodical, 'url', present(journal.url));
  set(periodical, 'publisher', publisher(record));
  let level = periodical;
  const volume = present(record.issue?.volume);
  if (volume) level = { '@type': 'PublicationVolume', volumeNumber: volume, isPartOf: level };
  const number = present(record.issue?.number);
  if (number) {
    const issue: JsonLd = { '@type': 'PublicationIssue', issueNumber: number };
    set(issue, 'datePublished', (dateParts(record.issue?.publicationDate) ?? dateParts(record.issue?.year))?.iso);
    issue.isPartOf = level;
    level = issue;
  }
  return level;
}

function grants(record: ArticleRecord): JsonLd[] {
  const out: JsonLd[] = [];
  for (const funding of record.funding ?? []) {
    const name = present(funding.funderName);
    if (!name) continue;
    const funder: JsonLd = { '@type': 'Organization' };
    const id = funderIdentifier(funding.funderId);
    if (id) funder['@id'] = id.value;
    funder.name = name;
    const awards = (funding.awardIds ?? []).map((a) => present(a)).filter((a): a is string => a !== undefined);
    for (const award of awards.length > 0 ? awards : [undefined]) {
      const grant: JsonLd = { '@type': 'Grant' };
      if (award) grant.identifier = award;
      grant.funder = funder;
      out.push(grant);
    }
  }
  return out;
}

/** Cited works: by DOI when known (with the citation text as name), else the citation text. */
function citations(record: ArticleRecord): JsonLdValue[] {
  const out: JsonLdValue[] = [];
  for (const reference of record.references ?? []) {
    const text = present(reference.unstructured);
    const doi = present(reference.doi);
    if (doi) {
      const work: JsonLd = { '@type': 'CreativeWork', '@id': doiUrl(doi) };
      if (text) work.name = text;
      out.push(work);
    } else if (text) {
      out.push(text);
    }
  }
  return out;
}
