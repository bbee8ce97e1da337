import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRecordInputs } from '../src/cli/inputs.js';
import { locateJsonSyntaxError, syntheticRecord } from '../src/model/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const seedText = readFileSync(join(root, 'samples/seed-jdp-323.json'), 'utf8');
let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'pubmeta-inputs-'));
  const dir = join(work, 'records');
  mkdirSync(join(dir, 'nested'), { recursive: true });
  writeFileSync(join(dir, 'b-seed.json'), seedText);
  const broken = { ...syntheticRecord(1), doi: undefined, title: { en: '  ' } };
  writeFileSync(join(dir, 'a-array.json'), JSON.stringify([syntheticRecord(0), broken]));
  writeFileSync(join(dir, 'nested', 'c.json'), JSON.stringify(syntheticRecord(2)));
  writeFileSync(join(dir, 'notes.txt'), 'not a record');
  writeFileSync(join(dir, 'd-bad.json'), '{\n  "id": "x",\n  "doi": 10.1000/abc\n}\n');
  writeFileSync(join(work, 'seed-copy.json'), `\ufeff${seedText}`);
  mkdirSync(join(work, 'empty'));
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('loadRecordInputs', () => {
  it('walks directories in sorted order, reads arrays element by element and ignores non-JSON files', async () => {
    const inputs = await loadRecordInputs([join(work, 'records')]);
    const dir = join(work, 'records');
    expect(inputs.map((i) => i.source)).toEqual([
      `${join(dir, 'a-array.json')}#/0`,
      `${join(dir, 'a-array.json')}#/1`,
      join(dir, 'b-seed.json'),
      join(dir, 'd-bad.json'),
      join(dir, 'nested', 'c.json'),
    ]);
    const [first, broken, seed, badJson, nested] = inputs;
    expect(first!.record).toEqual(syntheticRecord(0));
    expect(seed!.record?.doi).toBe('10.33172/jdp.v4i2.323');
    expect(nested!.record).toEqual(syntheticRecord(2));
    expect(broken!.record).toBeUndefined();
    expect(broken!.errors).toEqual(expect.arrayContaining(['/doi: is required', '/title/en: must contain non-whitespace text']));
    expect(badJson!.record).toBeUndefined();
    expect(badJson!.errors).toHaveLength(1);
    expect(badJson!.errors[0]).toMatch(/^not valid JSON: line 3 column 17: expected .,. or .}., found "\/"$/);
  });

  it('reads a file with a byte-order mark, and warns when a local id comes twice', async () => {
    const inputs = await loadRecordInputs([join(work, 'seed-copy.json'), join(work, 'records', 'b-seed.json')]);
    expect(inputs.map((i) => i.errors)).toEqual([[], []]);
    expect(inputs[0]!.warnings).toEqual([]);
    expect(inputs[1]!.warnings[0]).toMatch(/local id "jdp-323" was already read from .*seed-copy\.json/);
  });

  it('reports a missing path and an empty directory without throwing', async () => {
    const inputs = await loadRecordInputs([join(work, 'nope.json'), join(work, 'empty')]);
    expect(inputs[0]!.errors).toEqual([`no such file: ${join(work, 'nope.json')}`]);
    expect(inputs[1]!.errors).toEqual([]);
    expect(inputs[1]!.warnings[0]).toMatch(/no .json files/);
  });

  it('returns nothing for no paths', async () => {
    expect(await loadRecordInputs([])).toEqual([]);
  });
});

describe('locateJsonSyntaxError (RFC 8259 grammar)', () => {
  it.each([
    ['{"a": }', 1, 7],
    ['{\n  "a": 1,\n}', 3, 1],
    ['[1, 2', 1, 6],
    ['{"a": "line\nbreak"}', 1, 12],
    ['{"a": 01}', 1, 8],
    ["{'a': 1}", 1, 2],
    ['{"a": 1} x', 1, 10],
    ['', 1, 1],
  ])('%j fails at line %i column %i', (text, line, column) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(locateJsonSyntaxError(text)).toMatchObject({ line, column });
  });

  it('finds nothing wrong in valid JSON', () => {
    for (const text of [seedText, '[]', '"\\u00e9\\n"', '-1.5e+3', 'null', '{"a":[true,false,{}]}']) {
      expect(() => JSON.parse(text)).not.toThrow();
      expect(locateJsonSyntaxError(text)).toBeUndefined();
    }
  });
});
