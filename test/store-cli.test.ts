/** `pubmeta import` and `pubmeta delete` as a user runs them (spawned CLI, built dist/). */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/index.js';
import { postgresBackend, useTestStores } from './helpers/backends.js';
import { runNode } from './helpers/run-node.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist/cli/main.js');
let dir: string;

async function pubmeta(args: string[], env: Record<string, string> = {}) {
  return runNode([CLI, ...args], { cwd: dir, env: { ...process.env, PUBMETA_DB: '', ...env } });
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
  it('imports the valid records, reports invalid ones with their JSON pointers, exits 1', async () => {
    const r = await pubmeta(['import', 'in', '--db', 'a.db']);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`${join('in', 'mixed.json')}: 1 created, 1 invalid`);
    expect(r.stdout).toContain(`${join('in', 'seed.json')}: 1 created`);
    expect(r.stderr).toMatch(/mixed\.json#\/1: \/doi: /);
    expect(r.stderr).toMatch(/mixed\.json#\/1: \/title: /);
    const store = await openStore(join(dir, 'a.db'));
    expect((await store.records.list({}, 10)).map((s) => s.localId).sort()).toEqual(['jdp-323', 'second']);
    await store.close();
  });

  it('is idempotent: a second import changes nothing and keeps datestamps', async () => {
    const before = await openStore(join(dir, 'a.db'));
    const stamps = (await before.records.list({}, 10)).map((s) => s.datestamp);
    await before.close();
    const r = await pubmeta(['import', join('in', 'seed.json'), '--db', 'a.db']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('0 created, 1 unchanged');
    const after = await openStore(join(dir, 'a.db'));
    expect((await after.records.list({}, 10)).map((s) => s.datestamp)).toEqual(stamps);
    await after.close();
  });

  it('uses $PUBMETA_DB when --db is not given', async () => {
    const r = await pubmeta(['import', join('in', 'seed.json')], { PUBMETA_DB: join(dir, 'env.db') });
    expect(r.status).toBe(0);
    expect(existsSync(join(dir, 'env.db'))).toBe(true);
    expect(r.stdout).toContain(join(dir, 'env.db'));
  });
});

describe('pubmeta delete', () => {
  it('tombstones records by local id, DOI or oai-identifier; unknown ids exit 1', async () => {
    const r = await pubmeta(['delete', 'second', 'oai:anything.example.org:jdp-323', 'missing', '--db', 'a.db']);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('second: deleted');
    expect(r.stdout).toContain('jdp-323: deleted');
    expect(r.stderr).toContain('missing: no such record');
    const again = await pubmeta(['delete', 'second', '--db', 'a.db']);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('second: already deleted');
    const store = await openStore(join(dir, 'a.db'));
    expect(await store.records.get('second')).toMatchObject({ deleted: true });
    await store.close();
    // Re-importing brings it back.
    const back = await pubmeta(['import', join('in', 'seed.json'), '--db', 'a.db']);
    expect(back.stdout).toContain('1 undeleted');
  });
});

describe.skipIf(postgresBackend.skip !== undefined)('the same commands on PostgreSQL', () => {
  const stores = useTestStores(postgresBackend);

  it('take a postgres:// URL from --db or $PUBMETA_DB, and never print its password', async () => {
    const target = await stores.target();
    const imported = await pubmeta(['import', 'in', '--db', target.db]);
    expect(imported.status).toBe(1);
    expect(imported.stdout).toContain('imported into postgres://');
    const deleted = await pubmeta(['delete', 'second'], { PUBMETA_DB: target.db });
    expect(deleted.status, deleted.stderr).toBe(0);
    const store = await stores.reopen(target);
    // In (datestamp, local id) order: the tombstone was dated when it was deleted.
    expect((await store.records.list({}, 10)).map((s) => [s.localId, s.deleted])).toEqual([
      ['jdp-323', false],
      ['second', true],
    ]);
    const withPassword = new URL(target.db);
    withPassword.password = 'not-the-password';
    const refused = await pubmeta(['import', 'in', '--db', withPassword.toString()]);
    expect(refused.stdout + refused.stderr).not.toContain('not-the-password');
  });
});
