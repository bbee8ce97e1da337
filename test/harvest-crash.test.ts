import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { addHarvestSource, harvestedRecords } from '../src/harvest/index.js';
import { describeBackends, useTestStores, type TestTarget } from './helpers/backends.js';
import { startFaultServer, type FaultServer } from './helpers/fault-server.js';
import { mulberry32 } from '../src/model/synthetic.js';

/**
 * Crash safety, on each store backend: a real harvester process (`pubmeta harvest run`) is killed with SIGKILL at a
 * point of the protocol (a chosen request reaching the repository) plus a random few ms, then
 * run again to completion. Whatever the moment (during Identify, a page download, a page
 * commit, the completion), the final store must equal a clean harvest, and the second run must
 * continue from the last committed page rather than start over. Kill points are tied to
 * requests, not to wall-clock fractions of a clean run, so a loaded machine moves them nowhere.
 */
const here = dirname(fileURLToPath(import.meta.url));
const CLI = join(here, '..', 'dist', 'cli', 'main.js');
const N = 48;
const PAGE = 4;
const PAGES = N / PAGE;
/** Server-side delay of every list page, so kills land in downloads as well as in commits. */
const PAGE_DELAY_MS = 5;
/** Random part of a kill's timing, after its request arrives: less than four page delays. */
const JITTER_MS = 4 * PAGE_DELAY_MS;
const TRIALS = 21;
const CONCURRENT = 3;

/**
 * A repository per trial; `reached` settles when its `listRequest`-th ListRecords request
 * arrives (0: the first request, Identify).
 */
