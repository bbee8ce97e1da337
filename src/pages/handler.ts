/**
 * The pages as one node:http request listener. It answers the site (/, /search, /records/...,
 * /status, the stylesheet) and browsers asking for the OAI-PMH endpoint; every other request
 * to the endpoint (harvesters, curl, POST, the XSLT) goes to the OAI handler untouched, so
 * harvesters get the same bytes as without the pages.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzip, deflate } from 'node:zlib';
import { promisify } from 'node:util';
import type { Logger } from '../log.js';
import { localIdFileStem } from '../model/records.js';
import { negotiateOaiContentEncoding } from '../oai/index.js';
import { checkAdminToken, clearedSessionCookie, constantTimeEqual, isAdminRequest, sessionCookie, type AdminAccess } from './admin.js';
import { renderHomePage, renderSearchPage } from './home.js';
import { html } from './html.js';
import { ICON_PATH, renderMessagePage, STYLESHEET_PATH, type SiteContext } from './layout.js';
import { prefersHtml } from './negotiate.js';
import { renderOaiPage, renderOaiWelcomePage } from './oaiPage.js';
import { parseRecordPath, recordPath, RECORDS_PREFIX } from './paths.js';
import { renderRecordPage, renderTombstonePage } from './record.js';
import { renderLoginPage, renderStatusPage } from './status.js';
import { PAGES_CSS, PAGES_ICON_SVG } from './styles.js';
import type { DepositStateView, OaiRequestArguments, PagesDeps, RepositoryDescription } from './types.js';

const gzipAsync = promisify(gzip);
const deflateAsync = promisify(deflate);

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

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
};

const MAX_LOGIN_BODY = 4096;

/** Paths the pages answer themselves (besides /), so the OAI-PMH endpoint cannot live there. */
const PAGE_PATHS = ['/search', '/status', '/login', '/logout', '/assets', '/records'];

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
  ) {
    super(message);
  }
}

function normalizePath(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed;
}

