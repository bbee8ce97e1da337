/**
 * Several worker processes on one PostgreSQL database (issue 13's acceptance): 3 workers share
 * 12 harvest sources, each harvested exactly once per schedule tick (read from the job runs); a
 * worker SIGKILLed mid-harvest has its source finished by another, no record lost or duplicated;
 * 200 pending DOIs deposited by 3 workers go out in batches in which no DOI appears twice, and
 * every DOI ends in exactly one final state. PostgreSQL only (SQLite is one machine's file);
 * skipped with the reason printed when PostgreSQL is absent, an error under CI=true.
 * Needs dist/ (npm run build).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSyntheticRecords } from '../src/model/index.js';
import { validateXml } from '../src/validate/index.js';
import { CrossrefDepositState, depositTarget } from '../src/crossref/index.js';
import { JobRunLog } from '../src/worker/index.js';
import type { JobRun } from '../src/store/index.js';
import { startCrossrefStandIn, type CrossrefStandIn } from './helpers/crossrefStandIn.js';
import { openTempStore, type TempStore } from './helpers/crossrefFixtures.js';
import { postgresBackend } from './helpers/backends.js';
import { childEnv, CLI, spawnCli, waitFor, type RunningCli } from './helpers/crossrefProcesses.js';
import { startFaultServer, type FaultServer } from './helpers/fault-server.js';

const USER = 'pg-workers/role';
const PASSWORD = 'pg-workers-Password-1a2b';

let t: TempStore;

function writeConfig(config: unknown): string {
  const file = join(t.dir, 'pubmeta.config.json');
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

async function stopAll(workers: RunningCli[]): Promise<void> {
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
  await Promise.all(workers.map((w) => w.result));
}

async function unitRuns(): Promise<JobRun[]> {
  return (await new JobRunLog(t.store).recent({ limit: 10_000 })).filter((r) => r.job.startsWith('harvest/'));
}

/** Runs per tick and source. */
function byTick(runs: JobRun[]): Map<string, Map<string, JobRun[]>> {
  const ticks = new Map<string, Map<string, JobRun[]>>();
  for (const run of runs) {
    const sources = ticks.get(run.trigger) ?? new Map<string, JobRun[]>();
    const source = run.job.slice('harvest/'.length);
    sources.set(source, [...(sources.get(source) ?? []), run]);
    ticks.set(run.trigger, sources);
  }
  return ticks;
}

