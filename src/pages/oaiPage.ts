/**
 * The OAI-PMH endpoint for people: the engine's XML response, read back and shown as HTML.
 * Nothing is computed a second time, so the page says exactly what a harvester is told:
 * every verb, every error (OAI-PMH 2.0 §3.6) and the resumptionToken paging (§3.5).
 */
import { doiUrl } from '../formats/common.js';
import { parseOaiIdentifier } from '../oai/identifiers.js';
import { html, joinHtml, type HtmlValue, type SafeHtml } from './html.js';
import { renderPage, type SiteContext } from './layout.js';
import { recordPath, withQuery } from './paths.js';
import { factList } from './record.js';
import type { RepositoryDescription } from './types.js';
import { childElement, childElements, childText, deepText, findDescendant, parseXmlTree, type XmlElement } from './xmlTree.js';

export interface OaiPageInput {
  site: SiteContext;
  /** The response the engine produced for the request. */
  xml: string;
  repositoryIdentifier: string;
  /** Export format ids (to build record page links). */
  formatIds: readonly string[];
}

/** §3.6 error codes, with what they mean for the person who made the request. */
const ERROR_EXPLANATIONS: Record<string, string> = {
  badArgument:
    'The request has an argument this verb does not take, lacks a required one, repeats one, or gives a value with illegal syntax.',
  badResumptionToken: 'The resumptionToken is invalid or has expired. Start the list again from its first page.',
  badVerb: 'The verb argument is missing, repeated, or not one of the six OAI-PMH verbs.',
  cannotDisseminateFormat: 'The metadata format is not supported by this repository, or not for this item.',
  idDoesNotExist: 'The identifier is unknown or not legal in this repository.',
  noRecordsMatch: 'No records match the combination of from, until, set and metadataPrefix.',
  noMetadataFormats: 'There are no metadata formats available for this item.',
  noSetHierarchy: 'This repository does not organise its records in sets.',
};

/**
 * HTTP status of the HTML view of an error. The XML keeps 200 (§3.1.2.1); a person's browser
 * and a crawler are better told 400/404 so error pages are not kept as content.
 */
function statusForErrors(codes: readonly string[]): number {
  if (codes.length === 0 || codes.every((code) => code === 'noRecordsMatch')) return 200;
  if (codes.some((code) => code === 'badVerb' || code === 'badArgument' || code === 'badResumptionToken')) return 400;
  return 404;
}

export function renderOaiPage(input: OaiPageInput): { status: number; body: string } {
  const root = parseXmlTree(input.xml);
  const request = childElement(root, 'request');
  const responseDate = childText(root, 'responseDate') ?? '';
  const errors = childElements(root, 'error').map((e) => ({ code: e.attributes.code ?? '', message: e.text }));
  const verbElement = root.children.find((child) => !['responseDate', 'request', 'error'].includes(child.name));
  const verb = verbElement?.name ?? request?.attributes.verb;
  const requestArgs = Object.entries(request?.attributes ?? {});

  const title = errors.length > 0 ? `OAI-PMH ${errors.map((e) => e.code).join(', ')}` : `OAI-PMH ${verb ?? ''}`.trim();
  const main = html`<h1>${title}</h1>
<p class="muted">Response of <code>${request?.text ?? ''}</code> at <time datetime="${responseDate}">${responseDate}</time>${
    requestArgs.length ? html` to ${joinHtml(requestArgs.map(([k, v]) => html`<code>${k}=${v}</code>`), ' ')}` : ''
  }.</p>
${errors.length > 0 ? errorsBlock(errors) : verbBody(input, verbElement)}
${xmlHint(request?.text ?? '', requestArgs)}`;
  // The record pages are what search engines should keep; these views repeat them and expire with their tokens.
  return { status: statusForErrors(errors.map((e) => e.code)), body: renderPage(input.site, { title, main, noindex: true }) };
}

function errorsBlock(errors: readonly { code: string; message: string }[]): SafeHtml {
  return html`${errors.map(
    (error) => html`<div class="panel error">
<h2><code>${error.code}</code></h2>
<p>${error.message}</p>
<p class="muted">${ERROR_EXPLANATIONS[error.code] ?? ''}</p>
</div>
`,
  )}<p><a href="/">Repository home</a></p>`;
}

