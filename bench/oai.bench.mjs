// OAI-PMH provider benchmark: synthetic records in a temporary store, `pubmeta serve` as its own
// process, and a separate client process harvesting everything over loopback: ListRecords
// (oai_dc, 100 per page) and ListIdentifiers (500 per page), following tokens. Reports
// records/s, p50/p99 page latency, bytes, and the server's peak RSS (VmHWM), against the floor
// measured in the same run: a bare node:http server (its own process) serving the provider's own
// first ListRecords page, pre-rendered bytes, with a counter as resumptionToken, as many pages
// as the list has. Records are loaded without rendering, then their oai_dc parts are rendered by
// the rerender job (rerenderFragments), as a store upgraded from an older pubmeta would be.
// PUBMETA_BENCH_RECORDS=100000,1000000 picks the list sizes (default 100000; PUBMETA_BENCH_1M=1
// adds 1,000,000); PUBMETA_BENCH_DB=postgres://... runs it on PostgreSQL instead (an empty
// database or schema, emptied between sizes). Uses the built package (dist/): `npm run bench`.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServe, stopServe, vmHwmKb, waitPastCurrentSecond } from './serve-process.mjs';

const SELF = fileURLToPath(import.meta.url);
const ROOT = join(SELF, '..', '..');

if (process.argv[2] === '--client') {
  await client(process.argv[3], process.argv[4], process.argv[5] ?? 'identity');
} else if (process.argv[2] === '--floor') {
  await floor(process.argv[3], Number(process.argv[4]));
} else {
  await main();
}

// ---------------------------------------------------------------------------------------------
// The floor process: serves the provider's first page (bytes read from a file) for every page of
// a list of `count` records, the token replaced by a page counter; the last page has none.

async function floor(pageFile, count) {
  const { createServer } = await import('node:http');
  const { readFileSync } = await import('node:fs');
  const page = readFileSync(pageFile, 'utf8');
  const match = /<resumptionToken[^>]*>[^<]*<\/resumptionToken>/.exec(page);
  const perPage = page.split('<record>').length - 1;
  const pages = Math.ceil(count / perPage);
  const before = Buffer.from(page.slice(0, match.index));
  const after = Buffer.from(page.slice(match.index + match[0].length));
  const server = createServer((req, res) => {
    const n = Number(/resumptionToken=(\d+)/.exec(req.url)?.[1] ?? 0);
    const token = n + 1 < pages ? Buffer.from(`<resumptionToken cursor="${n * perPage}">${n + 1}</resumptionToken>`) : Buffer.alloc(0);
    res.writeHead(200, { 'Content-Type': 'text/xml; charset=utf-8', 'Content-Length': before.length + token.length + after.length });
    res.write(before);
    res.write(token);
    res.end(after);
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`FLOOR http://127.0.0.1:${server.address().port}/oai\n`));
}

function startFloor(pageFile, count) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SELF, '--floor', pageFile, String(count)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      const m = /FLOOR (\S+)/.exec(out);
      if (m) resolve({ child, url: m[1] });
    });
    child.once('exit', (code) => reject(new Error(`floor exited with ${code}`)));
  });
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
  const sizes = (process.env.PUBMETA_BENCH_RECORDS ?? (process.env.PUBMETA_BENCH_1M ? '100000,1000000' : '100000')).split(',').map(Number);
  const rates = new Map();
  for (const count of sizes) rates.set(count, await benchSize(count));
  if (rates.size > 1) {
    const [small, large] = [Math.min(...sizes), Math.max(...sizes)];
    console.log(`flatness: ListRecords oai_dc at ${large} = ${(rates.get(large) / rates.get(small)).toFixed(2)}x the rate at ${small} (target >= 0.9)`);
  }
}

