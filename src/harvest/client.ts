import { pipeline, type Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import pRetry, { AbortError } from 'p-retry';
import { Agent, request, type Dispatcher } from 'undici';
import { parseRetryAfter } from '../http/retryAfter.js';
import { HarvestError, HarvestOaiError, HarvestPausedError } from './errors.js';
import { HarvestMappingError, detectMetadataFormat, mapHarvestedMetadata, type HarvestMapper, type HarvestMapping } from './mapping.js';
import { OaiResponseSplitter, type ScannedItem } from './scanner.js';
import {
  isUnreadable,
  metadataWellFormednessProblem,
  namespaceDeclarations,
  parseEnvelope,
  readIdentify,
  readMetadataFormatItem,
  readRecordItem,
  readSetItem,
  type HarvestedItem,
  type ItemContext,
  type OaiEnvelope,
  type OaiHeader,
  type OaiIdentify,
  type OaiMetadataFormat,
  type OaiSet,
  type UnreadableItem,
} from './xml.js';

export type SleepFunction = (ms: number, signal?: AbortSignal) => Promise<void>;

/** setTimeout-based sleep that an AbortSignal cuts short (rejecting with a paused error). */
export const realSleep: SleepFunction = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new HarvestPausedError('aborted', 'Stopped while waiting to retry'));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new HarvestPausedError('aborted', 'Stopped while waiting to retry'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export type HarvestClientEvent =
  | { type: 'request'; url: string; attempt: number }
  | { type: 'retry'; url: string; attempt: number; delayMs: number; code: string; message: string }
  | { type: 'warning'; code: string; message: string; url?: string };

export interface HarvestClientOptions {
  /** The repository's base URL (may carry a query string of its own). */
  baseUrl: string;
  /** undici dispatcher; by default the client makes a keep-alive Agent and closes it in close(). */
  dispatcher?: Dispatcher;
  userAgent?: string;
  /** E-mail address for the HTTP From header (harvester guidelines §2.1). */
  contactEmail?: string;
  /** TCP connect timeout. Default 15 s. */
  connectTimeoutMs?: number;
  /** Time allowed until the response headers arrive. Default 120 s. */
  headersTimeoutMs?: number;
  /** Longest silence allowed between two body chunks. Default 120 s. */
  bodyTimeoutMs?: number;
  /** Whole-request deadline (headers and body), against servers that trickle. Default 15 min. */
  requestTimeoutMs?: number;
  /** Retries per request after the first attempt. Default 8. */
  retries?: number;
  /** First backoff delay; doubles per retry, with jitter. Default 1 s. */
  backoffBaseMs?: number;
  /** Largest backoff delay. Default 5 min. */
  backoffMaxMs?: number;
  /** Least wait after a 503 without Retry-After (guidelines §5: "considerable delay"). Default 60 s. */
  unavailableDelayMs?: number;
  /** Longest Retry-After honoured; a longer one pauses the run (resumable). Default 15 min. */
  maxRetryAfterMs?: number;
  /** Most HTTP requests this client may make (retries and redirects included). Default unlimited. */
  requestBudget?: number;
  /** Default 5. */
  maxRedirects?: number;
  /** Ask for gzip/deflate/br (guidelines §7). Default true. */
  compression?: boolean;
  /** Injectable for tests; must honour the signal. */
  sleep?: SleepFunction;
  /** Source of jitter in [0, 1). */
  random?: () => number;
  /** Clock for HTTP-date Retry-After values. */
  clock?: () => Date;
  /** Stops waits between retries (not a request in flight: a page in progress is finished). */
  signal?: AbortSignal;
  onEvent?: (event: HarvestClientEvent) => void;
}

export interface PageHandlers {
  /** Called before every attempt: whatever the previous attempt delivered is void. */
  onAttempt?: (attempt: number) => void;
  onItem?: (item: ScannedItem, context: ItemContext) => void | Promise<void>;
}

export interface PageResult {
  envelope: OaiEnvelope;
  url: string;
  /** Attempts this page took (1 when the first succeeded). */
  attempts: number;
}

export interface ListArguments {
  metadataPrefix: string;
  from?: string;
  until?: string;
  set?: string;
}

/** One record from ListRecords or GetRecord, with the metadata mapped to an article record. */
export interface HarvestRecord extends HarvestedItem {
  /** Mapping result (the "parsed record"); absent when mapping was turned off. */
  mapping?: HarvestMapping;
}

export interface ListIterationOptions {
  /** Resume a list from a token instead of starting it. */
  resumptionToken?: string;
  /** Map metadata to ArticleRecord (default true), or a custom mapper. */
  map?: boolean | HarvestMapper;
  /** Records that cannot be read (default: reported as a warning event and skipped). */
  onUnreadable?: (item: UnreadableItem) => void;
  /** Called after each page with its envelope (for progress: cursor, completeListSize). */
  onPage?: (envelope: OaiEnvelope) => void;
}

const ITEM_FOR_VERB: Record<string, string | undefined> = {
  ListRecords: 'record',
  GetRecord: 'record',
  ListIdentifiers: 'header',
  ListSets: 'set',
  ListMetadataFormats: 'metadataFormat',
  Identify: undefined,
};

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ETIMEDOUT',
]);