describe.skipIf(postgresBackend.skip !== undefined)('worker processes on one PostgreSQL database', () => {
  let servers: FaultServer[] = [];
  beforeAll(() => {
    expect(existsSync(CLI), 'dist/cli/main.js is missing: run npm run build').toBe(true);
  });
  beforeEach(async () => {
    t = await openTempStore(postgresBackend, 'pubmeta-pg-workers-');
  });
  afterEach(async () => {
    await Promise.all(servers.map((s) => s.close()));
    servers = [];
    await t.close();
  });

  async function sources(count: number, records: (i: number) => number, delayMs: (i: number) => number) {
    servers = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        startFaultServer({
          records: records(i),
          pageSize: 10,
          repositoryIdentifier: `src${i}.test`,
          doiStem: `src${i}`,
          maxRequests: 10_000,
          fault: () => ({ kind: 'delay', ms: delayMs(i) }),
        }),
      ),
    );
    return servers.map((s, i) => ({ name: `src${i}`, url: s.url }));
  }

  it('3 workers share 12 sources: each source harvested exactly once per tick, verified from the job runs', async () => {
    const list = await sources(12, () => 40, () => 40);
    // Leases long enough that a loaded CI machine's late heartbeat does not lose one (that case,
    // and expiry, is the SIGKILL test's subject).
    const config = writeConfig({
      leaseSeconds: 30,
      sources: list,
      jobs: { harvest: { schedule: '*/8 * * * * *' }, export: { enabled: false }, deposit: { enabled: false } },
    });
    const workers = [0, 1, 2].map(() => spawnCli(['worker', '--config', config, '--db', t.db], { env: childEnv(), timeoutMs: 280_000 }));
    try {
      // Two complete ticks: every source has a finished run in each.
      const complete = async () => [...byTick(await unitRuns()).values()].filter((s) => s.size === 12 && [...s.values()].every((runs) => runs.every((r) => r.status !== 'running'))).length;
      await waitFor(async () => (await complete()) >= 2, 120_000, 'two complete schedule ticks');
    } catch (error) {
      // What the workers and the run records said, to tell slow from stuck.
      for (const w of workers) console.error(`worker ${w.child.pid}:`, w.output().stdout, w.output().stderr.slice(-2000));
      console.error((await unitRuns()).map((r) => `${r.job} ${r.trigger} ${r.owner} ${r.status} ${r.error ?? ''}`).join('\n'));
      throw error;
    } finally {
      await stopAll(workers);
    }
    const runs = await unitRuns();
    const ticks = byTick(runs);
    let full = 0;
    for (const [tick, perSource] of ticks) {
      expect(tick).toMatch(/^schedule@\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.000)?Z$/);
      for (const [source, sourceRuns] of perSource) {
        // At most one run per source and tick that was not cut short: an interrupted run (SIGTERM
        // at the end, or a lease lost) is continued from its checkpoint, never harvested twice.
        const whole = sourceRuns.filter((r) => r.status !== 'interrupted');
        expect(whole.length, `${source} in ${tick}: ${sourceRuns.map((r) => `${r.owner} ${r.status}`).join(', ')}`).toBeLessThanOrEqual(1);
      }
      if (perSource.size === 12 && [...perSource.values()].every((r) => r.some((run) => run.status === 'succeeded'))) full++;
    }
    expect(full).toBeGreaterThanOrEqual(2);
    // The work was shared: more than one worker ran sources.
    expect(new Set(runs.map((r) => r.owner)).size).toBeGreaterThan(1);
    // Every record once: 12 x 40, no duplicates.
    expect((await t.store.records.stats()).total).toBe(480);
    for (const { name } of list) expect((await t.store.harvest.recordCounts(name)).records).toBe(40);
  }, 120_000);

  it('a worker SIGKILLed mid-harvest: another finishes its source after the lease, no record lost or duplicated', async () => {
    // src0 is slow (25 pages, 200 ms each); the others are quick.
    const list = await sources(12, (i) => (i === 0 ? 250 : 30), (i) => (i === 0 ? 200 : 20));
    const config = writeConfig({
      leaseSeconds: 5,
      sources: list,
      jobs: { harvest: { schedule: '*/15 * * * * *' }, export: { enabled: false }, deposit: { enabled: false } },
    });
    const workers = [0, 1, 2].map(() => spawnCli(['worker', '--config', config, '--db', t.db], { env: childEnv(), timeoutMs: 280_000 }));
    let victim: number | undefined;
    let tick: string | undefined;
    try {
      // Killed once src0's run has committed a few pages under its checkpoint.
      await waitFor(
        async () => {
          const holder = await t.store.jobs.leaseHolder('harvest/src0', Date.now());
          const checkpoint = await t.store.harvest.getCheckpoint('src0');
          if (!holder || !checkpoint || checkpoint.pages < 4) return false;
          victim = Number(/:(\d+):[^:]*$/.exec(holder.owner)![1]);
          return true;
        },
        60_000,
        'src0 to be a few pages in',
      );
      const killed = workers.find((w) => w.child.pid === victim)!;
      expect(killed, 'the lease holder is one of the workers').toBeDefined();
      killed.child.kill('SIGKILL');
      expect((await killed.result).signal).toBe('SIGKILL');
      tick = (await unitRuns()).find((r) => r.job === 'harvest/src0')!.trigger;
      await waitFor(
        async () => (await unitRuns()).some((r) => r.job === 'harvest/src0' && r.trigger === tick && r.status === 'succeeded'),
        60_000,
        'another worker to finish src0',
      );
    } catch (error) {
      for (const w of workers) console.error(`worker ${w.child.pid}:`, w.output().stdout.slice(-1500), w.output().stderr.slice(-3000));
      console.error(JSON.stringify(await t.store.harvest.getCheckpoint('src0')), (await unitRuns()).map((r) => `${r.job} ${r.trigger} ${r.owner} ${r.status} ${r.error ?? ''}`).join('\n'));
      throw error;
    } finally {
      await stopAll(workers);
    }
    const src0 = (await unitRuns()).filter((r) => r.job === 'harvest/src0' && r.trigger === tick);
    // The killed run is closed as interrupted by the worker that took the source over.
    expect(src0.map((r) => r.status).sort()).toEqual(['interrupted', 'succeeded']);
    const [interrupted, finished] = [src0.find((r) => r.status === 'interrupted')!, src0.find((r) => r.status === 'succeeded')!];
    expect(interrupted.owner).toMatch(new RegExp(`:${victim}:`));
    expect(finished.owner).not.toMatch(new RegExp(`:${victim}:`));
    // It continued from the checkpoint: the harvest run it started resumed the killed one.
    const harvestRuns = await t.store.harvest.listRuns('src0', 10);
    expect(harvestRuns[0]!.status).toBe('completed');
    expect(harvestRuns[0]!.resumedFrom).toBe(harvestRuns[1]!.id);
    expect(harvestRuns[0]!.records).toBeLessThan(250);
    // Every other source of that tick ran once.
    const ticks = byTick(await unitRuns());
    for (const [source, runs] of ticks.get(tick!)!) if (source !== 'src0') expect(runs.filter((r) => r.status !== 'interrupted')).toHaveLength(1);
    // No record lost or duplicated.
    expect((await t.store.harvest.recordCounts('src0')).records).toBe(250);
    expect((await t.store.records.stats()).total).toBe(250 + 11 * 30);
  }, 150_000);

  describe('deposits', () => {
    let standIn: CrossrefStandIn;
    beforeAll(async () => {
      standIn = await startCrossrefStandIn({ username: USER, password: PASSWORD, validate: (xml) => validateXml(xml, 'crossref-5.3.1') });
      // The stand-in's schema compiled before the workers start (it blocks this process's event loop).
      validateXml('<doi_batch/>', 'crossref-5.3.1');
    }, 120_000);
    afterAll(async () => {
      await standIn.close();
    });

    it('200 pending DOIs deposited by 3 workers: no DOI in two batches, each DOI in exactly one final state', async () => {
      const records = generateSyntheticRecords(200, 131);
      await t.store.records.upsertMany(records);
      const dois = new Set(records.map((r) => r.doi.toLowerCase()));
      const config = writeConfig({
        crossref: { pollInitialDelaySeconds: 0.02, pollMaxDelaySeconds: 0.05, pollTimeoutSeconds: 120, minRetryDelaySeconds: 0.02, batchSize: 20 },
        jobs: { export: { enabled: false } },
      });
      const env = childEnv({
        PUBMETA_CROSSREF_URL: standIn.url,
        PUBMETA_CROSSREF_USER: USER,
        PUBMETA_CROSSREF_PASSWORD: PASSWORD,
        PUBMETA_DEPOSITOR_NAME: 'PG workers',
        PUBMETA_DEPOSITOR_EMAIL: 'pg-workers@example.org',
        PUBMETA_REGISTRANT: 'pubmeta',
        ...(process.env.DUMP ? { PUBMETA_LOG_LEVEL: 'debug' } : {}),
      });
      standIn.options.depositDelayMs = 30;
      const workers = Array.from({ length: Number(process.env.W ?? 3) }, () => 0).map(() => spawnCli(['worker', '--once', '--job', 'deposit', '--config', config, '--db', t.db], { env, timeoutMs: 280_000 }));
      const dump = setTimeout(() => {
        for (const w of workers) console.error(`worker ${w.child.pid}:`, w.output().stdout, w.output().stderr.slice(-3000));
      }, 200_000);
      const results = await Promise.all(workers.map((w) => w.result));
      clearTimeout(dump);
      if (process.env.DUMP) writeFileSync(process.env.DUMP, results.map((r) => r.stderr).join('\n=====\n'));
      standIn.options.depositDelayMs = 0;
      for (const result of results) expect(result.code, result.stderr).toBe(0);

      const submissions = [...standIn.submissions.values()].filter((s) => s.dois.some((d) => dois.has(d.toLowerCase())));
      const sent = submissions.flatMap((s) => s.dois.map((d) => d.toLowerCase()));
      // No DOI appears twice across the batches Crossref received, and every DOI went out.
      expect(sent.length).toBe(new Set(sent).size);
      expect(new Set(sent)).toEqual(dois);
      for (const s of submissions) expect(s.dois.length).toBeLessThanOrEqual(20);
      // More than one worker sent batches.
      const sentBy = results.map((r) => /sent=(\d+)/.exec(r.stdout)?.[1]).filter((n) => n !== undefined && Number(n) > 0);
      expect(sentBy.length, results.map((r) => r.stdout).join('\n')).toBeGreaterThan(1);

      // The store agrees: every DOI registered, in exactly one batch, nothing in flight.
      const state = new CrossrefDepositState(t.store, depositTarget(standIn.url));
      expect(await state.counts()).toMatchObject({ registered: 200, submitted: 0, pending: 0, failed: 0, warning: 0 });
      const rows = await state.list();
      expect(rows).toHaveLength(200);
      const batches = await state.recentBatches(1000);
      const inBatches = (await Promise.all(batches.map((b) => state.batchItems(b.batchId)))).flat().map((i) => i.doi);
      expect(inBatches.length).toBe(200);
      expect(new Set(inBatches).size).toBe(200);
      expect(batches.every((b) => b.status === 'completed')).toBe(true);
      expect(await t.store.jobs.listLeases(Date.now())).toEqual([]);
    }, 300_000);
  });
});
