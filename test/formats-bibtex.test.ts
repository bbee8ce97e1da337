import { describe, expect, it } from 'vitest';
import { bibtexFormat, checkBibtex, parseBibtex, toBibtex, toBibtexBatch } from '../src/formats/bibtex/index.js';
import { ExportError } from '../src/formats/errors.js';
import { generateSyntheticRecords, loadSeedSample, type ArticleRecord } from '../src/model/index.js';
import { minimalRecord, sampleRecord } from './formats-helpers.js';

/** Every character the brief names, in every kind of field: LaTeX specials, accents, Cyrillic, Arabic, CJK. */
const HARD_TEXT = 'Braces {x} & 100% of $5 #1 snake_case ~tilde ^caret back\\slash -- ``quoted\'\' — Éléonore Ørsted Straße, Соль и перец, العربية, 中文标题, 日本語';

function hardRecord(overrides: Partial<ArticleRecord> = {}): ArticleRecord {
  return minimalRecord({
    id: 'hard/1',
    title: { en: HARD_TEXT, ru: 'Заголовок' },
    subtitle: { en: 'Sub_title {2}' },
    abstract: { en: `${HARD_TEXT}\n\nSecond paragraph: 50% & more.` },
    keywords: { en: ['a & b', 'x_y', '{braced}', '中文'] },
    contributors: [
      { given: 'Éléonore', family: 'Dupont-Ørsted' },
      { given: 'João', family: 'Mendes da Silva' },
      { given: 'Anna', family: 'van der Berg' },
      { given: 'Анна', family: 'Иванова' },
      { given: 'محمد', family: 'الحسن' },
      { given: '太郎', family: '山田' },
      { family: 'Sukarno' },
      { given: 'Pat', family: 'Smith', suffix: 'Jr.' },
      { type: 'organization', name: 'Society of Tests & Measures, and Friends' },
      { given: 'Ed', family: 'Itor', role: 'editor' },
    ],
    journal: {
      title: 'Journal of 100% Tests & {Braces}',
      abbrevTitle: 'J. 100% Tests',
      issns: [{ value: '2049-3630', media: 'electronic' }],
      publisher: { name: 'Press & Sons_Ltd', place: 'Zürich' },
    },
    doi: '10.5555/hard_1%2#x',
    landingPage: 'https://example.org/a_b%20c?x=1&y=2#frag',
    pages: { first: 'xii', last: 'xxiv' },
    dates: { published: { online: '2024-09-15' } },
    ...overrides,
  });
}

describe('toBibtex: the seed article', () => {
  const seed = loadSeedSample();
  const bib = toBibtex(seed);

  it('is one @article entry keyed by the local id, with the classic fields', () => {
    expect(bib.startsWith('@article{jdp-323,\n')).toBe(true);
    expect(bib).toContain('  author = {Akhli, Rangga Amalul and Gumilar, Nugraha and Halkis, Mhd},\n');
    expect(bib).toContain(`  title = {${seed.title.id}},\n`);
    expect(bib).toContain('  journal = {Jurnal Diplomasi Pertahanan},\n');
    expect(bib).toContain('  year = {2018},\n');
    expect(bib).toContain('  volume = {4},\n  number = {2},\n');
    expect(bib).toContain('  doi = {10.33172/jdp.v4i2.323},\n');
  });

  it('reads back through Citation.js with every field intact', () => {
    expect(checkBibtex(bib, seed)).toEqual([]);
    const [entry] = parseBibtex(bib);
    expect(entry).toMatchObject({ type: 'article-journal', DOI: '10.33172/jdp.v4i2.323', volume: '4', issue: '2', publisher: 'Universitas Pertahanan Press' });
  });
});

