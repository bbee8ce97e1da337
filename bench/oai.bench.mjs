// OAI-PMH provider benchmark: 100,000 synthetic records in a temporary store, `pubmeta serve`
// as its own process, and a separate client process harvesting everything over loopback:
// ListRecords (oai_dc, 100 per page) and ListIdentifiers (500 per page), following tokens.
// Reports records/s, p50/p99 page latency, bytes, and the server's peak RSS (VmHWM), against
// baselines measured in the same run on the same rows: the store's own keyset scan
// (records.list: 100-row pages, JSON.parse) and that scan plus rendering oai_dc in-process (no
// HTTP, no protocol). PUBMETA_BENCH_DB=postgres://... runs it all on PostgreSQL instead.
// Uses the built package (dist/): run through `npm run bench`. PUBMETA_BENCH_RECORDS=N.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServe, stopServe, vmHwmKb, waitPastCurrentSecond } from './serve-process.mjs';

const SELF = fileURLToPath(import.meta.url);
const ROOT = join(SELF, '..', '..');

if (process.argv[2] === '--client') {
  await client(process.argv[3], process.argv[4], process.argv[5] ?? 'identity');
} else {
  await main();
}

// ---------------------------------------------------------------------------------------------
// The client process: harvests one list completely, prints JSON.

async function client(url, firstQuery, encoding) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const fetchPage = (query) =>
    new Promise((resolve, reject) => {
      const started = process.hrtime.bigint();
      const headers = encoding === 'identity' ? {} : { 'Accept-Encoding': encoding };
      get(`${url}?${query}`, { agent, headers }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', async () => {
          let body = Buffer.concat(chunks);
          const wireBytes = body.length;
          if (res.headers['content-encoding'] === 'gzip') body = (await import('node:zlib')).gunzipSync(body);
          const ms = Number(process.hrtime.bigint() - started) / 1e6;
          if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}`));
          else resolve({ xml: body.toString('utf8'), ms, wireBytes });
        });
      }).on('error', reject);
    });
  const verb = /verb=(\w+)/.exec(firstQuery)[1];
  const element = verb === 'ListRecords' ? '<record>' : '<header';
  let query = firstQuery;
  const latencies = [];
  let items = 0;
  let bytes = 0;
  const started = performance.now();
  for (let page = 0; page < 1_000_000; page++) {
    const { xml, ms, wireBytes } = await fetchPage(query);
    latencies.push(ms);
    bytes += wireBytes;
    if (xml.includes('<error')) throw new Error(`OAI error: ${/<error[^>]*>[^<]*/.exec(xml)[0]}`);
    items += xml.split(element).length - 1;
    const token = /<resumptionToken[^>]*>([^<]+)<\/resumptionToken>/.exec(xml);
    if (!token) break;
    query = `verb=${verb}&resumptionToken=${encodeURIComponent(token[1])}`;
  }
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  process.stdout.write(JSON.stringify({ items, pages: latencies.length, seconds, bytes, latencies }));
}

// ---------------------------------------------------------------------------------------------

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}


function runClient(url, query, encoding = 'identity') {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SELF, '--client', url, query, encoding], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`client exited with ${code}`))));
  });
}

async function main() {
  const { syntheticRecord } = await import('../dist/model/index.js');
  const { openStore } = await import('../dist/store/index.js');
  const { OAI_DC_FORMAT } = await import('../dist/oai/index.js');
  const count = Number(process.env.PUBMETA_BENCH_RECORDS ?? 100_000);
  const benchStarted = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'pubmeta-oai-bench-'));
  const dbFile = process.env.PUBMETA_BENCH_DB || join(dir, 'bench.db');
  let server;
  try {
    // Load.
    let t0 = performance.now();
    const store = await openStore(dbFile);
    const BATCH = 5_000;
    for (let start = 0; start < count; start += BATCH) {
      const batch = [];
      for (let i = start; i < Math.min(count, start + BATCH); i++) batch.push(syntheticRecord(i, 1));
      await store.records.upsertMany(batch);
    }
    const loadSeconds = (performance.now() - t0) / 1000;
    console.log(`load: ${count} synthetic records into ${store.kind} in ${loadSeconds.toFixed(1)} s (${Math.round(count / loadSeconds)} records/s, generation included)`);

    // Baselines on the same rows: the store's keyset pages (records parsed), then with oai_dc rendering.
    // A rate, so a 20,000-row sample of the same rows keeps the run short.
    const sample = Math.min(count, 20_000);
    const baseline = async (render) => {
      const started = performance.now();
      let after;
      let rows = 0;
      while (rows < sample) {
        const page = await store.records.list(after ? { after } : {}, 100);
        if (page.length === 0) break;
        if (render) for (const row of page) render(row.record);
        rows += page.length;
        const last = page[page.length - 1];
        after = { datestamp: last.datestamp, localId: last.localId };
      }
      return rows / ((performance.now() - started) / 1000);
    };
    const rawScanRate = await baseline();
    const renderRate = await baseline((record) => OAI_DC_FORMAT.render(record));
    console.log(`baseline: the store's keyset scan (100-row pages, records parsed): ${Math.round(rawScanRate)} records/s (${sample} rows)`);
    console.log(`baseline: same scan + oai_dc rendering in-process: ${Math.round(renderRate)} records/s (${sample} rows)`);
    await store.close();

    await waitPastCurrentSecond();

    let url;
    ({ server, url } = await startServe(ROOT, dbFile));
    const baseRss = vmHwmKb(server.pid);

    const runs = [
      ['ListRecords oai_dc (100/page)', 'verb=ListRecords&metadataPrefix=oai_dc', 'identity', renderRate],
      ['ListRecords oai_dc, gzip', 'verb=ListRecords&metadataPrefix=oai_dc', 'gzip', renderRate],
      ['ListIdentifiers (500/page)', 'verb=ListIdentifiers&metadataPrefix=oai_dc', 'identity', rawScanRate],
    ];
    for (const [label, query, encoding, compareTo] of runs) {
      t0 = performance.now();
      const result = await runClient(url, query, encoding);
      if (result.items !== count) throw new Error(`${label}: harvested ${result.items} of ${count}`);
      const sorted = [...result.latencies].sort((a, b) => a - b);
      const rate = result.items / result.seconds;
      console.log(
        `${label}: ${result.items} in ${result.seconds.toFixed(1)} s = ${Math.round(rate)} records/s over ${result.pages} pages; ` +
          `page latency p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms; ` +
          `${(result.bytes / 1e6).toFixed(0)} MB on the wire; ` +
          `${(rate / compareTo).toFixed(2)}x the ${compareTo === rawScanRate ? 'raw scan' : 'scan+render'} baseline`,
      );
    }
    console.log(`server peak RSS (VmHWM): ${(vmHwmKb(server.pid) / 1024).toFixed(0)} MB (after start: ${(baseRss / 1024).toFixed(0)} MB)`);
    console.log(`total ${((performance.now() - benchStarted) / 1000).toFixed(0)} s`);
  } finally {
    await stopServe(server);
    rmSync(dir, { recursive: true, force: true });
  }
}
