/**
 * The article landing page (/records/<id>) and the tombstone of a deleted record. Everything
 * the record says is shown; language-specific text carries its lang and dir.
 */
import {
  countryName,
  doiUrl,
  isOrganization,
  languagesPrimaryFirst,
  mainTitleLanguage,
  orcidUrl,
  pageRange,
  paragraphs,
  present,
} from '../formats/common.js';
import type { ArticleRecord, Contributor, Funding, Reference } from '../model/types.js';
import { oaiIdentifier } from '../oai/identifiers.js';
import { html, joinHtml, trustedHtml, type HtmlValue, type SafeHtml } from './html.js';
import { langAttributes, languageName } from './language.js';
import { renderPage, type SiteContext } from './layout.js';
import { exportPath, recordPath, withQuery } from './paths.js';
import type { ExportFormatInfo, FormatAvailability, OaiFormatInfo, PageRecord } from './types.js';

export interface RecordPageInput {
  site: SiteContext;
  localId: string;
  record: ArticleRecord;
  datestamp: string;
  exportFormats: readonly ExportFormatInfo[];
  oaiFormats: readonly OaiFormatInfo[];
  repositoryIdentifier: string;
  /** Absolute URL of this page (canonical link). */
  pageUrl: string;
  /** The citation meta tags and JSON-LD from deps.recordHead (trusted markup). */
  head: string;
  /** Formats the record cannot be given in: listed with the reason instead of a link. */
  unavailable?: FormatAvailability;
}

export function renderRecordPage(input: RecordPageInput): string {
  const { record } = input;
  const titleLanguage = mainTitleLanguage(record);
  const mainTitle = record.title[titleLanguage] ?? Object.values(record.title)[0] ?? input.localId;
  return renderPage(input.site, {
    title: mainTitle,
    head: html`<link rel="canonical" href="${input.pageUrl}">
${trustedHtml(input.head)}`,
    main: html`<article>
${titlesBlock(record, titleLanguage)}
${authorsBlock(record.contributors)}
${publicationBlock(record)}
${abstractsBlock(record)}
${keywordsBlock(record)}
${fullTextBlock(record)}
${licenceBlock(record)}
${fundingBlock(record.funding)}
${referencesBlock(record.references)}
${metadataBlock(input)}
</article>`,
  });
}

function titlesBlock(record: ArticleRecord, titleLanguage: string): SafeHtml {
  const [first, ...others] = languagesPrimaryFirst(record.title, titleLanguage);
  const subtitle = (tag: string) => {
    const text = present(record.subtitle?.[tag]);
    return text ? html`<span class="subtitle">: ${text}</span>` : '';
  };
  return html`<header>
<p class="muted"><bdi>${record.journal.title}</bdi>${issueLabel(record) ? html` · ${issueLabel(record)}` : ''}</p>
<h1${langAttributes(first!)}>${record.title[first!]}${subtitle(first!)}</h1>
${others.map((tag) => html`<p class="alt-title"${langAttributes(tag)}>${record.title[tag]}${subtitle(tag)}</p>\n`)}</header>`;
}

function issueLabel(record: ArticleRecord): string | undefined {
  const issue = record.issue;
  if (!issue) return undefined;
  const parts: string[] = [];
  if (issue.volume) parts.push(`Vol. ${issue.volume}`);
  if (issue.number) parts.push(`No. ${issue.number}`);
  const year = issue.year ?? (issue.publicationDate ? Number(issue.publicationDate.slice(0, 4)) : undefined);
  const label = parts.join(', ');
  if (year !== undefined) return label ? `${label} (${year})` : String(year);
  return label || undefined;
}

function personName(contributor: Contributor): string {
  if (isOrganization(contributor)) return present(contributor.name) ?? '';
  return [present(contributor.given), present(contributor.family), present(contributor.suffix)].filter(Boolean).join(' ');
}

