import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileStem } from '../src/export/layout.js';
import { faultRecordXml, startFaultServer, type FaultServer } from './helpers/fault-server.js';

/**
 * `pubmeta harvest add` checking the endpoint, per-source politeness, `run --all --parallel`
 * and `pubmeta harvest dump`, as a user runs them (built CLI, separate process).
 */
const here = dirname(fileURLToPath(import.meta.url));
const CLI = join(here, '..', 'dist', 'cli', 'main.js');
const N = 23;

let server: FaultServer;
let second: FaultServer;
let workDir: string;

beforeAll(async () => {
  // Record 4 cannot be read (a mismatched end tag): quarantined, yet dumped raw.
  server = await startFaultServer({ records: N, pageSize: 10, malformed: (i) => i === 4, granularity: 'YYYY-MM-DDThh:mm:ssZ' });
  second = await startFaultServer({ records: 12, pageSize: 5, repositoryIdentifier: 'second.test' });
  workDir = mkdtempSync(join(tmpdir(), 'pubmeta-harvest-sources-'));
});
afterAll(async () => {
  await server.close();
  await second.close();
  rmSync(workDir, { recursive: true, force: true });
});

interface Result {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

function pubmeta(args: string[]): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, PUBMETA_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const guard = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout: Buffer.concat(out), stderr });
    });
  });
}

describe('harvest add checks the endpoint', () => {
  const db = () => join(workDir, 'add.db');

  it('a prefix the endpoint lacks is refused, listing the prefixes it has', async () => {
    const added = await pubmeta(['harvest', 'add', 'src', server.url, '--prefix', 'marcxml', '--db', db()]);
    expect(added.code).toBe(1);
    expect(added.stderr).toMatch(/does not offer metadataPrefix "marcxml"; it offers: oai_dc/);
    // Nothing was added: not even the store was created.
    expect(existsSync(db())).toBe(false);
  });

  it('records granularity, earliest datestamp and deletedRecord policy; politeness settings are kept', async () => {
    const added = await pubmeta(['harvest', 'add', 'src', server.url, '--delay-ms', '150', '--from-contact', 'harvester@example.org', '--db', db()]);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout.toString()).toMatch(/granularity YYYY-MM-DDThh:mm:ssZ, earliest 2024-03-01T00:00:00Z, deleted records persistent/);
    const status = JSON.parse((await pubmeta(['harvest', 'status', 'src', '--json', '--db', db()])).stdout.toString());
    expect(status.sources[0]).toMatchObject({
      granularity: 'YYYY-MM-DDThh:mm:ssZ',
      earliestDatestamp: '2024-03-01T00:00:00Z',
      deletedRecord: 'persistent',
      delayMs: 150,
      fromContact: 'harvester@example.org',
    });
  });

  it('an unreachable endpoint fails the check, naming --no-check; --no-check adds it', async () => {
    const offline = 'http://127.0.0.1:9/oai';
    const checked = await pubmeta(['harvest', 'add', 'offline', offline, '--db', db()]);
    expect(checked.code).toBe(1);
    expect(checked.stderr).toMatch(/connection refused.*--no-check/s);
    const unchecked = await pubmeta(['harvest', 'add', 'offline', offline, '--no-check', '--db', db()]);
    expect(unchecked.code, unchecked.stderr).toBe(0);
  });
});

