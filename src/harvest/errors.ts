import type { OaiErrorCode as ProtocolErrorCode } from '../oai-pmh/index.js';

/**
 * Named failures of a harvest. Every way a real OAI-PMH endpoint misbehaves gets its own code,
 * so logs, run records and callers can tell "the server sent an HTML error page" from "the
 * connection was reset" without parsing messages.
 */
export type HarvestErrorCode =
  /** The connection broke (reset, also mid-body; closed early). Retried with backoff. */
  | 'network'
  /**
   * No connection at all: refused, DNS failure, host or network unreachable, connect timeout.
   * Retried a few times with short waits (about 30 s in all by default), then the run fails.
   */
  | 'unreachable'
  /** Not an http(s) URL, or a redirect to one that is not (file:, ftp: ...). Never retried. */
  | 'unsupportedUrl'
  /**
   * Response headers or the next body chunk did not arrive within the inactivity timeout, the
   * body came slower than the minimum transfer rate, or the whole-request deadline passed.
   * Retried with backoff.
   */
  | 'timeout'
  /** The decompressed response passed the response size limit (a runaway or bomb). Not retried. */
  | 'responseTooLarge'
  /**
   * HTTP status other than 200 with a body that is not an OAI-PMH document (an OAI-PMH body is
   * read as one whatever the status). 5xx, 408 and 429 are retried; other 4xx are not.
   */
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
  /**
   * A list with no request budget went on past twice what its completeListSize implies, or
   * past the page cap: the run pauses with a checkpoint and a warning.
   */
  | 'runawayList'
  /** Stopped by the caller's AbortSignal. */
  | 'aborted';

/** Codes worth another attempt of the same request (after a delay). */
const RETRYABLE: ReadonlySet<HarvestErrorCode> = new Set([
  'network',
  'unreachable',
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
    if (this.code === 'httpStatus') return this.status === 408 || this.status === 429 || (this.status !== undefined && this.status >= 500);
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

  /** `status`: the HTTP status the error document came with (OAI-PMH errors come with any). */
  constructor(errors: OaiErrorEntry[], url?: string, status?: number) {
    const first = errors[0] ?? { code: 'unknown', message: '' };
    const text = errors.map((e) => (e.message ? `${e.code} (${e.message})` : e.code)).join('; ');
    const details: HarvestErrorDetails = {};
    if (url !== undefined) details.url = url;
    if (status !== undefined) details.status = status;
    super('oaiError', `OAI-PMH error from repository: ${text}${status !== undefined && status !== 200 ? ` [HTTP ${status}]` : ''}`, details);
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
    code: 'retryAfterTooLong' | 'requestBudgetExhausted' | 'runawayList' | 'aborted',
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
