import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HarvestStore } from '../src/harvest/store.js';
import { openDatabase } from '../src/store/db.js';
import { startFaultServer, type FaultServer } from './helpers/fault-server.js';

/**
 * Crash safety: a real harvester process (`pubmeta harvest run`) is killed with SIGKILL at a
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

let workDir: string;

beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'pubmeta-harvest-crash-'));
});
afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

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

function newDb(name: string, server: FaultServer): string {
  const file = join(workDir, `${name}.db`);
  const db = openDatabase(file);
  new HarvestStore(db).addSource({ name: 'crashy', baseUrl: server.url, metadataPrefix: 'oai_dc' });
  db.close();
  return file;
}

/** Everything a harvest leaves behind that must not depend on crashes (times and run ids aside). */
function snapshot(file: string) {
  const db = openDatabase(file);
  try {
    const harvested = db
      .prepare(
        `SELECT identifier, datestamp, deleted, set_specs, record_xml, content_hash, mapped_json, valid, errors, local_id
         FROM harvest_records WHERE source = 'crashy' ORDER BY identifier`,
      )
      .all();
    const records = db.prepare('SELECT local_id, deleted, json, content_hash, set_specs FROM records ORDER BY local_id').all();
    const quarantine = db.prepare('SELECT COUNT(*) AS n FROM harvest_quarantine').get() as { n: number };
    const staging = db.prepare('SELECT COUNT(*) AS n FROM harvest_page_staging').get() as { n: number };
    const checkpoint = db.prepare('SELECT * FROM harvest_checkpoints').get();
    const source = db.prepare('SELECT next_from, lock_pid FROM harvest_sources WHERE name = ?').get('crashy') as { next_from: string | null; lock_pid: number | null };
    return { harvested, records, quarantined: quarantine.n, staged: staging.n, checkpoint, nextFrom: source.next_from, lockPid: source.lock_pid };
  } finally {
    db.close();
  }
}

function checkpointAfterKill(file: string): { pages: number; records: number; token: boolean } | undefined {
  const db = openDatabase(file);
  try {
    const row = db.prepare('SELECT pages, records, resumption_token FROM harvest_checkpoints WHERE source = ?').get('crashy') as
      | { pages: number; records: number; resumption_token: string | null }
      | undefined;
    return row ? { pages: row.pages, records: row.records, token: row.resumption_token !== null } : undefined;
  } finally {
    db.close();
  }
}

/** Small deterministic PRNG (mulberry32) so a failing trial can be replayed from its seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('SIGKILL at many points (crash safety)', () => {
  let clean: ReturnType<typeof snapshot>;

  it('a clean harvest by the CLI stores every record once', async () => {
    const { server } = await repository();
    const file = newDb('clean', server);
    const exit = await harvestProcess(file);
    await server.close();
    expect(exit.code, exit.stderr).toBe(0);
    expect(JSON.parse(exit.stdout)).toMatchObject({ status: 'completed', records: N, created: N });
    clean = snapshot(file);
    expect(clean.harvested).toHaveLength(N);
    expect(clean.records).toHaveLength(N);
    expect(clean.checkpoint).toBeUndefined();
  });

  it(`${TRIALS} killed runs, each re-run to completion, equal the clean harvest`, async () => {
    const seed = Number(process.env.HARVEST_CRASH_SEED ?? Date.now() % 100_000);
    const random = prng(seed);
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
      const file = newDb(`trial-${index}`, server);
      const where = point.listRequest === 0 ? 'Identify' : `list request ${point.listRequest}`;
      const context = `seed ${seed}, trial ${index}, kill ${point.afterMs} ms after ${where} arrived`;
      const killed = await harvestProcess(file, reached.then(() => point.afterMs));
      const saved = checkpointAfterKill(file);
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
      const after = snapshot(file);
      expect(after.harvested, context).toEqual(clean.harvested);
      expect(after.records, context).toEqual(clean.records);
      expect(after.quarantined, context).toBe(0);
      expect(after.staged, context).toBe(0);
      expect(after.checkpoint, context).toBeUndefined();
      expect(after.lockPid, context).toBeNull();
      rmSync(file, { force: true });
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
  });
});
