// Kill safety of `pubmeta import`, on each store backend: an import of 20,000 synthetic records
// (spawned CLI) is killed with SIGKILL at a random point, ten times; after each kill a re-run
// yields exactly 20,000 records, none twice, and re-writes only the uncommitted tail: every
// record the killed run committed is reported unchanged (its datestamp kept).
// Rounds alternate between two versions of the records (the second with revised titles), so
// every killed run has real writes to lose. References, abstracts, keywords and galleys are
// left out of the synthetic records (~1.2 kB each) to keep the file's runtime modest on a
// shared machine; the import path is the same.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { syntheticRecord } from '../src/model/index.js';
import { describeBackends, useTestStores, type TestTarget } from './helpers/backends.js';
import { mulberry32 } from '../src/model/synthetic.js';
import { runNode } from './helpers/run-node.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist/cli/main.js');
// PUBMETA_TEST_KILL_RECORDS / _ROUNDS shrink the run for a quick local check (the defaults are the acceptance test).
const COUNT = Number(process.env.PUBMETA_TEST_KILL_RECORDS ?? 20_000);
const ROUNDS = Number(process.env.PUBMETA_TEST_KILL_ROUNDS ?? 10);
const BATCH = Math.min(1000, Math.max(1, Math.floor(COUNT / 20)));
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pubmeta-import-kill-'));
  const records: Record<string, unknown>[] = [];
  for (let i = 0; i < COUNT; i++) {
    const record = syntheticRecord(i, 11) as unknown as Record<string, unknown>;
    for (const field of ['references', 'abstract', 'keywords', 'galleys']) delete record[field];
    records.push(record);
  }
  writeFileSync(join(dir, 'a.json'), `[\n${records.map((r) => JSON.stringify(r)).join(',\n')}\n]\n`);
  const revised = (r: Record<string, unknown>) => ({ ...r, title: Object.fromEntries(Object.entries(r.title as Record<string, string>).map(([lang, t]) => [lang, `${t} (revised)`])) });
  writeFileSync(join(dir, 'b.json'), `[\n${records.map((r) => JSON.stringify(revised(r))).join(',\n')}\n]\n`);
}, 600_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const env = () => ({ ...process.env, PUBMETA_DB: '', PUBMETA_LOG_LEVEL: 'debug' });

/**
 * Starts an import and kills it with SIGKILL once `afterCommits` transactions have committed
 * (read from its debug log) plus `delayMs`, so kills land before, inside and between commits.
 * --no-render: what is under test is the import's transactions; pre-rendering (oai-fragments'
 * subject) would only make every round slower.
 */
function killedImport(file: string, db: string, afterCommits: number, delayMs: number): Promise<{ signal: NodeJS.Signals | null; commitsSeen: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'import', file, '--db', db, '--batch-size', String(BATCH), '-q', '--no-render'], { env: env(), stdio: ['ignore', 'ignore', 'pipe'] });
    let commits = 0;
    let armed = false;
    const arm = () => {
      if (armed) return;
      armed = true;
      setTimeout(() => child.kill('SIGKILL'), delayMs);
    };
    if (afterCommits === 0) arm();
    let buffered = '';
    child.stderr.on('data', (data: Buffer) => {
      buffered += data.toString();
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        if (buffered.slice(0, newline).includes('import transaction committed')) commits++;
        buffered = buffered.slice(newline + 1);
      }
      if (commits >= afterCommits) arm();
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => resolve({ signal, commitsSeen: commits }));
  });
}

async function completeImport(file: string, db: string) {
  const r = await runNode([CLI, 'import', file, '--db', db, '--batch-size', String(BATCH), '-q', '--no-render'], { env: { ...env(), PUBMETA_LOG_LEVEL: 'warn' }, timeoutMs: 300_000 });
  expect(r.status, r.stderr).toBe(0);
  const counts = /: (\d+) created(?:, (\d+) updated)?(?:, (\d+) unchanged)?/.exec(r.stdout);
  expect(counts, r.stdout).not.toBeNull();
  return { created: Number(counts![1]), updated: Number(counts![2] ?? 0), unchanged: Number(counts![3] ?? 0) };
}

/** Content hash by local id, with a check that no local id is there twice. */
async function snapshot(stores: ReturnType<typeof useTestStores>, target: TestTarget): Promise<Map<string, string>> {
  const store = await stores.reopen(target);
  const headers = await store.records.list({}, COUNT * 2, { headersOnly: true });
  await store.close();
  const hashes = new Map(headers.map((h) => [h.localId, h.contentHash]));
  expect(hashes.size, 'a local id is stored twice').toBe(headers.length);
  return hashes;
}

describeBackends('pubmeta import killed with SIGKILL', (backend) => {
  const stores = useTestStores(backend, 'suite');

  it(`loses only the uncommitted tail: ${ROUNDS} kills at random points, each followed by a re-run to exactly ${COUNT} records`, async () => {
    const seed = Number(process.env.PUBMETA_TEST_SEED ?? Date.now() % 1_000_000);
    const random = mulberry32(seed); // replays from the seed printed on failure
    const target = await stores.target();
    let before = new Map<string, string>();
    const killedMidway: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const file = join(dir, round % 2 === 0 ? 'a.json' : 'b.json');
      const afterCommits = Math.floor(random() * (COUNT / BATCH));
      const delayMs = Math.floor(random() * 40);
      const context = `seed ${seed}, round ${round}, after ${afterCommits} commits + ${delayMs} ms`;
      const killed = await killedImport(file, target.db, afterCommits, delayMs);
      const afterKill = await snapshot(stores, target);
      // What the killed run committed: records that are new or whose content changed.
      const committed = [...afterKill].filter(([id, hash]) => before.get(id) !== hash).length;
      expect(committed % BATCH === 0 || committed === COUNT, `${context}: ${committed} committed is not whole transactions`).toBe(true);
      if (killed.signal === 'SIGKILL' && committed > 0 && committed < COUNT) killedMidway.push(committed);

      const rerun = await completeImport(file, target.db);
      const after = await snapshot(stores, target);
      expect(after.size, context).toBe(COUNT);
      // Exactly the uncommitted tail is written again; what was committed is unchanged.
      expect(rerun.unchanged, context).toBe(committed);
      expect(rerun.created + rerun.updated, context).toBe(COUNT - committed);
      if (round > 0) expect([...after].every(([id, hash]) => before.get(id) !== hash), `${context}: a record kept the previous version`).toBe(true);
      before = after;
      console.log(`[${backend.name}] ${context}: killed run committed ${committed}, re-run wrote ${COUNT - committed}`);
    }
    // The kills are spread over the run: at least some landed mid-import.
    expect(killedMidway.length, `seed ${seed}: kills that left a partial import: ${killedMidway.join(', ')}`).toBeGreaterThanOrEqual(Math.min(3, ROUNDS));
  }, 1_800_000);
});