/** The same request as a harvester makes it (the base URL from the response's request element). */
function xmlHint(baseUrl: string, args: readonly [string, string][]): SafeHtml {
  const url = withQuery(baseUrl, Object.fromEntries(args));
  return html`<p class="muted">Harvesters get this response as OAI-PMH XML (any request that does not prefer text/html): <code>curl '${url}'</code></p>`;
}

function verbBody(input: OaiPageInput, verbElement: XmlElement | undefined): HtmlValue {
  switch (verbElement?.name) {
    case 'Identify':
      return identifyBody(input.site, verbElement);
    case 'ListMetadataFormats':
      return metadataFormatsBody(input.site, verbElement);
    case 'ListSets':
      return setsBody(input.site, verbElement);
    case 'GetRecord':
    case 'ListRecords':
      return recordsBody(input, verbElement);
    case 'ListIdentifiers':
      return identifiersBody(input, verbElement);
    default:
      return html`<p>This response has no content.</p>`;
  }
}

function identifyBody(site: SiteContext, identify: XmlElement): SafeHtml {
  const description = findDescendant(identify, ['oai-identifier']);
  const all = (name: string) => childElements(identify, name).map((e) => e.text);
  return html`${factList([
    ['Repository', childText(identify, 'repositoryName')],
    ['Base URL', html`<code>${childText(identify, 'baseURL') ?? ''}</code>`],
    ['Protocol version', childText(identify, 'protocolVersion')],
    ['Administrators', joinHtml(all('adminEmail').map((email) => html`<a href="mailto:${email}">${email}</a>`), ', ')],
    ['Earliest datestamp', childText(identify, 'earliestDatestamp')],
    ['Deleted records', childText(identify, 'deletedRecord')],
    ['Granularity', childText(identify, 'granularity')],
    ['Compression', all('compression').join(', ') || 'identity'],
    ['Identifier scheme', description ? `${childText(description, 'scheme')}, repository identifier ${childText(description, 'repositoryIdentifier')}` : undefined],
    ['Sample identifier', description ? html`<code>${childText(description, 'sampleIdentifier') ?? ''}</code>` : undefined],
  ])}
<p>${verbLinks(site)}</p>`;
}

function verbLinks(site: SiteContext): SafeHtml {
  return joinHtml(
    [
      html`<a href="${withQuery(site.oaiPath, { verb: 'ListMetadataFormats' })}">Metadata formats</a>`,
      html`<a href="${withQuery(site.oaiPath, { verb: 'ListSets' })}">Sets</a>`,
      html`<a href="${withQuery(site.oaiPath, { verb: 'ListRecords', metadataPrefix: 'oai_dc' })}">Records (oai_dc)</a>`,
    ],
    ' · ',
  );
}

function metadataFormatsBody(site: SiteContext, list: XmlElement): SafeHtml {
  const rows = childElements(list, 'metadataFormat').map((format) => {
    const prefix = childText(format, 'metadataPrefix') ?? '';
    return html`<tr><th scope="row"><a href="${withQuery(site.oaiPath, { verb: 'ListRecords', metadataPrefix: prefix })}"><code>${prefix}</code></a></th><td><a href="${childText(format, 'schema') ?? ''}">${childText(format, 'schema') ?? ''}</a></td><td><code>${childText(format, 'metadataNamespace') ?? ''}</code></td></tr>\n`;
  });
  return html`<p>Each metadataPrefix links to the records in that format.</p>
<div class="table-wrap"><table>
<caption>Metadata formats</caption>
<thead><tr><th scope="col">metadataPrefix</th><th scope="col">Schema</th><th scope="col">Namespace</th></tr></thead>
<tbody>
${rows}</tbody>
</table></div>`;
}

function setsBody(site: SiteContext, list: XmlElement): SafeHtml {
  const rows = childElements(list, 'set').map((set) => {
    const spec = childText(set, 'setSpec') ?? '';
    return html`<tr><th scope="row"><a href="${withQuery(site.oaiPath, { verb: 'ListRecords', metadataPrefix: 'oai_dc', set: spec })}" dir="auto">${childText(set, 'setName') ?? spec}</a></th><td><code>${spec}</code></td></tr>\n`;
  });
  return html`<p>Each set links to its records (oai_dc).</p>
<div class="table-wrap"><table>
<caption>Sets</caption>
<thead><tr><th scope="col">Name</th><th scope="col">setSpec</th></tr></thead>
<tbody>
${rows}</tbody>
</table></div>`;
}

