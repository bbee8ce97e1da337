// Unqualified Dublin Core in the OAI-PMH oai_dc container (oai_dc.xsd, simpledc20021212.xsd),
// following the OpenAIRE Guidelines for Literature Repositories 3.0 / DRIVER conventions that
// BASE and OpenAIRE harvest (info:eu-repo vocabularies), as OJS exposes journal articles.
import type { ArticleRecord } from '../../model/types.js';
import {
  NS,
  doiUrl,
  invertedName,
  isOpenLicense,
  issnsElectronicFirst,
  languagesPrimaryFirst,
  pageRange,
  present,
  publicationDate,
  contributorRole,
  titleWithSubtitle,
} from '../common.js';
import { attr, writeXml, type XmlWriter } from '../xml/writer.js';

export interface OaiDcOptions {
  /** Emit the XML declaration (default true; false for embedding in an OAI-PMH response). */
  declaration?: boolean;
}

export const OAI_DC_SCHEMA_LOCATION = 'http://www.openarchives.org/OAI/2.0/oai_dc/ http://www.openarchives.org/OAI/2.0/oai_dc.xsd';

// info:eu-repo publication types (OpenAIRE 3.0 "Publication Type", mandatory) for JATS article-types.
const EU_REPO_TYPE: Record<string, string> = {
  'book-review': 'review',
  'product-review': 'review',
  editorial: 'contributionToPeriodical',
  letter: 'contributionToPeriodical',
  news: 'contributionToPeriodical',
  obituary: 'contributionToPeriodical',
  'meeting-report': 'conferenceObject',
};

const ROOT_ATTRIBUTES = ` xmlns:oai_dc="${NS.oaiDc}" xmlns:dc="${NS.dc}" xmlns:xsi="${NS.xsi}" xsi:schemaLocation="${OAI_DC_SCHEMA_LOCATION}"`;

export function toOaiDc(record: ArticleRecord, options: OaiDcOptions = {}): string {
  return writeXml((out) => writeDc(out, record), options.declaration ?? true);
}

function writeDc(out: XmlWriter, record: ArticleRecord): void {
  out.start('oai_dc:dc', ROOT_ATTRIBUTES);
  const dc = (name: string, value: string | undefined, lang?: string): void => {
    const text = present(value);
    if (text === undefined) return;
    out.leaf(name, text, lang === undefined ? '' : attr('xml:lang', lang));
  };

  for (const lang of languagesPrimaryFirst(record.title, record.language)) {
    dc('dc:title', titleWithSubtitle(record.title[lang]!, record.subtitle?.[lang]), lang);
  }

  const authors = record.contributors.filter((c) => contributorRole(c) === 'author');
  for (const author of authors) dc('dc:creator', invertedName(author));

  for (const lang of languagesPrimaryFirst(record.keywords, record.language)) {
    for (const keyword of record.keywords![lang]!) dc('dc:subject', keyword, lang);
  }
  for (const lang of languagesPrimaryFirst(record.abstract, record.language)) {
    dc('dc:description', record.abstract![lang], lang);
  }

  dc('dc:publisher', record.journal.publisher?.name);

  for (const contributor of record.contributors) {
    if (contributorRole(contributor) !== 'author') dc('dc:contributor', invertedName(contributor));
  }

  // Most precise publication date known, as ISO 8601 (DCMI recommends W3CDTF); absent if unknown.
  dc('dc:date', publicationDate(record)?.iso);

  // OpenAIRE 3.0 makes the info:eu-repo publication type mandatory and recommends the version
  // type; DCMI Type "Text" serves harvesters that only know the DCMI Type Vocabulary (as
  // dc:type's own definition recommends). Harvesters ignore dc:type values they do not know.
  dc('dc:type', `info:eu-repo/semantics/${EU_REPO_TYPE[record.articleType ?? ''] ?? 'article'}`);
  dc('dc:type', 'info:eu-repo/semantics/publishedVersion');
  dc('dc:type', 'Text');

  const formats = new Set<string>();
  for (const galley of record.galleys ?? []) formats.add(galley.mimeType.trim().toLowerCase());
  for (const format of formats) dc('dc:format', format);

  dc('dc:identifier', doiUrl(record.doi));
  dc('dc:identifier', record.landingPage);

  dc('dc:source', sourceCitation(record));
  for (const issn of issnsElectronicFirst(record.journal.issns)) dc('dc:source', issn.value);

  dc('dc:language', record.language);

  for (const galley of record.galleys ?? []) dc('dc:relation', galley.url);

  if (record.license) {
    // OpenAIRE 3.0 access-rights term: only stated when the licence itself makes the work open.
    if (isOpenLicense(record.license.url)) dc('dc:rights', 'info:eu-repo/semantics/openAccess');
    dc('dc:rights', record.license.url);
  }
  dc('dc:rights', copyrightStatement(record));
  out.end();
}

/** "Journal; Vol 4 No 2 (2018); 117-130": the journal citation OJS and BASE use in dc:source. */
export function sourceCitation(record: ArticleRecord): string {
  const issue = record.issue;
  const numbering: string[] = [];
  if (present(issue?.volume)) numbering.push(`Vol ${issue!.volume!.trim()}`);
  if (present(issue?.number)) numbering.push(`No ${issue!.number!.trim()}`);
  const year = issue?.year ?? (issue?.publicationDate ? Number(issue.publicationDate.slice(0, 4)) : undefined);
  let issuePart = numbering.join(' ');
  if (year !== undefined) issuePart = issuePart ? `${issuePart} (${year})` : String(year);
  const parts = [record.journal.title.trim()];
  if (issuePart) parts.push(issuePart);
  const pages = pageRange(record);
  if (pages) parts.push(pages);
  return parts.join('; ');
}

function copyrightStatement(record: ArticleRecord): string | undefined {
  const copyright = record.copyright;
  if (!copyright) return undefined;
  const statement = present(copyright.statement);
  if (statement) return statement;
  const holder = present(copyright.holder);
  if (!holder && copyright.year === undefined) return undefined;
  return ['Copyright (c)', copyright.year, holder].filter((part) => part !== undefined).join(' ');
}
