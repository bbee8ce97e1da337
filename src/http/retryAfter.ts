/**
 * Parses an HTTP Retry-After value (RFC 9110 §10.2.3): delay-seconds or an HTTP-date
 * (IMF-fixdate, or the obsolete RFC 850 and asctime forms, all of which Date.parse reads).
 * Returns milliseconds to wait from `now` (0 for a date in the past), or undefined when the
 * header is absent or unreadable. Used by the harvester and the Crossref client alike.
 */
export function parseRetryAfter(value: string | null | undefined, now: Date = new Date()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number.parseInt(text, 10) * 1000;
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}
