/**
 * End to end, all on 127.0.0.1: a `pubmeta serve` process publishes records; `pubmeta worker
 * --once` harvests them into its own store, which also holds records of its own; `deposit
 * --dry-run` then plans only the own records, and the worker exports and deposits only those
 * with the Crossref stand-in (harvested records are never deposited); `pubmeta jobs --json`
 * shows the runs with their counts. Needs dist/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSyntheticRecords } from '../src/model/index.js';
import { validateXml } from '../src/validate/index.js';
import { openStore, type JobRun } from '../src/store/index.js';
import { CrossrefDepositState, depositTarget } from '../src/crossref/index.js';
import { describeBackends, useTestStores, type TestTarget } from './helpers/backends.js';
import { startCrossrefStandIn, type CrossrefStandIn } from './helpers/crossrefStandIn.js';
import { syntheticJournalProfiles } from './helpers/crossrefFixtures.js';
import { childEnv, CLI, runCli, spawnCli, type RunningCli } from './helpers/crossrefProcesses.js';

const USER = 'e2e/role';
const PASSWORD = 'e2e-Secret-password-123';
const RECORDS = 30;
const OWN = 4;

describeBackends('worker end to end: harvest a local pubmeta serve, export, deposit', (backend) => {
  const stores = useTestStores(backend, 'suite');
  let workerStore: TestTarget;
  let dir: string;
  let standIn: CrossrefStandIn;
  let serve: RunningCli;
  let oaiUrl: string;
  const records = generateSyntheticRecords(RECORDS, 2024);
  const ownRecords = generateSyntheticRecords(OWN, 2025);

  beforeAll(async () => {
    expect(existsSync(CLI), 'dist/cli/main.js is missing: run npm run build').toBe(true);
    dir = mkdtempSync(join(tmpdir(), 'pubmeta-e2e-'));
    const source = await openStore(join(dir, 'source.db'));
    await source.records.upsertMany(records);
    await source.close();
    workerStore = await stores.target();
    const worker = await openStore(backend.name === 'sqlite' ? join(dir, 'worker.db') : workerStore.db);
    await worker.records.upsertMany(ownRecords);
    await worker.close();
    // OAI-PMH lists cover changes up to the second before the request: let the import's second pass.
    await new Promise((r) => setTimeout(r, 1100 - (Date.now() % 1000)));
    serve = spawnCli(['serve', '--db', join(dir, 'source.db'), '--port', '0', '--page-size', '7', '--admin-email', 'oai@example.org'], {
      env: childEnv({ PUBMETA_OAI_SECRET: 'e2e-token-secret-0123456789' }),
      timeoutMs: 900_000,
    });
    const deadline = Date.now() + 20_000;
    while (!/OAI-PMH endpoint: (\S+)/.test(serve.output().stdout)) {
      if (Date.now() > deadline) throw new Error(`serve did not start: ${serve.output().stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    oaiUrl = /OAI-PMH endpoint: (\S+)/.exec(serve.output().stdout)![1]!;
    standIn = await startCrossrefStandIn({ username: USER, password: PASSWORD, validate: (xml) => validateXml(xml, 'crossref-5.3.1') });
  });

  afterAll(async () => {
    serve?.child.kill('SIGTERM');
    await serve?.result;
    await standIn?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs the three jobs and `pubmeta jobs --json` shows them with their counts', async () => {
    const outDir = join(dir, 'out');
    const config = join(dir, 'worker.json');
    writeFileSync(
      config,
      JSON.stringify({
        // The worker's store as the config names it: a file beside the config, or a PostgreSQL URL.
        db: backend.name === 'sqlite' ? 'worker.db' : workerStore.db,
        sources: [{ name: 'local-serve', url: oaiUrl, metadataPrefix: 'jats' }],
        // The synthetic journals are this worker's own: their DOIs (10.5555) are deposited.
        journals: syntheticJournalProfiles(),
        jobs: { export: { outDir: 'out', formats: ['oai_dc', 'jats', 'crossref'] } },
        crossref: {
          depositor: { name: 'End-to-end test', email: 'e2e@example.org' },
          registrant: 'pubmeta e2e',
          batchSize: 20,
          pollInitialDelaySeconds: 0.02,
          pollMaxDelaySeconds: 0.1,
          pollTimeoutSeconds: 30,
        },
      }),
    );
    const env = childEnv({ PUBMETA_CROSSREF_URL: standIn.url, PUBMETA_CROSSREF_USER: USER, PUBMETA_CROSSREF_PASSWORD: PASSWORD });
    // The worker harvests the local serve; a deposit dry run then plans the own records only.
    const harvested = await runCli(['worker', '--once', '--job', 'harvest', '--config', config], { env, timeoutMs: 240_000 });
    expect(harvested.code, harvested.stderr).toBe(0);
    expect(harvested.stdout).toMatch(/^harvest: succeeded/m);
    const dry = await runCli(['deposit', '--dry-run', '--json', '--config', config], { env, timeoutMs: 240_000 });
    expect(dry.code, dry.stderr).toBe(0);
    const planned = (JSON.parse(dry.stdout) as { batches: { dois: string[] }[] }).batches.flatMap((b) => b.dois);
    expect(planned.sort()).toEqual(ownRecords.map((r) => r.doi).sort());
    for (const record of records) expect(planned).not.toContain(record.doi);

    const once = await runCli(['worker', '--once', '--config', config], { env, timeoutMs: 240_000 });
    expect(once.code, once.stderr).toBe(0);
    expect(once.stdout).toMatch(/^harvest: succeeded/m);
    expect(once.stdout).toMatch(/^export: succeeded/m);
    expect(once.stdout).toMatch(/^deposit: succeeded/m);
    expect(once.stdout + once.stderr).not.toContain(PASSWORD);

    const jobs = await runCli(['jobs', '--json', '--config', config], { env });
    expect(jobs.code, jobs.stderr).toBe(0);
    const runs = (JSON.parse(jobs.stdout) as JobRun[]).reverse();
    expect(runs.map((r) => [r.job, r.status])).toEqual([
      ['harvest/local-serve', 'succeeded'],
      ['harvest/local-serve', 'succeeded'],
      ['export', 'succeeded'],
      ['deposit', 'succeeded'],
    ]);
    const [harvest, harvestAgain, exported, deposit] = runs;
    expect(harvest!.counts).toMatchObject({ sources: 1, records: RECORDS, created: RECORDS, invalid: 0 });
    expect(harvest!.counts!['pages']).toBe(Math.ceil(RECORDS / 7));
    expect(harvestAgain!.counts).toMatchObject({ sources: 1, created: 0 });
    // Export and deposit cover the worker's own records; the harvested ones are kept apart.
    expect(exported!.counts).toMatchObject({ written: OWN });
    expect(deposit!.counts).toMatchObject({ sent: OWN, batches: 1, registered: OWN, failed: 0, invalid: 0 });

    // What the jobs did, checked at the other ends.
    const deposited = new Set([...standIn.submissions.values()].flatMap((s) => s.dois));
    for (const record of ownRecords) expect(deposited.has(record.doi), record.doi).toBe(true);
    for (const record of records) expect(deposited.has(record.doi), record.doi).toBe(false);
    for (const format of ['oai_dc', 'jats'] as const) {
      const files = readdirSync(join(outDir, format));
      expect(files).toHaveLength(OWN);
      expect(validateXml(readFileSync(join(outDir, format, files[0]!), 'utf8'), format).valid).toBe(true);
    }
    // Crossref goes out as deposit batches (up to 100 records each): one file for the own records.
    const batches = readdirSync(join(outDir, 'crossref'));
    expect(batches).toHaveLength(1);
    const batch = readFileSync(join(outDir, 'crossref', batches[0]!), 'utf8');
    expect(validateXml(batch, 'crossref-5.3.1').valid).toBe(true);
    for (const record of ownRecords) expect(batch).toContain(`<doi>${record.doi}</doi>`);
    for (const record of records) expect(batch).not.toContain(`<doi>${record.doi}</doi>`);
    const store = await openStore(backend.name === 'sqlite' ? join(dir, 'worker.db') : workerStore.db);
    try {
      expect(await new CrossrefDepositState(store, depositTarget(standIn.url)).counts()).toMatchObject({ registered: OWN, pending: 0, submitted: 0 });
      expect(await store.records.count({ includeHarvested: true })).toBe(RECORDS + OWN);
    } finally {
      await store.close();
    }

    // Nothing changed at the source: a second pass harvests, exports and deposits nothing new.
    const again = await runCli(['worker', '--once', '--config', config], { env, timeoutMs: 240_000 });
    expect(again.code, again.stderr).toBe(0);
    const latest = (JSON.parse((await runCli(['jobs', '--json', '--limit', '3', '--config', config], { env })).stdout) as JobRun[]).reverse();
    expect(latest.map((r) => r.job)).toEqual(['harvest/local-serve', 'export', 'deposit']);
    expect(latest[0]!.counts!['created']).toBe(0);
    expect(latest[1]!.counts!['written']).toBe(0);
    expect(latest[2]!.counts!['sent']).toBe(0);
  }, 600_000);
});
