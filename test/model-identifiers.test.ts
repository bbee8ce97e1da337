import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  isPartialDate,
  isRomanNumeral,
  isValidDoi,
  isValidIssn,
  isValidOrcid,
  isValidRor,
  normalizeDoi,
  normalizeIssn,
  normalizeOrcid,
  normalizeRor,
  numberToRoman,
  romanToNumber,
} from '../src/model/index.js';

const crossrefExamples = join(dirname(fileURLToPath(import.meta.url)), '../../shared/testdata/crossref-examples');
const exampleText = readdirSync(crossrefExamples)
  .filter((name) => name.endsWith('.xml'))
  .map((name) => readFileSync(join(crossrefExamples, name), 'utf8'))
  .join('\n');

function allMatches(pattern: RegExp): string[] {
  return [...new Set([...exampleText.matchAll(pattern)].map((m) => m[1]!))];
}

describe('DOI normalisation', () => {
  it.each([
    ['10.33172/jdp.v4i2.323', '10.33172/jdp.v4i2.323'],
    ['https://doi.org/10.33172/JDP.V4I2.323', '10.33172/jdp.v4i2.323'],
    ['http://dx.doi.org/10.1000/ABC', '10.1000/abc'],
    ['doi:10.1000/xyz', '10.1000/xyz'],
    ['DOI: 10.1000/xyz', '10.1000/xyz'],
    ['  10.1000/xyz  ', '10.1000/xyz'],
    // In a resolver URL the DOI is percent-encoded where URL syntax requires it (DOI Handbook, "encoding DOIs in URLs").
    ['https://doi.org/10.1002/%28SICI%291097-4571', '10.1002/(sici)1097-4571'],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeDoi(input)).toBe(expected);
  });

  it('checks syntax: "10." + 4-9 digit registrant code + "/" + non-empty suffix', () => {
    expect(isValidDoi('10.1000/182')).toBe(true);
    expect(isValidDoi('10.123/abc')).toBe(false);
    expect(isValidDoi('11.1000/abc')).toBe(false);
    expect(isValidDoi('10.1000/')).toBe(false);
    expect(isValidDoi('10.1000/a b')).toBe(false);
  });

  it('accepts every DOI in Crossref\'s published example deposits', () => {
    const dois = allMatches(/<doi>([^<]+)<\/doi>/g);
    expect(dois.length).toBeGreaterThan(10);
    for (const doi of dois) expect(isValidDoi(doi), doi).toBe(true);
  });
});

describe('ORCID iD (ISO 7064 MOD 11-2 check character)', () => {
  it('accepts ORCID\'s documented examples, including an X check character', () => {
    expect(isValidOrcid('0000-0002-1825-0097')).toBe(true);
    expect(isValidOrcid('0000-0001-5109-3700')).toBe(true);
    expect(isValidOrcid('0000-0002-1694-233X')).toBe(true);
  });

  it('rejects a wrong check character and malformed iDs', () => {
    expect(isValidOrcid('0000-0002-1825-0096')).toBe(false);
    expect(isValidOrcid('0000-0002-1694-2330')).toBe(false);
    expect(isValidOrcid('0000000218250097')).toBe(false);
    expect(isValidOrcid('https://orcid.org/0000-0002-1825-0097')).toBe(false);
  });

  it('normalises URL forms and a lowercase x to the bare iD', () => {
    expect(normalizeOrcid('https://orcid.org/0000-0002-1825-0097')).toBe('0000-0002-1825-0097');
    expect(normalizeOrcid('http://orcid.org/0000-0002-1694-233x')).toBe('0000-0002-1694-233X');
    expect(normalizeOrcid('orcid.org/0000-0001-5109-3700')).toBe('0000-0001-5109-3700');
  });

  it('accepts every ORCID in Crossref\'s published example deposits', () => {
    const orcids = allMatches(/<ORCID[^>]*>([^<]+)<\/ORCID>/g);
    expect(orcids.length).toBeGreaterThan(0);
    for (const orcid of orcids) expect(isValidOrcid(normalizeOrcid(orcid)), orcid).toBe(true);
  });
});

describe('ISSN (ISO 3297 mod-11 check digit)', () => {
  it('accepts valid ISSNs and rejects wrong check digits', () => {
    expect(isValidIssn('0378-5955')).toBe(true);
    expect(isValidIssn('2049-3630')).toBe(true);
    expect(isValidIssn('0378-5954')).toBe(false);
    expect(isValidIssn('03785955')).toBe(false);
  });

  it('normalises the compact form and a lowercase x', () => {
    expect(normalizeIssn('03785955')).toBe('0378-5955');
    expect(normalizeIssn('2165-848x')).toBe('2165-848X');
    expect(normalizeIssn('not an issn')).toBe('not an issn');
  });

  it('accepts every ISSN in Crossref\'s published example deposits (one ends in X)', () => {
    const issns = allMatches(/<issn[^>]*>([^<]+)<\/issn>/g);
    expect(issns.length).toBeGreaterThan(5);
    expect(issns.some((issn) => issn.endsWith('X'))).toBe(true);
    for (const issn of issns) expect(isValidIssn(issn), issn).toBe(true);
  });
});

describe('ROR id (0 + 6 Crockford base32 characters + ISO 7064 MOD 97-10 checksum)', () => {
  it('accepts every ROR id in Crossref\'s published example deposits', () => {
    const rors = allMatches(/(https?:\/\/ror\.org\/[0-9a-z]+)/g);
    expect(rors.length).toBeGreaterThan(2);
    for (const ror of rors) expect(isValidRor(normalizeRor(ror)), ror).toBe(true);
  });

  it('rejects a wrong checksum and letters outside Crockford base32', () => {
    expect(isValidRor('https://ror.org/05gq02987')).toBe(true);
    expect(isValidRor('https://ror.org/05gq02988')).toBe(false);
    expect(isValidRor('https://ror.org/05gu02987')).toBe(false); // "u" is not in Crockford base32
    expect(isValidRor('05gq02987')).toBe(false); // stored form is the full URL
  });

  it('normalises bare ids and http URLs to https://ror.org/...', () => {
    expect(normalizeRor('05GQ02987')).toBe('https://ror.org/05gq02987');
    expect(normalizeRor('http://ror.org/05gq02987')).toBe('https://ror.org/05gq02987');
    expect(normalizeRor('ror.org/05gq02987')).toBe('https://ror.org/05gq02987');
  });
});

describe('partial dates and page numbers', () => {
  it('accepts YYYY, YYYY-MM and real YYYY-MM-DD dates only', () => {
    for (const ok of ['2018', '2018-07', '2018-07-31', '2020-02-29', '2000-02-29']) expect(isPartialDate(ok), ok).toBe(true);
    for (const bad of ['2019-02-29', '1900-02-29', '2018-13', '2018-00', '2018-04-31', '2018-7-5', '18', '2018-07-01T00:00:00Z']) {
      expect(isPartialDate(bad), bad).toBe(false);
    }
  });

  it('recognises well-formed roman numerals in one case', () => {
    for (const ok of ['i', 'iv', 'xii', 'xxiv', 'XLII', 'MCMXCIX']) expect(isRomanNumeral(ok), ok).toBe(true);
    for (const bad of ['', 'iiii', 'vx', 'IC', 'Xii', 'xiiv']) expect(isRomanNumeral(bad), bad).toBe(false);
    expect(romanToNumber('xxiv')).toBe(24);
    expect(romanToNumber('MCMXCIX')).toBe(1999);
    for (let n = 1; n < 400; n++) expect(romanToNumber(numberToRoman(n))).toBe(n);
  });
});