function authorsBlock(contributors: readonly Contributor[]): SafeHtml {
  if (contributors.length === 0) return html``;
  return html`<section aria-labelledby="authors-heading">
<h2 id="authors-heading">Authors</h2>
<ul class="authors">
${contributors.map((contributor) => html`<li>${contributorItem(contributor)}</li>\n`)}</ul>
</section>`;
}

function contributorItem(contributor: Contributor): SafeHtml {
  const role = contributor.role && contributor.role !== 'author' ? html` <span class="muted">(${contributor.role})</span>` : '';
  const variants = Object.entries(contributor.nameVariants ?? {}).map(
    ([tag, variant]) => html` <span${langAttributes(tag)}>(${[variant.given, variant.family].filter(Boolean).join(' ')})</span>`,
  );
  const orcid = contributor.orcid ? html` <a href="${orcidUrl(contributor.orcid)}">${orcidUrl(contributor.orcid)}</a>` : '';
  const corresponding = contributor.corresponding ? html` <span class="muted">(corresponding author${contributor.email ? html`, <a href="mailto:${contributor.email}">${contributor.email}</a>` : ''})</span>` : '';
  const affiliations = (contributor.affiliations ?? []).map((affiliation) => {
    const country = affiliation.country ? countryName(affiliation.country) ?? affiliation.country : undefined;
    const ror = affiliation.ror ? html` (<a href="${affiliation.ror}">ROR ${affiliation.ror.replace(/^https?:\/\/ror\.org\//, '')}</a>)` : '';
    return html`<span class="affiliation"><bdi>${affiliation.name}</bdi>${country ? html`, ${country}` : ''}${ror}</span>`;
  });
  // Names and affiliations carry no language tag: <bdi> isolates their direction from the line.
  return html`<bdi class="name">${personName(contributor)}</bdi>${variants}${role}${orcid}${corresponding}${affiliations}`;
}

function publicationBlock(record: ArticleRecord): SafeHtml {
  const facts: [string, HtmlValue][] = [];
  const add = (term: string, value: HtmlValue) => {
    if (value !== undefined && value !== '') facts.push([term, value]);
  };
  add('Journal', html`<span dir="auto">${record.journal.title}</span>`);
  add('Volume', record.issue?.volume);
  add('Issue', record.issue?.number);
  add('Issue title', record.issue?.title ? html`<span dir="auto">${record.issue.title}</span>` : undefined);
  add('Year', record.issue?.year);
  add(record.pages ? 'Pages' : 'Article number', pageRange(record)?.replace('-', '–'));
  add('Section', record.section);
  for (const issn of record.journal.issns ?? []) add(issn.media === 'print' ? 'ISSN (print)' : 'ISSN (online)', issn.value);
  add('Publisher', record.journal.publisher ? [record.journal.publisher.name, record.journal.publisher.place].filter(Boolean).join(', ') : undefined);
  add('DOI', html`<a href="${doiUrl(record.doi)}">${doiUrl(record.doi)}</a>`);
  for (const other of record.otherIds ?? []) add(other.type, other.value);
  add('Published online', dateValue(record.dates?.published?.online));
  add('Published in print', dateValue(record.dates?.published?.print));
  add('Received', dateValue(record.dates?.received));
  add('Revised', dateValue(record.dates?.revised));
  add('Accepted', dateValue(record.dates?.accepted));
  return html`<section aria-labelledby="publication-heading">
<h2 id="publication-heading">Publication</h2>
${factList(facts)}
</section>`;
}

/** A definition list of the facts that have a value (undefined, '' and false are left out). */
export function factList(facts: readonly [string, HtmlValue][]): SafeHtml {
  const known = facts.filter(([, value]) => value !== undefined && value !== null && value !== '' && value !== false);
  return html`<dl class="facts">
${known.map(([term, value]) => html`<dt>${term}</dt><dd>${value}</dd>\n`)}</dl>`;
}

function dateValue(date: string | undefined): SafeHtml | undefined {
  return date ? html`<time datetime="${date}">${date}</time>` : undefined;
}

