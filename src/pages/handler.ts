/**
 * The pages as one node:http request listener. It answers the site (/, /search, /records/...,
 * /status, the stylesheet) and browsers asking for the OAI-PMH endpoint; every other request
 * to the endpoint (harvesters, curl, POST, the XSLT) goes to the OAI handler untouched, so
 * harvesters get the same bytes as without the pages.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log.js';
import { localIdFileStem } from '../model/records.js';
import { checkAdminToken, clearedSessionCookie, constantTimeEqual, isAdminRequest, sessionCookie, type AdminAccess } from './admin.js';
import { renderHomePage, renderSearchPage } from './home.js';
import { html } from './html.js';
import { ICON_PATH, renderMessagePage, STYLESHEET_PATH, type SiteContext } from './layout.js';
import { prefersHtml } from './negotiate.js';
import { renderOaiPage, renderOaiWelcomePage } from './oaiPage.js';
import { parseRecordPath, recordPath, RECORDS_PREFIX } from './paths.js';
import { renderRecordPage, renderTombstonePage } from './record.js';
import { addVaryAccept, HttpError, methodNotAllowed, readForm, redirect, send, sendPage, SECURITY_HEADERS } from './respond.js';
import { renderLoginPage, renderStatusPage } from './status.js';
import { PAGES_CSS, PAGES_ICON_SVG } from './styles.js';
import type { OaiRequestArguments, PagesDeps, RepositoryDescription, StatusFilters } from './types.js';

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

export interface PagesOptions {
  /** The repository as the OAI configuration describes it. */
  repository: RepositoryDescription;
  /**
   * Everything at the OAI-PMH endpoint that is not a browser's GET: createOaiRequestHandler's
   * listener. The pages add `Accept` to its Vary header and change nothing else.
   */
  oaiHandler: Listener;
  /** Path of the OAI-PMH endpoint. Default: the path of repository.oaiBaseUrl. */
  oaiPath?: string;
  /** Public URL of the site root, for canonical links. Default: the origin of repository.oaiBaseUrl. */
  siteUrl?: string;
  /** Operators' pages (/status). Absent: they do not exist (404). */
  admin?: AdminAccess;
  /** Most search results shown. Default 50. */
  searchLimit?: number;
  /** Most rows per /status table. Default 200. */
  statusLimit?: number;
  clock?: () => Date;
  /** Gets method, path and status of each request; never headers, query strings or bodies. */
  logger?: Pick<Logger, 'debug' | 'error'>;
}

/** Paths the pages answer themselves (besides /), so the OAI-PMH endpoint cannot live there. */
const PAGE_PATHS = ['/search', '/status', '/login', '/logout', '/assets', '/records'];

const NO_STORE = { 'Cache-Control': 'no-store' };
const ADMIN_CHALLENGE = { ...NO_STORE, 'WWW-Authenticate': 'Bearer realm="pubmeta admin"' };

/** Everything a request needs, fixed when the handler is made. */
interface Pages {
  deps: PagesDeps;
  options: PagesOptions;
  site: SiteContext;
  oaiPath: string;
  siteUrl: URL;
  secureCookie: boolean;
  clock: () => Date;
}

interface Request {
  req: IncomingMessage;
  res: ServerResponse;
  /** The path as sent (percent-encoding kept), without the query. */
  rawPath: string;
  /** rawPath without trailing slashes. */
  path: string;
  url: URL;
}

function normalizePath(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed;
}

export function createPagesHandler(deps: PagesDeps, options: PagesOptions): Listener {
  const pages = configure(deps, options);
  return (req, res) => {
    const rawPath = (req.url ?? '/').split('?')[0]!;
    const path = normalizePath(rawPath);
    res.on('finish', () => options.logger?.debug({ method: req.method, path, status: res.statusCode }, 'page request'));
    if (path === pages.oaiPath || path.startsWith(`${pages.oaiPath}/`)) {
      const endpoint = path === pages.oaiPath;
      const browser = endpoint && (req.method === 'GET' || req.method === 'HEAD') && prefersHtml(req.headers.accept);
      if (!browser) {
        if (endpoint) addVaryAccept(res);
        return options.oaiHandler(req, res);
      }
    }
    const request: Request = { req, res, rawPath, path, url: new URL(req.url ?? '/', 'http://localhost') };
    route(pages, request)
      .catch((error: unknown) => failed(pages, request, error))
      .catch(() => res.destroy());
  };
}

