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

/** The forms a secret can take in text echoed back: as sent in a form, in a URL, in HTML or XML, in Basic auth. */
export function secretVariants(secret: string): string[] {
  const percent = encodeURIComponent(secret);
  const strict = percent.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const form = new URLSearchParams({ s: secret }).toString().slice(2);
  const lowerHex = (text: string) => text.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase());
  const markup = secret.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
  const variants = [
    secret,
    percent,
    strict,
    form,
    percent.replace(/%20/g, '+'),
    markup,
    markup.replace(/&#39;/g, '&apos;'),
    Buffer.from(secret, 'utf8').toString('base64'),
  ];
  variants.push(...variants.filter((v) => v.includes('%')).map(lowerHex));
  // Longest first, so a longer form is not left half-replaced by a shorter one inside it.
  return [...new Set(variants)].filter((v) => v.length > 0).sort((a, b) => b.length - a.length);
}

/**
 * Replaces every occurrence of each secret, in every form it may be echoed in (raw,
 * percent-encoded in either hex case, form-encoded with "+" for spaces, HTML/XML-escaped,
 * base64), with [redacted]. Defence in depth: our own messages never include credentials, but
 * server answers (which may echo the request) and errors from lower layers (sockets, parsers)
 * pass through this before they reach a log, a user or the store.
 */
export function redactSecrets(message: string, secrets: readonly (string | undefined)[]): string {
  let out = message;
  for (const secret of secrets) {
    if (!secret) continue;
    for (const variant of secretVariants(secret)) out = out.split(variant).join('[redacted]');
  }
  return out;
}
