import { describe, expect, it } from 'vitest';
import {
  OAI_ERROR_CODES,
  isEmptyListError,
  listDateArguments,
  parseUtcDatetime,
  toGranularity,
  utcDatetimeToDate,
} from '../src/oai-pmh/index.js';

/** The protocol definitions shared by provider and harvester (OAI-PMH 2.0, ../shared/specs/openarchivesprotocol.htm). */
describe('UTCdatetime (§3.3)', () => {
  it('reads request arguments strictly: only YYYY-MM-DD and YYYY-MM-DDThh:mm:ssZ (§3.3.1)', () => {
    expect(parseUtcDatetime('2024-03-05')).toEqual({ granularity: 'YYYY-MM-DD', start: '2024-03-05T00:00:00Z', end: '2024-03-05T23:59:59Z' });
    expect(parseUtcDatetime('2024-03-05T10:11:12Z')).toEqual({ granularity: 'YYYY-MM-DDThh:mm:ssZ', start: '2024-03-05T10:11:12Z', end: '2024-03-05T10:11:12Z' });
    for (const bad of ['2024-02-30', '2024-03-05T10:00:00+01:00', '2024-03-05T10:00:00.5Z', '2024-03-05T24:00:00Z', '0000-01-01', ' 2024-03-05', '2024-3-5']) {
      expect(parseUtcDatetime(bad), bad).toBeUndefined();
    }
  });

  it('reads datestamps a repository sent leniently (fractions, spaces) as the instant they start at', () => {
    expect(utcDatetimeToDate(' 2024-03-05T10:11:12.345Z ')?.toISOString()).toBe('2024-03-05T10:11:12.000Z');
    expect(utcDatetimeToDate('2024-03-05')?.toISOString()).toBe('2024-03-05T00:00:00.000Z');
    expect(utcDatetimeToDate('0001-01-01')?.getUTCFullYear()).toBe(1);
    expect(utcDatetimeToDate('2024-02-30')).toBeUndefined();
  });

  it('a datestamp for a day-granularity repository is its day; a day stays a day', () => {
    expect(toGranularity('2024-03-05T23:59:59Z', 'YYYY-MM-DD')).toBe('2024-03-05');
    expect(toGranularity('2024-03-05T23:59:59Z', 'YYYY-MM-DDThh:mm:ssZ')).toBe('2024-03-05T23:59:59Z');
    expect(toGranularity('2024-03-05', 'YYYY-MM-DDThh:mm:ssZ')).toBe('2024-03-05');
  });
});

describe('from/until of a list request (§2.7.1 inclusive bounds, §3.3.1 granularity)', () => {
  const SECONDS = 'YYYY-MM-DDThh:mm:ssZ' as const;
  const DAY = 'YYYY-MM-DD' as const;

  it('days are sent as days, at either granularity ("all repositories must support YYYY-MM-DD")', () => {
    expect(listDateArguments({ from: '2026-04-01', until: '2026-04-02' }, SECONDS)).toEqual({ from: '2026-04-01', until: '2026-04-02', notes: [] });
    expect(listDateArguments({ until: '2026-04-02' }, SECONDS)).toEqual({ until: '2026-04-02', notes: [] });
    expect(listDateArguments({ from: '2026-04-01' }, DAY)).toEqual({ from: '2026-04-01', notes: [] });
  });

  it('seconds to a day repository: from truncated down, until the whole day (a finer granularity is an error)', () => {
    const range = listDateArguments({ from: '2026-04-01T18:00:00Z', until: '2026-04-02T10:00:00Z' }, DAY);
    expect(range).toMatchObject({ from: '2026-04-01', until: '2026-04-02' });
    expect(range.notes.join('\n')).toMatch(/until 2026-04-02T10:00:00Z sent as 2026-04-02: the repository supports day granularity only/);
  });

  it('one day and one seconds value at a seconds repository: both sent in seconds, the day covering all of it ("both arguments must have the same granularity")', () => {
    expect(listDateArguments({ from: '2026-04-01T18:00:00Z', until: '2026-04-02' }, SECONDS)).toMatchObject({
      from: '2026-04-01T18:00:00Z',
      until: '2026-04-02T23:59:59Z',
    });
    expect(listDateArguments({ from: '2026-04-01', until: '2026-04-02T10:00:00Z' }, SECONDS)).toMatchObject({
      from: '2026-04-01T00:00:00Z',
      until: '2026-04-02T10:00:00Z',
    });
  });

  it('refuses what is no UTCdatetime and a from later than until (badArgument, §2.7.1)', () => {
    expect(() => listDateArguments({ until: '2026-04-02T10:00' }, SECONDS)).toThrow(/until "2026-04-02T10:00" is not YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ/);
    expect(() => listDateArguments({ from: '2026-04-03', until: '2026-04-02' }, SECONDS)).toThrow(/later than until/);
    // The same day at both ends is a one-day range, not an error.
    expect(listDateArguments({ from: '2026-04-02T12:00:00Z', until: '2026-04-02' }, DAY)).toMatchObject({ from: '2026-04-02', until: '2026-04-02' });
  });
});

describe('error codes (§3.6)', () => {
  it('has the eight codes of the specification', () => {
    expect([...OAI_ERROR_CODES].sort()).toEqual(
      ['badArgument', 'badResumptionToken', 'badVerb', 'cannotDisseminateFormat', 'idDoesNotExist', 'noMetadataFormats', 'noRecordsMatch', 'noSetHierarchy'].sort(),
    );
  });

  it('noRecordsMatch, noSetHierarchy and noMetadataFormats are empty answers only for the verbs they describe', () => {
    expect(isEmptyListError('ListRecords', 'noRecordsMatch')).toBe(true);
    expect(isEmptyListError('ListIdentifiers', 'noRecordsMatch')).toBe(true);
    expect(isEmptyListError('ListSets', 'noSetHierarchy')).toBe(true);
    expect(isEmptyListError('ListRecords', 'noSetHierarchy')).toBe(false);
    expect(isEmptyListError('ListMetadataFormats', 'noMetadataFormats')).toBe(true);
    expect(isEmptyListError('GetRecord', 'idDoesNotExist')).toBe(false);
    expect(isEmptyListError('ListRecords', 'badArgument')).toBe(false);
  });
});
