import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultTitle, startFaultServer, type FaultServer } from './helpers/fault-server.js';
import { runNode } from './helpers/run-node.js';

/**
 * `pubmeta oai identify | formats | sets | get` (built CLI, its own process) against a fault
 * server on 127.0.0.1 and against `pubmeta serve`. Expected values come from what the servers
 * hold, not from the command under test.
 */
const here = dirname(fileURLToPath(import.meta.url));
const CLI = join(here, '..', 'dist', 'cli', 'main.js');

let server: FaultServer;
let serve: ChildProcess | undefined;
let serveUrl: string;
let workDir: string;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

async function pubmeta(args: string[]): Promise<Result> {
  const r = await runNode([CLI, ...args], { env: { ...process.env, PUBMETA_LOG_LEVEL: 'warn' }, timeoutMs: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  server = await startFaultServer({ records: 12, pageSize: 5, gzip: true });
  workDir = mkdtempSync(join(tmpdir(), 'pubmeta-oai-cli-'));
  serve = spawn(process.execPath, [CLI, 'serve', '--create', '--db', join(workDir, 'empty.db'), '--port', '0', '--admin-email', 'oai@example.org'], {
    env: { ...process.env, PUBMETA_LOG_LEVEL: 'warn', PUBMETA_OAI_SECRET: 'oai-cli-test-secret-0123456789' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  serveUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    serve!.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /OAI-PMH endpoint: (\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    serve!.once('exit', (code) => reject(new Error(`pubmeta serve exited with ${code}: ${out}`)));
  });
});

afterAll(async () => {
  await server.close();
  if (serve && serve.exitCode === null) {
    serve.kill('SIGTERM');
    await new Promise((resolve) => serve!.once('exit', resolve));
  }
  rmSync(workDir, { recursive: true, force: true });
});

describe('pubmeta oai', () => {
  it('identify --json prints Identify as one JSON document (§4.2)', async () => {
    const result = await pubmeta(['oai', 'identify', server.url, '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      repositoryName: 'Fault Injection Repository',
      baseURL: 'http://fault.test/oai',
      protocolVersion: '2.0',
      granularity: 'YYYY-MM-DDThh:mm:ssZ',
      earliestDatestamp: '2024-03-01T00:00:00Z',
      deletedRecord: 'persistent',
      adminEmails: ['admin@fault.test'],
    });
    expect(server.requests.at(-1)).toMatchObject({ verb: 'Identify', args: {} });
  });

  it('identify prints a readable summary', async () => {
    const result = await pubmeta(['oai', 'identify', serveUrl]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Repository +\S/m);
    expect(result.stdout).toMatch(/^Granularity +YYYY-MM-DDThh:mm:ssZ$/m);
    expect(result.stdout).toMatch(/^Admin e-mail +oai@example\.org$/m);
  });

  it('formats lists the prefixes on offer, for the repository and for one item (§4.4)', async () => {
    const all = await pubmeta(['oai', 'formats', server.url, '--json']);
    expect(all.code, all.stderr).toBe(0);
    expect(JSON.parse(all.stdout)).toEqual([
      { metadataPrefix: 'oai_dc', schema: 'http://www.openarchives.org/OAI/2.0/oai_dc.xsd', metadataNamespace: 'http://www.openarchives.org/OAI/2.0/oai_dc/' },
    ]);
    const item = await pubmeta(['oai', 'formats', server.url, '--identifier', server.records[3]!.identifier]);
    expect(item.code, item.stderr).toBe(0);
    expect(item.stdout).toBe('oai_dc  http://www.openarchives.org/OAI/2.0/oai_dc/  http://www.openarchives.org/OAI/2.0/oai_dc.xsd\n');
    expect(server.requests.at(-1)).toMatchObject({ verb: 'ListMetadataFormats', args: { identifier: server.records[3]!.identifier } });
    const missing = await pubmeta(['oai', 'formats', server.url, '--identifier', 'oai:fault.test:nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/idDoesNotExist/);
  });

  it('sets lists setSpec and name (§4.6); a repository without sets gives none (noSetHierarchy)', async () => {
    const sets = await pubmeta(['oai', 'sets', server.url, '--json']);
    expect(sets.code, sets.stderr).toBe(0);
    expect(JSON.parse(sets.stdout)).toEqual([{ setSpec: 'fault', setName: 'Every fault record', descriptions: [] }]);
    const none = await pubmeta(['oai', 'sets', serveUrl]);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toBe('(no sets)\n');
  });

  it('get prints one record with its header and mapped article (§4.1)', async () => {
    const record = server.records[7]!;
    const json = await pubmeta(['oai', 'get', server.url, record.identifier, '--prefix', 'oai_dc', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const parsed = JSON.parse(json.stdout) as { header: unknown; metadataXml: string; mapping: { format: string; valid: boolean; record: { title: Record<string, string> } } };
    expect(parsed.header).toEqual({ identifier: record.identifier, datestamp: record.datestamp, setSpecs: ['fault'], deleted: false });
    expect(parsed.metadataXml).toContain(`<dc:title xml:lang="en">${faultTitle(7, 0)}</dc:title>`);
    expect(parsed.mapping).toMatchObject({ format: 'oai_dc', valid: true });
    expect(Object.values(parsed.mapping.record.title)).toEqual([faultTitle(7, 0)]);
    const text = await pubmeta(['oai', 'get', server.url, record.identifier, '--prefix', 'oai_dc']);
    expect(text.stdout).toMatch(new RegExp(`^Identifier +${record.identifier.replace(/[.]/g, '\\.')}$`, 'm'));
    expect(text.stdout).toMatch(/^Maps to +oai_dc: a valid article record$/m);
    expect(text.stdout).toContain('<oai_dc:dc ');
  });

  it('get fails with the repository error code: unknown item, unknown prefix', async () => {
    const unknown = await pubmeta(['oai', 'get', server.url, 'oai:fault.test:rec/999', '--prefix', 'oai_dc']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/idDoesNotExist/);
    const marc = await pubmeta(['oai', 'get', server.url, server.records[0]!.identifier, '--prefix', 'marcxml', '--json']);
    expect(marc.code).toBe(1);
    // With --json the failure is the one JSON document on stdout (README, "Conventions").
    expect(JSON.parse(marc.stdout)).toMatchObject({ error: { exitCode: 1, message: expect.stringMatching(/cannotDisseminateFormat/) } });
    expect(marc.stderr).toMatch(/cannotDisseminateFormat/);
  });

  it('a URL that is not http(s) is refused before any request', async () => {
    const result = await pubmeta(['oai', 'identify', 'file:///etc/passwd']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/uses file:, not http or https/);
  });
});
