/** HTTP plumbing of the pages: responses with security headers and compression, errors, the login form body. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { deflate, gzip } from 'node:zlib';
import { promisify } from 'node:util';
import { negotiateOaiContentEncoding } from '../oai/index.js';

const gzipAsync = promisify(gzip);
const deflateAsync = promisify(deflate);

/** On every HTML page: no script at all, styles and forms only from this origin, no framing. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
};

/** A request the pages answer with an error page (status, title, one sentence). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export function methodNotAllowed(allow: string): HttpError {
  return new HttpError(405, 'Method not allowed', `This address answers ${allow} only.`, { Allow: allow });
}

/** Sends a body, gzip/deflate-encoded when the client accepts it and it is worth it; HEAD gets the headers only. */
export async function send(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string | Uint8Array,
  headers: Readonly<Record<string, string>>,
): Promise<void> {
  const raw = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
  const coding = raw.length > 1024 ? negotiateOaiContentEncoding(req.headers['accept-encoding']) : 'identity';
  const encoded = coding === 'gzip' ? await gzipAsync(raw) : coding === 'deflate' ? await deflateAsync(raw) : raw;
  const all: Record<string, string> = {
    Vary: 'Accept-Encoding',
    ...headers,
    'Content-Type': contentType,
    'Content-Length': String(encoded.length),
  };
  if (coding !== 'identity') all['Content-Encoding'] = coding;
  res.writeHead(status, all);
  res.end(req.method === 'HEAD' ? undefined : encoded);
}

export function sendPage(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  page: string,
  headers: Readonly<Record<string, string>> = {},
): Promise<void> {
  return send(req, res, status, 'text/html; charset=utf-8', page, { 'Cache-Control': 'no-cache', ...SECURITY_HEADERS, ...headers });
}

export function redirect(res: ServerResponse, location: string, cookie: string): void {
  res.writeHead(303, { Location: location, 'Set-Cookie': cookie, 'Cache-Control': 'no-store', 'Content-Length': '0', ...SECURITY_HEADERS });
  res.end();
}

/**
 * Lets the OAI handler answer as always, adding Accept to its Vary header: the endpoint's
 * answer now depends on Accept, and a shared cache must not give a harvester the HTML.
 */
export function addVaryAccept(res: ServerResponse): void {
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
}

const MAX_FORM_BODY = 4096;

/** A small application/x-www-form-urlencoded body (the login form), at most 4 KiB. */
export async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new HttpError(415, 'Unsupported form', 'The form is sent as application/x-www-form-urlencoded.');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BODY) throw new HttpError(413, 'Form too large', `The form is larger than ${MAX_FORM_BODY} bytes.`);
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