const PACKAGE_VERSION = '0.1.0';

/** Builds a request URL. Every value is percent-encoded (a resumptionToken is opaque, §3.5). */
export function buildRequestUrl(baseUrl: string, args: Record<string, string>): string {
  const query = Object.entries(args)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .join('&');
  const hashless = baseUrl.split('#')[0]!;
  if (!hashless.includes('?')) return `${hashless}?${query}`;
  return hashless.endsWith('?') || hashless.endsWith('&') ? `${hashless}${query}` : `${hashless}&${query}`;
}

/** Maps whatever undici, zlib or the stream threw to a named harvest error. */
export function classifyError(error: unknown, url: string): HarvestError | undefined {
  if (error instanceof HarvestError) return error;
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: string }).code ?? '';
  const causeCode = ((error as { cause?: { code?: string } }).cause?.code ?? '') as string;
  const message = error.message;
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    const what = code === 'UND_ERR_CONNECT_TIMEOUT' ? 'connecting' : code === 'UND_ERR_HEADERS_TIMEOUT' ? 'waiting for response headers' : 'waiting for more of the body';
    return new HarvestError('timeout', `Timed out ${what}: ${message}`, { url, cause: error });
  }
  if (code === 'HARVEST_DEADLINE' || error.name === 'TimeoutError') {
    return new HarvestError('timeout', `The request exceeded its deadline: ${message}`, { url, cause: error });
  }
  if (code.startsWith('Z_') || /unexpected end of file/i.test(message)) {
    return new HarvestError('truncatedDocument', `The compressed response is truncated or corrupt: ${message}`, { url, cause: error });
  }
  if (code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH') {
    return new HarvestError('truncatedDocument', `The response is shorter than its Content-Length: ${message}`, { url, cause: error });
  }
  if (code.startsWith('UND_ERR') || NETWORK_CODES.has(code) || NETWORK_CODES.has(causeCode) || /other side closed|socket hang up|terminated/i.test(message)) {
    return new HarvestError('network', `Network error: ${message}${causeCode ? ` (${causeCode})` : ''}`, { url, cause: error });
  }
  return undefined;
}

function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function isXmlContentType(contentType: string | undefined): boolean {
  if (contentType === undefined || contentType.trim() === '') return true;
  return /[/+]xml\b/i.test(contentType);
}

/**
 * An OAI-PMH 2.0 client that survives real servers: keep-alive HTTP with timeouts, retries with
 * jittered exponential backoff, Retry-After, a request budget, and a streaming parser that hands
 * out one record at a time.
 */