function configure(deps: PagesDeps, options: PagesOptions): Pages {
  if (options.admin) {
    const problems = checkAdminToken(options.admin.token);
    if (problems.length > 0) throw new Error(`invalid admin configuration: ${problems.join('; ')}`);
  }
  const oaiPath = normalizePath(options.oaiPath ?? new URL(options.repository.oaiBaseUrl).pathname);
  if (oaiPath === '/' || PAGE_PATHS.some((p) => oaiPath === p || oaiPath.startsWith(`${p}/`))) {
    throw new Error(`the OAI-PMH endpoint path ${oaiPath} is taken by the pages; serve OAI-PMH at its own path such as /oai`);
  }
  const siteUrl = new URL(options.siteUrl ?? new URL(options.repository.oaiBaseUrl).origin);
  return {
    deps,
    options,
    site: { name: options.repository.name, oaiPath, adminEnabled: options.admin !== undefined },
    oaiPath,
    siteUrl,
    secureCookie: options.admin?.secureCookie ?? siteUrl.protocol === 'https:',
    clock: options.clock ?? (() => new Date()),
  };
}

async function failed(pages: Pages, { req, res, path }: Request, error: unknown): Promise<void> {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (error instanceof HttpError) {
    return sendPage(req, res, error.status, renderMessagePage(pages.site, error.title, html`<p>${error.message}</p>`), error.headers);
  }
  pages.options.logger?.error({ err: error, method: req.method, path }, 'page request failed');
  return sendPage(req, res, 500, renderMessagePage(pages.site, 'Server error', html`<p>The page could not be made. The error is logged.</p>`));
}

async function route(pages: Pages, request: Request): Promise<void> {
  const { req, res, path } = request;
  const method = req.method ?? 'GET';
  if (pages.site.adminEnabled && (path === '/status' || path === '/login' || path === '/logout')) return serveAdmin(pages, request);
  if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed('GET, HEAD');
  if (path === pages.oaiPath) return serveOaiPage(pages, request);
  if (path === STYLESHEET_PATH) return send(req, res, 200, 'text/css; charset=utf-8', PAGES_CSS, { 'Cache-Control': 'public, max-age=3600', ...SECURITY_HEADERS });
  if (path === ICON_PATH) return send(req, res, 200, 'image/svg+xml', PAGES_ICON_SVG, { 'Cache-Control': 'public, max-age=86400', ...SECURITY_HEADERS });
  if (path === '/') {
    const stats = await pages.deps.repositoryInfo();
    return sendPage(req, res, 200, renderHomePage(pages.site, { ...pages.options.repository, ...stats }, pages.deps.exportFormats));
  }
  if (path === '/search') return serveSearch(pages, request);
  if (request.rawPath.startsWith(RECORDS_PREFIX)) return serveRecord(pages, request);
  throw new HttpError(404, 'Page not found', 'There is no page at this address.');
}

function formatIds(pages: Pages): string[] {
  return pages.deps.exportFormats.map((f) => f.id);
}

async function serveOaiPage(pages: Pages, { req, res, url }: Request): Promise<void> {
  const headers = { Vary: 'Accept, Accept-Encoding', 'Cache-Control': 'no-cache' };
  const args: OaiRequestArguments = {};
  for (const [key, value] of url.searchParams) (args[key] ??= []).push(value);
  // No arguments at all: a person opened the endpoint's address; explain it rather than say badVerb.
  if (Object.keys(args).length === 0) return sendPage(req, res, 200, renderOaiWelcomePage(pages.site, pages.options.repository), headers);
  const xml = await pages.deps.renderOai(args);
  const page = renderOaiPage({ site: pages.site, xml, repositoryIdentifier: pages.options.repository.repositoryIdentifier, formatIds: formatIds(pages) });
  return sendPage(req, res, page.status, page.body, headers);
}

async function serveSearch(pages: Pages, { req, res, url }: Request): Promise<void> {
  const query = (url.searchParams.get('q') ?? '').trim().slice(0, 300);
  const limit = pages.options.searchLimit ?? 50;
  const found = query ? await pages.deps.searchRecords(query, limit + 1) : [];
  const page = renderSearchPage({ site: pages.site, query, hits: found.slice(0, limit), more: found.length > limit, formatIds: formatIds(pages) });
  return sendPage(req, res, 200, page);
}

