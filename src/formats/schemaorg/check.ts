// schema.org publishes no JSON Schema, and Google's Rich Results Test is an online service
// (validation never uses the network). So the JSON-LD is checked by parsing it back and holding
// it to what Google's Article structured data documentation recommends (headline; author as
// Person or Organization, one per author, with a name; datePublished in ISO 8601) and to
// schema.org's types for a journal article, against the record it was written from.
import type { ArticleRecord } from '../../model/types.js';
import { contributorRole, doiUrl, mainTitleLanguage, orcidUrl, publicationDate } from '../common.js';
import type { JsonLd } from './write.js';

const ISO_8601_DATE = /^\d{4}(?:-\d{2}(?:-\d{2})?)?$/;
const CONTAINER_TYPES = ['PublicationIssue', 'PublicationVolume', 'Periodical'];

export function checkSchemaOrg(output: string, record: ArticleRecord): string[] {
  let data: JsonLd;
  try {
    data = JSON.parse(output) as JsonLd;
  } catch (error) {
    return [`not JSON: ${error instanceof Error ? error.message : String(error)}`];
  }
  const problems: string[] = [];
  const expect = (ok: boolean, problem: string): void => {
    if (!ok) problems.push(problem);
  };
  // "</script>" or "<!--" in the text would end or break the <script> element it is embedded in.
  expect(!/[<>]/.test(output), 'contains "<" or ">": it cannot be embedded in a <script> element as it is');
  expect(data['@context'] === 'https://schema.org', `@context is ${JSON.stringify(data['@context'])}, not "https://schema.org"`);
  expect(data['@type'] === 'ScholarlyArticle', `@type is ${JSON.stringify(data['@type'])}, not "ScholarlyArticle"`);
  expect(data['@id'] === doiUrl(record.doi), `@id is ${JSON.stringify(data['@id'])}, not the DOI URL`);
  const doi = Array.isArray(data.identifier) ? (data.identifier as JsonLd[]).find((i) => i.propertyID === 'DOI') : undefined;
  expect(doi?.value === record.doi, `identifier has no DOI PropertyValue with ${record.doi}`);
  const title = record.title[mainTitleLanguage(record)]!.trim();
  expect(data.headline === title, `headline is ${JSON.stringify(data.headline)}, not the title`);
  expect(data.inLanguage === record.language, `inLanguage is ${JSON.stringify(data.inLanguage)}`);
  problems.push(...checkAuthors(data.author, record));
  const date = publicationDate(record)?.iso;
  expect(data.datePublished === date, `datePublished is ${JSON.stringify(data.datePublished)}, expected ${JSON.stringify(date)}`);
  expect(data.datePublished === undefined || ISO_8601_DATE.test(String(data.datePublished)), 'datePublished is not an ISO 8601 date');
  expect(data.license === record.license?.url.trim(), `license is ${JSON.stringify(data.license)}`);
  problems.push(...checkContainer(data.isPartOf, record));
  return problems;
}

function checkAuthors(value: unknown, record: ArticleRecord): string[] {
  const expected = record.contributors.filter((c) => contributorRole(c) === 'author');
  if (value === undefined) return expected.length === 0 ? [] : [`author is missing; the record has ${expected.length}`];
  if (!Array.isArray(value)) return ['author is not a list (Google: one author entry per author)'];
  const problems: string[] = [];
  if (value.length !== expected.length) problems.push(`author has ${value.length} entries; the record has ${expected.length} authors`);
  (value as JsonLd[]).forEach((author, i) => {
    const type = author['@type'];
    if (type !== 'Person' && type !== 'Organization') problems.push(`author[${i}] @type is ${JSON.stringify(type)}, not Person or Organization`);
    if (typeof author.name !== 'string' || author.name.trim() === '') problems.push(`author[${i}] has no name`);
    const orcid = expected[i]?.orcid;
    if (orcid && (author['@id'] !== orcidUrl(orcid) || author.sameAs !== orcidUrl(orcid))) problems.push(`author[${i}] does not carry the ORCID iD ${orcid} as @id and sameAs`);
  });
  return problems;
}

/** isPartOf: PublicationIssue > PublicationVolume > Periodical (levels may be skipped), ending in the journal. */
function checkContainer(value: unknown, record: ArticleRecord): string[] {
  let level = value as JsonLd | undefined;
  let allowed = CONTAINER_TYPES;
  for (let depth = 0; depth < CONTAINER_TYPES.length && level; depth++) {
    const type = String(level['@type']);
    if (!allowed.includes(type)) return [`isPartOf holds a ${type} where ${allowed.join(' or ')} belongs`];
    if (type === 'Periodical') {
      return level.name === record.journal.title.trim() ? [] : [`the Periodical's name is ${JSON.stringify(level.name)}, not the journal title`];
    }
    allowed = CONTAINER_TYPES.slice(CONTAINER_TYPES.indexOf(type) + 1);
    level = level.isPartOf as JsonLd | undefined;
  }
  return ['isPartOf does not lead to the Periodical'];
}
