// Harvester benchmark against a static floor server. `pubmeta serve` renders 100 pages of
// synthetic oai_dc records (10,000) once; a floor server in its own process then serves
// N records from memory (page k is template page k mod 100, its identifiers and DOIs made
// unique per round), so the server costs next to nothing and every harvester meets the same
// bytes. Each harvester runs in its own process and reports records/s, CPU per record and peak
// RSS (VmHWM):
//   - floor: fetches every page and drops it (the ceiling any harvester can reach);
//   - oai-pmh: the npm package oai-pmh (the peer), listRecords, parse only;
//   - pubmeta-parse: HarvestClient.listRecords without mapping: protocol, streaming split,
//     header and metadata extraction (what the peer does);
//   - pubmeta-map: the same with oai_dc -> article mapping and validation;
//   - pubmeta: the full harvest as a user runs it, `pubmeta harvest run` (dist/cli/main.js in its
//     own process, so the CLI's module loading counts): parse, map, validate, store in SQLite per
//     page; its records/s, CPU and peak RSS are the CLI process's (VmHWM and CPU read from /proc
//     while it runs);
//   - pubmeta-lib: the same through runHarvest in the harvester process (the library).
// PUBMETA_BENCH_RECORDS=100000,1000000 sets the list sizes (default 100000);
// PUBMETA_BENCH_KINDS=floor,pubmeta-parse limits the harvesters; PUBMETA_BENCH_PROFILE=dir
// writes a --cpu-prof profile of each harvester process there. Uses dist/ (`npm run bench`).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFloor } from './floor-server.mjs';
import { vmHwmKb, writeTemplatePages } from './serve-process.mjs';

const SELF = fileURLToPath(import.meta.url);
const ROOT = join(SELF, '..', '..');
const TEMPLATE_RECORDS = 10_000;
const PAGE_SIZE = 100;

function peakRssMb(pid = 'self') {
  return vmHwmKb(pid) / 1024;
}

// ---------------------------------------------------------------------------------------------
// Templates: the record bytes of the first TEMPLATE_RECORDS / PAGE_SIZE pages of `pubmeta serve`.

// ---------------------------------------------------------------------------------------------
// Harvester processes: each harvests the whole list, prints JSON.

const harvesters = {
  async floor(url) {
    const { request } = await import('undici');
    let records = 0;
    let query = 'verb=ListRecords&metadataPrefix=oai_dc';
    for (let page = 0; page < 1e6; page++) {
      const { body } = await request(`${url}?${query}`);
      const xml = await body.text();
      records += PAGE_SIZE;
      const token = /<resumptionToken[^>]*>([^<]*)<\/resumptionToken>/.exec(xml.slice(-300));
      if (!token?.[1]) break;
      query = `verb=ListRecords&resumptionToken=${token[1]}`;
    }
    return records;
  },

  async 'oai-pmh'(url) {
    const require = createRequire(import.meta.url);
    const { OaiPmh } = require('oai-pmh');
    const oaiPmh = new OaiPmh(url);
    let records = 0;
    for await (const record of oaiPmh.listRecords({ metadataPrefix: 'oai_dc' })) {
      if (!record.metadata) throw new Error('no metadata');
      records++;
    }
    return records;
  },

  async 'pubmeta-parse'(url) {
    const { HarvestClient } = await import('../dist/harvest/index.js');
    const client = new HarvestClient({ baseUrl: url, compression: false });
    let records = 0;
    for await (const record of client.listRecords({ metadataPrefix: 'oai_dc' }, { map: false })) {
      if (record.metadataXml === undefined || record.header.identifier === '') throw new Error('no metadata');
      records++;
    }
    await client.close();
    return records;
  },

  async 'pubmeta-map'(url) {
    const { HarvestClient } = await import('../dist/harvest/index.js');
    const client = new HarvestClient({ baseUrl: url, compression: false });
    let records = 0;
    for await (const record of client.listRecords({ metadataPrefix: 'oai_dc' })) {
      if (!record.mapping?.valid) throw new Error(`not mapped: ${record.header.identifier}: ${record.mapping?.errors.join('; ')}`);
      records++;
    }
    await client.close();
    return records;
  },

  async pubmeta(url, dbFile) {
    const cli = join(ROOT, 'dist', 'cli', 'main.js');
    const added = spawnSync(process.execPath, [cli, 'harvest', 'add', 'bench', url, '--prefix', 'oai_dc', '--no-check', '--db', dbFile], { encoding: 'utf8' });
    if (added.status !== 0) throw new Error(`harvest add: ${added.stderr}`);
    const profileDir = process.env.PUBMETA_BENCH_PROFILE;
    const flags = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-name', 'pubmeta-cli.cpuprofile'] : [];
    const started = performance.now();
    const child = spawn(process.execPath, [...flags, cli, 'harvest', 'run', 'bench', '--no-progress', '--json', '--db', dbFile], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    // VmHWM only grows: the last reading before the process ends is its peak (CPU likewise).
    let peakKb = 0;
    let cpuTicks = 0;
    const sample = () => {
      try {
        peakKb = Math.max(peakKb, vmHwmKb(child.pid));
        const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        cpuTicks = Number(fields[11]) + Number(fields[12]);
      } catch {
        // ended between two readings
      }
    };
    const timer = setInterval(sample, 20);
    const code = await new Promise((resolve) => child.on('exit', resolve));
    clearInterval(timer);
    const seconds = (performance.now() - started) / 1000;
    if (code !== 0) throw new Error(`harvest run exited with ${code}`);
    const summary = JSON.parse(out);
    if (summary.status !== 'completed') throw new Error(`harvest ${summary.status}: ${summary.reason}`);
    return { records: summary.records, seconds, cpuSeconds: cpuTicks / 100, peakRssMb: peakKb / 1024 };
  },

  async 'pubmeta-lib'(url, dbFile) {
    const { openStore } = await import('../dist/store/index.js');
    const { addHarvestSource, runHarvest } = await import('../dist/harvest/index.js');
    const store = await openStore(dbFile);
    await addHarvestSource(store, { name: 'bench', baseUrl: url, metadataPrefix: 'oai_dc' });
    const summary = await runHarvest(store, 'bench', { client: { compression: false } });
    if (summary.status !== 'completed') throw new Error(`harvest ${summary.status}: ${summary.reason}`);
    const stored = (await store.harvest.recordCounts('bench')).records;
    if (stored !== summary.records) throw new Error(`stored ${stored} of ${summary.records}`);
    await store.close();
    return summary.records;
  },
};

function runHarvester(kind, url, dbFile) {
  const profileDir = process.env.PUBMETA_BENCH_PROFILE;
  const flags = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-name', `${kind}.cpuprofile`] : [];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...flags, SELF, '--harvester', kind, url, dbFile], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, PUBMETA_LOG_LEVEL: 'warn' },
    });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`${kind} exited with ${code}`))));
  });
}

