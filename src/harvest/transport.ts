import { pipeline, type Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { Agent, request, type Dispatcher } from 'undici';
import { parseRetryAfter } from '../http/retryAfter.js';
import { HarvestError, HarvestPausedError, type HarvestErrorDetails } from './errors.js';

/**
 * The harvester's HTTP transport: GET with redirects, decompression, timeouts, a minimum
 * transfer rate, cancellation, and retries with backoff. It knows nothing of OAI-PMH: each
 * exchange hands the response to a `consume` callback (the verbs layer), and a retryable
 * failure, whether raised here or by `consume`, repeats the whole exchange.
 */

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

export type TransportEvent =
  | { type: 'request'; url: string; attempt: number }
  | { type: 'retry'; url: string; attempt: number; delayMs: number; code: string; message: string }
  | { type: 'warning'; code: string; message: string; url?: string };

export interface TransportOptions {
  /** undici dispatcher; by default the transport makes a keep-alive Agent and closes it in close(). */
  dispatcher?: Dispatcher;
  userAgent?: string;
  /** E-mail address for the HTTP From header (harvester guidelines §2.1). */
  contactEmail?: string;
  /** TCP connect timeout. Default 15 s. */
  connectTimeoutMs?: number;
  /** Time allowed until the response headers arrive. Default 120 s. */
  headersTimeoutMs?: number;
  /** Longest silence allowed between two body chunks (the inactivity timeout). Default 120 s. */
  bodyTimeoutMs?: number;
  /**
   * Slowest body transfer accepted, in bytes per second, averaged over `rateWindowMs` of
   * waiting for data (time spent by the consumer does not count). 0 turns the check off.
   * Default 1024.
   */
  minBytesPerSecond?: number;
  /** Window of the transfer rate; never longer than the inactivity timeout. Default 30 s. */
  rateWindowMs?: number;
  /** Whole-exchange deadline (headers and body). Default 15 min. */
  requestTimeoutMs?: number;
  /** Retries per request after the first attempt, for failures other than unreachable. Default 8. */
  retries?: number;
  /** First backoff delay; doubles per retry, with jitter. Default 1 s. */
  backoffBaseMs?: number;
  /** Largest backoff delay. Default 5 min. */
  backoffMaxMs?: number;
  /** Retries when the server cannot be reached at all (refused, DNS). Default 4. */
  unreachableRetries?: number;
  /** Time after the first unreachable attempt beyond which no retry starts. Default 30 s. */
  unreachableWindowMs?: number;
  /** Least wait after a 503 without Retry-After (guidelines §5: "considerable delay"). Default 60 s. */
  unavailableDelayMs?: number;
  /** Longest Retry-After honoured; a longer one pauses the run (resumable). Default 15 min. */
  maxRetryAfterMs?: number;
  /** Politeness: least milliseconds between the starts of two requests. Default 0. */
  minIntervalMs?: number;
  /** Most HTTP requests this transport may make (retries and redirects included). Default unlimited. */
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
  /** Cancels waits between retries and requests in flight (within a second), for the transport's life. */
  signal?: AbortSignal;
  onEvent?: (event: TransportEvent) => void;
}

/** A response handed to `consume`: status, headers and the decompressed, guarded body. */
export interface TransportResponse {
  /** The URL that answered (after redirects). */
  url: string;
  status: number;
  contentType: string | undefined;
  /** Retry-After, in milliseconds from now, when the server sent one. */
  retryAfterMs: number | undefined;
  header(name: string): string | undefined;
  /**
   * The body, decompressed, as it arrives. Reading it enforces the inactivity timeout, the
   * minimum transfer rate, the deadline and cancellation: a stop ends the iteration with the
   * named error.
   */
  body: AsyncIterable<Buffer>;
  /** The error for this status ("HTTP 500", with Retry-After), for a body that is no answer. */
  statusError(): HarvestError;
  /** Reads and drops up to 64 KiB of the body (so the connection can be reused). */
  discard(): Promise<void>;
}

/** Thrown by a consumer to fail the exchange with `cause` as is: never retried or renamed. */
export class ConsumerFailure extends Error {
  constructor(readonly failure: unknown) {
    super('the response consumer failed', { cause: failure });
    this.name = 'ConsumerFailure';
  }
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EHOSTDOWN', 'UND_ERR_CONNECT_TIMEOUT']);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT']);
const UNREACHABLE_WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host name not found (DNS)',
  EAI_AGAIN: 'DNS lookup failed',
  EAI_NONAME: 'host name not found (DNS)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENETDOWN: 'network down',
  EHOSTDOWN: 'host down',
  UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
};

