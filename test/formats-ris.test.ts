import { describe, expect, it } from 'vitest';
import { checkRis, parseRisRecords, parseRisToCsl, risFormat, toRis, toRisBatch } from '../src/formats/ris/index.js';
import { generateSyntheticRecords, loadSeedSample, type ArticleRecord } from '../src/model/index.js';
import { minimalRecord, sampleRecord } from './formats-helpers.js';

const HARD_TEXT = 'Braces {x} & 100% of $5 #1 snake_case ~tilde ^caret back\\slash -- ``quoted\'\' — Éléonore Ørsted Straße, Соль и перец, العربية, 中文标题, 日本語';

function hardRecord(): ArticleRecord {
  return minimalRecord({
    id: 'hard-ris',
    title: { en: HARD_TEXT },
    abstract: { en: `${HARD_TEXT}\n\nSecond paragraph:  "TY  - JOUR" is not a tag here.\nER  - neither is this.` },
    keywords: { en: ['a & b', 'x_y, z', '{braced}', '中文'] },
    contributors: [
      { given: 'Éléonore', family: 'Dupont-Ørsted' },
      { given: 'Анна', family: 'Иванова' },
      { given: 'محمد', family: 'الحسن' },
      { given: '太郎', family: '山田' },
      { family: 'Sukarno' },
      { given: 'Pat', family: 'Smith', suffix: 'Jr.' },
      { type: 'organization', name: 'Society of Tests & Measures' },
    ],
    journal: { title: 'Journal of 100% Tests & {Braces}', issns: [{ value: '2049-3630', media: 'electronic' }, { value: '0378-5955', media: 'print' }] },
    doi: '10.5555/hard_1%2#x',
    landingPage: 'https://example.org/a_b%20c?x=1&y=2#frag',
    galleys: [{ url: 'https://example.org/a_b.pdf', mimeType: 'application/pdf' }, { url: 'https://example.org/a_b.html', mimeType: 'text/html' }],
    pages: { first: 'xii', last: 'xxiv' },
    dates: { published: { online: '2024-09' } },
  });
}

describe('toRis: the seed article', () => {
  const seed = loadSeedSample();
  const ris = toRis(seed);

  it('is one TY JOUR record with CRLF lines, ending "ER  - "', () => {
    const lines = ris.split('\r\n');
    expect(lines[0]).toBe('TY  - JOUR');
    expect(lines.at(-2)).toBe('ER  - ');
    expect(lines.at(-1)).toBe('');
    expect(lines.filter((l) => l.startsWith('AU  - '))).toEqual(['AU  - Akhli, Rangga Amalul', 'AU  - Gumilar, Nugraha', 'AU  - Halkis, Mhd']);
    expect(lines).toContain('T2  - Jurnal Diplomasi Pertahanan');
    expect(lines).toContain('PY  - 2018');
    expect(lines).toContain('DO  - 10.33172/jdp.v4i2.323');
  });

  it('reads back through Citation.js with every tag intact, and as a CSL journal article', () => {
    expect(checkRis(ris, seed)).toEqual([]);
    expect(parseRisToCsl(ris)[0]).toMatchObject({ type: 'article-journal', 'container-title': 'Jurnal Diplomasi Pertahanan', volume: '4', issue: '2', DOI: '10.33172/jdp.v4i2.323' });
  });
});

describe('toRis: special characters survive the round trip', () => {
  const record = hardRecord();
  const ris = toRis(record);

  it('writes text as it is (RIS has no escaping), one line per value', () => {
    expect(ris).toContain(`TI  - ${HARD_TEXT}\r\n`);
    expect(ris.split('\r\n').every((line) => line === '' || /^[A-Z][A-Z0-9] {2}- /.test(line))).toBe(true);
    expect(ris).toContain('KW  - x_y, z\r\n');
  });

  it('comes back from Citation.js as written: title, names, journal, DOI, URL, PDF, ISSNs, keywords', () => {
    expect(checkRis(ris, record)).toEqual([]);
    const [tags] = parseRisRecords(ris);
    expect(tags!.TI).toBe(HARD_TEXT);
    expect(tags!.AU).toEqual(['Dupont-Ørsted, Éléonore', 'Иванова, Анна', 'الحسن, محمد', '山田, 太郎', 'Sukarno', 'Smith, Pat, Jr.', 'Society of Tests & Measures']);
    expect(tags!.DO).toBe('10.5555/hard_1%2#x');
    expect(tags!.UR).toBe('https://example.org/a_b%20c?x=1&y=2#frag');
    expect(tags!.L1).toBe('https://example.org/a_b.pdf');
    expect(tags!.SN).toEqual(['2049-3630', '0378-5955']);
    expect(tags!.DA).toBe('2024/09//');
    expect(tags!.KW).toEqual(['a & b', 'x_y, z', '{braced}', '中文']);
    expect(parseRisToCsl(ris)[0]!.issued).toEqual({ 'date-parts': [[2024, 9]] });
  });

  it('keeps an abstract\'s line breaks from starting a new tag', () => {
    const [tags] = parseRisRecords(ris);
    expect(tags!.AB).toBe(`${HARD_TEXT} Second paragraph: "TY - JOUR" is not a tag here. ER - neither is this.`);
    expect(parseRisRecords(ris)).toHaveLength(1);
  });

  it('keeps the seed, both edge-case samples and 250 synthetic records intact', () => {
    const records = [loadSeedSample(), sampleRecord('synthetic-edge-cases-1.json'), sampleRecord('synthetic-edge-cases-2.json'), ...generateSyntheticRecords(250)];
    const failures = records.flatMap((r) => checkRis(toRis(r), r).map((p) => `${r.id}: ${p}`));
    expect(failures).toEqual([]);
  });
});

describe('checkRis catches broken output', () => {
  const record = hardRecord();
  const ris = toRis(record);

  it('a value broken over two lines is joined by the reader, and a missing tag is missed', () => {
    const split = ris.replace('Braces {x} & 100%', 'Braces {x}\r\n& 100%');
    expect(checkRis(split, record)).toEqual([]); // RIS readers join continuation lines; that is not a defect
    expect(checkRis(ris.replace(/^DO {2}- .*\r\n/m, ''), record)).toContainEqual(expect.stringMatching(/^DO: wrote \["10.5555\/hard_1%2#x"\], read back \[\]/));
  });

  it('a value with "  - " inside is cut by the reader', () => {
    const cut = ris.replace(`TI  - ${HARD_TEXT}`, 'TI  - Part one  - part two');
    expect(checkRis(cut, record)).toContainEqual(expect.stringMatching(/^TI: wrote .*read back \["Part one"\]/));
  });

  it('a lost ER line, a second record, or another record\'s output', () => {
    expect(checkRis(ris + ris, record)).toEqual(['expected one record, Citation.js read 2']);
    expect(checkRis(ris.replace('TY  - JOUR', 'TY  - BOOK'), record)).toContainEqual(expect.stringMatching(/^TY: /));
    expect(checkRis(toRis(loadSeedSample()), record).length).toBeGreaterThan(5);
  });
});

describe('risFormat descriptor', () => {
  it('is validated by the Citation.js round trip, and batches records', () => {
    expect(risFormat).toMatchObject({ id: 'ris', extension: 'ris', mediaType: 'application/x-research-info-systems' });
    const seed = loadSeedSample();
    const check = risFormat.validation.kind === 'round-trip' ? risFormat.validation.check : undefined;
    expect(check!(risFormat.write(seed), seed)).toEqual([]);
    expect(parseRisRecords(toRisBatch([seed, sampleRecord('synthetic-edge-cases-1.json')]))).toHaveLength(2);
  });
});
