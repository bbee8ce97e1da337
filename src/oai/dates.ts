import type { Datestamp } from '../store/types.js';

/** OAI-PMH §3.3.1: the two legitimate request granularities. */
export type Granularity = 'day' | 'seconds';

export interface ParsedDate {
  granularity: Granularity;
  /** Lower bound of the instant range the value denotes, seconds granularity. */
  start: Datestamp;
  /** Upper bound (a day runs to 23:59:59Z), seconds granularity. */
  end: Datestamp;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const SECONDS = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;

/**
 * Parses a from/until argument. Anything else, including finer granularity (fractions),
 * offsets other than Z, impossible dates and year 0000 (not an xs:date), is undefined.
 */
export function parseUtcDatetime(value: string): ParsedDate | undefined {
  const day = DAY.exec(value);
  const seconds = day ? undefined : SECONDS.exec(value);
  const match = day ?? seconds;
  if (!match) return undefined;
  const [year, month, date] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const [hour, minute, second] = seconds ? [Number(match[4]), Number(match[5]), Number(match[6])] : [0, 0, 0];
  if (year === 0 || month < 1 || month > 12 || date < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const probe = new Date(Date.UTC(year, month - 1, date));
  probe.setUTCFullYear(year);
  if (probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== date) return undefined;
  const ymd = value.slice(0, 10);
  if (day) return { granularity: 'day', start: `${ymd}T00:00:00Z`, end: `${ymd}T23:59:59Z` };
  return { granularity: 'seconds', start: value, end: value };
}

/** Seconds-granularity datestamp one second before `date` (date truncated to seconds first). */
export function previousSecond(date: Date): Datestamp {
  const truncated = Math.floor(date.getTime() / 1000) * 1000;
  return new Date(truncated - 1000).toISOString().slice(0, 19) + 'Z';
}
