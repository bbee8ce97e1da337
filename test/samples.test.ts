import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isValidIssn, isValidOrcid, loadSeedSample, recordLocalId, validateArticle, type ArticleRecord } from '../src/model/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const seedDir = join(root, '../shared/seed');
const seedTextFile = readdirSync(seedDir).find((name) => name.endsWith('.txt'))!;
const seedLines = readFileSync(join(seedDir, seedTextFile), 'utf8').split('\n').map((line) => line.trim());
const sampleFiles = readdirSync(join(root, 'samples')).filter((name) => name.endsWith('.json')).sort();

function readSample(name: string): ArticleRecord {
  return JSON.parse(readFileSync(join(root, 'samples', name), 'utf8')) as ArticleRecord;
}

/** The reference list as printed in the seed text: the non-empty lines between "Daftar Pustaka" and "DOI:". */
function printedReferences(): string[] {
  const start = seedLines.indexOf('Daftar Pustaka');
  const end = seedLines.findIndex((line) => line.startsWith('DOI:'));
  expect(start).toBeGreaterThan(0);
  expect(end).toBeGreaterThan(start);
  return seedLines.slice(start + 1, end).filter((line) => line !== '');
}

describe('every sample', () => {
  it.each(sampleFiles)('%s is a valid record already in normal form', (name) => {
    const record = readSample(name);
    const result = validateArticle(record);
    expect(result.ok, JSON.stringify(!result.ok && result.errors)).toBe(true);
    if (result.ok) expect(result.record).toEqual(record);
  });
});

describe('the seed sample (samples/seed-jdp-323.json) against the seed text and NOTES.md', () => {
  const record = loadSeedSample();

  it('is the article 10.33172/jdp.v4i2.323 with local id jdp-323, printed in the seed text', () => {
    expect(record.doi).toBe('10.33172/jdp.v4i2.323');
    expect(recordLocalId(record)).toBe('jdp-323');
    expect(seedLines).toContain(`DOI: https://doi.org/${record.doi}`);
    expect(record.synthetic).toBeUndefined();
  });

  it('has the Indonesian title as primary language and the English title from the PDF', () => {
    expect(record.language).toBe('id');
    expect(record.title.id).toBe(seedLines[0]);
    expect(record.title.en).toBe('Understanding the Pattern of Balancing and Defense Regionalization in Shanghai Cooperation Organization');
  });

  it('lists the three authors in the printed order with their affiliation, the first corresponding', () => {
    const printed = seedLines[2]!.split(', ');
    expect(record.contributors.map((c) => `${c.given} ${c.family}`)).toEqual(printed);
    for (const contributor of record.contributors) {
      expect(contributor.affiliations).toEqual([{ name: 'Program Studi Diplomasi Pertahanan, Universitas Pertahanan' }]);
      expect(contributor.orcid).toBeUndefined();
    }
    expect(record.contributors[0]).toMatchObject({ email: 'rangga.akhli@idu.ac.id', corresponding: true });
    expect(record.contributors.slice(1).some((c) => c.corresponding || c.email)).toBe(false);
  });

  it('carries both abstracts verbatim (typographic quotes included) without their labels', () => {
    expect(`Abstrak ${record.abstract!.id}`).toBe(seedLines.find((line) => line.startsWith('Abstrak ')));
    expect(`Abstract -- ${record.abstract!.en}`).toBe(seedLines.find((line) => line.startsWith('Abstract -- ')));
    expect(record.abstract!.en).toContain('Organization\u2019s (SCO)');
  });

  it('splits both keyword lines on commas', () => {
    const split = (prefix: string) => seedLines.find((line) => line.startsWith(prefix))!.slice(prefix.length).split(',').map((k) => k.trim());
    expect(record.keywords).toEqual({ id: split('Kata kunci:'), en: split('Keywords:') });
  });

  it('carries every printed reference, unstructured, exactly as printed and in order', () => {
    const printed = printedReferences();
    expect(record.references!.map((ref) => ref.unstructured)).toEqual(printed);
    expect(record.references!.every((ref) => Object.keys(ref).join() === 'unstructured')).toBe(true);
    // Quote characters survive exactly as the source has them, odd pairings included.
    expect(record.references!.some((ref) => ref.unstructured!.includes('\u201c'))).toBe(true);
    expect(record.references!.some((ref) => ref.unstructured!.startsWith('Sheldon W. Simon. 1992. \u201d'))).toBe(true);
  });

  it('has the journal, publisher, landing page and licence, and invents nothing the sources lack', () => {
    expect(record.journal).toEqual({
      title: 'Jurnal Diplomasi Pertahanan',
      publisher: { name: 'Universitas Pertahanan Press', place: 'Jakarta' },
      url: 'http://jurnalprodi.idu.ac.id/index.php/DP',
    });
    expect(seedLines).toContain(`Website: ${record.journal.url}`);
    expect(record.landingPage).toBe('https://jurnalprodi.idu.ac.id/index.php/DP/article/view/323');
    expect(record.license).toEqual({ url: 'https://creativecommons.org/licenses/by/4.0/' });
    expect(record.issue).toMatchObject({ volume: '4', number: '2' });
    expect(record.journal.issns).toBeUndefined();
    expect(record.pages).toBeUndefined();
    expect(record.articleNumber).toBeUndefined();
    expect(record.dates).toBeUndefined();
    expect(record.issue?.publicationDate).toBeUndefined();
  });

  it('marks the editor-supplied publication year as such in notes', () => {
    expect(record.issue?.year).toBe(2018);
    expect(record.notes?.some((note) => note.includes('issue.year 2018') && /editor-supplied/.test(note) && /not from the sources/.test(note))).toBe(true);
  });
});