interface OaiHeaderView {
  identifier: string;
  datestamp: string;
  sets: string[];
  deleted: boolean;
}

function readHeader(header: XmlElement | undefined): OaiHeaderView {
  return {
    identifier: childText(header, 'identifier') ?? '',
    datestamp: childText(header, 'datestamp') ?? '',
    sets: childElements(header, 'setSpec').map((s) => s.text),
    deleted: header?.attributes.status === 'deleted',
  };
}

function headerFacts(input: OaiPageInput, header: OaiHeaderView): SafeHtml {
  const localId = parseOaiIdentifier(input.repositoryIdentifier, header.identifier);
  const links: SafeHtml[] = [];
  if (localId !== undefined) links.push(html`<a href="${recordPath(localId, input.formatIds)}">Record page</a>`);
  return factList([
    ['Identifier', html`<code>${header.identifier}</code>`],
    ['Datestamp', html`<time datetime="${header.datestamp}">${header.datestamp}</time>`],
    ['Sets', header.sets.length ? joinHtml(header.sets.map((s) => html`<code>${s}</code>`), ', ') : undefined],
    ['Status', header.deleted ? 'deleted' : undefined],
    ['Links', links.length ? joinHtml(links, ' · ') : undefined],
  ]);
}

function recordsBody(input: OaiPageInput, list: XmlElement): SafeHtml {
  const records = childElements(list, 'record');
  const items = records.map((record) => {
    const header = readHeader(childElement(record, 'header'));
    const metadata = childElement(record, 'metadata')?.children[0];
    const titleElement = metadata ? findDescendant(metadata, ['title', 'article-title']) : undefined;
    const heading = header.deleted ? `Deleted record ${header.identifier}` : titleElement ? deepText(titleElement) : header.identifier;
    const lang = titleElement?.attributes.lang;
    return html`<li><article>
<h2${lang ? html` lang="${lang}"` : ''} dir="auto">${heading}</h2>
${headerFacts(input, header)}
${metadata ? metadataBlock(metadata) : ''}
</article></li>
`;
  });
  return html`${pagingBlock(input.site, list, records.length, 'top')}
<ol class="record-list">
${items}</ol>
${pagingBlock(input.site, list, records.length, 'bottom')}`;
}

function identifiersBody(input: OaiPageInput, list: XmlElement): SafeHtml {
  const headers = childElements(list, 'header').map(readHeader);
  const rows = headers.map((header) => {
    const localId = parseOaiIdentifier(input.repositoryIdentifier, header.identifier);
    const cell = localId !== undefined ? html`<a href="${recordPath(localId, input.formatIds)}"><code>${header.identifier}</code></a>` : html`<code>${header.identifier}</code>`;
    return html`<tr><th scope="row">${cell}</th><td><time datetime="${header.datestamp}">${header.datestamp}</time></td><td>${header.sets.join(', ')}</td><td>${header.deleted ? 'deleted' : ''}</td></tr>\n`;
  });
  return html`${pagingBlock(input.site, list, headers.length, 'top')}
<div class="table-wrap"><table>
<caption>Record headers</caption>
<thead><tr><th scope="col">Identifier</th><th scope="col">Datestamp</th><th scope="col">Sets</th><th scope="col">Status</th></tr></thead>
<tbody>
${rows}</tbody>
</table></div>
${pagingBlock(input.site, list, headers.length, 'bottom')}`;
}

/**
 * "Items 11–20 of 45" and the next-page link (§3.5: the token is the only argument besides
 * verb), above and below the list; only the one below is a navigation landmark.
 */
function pagingBlock(site: SiteContext, list: XmlElement, count: number, where: 'top' | 'bottom'): HtmlValue {
  if (list.name === 'GetRecord') return '';
  const token = childElement(list, 'resumptionToken');
  const cursor = Number(token?.attributes.cursor ?? 0);
  const size = token?.attributes.completeListSize;
  const range = count === 0 ? 'No items' : `Items ${cursor + 1}–${cursor + count}${size !== undefined ? ` of ${size}` : ''}`;
  const next = token?.text
    ? html`<a rel="next" href="${withQuery(site.oaiPath, { verb: list.name, resumptionToken: token.text })}">Next page</a>${
        token.attributes.expirationDate ? html` <span class="muted">(link valid until <time datetime="${token.attributes.expirationDate}">${token.attributes.expirationDate}</time>)</span>` : ''
      }`
    : html`<span class="muted">End of the list.</span>`;
  const content = html`<p>${range}</p>
<p>${next}</p>`;
  return where === 'bottom' ? html`<nav class="pager" aria-label="List pages">
${content}
</nav>` : html`<div class="pager">
${content}
</div>`;
}

