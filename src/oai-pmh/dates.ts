/**
 * OAI-PMH UTCdatetime (spec §3.3): parsing and formatting at the two granularities, and the
 * datestamp-range semantics of from/until (§2.7.1, §3.3.1) for both the provider and the harvester.
 */

/** The two granularities, spelled as Identify's <granularity> spells them (§4.2). */
export type Granularity = 'YYYY-MM-DD' | 'YYYY-MM-DDThh:mm:ssZ';
export const DAY_GRANULARITY: Granularity = 'YYYY-MM-DD';
export const SECONDS_GRANULARITY: Granularity = 'YYYY-MM-DDThh:mm:ssZ';

/** A from/until argument read strictly (§3.3.1). */
export interface ParsedDate {
  granularity: Granularity;
  /** First second the value covers, at seconds granularity. */
  start: string;
  /** Last second it covers: a day runs to 23:59:59Z. */
  end: string;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const SECONDS = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;
// Datestamps received from repositories: surrounding space and fractions of a second occur.
const LENIENT = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?Z)?$/;

function isCalendarDate(year: number, month: number, day: number): boolean {
  if (year === 0 || month < 1 || month > 12 || day < 1) return false;
  const probe = new Date(Date.UTC(2000, month - 1, day));
  probe.setUTCFullYear(year);
  return probe.getUTCMonth() === month - 1 && probe.getUTCDate() === day;
}

/**
 * Parses a from/until argument (§3.3.1): exactly YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ. Anything
 * else, including fractions of a second, offsets other than Z, impossible dates and year 0000
 * (not an xs:date), is undefined.
 */
export function parseUtcDatetime(value: string): ParsedDate | undefined {
  const day = DAY.exec(value);
  const seconds = day ? undefined : SECONDS.exec(value);
  const match = day ?? seconds;
  if (!match) return undefined;
  const [hour, minute, second] = seconds ? [Number(match[4]), Number(match[5]), Number(match[6])] : [0, 0, 0];
  if (!isCalendarDate(Number(match[1]), Number(match[2]), Number(match[3])) || hour > 23 || minute > 59 || second > 59) return undefined;
  const ymd = value.slice(0, 10);
  if (day) return { granularity: DAY_GRANULARITY, start: `${ymd}T00:00:00Z`, end: `${ymd}T23:59:59Z` };
  return { granularity: SECONDS_GRANULARITY, start: value, end: value };
}

/**
 * Reads a UTCdatetime a repository sent (a datestamp, responseDate, earliestDatestamp) as the
 * instant it starts at. Tolerates surrounding space and fractions of a second; undefined when
 * it is no UTCdatetime at all.
 */
export function utcDatetimeToDate(value: string): Date | undefined {
  const match = LENIENT.exec(value.trim());
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const [hour, minute, second] = [Number(match[4] ?? 0), Number(match[5] ?? 0), Number(match[6] ?? 0)];
  if (!isCalendarDate(year, month, day) || hour > 23 || minute > 59 || second > 59) return undefined;
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second));
  date.setUTCFullYear(year);
  return date;
}

export function isUtcDatetime(value: string): boolean {
  return utcDatetimeToDate(value) !== undefined;
}

/** Formats an instant at a granularity (truncating: a day is the day the instant falls on). */
export function formatUtcDatetime(date: Date, granularity: Granularity): string {
  const iso = date.toISOString();
  return granularity === DAY_GRANULARITY ? iso.slice(0, 10) : `${iso.slice(0, 19)}Z`;
}

/** Seconds-granularity datestamp one second before `date` (date truncated to seconds first). */
export function previousSecond(date: Date): string {
  const truncated = Math.floor(date.getTime() / 1000) * 1000;
  return formatUtcDatetime(new Date(truncated - 1000), SECONDS_GRANULARITY);
}

/** The granularity a value is written at, if it is a UTCdatetime. */
export function granularityOf(value: string): Granularity | undefined {
  return parseUtcDatetime(value)?.granularity;
}

/**
 * A datestamp at a repository's granularity, for a `from` argument: seconds sent to a
 * day-granularity repository are truncated to their day (which only widens the range: §3.3.1
 * says a finer granularity than the repository's must produce an error).
 */
export function toGranularity(datestamp: string, granularity: Granularity): string {
  const date = utcDatetimeToDate(datestamp);
  if (!date) throw new Error(`Not an OAI-PMH UTCdatetime: "${datestamp}"`);
  if (granularity === DAY_GRANULARITY || DAY.test(datestamp.trim())) return formatUtcDatetime(date, DAY_GRANULARITY);
  return formatUtcDatetime(date, SECONDS_GRANULARITY);
}

export interface DateRangeArguments {
  from?: string;
  until?: string;
  /** What was changed on the way, for a warning ("until 2026-04-02T10:00:00Z sent as 2026-04-02"). */
  notes: string[];
}

/**
 * The from/until arguments of a list request, at what a repository of `granularity` accepts,
 * covering at least the range the caller asked for (§2.7.1: both bounds are inclusive):
 *  - a day is sent as the day: every repository supports day granularity (§3.3.1), and a day
 *    `until` includes everything changed during that day;
 *  - seconds sent to a day-granularity repository become their day: `from` is truncated down,
 *    `until` becomes the whole day (a finer granularity than the repository's is an error, §3.3.1);
 *  - both arguments must have the same granularity (§3.3.1): when one is a day and the other
 *    seconds (a seconds repository), the day is written in seconds, from its first second
 *    (`from`) or to its last (`until`), which selects the same records.
 * Throws when a value is no UTCdatetime or from is later than until (§2.7.1 badArgument).
 */
export function listDateArguments(range: { from?: string | undefined; until?: string | undefined }, granularity: Granularity): DateRangeArguments {
  const notes: string[] = [];
  const read = (name: 'from' | 'until', value: string | undefined): ParsedDate | undefined => {
    if (value === undefined) return undefined;
    const parsed = parseUtcDatetime(value.trim());
    if (!parsed) throw new Error(`${name} "${value}" is not YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ (OAI-PMH 2.0 §3.3.1)`);
    if (parsed.granularity === SECONDS_GRANULARITY && granularity === DAY_GRANULARITY) {
      const day = parsed.start.slice(0, 10);
      notes.push(`${name} ${value} sent as ${day}: the repository supports day granularity only`);
      return { granularity: DAY_GRANULARITY, start: `${day}T00:00:00Z`, end: `${day}T23:59:59Z` };
    }
    return parsed;
  };
  const from = read('from', range.from);
  const until = read('until', range.until);
  if (from && until && from.start > until.end) throw new Error(`from ${range.from} is later than until ${range.until} (OAI-PMH 2.0 §2.7.1)`);
  const mixed = from !== undefined && until !== undefined && from.granularity !== until.granularity;
  const write = (parsed: ParsedDate | undefined, bound: 'start' | 'end'): string | undefined => {
    if (parsed === undefined) return undefined;
    if (parsed.granularity === DAY_GRANULARITY && !mixed) return parsed.start.slice(0, 10);
    return parsed[bound];
  };
  const out: DateRangeArguments = { notes };
  const fromArgument = write(from, 'start');
  const untilArgument = write(until, 'end');
  if (fromArgument !== undefined) out.from = fromArgument;
  if (untilArgument !== undefined) out.until = untilArgument;
  if (mixed) notes.push(`from and until must have the same granularity (§3.3.1): sent as ${fromArgument} and ${untilArgument}`);
  return out;
}
