import { setTimeout as sleep } from 'node:timers/promises';
import { Blob } from 'node:buffer';
import pRetry, { AbortError } from 'p-retry';
import { Agent, fetch, FormData } from 'undici';
import type { Logger } from '../log.js';
import { CrossrefDepositError, redactSecrets } from './errors.js';
import { parseRetryAfter } from '../http/retryAfter.js';
import { parseBatchDiagnostic, parseDepositAcknowledgement, type BatchDiagnostic } from './responses.js';

/** Crossref's test system: the default, so nothing reaches the production registry by accident. */
export const CROSSREF_TEST_URL = 'https://test.crossref.org';
/** Crossref's production system: used only when configured explicitly. */
export const CROSSREF_PRODUCTION_URL = 'https://doi.crossref.org';

export interface CrossrefCredentials {
  username: string;
  password: string;
}

export interface CrossrefClientOptions {
  /** Base URL without the /servlet part, e.g. https://test.crossref.org. */
  baseUrl: string;
  credentials: CrossrefCredentials;
  /** Sent as User-Agent; Crossref asks integrators to identify themselves with a mailto. */
  userAgent?: string;
  logger?: Logger;
  /** Attempts after the first one for network errors, 5xx and 429 (default 5). */
  retries?: number;
  /** First backoff delay; doubles per attempt up to maxRetryDelayMs (defaults 1 s and 60 s). */
  minRetryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** A Retry-After longer than this is not waited for: the call fails and the next run retries (default 5 min). */
  maxRetryAfterMs?: number;
  /** Per-request limit for headers and body (default 120 s). */
  requestTimeoutMs?: number;
  /** Result polling: first delay, cap and total budget (defaults 5 s, 60 s, 10 min). */
  pollInitialDelayMs?: number;
  pollMaxDelayMs?: number;
  pollTimeoutMs?: number;
}

interface Exchange {
  status: number;
  body: string;
}

/** True when the base URL points at Crossref's production registry. */
export function isCrossrefProduction(baseUrl: string): boolean {
  try {
    return new URL(baseUrl).hostname.toLowerCase() === new URL(CROSSREF_PRODUCTION_URL).hostname;
  } catch {
    return false;
  }
}

function describeCause(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const parts = [error.message];
  let cause: unknown = (error as { cause?: unknown }).cause;
  for (let depth = 0; cause instanceof Error && depth < 3; depth++) {
    const code = (cause as { code?: string }).code;
    parts.push(code ? `${code}: ${cause.message}` : cause.message);
    cause = (cause as { cause?: unknown }).cause;
  }
  return parts.join(' / ');
}

/**
 * Talks to Crossref's deposit servlet (`operation=doMDUpload`) and its submission log
 * (`submissionDownload`, `type=result`). Credentials go only into request bodies, never into
 * URLs, log lines or error messages.
 */
export class CrossrefClient {
  readonly baseUrl: string;
  readonly production: boolean;
  readonly #credentials: CrossrefCredentials;
  readonly #options: Required<Omit<CrossrefClientOptions, 'logger' | 'credentials' | 'baseUrl'>>;
  readonly #logger: Logger | undefined;
  readonly #dispatcher: Agent;
  /** Submission-log polling pace: first delay, cap, total budget. */
  readonly pollPacing: { initialDelayMs: number; maxDelayMs: number; timeoutMs: number };