function abstractsBlock(record: ArticleRecord): SafeHtml {
  const tags = languagesPrimaryFirst(record.abstract, record.language);
  if (tags.length === 0) return html``;
  return html`<section aria-labelledby="abstracts-heading">
<h2 id="abstracts-heading">${tags.length > 1 ? 'Abstracts' : 'Abstract'}</h2>
${tags.map(
  (tag, index) => html`<section${langAttributes(tag)} aria-labelledby="abstract-${index}">
<h3 id="abstract-${index}" lang="en" dir="ltr">${languageName(tag)}</h3>
${paragraphs(record.abstract![tag]!).map((p) => html`<p>${p}</p>\n`)}</section>
`,
)}</section>`;
}

function keywordsBlock(record: ArticleRecord): SafeHtml {
  const tags = languagesPrimaryFirst(record.keywords, record.language).filter((tag) => (record.keywords![tag] ?? []).length > 0);
  if (tags.length === 0) return html``;
  return html`<section aria-labelledby="keywords-heading">
<h2 id="keywords-heading">Keywords</h2>
${tags.map(
  (tag) => html`<h3>${languageName(tag)}</h3>
<ul class="keywords"${langAttributes(tag)}>
${record.keywords![tag]!.map((keyword) => html`<li>${keyword}</li>\n`)}</ul>
`,
)}</section>`;
}

function fullTextBlock(record: ArticleRecord): SafeHtml {
  const links: SafeHtml[] = [];
  if (record.landingPage) links.push(html`<li><a href="${record.landingPage}">Article page at the publisher</a></li>`);
  for (const galley of record.galleys ?? []) {
    links.push(html`<li><a href="${galley.url}" type="${galley.mimeType}">${galley.label ?? galleyLabel(galley.mimeType)}</a></li>`);
  }
  if (links.length === 0) return html``;
  return html`<section aria-labelledby="fulltext-heading">
<h2 id="fulltext-heading">Full text</h2>
<ul>
${joinHtml(links, '\n')}
</ul>
</section>`;
}

const GALLEY_LABELS: Record<string, string> = {
  'application/pdf': 'PDF',
  'text/html': 'HTML',
  'application/xml': 'XML',
  'text/xml': 'XML',
  'application/epub+zip': 'EPUB',
};

function galleyLabel(mimeType: string): string {
  return GALLEY_LABELS[mimeType.trim().toLowerCase()] ?? mimeType;
}

