/**
 * Why a Crossref exchange failed. `auth`: credentials refused (never retried); `rate-limit`:
 * Crossref asked us to wait longer than we are willing to; `rejected`: Crossref refused the
 * file itself; `protocol`: an answer we do not recognise; `network`/`server`: transient
 * failures that outlasted the retries; `timeout`: the result did not arrive in time.
 */
export type CrossrefErrorKind = 'auth' | 'rate-limit' | 'rejected' | 'protocol' | 'network' | 'server' | 'timeout' | 'config';

/** Every error the Crossref client throws. Messages never carry credentials. */
export class CrossrefDepositError extends Error {
  readonly kind: CrossrefErrorKind;
  /** HTTP status of the last answer, when there was one. */
  readonly status: number | undefined;
  /** Milliseconds Crossref asked us to wait (429/503 Retry-After), when it said. */
  readonly retryAfterMs: number | undefined;

  constructor(kind: CrossrefErrorKind, message: string, details: { status?: number; retryAfterMs?: number } = {}) {
    super(message);
    this.name = 'CrossrefDepositError';
    this.kind = kind;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
  }

  /** Transient failures worth another attempt. */
  get retryable(): boolean {
    return this.kind === 'network' || this.kind === 'server' || (this.kind === 'rate-limit' && this.retryAfterMs !== undefined);
  }
}

/**
 * Replaces every occurrence of each secret in a message. Defence in depth: our own messages
 * never include credentials, but errors from lower layers (sockets, parsers) are passed
 * through this before they reach a log or a user.
 */
export function redactSecrets(message: string, secrets: readonly (string | undefined)[]): string {
  let out = message;
  for (const secret of secrets) {
    if (!secret) continue;
    out = out.split(secret).join('[redacted]');
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) out = out.split(encoded).join('[redacted]');
  }
  return out;
}