  constructor(options: CrossrefClientOptions) {
    let parsed: URL;
    try {
      parsed = new URL(options.baseUrl);
    } catch {
      throw new CrossrefDepositError('config', `Crossref base URL is not a URL: ${JSON.stringify(options.baseUrl)}`);
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
      throw new CrossrefDepositError('config', `Crossref base URL must be http(s): ${options.baseUrl}`);
    }
    if (!options.credentials.username || !options.credentials.password) {
      throw new CrossrefDepositError('config', 'Crossref credentials are incomplete: set PUBMETA_CROSSREF_USER and PUBMETA_CROSSREF_PASSWORD (or crossref.username/crossref.password in the config file)');
    }
    this.baseUrl = parsed.href.replace(/\/+$/, '');
    this.production = isCrossrefProduction(this.baseUrl);
    this.#credentials = { ...options.credentials };
    this.#logger = options.logger;
    this.#options = {
      userAgent: options.userAgent ?? 'pubmeta',
      retries: options.retries ?? 5,
      minRetryDelayMs: options.minRetryDelayMs ?? 1000,
      maxRetryDelayMs: options.maxRetryDelayMs ?? 60_000,
      maxRetryAfterMs: options.maxRetryAfterMs ?? 300_000,
      requestTimeoutMs: options.requestTimeoutMs ?? 120_000,
      pollInitialDelayMs: options.pollInitialDelayMs ?? 5000,
      pollMaxDelayMs: options.pollMaxDelayMs ?? 60_000,
      pollTimeoutMs: options.pollTimeoutMs ?? 600_000,
    };
    this.pollPacing = {
      initialDelayMs: this.#options.pollInitialDelayMs,
      maxDelayMs: this.#options.pollMaxDelayMs,
      timeoutMs: this.#options.pollTimeoutMs,
    };
    this.#dispatcher = new Agent({
      connectTimeout: Math.min(30_000, this.#options.requestTimeoutMs),
      headersTimeout: this.#options.requestTimeoutMs,
      bodyTimeout: this.#options.requestTimeoutMs,
    });
  }

  /**
   * Uploads one deposit file. Resolves when Crossref acknowledges receipt; the per-DOI outcome
   * is in the submission log (see waitForResult). The request itself is not cancelled by
   * `signal` (a half-sent upload leaves Crossref's state unknown); only waits between retries are.
   */
  async submit(fileName: string, xml: string, signal?: AbortSignal): Promise<{ message: string }> {
    const url = `${this.baseUrl}/servlet/deposit`;
    const { body } = await this.#exchange('deposit', signal, false, () => {
      const form = new FormData();
      form.set('operation', 'doMDUpload');
      form.set('login_id', this.#credentials.username);
      form.set('login_passwd', this.#credentials.password);
      form.set('fname', new Blob([xml], { type: 'application/xml' }), fileName);
      return { url, init: { method: 'POST', body: form } };
    });
    const ack = parseDepositAcknowledgement(body);
    if (ack.outcome === 'received') return { message: this.#redact(ack.message) };
    if (ack.outcome === 'failure') {
      const reason = this.#redact(ack.message);
      if (ack.authentication) {
        throw new CrossrefDepositError('auth', `Crossref deposit refused the credentials: ${reason}. Check PUBMETA_CROSSREF_USER / PUBMETA_CROSSREF_PASSWORD (or crossref.username / crossref.password in the config).`);
      }
      throw new CrossrefDepositError('rejected', `Crossref rejected deposit file ${fileName}: ${reason}`);
    }
    throw new CrossrefDepositError('protocol', `Crossref deposit answered something that is not an acknowledgement: ${this.#redact(ack.message).slice(0, 200)}`);
  }

  /** One look at the submission log of a deposited file. */
  async fetchResult(fileName: string, signal?: AbortSignal): Promise<BatchDiagnostic> {
    const url = `${this.baseUrl}/servlet/submissionDownload`;
    const { body } = await this.#exchange('submission log', signal, true, () => {
      // POSTed form fields rather than the documented query string: same parameters, but the
      // password stays out of URLs, proxy logs and error messages.
      const form = new URLSearchParams({
        usr: this.#credentials.username,
        pwd: this.#credentials.password,
        file_name: fileName,
        type: 'result',
      });
      return {
        url,
        init: { method: 'POST', body: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      };
    });
    try {
      // Messages are stored and shown: whatever the server echoes of the request loses the password.
      const diagnostic = parseBatchDiagnostic(body);
      return { ...diagnostic, records: diagnostic.records.map((r) => ({ ...r, message: this.#redact(r.message) })) };
    } catch (error) {
      if (/login|password|authenticat|unauthori[sz]ed/i.test(body)) {
        throw new CrossrefDepositError('auth', 'Crossref refused the credentials when reading the submission log. Check PUBMETA_CROSSREF_USER / PUBMETA_CROSSREF_PASSWORD.');
      }
      throw new CrossrefDepositError('protocol', `Crossref submission log for ${fileName}: ${this.#redact(error instanceof Error ? error.message : String(error))}`);
    }
  }

  /**
   * Polls the submission log with growing delays until `doi_batch_diagnostic status="completed"`,
   * the time budget runs out or `signal` aborts. Returns the last diagnostic seen; callers check
   * `status === 'completed'` and keep the batch for a later poll otherwise.
   */
  async waitForResult(
    fileName: string,
    options: { signal?: AbortSignal; timeoutMs?: number; onPoll?: (diagnostic: BatchDiagnostic) => void } = {},
  ): Promise<BatchDiagnostic> {
    const timeoutMs = options.timeoutMs ?? this.#options.pollTimeoutMs;
    const deadline = performance.now() + timeoutMs;
    let delay = this.#options.pollInitialDelayMs;
    let last: BatchDiagnostic = { status: 'unknown_submission', records: [] };
    for (let poll = 0; ; poll++) {
      const remaining = deadline - performance.now();
      if (poll > 0 && remaining <= 0) return last;
      if (!(await pause(Math.min(delay, Math.max(0, remaining)), options.signal))) return last;
      last = await this.fetchResult(fileName, options.signal);
      options.onPoll?.(last);
      this.#logger?.debug({ fileName, status: last.status, poll: poll + 1 }, 'polled Crossref submission log');
      if (last.status === 'completed') return last;
      delay = Math.min(delay * 2, this.#options.pollMaxDelayMs);
    }
  }

  async close(): Promise<void> {
    await this.#dispatcher.close();
  }

  #redact(message: string): string {
    return redactSecrets(message, [this.#credentials.password]);
  }

  async #exchange(
    label: string,
    signal: AbortSignal | undefined,
    cancellable: boolean,
    build: () => { url: string; init: { method: string; body: FormData | string; headers?: Record<string, string> } },
  ): Promise<Exchange> {
    const o = this.#options;
    const attempt = async (): Promise<Exchange> => {
      const { url, init } = build();
      let status: number;
      let body: string;
      let retryAfter: string | null;
      try {
        const response = await fetch(url, {
          ...init,
          headers: { ...(init.headers ?? {}), 'user-agent': o.userAgent },
          dispatcher: this.#dispatcher,
          ...(cancellable && signal ? { signal } : {}),
        });
        status = response.status;
        retryAfter = response.headers.get('retry-after');
        body = await response.text();
      } catch (error) {
        if (signal?.aborted) throw new AbortError(new CrossrefDepositError('network', `Crossref ${label}: cancelled`));
        throw new CrossrefDepositError('network', `Crossref ${label} request failed: ${this.#redact(describeCause(error))}`);
      }
      this.#logger?.debug({ request: label, status }, 'Crossref answered');
      if (status === 401 || status === 403) {
        throw new AbortError(
          new CrossrefDepositError(
            'auth',
            `Crossref ${label} refused the credentials (HTTP ${status}). Check PUBMETA_CROSSREF_USER / PUBMETA_CROSSREF_PASSWORD (or crossref.username / crossref.password in the config); not retrying.`,
            { status },
          ),
        );
      }
      if (status === 429 || status >= 500) {
        const waitMs = parseRetryAfter(retryAfter);
        const kind = status === 429 ? 'rate-limit' : 'server';
        if (waitMs !== undefined && waitMs > o.maxRetryAfterMs) {
          throw new AbortError(
            new CrossrefDepositError(kind, `Crossref ${label}: HTTP ${status}, asked to retry after ${Math.ceil(waitMs / 1000)} s (more than the ${Math.ceil(o.maxRetryAfterMs / 1000)} s we wait); try again later`, { status, retryAfterMs: waitMs }),
          );
        }
        throw new CrossrefDepositError(kind, `Crossref ${label}: HTTP ${status}${status === 429 ? ' (too many requests)' : ''}`, {
          status,
          retryAfterMs: waitMs ?? (status === 429 ? o.minRetryDelayMs : undefined),
        });
      }
      if (status < 200 || status >= 300) {
        throw new AbortError(new CrossrefDepositError('protocol', `Crossref ${label}: unexpected HTTP ${status}: ${this.#redact(body.slice(0, 200))}`, { status }));
      }
      return { status, body };
    };

    try {
      return await pRetry(attempt, {
        retries: o.retries,
        minTimeout: o.minRetryDelayMs,
        maxTimeout: o.maxRetryDelayMs,
        factor: 2,
        randomize: false,
        ...(signal ? { signal } : {}),
        shouldRetry: ({ error }) => error instanceof CrossrefDepositError && error.retryable,
        onFailedAttempt: async ({ error, attemptNumber, retriesLeft, retriesConsumed }) => {
          if (!(error instanceof CrossrefDepositError) || !error.retryable || retriesLeft <= 0) return;
          this.#logger?.warn({ request: label, attempt: attemptNumber, retriesLeft, error: error.message }, 'Crossref request failed; retrying');
          // p-retry waits its own exponential delay next; top it up so the total honours Retry-After.
          const backoff = Math.min(o.minRetryDelayMs * 2 ** retriesConsumed, o.maxRetryDelayMs);
          const extra = (error.retryAfterMs ?? 0) - backoff;
          if (extra > 0) await pause(extra, signal);
        },
      });
    } catch (error) {
      if (error instanceof CrossrefDepositError) throw error;
      if (signal?.aborted) throw new CrossrefDepositError('network', `Crossref ${label}: cancelled`);
      throw new CrossrefDepositError('network', `Crossref ${label}: ${this.#redact(describeCause(error))}`);
    }
  }
}

/** Waits `ms`; resolves false instead of throwing when `signal` aborts first. */
export async function pause(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return false;
  if (ms <= 0) return true;
  try {
    await sleep(ms, undefined, signal ? { signal } : undefined);
    return true;
  } catch {
    return false;
  }
}