export class HarvestClient {
  readonly baseUrl: string;
  private readonly options: HarvestClientOptions;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly sleep: SleepFunction;
  private readonly random: () => number;
  private readonly clock: () => Date;
  private requests = 0;

  constructor(options: HarvestClientOptions) {
    this.options = options;
    this.baseUrl = options.baseUrl;
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
    this.clock = options.clock ?? (() => new Date());
    if (options.dispatcher) {
      this.dispatcher = options.dispatcher;
      this.ownsDispatcher = false;
    } else {
      this.dispatcher = new Agent({
        connect: { timeout: options.connectTimeoutMs ?? 15_000 },
        headersTimeout: options.headersTimeoutMs ?? 120_000,
        bodyTimeout: options.bodyTimeoutMs ?? 120_000,
        keepAliveTimeout: 30_000,
        connections: 4,
      });
      this.ownsDispatcher = true;
    }
  }

  /** HTTP requests made so far (the budget counts these). */
  get requestCount(): number {
    return this.requests;
  }

  /** Lets a caller carry a budget across clients (a resumed run). */
  set requestCount(value: number) {
    this.requests = value;
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  private emit(event: HarvestClientEvent): void {
    this.options.onEvent?.(event);
  }

  private backoffDelay(retryNumber: number): number {
    const base = this.options.backoffBaseMs ?? 1000;
    const max = this.options.backoffMaxMs ?? 300_000;
    const ceiling = Math.min(max, base * 2 ** Math.max(0, retryNumber - 1));
    // "Equal jitter": never less than half the step, so retries still back off.
    return Math.round(ceiling / 2 + this.random() * (ceiling / 2));
  }

  private checkBudget(url: string): void {
    const budget = this.options.requestBudget;
    if (budget !== undefined && this.requests >= budget) {
      throw new HarvestPausedError('requestBudgetExhausted', `Request budget of ${budget} requests is spent`, { url });
    }
  }

  /**
   * Fetches one response, streaming its items to `handlers.onItem` as they arrive; retries the
   * whole response on retryable failures (calling onAttempt first). Throws HarvestOaiError for
   * OAI-PMH errors other than noRecordsMatch, which is returned as an empty result.
   */
  async fetchPage(verb: string, args: Record<string, string>, handlers: PageHandlers = {}, requestSignal?: AbortSignal): Promise<PageResult> {
    const url = buildRequestUrl(this.baseUrl, { verb, ...args });
    const itemName = ITEM_FOR_VERB[verb];
    let attempts = 0;
    const envelope = await pRetry(
      async (attempt) => {
        attempts = attempt;
        try {
          this.checkBudget(url);
        } catch (error) {
          throw new AbortError(error as Error);
        }
        handlers.onAttempt?.(attempt);
        this.emit({ type: 'request', url, attempt });
        return this.attemptPage(url, itemName, handlers, requestSignal);
      },
      {
        retries: this.options.retries ?? 8,
        minTimeout: 0,
        factor: 1,
        randomize: false,
        shouldRetry: async ({ error, attemptNumber }) => {
          const failure = classifyError(error, url);
          if (!failure || !failure.retryable) return false;
          let delay = this.backoffDelay(attemptNumber);
          if (failure.retryAfterMs !== undefined) {
            const cap = this.options.maxRetryAfterMs ?? 900_000;
            if (failure.retryAfterMs > cap) {
              throw new HarvestPausedError(
                'retryAfterTooLong',
                `The server asked to retry after ${Math.ceil(failure.retryAfterMs / 1000)} s, more than the allowed ${Math.ceil(cap / 1000)} s`,
                { resumeAfter: new Date(this.clock().getTime() + failure.retryAfterMs), url },
              );
            }
            delay = failure.retryAfterMs;
          } else if (failure.status === 503) {
            delay = Math.max(delay, this.options.unavailableDelayMs ?? 60_000);
          }
          this.checkBudget(url);
          this.emit({ type: 'retry', url, attempt: attemptNumber, delayMs: delay, code: failure.code, message: failure.message });
          if (delay > 0) await this.sleep(delay, this.options.signal);
          else if (this.options.signal?.aborted) throw new HarvestPausedError('aborted', 'Stopped before retrying');
          return true;
        },
      },
    ).catch((error: unknown) => {
      throw classifyError(error, url) ?? error;
    });
    const fatal = envelope.errors.filter((e) => e.code !== 'noRecordsMatch');
    if (fatal.length > 0) throw new HarvestOaiError(envelope.errors, url);
    return { envelope, url, attempts };
  }

  private async attemptPage(url: string, itemName: string | undefined, handlers: PageHandlers, requestSignal?: AbortSignal): Promise<OaiEnvelope> {
    const deadline = new AbortController();
    const deadlineMs = this.options.requestTimeoutMs ?? 900_000;
    const timer = setTimeout(() => {
      const reason = Object.assign(new Error(`no complete response within ${deadlineMs} ms`), { code: 'HARVEST_DEADLINE' });
      deadline.abort(reason);
    }, deadlineMs);
    const signal = requestSignal ? AbortSignal.any([deadline.signal, requestSignal]) : deadline.signal;
    try {
      const { body, contentType } = await this.open(url, signal);
      const splitter = new OaiResponseSplitter(itemName);
      let context: ItemContext | undefined;
      try {
        for await (const chunk of body as AsyncIterable<Buffer>) {
          const items = splitter.feed(chunk);
          if (items.length === 0 || !handlers.onItem) continue;
          context ??= { declaredEncoding: splitter.encoding, namespaces: namespaceDeclarations(splitter.rootTag) };
          for (const item of items) {
            try {
              const pending = handlers.onItem(item, context);
              if (pending) await pending;
            } catch (error) {
              throw new AbortError(error as Error);
            }
          }
        }
      } catch (error) {
        if (signal.aborted && !(error instanceof AbortError)) throw classifyError(signal.reason, url) ?? signal.reason;
        throw error;
      } finally {
        body.destroy();
      }
      let result;
      try {
        result = splitter.end();
      } catch (error) {
        if (error instanceof HarvestError && !isXmlContentType(contentType) && (error.code === 'notOaiPmh' || error.code === 'emptyBody')) {
          throw new HarvestError('nonXmlContentType', `The response has Content-Type "${contentType}" and is not OAI-PMH: ${error.message}`, { url });
        }
        throw withUrl(error, url);
      }
      if (!isXmlContentType(contentType)) {
        this.emit({ type: 'warning', code: 'nonXmlContentType', message: `Content-Type "${contentType}" is not XML, but the body is an OAI-PMH document`, url });
      }
      if (result.junkBeforeRoot || result.junkAfterRoot) {
        this.emit({ type: 'warning', code: 'junkOutsideRoot', message: 'Text outside the OAI-PMH root element was ignored', url });
      }
      return parseEnvelopeAt(result, url);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends the GET (following redirects) and returns the decoded body stream of a 200. */
  private async open(url: string, signal: AbortSignal): Promise<{ body: Readable; contentType: string | undefined }> {
    let current = url;
    const maxRedirects = this.options.maxRedirects ?? 5;
    for (let redirects = 0; ; redirects++) {
      const headers: Record<string, string> = {
        'user-agent': this.options.userAgent ?? `pubmeta-harvester/${PACKAGE_VERSION} (OAI-PMH 2.0)`,
        accept: 'text/xml, application/xml;q=0.9, */*;q=0.1',
      };
      if (this.options.contactEmail) headers['from'] = this.options.contactEmail;
      if (this.options.compression ?? true) headers['accept-encoding'] = 'gzip;q=1.0, deflate;q=0.8, br;q=0.7, identity;q=0.5';
      this.requests++;
      let response: Dispatcher.ResponseData;
      try {
        response = await request(current, {
          method: 'GET',
          dispatcher: this.dispatcher,
          headers,
          signal,
          headersTimeout: this.options.headersTimeoutMs ?? 120_000,
          bodyTimeout: this.options.bodyTimeoutMs ?? 120_000,
        });
      } catch (error) {
        if (signal.aborted) throw classifyError(signal.reason, current) ?? signal.reason;
        throw classifyError(error, current) ?? error;
      }
      const status = response.statusCode;
      const responseHeaders = response.headers as Record<string, string | string[] | undefined>;
      if (status >= 300 && status < 400 && status !== 304) {
        await response.body.dump({ limit: 65_536 }).catch(() => undefined);
        const location = headerValue(responseHeaders, 'location');
        if (!location) throw new HarvestError('redirect', `HTTP ${status} without a Location header`, { url: current, status });
        if (redirects >= maxRedirects) throw new HarvestError('redirect', `More than ${maxRedirects} redirects`, { url: current, status });
        current = new URL(location, current).toString();
        this.checkBudget(current);
        continue;
      }
      if (status !== 200) {
        await response.body.dump({ limit: 65_536 }).catch(() => undefined);
        const retryAfterMs = parseRetryAfter(headerValue(responseHeaders, 'retry-after'), this.clock());
        const details: ConstructorParameters<typeof HarvestError>[2] = { url: current, status };
        if (retryAfterMs !== undefined) details.retryAfterMs = retryAfterMs;
        const hint = retryAfterMs !== undefined ? ` (Retry-After ${Math.ceil(retryAfterMs / 1000)} s)` : '';
        throw new HarvestError('httpStatus', `HTTP ${status}${hint}`, details);
      }
      const encoding = (headerValue(responseHeaders, 'content-encoding') ?? '').trim().toLowerCase();
      let body: Readable = response.body;
      const decoder =
        encoding === 'gzip' || encoding === 'x-gzip'
          ? createGunzip()
          : encoding === 'deflate'
            ? createInflate()
            : encoding === 'br'
              ? createBrotliDecompress()
              : undefined;
      if (decoder) body = pipeline(response.body, decoder, () => undefined);
      return { body, contentType: headerValue(responseHeaders, 'content-type') };
    }
  }

  /** Identify (OAI-PMH 2.0 §4.2). */
  async identify(): Promise<OaiIdentify> {
    const { envelope } = await this.fetchPage('Identify', {});
    return readIdentify(envelope);
  }

  /** ListMetadataFormats (§4.4), for the repository or one item. */
  async listMetadataFormats(identifier?: string): Promise<OaiMetadataFormat[]> {
    const formats: OaiMetadataFormat[] = [];
    await this.fetchPage('ListMetadataFormats', identifier === undefined ? {} : { identifier }, {
      onAttempt: () => {
        formats.length = 0;
      },
      onItem: (item, context) => {
        formats.push(readMetadataFormatItem(item, context));
      },
    });
    return formats;
  }

  /** GetRecord (§4.1). Throws HarvestOaiError (idDoesNotExist, cannotDisseminateFormat ...). */
  async getRecord(identifier: string, metadataPrefix: string, options: { map?: boolean | HarvestMapper } = {}): Promise<HarvestRecord> {
    let found: HarvestRecord | UnreadableItem | undefined;
    const { url } = await this.fetchPage(
      'GetRecord',
      { identifier, metadataPrefix },
      {
        onAttempt: () => {
          found = undefined;
        },
        onItem: (item, context) => {
          found ??= readAndMapRecord(item, context, metadataPrefix, mapperOf(options.map));
        },
      },
    );
    if (found === undefined) throw new HarvestError('notOaiPmh', 'The GetRecord response contains no record', { url });
    if (isUnreadable(found)) throw new HarvestError('malformedXml', `The record cannot be read: ${found.problem}`, { url });
    return found;
  }

  /** ListRecords (§4.5) as an async iterator over records, following resumption tokens. */
  listRecords(args: ListArguments, options: ListIterationOptions = {}): AsyncGenerator<HarvestRecord> {
    const mapper = mapperOf(options.map);
    return this.iterate<HarvestRecord>('ListRecords', args, options, (item, context) => {
      const read = readAndMapRecord(item, context, args.metadataPrefix, mapper);
      if (isUnreadable(read)) {
        if (options.onUnreadable) options.onUnreadable(read);
        else this.emit({ type: 'warning', code: 'unreadableRecord', message: `${read.identifier ?? '(no identifier)'}: ${read.problem}` });
        return undefined;
      }
      return read;
    });
  }

  /** ListIdentifiers (§4.3) as an async iterator over headers. */
  listIdentifiers(args: ListArguments, options: Omit<ListIterationOptions, 'map'> = {}): AsyncGenerator<OaiHeader> {
    return this.iterate<OaiHeader>('ListIdentifiers', args, options, (item, context) => {
      const read = readRecordItem(item, context);
      if (isUnreadable(read)) {
        if (options.onUnreadable) options.onUnreadable(read);
        else this.emit({ type: 'warning', code: 'unreadableHeader', message: read.problem });
        return undefined;
      }
      return read.header;
    });
  }

  /** ListSets (§4.6). A repository without sets (noSetHierarchy) yields nothing. */
  listSets(options: Omit<ListIterationOptions, 'map' | 'onUnreadable'> = {}): AsyncGenerator<OaiSet> {
    return this.iterate<OaiSet>('ListSets', undefined, options, (item, context) => readSetItem(item, context));
  }

  /**
   * Follows a list request sequence, yielding items as they are parsed. A retried page may
   * deliver items again; those already yielded from that page are skipped. A repeated token
   * ends the list with a 'resumptionTokenLoop' warning.
   */
  private async *iterate<T>(
    verb: string,
    args: ListArguments | undefined,
    options: ListIterationOptions,
    convert: (item: ScannedItem, context: ItemContext) => T | undefined,
  ): AsyncGenerator<T> {
    const seenTokens = new Set<string>();
    let request: Record<string, string> = options.resumptionToken
      ? { resumptionToken: options.resumptionToken }
      : listRequestArguments(args);
    if (options.resumptionToken) seenTokens.add(options.resumptionToken);
    for (;;) {
      const queue: T[] = [];
      let wake: (() => void) | undefined;
      let makeRoom: (() => void) | undefined;
      let settled = false;
      let cancelled = false;
      let failure: unknown;
      let result: PageResult | undefined;
      let ordinal = 0;
      let delivered = 0;
      const abort = new AbortController();
      const producer = this.fetchPage(
        verb,
        request,
        {
          onAttempt: () => {
            ordinal = 0;
          },
          onItem: async (item, context) => {
            if (cancelled) throw new Error('iteration stopped');
            // Idempotent tokens (§3.5.1) give the same page again: skip what was already yielded.
            if (ordinal++ < delivered) return;
            const value = convert(item, context);
            delivered = ordinal;
            if (value === undefined) return;
            queue.push(value);
            wake?.();
            if (queue.length >= 64) await new Promise<void>((resolve) => (makeRoom = resolve));
          },
        },
        abort.signal,
      ).then(
        (page) => {
          result = page;
        },
        (error: unknown) => {
          failure = error;
        },
      );
      void producer.finally(() => {
        settled = true;
        wake?.();
      });
      try {
        for (;;) {
          const value = queue.shift();
          if (value !== undefined) {
            makeRoom?.();
            makeRoom = undefined;
            yield value;
            continue;
          }
          if (settled) break;
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        }
      } finally {
        if (!settled) {
          cancelled = true;
          abort.abort(new Error('iteration stopped'));
          makeRoom?.();
          await producer;
        }
      }
      await producer;
      if (failure !== undefined) {
        if (failure instanceof HarvestOaiError && failure.oaiCode === 'noSetHierarchy' && verb === 'ListSets') return;
        throw failure;
      }
      const envelope = result!.envelope;
      options.onPage?.(envelope);
      const token = envelope.resumptionToken?.value ?? '';
      if (token === '') return;
      if (seenTokens.has(token)) {
        this.emit({ type: 'warning', code: 'resumptionTokenLoop', message: `The repository repeated resumptionToken "${token}"; ending the list`, url: result!.url });
        return;
      }
      seenTokens.add(token);
      request = { resumptionToken: token };
    }
  }
}

/** Arguments of the first request of a list sequence (a resumptionToken request carries only the token). */
export function listRequestArguments(args: ListArguments | undefined): Record<string, string> {
  if (!args) return {};
  const out: Record<string, string> = { metadataPrefix: args.metadataPrefix };
  if (args.from) out.from = args.from;
  if (args.until) out.until = args.until;
  if (args.set) out.set = args.set;
  return out;
}

function withUrl(error: unknown, url: string): unknown {
  if (error instanceof HarvestError && error.url === undefined) {
    const details: ConstructorParameters<typeof HarvestError>[2] = { url };
    if (error.line !== undefined) details.line = error.line;
    if (error.column !== undefined) details.column = error.column;
    return new HarvestError(error.code, error.message, details);
  }
  return error;
}

function parseEnvelopeAt(result: ReturnType<OaiResponseSplitter['end']>, url: string): OaiEnvelope {
  try {
    return parseEnvelope(result);
  } catch (error) {
    throw withUrl(error, url);
  }
}

function mapperOf(map: boolean | HarvestMapper | undefined): HarvestMapper | undefined {
  if (map === false) return undefined;
  return typeof map === 'function' ? map : mapHarvestedMetadata;
}

/**
 * Reads one record item and maps its metadata. Metadata that is not well-formed, or that the
 * reader cannot read, makes the record unreadable (to be quarantined), never an exception.
 */
export function readAndMapRecord(item: ScannedItem, context: ItemContext, metadataPrefix: string, mapper: HarvestMapper | undefined): HarvestRecord | UnreadableItem {
  // The built-in readers check well-formedness themselves (with line:column); others may not.
  const builtIn = mapper === mapHarvestedMetadata;
  const read = readRecordItem(item, context, { checkMetadata: !builtIn });
  if (isUnreadable(read) || mapper === undefined || read.header.deleted || read.metadataXml === undefined) return read;
  const unreadable = (problem: string): UnreadableItem => ({ problem, identifier: read.header.identifier, datestamp: read.header.datestamp, rawBytes: read.rawBytes });
  if (builtIn && detectMetadataFormat(read.metadataXml, metadataPrefix) === undefined) {
    const problem = metadataWellFormednessProblem(read.metadataXml);
    if (problem !== undefined) return unreadable(problem);
  }
  try {
    return { ...read, mapping: mapper(read.metadataXml, metadataPrefix) };
  } catch (error) {
    return unreadable(error instanceof HarvestMappingError ? error.message : `the metadata cannot be mapped: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * ListRecords over a whole list as an async iterator (records with their mapped article),
 * with a client made for the occasion and closed when the iteration ends or is left.
 */
export async function* listRecords(
  repository: string | HarvestClientOptions,
  args: ListArguments,
  options: ListIterationOptions = {},
): AsyncGenerator<HarvestRecord> {
  const client = new HarvestClient(typeof repository === 'string' ? { baseUrl: repository } : repository);
  try {
    yield* client.listRecords(args, options);
  } finally {
    await client.close();
  }
}

/** ListIdentifiers over a whole list as an async iterator of headers. */
export async function* listIdentifiers(
  repository: string | HarvestClientOptions,
  args: ListArguments,
  options: Omit<ListIterationOptions, 'map'> = {},
): AsyncGenerator<OaiHeader> {
  const client = new HarvestClient(typeof repository === 'string' ? { baseUrl: repository } : repository);
  try {
    yield* client.listIdentifiers(args, options);
  } finally {
    await client.close();
  }
}
