import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultIdentifier, startFaultServer, type FaultServer } from './helpers/fault-server.js';
import { runCommand } from './helpers/run-node.js';

/** `pubmeta harvest add | run | status` as a user runs them (built CLI, separate process). */
const here = dirname(fileURLToPath(import.meta.url));
const CLI = join(here, '..', 'dist', 'cli', 'main.js');
const N = 45;

let server: FaultServer;
let throttled: FaultServer;
let workDir: string;

beforeAll(async () => {
  server = await startFaultServer({ records: N, pageSize: 10, malformed: (i) => i === 7 });
  throttled = await startFaultServer({ records: 20, pageSize: 10, fault: (r) => (r.listRequest === 2 ? { kind: 'status', status: 503, retryAfter: '7200' } : undefined) });
  workDir = mkdtempSync(join(tmpdir(), 'pubmeta-harvest-cli-'));
});
afterAll(async () => {
  await server.close();
  await throttled.close();
  rmSync(workDir, { recursive: true, force: true });
});

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Spawned asynchronously: the repositories answer from this process's event loop. */
async function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Result> {
  const r = await runCommand(command, args, { env: { ...process.env, PUBMETA_LOG_LEVEL: 'info', ...env }, timeoutMs: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const pubmeta = (args: string[], env: NodeJS.ProcessEnv = {}) => run(process.execPath, [CLI, ...args], env);

describe('pubmeta harvest', () => {
  const db = () => join(workDir, 'cli.db');

  it('add configures a source; a second add of the same name is refused', async () => {
    const added = await pubmeta(['harvest', 'add', 'faulty', server.url, '--prefix', 'oai_dc', '--db', db()]);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain(`source faulty: ${server.url} (metadataPrefix oai_dc)`);
    const again = await pubmeta(['harvest', 'add', 'faulty', server.url, '--db', db()]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists.*--replace/);
    const badSet = await pubmeta(['harvest', 'add', 'other', server.url, '--set', 'not a set', '--db', db()]);
    expect(badSet.code).toBe(1);
    expect(badSet.stderr).toMatch(/not a valid setSpec/);
  });

  it('run without a terminal writes JSON log lines on stderr and a summary on stdout', async () => {
    const run = await pubmeta(['harvest', 'run', 'faulty', '--db', db()]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`faulty: completed: ${N} records in 5 pages \\(${N - 1} new, .*1 quarantined\\)`));
    const lines = run.stderr.trim().split('\n').map((line) => JSON.parse(line) as { msg: string; name: string });
    expect(lines.every((line) => line.name === 'harvest')).toBe(true);
    expect(lines.map((line) => line.msg)).toContain('harvest completed');
  });

  it('status shows last run, records, errors and quarantined; --json is one JSON document', async () => {
    const text = await pubmeta(['harvest', 'status', '--db', db()]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/last run +#1 completed/);
    expect(text.stdout).toMatch(new RegExp(`records +${N - 1} held, 0 deleted, 0 with errors \\(kept raw\\), 1 quarantined`));
    const json = await pubmeta(['harvest', 'status', '--json', '--db', db()]);
    const status = JSON.parse(json.stdout) as { sources: Record<string, unknown>[] };
    expect(status.sources).toHaveLength(1);
    expect(status.sources[0]).toMatchObject({
      name: 'faulty',
      baseUrl: server.url,
      metadataPrefix: 'oai_dc',
      granularity: 'YYYY-MM-DDThh:mm:ssZ',
      records: N - 1,
      errors: 0,
      quarantined: 1,
      lastRun: { status: 'completed', records: N, pages: 5, quarantined: 1 },
      checkpoint: null,
    });
    expect((status.sources[0]!.nextFrom as string) ?? '').toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  it('a second run is incremental and stores nothing twice', async () => {
    server.touch(3, '2099-01-01T00:00:00Z');
    const run = await pubmeta(['harvest', 'run', 'faulty', '--json', '--db', db()]);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({ status: 'completed', records: 1, updated: 1, created: 0 });
    const rerun = server.requests.filter((r) => r.verb === 'ListRecords').at(-1)!;
    expect(rerun.args.from).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(server.records.find((r) => r.identifier === faultIdentifier(3))!.version).toBe(1);
  });

  it('a Retry-After beyond --max-retry-after pauses with exit status 3 and a resumable checkpoint', async () => {
    const file = join(workDir, 'throttled.db');
    await pubmeta(['harvest', 'add', 'slow', throttled.url, '--db', file]);
    const run = await pubmeta(['harvest', 'run', 'slow', '--max-retry-after', '60', '--json', '--db', file]);
    expect(run.code).toBe(3);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'paused', errorCode: 'retryAfterTooLong', resumable: true, records: 10 });
    const status = JSON.parse((await pubmeta(['harvest', 'status', 'slow', '--json', '--db', file])).stdout) as { sources: Record<string, unknown>[] };
    expect(status.sources[0]).toMatchObject({ records: 10, lastRun: { status: 'paused', errorCode: 'retryAfterTooLong' }, checkpoint: { pages: 1, hasResumptionToken: true } });
    expect(Date.parse(status.sources[0]!.notBefore as string)).toBeGreaterThan(Date.now() + 7_000_000);
  });

  it('--all harvests every source; PUBMETA_DB is the default store', async () => {
    const file = join(workDir, 'env.db');
    await pubmeta(['harvest', 'add', 'one', server.url], { PUBMETA_DB: file });
    const run = await pubmeta(['harvest', 'run', '--all', '--json'], { PUBMETA_DB: file });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([expect.objectContaining({ source: 'one', status: 'completed', records: N })]);
  });

  it('names what is wrong: an unknown source, neither name nor --all', async () => {
    const unknown = await pubmeta(['harvest', 'run', 'nope', '--db', db()]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/No harvest source named "nope"/);
    const neither = await pubmeta(['harvest', 'run', '--db', db()]);
    expect(neither.code).not.toBe(0);
    expect(neither.stderr).toMatch(/source name or --all/);
  });

  it.skipIf(spawnSync('script', ['--version']).status !== 0)('on a terminal, run draws a progress bar with records, pages, rate and ETA', async () => {
    const file = join(workDir, 'tty.db');
    await pubmeta(['harvest', 'add', 'tty', server.url, '--db', file]);
    const command = [process.execPath, CLI, 'harvest', 'run', 'tty', '--db', file].map((a) => `'${a}'`).join(' ');
    const tty = await run('script', ['-qec', command, '/dev/null'], { COLUMNS: '160' });
    expect(tty.code, tty.stderr).toBe(0);
    expect(tty.stdout).toMatch(/tty \[[█░]+\] \d+% \| \d+\/45 \| \d+ pages \| \d+ rec\/s \| ETA/);
    expect(tty.stdout).toMatch(/tty: completed/);
  });
});
