// Import benchmark, issue 11's targets: `pubmeta import` of synthetic records (src/model/
// synthetic.ts, ~9.5 kB of JSON each, reference lists included) from one JSON array file into a
// new SQLite store, in a process of its own per size: records/s (wall clock, process start to
// exit) and peak RSS (getrusage via test/helpers/peak-rss.mjs). Targets: 100k records at
// >= 5,000 records/s with peak RSS < 250 MB; peak RSS at 1M within 10% of that at 100k.
// The input file is written before the timed run (not counted). Uses the built package (dist/):
// run through `npm run bench`.
// PUBMETA_BENCH_IMPORT_SIZES=10000,100000 changes the sizes (default 100000); the 1M run needs
// ~10 GB of input and ~10 GB of store, so it is behind PUBMETA_BENCH_IMPORT_1M=1 (sizes then
// 100000,1000000). PUBMETA_BENCH_DIR is where files go (default the OS temp dir).
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { syntheticRecord } from '../dist/model/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist/cli/main.js');
const PEAK_RSS = join(ROOT, 'test/helpers/peak-rss.mjs');
const TARGET_RATE = 5000;
const TARGET_RSS_MB = 250;
const TARGET_RSS_GROWTH = 0.1;
const SEED = 42;

const sizes = (process.env.PUBMETA_BENCH_IMPORT_SIZES ?? (process.env.PUBMETA_BENCH_IMPORT_1M === '1' ? '100000,1000000' : '100000'))
  .split(',')
  .map((s) => Number(s.trim()))
  .filter((n) => Number.isSafeInteger(n) && n > 0);
const base = process.env.PUBMETA_BENCH_DIR ?? tmpdir();
mkdirSync(base, { recursive: true });
const work = mkdtempSync(join(base, 'pubmeta-import-bench-'));

async function writeInput(file, count) {
  const out = createWriteStream(file);
  const write = (text) => (out.write(text) ? undefined : new Promise((resolve) => out.once('drain', resolve)));
  await write('[\n');
  for (let i = 0; i < count; i++) await write(`${i > 0 ? ',\n' : ''}${JSON.stringify(syntheticRecord(i, SEED))}`);
  await new Promise((resolve) => out.end('\n]\n', resolve));
}

function runImport(file, db, extra = []) {
  const started = performance.now();
  const result = spawnSync(process.execPath, ['--import', PEAK_RSS, CLI, 'import', file, '--db', db, '-q', '--no-progress', '--json', ...extra], {
    encoding: 'utf8',
    env: { ...process.env, PUBMETA_DB: '', PUBMETA_LOG_LEVEL: 'warn' },
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`import failed (exit ${result.status}): ${result.stderr.slice(-2000)}`);
  const rssKb = Number(/peak-rss-kb (\d+)/.exec(result.stderr)?.[1]);
  const summary = JSON.parse(result.stdout);
  return { seconds, rssMb: rssKb / 1024, summary, phases: summary.seconds };
}

console.log(`import bench: ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}; sizes ${sizes.join(', ')}`);
const results = [];
try {
  for (const count of sizes) {
    const file = join(work, `records-${count}.json`);
    const db = join(work, `store-${count}.db`);
    const t0 = performance.now();
    await writeInput(file, count);
    const mb = statSync(file).size / 1e6;
    console.log(`${count} records: input ${mb.toFixed(0)} MB written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const run = runImport(file, db);
    const rate = count / run.seconds;
    results.push({ count, rate, rssMb: run.rssMb });
    console.log(`${count} records: ${run.seconds.toFixed(1)} s, ${Math.round(rate)} records/s (${(mb / run.seconds).toFixed(1)} MB/s), peak RSS ${run.rssMb.toFixed(0)} MB`);
    const { records: recordSeconds, render: renderSeconds } = run.phases;
    console.log(
      `  records phase ${recordSeconds.toFixed(1)} s (${Math.round(count / recordSeconds)} records/s); render phase ${renderSeconds.toFixed(1)} s (${Math.round(count / renderSeconds)} records/s, ${run.summary.rendered?.parts ?? 0} parts)`,
    );
    console.log(`  ${run.summary.created} created, ${run.summary.invalid} invalid, ${run.summary.transactions} transactions`);
    for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true });
    const bare = runImport(file, db, ['--no-render']);
    console.log(`  --no-render (records only): ${bare.seconds.toFixed(1)} s, ${Math.round(count / bare.seconds)} records/s, peak RSS ${bare.rssMb.toFixed(0)} MB`);
    rmSync(file, { force: true });
    for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

let failed = false;
const check = (ok, text) => {
  console.log(`${ok ? 'ok  ' : 'MISS'} ${text}`);
  if (!ok) failed = true;
};
const at100k = results.find((r) => r.count === 100_000);
if (at100k) {
  check(at100k.rate >= TARGET_RATE, `100k: ${Math.round(at100k.rate)} records/s (target >= ${TARGET_RATE})`);
  check(at100k.rssMb < TARGET_RSS_MB, `100k: peak RSS ${at100k.rssMb.toFixed(0)} MB (target < ${TARGET_RSS_MB} MB)`);
}
const at1m = results.find((r) => r.count === 1_000_000);
if (at100k && at1m) {
  const growth = at1m.rssMb / at100k.rssMb - 1;
  check(growth <= TARGET_RSS_GROWTH, `1M: peak RSS ${at1m.rssMb.toFixed(0)} MB, ${(growth * 100).toFixed(1)}% over 100k (target <= ${TARGET_RSS_GROWTH * 100}%)`);
} else {
  console.log('(1M not run: PUBMETA_BENCH_IMPORT_1M=1 runs it)');
}
// Misses are reported, not fatal: the figures depend on the machine and its load.
if (failed) console.log('import bench: some targets missed on this machine (see above)');
