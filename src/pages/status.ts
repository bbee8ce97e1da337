/** The operators' page (/status) and the admin login form. Read-only views of what deps.statusData returns. */
import { html, joinHtml, type HtmlValue, type SafeHtml } from './html.js';
import { renderPage, type SiteContext } from './layout.js';
import { recordPath } from './paths.js';
import type { DepositView, HarvestSourceView, JobRunView, StatusData, StatusFilters } from './types.js';

export interface StatusPageInput {
  site: SiteContext;
  data: StatusData;
  filters: StatusFilters;
  formatIds: readonly string[];
}

function time(value: string | null | undefined): HtmlValue {
  // Shown to the second ("2024-03-01 09:10:00 UTC"); the exact value stays in datetime.
  const shown = value?.replace(/^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(?:\.\d+)?Z$/, '$1 $2 UTC');
  return value ? html`<time datetime="${value}">${shown}</time>` : '';
}

function counts(values: Readonly<Record<string, number>> | null | undefined): HtmlValue {
  const entries = Object.entries(values ?? {}).filter(([, n]) => n !== 0);
  return entries.length ? joinHtml(entries.map(([name, n]) => `${name} ${n}`), ', ') : '';
}

function cutNote(rows: number, limit: number): HtmlValue {
  return rows >= limit ? html`<p class="muted">Showing the first ${limit} rows.</p>` : '';
}

function harvestTable(sources: readonly HarvestSourceView[]): SafeHtml {
  if (sources.length === 0) return html`<p>No harvest sources are configured.</p>`;
  const rows = sources.map(
    (source) => html`<tr>
<th scope="row">${source.name}</th>
<td><a href="${source.baseUrl}">${source.baseUrl}</a><br><code>${source.metadataPrefix}</code>${source.set ? html` set <code>${source.set}</code>` : ''}</td>
<td>${source.lastRun ? html`<span class="state-${source.lastRun.status}">${source.lastRun.status}</span><br>${time(source.lastRun.startedAt)}${source.lastRun.finishedAt ? html` – ${time(source.lastRun.finishedAt)}` : ''}` : 'never run'}</td>
<td>${counts(source.lastRun?.counts)}</td>
<td>${source.held ? `${source.held.records} held, ${source.held.deleted} deleted, ${source.held.invalid} invalid, ${source.held.quarantined} quarantined` : ''}</td>
<td>${source.lastRun?.error ?? ''}</td>
<td>${time(source.nextRun) || 'not scheduled'}</td>
</tr>
`,
  );
  return html`<div class="table-wrap"><table>
<caption>Harvest sources</caption>
<thead><tr><th scope="col">Source</th><th scope="col">Endpoint</th><th scope="col">Last run</th><th scope="col">Last run counts</th><th scope="col">Records</th><th scope="col">Errors</th><th scope="col">Next run</th></tr></thead>
<tbody>
${rows}</tbody>
</table></div>`;
}

function depositFilter(filters: StatusFilters): SafeHtml {
  const option = (value: string, label: string) =>
    html`<option value="${value}"${(filters.depositState ?? '') === value ? html` selected` : ''}>${label}</option>`;
  return html`<form class="inline" action="/status" method="get">
<label for="deposit-state">Show deposits</label>
<select id="deposit-state" name="deposits">
${option('', 'all')}
${option('failed', 'failed only')}
</select>
<button type="submit">Filter</button>
</form>`;
}

function depositTable(deposits: readonly DepositView[], formatIds: readonly string[]): SafeHtml {
  if (deposits.length === 0) return html`<p>No deposits to show.</p>`;
  const rows = deposits.map(
    (deposit) => html`<tr>
<th scope="row"><span dir="ltr">${deposit.doi}</span></th>
<td><a href="${recordPath(deposit.localId, formatIds)}">${deposit.localId}</a></td>
<td class="state-${deposit.state}">${deposit.state}</td>
<td dir="auto">${deposit.message ?? ''}${deposit.failureSource === 'local' ? html` <span class="muted">(local check, not sent)</span>` : ''}</td>
<td>${deposit.batchId ?? ''}${deposit.submissionId ? html`<br><span class="muted">submission ${deposit.submissionId}</span>` : ''}</td>
<td>${time(deposit.updatedAt)}</td>
</tr>
`,
  );
  return html`<div class="table-wrap"><table>
<caption>Deposits per DOI</caption>
<thead><tr><th scope="col">DOI</th><th scope="col">Record</th><th scope="col">State</th><th scope="col">Crossref message</th><th scope="col">Batch</th><th scope="col">Updated</th></tr></thead>
<tbody>
${rows}</tbody>
</table></div>`;
}

function jobTable(runs: readonly JobRunView[]): SafeHtml {
  if (runs.length === 0) return html`<p>No job has run yet.</p>`;
  const rows = runs.map(
    (run) => html`<tr>
<th scope="row">${run.id}</th>
<td>${run.job}</td>
<td>${run.trigger}</td>
<td>${time(run.startedAt)}</td>
<td>${time(run.endedAt)}</td>
<td class="state-${run.status}">${run.status}</td>
<td>${counts(run.counts)}</td>
<td dir="auto">${run.error ?? ''}</td>
</tr>
`,
  );
  return html`<div class="table-wrap"><table>
<caption>Recent job runs</caption>
<thead><tr><th scope="col">Run</th><th scope="col">Job</th><th scope="col">Trigger</th><th scope="col">Started</th><th scope="col">Ended</th><th scope="col">Status</th><th scope="col">Counts</th><th scope="col">Error</th></tr></thead>
<tbody>
${rows}</tbody>
</table></div>`;
}

export function renderStatusPage(input: StatusPageInput): string {
  const { data, filters } = input;
  return renderPage(input.site, {
    title: 'Status',
    noindex: true,
    main: html`<h1>Status</h1>
<form action="/logout" method="post"><button type="submit">Log out</button></form>
<section aria-labelledby="harvest-heading">
<h2 id="harvest-heading">Harvest sources</h2>
${harvestTable(data.harvestSources)}
${cutNote(data.harvestSources.length, filters.limit)}
</section>
<section aria-labelledby="deposits-heading">
<h2 id="deposits-heading">Crossref deposits</h2>
${depositFilter(filters)}
${depositTable(data.deposits, input.formatIds)}
${cutNote(data.deposits.length, filters.limit)}
</section>
<section aria-labelledby="jobs-heading">
<h2 id="jobs-heading">Recent job runs</h2>
${jobTable(data.jobRuns)}
${cutNote(data.jobRuns.length, filters.limit)}
</section>`,
  });
}

/** The 401 page: what the page is and a form to give the admin token (POST, never in the URL). */
export function renderLoginPage(site: SiteContext, problem: string | undefined): string {
  return renderPage(site, {
    title: 'Operators’ sign-in',
    noindex: true,
    main: html`<h1>Operators’ sign-in</h1>
<p>The status pages are for the people who run this repository. Give the admin token (<code>PUBMETA_ADMIN_TOKEN</code>) to open them; a cookie then keeps you signed in for this browser session.</p>
${problem ? html`<p class="panel error" role="alert">${problem}</p>` : ''}
<form class="inline" action="/login" method="post">
<label for="admin-token">Admin token</label>
<input id="admin-token" type="password" name="token" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>`,
  });
}
