/**
 * The worker and deposit commands as separate processes: leases across processes, SIGTERM,
 * SIGKILL in the middle of a deposit or an export, and the CLI's handling of credentials.
 * Needs dist/ (npm run build).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { XMLValidator } from 'fast-xml-parser';
import { generateSyntheticRecords } from '../src/model/index.js';
import { validateXml } from '../src/validate/index.js';
import { CrossrefDepositState, depositTarget } from '../src/crossref/index.js';
import { JobRunLog } from '../src/worker/index.js';
import { startCrossrefStandIn, type CrossrefStandIn } from './helpers/crossrefStandIn.js';
import { openTempStore, type TempStore } from './helpers/crossrefFixtures.js';
import { describeBackends } from './helpers/backends.js';
import { childEnv, CLI, ROOT, runCli, spawnCli, waitFor } from './helpers/crossrefProcesses.js';

const USER = 'proc-user/role';
const PASSWORD = 'proc-Password-9f8e7d';

let t: TempStore;
beforeAll(() => {
  expect(existsSync(CLI), 'dist/cli/main.js is missing: run npm run build').toBe(true);
});

function writeConfig(config: unknown): string {
  const file = join(t.dir, 'pubmeta.config.json');
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

function depositEnv(standIn: CrossrefStandIn, password = PASSWORD) {
  return childEnv({
    PUBMETA_CROSSREF_URL: standIn.url,
    PUBMETA_CROSSREF_USER: USER,
    PUBMETA_CROSSREF_PASSWORD: password,
    PUBMETA_DEPOSITOR_NAME: 'Process tests',
    PUBMETA_DEPOSITOR_EMAIL: 'process-tests@example.org',
    PUBMETA_REGISTRANT: 'pubmeta',
  });
}

const FAST_CROSSREF = { pollInitialDelaySeconds: 0.02, pollMaxDelaySeconds: 0.05, pollTimeoutSeconds: 20, minRetryDelaySeconds: 0.02 };

describeBackends('worker and deposit processes', (backend) => {
  beforeEach(async () => {
    t = await openTempStore(backend, 'pubmeta-worker-proc-');
  });
  afterEach(async () => {
    await t.close();
  });

  describe('two worker processes on one store', () => {
    it('never run the same job at the same time', async () => {
      const log = join(t.dir, 'probe.log');
      // An instrumented job that takes longer than its schedule's period, in two processes whose
      // cron ticks coincide: every tick both try to take the lease at the same moment.
      const probe = `
        import { appendFileSync } from 'node:fs';
        const { PubmetaWorker } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist/worker/index.js')).href)});
        const { openStore } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist/store/index.js')).href)});
        const store = await openStore(${JSON.stringify(t.db)});
        const log = ${JSON.stringify(log)};
        const worker = new PubmetaWorker({ store, leaseTtlMs: 5000, jobs: [{
          name: 'probe', schedule: '* * * * * *',
          run: async (ctx) => {
            appendFileSync(log, 'start ' + process.pid + ' ' + performance.timeOrigin + performance.now() + '\\n');
            const until = Date.now() + 1300;
            while (Date.now() < until && !ctx.signal.aborted) await new Promise((r) => setTimeout(r, 10));
            appendFileSync(log, 'end ' + process.pid + ' ' + (performance.timeOrigin + performance.now()) + '\\n');
            return { ticks: 1 };
          },
        }] });
        worker.start();
        process.on('SIGTERM', () => worker.stop().then(() => store.close()).then(() => process.exit(0)));
      `.replace('performance.timeOrigin + performance.now()', '(performance.timeOrigin + performance.now())');
      const children = [0, 1].map(() => spawn(process.execPath, ['--input-type=module', '-e', probe], { stdio: ['ignore', 'inherit', 'inherit'] }));
      const starts = () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter((l) => l.startsWith('start')).length : 0);
      await waitFor(() => starts() >= 4, 75_000, 'four probe runs');
      // One more second: both processes contend at the next tick too.
      await new Promise((r) => setTimeout(r, 1000));
      await Promise.all(
        children.map(
          (child) =>
            new Promise<void>((resolve) => {
              child.on('close', () => resolve());
              child.kill('SIGTERM');
            }),
        ),
      );
      const events = readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .map((line) => {
          const [kind, pid, at] = line.split(' ');
          return { kind: kind!, pid: Number(pid), at: Number(at) };
        });
      const started = events.filter((e) => e.kind === 'start');
      expect(started.length).toBeGreaterThanOrEqual(4);
      // Each start must come after the previous run's end: walk the events in time order.
      events.sort((a, b) => a.at - b.at);
      let running = 0;
      for (const event of events) {
        running += event.kind === 'start' ? 1 : -1;
        expect(running, `overlapping runs at ${event.at}`).toBeLessThanOrEqual(1);
      }
      // The run records tell the same story.
      const runs = (await new JobRunLog(t.store).recent({ job: 'probe', limit: 100 })).reverse();
      expect(runs.length).toBe(started.length);
      for (let i = 1; i < runs.length; i++) expect(runs[i]!.startedAt >= runs[i - 1]!.endedAt!).toBe(true);
    }, 150_000);
  });

  describe('SIGKILL during an export', () => {
    it('leaves no half-written file, and a restart finishes the export', async () => {
      const records = generateSyntheticRecords(2000, 77);
      await t.store.records.upsertMany(records);
      const outDir = join(t.dir, 'out');
      const config = writeConfig({ jobs: { export: { outDir, formats: ['oai_dc', 'jats'] }, deposit: { enabled: false } } });
      const first = spawnCli(['worker', '--once', '--config', config, '--db', t.db], { env: childEnv() });
      const written = () => (existsSync(join(outDir, 'jats')) ? readdirSync(join(outDir, 'jats')).filter((n) => n.endsWith('.xml')).length : 0);
      // Kill only once a page is committed (its files and its bookkeeping): a kill between a
      // page's files and its transaction legitimately rewrites that page on restart.
      // The run's progress counts are saved after each page's bookkeeping has committed.
      const committed = async () => ((await new JobRunLog(t.store).recent({ job: 'export', limit: 1 }))[0]?.counts?.['scanned'] ?? 0) >= 1;
      await waitFor(async () => written() >= 100 && (await committed()), 90_000, 'the export to commit its first page');
      first.child.kill('SIGKILL');
      const killed = await first.result;
      expect(killed.signal).toBe('SIGKILL');

      const complete = (dir: string) => readdirSync(dir).filter((n) => !n.startsWith('.'));
      const before = { oai_dc: complete(join(outDir, 'oai_dc')), jats: complete(join(outDir, 'jats')) };
      expect(before.jats.length).toBeLessThan(records.length);
      for (const [format, names] of Object.entries(before)) {
        for (const name of names) {
          const text = readFileSync(join(outDir, format, name), 'utf8');
          expect(XMLValidator.validate(text), `${format}/${name} is not well-formed`).toBe(true);
        }
        // The last files written before the kill are the likeliest to be torn: check them against the schema.
        for (const name of names.slice(-5)) expect(validateXml(readFileSync(join(outDir, format, name), 'utf8'), format as 'oai_dc' | 'jats').valid).toBe(true);
      }

      const second = await runCli(['worker', '--once', '--config', config, '--db', t.db], { env: childEnv() });
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).toMatch(/export: succeeded/);
      for (const format of ['oai_dc', 'jats']) {
        const names = readdirSync(join(outDir, format));
        expect(names.filter((n) => n.startsWith('.')), 'temp files left behind').toEqual([]);
        expect(names.length).toBe(records.length);
      }
      const runs = await new JobRunLog(t.store).recent({ job: 'export' });
      expect(runs.map((r) => r.status)).toEqual(['succeeded', 'interrupted']);
      // The restart resumed from the checkpoint instead of starting over.
      expect(runs[0]!.counts!['written']).toBeLessThan(records.length);
    }, 240_000);
  });

  describe('deposit processes against the stand-in', () => {
    let standIn: CrossrefStandIn;
    beforeAll(async () => {
      standIn = await startCrossrefStandIn({ username: USER, password: PASSWORD, validate: (xml) => validateXml(xml, 'crossref-5.3.1') });
    });
    afterAll(async () => {
      await standIn.close();
    });
    const depositsOf = (dois: string[]) => [...standIn.submissions.values()].filter((s) => s.dois.some((d) => dois.includes(d)));

    it('SIGKILL during the upload: the restart asks Crossref instead of re-sending, and every DOI ends registered', async () => {
      const records = generateSyntheticRecords(20, 101);
      await t.store.records.upsertMany(records);
      const dois = records.map((r) => r.doi);
      const config = writeConfig({ crossref: { ...FAST_CROSSREF } });
      standIn.options.depositDelayMs = 1500;
      const arrivals = standIn.requests.filter((r) => r.path === '/servlet/deposit').length;
      const first = spawnCli(['deposit', '--config', config, '--db', t.db], { env: depositEnv(standIn) });
      // Killed once Crossref holds the whole file but has not answered (the stand-in names the file
      // only after reading every byte): a kill at the request's first byte could lose the upload.
      await waitFor(() => standIn.requests.filter((r) => r.path === '/servlet/deposit' && r.fileName !== undefined).length > arrivals, 90_000, 'the upload to arrive');
      first.child.kill('SIGKILL');
      expect((await first.result).signal).toBe('SIGKILL');
      // Crossref still receives the file after the client died.
      await waitFor(() => depositsOf(dois).length === 1, 30_000, 'the stand-in to queue the file');
      standIn.options.depositDelayMs = 0;

      const state = new CrossrefDepositState(t.store, depositTarget(standIn.url));
      expect(await state.counts()).toMatchObject({ submitted: 20, pending: 0, registered: 0, failed: 0 });

      const second = await runCli(['deposit', '--config', config, '--db', t.db], { env: depositEnv(standIn) });
      expect(second.code, second.stderr).toBe(0);
      expect(depositsOf(dois)).toHaveLength(1);
      expect(await state.counts()).toMatchObject({ registered: 20, submitted: 0, pending: 0, failed: 0 });

      const status = await runCli(['deposit', 'status', '--json', '--config', config, '--db', t.db], { env: depositEnv(standIn) });
      const parsed = JSON.parse(status.stdout) as { dois: { doi: string; state: string; batchId: string; message: string }[] };
      expect(parsed.dois).toHaveLength(20);
      for (const row of parsed.dois) expect(row).toMatchObject({ state: 'registered', message: 'Successfully added', batchId: depositsOf(dois)[0]!.batchId });
    }, 180_000);

    it('SIGKILL while waiting for the submission log: the restart polls, never re-sends', async () => {
      const records = generateSyntheticRecords(5, 103);
      await t.store.records.upsertMany(records);
      const dois = records.map((r) => r.doi);
      const config = writeConfig({ crossref: { ...FAST_CROSSREF } });
      standIn.options.pollsBeforeCompleted = 100_000;
      const first = spawnCli(['deposit', '--config', config, '--db', t.db], { env: depositEnv(standIn) });
      await waitFor(() => (depositsOf(dois)[0]?.pollsAnswered ?? 0) >= 2, 90_000, 'the client to poll');
      first.child.kill('SIGKILL');
      await first.result;
      const state = new CrossrefDepositState(t.store, depositTarget(standIn.url));
      expect(await state.counts()).toMatchObject({ submitted: 5 });
      standIn.options.pollsBeforeCompleted = 0;
      const second = await runCli(['deposit', '--config', config, '--db', t.db], { env: depositEnv(standIn) });
      expect(second.code, second.stderr).toBe(0);
      expect(depositsOf(dois)).toHaveLength(1);
      expect(await state.counts()).toMatchObject({ registered: 5, submitted: 0 });
      standIn.options.pollsBeforeCompleted = 2;
    }, 180_000);

    it('wrong credentials: exit 1 with one clear message, one request, no password anywhere', async () => {
      await t.store.records.upsertMany(generateSyntheticRecords(3, 107));
      const config = writeConfig({ crossref: { ...FAST_CROSSREF } });
      const wrong = 'definitely-Wrong-pa55';
      const before = standIn.requests.length;
      const result = await runCli(['deposit', '--config', config, '--db', t.db], { env: { ...depositEnv(standIn, wrong), PUBMETA_LOG_LEVEL: 'debug' } });
      expect(result.code).toBe(1);
      expect(standIn.requests.length - before, result.stderr).toBe(1);
      const errorLines = result.stderr.split('\n').filter((l) => /^pubmeta( deposit)?:/.test(l));
      expect(errorLines).toHaveLength(1);
      expect(errorLines[0]).toMatch(/refused the credentials \(HTTP 401\)/);
      expect(result.stdout + result.stderr).not.toContain(wrong);
      // Nothing is left in flight: the DOIs are pending for the next attempt.
      expect(await new CrossrefDepositState(t.store, depositTarget(standIn.url)).counts()).toMatchObject({ pending: 3, submitted: 0 });
    }, 120_000);

    it('a dry run writes the batch files and sends nothing', async () => {
      await t.store.records.upsertMany(generateSyntheticRecords(4, 109));
      const config = writeConfig({ crossref: { ...FAST_CROSSREF, batchSize: 3 } });
      const before = standIn.requests.length;
      const out = join(t.dir, 'batches');
      const result = await runCli(['deposit', '--dry-run', '--out', out, '--config', config, '--db', t.db], { env: depositEnv(standIn) });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/would send 4 DOIs in 2 batches/);
      expect(standIn.requests.length).toBe(before);
      const files = readdirSync(out);
      expect(files).toHaveLength(2);
      for (const f of files) expect(validateXml(readFileSync(join(out, f), 'utf8'), 'crossref-5.3.1').valid).toBe(true);
    }, 120_000);
  });

  describe('worker process and SIGTERM', () => {
    it('SIGTERM stops a scheduled worker cleanly and releases its leases', async () => {
      await t.store.records.upsertMany(generateSyntheticRecords(50, 111));
      const config = writeConfig({ jobs: { export: { outDir: join(t.dir, 'out'), schedule: '* * * * * *' }, deposit: { enabled: false } } });
      const worker = spawnCli(['worker', '--config', config, '--db', t.db], { env: childEnv() });
      await waitFor(async () => (await new JobRunLog(t.store).recent({ job: 'export' })).some((r) => r.status === 'succeeded'), 90_000, 'a scheduled export');
      worker.child.kill('SIGTERM');
      const result = await worker.result;
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/worker running on .*export \(next /);
      expect((await new JobRunLog(t.store).recent({ job: 'export' })).every((r) => r.status !== 'running')).toBe(true);
      expect(await t.store.jobs.listLeases(Date.now())).toEqual([]);
      expect((await t.store.records.stats()).total).toBe(50);
    }, 120_000);
  });
});
