import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { generateSyntheticRecords } from '../src/model/index.js';
import { validateXml } from '../src/validate/index.js';
import {
  DEFAULT_START_CONFIG,
  exportFileName,
  JobLeases,
  JobRunLog,
  leaseOwnerName,
  PubmetaWorker,
  runExportJob,
  validateWorkerConfig,
  WorkerConfigError,
  type WorkerJob,
} from '../src/worker/index.js';
import { openTempStore, type TempStore } from './helpers/crossrefFixtures.js';
import { describeBackends } from './helpers/backends.js';

let t: TempStore;

describe('worker config (schemas/config.schema.json)', () => {
  it('accepts the example config and the built-in start config', () => {
    const example = JSON.parse(readFileSync(new URL('../pubmeta.config.example.json', import.meta.url), 'utf8')) as unknown;
    expect(() => validateWorkerConfig(example, 'example')).not.toThrow();
    expect(() => validateWorkerConfig(DEFAULT_START_CONFIG, 'defaults')).not.toThrow();
  });

  it('reports every problem at once, by JSON pointer', () => {
    let error: unknown;
    try {
      validateWorkerConfig(
        {
          colour: 'blue',
          timezone: 'Mars/Olympus',
          sources: [{ name: 'bad name', url: 'ftp://x' }],
          jobs: { export: { schedule: '61 * * * *', formats: ['pdf'], dir: 'x' }, deposit: { enabled: 'yes' } },
          crossref: { baseUrl: 'https://test.crossref.org', depositor: { name: 'D' }, batchSize: 0 },
        },
        'cfg.json',
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WorkerConfigError);
    const problems = (error as WorkerConfigError).problems;
    const pointers = new Set(problems.map((p) => p.pointer));
    for (const pointer of [
      '',
      '/timezone',
      '/sources/0/name',
      '/sources/0/url',
      '/jobs/export/schedule',
      '/jobs/export/formats/0',
      '/jobs/export',
      '/jobs/deposit/enabled',
      '/crossref/depositor',
      '/crossref/batchSize',
    ]) {
      expect(pointers, `expected a problem at ${pointer}`).toContain(pointer);
    }
    expect(problems.find((p) => p.pointer === '')!.message).toBe('unknown property "colour"');
    expect(problems.find((p) => p.pointer === '/jobs/export')!.message).toBe('unknown property "dir"');
    expect(problems.find((p) => p.pointer === '/jobs/export/schedule')!.message).toMatch(/cron/);
    expect((error as Error).message).toMatch(/^cfg\.json: invalid configuration\n {2}\/: unknown property "colour"/);
  });
});

describeBackends('worker', (backend) => {
  beforeEach(async () => {
    t = await openTempStore(backend, 'pubmeta-worker-');
  });
  afterEach(async () => {
    await t.close();
  });

  describe('job leases', () => {
    it('admit one owner until the lease expires or is released', async () => {
      let now = 1_000_000;
      const leases = new JobLeases(t.store.jobs, { now: () => now });
      expect(await leases.acquire('export', 'a', 1000)).toBe(true);
      expect(await leases.acquire('export', 'b', 1000)).toBe(false);
      expect(await leases.acquire('deposit', 'b', 1000)).toBe(true);
      now += 900;
      expect(await leases.renew('export', 'a', 1000)).toBe(true);
      now += 900;
      expect(await leases.acquire('export', 'b', 1000)).toBe(false);
      now += 200; // a stopped heartbeating 1100 ms ago: expired
      expect(await leases.acquire('export', 'b', 1000)).toBe(true);
      expect(await leases.renew('export', 'a', 1000)).toBe(false);
      expect((await leases.holder('export'))!.owner).toBe('b');
      await leases.release('export', 'a'); // not a's any more: no effect
      expect((await leases.holder('export'))!.owner).toBe('b');
      await leases.release('export', 'b');
      expect(await leases.acquire('export', 'a', 1000)).toBe(true);
    });
  });

  describe('job leases after a crash', () => {
    it('a lease held by a process of this host that no longer exists is taken over at once', async () => {
      const dead = spawnSync(process.execPath, ['-e', '']).pid!;
      const leases = new JobLeases(t.store.jobs);
      expect(await leases.acquire('export', `${hostname()}:${dead}:gone`, 60_000)).toBe(true);
      expect(await leases.acquire('export', leaseOwnerName('me'), 60_000)).toBe(true);
      // A live holder (this process) or one on another host is respected until expiry.
      expect(await leases.acquire('export', `${hostname()}:${dead}:gone`, 60_000)).toBe(false);
      await leases.release('export', leaseOwnerName('me'));
      expect(await leases.acquire('export', `elsewhere.example:${dead}:x`, 60_000)).toBe(true);
      expect(await leases.acquire('export', leaseOwnerName('me'), 60_000)).toBe(false);
    });
  });

  describe('export job', () => {
    it('writes each format to its directory, then only what changed; deleted records lose their files', async () => {
      const records = generateSyntheticRecords(12, 5);
      await t.store.records.upsertMany(records);
      const outDir = join(t.dir, 'out');
      const options = { store: t.store, outDir, formats: ['oai_dc', 'jats'] as ('oai_dc' | 'jats')[], pageSize: 5, durable: false };
      const first = await runExportJob(options);
      expect(first).toMatchObject({ scanned: 12, written: 12, unchanged: 0, removed: 0, failed: 0 });
      for (const format of ['oai_dc', 'jats'] as const) {
        const files = readdirSync(join(outDir, format)).sort();
        expect(files).toEqual(records.map((r) => exportFileName(r.id!)).sort());
        const sample = readFileSync(join(outDir, format, files[0]!), 'utf8');
        expect(validateXml(sample, format).valid).toBe(true);
      }

      const second = await runExportJob(options);
      expect(second.written).toBe(0);

      const changed = records[4]!;
      await t.store.records.upsert({ ...changed, title: { ...changed.title, en: 'A title changed for export' } });
      await t.store.records.delete(records[7]!.id!);
      const third = await runExportJob(options);
      expect(third).toMatchObject({ written: 1, removed: 1 });
      expect(readFileSync(join(outDir, 'oai_dc', exportFileName(changed.id!)), 'utf8')).toContain('A title changed for export');
      expect(existsSync(join(outDir, 'oai_dc', exportFileName(records[7]!.id!)))).toBe(false);
      expect(existsSync(join(outDir, 'jats', exportFileName(records[7]!.id!)))).toBe(false);
    });

    it('stops after the current page when signalled, and the next run finishes the rest', async () => {
      await t.store.records.upsertMany(generateSyntheticRecords(30, 6));
      const outDir = join(t.dir, 'out');
      const controller = new AbortController();
      const first = await runExportJob({
        store: t.store,
        outDir,
        formats: ['oai_dc'],
        pageSize: 10,
        durable: false,
        signal: controller.signal,
        onProgress: () => controller.abort(),
      });
      expect(first.written).toBe(10);
      const second = await runExportJob({ store: t.store, outDir, formats: ['oai_dc'], pageSize: 10, durable: false });
      expect(second.written).toBe(20);
      expect(readdirSync(join(outDir, 'oai_dc'))).toHaveLength(30);
    });

    it('sweeps temp files a killed writer left behind and never leaves its own', async () => {
      await t.store.records.upsertMany(generateSyntheticRecords(2, 8));
      const dir = join(t.dir, 'out', 'oai_dc');
      await runExportJob({ store: t.store, outDir: join(t.dir, 'out'), formats: ['oai_dc'] });
      writeFileSync(join(dir, '.pubmeta-x.xml.123.abcd.tmp'), '<half');
      await runExportJob({ store: t.store, outDir: join(t.dir, 'out'), formats: ['oai_dc'] });
      expect(readdirSync(dir).filter((n) => n.startsWith('.'))).toEqual([]);
    });

    it('file names are reversible and safe for any local id', () => {
      expect(exportFileName('10.5555/abc')).toBe('10.5555%2Fabc.xml');
      expect(exportFileName('../etc')).toBe('%2E.%2Fetc.xml');
      expect(decodeURIComponent(exportFileName('статья 1').slice(0, -4))).toBe('статья 1');
      expect(exportFileName('a/b')).not.toBe(exportFileName('a_b'));
    });
  });

  describe('PubmetaWorker', () => {
    const job = (name: string, run: WorkerJob['run']): WorkerJob => ({ name, run });

    it('records each run with its counts, and a failing run with its error', async () => {
      const worker = new PubmetaWorker({
        store: t.store,
        jobs: [job('ok', async () => ({ items: 3 })), job('broken', async () => Promise.reject(new Error('disk full')))],
      });
      const outcomes = await worker.runAllOnce();
      expect(outcomes.map((o) => o.status)).toEqual(['succeeded', 'failed']);
      const runs = await new JobRunLog(t.store).recent();
      expect(runs.map((r) => [r.job, r.status, r.counts, r.error])).toEqual([
        ['broken', 'failed', null, 'disk full'],
        ['ok', 'succeeded', { items: 3 }, null],
      ]);
      expect(runs.every((r) => r.endedAt !== null && r.endedAt >= r.startedAt)).toBe(true);
      await worker.stop();
    });

    it('records a run that did part of its work as partial, with its counts and what failed', async () => {
      const someFailed = Object.assign(new Error('2 item(s) failed, 5 done'), { partial: true, counts: { done: 5, failed: 2 } });
      const worker = new PubmetaWorker({ store: t.store, jobs: [job('half', async () => Promise.reject(someFailed))] });
      const outcome = await worker.runOnce('half');
      expect(outcome).toMatchObject({ status: 'partial', error: '2 item(s) failed, 5 done', counts: { done: 5, failed: 2 } });
      const [run] = await new JobRunLog(t.store).recent();
      expect([run!.status, run!.counts, run!.error]).toEqual(['partial', { done: 5, failed: 2 }, '2 item(s) failed, 5 done']);
      await worker.stop();
    });

    it('skips a job whose lease another worker holds', async () => {
      await new JobLeases(t.store.jobs).acquire('ok', 'someone-else', 60_000);
      let ran = false;
      const worker = new PubmetaWorker({ store: t.store, jobs: [job('ok', async () => ((ran = true), {}))] });
      expect((await worker.runOnce('ok')).status).toBe('busy');
      expect(ran).toBe(false);
      expect(await new JobRunLog(t.store).recent()).toEqual([]);
    });

    it('stop() lets the running job finish its step and records the run as interrupted', async () => {
      let steps = 0;
      const worker = new PubmetaWorker({
        store: t.store,
        jobs: [
          job('long', async (ctx) => {
            while (!ctx.signal.aborted && steps < 1000) {
              steps++;
              ctx.progress({ steps });
              await new Promise((r) => setTimeout(r, 5));
            }
            return { steps };
          }),
        ],
      });
      const running = worker.runOnce('long');
      await new Promise((r) => setTimeout(r, 30));
      await worker.stop();
      const outcome = await running;
      expect(outcome.status).toBe('interrupted');
      expect(steps).toBeLessThan(1000);
      const [run] = await new JobRunLog(t.store).recent();
      expect(run).toMatchObject({ status: 'interrupted', counts: { steps } });
      expect(await new JobLeases(t.store.jobs).holder('long')).toBeUndefined();
    });

    it('a run left "running" by a dead worker is closed as interrupted when the job next runs', async () => {
      const log = new JobRunLog(t.store);
      const orphan = await log.start('ok', 'dead-worker', 'schedule');
      const worker = new PubmetaWorker({ store: t.store, jobs: [job('ok', async () => ({}))] });
      await worker.runOnce('ok');
      expect(await log.get(orphan)).toMatchObject({ status: 'interrupted', error: 'the worker stopped before the run finished' });
    });

    it('a lost lease aborts the run', async () => {
      const worker = new PubmetaWorker({
        store: t.store,
        leaseTtlMs: 900,
        jobs: [
          job('taken', async (ctx) => {
            // Another worker takes the lease over (as if ours had expired).
            await t.store.jobs.claimLease('taken', { owner: 'thief', ttlMs: 60_000, nowMs: Date.now(), takeOver: () => true });
            const deadline = Date.now() + 5000;
            while (!ctx.signal.aborted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
            return {};
          }),
        ],
      });
      const outcome = await worker.runOnce('taken');
      expect(outcome).toMatchObject({ status: 'interrupted', error: 'lost the job lease' });
      expect((await new JobLeases(t.store.jobs).holder('taken'))!.owner).toBe('thief');
    });
  });
});
