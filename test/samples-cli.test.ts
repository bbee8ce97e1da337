import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticRecord, validateArticle } from '../src/model/index.js';
import { runNode } from './helpers/run-node.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist/cli/main.js');
let work: string;

async function pubmeta(...args: string[]) {
  return runNode([cli, ...args], { cwd: root, timeoutMs: 60_000 });
}

beforeAll(() => {
  if (!existsSync(cli)) throw new Error('dist/cli/main.js is missing: run `npm run build` first');
  work = mkdtempSync(join(tmpdir(), 'pubmeta-sample-'));
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('pubmeta sample', () => {
  it('writes N records, one file each named by local id, identical on every run', async () => {
    const first = join(work, 'a');
    const second = join(work, 'b');
    const run1 = await pubmeta('sample', '--synthetic', '25', '--out', first, '--seed', '7');
    expect(run1.status, run1.stderr).toBe(0);
    expect(run1.stderr).toMatch(/wrote 25 synthetic record/);
    expect((await pubmeta('sample', '--synthetic', '25', '--out', second, '--seed', '7', '--quiet')).status).toBe(0);
    const files = readdirSync(first).sort();
    expect(files).toHaveLength(25);
    expect(readdirSync(second).sort()).toEqual(files);
    for (const [index, name] of files.entries()) {
      const text = readFileSync(join(first, name), 'utf8');
      expect(readFileSync(join(second, name), 'utf8')).toBe(text);
      const record = JSON.parse(text) as unknown;
      expect(record).toEqual(syntheticRecord(index, 7));
      expect(name).toBe(`${syntheticRecord(index, 7).id}.json`);
      expect(validateArticle(record).ok).toBe(true);
    }
  });

  it('gives different records for a different seed, and compact JSON on request', async () => {
    const out = join(work, 'c');
    expect((await pubmeta('sample', '--synthetic', '2', '--out', out, '--seed', '8', '--compact', '--quiet')).status).toBe(0);
    const text = readFileSync(join(out, 'syn-8-000000.json'), 'utf8');
    expect(text.trimEnd().split('\n')).toHaveLength(1);
    expect(JSON.parse(text)).toEqual(syntheticRecord(0, 8));
    expect(JSON.parse(text)).not.toEqual(syntheticRecord(0, 7));
  });

  it('has --help', async () => {
    const help = await pubmeta('sample', '--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/--synthetic <count>/);
    expect(help.stdout).toMatch(/--out <dir>/);
    expect(help.stdout).toMatch(/--seed <seed>/);
  });

  it('refuses a bad count or a missing --out, writing nothing', async () => {
    const out = join(work, 'd');
    const bad = await pubmeta('sample', '--synthetic', 'ten', '--out', out);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--synthetic.*'ten' is invalid/);
    expect(existsSync(out)).toBe(false);
    const missing = await pubmeta('sample', '--synthetic', '3');
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/--out/);
  });
});
