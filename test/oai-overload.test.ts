/**
 * The overload guard counts work, not sockets (issue 11 item 4):
 *   - connections that have sent only request headers (a POST whose body never comes) are not
 *     work: they never turn the repository's answers into 503, and the server's header and
 *     request timeouts (seconds, configurable) close them;
 *   - long list requests yield between records and pages, so a cheap request (Identify) is
 *     answered promptly while many ListRecords in the heaviest format are being served.
 *
 * The second is a behaviour test with a latency bound, which the project otherwise keeps out of
 * unit tests: it is the acceptance criterion itself ("under a test load of 100 concurrent
 * ListRecords in the heaviest format, an Identify answers within 200 ms at p99"). The bound is
 * meaningful because without yielding an Identify waits for whole pages of other requests (26.5 s
 * was measured before pre-rendering, 3.5 s median on this branch before list pages were read in
 * slices, one per event-loop turn); it is generous in that the load runs in another process, the
 * page size is modest, and the bound scales with the machine's load average per core (a shared
 * machine with 25 runnable processes on 2 cores delays every process, whatever it does).
 */
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSyntheticRecords } from '../src/model/index.js';
import { startOaiServer, withPrerendering, type RunningOaiServer } from '../src/oai/index.js';
import { sqliteBackend, useTestStores } from './helpers/backends.js';
import { clockedStore, httpRequest, testConfig } from './helpers/oai.js';

const LOAD_SCRIPT = fileURLToPath(new URL('./helpers/list-load.mjs', import.meta.url));
const stores = useTestStores(sqliteBackend, 'suite');
const NOW = new Date('2024-06-01T00:00:00Z');
/** List pages each of the 100 load clients asks for (50 records each, of the 1,000 stored). */
const PAGES_PER_CLIENT = 12;

let records: Awaited<ReturnType<typeof clockedStore>>['store']['records'];
beforeAll(async () => {
  const { store } = await clockedStore(stores);
  // Written as the provider writes: every OAI format pre-rendered and validated.
  await withPrerendering(store).records.upsertMany(generateSyntheticRecords(1_000, 21));
  records = store.records;
}, 120_000);

/** Sockets that send the headers of a POST with a 13-byte body, and never the body. */
function headerOnlyPosts(port: number, count: number): Promise<Socket[]> {
  return Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Socket>((resolve, reject) => {
          const socket = connect(port, '127.0.0.1', () => {
            socket.write('POST /oai HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 13\r\n\r\n');
            resolve(socket);
          });
          socket.on('error', reject);
        }),
    ),
  );
}

describe('connections that have not sent their request are not work', () => {
  let server: RunningOaiServer;
  afterAll(async () => {
    await server?.close();
  });

  it('50 header-only POST connections do not turn answers into 503, and the request timeout closes them', async () => {
    const { baseUrl: _b, ...config } = testConfig();
    server = await startOaiServer({ store: records, config, clock: () => NOW, maxInFlight: 2, requestTimeoutSeconds: 2, headersTimeoutSeconds: 1 });
    const port = Number(new URL(server.url).port);
    let arrived = 0;
    const allArrived = new Promise<void>((resolve) => {
      const onRequest = () => {
        if (++arrived === 50) resolve();
      };
      server.server.on('request', onRequest);
    });
    const started = Date.now();
    const sockets = await headerOnlyPosts(port, 50);
    const closed = sockets.map(
      (socket) =>
        new Promise<string>((resolve) => {
          let text = '';
          socket.on('data', (d) => (text += d.toString('latin1')));
          socket.on('close', () => resolve(text));
        }),
    );
    await allArrived;
    for (const query of ['verb=Identify', 'verb=ListRecords&metadataPrefix=oai_dc', 'verb=ListIdentifiers&metadataPrefix=jats']) {
      const r = await httpRequest(`${server.url}?${query}`);
      expect(r.status, query).toBe(200);
    }
    // Node answers an unfinished request 408 when requestTimeout passes (checked every second).
    const replies = await Promise.all(closed);
    for (const reply of replies) expect(reply).toMatch(/^HTTP\/1\.1 408/);
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 30_000);
});

describe('long lists yield: Identify under 100 concurrent ListRecords in the heaviest format', () => {
  let server: RunningOaiServer;
  afterAll(async () => {
    await server?.close();
  });

  it('answers Identify within 200 ms at p99', async () => {
    const { baseUrl: _b, ...config } = testConfig({ pageSize: { records: 50 } });
    // Every list request is admitted (no 503), so all 100 are worked on at once.
    server = await startOaiServer({ store: records, config, clock: () => NOW, maxInFlight: 128 });
    // JATS is the heaviest format (about 15-20 KB per record).
    // 12 pages per client: the load lasts long enough for a few hundred probes, so the p99 is not
    // simply the slowest probe (with under 100 probes one GC pause or disk stall decides it).
    const load = spawn(process.execPath, [LOAD_SCRIPT, server.url, '100', String(PAGES_PER_CLIENT), 'jats'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const started = new Promise<void>((resolve) =>
      load.stdout.on('data', (c) => {
        out += c;
        if (out.includes('started\n')) resolve();
      }),
    );
    const finished = new Promise<number | null>((resolve) => load.on('exit', resolve));
    let loadDone = false;
    void finished.then(() => (loadDone = true));
    await started;
    const latencies: number[] = [];
    const runnable: number[] = [];
    for (let i = 0; i < 2_000 && !loadDone; i++) {
      runnable.push(runnableProcesses());
      const t0 = performance.now();
      const r = await httpRequest(`${server.url}?verb=Identify`);
      latencies.push(performance.now() - t0);
      expect(r.status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(await finished).toBe(0);
    const summary = JSON.parse(out.trim().split('\n').pop()!) as { pages: number; statuses: Record<string, number> };
    expect(summary.statuses).toEqual({ '200': 100 * PAGES_PER_CLIENT });
    // Enough probes landed while the load ran to speak of a p99.
    expect(latencies.length).toBeGreaterThanOrEqual(100);
    const sorted = [...latencies].sort((a, b) => a - b);
    const p99 = sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)]!;
    const p50 = sorted[Math.floor(sorted.length / 2)]!;
    // 200 ms on a machine with a core to spare; on a shared machine running more runnable
    // processes than cores, every process waits for CPU in proportion, so the bound scales with
    // the contention per core while the probes ran (never below 200 ms): the runnable count of
    // /proc/stat sampled at each probe (the load average lags a minute behind), beyond the three
    // processes of this test itself (server, load generator, prober).
    const contention = Math.max(loadavg()[0]!, mean(runnable) - 3 + cpus().length);
    const slack = Math.max(1, contention / cpus().length);
    const bound = 200 * slack;
    console.log(
      `Identify under 100 concurrent ListRecords (jats): ${latencies.length} probes, p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms ` +
        `(bound ${bound.toFixed(0)} ms at load ${loadavg()[0]!.toFixed(1)}, ${mean(runnable).toFixed(1)} runnable, on ${cpus().length} cores)`,
    );
    expect(p99).toBeLessThan(bound);
  }, 180_000);
});

/** Processes runnable right now (Linux /proc/stat; the cores' count elsewhere, i.e. no contention). */
function runnableProcesses(): number {
  try {
    return Number(/^procs_running (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1] ?? cpus().length);
  } catch {
    return cpus().length;
  }
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}