describe('the synthetic samples', () => {
  const synthetic = sampleFiles.filter((name) => name.startsWith('synthetic-')).map(readSample);
  const all = JSON.stringify(synthetic);

  it('are at least two, marked synthetic, with DOIs under the 10.5555 example prefix', () => {
    expect(synthetic.length).toBeGreaterThanOrEqual(2);
    for (const record of synthetic) {
      expect(record.synthetic).toBe(true);
      expect(record.doi).toMatch(/^10\.5555\//);
    }
  });

  it('exercise ORCIDs, ROR ids, ISSNs of both media, roman pages and an article number', () => {
    const contributors = synthetic.flatMap((r) => r.contributors);
    expect(contributors.filter((c) => c.orcid && isValidOrcid(c.orcid)).length).toBeGreaterThanOrEqual(2);
    expect(contributors.some((c) => c.affiliations?.some((a) => a.ror))).toBe(true);
    const issns = synthetic.flatMap((r) => r.journal.issns ?? []);
    expect(new Set(issns.map((i) => i.media))).toEqual(new Set(['print', 'electronic']));
    expect(issns.every((i) => isValidIssn(i.value))).toBe(true);
    expect(synthetic.some((r) => r.pages?.first === 'xii' && r.pages.last === 'xxiv')).toBe(true);
    expect(synthetic.some((r) => r.articleNumber && !r.pages)).toBe(true);
  });

  it('exercise markup-significant characters, both quote kinds and Cyrillic and Arabic script in titles and names', () => {
    const titles = synthetic.flatMap((r) => Object.values(r.title)).join('\n');
    for (const ch of ['&', '<', '>', '"', "'"]) expect(titles).toContain(ch);
    expect(titles).toMatch(/\p{Script=Cyrillic}/u);
    expect(titles).toMatch(/\p{Script=Arabic}/u);
    const names = synthetic.flatMap((r) => r.contributors).map((c) => `${c.given ?? ''} ${c.family ?? ''} ${c.name ?? ''}`).join('\n');
    expect(names).toMatch(/\p{Script=Cyrillic}/u);
    expect(names).toMatch(/\p{Script=Arabic}/u);
    expect(names).toMatch(/['"&]/);
  });

  it('exercise name variants, family-only and group authors, references with DOIs and fields, funding, galleys, dates, copyright', () => {
    const contributors = synthetic.flatMap((r) => r.contributors);
    expect(contributors.some((c) => c.nameVariants)).toBe(true);
    expect(contributors.some((c) => c.type !== 'organization' && c.family && !c.given)).toBe(true);
    expect(contributors.some((c) => c.type === 'organization' && c.name)).toBe(true);
    const references = synthetic.flatMap((r) => r.references ?? []);
    expect(references.some((r) => r.doi && r.structured)).toBe(true);
    expect(references.some((r) => r.doi && !r.unstructured && !r.structured)).toBe(true);
    expect(synthetic.some((r) => r.funding?.some((f) => f.funderId && f.awardIds?.length))).toBe(true);
    const mimeTypes = new Set(synthetic.flatMap((r) => r.galleys ?? []).map((g) => g.mimeType));
    expect(mimeTypes).toEqual(new Set(['application/pdf', 'text/html']));
    expect(synthetic.some((r) => r.dates?.received && r.dates.accepted && r.dates.published)).toBe(true);
    expect(synthetic.some((r) => r.copyright?.holder && r.copyright.year)).toBe(true);
    expect(all).toContain('"ror"');
  });
});