describe('toBibtex: special characters survive the round trip', () => {
  const record = hardRecord();
  const bib = toBibtex(record);

  it('escapes LaTeX specials and breaks ligatures in text, keeps UTF-8 letters as they are', () => {
    expect(bib).toContain('Braces \\{x\\} \\& 100\\% of \\$5 \\#1 snake\\_case \\textasciitilde{}tilde \\textasciicircum{}caret back\\textbackslash{}slash -{}- `{}`quoted\'{}\'');
    expect(bib).toContain('Соль и перец, العربية, 中文标题, 日本語');
  });

  it('writes DOI and URL verbatim, as biblatex reads them', () => {
    expect(bib).toContain('  doi = {10.5555/hard_1%2#x},\n');
    expect(bib).toContain('  url = {https://example.org/a_b%20c?x=1&y=2#frag},\n');
  });

  it('braces organisations and many-word or lone family names so BibTeX does not split them', () => {
    expect(bib).toContain('{Mendes da Silva}, João');
    expect(bib).toContain('{Sukarno}');
    expect(bib).toContain('{Society of Tests \\& Measures, and Friends}');
    expect(bib).toContain('Smith, Jr., Pat');
  });

  it('comes back from Citation.js as written: title, names in order, journal, pages, DOI, URL, keywords', () => {
    expect(checkBibtex(bib, record)).toEqual([]);
    const [entry] = parseBibtex(bib);
    expect(entry!.title).toBe(`${HARD_TEXT}: Sub_title {2}`);
    expect(entry!['container-title']).toBe('Journal of 100% Tests & {Braces}');
    expect(entry!.DOI).toBe('10.5555/hard_1%2#x');
    expect(entry!.URL).toBe('https://example.org/a_b%20c?x=1&y=2#frag');
    expect(entry!.page).toBe('xii-xxiv');
    expect((entry!.author as { family?: string }[]).map((a) => a.family)).toEqual([
      'Dupont-Ørsted', 'Mendes da Silva', 'van der Berg', 'Иванова', 'الحسن', '山田', 'Sukarno', 'Smith', 'Society of Tests & Measures, and Friends',
    ]);
    expect(entry!.publisher).toBe('Press & Sons_Ltd');
  });

  it('keeps the seed, both edge-case samples and 250 synthetic records intact', () => {
    const records = [loadSeedSample(), sampleRecord('synthetic-edge-cases-1.json'), sampleRecord('synthetic-edge-cases-2.json'), ...generateSyntheticRecords(250)];
    const failures = records.flatMap((r) => checkBibtex(toBibtex(r), r).map((p) => `${r.id}: ${p}`));
    expect(failures).toEqual([]);
  });
});

describe('checkBibtex catches broken output', () => {
  const record = hardRecord();
  const bib = toBibtex(record);

  it('an unescaped brace pair: the braces vanish on reading', () => {
    expect(checkBibtex(bib.replace('Braces \\{x\\}', 'Braces {x}'), record)).toContainEqual(expect.stringMatching(/^title: wrote "Braces \{x\}/));
  });

  it('an unbroken "--" ligature: it reads back as an en dash', () => {
    expect(checkBibtex(bib.replace('-{}-', '--'), record)).toContainEqual(expect.stringMatching(/^title: .*read back "Braces \{x\} & 100% of \$5 #1 snake_case ~tilde \^caret back\\\\slash – /));
  });

  it('an organisation without its braces: BibTeX splits it into a person', () => {
    const broken = bib.replace('{Society of Tests \\& Measures, and Friends}', 'Society of Tests \\& Measures, and Friends');
    expect(checkBibtex(broken, record)).toContainEqual(expect.stringMatching(/^author: /));
  });

  it('an unbalanced field, a second entry, or another record\'s output', () => {
    expect(checkBibtex(bib.replace('journal = {Journal', 'journal = {{Journal'), record).length).toBeGreaterThan(0);
    expect(checkBibtex(bib + bib, record)).toEqual(['expected one entry, Citation.js read 2']);
    expect(checkBibtex(toBibtex(loadSeedSample()), record).length).toBeGreaterThan(5);
  });
});

describe('toBibtex: what it refuses', () => {
  it('throws ExportError for a DOI that cannot be written verbatim', () => {
    const record = minimalRecord({ id: 'odd-doi', doi: '10.5555/odd{doi}' });
    expect(() => toBibtex(record)).toThrow(ExportError);
    expect(() => toBibtex(record)).toThrow(expect.objectContaining({ recordId: 'odd-doi', field: 'doi', format: 'bibtex' }));
  });

  it('leaves unknown facts out rather than writing empty fields', () => {
    const bib = toBibtex(minimalRecord({ issue: undefined, landingPage: undefined, journal: { title: 'J' } }));
    expect(bib).not.toMatch(/= \{\}/);
    expect(bib).not.toMatch(/year|volume|url|publisher/);
  });
});

describe('bibtexFormat descriptor', () => {
  it('is validated by the Citation.js round trip, and batches entries', () => {
    expect(bibtexFormat).toMatchObject({ id: 'bibtex', extension: 'bib', mediaType: 'application/x-bibtex' });
    expect(bibtexFormat.validation.kind).toBe('round-trip');
    const seed = loadSeedSample();
    const check = bibtexFormat.validation.kind === 'round-trip' ? bibtexFormat.validation.check : undefined;
    expect(check!(bibtexFormat.write(seed), seed)).toEqual([]);
    expect(parseBibtex(toBibtexBatch([seed, sampleRecord('synthetic-edge-cases-1.json')]))).toHaveLength(2);
    expect(toBibtexBatch([seed])).toBe(toBibtex(seed));
  });
});