export function createPagesHandler(deps: PagesDeps, options: PagesOptions): Listener {
  if (options.admin) {
    const problems = checkAdminToken(options.admin.token);
    if (problems.length > 0) throw new Error(`invalid admin configuration: ${problems.join('; ')}`);
  }
  const oaiPath = normalizePath(options.oaiPath ?? new URL(options.repository.oaiBaseUrl).pathname);
  if (oaiPath === '/' || PAGE_PATHS.some((p) => oaiPath === p || oaiPath.startsWith(`${p}/`))) {
    throw new Error(`the OAI-PMH endpoint path ${oaiPath} is taken by the pages; serve OAI-PMH at its own path such as /oai`);
  }
  const siteUrl = new URL(options.siteUrl ?? new URL(options.repository.oaiBaseUrl).origin);
  const secureCookie = options.admin?.secureCookie ?? siteUrl.protocol === 'https:';
  const clock = options.clock ?? (() => new Date());
  const site: SiteContext = { name: options.repository.name, oaiPath, adminEnabled: options.admin !== undefined };
  const formatIds = () => deps.exportFormats.map((f) => f.id);

  return (req, res) => {
    const rawPath = (req.url ?? '/').split('?')[0]!;
    const path = normalizePath(rawPath);
    res.on('finish', () => options.logger?.debug({ method: req.method, path, status: res.statusCode }, 'page request'));
    if (path === oaiPath || path.startsWith(`${oaiPath}/`)) {
      const browser = path === oaiPath && (req.method === 'GET' || req.method === 'HEAD') && prefersHtml(req.headers.accept);
      if (!browser) return delegateToOai(req, res, path === oaiPath);
    }
    route(req, res, path, rawPath)
      .catch((error: unknown) => failed(req, res, path, error))
      .catch(() => res.destroy());
  };

  async function failed(req: IncomingMessage, res: ServerResponse, path: string, error: unknown): Promise<void> {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (error instanceof HttpError) return sendPage(req, res, error.status, renderMessagePage(site, error.title, html`<p>${error.message}</p>`));
    options.logger?.error({ err: error, method: req.method, path }, 'page request failed');
    return sendPage(req, res, 500, renderMessagePage(site, 'Server error', html`<p>The page could not be made. The error is logged.</p>`));
  }

  /** The OAI handler's response, with Vary: Accept added because /oai now depends on Accept. */
  function delegateToOai(req: IncomingMessage, res: ServerResponse, negotiated: boolean): void {
    if (!negotiated) return options.oaiHandler(req, res);
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
    (res as { writeHead: unknown }).writeHead = (...args: unknown[]) => {
      const headers = args.find((arg, i) => i > 0 && typeof arg === 'object' && arg !== null && !Array.isArray(arg)) as
        | Record<string, string | number | string[]>
        | undefined;
      const key = headers ? Object.keys(headers).find((k) => k.toLowerCase() === 'vary') : undefined;
      const current = key ? headers![key] : res.getHeader('Vary');
      const vary = current === undefined ? 'Accept' : `Accept, ${String(current)}`;
      if (headers && key) headers[key] = vary;
      else res.setHeader('Vary', vary);
      return writeHead(...args);
    };
    options.oaiHandler(req, res);
  }

  async function route(req: IncomingMessage, res: ServerResponse, path: string, rawPath: string): Promise<void> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://localhost');
    const readOnly = () => {
      if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed(res, 'GET, HEAD');
    };
    if (path === oaiPath) return serveOaiPage(req, res, url);
    if (path === STYLESHEET_PATH) {
      readOnly();
      return send(req, res, 200, 'text/css; charset=utf-8', PAGES_CSS, { 'Cache-Control': 'public, max-age=3600', 'X-Content-Type-Options': 'nosniff' });
    }
    if (path === ICON_PATH) {
      readOnly();
      return send(req, res, 200, 'image/svg+xml', PAGES_ICON_SVG, { 'Cache-Control': 'public, max-age=86400', ...SECURITY_HEADERS });
    }
    if (path === '/') {
      readOnly();
      const stats = await deps.repositoryInfo();
      return sendPage(req, res, 200, renderHomePage(site, { ...options.repository, ...stats }, deps.exportFormats));
    }
    if (path === '/search') {
      readOnly();
      return serveSearch(req, res, url);
    }
    if (rawPath.startsWith(RECORDS_PREFIX)) {
      readOnly();
      return serveRecord(req, res, rawPath);
    }
    if (options.admin && (path === '/status' || path === '/login' || path === '/logout')) return serveAdmin(req, res, path, url, options.admin);
    throw new HttpError(404, 'Page not found', 'There is no page at this address.');
  }

  function methodNotAllowed(res: ServerResponse, allow: string): HttpError {
    res.setHeader('Allow', allow);
    return new HttpError(405, 'Method not allowed', `This address answers ${allow} only.`);
  }

  async function serveOaiPage(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const vary = { Vary: 'Accept, Accept-Encoding', 'Cache-Control': 'no-cache' };
    const args: OaiRequestArguments = {};
    for (const [key, value] of url.searchParams) (args[key] ??= []).push(value);
    if (Object.keys(args).length === 0) return sendPage(req, res, 200, renderOaiWelcomePage(site, options.repository), vary);
    const xml = await deps.renderOai(args);
    const page = renderOaiPage({ site, xml, repositoryIdentifier: options.repository.repositoryIdentifier, formatIds: formatIds() });
    return sendPage(req, res, page.status, page.body, vary);
  }

  async function serveSearch(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const query = (url.searchParams.get('q') ?? '').trim().slice(0, 300);
    const limit = options.searchLimit ?? 50;
    const found = query ? await deps.searchRecords(query, limit + 1) : [];
    const page = renderSearchPage({ site, query, hits: found.slice(0, limit), more: found.length > limit, formatIds: formatIds() });
    return sendPage(req, res, 200, page);
  }

  async function serveRecord(req: IncomingMessage, res: ServerResponse, rawPath: string): Promise<void> {
    const ids = formatIds();
    const route = parseRecordPath(rawPath, ids);
    if (!route) throw new HttpError(404, 'Record not found', 'This is not the address of a record.');
    const stored = await deps.getRecord(route.localId);
    if (!stored) throw new HttpError(404, 'Record not found', `There is no record ${route.localId} in this repository.`);
    const { repositoryIdentifier } = options.repository;
    if (stored.deleted || !stored.record) {
      return sendPage(req, res, 410, renderTombstonePage({ site, localId: route.localId, record: stored, repositoryIdentifier, formatIds: ids }));
    }
    if (route.formatId !== undefined) return serveExport(req, res, route.localId, route.formatId);
    const pageUrl = new URL(recordPath(route.localId, ids), siteUrl).href;
    const head = await deps.recordHead(stored.record, { url: pageUrl, localId: route.localId });
    const body = renderRecordPage({
      site,
      localId: route.localId,
      record: stored.record,
      datestamp: stored.datestamp,
      exportFormats: deps.exportFormats,
      oaiFormats: options.repository.oaiFormats,
      repositoryIdentifier,
      pageUrl,
      head,
    });
    return sendPage(req, res, 200, body);
  }

  async function serveExport(req: IncomingMessage, res: ServerResponse, localId: string, formatId: string): Promise<void> {
    const format = deps.exportFormats.find((f) => f.id === formatId)!;
    const result = await deps.exportRecord(localId, formatId);
    if (!result.ok) throw new HttpError(404, 'Format not available', `The record ${localId} cannot be given as ${format.label}: ${result.reason}`);
    const type = typeof result.body === 'string' && !/charset=/i.test(result.mediaType) ? `${result.mediaType}; charset=utf-8` : result.mediaType;
    const fileName = `${localIdFileStem(localId)}.${format.extension ?? format.id}`;
    return send(req, res, 200, type, result.body, {
      'Content-Disposition': `inline; filename="${fileName}"`,
      // An export is data, never a page of this site: no script, no styles, no same-origin powers.
      'Content-Security-Policy': "default-src 'none'; sandbox",
      'X-Content-Type-Options': 'nosniff',
    });
  }

  async function serveAdmin(req: IncomingMessage, res: ServerResponse, path: string, url: URL, admin: AdminAccess): Promise<void> {
    const method = req.method ?? 'GET';
    const noStore = { 'Cache-Control': 'no-store' };
    if (path === '/logout') {
      if (method !== 'POST') throw methodNotAllowed(res, 'POST');
      return redirect(res, '/', clearedSessionCookie(secureCookie));
    }
    if (path === '/login') {
      if (method === 'GET' || method === 'HEAD') return sendPage(req, res, 200, renderLoginPage(site, undefined), noStore);
      if (method !== 'POST') throw methodNotAllowed(res, 'GET, HEAD, POST');
      const token = await readLoginToken(req);
      if (token !== undefined && constantTimeEqual(token, admin.token)) return redirect(res, '/status', sessionCookie(admin, secureCookie, clock()));
      return sendPage(req, res, 401, renderLoginPage(site, 'That is not the admin token.'), { ...noStore, 'WWW-Authenticate': 'Bearer realm="pubmeta admin"' });
    }
    if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed(res, 'GET, HEAD');
    if (!isAdminRequest(req.headers, admin, secureCookie, clock())) {
      return sendPage(req, res, 401, renderLoginPage(site, undefined), { ...noStore, 'WWW-Authenticate': 'Bearer realm="pubmeta admin"' });
    }
    const depositState = url.searchParams.get('deposits') === 'failed' ? ('failed' as DepositStateView) : undefined;
    const filters = { limit: options.statusLimit ?? 200, ...(depositState ? { depositState } : {}) };
    const data = await deps.statusData(filters);
    return sendPage(req, res, 200, renderStatusPage({ site, data, filters, formatIds: formatIds() }), noStore);
  }

  function redirect(res: ServerResponse, location: string, cookie: string): void {
    res.writeHead(303, { Location: location, 'Set-Cookie': cookie, 'Cache-Control': 'no-store', 'Content-Length': '0', ...SECURITY_HEADERS });
    res.end();
  }

  function sendPage(req: IncomingMessage, res: ServerResponse, status: number, page: string, headers: Record<string, string> = {}): Promise<void> {
    return send(req, res, status, 'text/html; charset=utf-8', page, { 'Cache-Control': 'no-cache', ...SECURITY_HEADERS, ...headers });
  }
}

/** The token field of the login form (application/x-www-form-urlencoded, at most 4 KiB). */
async function readLoginToken(req: IncomingMessage): Promise<string | undefined> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') throw new HttpError(415, 'Unsupported form', 'The sign-in form is sent as application/x-www-form-urlencoded.');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_LOGIN_BODY) throw new HttpError(413, 'Form too large', 'The sign-in form is larger than it can be.');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8')).get('token') ?? undefined;
}

async function send(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string | Uint8Array,
  headers: Record<string, string>,
): Promise<void> {
  const raw = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
  const coding = raw.length > 1024 ? negotiateOaiContentEncoding(req.headers['accept-encoding']) : 'identity';
  const encoded = coding === 'gzip' ? await gzipAsync(raw) : coding === 'deflate' ? await deflateAsync(raw) : raw;
  const vary = headers.Vary ?? 'Accept-Encoding';
  const all: Record<string, string> = { ...headers, 'Content-Type': contentType, 'Content-Length': String(encoded.length), Vary: vary };
  if (coding !== 'identity') all['Content-Encoding'] = coding;
  res.writeHead(status, all);
  res.end(req.method === 'HEAD' ? undefined : encoded);
}