describe('harvest run --all --parallel and dump', () => {
  const db = () => join(workDir, 'dump.db');

  it('--parallel 2 harvests both sources, each with its own politeness', async () => {
    expect((await pubmeta(['harvest', 'add', 'first', server.url, '--delay-ms', '200', '--from-contact', 'first@example.org', '--db', db()])).code).toBe(0);
    expect((await pubmeta(['harvest', 'add', 'second', second.url, '--db', db()])).code).toBe(0);
    const before = { first: server.requests.length, second: second.requests.length };
    const run = await pubmeta(['harvest', 'run', '--all', '--parallel', '2', '--json', '--no-progress', '--db', db()]);
    expect(run.code, run.stderr).toBe(0);
    const summaries = JSON.parse(run.stdout.toString()) as { source: string; status: string; records: number; startedAt: string; finishedAt: string }[];
    expect(summaries.map((s) => [s.source, s.status, s.records]).sort()).toEqual([
      ['first', 'completed', N],
      ['second', 'completed', 12],
    ]);
    // Both ran at once: each started before the other finished.
    const [a, b] = summaries;
    expect(a!.startedAt < b!.finishedAt && b!.startedAt < a!.finishedAt).toBe(true);
    const firstRequests = server.requests.slice(before.first);
    expect(firstRequests.every((r) => r.from === 'first@example.org')).toBe(true);
    expect(second.requests.slice(before.second).every((r) => r.from === undefined)).toBe(true);
    // --delay-ms between requests to the same source. Measured where the server sees them, so one
    // arrival late under load shortens the next gap: the whole run's span is the robust measure
    // (without the delay it is a few ms per request).
    expect(firstRequests.length).toBeGreaterThanOrEqual(3);
    const span = firstRequests[firstRequests.length - 1]!.at! - firstRequests[0]!.at!;
    expect(span).toBeGreaterThanOrEqual(0.9 * 200 * (firstRequests.length - 1));
  });

  it('dump --format raw writes N files for N records, each the bytes as harvested (the unreadable one too)', async () => {
    const out = join(workDir, 'raw-out');
    const dump = await pubmeta(['harvest', 'dump', 'first', '--out', out, '--db', db()]);
    expect(dump.code, dump.stderr).toBe(0);
    const files = readdirSync(join(out, 'raw')).sort();
    expect(files).toHaveLength(N);
    for (const record of server.records) {
      const file = join(out, 'raw', `${fileStem(record.identifier)}.xml`);
      expect(readFileSync(file).equals(faultRecordXml(record)), record.identifier).toBe(true);
    }
  });

  it('dump on stdout: raw records one after another; json one document per line; --since filters', async () => {
    const raw = await pubmeta(['harvest', 'dump', 'second', '--db', db()]);
    expect(raw.code, raw.stderr).toBe(0);
    // In identifier order (the store's), each record's bytes and a newline.
    const inOrder = [...second.records].sort((a, b) => (a.identifier < b.identifier ? -1 : 1));
    expect(raw.stdout.toString()).toBe(Buffer.concat(inOrder.map((r) => Buffer.concat([faultRecordXml(r), Buffer.from('\n')]))).toString());
    const json = await pubmeta(['harvest', 'dump', 'second', '--format', 'json', '--db', db()]);
    const lines = json.stdout.toString().trim().split('\n').map((line) => JSON.parse(line) as { identifier: string; valid: boolean; record: { title: unknown } });
    expect(lines).toHaveLength(12);
    expect(lines.every((l) => l.valid && l.record.title)).toBe(true);
    const since = second.records[7]!.datestamp;
    const later = await pubmeta(['harvest', 'dump', 'second', '--format', 'json', '--since', since, '--db', db()]);
    const expected = second.records.filter((r) => r.datestamp >= since).length;
    expect(later.stdout.toString().trim().split('\n')).toHaveLength(expected);
  });

  it('dump in an export format goes through the export pipeline: one validated file per mapped record', async () => {
    const out = join(workDir, 'dc-out');
    const dump = await pubmeta(['harvest', 'dump', 'first', '--format', 'oai_dc', '--out', out, '--db', db()]);
    expect(dump.code, dump.stderr).toBe(0);
    // The unreadable record was never mapped: left out, and said so.
    expect(readdirSync(join(out, 'oai_dc'))).toHaveLength(N - 1);
    expect(dump.stderr).toMatch(/--format raw has them/);
    const unknown = await pubmeta(['harvest', 'dump', 'first', '--format', 'marc', '--db', db()]);
    // A bad option value is a usage error (exit 2), one line.
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown format "marc": raw, json or one of oai_dc/);
  });
});