const PACKAGE_VERSION = '0.1.0';
const ALLOWED_PROTOCOLS = new Set(['http:', 'https:']);

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : '';
}

/** Maps whatever undici, zlib or a stream threw to a named harvest error (undefined: not ours). */
export function classifyError(error: unknown, url: string): HarvestError | undefined {
  if (error instanceof HarvestError) return error;
  if (!(error instanceof Error)) return undefined;
  const code = errorCode(error);
  const causeCode = errorCode((error as { cause?: unknown }).cause ?? {});
  const message = error.message;
  const unreachable = UNREACHABLE_CODES.has(code) ? code : UNREACHABLE_CODES.has(causeCode) ? causeCode : undefined;
  if (unreachable !== undefined) {
    return new HarvestError('unreachable', `Cannot connect to ${hostOf(url)}: ${UNREACHABLE_WORDS[unreachable]} (${unreachable})`, { url, cause: error });
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    const what = code === 'UND_ERR_HEADERS_TIMEOUT' ? 'waiting for response headers' : 'waiting for more of the body';
    return new HarvestError('timeout', `Timed out ${what}: ${message}`, { url, cause: error });
  }
  if (code.startsWith('Z_') || /unexpected end of file/i.test(message)) {
    return new HarvestError('truncatedDocument', `The compressed response is truncated or corrupt: ${message}`, { url, cause: error });
  }
  if (code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH') {
    return new HarvestError('truncatedDocument', `The response is shorter than its Content-Length: ${message}`, { url, cause: error });
  }
  if (code === 'ERR_INVALID_URL' || code === 'UND_ERR_INVALID_ARG') {
    return new HarvestError('unsupportedUrl', `Not a usable URL: ${message}`, { url, cause: error });
  }
  if (code.startsWith('UND_ERR') || NETWORK_CODES.has(code) || NETWORK_CODES.has(causeCode) || /other side closed|socket hang up|terminated/i.test(message)) {
    return new HarvestError('network', `Network error: ${message}${causeCode ? ` (${causeCode})` : ''}`, { url, cause: error });
  }
  return undefined;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** Refuses what is not an absolute http(s) URL, before any request (file:, ftp:, data: ...). */
export function checkHttpUrl(url: string, what = 'The URL'): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new HarvestError('unsupportedUrl', `${what} "${url}" is not an absolute URL`, { url });
  }
  if (!ALLOWED_PROTOCOLS.has(parsed.protocol)) {
    throw new HarvestError('unsupportedUrl', `${what} "${url}" uses ${parsed.protocol.replace(/:$/, '')}:, not http or https`, { url });
  }
  return parsed;
}

