import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HarvestClient } from '../src/harvest/client.js';
import { HarvestPausedError } from '../src/harvest/errors.js';
import { harvestedRecords } from '../src/harvest/index.js';
import { openStore } from '../src/store/index.js';
import { startFaultServer, type FaultRequest, type FaultServer, type FaultServerOptions } from './helpers/fault-server.js';

/**
 * Bounds on memory and time per record and per request, against a hostile repository on
 * 127.0.0.1. Memory is measured where it is spent: `pubmeta harvest run` (dist/, `npm run build`
 * first) runs in its own process, which reports its peak RSS (getrusage) on exit.
 */
const here = dirname(fileURLToPath(import.meta.url));
const CLI = join(here, '..', 'dist', 'cli', 'main.js');
const PEAK_RSS = join(here, 'helpers', 'peak-rss.mjs');
const MiB = 1024 * 1024;

let workDir: string;
const servers: FaultServer[] = [];
beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'pubmeta-harvest-limits-'));
});
afterEach(async () => {
  while (servers.length) await servers.pop()!.close();
});
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  peakRssMb: number;
  ms: number;
}

/** Runs the built CLI in a child process (its peak RSS reported); `onStart` gets the child. */
function pubmeta(args: string[], onStart?: (child: ReturnType<typeof spawn>, stderr: () => string) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', PEAK_RSS, CLI, ...args], {
      env: { ...process.env, PUBMETA_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const guard = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      const peak = /peak-rss-kb (\d+)/.exec(stderr);
      resolve({ code, signal, stdout, stderr, peakRssMb: peak ? Number(peak[1]) / 1024 : NaN, ms: Date.now() - started });
    });
    onStart?.(child, () => stderr);
  });
}

async function serve(options: Partial<FaultServerOptions>): Promise<FaultServer> {
  const server = await startFaultServer({ records: 25, pageSize: 10, ...options });
  servers.push(server);
  return server;
}

/** Adds the source to a fresh database; returns the --db argument. */
async function addSource(name: string, url: string): Promise<string> {
  const db = join(workDir, `${name}.db`);
  const added = await pubmeta(['harvest', 'add', name, url, '--prefix', 'oai_dc', '--db', db]);
  expect(added.code, added.stderr).toBe(0);
  return db;
}

async function stored(dbFile: string, source: string) {
  const store = await openStore(dbFile);
  try {
    const identifiers: string[] = [];
    for await (const record of harvestedRecords(store, source)) identifiers.push(record.identifier);
    return { identifiers: identifiers.sort(), quarantine: await store.harvest.listQuarantine(source) };
  } finally {
    await store.close();
  }
}

describe('a record over the record size limit (16 MiB) is quarantined; the page goes on; peak RSS stays under 200 MB', () => {
  it.each<[string, Partial<FaultServerOptions>, number]>([
    ['a 50 MB title', { giant: (i) => (i === 12 ? { kind: 'title', bytes: 50 * MiB } : undefined) }, 12],
    ['a gzip bomb inside a record (256 MiB of spaces, about 1 MB on the wire)', { gzip: true, giant: (i) => (i === 12 ? { kind: 'title', bytes: 256 * MiB, fill: 'spaces' } : undefined) }, 12],
    ['a record that never closes (300 MiB, then the list ends)', { giant: (i) => (i === 24 ? { kind: 'unclosed', bytes: 300 * MiB } : undefined) }, 24],
  ])('%s', async (name, options, giantIndex) => {
    const server = await serve(options);
    const source = `giant${giantIndex}${options.gzip ? 'gz' : ''}`;
    const db = await addSource(source, server.url);
    const run = await pubmeta(['harvest', 'run', source, '--db', db, '--json', '--no-progress']);
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
    const summary = JSON.parse(run.stdout) as { status: string; records: number; quarantined: number };
    expect(summary).toMatchObject({ status: 'completed', records: 25, quarantined: 1 });
    const { identifiers, quarantine } = await stored(db, source);
    const giant = server.records[giantIndex]!;
    expect(identifiers).toEqual(server.records.filter((r) => r !== giant).map((r) => r.identifier).sort());
    expect(quarantine).toHaveLength(1);
    expect(quarantine[0]).toMatchObject({ identifier: giant.identifier, datestamp: giant.datestamp });
    expect(quarantine[0]!.reason).toMatch(/larger than the 16 MiB record size limit/);
    // What is kept of it is its beginning (through the header), not megabytes.
    expect(quarantine[0]!.raw.length).toBeLessThan(64 * 1024);
    console.info(`${name}: peak RSS ${run.peakRssMb.toFixed(0)} MB, ${(run.ms / 1000).toFixed(1)} s`);
    expect(run.peakRssMb, name).toBeLessThan(200);
  }, 120_000);
});