async function serveRecord(pages: Pages, request: Request): Promise<void> {
  const { req, res } = request;
  const ids = formatIds(pages);
  const route = parseRecordPath(request.rawPath, ids);
  if (!route) throw new HttpError(404, 'Record not found', 'This is not the address of a record.');
  const stored = await pages.deps.getRecord(route.localId);
  if (!stored) throw new HttpError(404, 'Record not found', `There is no record ${route.localId} in this repository.`);
  const { repositoryIdentifier, oaiFormats } = pages.options.repository;
  if (stored.deleted || !stored.record) {
    const tombstone = renderTombstonePage({ site: pages.site, localId: route.localId, record: stored, repositoryIdentifier, formatIds: ids });
    return sendPage(req, res, 410, tombstone);
  }
  if (route.formatId !== undefined) return serveExport(pages, request, route.localId, route.formatId);
  const pageUrl = new URL(recordPath(route.localId, ids), pages.siteUrl).href;
  const head = await pages.deps.recordHead(stored.record, { url: pageUrl, localId: route.localId });
  const unavailable = await pages.deps.formatAvailability?.(stored.record);
  const body = renderRecordPage({
    ...(unavailable ? { unavailable } : {}),
    site: pages.site,
    localId: route.localId,
    record: stored.record,
    datestamp: stored.datestamp,
    exportFormats: pages.deps.exportFormats,
    oaiFormats,
    repositoryIdentifier,
    pageUrl,
    head,
  });
  return sendPage(req, res, 200, body);
}

async function serveExport(pages: Pages, { req, res }: Request, localId: string, formatId: string): Promise<void> {
  const format = pages.deps.exportFormats.find((f) => f.id === formatId)!;
  const result = await pages.deps.exportRecord(localId, formatId);
  if (!result.ok) throw new HttpError(404, 'Format not available', `The record ${localId} cannot be given as ${format.label}: ${result.reason}`);
  const type = typeof result.body === 'string' && !/charset=/i.test(result.mediaType) ? `${result.mediaType}; charset=utf-8` : result.mediaType;
  return send(req, res, 200, type, result.body, {
    'Content-Disposition': `inline; filename="${localIdFileStem(localId)}.${format.extension ?? format.id}"`,
    // An export is data, never a page of this site: no script, no styles, no same-origin powers.
    'Content-Security-Policy': "default-src 'none'; sandbox",
    'X-Content-Type-Options': 'nosniff',
  });
}

async function serveAdmin(pages: Pages, request: Request): Promise<void> {
  const { req, res, path } = request;
  const admin = pages.options.admin!;
  const method = req.method ?? 'GET';
  if (path === '/logout') {
    if (method !== 'POST') throw methodNotAllowed('POST');
    return redirect(res, '/', clearedSessionCookie(pages.secureCookie));
  }
  if (path === '/login') {
    if (method === 'GET' || method === 'HEAD') return sendPage(req, res, 200, renderLoginPage(pages.site, undefined), NO_STORE);
    if (method !== 'POST') throw methodNotAllowed('GET, HEAD, POST');
    const token = (await readForm(req)).get('token');
    if (token !== null && constantTimeEqual(token, admin.token)) return redirect(res, '/status', sessionCookie(admin, pages.secureCookie, pages.clock()));
    return sendPage(req, res, 401, renderLoginPage(pages.site, 'That is not the admin token.'), ADMIN_CHALLENGE);
  }
  if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed('GET, HEAD');
  if (!isAdminRequest(req.headers, admin, pages.secureCookie, pages.clock())) {
    return sendPage(req, res, 401, renderLoginPage(pages.site, undefined), ADMIN_CHALLENGE);
  }
  const filters: StatusFilters = { limit: pages.options.statusLimit ?? 200 };
  if (request.url.searchParams.get('deposits') === 'failed') filters.depositState = 'failed';
  const data = await pages.deps.statusData(filters);
  return sendPage(req, res, 200, renderStatusPage({ site: pages.site, data, filters, formatIds: formatIds(pages) }), NO_STORE);
}
