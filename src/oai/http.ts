import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Writable } from 'node:stream';
import { createDeflate, createGzip, deflate, gzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { RecordRepository } from '../store/types.js';
import type { Logger } from '../log.js';
import { checkOaiConfig, type OaiConfig } from './config.js';
import { answerOaiRequest, oaiErrorResponse, type OaiArguments, type OaiPart } from './engine.js';
import { OAI_STYLESHEET } from './stylesheet.js';

const gzipAsync = promisify(gzip);
const deflateAsync = promisify(deflate);

export interface OaiRequestHandlerOptions {
  /** The records served (a Store's `records`). */
  store: RecordRepository;
  config: OaiConfig;
  /** Clock for responseDate, datestamp bounds and token expiry. Default: system clock. */
  clock?: () => Date;
  /**
   * List requests (ListRecords, ListIdentifiers) worked on at once; beyond that, 503 with
   * Retry-After (guidelines-repository §6.1). A request counts from the moment its body has fully
   * arrived and its handling starts until its response is written: connections still sending
   * headers or a body never count (the server's header and request timeouts bound them).
   * Other verbs (Identify, GetRecord, ListMetadataFormats, ListSets) are cheap and have a reserve
   * of as many again on top. Default 16.
   */
  maxInFlight?: number;
  /** Retry-After seconds on 503. Default 10. */
  retryAfterSeconds?: number;
  /**
   * Path of the endpoint. Default: the path of config.baseUrl. false: answer OAI-PMH on any
   * path (for mounting under a prefix that a framework strips); the stylesheet is then any
   * path ending in /oai2.xsl.
   */
  path?: string | false;
  /** Largest POST body accepted. Default 64 KiB. */
  maxBodyBytes?: number;
  logger?: Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
}

type Coding = 'gzip' | 'deflate' | 'identity';

/**
 * Picks the response coding from Accept-Encoding (RFC 9110 §12.5.3, q-values). identity is
 * always available (OAI-PMH §3.1.3) and used without the header or when the client weights it
 * at least as high as the codings it names; among equal q-values gzip wins over deflate.
 */
export function negotiateEncoding(acceptEncoding: string | undefined): Coding {
  if (!acceptEncoding || !acceptEncoding.trim()) return 'identity';
  const q = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name, ...params] = part.trim().split(';');
    const coding = name?.trim().toLowerCase();
    if (!coding) continue;
    let weight = 1;
    for (const param of params) {
      const [key, value] = param.split('=').map((s) => s.trim());
      if (key?.toLowerCase() === 'q') {
        const parsed = Number(value);
        weight = Number.isFinite(parsed) && parsed >= 0 && parsed <= 1 ? parsed : 0;
      }
    }
    q.set(coding, Math.max(weight, q.get(coding) ?? 0));
  }
  const weightOf = (coding: string, aliases: string[] = []) => {
    for (const name of [coding, ...aliases]) if (q.has(name)) return q.get(name)!;
    return q.get('*') ?? 0;
  };
  // identity not listed: still acceptable (RFC 9110 §12.5.3), but below any coding the client named.
  const identity = q.has('identity') ? q.get('identity')! : q.has('*') ? q.get('*')! : Number.MIN_VALUE;
  let best: Coding = 'identity';
  let bestWeight = 0;
  for (const [coding, weight] of [
    ['gzip', weightOf('gzip', ['x-gzip'])],
    ['deflate', weightOf('deflate')],
  ] as const) {
    if (weight > bestWeight) {
      best = coding;
      bestWeight = weight;
    }
  }
  return bestWeight > 0 && bestWeight >= identity ? best : 'identity';
}

/** OAI-PMH arguments from a query string or form body, every value of repeated keys kept. */
export function parseOaiArguments(...sources: URLSearchParams[]): OaiArguments {
  const args: OaiArguments = {};
  for (const params of sources) {
    for (const [key, value] of params) (args[key] ??= []).push(value);
  }
  return args;
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLarge());
        req.pause();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * A node:http request listener serving the OAI-PMH endpoint and its stylesheet. Mount it in
 * node:http directly, in Express (`app.use('/oai', handler)` with path: false) or in Fastify
 * (through its raw request/response).
 */