async function benchSize(count) {
  const { syntheticRecord } = await import('../dist/model/index.js');
  const { openStore } = await import('../dist/store/index.js');
  const { OAI_DC_FORMAT, rerenderFragments } = await import('../dist/oai/index.js');
  const benchStarted = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'pubmeta-oai-bench-'));
  const dbFile = process.env.PUBMETA_BENCH_DB || join(dir, 'bench.db');
  let server;
  let floorServer;
  console.log(`--- ${count} records`);
  try {
    // Load (no rendering), then the rerender job renders the oai_dc parts.
    let t0 = performance.now();
    const store = await openStore(dbFile);
    if (process.env.PUBMETA_BENCH_DB) await emptyPostgres(store, dbFile);
    const BATCH = 5_000;
    for (let start = 0; start < count; start += BATCH) {
      const batch = [];
      for (let i = start; i < Math.min(count, start + BATCH); i++) batch.push(syntheticRecord(i, 1));
      await store.records.upsertMany(batch);
    }
    const loadSeconds = (performance.now() - t0) / 1000;
    console.log(`load: ${count} synthetic records into ${store.kind} in ${loadSeconds.toFixed(1)} s (${Math.round(count / loadSeconds)} records/s, generation included)`);
    t0 = performance.now();
    const rendered = await rerenderFragments(store.records, { formats: [OAI_DC_FORMAT], batchSize: 1_000 });
    const renderSeconds = (performance.now() - t0) / 1000;
    console.log(`pre-render (rerender job, oai_dc, rendered + validated + stored): ${rendered.rendered} in ${renderSeconds.toFixed(1)} s (${Math.round(rendered.rendered / renderSeconds)} records/s; ${rendered.failed} not disseminable)`);
    await store.close();

    await waitPastCurrentSecond();

    let url;
    ({ server, url } = await startServe(ROOT, dbFile));
    const baseRss = vmHwmKb(server.pid);

    // The floor serves the provider's own first page.
    const first = await new Promise((resolve, reject) =>
      get(`${url}?verb=ListRecords&metadataPrefix=oai_dc`, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks)));
      }).on('error', reject),
    );
    const pageFile = join(dir, 'first-page.xml');
    writeFileSync(pageFile, first);
    let floorUrl;
    ({ child: floorServer, url: floorUrl } = await startFloor(pageFile, count));
    const floorResult = await runClient(floorUrl, 'verb=ListRecords&metadataPrefix=oai_dc');
    const floorRate = floorResult.items / floorResult.seconds;
    console.log(`floor (bare node:http, the provider's first page pre-rendered): ${floorResult.items} in ${floorResult.seconds.toFixed(1)} s = ${Math.round(floorRate)} records/s`);

    const runs = [
      ['ListRecords oai_dc (100/page)', 'verb=ListRecords&metadataPrefix=oai_dc', 'identity'],
      ['ListRecords oai_dc, gzip', 'verb=ListRecords&metadataPrefix=oai_dc', 'gzip'],
      ['ListIdentifiers (500/page)', 'verb=ListIdentifiers&metadataPrefix=oai_dc', 'identity'],
    ];
    let listRecordsRate;
    for (const [label, query, encoding] of runs) {
      t0 = performance.now();
      const result = await runClient(url, query, encoding);
      if (result.items !== count) throw new Error(`${label}: harvested ${result.items} of ${count}`);
      const sorted = [...result.latencies].sort((a, b) => a - b);
      const rate = result.items / result.seconds;
      listRecordsRate ??= rate;
      // Flat with position: the first and the last tenth of the pages, mean latency.
      const tenth = Math.max(1, Math.floor(result.latencies.length / 10));
      const mean = (list) => list.reduce((a, b) => a + b, 0) / list.length;
      const firstTenth = mean(result.latencies.slice(0, tenth));
      const lastTenth = mean(result.latencies.slice(-tenth));
      console.log(
        `${label}: ${result.items} in ${result.seconds.toFixed(1)} s = ${Math.round(rate)} records/s over ${result.pages} pages; ` +
          `page latency p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms; ` +
          `${(result.bytes / 1e6).toFixed(0)} MB on the wire; ${(rate / floorRate).toFixed(2)}x the floor; ` +
          `mean page latency first tenth ${firstTenth.toFixed(1)} ms, last tenth ${lastTenth.toFixed(1)} ms`,
      );
    }
    console.log(`ListRecords oai_dc / floor: ${(listRecordsRate / floorRate).toFixed(2)} (target >= ${store.kind === 'postgres' ? '0.3' : '0.5'})`);
    console.log(`server peak RSS (VmHWM): ${(vmHwmKb(server.pid) / 1024).toFixed(0)} MB (after start: ${(baseRss / 1024).toFixed(0)} MB; target < 150 MB)`);
    console.log(`total ${((performance.now() - benchStarted) / 1000).toFixed(0)} s`);
    return listRecordsRate;
  } finally {
    await stopServe(server);
    if (floorServer && floorServer.exitCode === null) floorServer.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A PostgreSQL bench store starts empty (every size loads its own records). */
async function emptyPostgres(store, url) {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('TRUNCATE records, record_sets, sets, record_fragments');
  } finally {
    await client.end();
  }
}