async function repository(listRequest = 0): Promise<{ server: FaultServer; reached: Promise<void> }> {
  let arrived: () => void = () => undefined;
  const reached = new Promise<void>((resolve) => (arrived = resolve));
  const server = await startFaultServer({
    records: N,
    pageSize: PAGE,
    fault: (r) => {
      if (listRequest === 0 ? r.n === 1 : r.listRequest === listRequest) arrived();
      return r.verb === 'ListRecords' ? { kind: 'delay', ms: PAGE_DELAY_MS } : undefined;
    },
  });
  return { server, reached };
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function harvestProcess(db: string, killAt?: Promise<number>): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'harvest', 'run', 'crashy', '--db', db, '--json', '--no-progress', '--backoff', '1'], {
      env: { ...process.env, PUBMETA_LOG_LEVEL: 'error' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let timer: NodeJS.Timeout | undefined;
    let exited = false;
    void killAt?.then((ms) => {
      if (!exited) timer = setTimeout(() => child.kill('SIGKILL'), ms);
    });
    const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      exited = true;
      clearTimeout(timer);
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

async function newDb(target: TestTarget, server: FaultServer): Promise<string> {
  const store = await target.open();
  try {
    await addHarvestSource(store, { name: 'crashy', baseUrl: server.url, metadataPrefix: 'oai_dc' });
  } finally {
    await store.close();
  }
  return target.db;
}

/** Everything a harvest leaves behind that must not depend on crashes (times and run ids aside). */
async function snapshot(target: TestTarget) {
  const store = await target.open();
  try {
    const harvested = [];
    for await (const r of harvestedRecords(store, 'crashy')) {
      harvested.push([r.identifier, r.datestamp, r.deleted, r.setSpecs, r.recordXml, r.mapped, r.valid, r.errors, r.localId]);
    }
    const records = (await store.records.list({ includeHarvested: true }, 10 * N)).map((r) => [r.localId, r.deleted, r.record, r.contentHash, r.sets]).sort();
    const counts = await store.harvest.recordCounts('crashy');
    return {
      harvested,
      records,
      quarantined: counts.quarantined,
      staged: await store.harvest.countStaged(),
      checkpoint: await store.harvest.getCheckpoint('crashy'),
      nextFrom: (await store.harvest.getSource('crashy'))!.nextFrom,
      lease: await store.jobs.leaseHolder('harvest:crashy', Date.now()),
    };
  } finally {
    await store.close();
  }
}

async function checkpointAfterKill(target: TestTarget): Promise<{ pages: number; records: number; token: boolean } | undefined> {
  const store = await target.open();
  try {
    const checkpoint = await store.harvest.getCheckpoint('crashy');
    return checkpoint && { pages: checkpoint.pages, records: checkpoint.records, token: checkpoint.resumptionToken !== undefined };
  } finally {
    await store.close();
  }
}

describeBackends('SIGKILL at many points (crash safety)', (backend) => {
  const stores = useTestStores(backend, 'suite');
  let clean: Awaited<ReturnType<typeof snapshot>>;

  it('a clean harvest by the CLI stores every record once', async () => {
    const { server } = await repository();
    const target = await stores.target();
    const exit = await harvestProcess(await newDb(target, server));
    await server.close();
    expect(exit.code, exit.stderr).toBe(0);
    expect(JSON.parse(exit.stdout)).toMatchObject({ status: 'completed', records: N, created: N });
    clean = await snapshot(target);
    expect(clean.harvested).toHaveLength(N);
    expect(clean.records).toHaveLength(N);
    expect(clean.checkpoint).toBeUndefined();
  });

  it(`${TRIALS} killed runs, each re-run to completion, equal the clean harvest`, async () => {
    const seed = Number(process.env.HARVEST_CRASH_SEED ?? Date.now() % 100_000);
    const random = mulberry32(seed); // replays from the seed printed on failure
    const outcomes = { resumedFromCheckpoint: 0, noCheckpointYet: 0, completedBeforeKill: 0 };
    /**
     * Trial i kills after list request k = i mod (PAGES + 2) arrives (0: Identify; PAGES + 1:
     * the last one, later, so some kills hit the final commit and the completion).
     */
    const killPoint = (index: number) => {
      const k = index % (PAGES + 2);
      return k <= PAGES
        ? { listRequest: k, afterMs: Math.floor(random() * JITTER_MS) }
        : { listRequest: PAGES, afterMs: JITTER_MS + Math.floor(random() * 3 * JITTER_MS) };
    };
    // From list request k on, the remaining PAGES - k + 1 responses each wait PAGE_DELAY_MS in
    // turn in this process, so a kill timer of under 4 such delays fires before the last page
    // is even sent: such a run cannot have completed, and its checkpoint exists (it is saved
    // before the first list request).
    const surelyMidList = (point: { listRequest: number; afterMs: number }) =>
      point.listRequest >= 1 && point.afterMs < JITTER_MS && PAGES - point.listRequest + 1 > 4;
    let expectedMidList = 0;
    // A few trials at a time: each has its own repository, process and database.
    const trial = async (index: number, point: { listRequest: number; afterMs: number }) => {
      const { server, reached } = await repository(point.listRequest);
      const target = await stores.target();
      const file = await newDb(target, server);
      const where = point.listRequest === 0 ? 'Identify' : `list request ${point.listRequest}`;
      const context = `seed ${seed}, trial ${index}, kill ${point.afterMs} ms after ${where} arrived`;
      const killed = await harvestProcess(file, reached.then(() => point.afterMs));
      const saved = await checkpointAfterKill(target);
      if (surelyMidList(point)) {
        expect(killed.signal, context).toBe('SIGKILL');
        expect(saved, context).toBeDefined();
      }
      // The same command again, to completion.
      const rerun = await harvestProcess(file);
      await server.close();
      expect(rerun.code, `${context}: ${rerun.stderr}`).toBe(0);
      const summary = JSON.parse(rerun.stdout) as { status: string; resumed: boolean; records: number };
      expect(summary.status, context).toBe('completed');
      if (killed.signal === 'SIGKILL' && saved) {
        // Continued from the last committed page: only the rest of the list was fetched.
        expect(summary.resumed, context).toBe(true);
        expect(summary.records, context).toBe(N - saved.records);
        outcomes.resumedFromCheckpoint++;
      } else if (killed.signal === 'SIGKILL') {
        outcomes.noCheckpointYet++;
      } else {
        outcomes.completedBeforeKill++;
      }
      const after = await snapshot(target);
      expect(after.harvested, context).toEqual(clean.harvested);
      expect(after.records, context).toEqual(clean.records);
      expect(after.quarantined, context).toBe(0);
      expect(after.staged, context).toBe(0);
      expect(after.checkpoint, context).toBeUndefined();
      expect(after.lease, context).toBeUndefined();
      await target.drop();
    };
    for (let i = 0; i < TRIALS; i += CONCURRENT) {
      const points = Array.from({ length: Math.min(CONCURRENT, TRIALS - i) }, (_, k) => killPoint(i + k));
      expectedMidList += points.filter(surelyMidList).length;
      await Promise.all(points.map((point, k) => trial(i + k, point)));
    }
    console.log(JSON.stringify(outcomes));
    // Most kills land mid-harvest by construction, or the test would prove little.
    expect(expectedMidList).toBeGreaterThanOrEqual(TRIALS / 2);
    expect(outcomes.resumedFromCheckpoint, JSON.stringify(outcomes)).toBeGreaterThanOrEqual(expectedMidList);
    // Some 45 CLI processes: minutes on a loaded 2-core machine; the test has no timing assumption of its own.
  }, 300_000);
});