export function createOaiRequestHandler(options: OaiRequestHandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const problems = checkOaiConfig(options.config);
  if (problems.length > 0) throw new Error(`invalid OAI-PMH configuration: ${problems.join('; ')}`);
  const clock = options.clock ?? (() => new Date());
  const maxInFlight = options.maxInFlight ?? 16;
  const retryAfter = String(options.retryAfterSeconds ?? 10);
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024;
  const endpointPath = options.path === undefined ? normalizePath(new URL(options.config.baseUrl).pathname) : options.path;
  const stylesheetPath = endpointPath === false ? undefined : `${endpointPath === '/' ? '' : endpointPath}/oai2.xsl`;
  const logger = options.logger;
  const guard = new WorkGuard(maxInFlight);
  const turns = new Turns();
  const pause = () => turns.next();

  return (req, res) => {
    const started = process.hrtime.bigint();
    res.on('close', () =>
      logger?.debug({ method: req.method, url: req.url, status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 }, 'oai request'),
    );
    serve(req, res).catch((error: unknown) => {
      logger?.error({ err: error, url: req.url }, 'OAI-PMH request failed');
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('Internal server error.\n');
      } else {
        res.destroy();
      }
    });
  };

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const pathname = normalizePath(url.pathname);
    const method = req.method ?? 'GET';

    const isStylesheet = stylesheetPath === undefined ? pathname.endsWith('/oai2.xsl') : pathname === stylesheetPath;
    if (isStylesheet) {
      if (method !== 'GET' && method !== 'HEAD') return methodNotAllowed(res, 'GET, HEAD');
      return send(req, res, 200, 'text/xsl; charset=utf-8', OAI_STYLESHEET, { 'Cache-Control': 'public, max-age=3600' });
    }
    if (endpointPath !== false && pathname !== endpointPath) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`Not found. The OAI-PMH endpoint is ${endpointPath}\n`);
      return;
    }

    let args: OaiArguments;
    if (method === 'GET' || method === 'HEAD') {
      args = parseOaiArguments(url.searchParams);
    } else if (method === 'POST') {
      const mediaType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      let body: Buffer;
      try {
        body = await readBody(req, maxBodyBytes);
      } catch (error) {
        if (!(error instanceof BodyTooLarge)) throw error;
        res.writeHead(413, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
        res.end(`Request body larger than ${maxBodyBytes} bytes.\n`);
        return;
      }
      if (mediaType !== 'application/x-www-form-urlencoded') {
        // §3.1.1.2: POST arguments must be application/x-www-form-urlencoded.
        const xml = oaiErrorResponse(options.config, clock(), [
          { code: 'badArgument', message: `POST requests must have Content-Type application/x-www-form-urlencoded, not '${mediaType || 'none'}'.` },
        ]);
        return send(req, res, 200, 'text/xml; charset=utf-8', xml, { 'Cache-Control': 'no-cache' });
      }
      // Arguments in the URL of a POST count too, so a repeat across both is seen as one.
      args = parseOaiArguments(url.searchParams, new URLSearchParams(body.toString('utf8')));
    } else {
      return methodNotAllowed(res, 'GET, HEAD, POST');
    }

    // The request has fully arrived: from here on it is work, and counts.
    const heavy = (args.verb ?? []).some((verb) => verb === 'ListRecords' || verb === 'ListIdentifiers');
    const release = guard.enter(heavy);
    if (!release) {
      res.writeHead(503, { 'Retry-After': retryAfter, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`Too many requests in progress; retry after ${retryAfter} seconds.\n`);
      return;
    }
    try {
      const parts = await answerOaiRequest(args, options.store, options.config, clock(), { pause });
      // §3.1.2: OAI-PMH errors travel with HTTP 200.
      await sendParts(req, res, parts);
    } finally {
      release();
    }
  }

  /**
   * Writes a response made of parts. Up to STREAM_THRESHOLD it is sent whole. A larger one (a
   * page of records) uncompressed has a Content-Length and all its parts go in one corked write:
   * the page is in memory already, and one writev of it costs a fraction of streaming it
   * part by part (a chunk header and a string encoding per part); the socket takes it
   * asynchronously, so other requests are served while it drains. Compressed, it is streamed
   * through a zlib stream (compressing a page whole would hold it twice), honouring backpressure.
   */
  async function sendParts(req: IncomingMessage, res: ServerResponse, parts: OaiPart[]): Promise<void> {
    const headers = { 'Cache-Control': 'no-cache' };
    const coding = negotiateEncoding(req.headers['accept-encoding']);
    let length = 0;
    for (const part of parts) length += part.length;
    if (length <= STREAM_THRESHOLD) return send(req, res, 200, 'text/xml; charset=utf-8', joinParts(parts), headers);
    const head: Record<string, string> = { 'Content-Type': 'text/xml; charset=utf-8', Vary: 'Accept-Encoding', ...headers };
    if (coding === 'identity') {
      // Text parts go to the socket as strings (encoded by the write itself, in native memory).
      let bytes = 0;
      for (const part of parts) bytes += typeof part === 'string' ? Buffer.byteLength(part, 'utf8') : part.length;
      res.writeHead(200, { ...head, 'Content-Length': String(bytes) });
      if (req.method === 'HEAD') return void res.end();
      res.cork();
      for (const part of parts) res.write(part);
      res.end();
      res.uncork();
      return;
    }
    res.writeHead(200, { ...head, 'Content-Encoding': coding });
    if (req.method === 'HEAD') return void res.end();
    const sink = coding === 'gzip' ? createGzip() : createDeflate();
    sink.pipe(res);
    await writeParts(sink, res, parts);
  }

  async function send(
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    contentType: string,
    text: string | Buffer,
    extraHeaders: Record<string, string>,
  ): Promise<void> {
    const coding = negotiateEncoding(req.headers['accept-encoding']);
    const raw = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    const body = coding === 'gzip' ? await gzipAsync(raw) : coding === 'deflate' ? await deflateAsync(raw) : raw;
    const headers: Record<string, string> = {
      'Content-Type': contentType,
      'Content-Length': String(body.length),
      Vary: 'Accept-Encoding',
      ...extraHeaders,
    };
    if (coding !== 'identity') headers['Content-Encoding'] = coding;
    res.writeHead(status, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  }
}

/** Responses larger than this (characters or bytes) are written part by part. */
const STREAM_THRESHOLD = 64 * 1024;
/** Bytes handed to zlib at a time. */
const ZLIB_BLOCK = 64 * 1024;

function joinParts(parts: readonly OaiPart[]): Buffer {
  return Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : part)));
}

