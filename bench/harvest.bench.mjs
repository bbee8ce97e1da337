// Harvester benchmark: 100,000 synthetic records in a temporary store, served by `pubmeta serve`
// in its own process (oai_dc, 100 records per page). Each harvester runs in its own process and
// reports records/s and its peak RSS (VmHWM from /proc/self/status):
//   - pubmeta harvest (runHarvest): streaming parse, oai_dc -> article mapping, validation, and
//     one SQLite transaction per page (raw XML + mapped record + RecordStore upsert);
//   - pubmeta HarvestClient.listRecords, mapping off: protocol and parsing only;
//   - the npm package oai-pmh (the peer), listRecords over the same endpoint in the same run.
// Each runs over the first 10,000 and over all 100,000 records: the streaming harvester's peak
// RSS should not grow with the list. records/s is bounded by the server as well, so the
// harvester's own CPU time per record is reported too (the fairer ratio). Uses dist/: run through `npm run bench`.
// PUBMETA_BENCH_RECORDS=N changes the list size.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServe, stopServe, vmHwmKb, waitPastCurrentSecond } from './serve-process.mjs';

const SELF = fileURLToPath(import.meta.url);
const ROOT = join(SELF, '..', '..');

function peakRssMb(pid = 'self') {
  return vmHwmKb(pid) / 1024;
}


// ---------------------------------------------------------------------------------------------
// Harvester processes: each harvests at least `limit` records (whole pages), prints JSON.

const harvesters = {
  async pubmeta(url, limit, dbFile) {
    const { openStore } = await import('../dist/store/index.js');
    const { addHarvestSource, runHarvest } = await import('../dist/harvest/index.js');
    const store = await openStore(dbFile);
    await addHarvestSource(store, { name: 'bench', baseUrl: url, metadataPrefix: 'oai_dc' });
    const controller = new AbortController();
    const summary = await runHarvest(store, 'bench', {
      signal: controller.signal,
      // Stops after the page that reaches the limit (the page is committed first).
      onProgress: (progress) => progress.records >= limit && controller.abort(),
      client: { compression: false },
    });
    if (summary.status === 'failed') throw new Error(`harvest failed: ${summary.reason}`);
    const stored = (await store.harvest.recordCounts('bench')).records;
    if (stored !== summary.records) throw new Error(`stored ${stored} of ${summary.records}`);
    await store.close();
    return summary.records;
  },

  async 'pubmeta-iterator'(url, limit) {
    const { HarvestClient } = await import('../dist/harvest/index.js');
    const client = new HarvestClient({ baseUrl: url, compression: false });
    let records = 0;
    let metadataBytes = 0;
    for await (const record of client.listRecords({ metadataPrefix: 'oai_dc' }, { map: false })) {
      metadataBytes += record.metadataXml.length;
      if (++records >= limit) break;
    }
    await client.close();
    if (metadataBytes === 0) throw new Error('no metadata');
    return records;
  },

  async 'oai-pmh'(url, limit) {
    const require = createRequire(import.meta.url);
    const { OaiPmh } = require('oai-pmh');
    const oaiPmh = new OaiPmh(url);
    let records = 0;
    for await (const record of oaiPmh.listRecords({ metadataPrefix: 'oai_dc' })) {
      if (!record.metadata) throw new Error('no metadata');
      if (++records >= limit) break;
    }
    return records;
  },
};

function runHarvester(kind, url, limit, dbFile) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SELF, '--harvester', kind, url, String(limit), dbFile], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, PUBMETA_LOG_LEVEL: 'warn' },
    });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`${kind} exited with ${code}`))));
  });
}

async function main() {
  const { syntheticRecord } = await import('../dist/model/index.js');
  const { openStore } = await import('../dist/store/index.js');
  const count = Number(process.env.PUBMETA_BENCH_RECORDS ?? 100_000);
  const small = Math.min(10_000, count);
  const benchStarted = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'pubmeta-harvest-bench-'));
  const dbFile = join(dir, 'served.db');
  let server;
  try {
    let t0 = performance.now();
    const store = await openStore(dbFile);
    for (let start = 0; start < count; start += 5_000) {
      const batch = [];
      for (let i = start; i < Math.min(count, start + 5_000); i++) batch.push(syntheticRecord(i, 7));
      await store.records.upsertMany(batch);
    }
    await store.close();
    console.log(`load: ${count} synthetic records in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    await waitPastCurrentSecond();

    let url;
    ({ server, url } = await startServe(ROOT, dbFile));

    const results = {};
    for (const limit of [...new Set([small, count])]) {
      for (const kind of ['pubmeta', 'pubmeta-iterator', 'oai-pmh']) {
        t0 = performance.now();
        const result = await runHarvester(kind, url, limit, join(dir, `${kind}-${limit}.db`));
        if (result.records < limit) throw new Error(`${kind}: ${result.records} of ${limit} records`);
        const rate = result.records / result.seconds;
        results[`${kind}@${limit}`] = { ...result, rate };
        console.log(
          `${kind.padEnd(17)} ${String(result.records).padStart(6)} records in ${result.seconds.toFixed(1).padStart(5)} s = ` +
            `${String(Math.round(rate)).padStart(5)} records/s, harvester CPU ${((result.cpuSeconds / result.records) * 1e6).toFixed(0).padStart(4)} µs/record, ` +
            `peak RSS ${result.peakRssMb.toFixed(0).padStart(4)} MB`,
        );
      }
    }
    const at = (kind, n) => results[`${kind}@${n}`];
    console.log('');
    // records/s depends on the server too; CPU per record is the harvester's own cost.
    const cpuPerRecord = (r) => r.cpuSeconds / r.records;
    for (const kind of ['pubmeta', 'pubmeta-iterator']) {
      console.log(
        `${kind} vs oai-pmh at ${count}: ${(at(kind, count).rate / at('oai-pmh', count).rate).toFixed(2)}x the records/s, ` +
          `${(cpuPerRecord(at(kind, count)) / cpuPerRecord(at('oai-pmh', count))).toFixed(2)}x the CPU per record, ` +
          `${(at(kind, count).peakRssMb / at('oai-pmh', count).peakRssMb).toFixed(2)}x the peak RSS`,
      );
    }
    for (const kind of ['pubmeta', 'pubmeta-iterator', 'oai-pmh']) {
      console.log(
        `${kind} peak RSS ${small} -> ${count} records: ${at(kind, small).peakRssMb.toFixed(0)} -> ${at(kind, count).peakRssMb.toFixed(0)} MB ` +
          `(${(at(kind, count).peakRssMb / at(kind, small).peakRssMb).toFixed(2)}x)`,
      );
    }
    console.log(`total ${((performance.now() - benchStarted) / 1000).toFixed(0)} s`);
  } finally {
    await stopServe(server);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--harvester') {
  const [, , , kind, url, limitText, dbFile] = process.argv;
  const limit = Number(limitText);
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const records = await harvesters[kind](url, limit, dbFile);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  process.stdout.write(JSON.stringify({ records, seconds, cpuSeconds, peakRssMb: peakRssMb() }));
  process.exit(0);
} else {
  await main();
}