/** "CC BY 4.0" for Creative Commons licence URLs; the URL itself otherwise. */
export function licenceName(url: string): string {
  const cc = /creativecommons\.org\/licenses\/([a-z-]+)\/(\d+(?:\.\d+)?)/i.exec(url);
  if (cc) return `CC ${cc[1]!.toUpperCase()} ${cc[2]}`;
  if (/creativecommons\.org\/publicdomain\/zero\//i.test(url)) return 'CC0';
  return url;
}

function licenceBlock(record: ArticleRecord): SafeHtml {
  const { license, copyright } = record;
  if (!license && !copyright) return html``;
  const facts: [string, HtmlValue][] = [];
  if (license) facts.push(['Licence', html`<a rel="license" href="${license.url}">${licenceName(license.url)}</a>`]);
  if (license?.startDate) facts.push(['Licensed from', dateValue(license.startDate)]);
  if (copyright) {
    const statement = copyright.statement ?? ['©', copyright.year, copyright.holder].filter(Boolean).join(' ');
    facts.push(['Copyright', html`<span dir="auto">${statement}</span>`]);
  }
  return html`<section aria-labelledby="licence-heading">
<h2 id="licence-heading">Licence</h2>
${factList(facts)}
</section>`;
}

function funderLink(funding: Funding): HtmlValue {
  const id = funding.funderId;
  if (!id) return '';
  const href = /^10\./.test(id) ? doiUrl(id) : id;
  return html` (<a href="${href}">${/^10\./.test(id) ? `Funder ID ${id}` : `ROR ${id.replace(/^https?:\/\/ror\.org\//, '')}`}</a>)`;
}

function fundingBlock(funding: readonly Funding[] | undefined): SafeHtml {
  if (!funding?.length) return html``;
  return html`<section aria-labelledby="funding-heading">
<h2 id="funding-heading">Funding</h2>
<ul>
${funding.map(
  (f) => html`<li><span dir="auto">${f.funderName}</span>${funderLink(f)}${f.awardIds?.length ? html`, award ${joinHtml(f.awardIds, ', ')}` : ''}</li>\n`,
)}</ul>
</section>`;
}

function referenceText(reference: Reference): string {
  if (reference.unstructured) return reference.unstructured;
  const s = reference.structured ?? {};
  const volumeIssue = [s.volume, s.issue ? `(${s.issue})` : undefined].filter(Boolean).join('');
  const pages = s.firstPage ? (s.lastPage ? `${s.firstPage}–${s.lastPage}` : s.firstPage) : undefined;
  return [s.author, s.year ? `(${s.year})` : undefined, s.articleTitle, s.source, volumeIssue, pages, s.publisher]
    .filter((part) => part !== undefined && part !== '')
    .join('. ');
}

function referencesBlock(references: readonly Reference[] | undefined): SafeHtml {
  if (!references?.length) return html``;
  return html`<section aria-labelledby="references-heading">
<h2 id="references-heading">References</h2>
<ol class="references">
${references.map((reference) => {
  const doi = reference.doi ? html` <a href="${doiUrl(reference.doi)}">${doiUrl(reference.doi)}</a>` : '';
  return html`<li><span dir="auto">${referenceText(reference)}</span>${doi}</li>\n`;
})}</ol>
</section>`;
}

function metadataBlock(input: RecordPageInput): SafeHtml {
  const formatIds = input.exportFormats.map((f) => f.id);
  const identifier = oaiIdentifier(input.repositoryIdentifier, input.localId);
  const notHere = (reason: string) => html` <span class="muted">(not available for this record: ${reason})</span>`;
  const exports = input.exportFormats.map((format) => {
    const reason = input.unavailable?.exports[format.id];
    if (reason !== undefined) return html`<li>${format.label}${notHere(reason)}</li>\n`;
    return html`<li><a href="${exportPath(input.localId, format.id, formatIds)}" type="${format.mediaType}">${format.label}</a></li>\n`;
  });
  const getRecord = input.oaiFormats.map((format) => {
    const reason = input.unavailable?.oai[format.metadataPrefix];
    if (reason !== undefined) return html`<li>GetRecord (${format.metadataPrefix})${notHere(reason)}</li>\n`;
    return html`<li><a href="${withQuery(input.site.oaiPath, { verb: 'GetRecord', metadataPrefix: format.metadataPrefix, identifier })}">GetRecord (${format.metadataPrefix})</a></li>\n`;
  });
  return html`<section aria-labelledby="metadata-heading">
<h2 id="metadata-heading">Metadata</h2>
<p>This record in other formats:</p>
<ul>
${exports}</ul>
<p>OAI-PMH identifier <code>${identifier}</code>, last changed <time datetime="${input.datestamp}">${input.datestamp}</time>:</p>
<ul>
${getRecord}</ul>
</section>`;
}

export interface TombstoneInput {
  site: SiteContext;
  localId: string;
  record: PageRecord;
  repositoryIdentifier: string;
  formatIds: readonly string[];
}

/** The page of a deleted record (served with 410 Gone). */
export function renderTombstonePage(input: TombstoneInput): string {
  const identifier = oaiIdentifier(input.repositoryIdentifier, input.localId);
  return renderPage(input.site, {
    title: 'Record withdrawn',
    noindex: true,
    main: html`<h1>Record withdrawn</h1>
<p>The record <code>${input.localId}</code> was deleted from this repository on <time datetime="${input.record.datestamp}">${input.record.datestamp}</time>. Its address <code>${recordPath(input.localId, input.formatIds)}</code> is kept so that links to it say so.</p>
<p>Harvesters see it as a deleted record (OAI-PMH identifier <code>${identifier}</code>).</p>
<p><a href="/">Back to the repository</a></p>`,
  });
}
