// The writers' output is byte-identical to what the xmlbuilder2 DOM writers produced before
// they were rewritten as string assembly.
//
// Where the expected hashes come from: scripts/golden-export-hashes.mjs --write, run once with
// the DOM writers (the dist/ build of the commit that added this test, "golden hashes"),
// recorded test/fixtures/golden/export-hashes.json: the sha256 of every output for the bundled
// samples, for records the readers of that commit made from the fixtures (kept as
// test/fixtures/golden/read-records.json), for two adversarial records (odd characters,
// markup) and for 3,000 synthetic records (seed 42), in oai_dc, JATS (plain and as the OAI
// provider serves it) and Crossref (one-record batches and batches of 50). This test runs the
// same procedure with today's writers. Re-recording is only right when a format itself
// changes on purpose, and the commit must say so.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toCrossref, toJats, toOaiDc } from '../src/formats/index.js';
import { generateSyntheticRecords, validateArticle } from '../src/model/index.js';
import { GOLDEN_HASHES, GOLDEN_READ_RECORDS, computeGolden, goldenInputs, type Golden } from '../scripts/golden-export-hashes.mjs';

const expected = JSON.parse(readFileSync(GOLDEN_HASHES, 'utf8')) as Golden;
const readRecords = JSON.parse(readFileSync(GOLDEN_READ_RECORDS, 'utf8')) as Record<string, unknown>;
const actual = computeGolden(
  { toOaiDc: toOaiDc as never, toJats: toJats as never, toCrossref: toCrossref as never },
  goldenInputs({ validateArticle, generateSyntheticRecords: generateSyntheticRecords as never }, readRecords),
);

describe('writers reproduce the recorded output byte for byte', () => {
  it('covers the samples, the read records and the adversarial records', () => {
    expect(Object.keys(actual.named).sort()).toEqual(Object.keys(expected.named).sort());
    expect(Object.keys(expected.named).length).toBeGreaterThanOrEqual(8);
  });

  for (const name of Object.keys(expected.named)) {
    it(name, () => {
      expect(actual.named[name]).toEqual(expected.named[name]);
    });
  }

  for (const key of ['oai_dc', 'oai_dc-oai', 'jats', 'jats-oai', 'crossref']) {
    it(`3,000 synthetic records (seed 42): ${key}`, () => {
      const want = expected.synthetic[key] as { all: string; records: string };
      const got = actual.synthetic[key] as { all: string; records: string };
      if (got.all !== want.all) {
        // Name the first record that differs, so the failure points at an input.
        const wantList = want.records.split('\n');
        const first = got.records.split('\n').findIndex((hash, index) => hash !== wantList[index]);
        expect.fail(`synthetic record ${first} (seed 42) differs in ${key}: sha256 prefix ${got.records.split('\n')[first]} instead of ${wantList[first]}`);
      }
      expect(got.all).toBe(want.all);
    });
  }

  it('Crossref batches of 50 synthetic records, and one batch of the named records', () => {
    expect(actual.synthetic['crossref-batches-of-50']).toEqual(expected.synthetic['crossref-batches-of-50']);
    expect(actual.crossrefNamedBatch).toBe(expected.crossrefNamedBatch);
    expect(actual.crossrefNamedBatch).toMatch(/^[0-9a-f]{64}$/);
  });
});
