/** `pubmeta import` and `pubmeta delete` as a user runs them (spawned CLI, built dist/). */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/store/db.js';
import { SqliteRecordStore } from '../src/store/sqliteRecordStore.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist/cli/main.js');
let dir: string;

function pubmeta(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: dir, env: { ...process.env, PUBMETA_DB: '', ...env } });
}

function openStore(file: string) {
  return new SqliteRecordStore(openDatabase(file));
}

beforeAll(() => {
  expect(existsSync(CLI), 'dist/cli/main.js is missing: run npm run build').toBe(true);
  dir = mkdtempSync(join(tmpdir(), 'pubmeta-store-cli-'));
  mkdirSync(join(dir, 'in'));
  copyFileSync(join(ROOT, 'samples/seed-jdp-323.json'), join(dir, 'in/seed.json'));
  const seed = JSON.parse(readFileSync(join(ROOT, 'samples/seed-jdp-323.json'), 'utf8'));
  // One file with a valid record and an invalid one (bad DOI, no title).
  const broken = { ...seed, id: 'broken', doi: 'not-a-doi' } as Record<string, unknown>;
  delete broken.title;
  writeFileSync(join(dir, 'in/mixed.json'), JSON.stringify([{ ...seed, id: 'second' }, broken]));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('pubmeta import', () => {
  it('imports the valid records, reports invalid ones with their JSON pointers, exits 1', () => {
    const r = pubmeta(['import', 'in', '--db', 'a.db']);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`${join('in', 'mixed.json')}: 1 created, 1 invalid`);
    expect(r.stdout).toContain(`${join('in', 'seed.json')}: 1 created`);
    expect(r.stderr).toMatch(/mixed\.json#\/1: \/doi: /);
    expect(r.stderr).toMatch(/mixed\.json#\/1: \/title: /);
    const store = openStore(join(dir, 'a.db'));
    expect(store.list({}, 10).map((s) => s.localId).sort()).toEqual(['jdp-323', 'second']);
    store.db.close();
  });

  it('is idempotent: a second import changes nothing and keeps datestamps', () => {
    const before = openStore(join(dir, 'a.db'));
    const stamps = before.list({}, 10).map((s) => s.datestamp);
    before.db.close();
    const r = pubmeta(['import', join('in', 'seed.json'), '--db', 'a.db']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('0 created, 1 unchanged');
    const after = openStore(join(dir, 'a.db'));
    expect(after.list({}, 10).map((s) => s.datestamp)).toEqual(stamps);
    after.db.close();
  });

  it('uses $PUBMETA_DB when --db is not given', () => {
    const r = pubmeta(['import', join('in', 'seed.json')], { PUBMETA_DB: join(dir, 'env.db') });
    expect(r.status).toBe(0);
    expect(existsSync(join(dir, 'env.db'))).toBe(true);
    expect(r.stdout).toContain(join(dir, 'env.db'));
  });
});

describe('pubmeta delete', () => {
  it('tombstones records by local id, DOI or oai-identifier; unknown ids exit 1', () => {
    const r = pubmeta(['delete', 'second', 'oai:anything.example.org:jdp-323', 'missing', '--db', 'a.db']);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('second: deleted');
    expect(r.stdout).toContain('jdp-323: deleted');
    expect(r.stderr).toContain('missing: no such record');
    const again = pubmeta(['delete', 'second', '--db', 'a.db']);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('second: already deleted');
    const store = openStore(join(dir, 'a.db'));
    expect(store.get('second')).toMatchObject({ deleted: true });
    store.db.close();
    // Re-importing brings it back.
    const back = pubmeta(['import', join('in', 'seed.json'), '--db', 'a.db']);
    expect(back.stdout).toContain('1 undeleted');
  });
});
