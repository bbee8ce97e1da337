import type { Granularity } from './xml.js';

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const SECONDS = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?Z$/;

/** Parses an OAI-PMH UTCdatetime (OAI-PMH 2.0 §3.3): "YYYY-MM-DD" or "YYYY-MM-DDThh:mm:ssZ". */
export function parseUtcDatetime(value: string): Date | undefined {
  const text = value.trim();
  const match = SECONDS.exec(text) ?? DAY.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0'] = match;
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)));
  if (date.getUTCFullYear() !== Number(y) || date.getUTCMonth() !== Number(mo) - 1 || date.getUTCDate() !== Number(d)) {
    return undefined;
  }
  return date;
}

/** Formats a time as a `from`/`until` argument the repository accepts at its granularity. */
export function formatForGranularity(date: Date, granularity: Granularity): string {
  const iso = date.toISOString();
  return granularity === 'YYYY-MM-DD' ? iso.slice(0, 10) : `${iso.slice(0, 19)}Z`;
}

/**
 * Converts a datestamp to the repository's granularity. A day-granularity repository must never
 * be sent seconds (it answers badArgument); going down to the day widens the range, which only
 * re-harvests records the upsert then recognises.
 */
export function toGranularity(datestamp: string, granularity: Granularity): string {
  const date = parseUtcDatetime(datestamp);
  if (!date) throw new Error(`Not an OAI-PMH UTCdatetime: "${datestamp}"`);
  return formatForGranularity(date, granularity);
}

export function isUtcDatetime(value: string): boolean {
  return parseUtcDatetime(value) !== undefined;
}
