/** The repository home page (/) and the search page (/search). */
import { languagesPrimaryFirst, mainTitleLanguage, present } from '../formats/common.js';
import type { ArticleRecord } from '../model/types.js';
import { html, joinHtml, trustedHtml, type SafeHtml } from './html.js';
import { langAttributes } from './language.js';
import { renderPage, type SiteContext } from './layout.js';
import { recordPath, withQuery } from './paths.js';
import { factList } from './record.js';
import type { ExportFormatInfo, RepositoryDescription, RepositoryStats, SearchHit } from './types.js';

function searchForm(query: string): SafeHtml {
  return html`<form class="inline" role="search" action="/search" method="get">
<label for="search-q">Search titles, authors and DOIs</label>
<input id="search-q" type="search" name="q" value="${query}" required maxlength="300">
<button type="submit">Search</button>
</form>`;
}

export function renderHomePage(
  site: SiteContext,
  info: RepositoryDescription & RepositoryStats,
  exportFormats: readonly ExportFormatInfo[],
): string {
  const oaiLink = (label: string, args: Record<string, string>) => html`<a href="${withQuery(site.oaiPath, args)}">${label}</a>`;
  const sets = info.sets.length
    ? html`<div class="table-wrap"><table>
<caption>Sets</caption>
<thead><tr><th scope="col">Set</th><th scope="col">setSpec</th></tr></thead>
<tbody>
${info.sets.map(
  (set) =>
    html`<tr><td><a href="${withQuery(site.oaiPath, { verb: 'ListRecords', metadataPrefix: 'oai_dc', set: set.setSpec })}" dir="auto">${set.setName}</a></td><td><code>${set.setSpec}</code></td></tr>\n`,
)}</tbody>
</table></div>`
    : html`<p>This repository has no sets.</p>`;
  return renderPage(site, {
    title: info.name,
    main: html`<h1>${info.name}</h1>
<p>${info.recordCount === 1 ? '1 record' : `${info.recordCount} records`} of journal articles, open to people and to harvesters.</p>
${searchForm('')}
<section aria-labelledby="harvest-heading">
<h2 id="harvest-heading">Harvesting</h2>
${factList([
  ['OAI-PMH base URL', html`<a href="${info.oaiBaseUrl}"><code>${info.oaiBaseUrl}</code></a>`],
  ['Contact', joinHtml(info.adminEmails.map((email) => html`<a href="mailto:${email}">${email}</a>`), ', ')],
  ['Metadata formats', joinHtml(info.oaiFormats.map((f) => oaiLink(f.metadataPrefix, { verb: 'ListRecords', metadataPrefix: f.metadataPrefix })), ', ')],
  ['Repository', oaiLink('Identify', { verb: 'Identify' })],
])}
</section>
<section aria-labelledby="sets-heading">
<h2 id="sets-heading">Sets</h2>
<p>Journals and their sections. Each set links to its records.</p>
${sets}
</section>
<section aria-labelledby="formats-heading">
<h2 id="formats-heading">Export formats</h2>
<p>Every record page links to the record in each of these formats.</p>
<ul>
${exportFormats.map((format) => html`<li>${format.label} <span class="muted">(<code>${format.id}</code>, ${format.mediaType})</span></li>\n`)}</ul>
</section>`,
  });
}

function authorsLine(record: ArticleRecord): string {
  const names = record.contributors
    .filter((c) => (c.role ?? 'author') === 'author')
    .map((c) => (c.type === 'organization' ? present(c.name) : [present(c.given), present(c.family)].filter(Boolean).join(' ')))
    .filter((name): name is string => !!name);
  return names.length > 6 ? `${names.slice(0, 6).join(', ')} et al.` : names.join(', ');
}

/** One found record: title (in its language), authors, journal and DOI. */
export function recordSummary(localId: string, record: ArticleRecord, formatIds: readonly string[], headingLevel: 2 | 3): SafeHtml {
  const tag = mainTitleLanguage(record);
  const others = languagesPrimaryFirst(record.title, tag).slice(1);
  const year = record.issue?.year ?? record.dates?.published?.online?.slice(0, 4) ?? record.dates?.published?.print?.slice(0, 4);
  const heading = trustedHtml(`h${headingLevel}`);
  return html`<${heading}><a href="${recordPath(localId, formatIds)}"${langAttributes(tag)}>${record.title[tag]}</a></${heading}>
${others.map((other) => html`<p class="alt-title"${langAttributes(other)}>${record.title[other]}</p>\n`)}<p dir="auto">${authorsLine(record)}</p>
<p class="muted">${record.journal.title}${year ? ` (${year})` : ''} · DOI <span dir="ltr">${record.doi}</span></p>`;
}

export interface SearchPageInput {
  site: SiteContext;
  query: string;
  hits: readonly SearchHit[];
  /** More records matched than are shown. */
  more: boolean;
  formatIds: readonly string[];
}

export function renderSearchPage(input: SearchPageInput): string {
  const { query, hits } = input;
  let results: SafeHtml = html``;
  if (query) {
    const count = hits.length === 1 ? '1 record' : `${hits.length}${input.more ? '+' : ''} records`;
    results = html`<section aria-labelledby="results-heading">
<h2 id="results-heading">Results</h2>
<p role="status">${hits.length === 0 ? html`No records match <q>${query}</q>.` : html`${count} match <q>${query}</q>${input.more ? ' (the first shown; refine the search to see others)' : ''}.`}</p>
${hits.length ? html`<ol class="record-list">
${hits.map((hit) => html`<li><article>${recordSummary(hit.localId, hit.record, input.formatIds, 3)}</article></li>\n`)}</ol>` : ''}
</section>`;
  }
  return renderPage(input.site, {
    title: query ? `Search: ${query}` : 'Search',
    noindex: true,
    main: html`<h1>Search</h1>
${searchForm(query)}
${results}`,
  });
}
