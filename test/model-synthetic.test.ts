import { describe, expect, it } from 'vitest';
import { generateSyntheticRecords, recordLocalId, syntheticRecord, validateArticle, type ArticleRecord } from '../src/model/index.js';

const COUNT = 2000;
const records = generateSyntheticRecords(COUNT, 11);

function share(predicate: (record: ArticleRecord) => boolean): number {
  return records.filter(predicate).length / records.length;
}

describe('synthetic records', () => {
  it(`all ${COUNT} pass validateArticle, already in normal form`, () => {
    for (const record of records) {
      const result = validateArticle(record);
      if (!result.ok) throw new Error(`${record.id}: ${JSON.stringify(result.errors)}`);
      expect(result.record).toEqual(record);
    }
  });

  it('are deterministic per (index, seed) and independent of batch size', () => {
    expect(syntheticRecord(1234, 11)).toEqual(records[1234]);
    expect(generateSyntheticRecords(3, 11)).toEqual(records.slice(0, 3));
    expect(JSON.stringify(syntheticRecord(5))).toBe(JSON.stringify(syntheticRecord(5)));
    expect(syntheticRecord(5, 1)).not.toEqual(syntheticRecord(5, 2));
    expect(syntheticRecord(5, 1).title).not.toEqual(syntheticRecord(6, 1).title);
  });

  it('never share mutable structure between records', () => {
    const a = syntheticRecord(0, 11);
    a.journal.issns?.push({ value: '0378-5955', media: 'print' });
    a.journal.publisher!.name = 'changed';
    expect(syntheticRecord(0, 11)).toEqual(records[0]);
  });

  it('are marked synthetic, with unique local ids and DOIs under the 10.5555 example prefix', () => {
    expect(records.every((r) => r.synthetic === true && r.doi.startsWith('10.5555/'))).toBe(true);
    expect(new Set(records.map(recordLocalId)).size).toBe(COUNT);
    expect(new Set(records.map((r) => r.doi)).size).toBe(COUNT);
    expect(new Set([...records, ...generateSyntheticRecords(50, 12)].map(recordLocalId)).size).toBe(COUNT + 50);
  });

  it('stay within the advertised shape', () => {
    const languages = new Set(['en', 'id', 'ru', 'ar', 'es', 'fr']);
    for (const record of records) {
      const titleLanguages = Object.keys(record.title);
      expect(titleLanguages.length).toBeGreaterThanOrEqual(2);
      expect(titleLanguages.length).toBeLessThanOrEqual(3);
      expect(titleLanguages.every((l) => languages.has(l))).toBe(true);
      expect(record.contributors.length).toBeGreaterThanOrEqual(1);
      expect(record.contributors.length).toBeLessThanOrEqual(8);
      expect(record.references!.length).toBeGreaterThanOrEqual(5);
      expect(record.references!.length).toBeLessThanOrEqual(40);
      expect((record.pages === undefined) !== (record.articleNumber === undefined)).toBe(true);
      expect(record.issue?.year).toBeTypeOf('number');
      expect(record.license?.url).toMatch(/^https:\/\/creativecommons\.org\/licenses\//);
    }
  });

  it('exercise the edges exporters must handle, in realistic proportions', () => {
    const has = (p: (r: ArticleRecord) => boolean) => expect(share(p)).toBeGreaterThan(0);
    has((r) => r.contributors.some((c) => c.orcid !== undefined));
    has((r) => r.contributors.some((c) => c.affiliations?.some((a) => a.ror !== undefined)));
    has((r) => r.contributors.some((c) => c.type === 'organization'));
    has((r) => r.contributors.some((c) => c.type !== 'organization' && c.given === undefined));
    has((r) => r.contributors.some((c) => c.nameVariants !== undefined));
    has((r) => r.references!.some((ref) => ref.doi !== undefined));
    has((r) => r.references!.some((ref) => ref.structured !== undefined));
    has((r) => r.articleNumber !== undefined);
    has((r) => /^[ivxlcdm]+$/.test(r.pages?.first ?? ''));
    has((r) => Object.values(r.title).some((t) => t.includes('&') || t.includes('<')));
    has((r) => r.language === 'ar' || r.language === 'ru');
    has((r) => r.funding !== undefined);
    has((r) => (r.galleys ?? []).some((g) => g.mimeType === 'text/html'));
    // Most articles have arabic page ranges, as in real journals.
    expect(share((r) => /^\d+$/.test(r.pages?.first ?? ''))).toBeGreaterThan(0.7);
  });

  it('reject nonsensical indices and seeds', () => {
    expect(() => syntheticRecord(-1)).toThrow(RangeError);
    expect(() => syntheticRecord(1.5)).toThrow(RangeError);
    expect(() => syntheticRecord(0, Number.NaN)).toThrow(RangeError);
    expect(() => generateSyntheticRecords(-3)).toThrow(RangeError);
  });
});
