/**
 * Interop with a real third-party harvester: HTTP::OAI (Debian libhttp-oai-perl) harvests a
 * `pubmeta serve` process completely over several pages, following resumption tokens.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSyntheticRecords } from '../src/model/index.js';
import { oaiIdentifier } from '../src/oai/index.js';
import { openStore } from '../src/store/index.js';
import { expectValidOaiResponse, httpRequest, parseOai } from './helpers/oai.js';
import { runCommand, runNode } from './helpers/run-node.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist/cli/main.js');
const HARVEST_SCRIPT = join(ROOT, 'test/helpers/oai-harvest.pl');
const hasHttpOai = spawnSync('perl', ['-MHTTP::OAI', '-e1']).status === 0;
const REPOSITORY = 'interop.example.org';
const RECORDS = 1_100;
const PAGE_SIZE = 150;

async function cli(args: string[]) {
  return runNode([CLI, ...args], { env: { ...process.env, PUBMETA_LOG_LEVEL: 'warn' } });
}

describe.skipIf(!hasHttpOai && !process.env.CI)('interop: HTTP::OAI harvests `pubmeta serve` (skipped when perl -MHTTP::OAI is unavailable)', () => {
  let dir: string;
  let db: string;
  let serve: ChildProcess | undefined;
  let url: string;

  beforeAll(async () => {
    expect(existsSync(CLI), 'dist/cli/main.js is missing: run npm run build').toBe(true);
    dir = mkdtempSync(join(tmpdir(), 'pubmeta-interop-'));
    db = join(dir, 'store.db');
    const file = join(dir, 'records.json');
    writeFileSync(file, JSON.stringify(generateSyntheticRecords(RECORDS, 42)));
    const imported = await cli(['import', file, '--db', db, '--quiet']);
    expect(imported.status, imported.stderr).toBe(0);
    expect(imported.stdout).toContain(`${RECORDS} created`);
    const deleted = await cli(['delete', 'syn-42-000010', 'syn-42-000500', 'syn-42-001099', '--db', db]);
    expect(deleted.status, deleted.stderr).toBe(0);
    // A list covers changes up to the second before it starts (snapshot semantics): let the import's second pass.
    await new Promise((resolve) => setTimeout(resolve, 1_100 - (Date.now() % 1_000)));

    serve = spawn(
      process.execPath,
      [CLI, 'serve', '--db', db, '--port', '0', '--page-size', String(PAGE_SIZE), '--repository-identifier', REPOSITORY, '--admin-email', 'oai@interop.example.org'],
      { env: { ...process.env, PUBMETA_LOG_LEVEL: 'warn', PUBMETA_OAI_SECRET: 'interop-secret-0123456789' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`serve did not print its URL: ${out}`)), 15_000);
      serve!.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
        const match = /OAI-PMH endpoint: (http:\/\/\S+)/.exec(out);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      serve!.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
    });
  });

  afterAll(async () => {
    if (serve && serve.exitCode === null) {
      serve.kill('SIGKILL');
      await new Promise((resolve) => serve!.once('exit', resolve));
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('harvests every identifier exactly once, deleted ones marked, across several pages', async () => {
    // The list really is split into pages of the configured size.
    const first = parseOai((await httpRequest(`${url}?verb=ListIdentifiers&metadataPrefix=oai_dc`)).text());
    expect(first.headers.length).toBeLessThanOrEqual(500);
    const records = parseOai((await httpRequest(`${url}?verb=ListRecords&metadataPrefix=oai_dc`)).text());
    expect(records.records).toHaveLength(PAGE_SIZE);
    expect(records.token?.completeListSize).toBe(RECORDS);

    const harvest = await runCommand('perl', [HARVEST_SCRIPT, url, 'oai_dc'], { timeoutMs: 120_000 });
    expect(harvest.status, harvest.stderr).toBe(0);
    const lines = harvest.stdout.trim().split('\n').map((line) => line.split('\t'));
    const harvested = lines.map(([identifier]) => identifier!);

    const store = await openStore(db);
    const stored = await store.records.list({}, 10 * RECORDS, { headersOnly: true });
    await store.close();
    const expected = stored.map((r) => oaiIdentifier(REPOSITORY, r.localId));
    expect(harvested).toHaveLength(RECORDS);
    expect(new Set(harvested).size).toBe(RECORDS);
    expect([...harvested].sort()).toEqual([...expected].sort());
    const deleted = lines.filter(([, , status]) => status === 'deleted').map(([identifier]) => identifier).sort();
    expect(deleted).toEqual(['syn-42-000010', 'syn-42-000500', 'syn-42-001099'].map((id) => `oai:${REPOSITORY}:${id}`));
    for (const [, datestamp] of lines) expect(datestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);

    // The same harvest page by page, each response validated: the pages HTTP::OAI received.
    const pages: string[] = [];
    let query = 'verb=ListRecords&metadataPrefix=oai_dc';
    for (let i = 0; i < 50; i++) {
      const xml = (await httpRequest(`${url}?${query}`)).text();
      expectValidOaiResponse(xml);
      const page = parseOai(xml);
      pages.push(...page.headers.map((h) => h.identifier));
      if (!page.token?.value) break;
      query = `verb=ListRecords&resumptionToken=${encodeURIComponent(page.token.value)}`;
    }
    expect(pages).toEqual(harvested);
  });

  it('stops gracefully on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => serve!.once('exit', (code) => resolve(code)));
    serve!.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