/**
 * Writes parts to a zlib stream through one reused block of ZLIB_BLOCK bytes: each write is a
 * round trip to the thread pool, so one per part would cost more than compressing a small part,
 * and a new buffer per block would pile up until the next garbage collection. The next block is
 * filled once the previous one is compressed (which also waits for the client), or the response
 * is closed.
 */
async function writeParts(sink: Writable, res: ServerResponse, parts: readonly OaiPart[]): Promise<void> {
  const closed = new Promise<void>((resolve) => res.once('close', resolve));
  const block = spareBlocks.pop() ?? Buffer.allocUnsafe(ZLIB_BLOCK);
  let used = 0;
  /** Hands the block to zlib; false if the response closed before zlib had read it. */
  const flush = async (): Promise<boolean> => {
    let read = false;
    const written = new Promise<void>((resolve) =>
      sink.write(block.subarray(0, used), () => {
        read = true;
        resolve();
      }),
    );
    used = 0;
    await Promise.race([written, closed]);
    return read && !res.destroyed;
  };
  for (const part of parts) {
    const bytes = typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
    for (let offset = 0; offset < bytes.length; ) {
      const copied = bytes.copy(block, used, offset);
      used += copied;
      offset += copied;
      if (used < block.length) continue;
      // Closed early: zlib may still be reading the block, which is then not reused.
      if (!(await flush())) return void sink.destroy();
    }
  }
  if (used > 0 && !(await flush())) return void sink.destroy();
  sink.end();
  if (spareBlocks.length < MAX_SPARE_BLOCKS) spareBlocks.push(block);
}

/** Blocks of finished compressed responses, reused by the next ones (a new one each would be garbage). */
const spareBlocks: Buffer[] = [];
const MAX_SPARE_BLOCKS = 16;