/** Metadata of one record: Dublin Core as a list of its elements; other formats as their text fields. */
function metadataBlock(metadata: XmlElement): SafeHtml {
  const rows = metadata.name === 'dc' ? dublinCoreRows(metadata) : leafRows(metadata);
  const limit = 60;
  const shown = rows.slice(0, limit);
  return html`<details>
<summary>Metadata (<code>${metadata.name}</code>, ${rows.length} ${rows.length === 1 ? 'field' : 'fields'})</summary>
<div class="table-wrap"><table>
<caption>Metadata fields</caption>
<thead><tr><th scope="col">Field</th><th scope="col">Value</th></tr></thead>
<tbody>
${shown.map(([field, value, lang]) => html`<tr><th scope="row">${field}</th><td${lang ? html` lang="${lang}"` : ''} dir="auto">${valueCell(value)}</td></tr>\n`)}</tbody>
</table></div>
${rows.length > limit ? html`<p class="muted">${rows.length - limit} more fields; GetRecord for this record shows them all in the XML.</p>` : ''}
</details>`;
}

type FieldRow = [field: string, value: string, lang: string | undefined];

function dublinCoreRows(dc: XmlElement): FieldRow[] {
  return dc.children.map((element) => [element.name, deepText(element), element.attributes.lang]);
}

/** Leaf text of any format, each with its element path ("contrib › name › surname"), in document order. */
function leafRows(root: XmlElement): FieldRow[] {
  const rows: FieldRow[] = [];
  const walk = (element: XmlElement, path: string[], lang: string | undefined) => {
    const here = element.attributes.lang ?? lang;
    if (element.children.length === 0 || element.text !== '') {
      const text = deepText(element);
      if (text !== '') rows.push([path.join(' › '), text, here]);
      return;
    }
    for (const child of element.children) walk(child, [...path, child.name], here);
  };
  for (const child of root.children) walk(child, [child.name], root.attributes.lang);
  return rows;
}

/** Links for URLs and DOIs, text otherwise. */
function valueCell(value: string): HtmlValue {
  if (/^https?:\/\/\S+$/.test(value)) return html`<a href="${value}">${value}</a>`;
  const doi = /^(?:doi:|info:doi\/)?(10\.\d{4,9}\/\S+)$/i.exec(value);
  if (doi) return html`<a href="${doiUrl(doi[1]!)}">${value}</a>`;
  return value;
}

/** /oai opened by a browser without a verb: what the endpoint is and where to start. */
export function renderOaiWelcomePage(site: SiteContext, info: RepositoryDescription): string {
  const link = (label: string, args: Record<string, string>) => html`<a href="${withQuery(site.oaiPath, args)}">${label}</a>`;
  return renderPage(site, {
    title: 'OAI-PMH endpoint',
    main: html`<h1>OAI-PMH endpoint</h1>
<p>This is the OAI-PMH 2.0 interface of ${info.name}. Harvesting software uses the base URL below; in a browser the responses are shown as pages.</p>
${factList([
  ['Base URL', html`<code>${info.oaiBaseUrl}</code>`],
  ['Contact', joinHtml(info.adminEmails.map((email) => html`<a href="mailto:${email}">${email}</a>`), ', ')],
])}
<h2>Requests</h2>
<ul>
<li>${link('Identify', { verb: 'Identify' })}: the repository's description</li>
<li>${link('ListMetadataFormats', { verb: 'ListMetadataFormats' })}: the formats records are available in</li>
<li>${link('ListSets', { verb: 'ListSets' })}: the sets (journals and sections)</li>
${info.oaiFormats.map(
  (format) =>
    html`<li>${link(`ListRecords (${format.metadataPrefix})`, { verb: 'ListRecords', metadataPrefix: format.metadataPrefix })}, ${link(`ListIdentifiers (${format.metadataPrefix})`, { verb: 'ListIdentifiers', metadataPrefix: format.metadataPrefix })}</li>\n`,
)}</ul>`,
  });
}