async function main() {
  const sizes = (process.env.PUBMETA_BENCH_RECORDS ?? '100000').split(',').map(Number);
  const kinds = (process.env.PUBMETA_BENCH_KINDS ?? 'floor,oai-pmh,pubmeta-parse,pubmeta-map,pubmeta').split(',');
  for (const size of sizes) if (!(size > 0 && size % PAGE_SIZE === 0)) throw new Error(`PUBMETA_BENCH_RECORDS: ${size} is not a positive multiple of ${PAGE_SIZE}`);
  const benchStarted = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'pubmeta-harvest-bench-'));
  try {
    let t0 = performance.now();
    const templates = await writeTemplatePages(ROOT, dir, { records: TEMPLATE_RECORDS, pageSize: PAGE_SIZE });
    console.log(`templates: ${TEMPLATE_RECORDS} records rendered by pubmeta serve in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const results = {};
    for (const size of sizes) {
      const floor = await startFloor(templates, size);
      try {
        for (const kind of kinds) {
          t0 = performance.now();
          const result = await runHarvester(kind, floor.url, join(dir, `${kind}-${size}.db`));
          if (result.records !== size) throw new Error(`${kind}: ${result.records} of ${size} records`);
          const rate = result.records / result.seconds;
          results[`${kind}@${size}`] = { ...result, rate };
          console.log(
            `${kind.padEnd(14)} ${String(result.records).padStart(7)} records in ${result.seconds.toFixed(1).padStart(6)} s = ` +
              `${String(Math.round(rate)).padStart(6)} records/s, CPU ${((result.cpuSeconds / result.records) * 1e6).toFixed(0).padStart(4)} µs/record, ` +
              `peak RSS ${result.peakRssMb.toFixed(0).padStart(4)} MB`,
          );
        }
      } finally {
        floor.child.kill('SIGTERM');
        await new Promise((resolve) => floor.child.once('exit', resolve));
      }
      const at = (kind) => results[`${kind}@${size}`];
      if (at('oai-pmh')) {
        for (const kind of ['pubmeta-parse', 'pubmeta-map', 'pubmeta', 'pubmeta-lib'].filter(at)) {
          console.log(
            `${kind} vs oai-pmh at ${size}: ${(at(kind).rate / at('oai-pmh').rate).toFixed(2)}x the records/s, ` +
              `${(at(kind).cpuSeconds / at('oai-pmh').cpuSeconds).toFixed(2)}x the CPU, ${(at(kind).peakRssMb / at('oai-pmh').peakRssMb).toFixed(2)}x the peak RSS`,
          );
        }
      }
      if (at('floor')) {
        for (const kind of kinds.filter((k) => k !== 'floor')) console.log(`${kind} at ${size}: ${(at(kind).rate / at('floor').rate).toFixed(2)} of the floor's records/s`);
      }
    }
    if (sizes.length > 1) {
      const [small, large] = [sizes[0], sizes[sizes.length - 1]];
      for (const kind of kinds) {
        const a = results[`${kind}@${small}`];
        const b = results[`${kind}@${large}`];
        console.log(`${kind} peak RSS ${small} -> ${large} records: ${a.peakRssMb.toFixed(0)} -> ${b.peakRssMb.toFixed(0)} MB (${(b.peakRssMb / a.peakRssMb).toFixed(2)}x)`);
      }
    }
    console.log(`total ${((performance.now() - benchStarted) / 1000).toFixed(0)} s`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--harvester') {
  const [, , , kind, url, dbFile] = process.argv;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const result = await harvesters[kind](url, dbFile);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  // A harvester run in a child process (the CLI) reports that process's figures itself.
  const own = typeof result === 'number' ? { records: result, seconds, cpuSeconds, peakRssMb: peakRssMb() } : result;
  process.stdout.write(JSON.stringify(own));
  process.exit(0);
} else {
  await main();
}
