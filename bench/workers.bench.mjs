// Many workers on one PostgreSQL database (issue 13): W worker processes harvest S local
// sources into one database, against 1 worker doing the same. Each source is a static floor
// server in its own process (pages rendered once by `pubmeta serve` from synthetic records,
// then served from memory; identifiers and DOIs made unique per source and per round), so the
// servers cost next to nothing. The workers run `pubmeta worker --once --job harvest --tick T`
// together (one tick: every source harvested once, shared among them); the figure is records
// per second of wall time from spawn to the last worker's exit, each configuration on a fresh
// schema. Settings: PUBMETA_BENCH_WORKERS (default 4), PUBMETA_BENCH_SOURCES (16),
// PUBMETA_BENCH_RECORDS (records per source, 25000, a multiple of 100), PUBMETA_BENCH_PG (the
// database, default $PUBMETA_TEST_PG, else postgres://postgres@127.0.0.1:5432/test).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startFloor } from './floor-server.mjs';
import { writeTemplatePages } from './serve-process.mjs';

const SELF = fileURLToPath(import.meta.url);
const ROOT = join(SELF, '..', '..');
const PAGE_SIZE = 100;
const TEMPLATE_PAGES = 20;

async function admin(url, sql) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

function schemaUrl(base, schema) {
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

/** W workers sharing one tick on a fresh schema; wall time and CPU of the database server aside. */
async function runWorkers(workers, configFile, baseUrl, label) {
  const schema = `pubmeta_bench_${process.pid}_${label}`;
  await admin(baseUrl, `DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
  const db = schemaUrl(baseUrl, schema);
  // Migrated before the clock starts.
  const { openStore } = await import('../dist/store/index.js');
  await (await openStore(db)).close();
  const started = performance.now();
  const children = Array.from({ length: workers }, () =>
    spawn(process.execPath, [join(ROOT, 'dist/cli/main.js'), 'worker', '--once', '--job', 'harvest', '--tick', label, '--config', configFile, '--db', db], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, PUBMETA_LOG_LEVEL: 'warn' },
    }),
  );
  const codes = await Promise.all(children.map((child) => new Promise((resolve) => child.once('exit', resolve))));
  const seconds = (performance.now() - started) / 1000;
  if (codes.some((c) => c !== 0)) throw new Error(`a worker exited with ${codes.join(', ')}`);
  const [{ n }] = await admin(db, `SELECT COUNT(*)::int AS n FROM ${schema}.records`);
  const owners = await admin(db, `SELECT owner, COUNT(*)::int AS n FROM ${schema}.worker_runs WHERE job LIKE 'harvest/%' GROUP BY owner ORDER BY owner`);
  await admin(baseUrl, `DROP SCHEMA ${schema} CASCADE`);
  return { records: n, seconds, rate: n / seconds, perWorker: owners.map((o) => o.n) };
}

async function main() {
  const workers = Number(process.env.PUBMETA_BENCH_WORKERS ?? 4);
  const sources = Number(process.env.PUBMETA_BENCH_SOURCES ?? 16);
  const perSource = Number(process.env.PUBMETA_BENCH_RECORDS ?? 25_000);
  const baseUrl = process.env.PUBMETA_BENCH_PG ?? process.env.PUBMETA_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
  const dir = mkdtempSync(join(tmpdir(), 'pubmeta-bench-workers-'));
  const floors = [];
  try {
    const file = await writeTemplatePages(ROOT, dir, { records: TEMPLATE_PAGES * PAGE_SIZE, pageSize: PAGE_SIZE });
    for (let i = 0; i < sources; i++) floors.push(await startFloor(file, perSource, i));
    const configFile = join(dir, 'config.json');
    writeFileSync(
      configFile,
      JSON.stringify({ leaseSeconds: 60, sources: floors.map((f, i) => ({ name: `floor${i}`, url: f.url })), jobs: { export: { enabled: false }, deposit: { enabled: false } } }),
    );
    console.log(`${sources} sources x ${perSource} records, floor servers in ${sources} processes, ${cpus().length} cores, PostgreSQL ${new URL(baseUrl).host}`);
    const one = await runWorkers(1, configFile, baseUrl, 'w1');
    console.log(`1 worker:  ${one.records} records in ${one.seconds.toFixed(1)} s = ${Math.round(one.rate)} records/s`);
    const many = await runWorkers(workers, configFile, baseUrl, `w${workers}`);
    console.log(`${workers} workers: ${many.records} records in ${many.seconds.toFixed(1)} s = ${Math.round(many.rate)} records/s (sources per worker: ${many.perWorker.join(', ')})`);
    console.log(`${workers} workers / 1 worker: ${(many.rate / one.rate).toFixed(2)}x`);
  } finally {
    for (const f of floors) f.child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