function headerValue(headers: Dispatcher.ResponseData['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Counts body bytes against the time spent waiting for them, so a consumer that is slow (a
 * database commit) is never mistaken for a slow server.
 */
class TransferRate {
  private waited = 0;
  private waitingSince: number | undefined;
  private bytes = 0;
  /** (waited, bytes) after each chunk; the head is the newest sample older than the window. */
  private samples: { waited: number; bytes: number }[] = [];
  private head = 0;

  constructor(
    private readonly minBytesPerSecond: number,
    private readonly windowMs: number,
  ) {}

  startWaiting(now: number): void {
    this.waitingSince = now;
  }

  received(bytes: number, now: number): void {
    if (this.waitingSince !== undefined) this.waited += now - this.waitingSince;
    this.waitingSince = undefined;
    this.bytes += bytes;
    this.samples.push({ waited: this.waited, bytes: this.bytes });
  }

  /** Bytes per second over the last window of waiting, when a whole window has passed and the rate is too low. */
  tooSlow(now: number): number | undefined {
    if (this.minBytesPerSecond <= 0) return undefined;
    const waited = this.waited + (this.waitingSince === undefined ? 0 : now - this.waitingSince);
    if (waited < this.windowMs) return undefined;
    const windowStart = waited - this.windowMs;
    const samples = this.samples;
    while (this.head + 1 < samples.length && samples[this.head + 1]!.waited <= windowStart) this.head++;
    if (this.head > 1024) {
      samples.splice(0, this.head);
      this.head = 0;
    }
    const base = samples[this.head] !== undefined && samples[this.head]!.waited <= windowStart ? samples[this.head]!.bytes : 0;
    const rate = ((this.bytes - base) * 1000) / this.windowMs;
    return rate < this.minBytesPerSecond ? rate : undefined;
  }
}

interface OpenedResponse {
  url: string;
  status: number;
  headers: Dispatcher.ResponseData['headers'];
  body: Readable;
}

/** One GET exchange with retries; see the module comment. */
export class HttpTransport {
  private readonly options: TransportOptions;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly sleep: SleepFunction;
  private readonly random: () => number;
  private readonly clock: () => Date;
  private requests = 0;
  private lastRequestAt: number | undefined;

  constructor(options: TransportOptions = {}) {
    this.options = options;
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

  /** Lets a caller carry a budget across transports (a resumed run). */
  set requestCount(value: number) {
    this.requests = value;
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  private emit(event: TransportEvent): void {
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
   * GETs `url` and resolves with what `consume` makes of the response. A retryable failure
   * (network, timeout, 5xx, a broken body ...) repeats the exchange after a backoff: `onAttempt`
   * runs before each attempt, so the consumer can drop what a failed attempt delivered.
   * Refused URLs fail at once; an unreachable server is retried a few times within
   * `unreachableWindowMs`. `signal` (and the transport's own) cancels within a second.
   */
  async get<T>(
    url: string,
    consume: (response: TransportResponse, attempt: number) => Promise<T>,
    options: { signal?: AbortSignal; onAttempt?: (attempt: number) => void } = {},
  ): Promise<{ value: T; attempts: number }> {
    checkHttpUrl(url);
    const signals = [this.options.signal, options.signal].filter((s): s is AbortSignal => s !== undefined);
    const retries = this.options.retries ?? 8;
    const unreachableRetries = this.options.unreachableRetries ?? 4;
    const unreachableWindow = this.options.unreachableWindowMs ?? 30_000;
    let failedRetries = 0;
    let unreachableAttempts = 0;
    let firstUnreachableAt: number | undefined;
    for (let attempt = 1; ; attempt++) {
      if (signals.some((s) => s.aborted)) throw new HarvestPausedError('aborted', 'Stopped on request', { url });
      this.checkBudget(url);
      await this.keepInterval(signals);
      options.onAttempt?.(attempt);
      this.emit({ type: 'request', url, attempt });
      const startedAt = Date.now();
      let failure: HarvestError;
      try {
        return { value: await this.attempt(url, consume, attempt, signals), attempts: attempt };
      } catch (error) {
        if (error instanceof ConsumerFailure) throw error.failure;
        const classified = classifyError(error, url);
        if (classified === undefined) throw error;
        failure = classified;
      }
      if (failure instanceof HarvestPausedError || !failure.retryable) throw failure;
      let delay: number;
      if (failure.code === 'unreachable') {
        unreachableAttempts++;
        firstUnreachableAt ??= startedAt;
        const elapsed = Date.now() - firstUnreachableAt;
        delay = Math.min(this.backoffDelay(unreachableAttempts), Math.max(0, unreachableWindow - elapsed));
        if (unreachableAttempts > unreachableRetries || elapsed >= unreachableWindow) {
          throw new HarvestError(
            'unreachable',
            `${failure.message}; gave up after ${unreachableAttempts} attempt${unreachableAttempts === 1 ? '' : 's'} in ${(elapsed / 1000).toFixed(1)} s`,
            { url, cause: failure },
          );
        }
      } else {
        failedRetries++;
        if (failedRetries > retries) throw failure;
        delay = this.retryDelay(failure, failedRetries, url);
      }
      this.checkBudget(url);
      this.emit({ type: 'retry', url, attempt, delayMs: delay, code: failure.code, message: failure.message });
      await this.pause(delay, signals);
    }
  }

  /** Politeness: waits until `minIntervalMs` has passed since the last request started. */
  private async keepInterval(signals: AbortSignal[]): Promise<void> {
    const interval = this.options.minIntervalMs ?? 0;
    if (interval <= 0) return;
    // The slot is taken before waiting, so requests started together (fetch-ahead) queue up.
    const now = Date.now();
    const at = this.lastRequestAt === undefined ? now : Math.max(now, this.lastRequestAt + interval);
    this.lastRequestAt = at;
    if (at > now) await this.pause(at - now, signals);
  }

  /** The wait before retry number `retryNumber` of a failure: Retry-After, 503's floor, or backoff. */
  private retryDelay(failure: HarvestError, retryNumber: number, url: string): number {
    if (failure.retryAfterMs !== undefined) {
      const cap = this.options.maxRetryAfterMs ?? 900_000;
      if (failure.retryAfterMs > cap) {
        throw new HarvestPausedError(
          'retryAfterTooLong',
          `The server asked to retry after ${Math.ceil(failure.retryAfterMs / 1000)} s, more than the allowed ${Math.ceil(cap / 1000)} s`,
          { resumeAfter: new Date(this.clock().getTime() + failure.retryAfterMs), url },
        );
      }
      return failure.retryAfterMs;
    }
    const delay = this.backoffDelay(retryNumber);
    return failure.status === 503 ? Math.max(delay, this.options.unavailableDelayMs ?? 60_000) : delay;
  }

  private async pause(ms: number, signals: AbortSignal[]): Promise<void> {
    if (ms <= 0) {
      if (signals.some((s) => s.aborted)) throw new HarvestPausedError('aborted', 'Stopped before retrying');
      return;
    }
    const { signal, dispose } = combineSignals(signals);
    try {
      await this.sleep(ms, signal);
    } finally {
      dispose();
    }
  }

  private async attempt<T>(url: string, consume: (response: TransportResponse, attempt: number) => Promise<T>, attempt: number, signals: AbortSignal[]): Promise<T> {
    const controller = new AbortController();
    let stop: HarvestError | undefined;
    const abort = (reason: HarvestError) => {
      if (controller.signal.aborted) return;
      stop = reason;
      controller.abort(reason);
    };
    const onCancel = () => abort(new HarvestPausedError('aborted', 'Stopped on request', { url }));
    for (const signal of signals) signal.addEventListener('abort', onCancel, { once: true });
    const deadlineMs = this.options.requestTimeoutMs ?? 900_000;
    const deadline = setTimeout(() => abort(new HarvestError('timeout', `The request exceeded its deadline: no complete response within ${deadlineMs} ms`, { url })), deadlineMs);
    const inactivityMs = this.options.bodyTimeoutMs ?? 120_000;
    const rate = new TransferRate(this.options.minBytesPerSecond ?? 1024, Math.min(this.options.rateWindowMs ?? 30_000, inactivityMs));
    const checkRate = () => {
      const slow = rate.tooSlow(Date.now());
      if (slow !== undefined) {
        const window = Math.min(this.options.rateWindowMs ?? 30_000, inactivityMs);
        abort(
          new HarvestError(
            'timeout',
            `The body arrived at ${slow.toFixed(0)} bytes/s over ${window / 1000} s, below the minimum of ${this.options.minBytesPerSecond ?? 1024} bytes/s`,
            { url },
          ),
        );
      }
    };
    let rateTimer: NodeJS.Timeout | undefined;
    let opened: OpenedResponse | undefined;
    try {
      if (signals.some((s) => s.aborted)) onCancel();
      opened = await this.open(url, controller.signal);
      const body = opened.body;
      rateTimer = setInterval(checkRate, 250);
      const response = this.responseOf(opened, guardedBody(body, rate, checkRate));
      return await consume(response, attempt);
    } catch (error) {
      if (stop !== undefined && !(error instanceof ConsumerFailure)) throw stop;
      throw error;
    } finally {
      clearTimeout(deadline);
      if (rateTimer) clearInterval(rateTimer);
      for (const signal of signals) signal.removeEventListener('abort', onCancel);
      if (opened && !opened.body.destroyed) {
        // Unread (a status error) or left early: an undici body destroyed unread emits an abort error.
        opened.body.on('error', () => undefined);
        opened.body.destroy();
      }
    }
  }

  private responseOf(opened: OpenedResponse, body: AsyncIterable<Buffer>): TransportResponse {
    const retryAfterMs = parseRetryAfter(headerValue(opened.headers, 'retry-after'), this.clock());
    return {
      url: opened.url,
      status: opened.status,
      contentType: headerValue(opened.headers, 'content-type'),
      retryAfterMs,
      header: (name) => headerValue(opened.headers, name.toLowerCase()),
      body,
      statusError: () => {
        const details: HarvestErrorDetails = { url: opened.url, status: opened.status };
        if (retryAfterMs !== undefined) details.retryAfterMs = retryAfterMs;
        const hint = retryAfterMs !== undefined ? ` (Retry-After ${Math.ceil(retryAfterMs / 1000)} s)` : '';
        return new HarvestError('httpStatus', `HTTP ${opened.status}${hint}`, details);
      },
      discard: async () => {
        let bytes = 0;
        for await (const chunk of body) {
          bytes += chunk.length;
          if (bytes > 65_536) break;
        }
      },
    };
  }

  /** Sends the GET, following redirects within http(s), and returns the final response with its body decoded. */
  private async open(url: string, signal: AbortSignal): Promise<OpenedResponse> {
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
      const response = await request(current, {
        method: 'GET',
        dispatcher: this.dispatcher,
        headers,
        signal,
        headersTimeout: this.options.headersTimeoutMs ?? 120_000,
        bodyTimeout: this.options.bodyTimeoutMs ?? 120_000,
      });
      const status = response.statusCode;
      if (status >= 300 && status < 400 && status !== 304) {
        await response.body.dump({ limit: 65_536 }).catch(() => undefined);
        const location = headerValue(response.headers, 'location');
        if (!location) throw new HarvestError('redirect', `HTTP ${status} without a Location header`, { url: current, status });
        if (redirects >= maxRedirects) throw new HarvestError('redirect', `More than ${maxRedirects} redirects`, { url: current, status });
        let target: string;
        try {
          target = new URL(location, current).toString();
        } catch {
          throw new HarvestError('unsupportedUrl', `HTTP ${status} redirects to "${location}", which is not a URL`, { url: current, status });
        }
        checkHttpUrl(target, `HTTP ${status} from ${current} redirects to`);
        current = target;
        this.checkBudget(current);
        continue;
      }
      const encoding = (headerValue(response.headers, 'content-encoding') ?? '').trim().toLowerCase();
      const decoder =
        encoding === 'gzip' || encoding === 'x-gzip'
          ? createGunzip()
          : encoding === 'deflate'
            ? createInflate()
            : encoding === 'br'
              ? createBrotliDecompress()
              : undefined;
      const body = decoder ? pipeline(response.body, decoder, () => undefined) : response.body;
      return { url: current, status, headers: response.headers, body };
    }
  }
}

/** The body as an async iterable that measures the time spent waiting for each chunk. */
async function* guardedBody(body: Readable, rate: TransferRate, check: () => void): AsyncGenerator<Buffer> {
  const chunks = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  try {
    for (;;) {
      rate.startWaiting(Date.now());
      const next = await chunks.next();
      if (next.done) {
        rate.received(0, Date.now());
        return;
      }
      rate.received(next.value.length, Date.now());
      check();
      yield next.value;
    }
  } finally {
    body.destroy();
  }
}

/** One signal that aborts when any of `signals` does; dispose() removes the listeners. */
export function combineSignals(signals: readonly AbortSignal[]): { signal: AbortSignal | undefined; dispose: () => void } {
  if (signals.length <= 1) return { signal: signals[0], dispose: () => undefined };
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  for (const signal of signals) {
    if (signal.aborted) controller.abort();
    else signal.addEventListener('abort', onAbort, { once: true });
  }
  return { signal: controller.signal, dispose: () => signals.forEach((s) => s.removeEventListener('abort', onAbort)) };
}
