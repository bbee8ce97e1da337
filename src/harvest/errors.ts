import type { OaiErrorCode as ProtocolErrorCode } from '../oai/engine.js';

/**
 * Named failures of a harvest. Every way a real OAI-PMH endpoint misbehaves gets its own code,
 * so logs, run records and callers can tell "the server sent an HTML error page" from "the
 * connection was reset" without parsing messages.
 */
export type HarvestErrorCode =
  /** TCP-level failure: refused, reset (also mid-body), DNS. Retried with backoff. */
  | 'network'
  /** connect, response headers or body inactivity exceeded its timeout. Retried with backoff. */
  | 'timeout'
  /** HTTP status other than 200. 5xx and 429 are retried; other 4xx are not (manual intervention). */
  | 'httpStatus'
  /** Redirect without Location, or too many redirects. */
  | 'redirect'
  /** 200 with no body at all (or only whitespace). */
  | 'emptyBody'
  /** 200 with an HTML page (proxy or application error page). */
  | 'htmlBody'
  /** Content-Type is not XML and the body is not an OAI-PMH document either. */
  | 'nonXmlContentType'
  /** The document ended before its root element was closed (connection cut, server crash). */
  | 'truncatedDocument'
  /** Not well-formed XML outside any record (the envelope itself is broken). */
  | 'malformedXml'
  /** Well-formed XML whose root is not OAI-PMH. */
  | 'notOaiPmh'
  /** The repository answered with one or more OAI-PMH <error> elements (OAI-PMH 2.0 §3.6). */
  | 'oaiError'
  /** Retry-After asked for a longer wait than allowed: the run pauses with a checkpoint. */
  | 'retryAfterTooLong'
  /** The per-source request budget is spent: the run pauses with a checkpoint. */
  | 'requestBudgetExhausted'
  /** Stopped by the caller's AbortSignal. */
  | 'aborted';

/** Codes worth another attempt of the same request (after a delay). */
const RETRYABLE: ReadonlySet<HarvestErrorCode> = new Set([
  'network',
  'timeout',
  'emptyBody',
  'htmlBody',
  'nonXmlContentType',
  'truncatedDocument',
  'malformedXml',
  'notOaiPmh',
]);

export interface HarvestErrorDetails {
  url?: string;
  status?: number;
  /** Milliseconds the server asked us to wait (Retry-After), when it said. */
  retryAfterMs?: number;
  /** 1-based line and column in the response body, for XML problems. */
  line?: number;
  column?: number;
  cause?: unknown;
}

export class HarvestError extends Error {
  readonly code: HarvestErrorCode;
  readonly url: string | undefined;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(code: HarvestErrorCode, message: string, details: HarvestErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'HarvestError';
    this.code = code;
    this.url = details.url;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
    this.line = details.line;
    this.column = details.column;
  }

  /** Whether repeating the same request may succeed. */
  get retryable(): boolean {
    if (this.code === 'httpStatus') return this.status === 429 || (this.status !== undefined && this.status >= 500);
    return RETRYABLE.has(this.code);
  }
}

/** The §3.6 codes the provider emits, plus whatever else a real server sends. */
export type OaiErrorCode = ProtocolErrorCode | (string & {});

export interface OaiErrorEntry {
  code: OaiErrorCode;
  message: string;
}

export class HarvestOaiError extends HarvestError {
  /** The first error's code (what callers switch on). */
  readonly oaiCode: OaiErrorCode;
  readonly errors: OaiErrorEntry[];

  constructor(errors: OaiErrorEntry[], url?: string) {
    const first = errors[0] ?? { code: 'unknown', message: '' };
    const text = errors.map((e) => (e.message ? `${e.code} (${e.message})` : e.code)).join('; ');
    super('oaiError', `OAI-PMH error from repository: ${text}`, url === undefined ? {} : { url });
    this.name = 'HarvestOaiError';
    this.oaiCode = first.code;
    this.errors = errors;
  }
}

/**
 * A stop that is not a failure: the run ends cleanly, its checkpoint intact, and can be resumed
 * later (after `resumeAfter`, when the server named a time).
 */
export class HarvestPausedError extends HarvestError {
  readonly resumeAfter: Date | undefined;

  constructor(
    code: 'retryAfterTooLong' | 'requestBudgetExhausted' | 'aborted',
    message: string,
    options: { resumeAfter?: Date; url?: string } = {},
  ) {
    super(code, message, options.url === undefined ? {} : { url: options.url });
    this.name = 'HarvestPausedError';
    this.resumeAfter = options.resumeAfter;
  }
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