describe('time bounds on a trickling server (one byte every 2 s)', () => {
  const trickleOn = (k: number) => (r: FaultRequest) => (r.listRequest === k ? { kind: 'trickle' as const, chunkBytes: 1, intervalMs: 2000 } : undefined);

  it('is abandoned within --timeout plus 5 s', async () => {
    const server = await serve({ fault: trickleOn(1) });
    const db = await addSource('trickle', server.url);
    const run = await pubmeta(['harvest', 'run', 'trickle', '--db', db, '--timeout', '3', '--retries', '0', '--json', '--no-progress']);
    expect(run.code, run.stderr.slice(-2000)).toBe(1);
    const summary = JSON.parse(run.stdout) as { status: string; errorCode: string; reason: string };
    expect(summary).toMatchObject({ status: 'failed', errorCode: 'timeout' });
    expect(summary.reason).toMatch(/below the minimum of 1024 bytes\/s/);
    console.info(`trickle with --timeout 3: abandoned, run over in ${(run.ms / 1000).toFixed(1)} s`);
    expect(run.ms).toBeLessThan(3_000 + 5_000);
  }, 60_000);

  it('SIGTERM during a trickle ends the run within 2 s, paused, with the checkpoint of the committed page', async () => {
    let trickling: () => void;
    const trickleStarted = new Promise<void>((resolve) => (trickling = resolve));
    const server = await serve({ fault: trickleOn(2), onRequest: (r) => r.listRequest === 2 && trickling() });
    const db = await addSource('sigterm', server.url);
    let killedAt = 0;
    const run = await pubmeta(['harvest', 'run', 'sigterm', '--db', db, '--json', '--no-progress'], (child, stderr) => {
      // Once page 1 is committed (the first progress line) and page 2 is trickling, stop.
      const committed = new Promise<void>((resolve) => {
        const check = () => (/"msg":"harvest progress"/.test(stderr()) ? resolve() : undefined);
        child.stderr!.on('data', check);
        check();
      });
      void Promise.all([committed, trickleStarted]).then(() => {
        killedAt = Date.now();
        child.kill('SIGTERM');
      });
    });
    const stopMs = Date.now() - killedAt;
    console.info(`SIGTERM during a trickle: exited ${stopMs} ms later`);
    expect(killedAt).toBeGreaterThan(0);
    expect(stopMs).toBeLessThan(2_000);
    expect(run.code, run.stderr.slice(-2000)).toBe(3);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'paused', errorCode: 'aborted', pages: 1, records: 10, resumable: true });
    const status = await pubmeta(['harvest', 'status', 'sigterm', '--db', db, '--json']);
    const checkpoint = (JSON.parse(status.stdout) as { sources: { checkpoint: { pages: number; hasResumptionToken: boolean } | null }[] }).sources[0]!.checkpoint;
    expect(checkpoint).toMatchObject({ pages: 1, hasResumptionToken: true });
  }, 60_000);

  it('the client: an abort during a trickle ends the request within 1 s', async () => {
    let trickling: () => void;
    const trickleStarted = new Promise<void>((resolve) => (trickling = resolve));
    const server = await serve({ fault: trickleOn(1), onRequest: (r) => r.listRequest === 1 && trickling() });
    const controller = new AbortController();
    const client = new HarvestClient({ baseUrl: server.url });
    let abortedAt = 0;
    void trickleStarted.then(() => {
      abortedAt = Date.now();
      controller.abort();
    });
    const records: unknown[] = [];
    const error = await (async () => {
      for await (const record of client.listRecords({ metadataPrefix: 'oai_dc' }, { signal: controller.signal })) records.push(record);
    })().catch((e: unknown) => e);
    const ms = Date.now() - abortedAt;
    console.info(`abort during a trickle: request ended ${ms} ms later`);
    await client.close();
    expect(error).toBeInstanceOf(HarvestPausedError);
    expect(error).toMatchObject({ code: 'aborted' });
    expect(records).toEqual([]);
    expect(ms).toBeLessThan(1_000);
  });

  it('the client: a body slower than the minimum rate is cut after the rate window, though bytes keep coming', async () => {
    // 10 bytes every 300 ms: never silent for the 1.5 s inactivity timeout, but 33 bytes/s.
    const server = await serve({ fault: (r) => (r.listRequest === 1 ? { kind: 'trickle', chunkBytes: 10, intervalMs: 300 } : undefined) });
    const client = new HarvestClient({ baseUrl: server.url, bodyTimeoutMs: 1_500, retries: 0 });
    const started = Date.now();
    const error = await client.fetchPage('ListRecords', { metadataPrefix: 'oai_dc' }).catch((e: unknown) => e);
    const ms = Date.now() - started;
    await client.close();
    expect(error).toMatchObject({ code: 'timeout', message: expect.stringMatching(/^The body arrived at \d+ bytes\/s over 1.5 s, below the minimum of 1024 bytes\/s$/) });
    expect(ms).toBeGreaterThanOrEqual(1_500);
    expect(ms).toBeLessThan(1_500 + 1_000);
  });

  it('the client: a consumer slower than the server is not mistaken for a slow server', async () => {
    const server = await serve({ records: 30, pageSize: 30 });
    const client = new HarvestClient({ baseUrl: server.url, bodyTimeoutMs: 1_000, minBytesPerSecond: 1_000_000, retries: 0 });
    let items = 0;
    // Every item takes the consumer 100 ms: 3 s for the page, far beyond the 1 s rate window.
    const page = await client.fetchPage(
      'ListRecords',
      { metadataPrefix: 'oai_dc' },
      { onItem: () => new Promise<void>((resolve) => setTimeout(() => resolve(void items++), 100)) },
    );
    await client.close();
    expect(items).toBe(30);
    expect(page.attempts).toBe(1);
  });
});