/**
 * Turns for long work: next() resolves one waiter per event-loop iteration (in the check phase,
 * after the poll phase has taken in new requests and socket events), in arrival order. However
 * many lists are being worked on, a new request waits for at most one slice of work before its
 * own handler runs, instead of one slice of every list in flight.
 */
class Turns {
  private readonly waiting: (() => void)[] = [];
  private scheduled = false;

  next(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.waiting.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.waiting.shift()!();
      // Queued from the check phase, so it runs in the next iteration, after the next poll.
      this.schedule();
    });
  }
}

/**
 * Counts work in flight: list requests up to `max`, and every request up to twice that (so
 * Identify and GetRecord keep a reserve while lists fill their share). enter() returns the
 * release function, or undefined when over the limit.
 */
class WorkGuard {
  private heavy = 0;
  private total = 0;
  constructor(private readonly max: number) {}

  enter(heavy: boolean): (() => void) | undefined {
    if (heavy ? this.heavy >= this.max : this.total >= 2 * this.max) return undefined;
    if (heavy) this.heavy++;
    this.total++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (heavy) this.heavy--;
      this.total--;
    };
  }
}

function methodNotAllowed(res: ServerResponse, allow: string): void {
  res.writeHead(405, { Allow: allow, 'Content-Type': 'text/plain; charset=utf-8' });
  res.end('Method not allowed.\n');
}

function normalizePath(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed;
}

export interface StartOaiServerOptions extends Omit<OaiRequestHandlerOptions, 'config'> {
  /** baseUrl may be left out: it is then http://<host>:<bound port>/oai. */
  config: Omit<OaiConfig, 'baseUrl'> & { baseUrl?: string };
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Time in-flight requests get to finish on close before connections are cut. Default 5000 ms. */
  shutdownGraceMs?: number;
  /** Seconds a client has to send the request headers (node's server.headersTimeout). Default 20. */
  headersTimeoutSeconds?: number;
  /** Seconds a client has to send the whole request, headers and body (server.requestTimeout). Default 60. */
  requestTimeoutSeconds?: number;
  /**
   * A listener in front of the OAI-PMH handler (the pages for people: createPagesHandler), made
   * once the configuration is complete (baseUrl known). It passes harvesters' requests on.
   */
  front?: (oaiHandler: (req: IncomingMessage, res: ServerResponse) => void, config: OaiConfig) => (req: IncomingMessage, res: ServerResponse) => void;
}

export interface RunningOaiServer {
  /** The endpoint URL the server answers on (the bound address, not necessarily baseUrl). */
  url: string;
  /** The configuration in effect (baseUrl filled in). */
  config: OaiConfig;
  server: Server;
  close(): Promise<void>;
}

export async function startOaiServer(options: StartOaiServerOptions): Promise<RunningOaiServer> {
  const host = options.host ?? '127.0.0.1';
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const headersTimeout = (options.headersTimeoutSeconds ?? 20) * 1000;
  const requestTimeout = Math.max(headersTimeout, (options.requestTimeoutSeconds ?? 60) * 1000);
  // Slow or idle senders are bounded by these timeouts (checked every second), not by the work guard.
  const server = createServer({ headersTimeout, requestTimeout, connectionsCheckingInterval: Math.min(1_000, headersTimeout) }, (req, res) => {
    if (handler) return handler(req, res);
    res.writeHead(503, { 'Retry-After': '1' });
    res.end();
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const config: OaiConfig = { ...options.config, baseUrl: options.config.baseUrl ?? `http://${hostForUrl}:${address.port}/oai` };
  try {
    const oaiHandler = createOaiRequestHandler({ ...options, config });
    handler = options.front ? options.front(oaiHandler, config) : oaiHandler;
  } catch (error) {
    server.close();
    throw error;
  }
  const path = options.path === undefined ? normalizePath(new URL(config.baseUrl).pathname) : options.path || '/';
  const url = `http://${hostForUrl}:${address.port}${path}`;

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= new Promise<void>((resolve) => {
      const timer = setTimeout(() => server.closeAllConnections(), options.shutdownGraceMs ?? 5_000);
      timer.unref();
      server.close(() => {
        clearTimeout(timer);
        resolve();
      });
      server.closeIdleConnections();
    }));
  return { url, config, server, close };
}
