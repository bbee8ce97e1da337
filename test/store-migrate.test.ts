/**
 * `pubmeta migrate --from sqlite:FILE --to postgres://...` (issue 13): the samples plus 10k
 * synthetic records, with harvest state, deposit state, job runs, leases and meta, copied into
 * PostgreSQL; every table's count checked; a full ListRecords from PostgreSQL is byte-identical,
 * apart from responseDate, to one from SQLite. Needs dist/ (npm run build) and PostgreSQL.
 */
import { syntheticJournalProfiles } from './helpers/crossrefFixtures.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSyntheticRecords, type ArticleRecord } from '../src/model/index.js';
import { openStore, type Store } from '../src/store/index.js';
import { handleOaiRequest } from '../src/oai/index.js';
import { CrossrefDepositState } from '../src/crossref/index.js';
import { postgresBackend, type TestTarget } from './helpers/backends.js';
import { CLI, runCli } from './helpers/crossrefProcesses.js';
import { loadSample, testConfig, toArgs } from './helpers/oai.js';

const SAMPLES = ['seed-jdp-323.json', 'example-rich.json', 'synthetic-edge-cases-1.json', 'synthetic-edge-cases-2.json'];

/** Every page of ListRecords (metadataPrefix), concatenated, responseDate blanked. */
async function listAll(store: Store, metadataPrefix: string): Promise<string> {
  const config = testConfig();
  const now = new Date('2030-01-01T00:00:00Z');
  const pages: string[] = [];
  let args: Record<string, string> = { verb: 'ListRecords', metadataPrefix };
  for (let i = 0; i < 10_000; i++) {
    const xml = await handleOaiRequest(toArgs(args), store.records, config, now);
    pages.push(xml.replace(/<responseDate>[^<]*<\/responseDate>/, '<responseDate/>'));
    const token = /<resumptionToken[^>]*>([^<]+)<\/resumptionToken>/.exec(xml)?.[1];
    if (!token) return pages.join('\n');
    args = { verb: 'ListRecords', resumptionToken: token };
  }
  throw new Error('ListRecords did not end');
}

describe.skipIf(postgresBackend.skip !== undefined)('pubmeta migrate: SQLite to PostgreSQL', () => {
  let dir: string;
  let file: string;
  let target: TestTarget;
  let sqlite: Store;
  let pg: Store;
  let migrated: { code: number | null; stdout: string; stderr: string };

  beforeAll(async () => {
    expect(existsSync(CLI), 'dist/cli/main.js is missing: run npm run build').toBe(true);
    dir = mkdtempSync(join(tmpdir(), 'pubmeta-migrate-'));
    file = join(dir, 'store.db');
    sqlite = await openStore(file);
    const records: ArticleRecord[] = [...SAMPLES.map(loadSample), ...generateSyntheticRecords(10_000, 211)];
    await sqlite.records.upsertMany(records, { now: new Date('2026-01-02T03:04:05Z') });
    await sqlite.records.delete(records[7]!.id ?? records[7]!.doi, { now: new Date('2026-01-03T00:00:00Z') });
    // Something in every other capability's tables.
    await sqlite.harvest.insertSource({ name: 'elsewhere', baseUrl: 'http://127.0.0.1:9/oai', metadataPrefix: 'oai_dc' }, '2026-01-01T00:00:00Z');
    const runId = await sqlite.harvest.insertRun('elsewhere', {}, '2026-01-01T00:00:00Z');
    await sqlite.harvest.finishRun(runId, 'completed', { warnings: [], requests: 3 }, '2026-01-01T00:01:00Z');
    for (const profile of syntheticJournalProfiles()) await sqlite.journals.upsert(profile);
    await new CrossrefDepositState(sqlite, 'test.crossref.org').syncFromStore({ includeSynthetic: true, journals: await sqlite.journals.list() });
    const timestamp = await new CrossrefDepositState(sqlite, 'test.crossref.org').reserveTimestamp();
    expect(timestamp > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    const jobRun = await sqlite.jobs.insertRun('export', 'host:1:x', 'manual', '2026-01-01T00:00:00Z');
    await sqlite.jobs.finishRun(jobRun, 'succeeded', { written: 3 }, undefined, '2026-01-01T00:00:01Z');
    await sqlite.jobs.writeCheckpoint('export:abc', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
    await sqlite.jobs.claimLease('harvest/elsewhere', { owner: 'host:1:x', ttlMs: 3_600_000, nowMs: Date.now() });
    await sqlite.meta.set('probe', 'kept');
    await sqlite.close();

    target = await postgresBackend.createTarget({ fresh: true });
    migrated = await runCli(['migrate', '--from', `sqlite:${file}`, '--to', target.db], { timeoutMs: 300_000 });
    sqlite = await openStore(file);
    pg = await target.open();
  }, 600_000);

  afterAll(async () => {
    await sqlite?.close();
    await pg?.close();
    await target?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('copies every table, counts checked', async () => {
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(migrated.stdout).toMatch(/counts match the source/);
    for (const table of ['records', 'record_sets', 'sets', 'store_meta', 'harvest_sources', 'harvest_runs', 'crossref_dois', 'crossref_meta', 'worker_runs', 'worker_leases', 'worker_checkpoints']) {
      expect(migrated.stdout, table).toMatch(new RegExp(`^  ${table}: \\d+ row`, 'm'));
    }
    expect(await pg.records.stats()).toEqual(await sqlite.records.stats());
    expect(await pg.records.listSets()).toEqual(await sqlite.records.listSets());
    expect(await pg.harvest.listRuns('elsewhere', 5)).toEqual(await sqlite.harvest.listRuns('elsewhere', 5));
    const deposits = (store: Store) => new CrossrefDepositState(store, 'test.crossref.org');
    expect(await deposits(pg).counts()).toEqual(await deposits(sqlite).counts());
    expect(await pg.deposits.getMeta('last_timestamp')).toBe(await sqlite.deposits.getMeta('last_timestamp'));
    expect(await pg.jobs.recentRuns({ limit: 5 })).toEqual(await sqlite.jobs.recentRuns({ limit: 5 }));
    expect((await pg.jobs.listLeases(Date.now())).map((l) => [l.key, l.owner])).toEqual([['harvest/elsewhere', 'host:1:x']]);
    expect(await pg.meta.get('probe')).toBe('kept');
    // Identities continue after the copied ids.
    const next = await pg.jobs.insertRun('export', 'host:1:y', 'manual', '2026-01-02T00:00:00Z');
    expect(next).toBeGreaterThan((await sqlite.jobs.recentRuns({ limit: 1 }))[0]!.id);
  });

  it('a full ListRecords from PostgreSQL is byte-identical (apart from responseDate) to one from SQLite', async () => {
    const [fromSqlite, fromPg] = [await listAll(sqlite, 'oai_dc'), await listAll(pg, 'oai_dc')];
    // Every record and the tombstone, over many pages (resumption tokens included in the comparison).
    expect((fromSqlite.match(/<record>/g) ?? []).length).toBe(10_004);
    expect((fromSqlite.match(/<resumptionToken[^>]*>[^<]+</g) ?? []).length).toBeGreaterThan(10);
    expect(fromPg === fromSqlite, 'the two lists differ').toBe(true);
  }, 900_000);

  it('refuses a target that is not empty, and commits nothing', async () => {
    const again = await runCli(['migrate', '--from', `sqlite:${file}`, '--to', target.db], { timeoutMs: 120_000 });
    expect(again.code).toBe(4);
    expect(again.stderr).toMatch(/not empty/);
    expect((await pg.records.stats()).total).toBe((await sqlite.records.stats()).total);
  });
});
