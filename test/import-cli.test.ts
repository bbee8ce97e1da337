// `pubmeta import` as a user runs it (spawned dist/cli/main.js), on each store backend: strict
// decoding (invalid UTF-8 refused with the file and byte offset; --repair reports and flags),
// UTF-16 XML and JSON, JSON Lines, bounded transactions; the OAI metadata rendered after the
// records are committed, as a tracked rerender run.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticRecord } from '../src/model/index.js';
import { fragmentKey, prerenderedFormats } from '../src/oai/fragments.js';
import { describeBackends, useTestStores, type TestTarget } from './helpers/backends.js';
import { runCommand, runNode } from './helpers/run-node.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist/cli/main.js');
const JATS = readFileSync(join(ROOT, 'test/fixtures/publisher-article.jats.xml'), 'utf8');
let dir: string;

async function pubmeta(args: string[]) {
  const r = await runNode([CLI, 'import', ...args], { cwd: dir, timeoutMs: 120_000, env: { ...process.env, PUBMETA_DB: '', PUBMETA_LOG_LEVEL: 'warn' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Five records as a JSON array; record 3's title gets the Latin-1 byte 0xE9 in place of an "a". */
let badOffset = 0;
const records = Array.from({ length: 5 }, (_, i) => {
  const r = syntheticRecord(i, 7) as unknown as Record<string, unknown>;
  delete r.references;
  return r;
});

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pubmeta-import-cli-'));
  const bytes = Buffer.from(`[${records.map((r) => JSON.stringify(r)).join(',\n')}]`);
  const title = bytes.indexOf('"title"', bytes.indexOf(`"${records[3]!.id as string}"`));
  badOffset = bytes.indexOf('a', title + 10);
  bytes[badOffset] = 0xe9;
  writeFileSync(join(dir, 'bad.json'), bytes);
  writeFileSync(join(dir, 'lines.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const utf16 = (text: string, bigEndian: boolean, bom: boolean) => {
    const le = Buffer.from(`${bom ? '\uFEFF' : ''}${text}`, 'utf16le');
    return bigEndian ? le.swap16() : le;
  };
  writeFileSync(join(dir, 'article.xml'), JATS);
  const declared = JATS.replace('encoding="UTF-8"', 'encoding="UTF-16"');
  for (const bigEndian of [false, true]) {
    const name = bigEndian ? 'be' : 'le';
    writeFileSync(join(dir, `${name}-bom.xml`), utf16(declared, bigEndian, true));
    writeFileSync(join(dir, `${name}-decl.xml`), utf16(declared, bigEndian, false));
    writeFileSync(join(dir, `${name}-bom.json`), utf16(JSON.stringify(records), bigEndian, true));
  }
  const badXml = Buffer.from(JATS);
  badXml[badXml.indexOf('>', badXml.indexOf('<article-title')) + 3] = 0xe9;
  writeFileSync(join(dir, 'bad.xml'), badXml);
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describeBackends('pubmeta import: strict decoding', (backend) => {
  const stores = useTestStores(backend, 'test');
  let target: TestTarget;

  it('refuses the record with invalid UTF-8, naming the file and byte offset; imports the others; exit 1', async () => {
    target = await stores.target();
    const r = await pubmeta(['bad.json', '--db', target.db]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(`bad.json#/3: byte ${badOffset}: invalid UTF-8 (0xE9)`);
    expect(r.stdout).toContain('bad.json: 4 created, 1 invalid');
    const store = await stores.reopen(target);
    expect(await store.records.get(records[3]!.id as string)).toBeUndefined();
    expect((await store.records.stats()).total).toBe(4);
  });

  it('--repair imports it, reports the repair for the record and flags it with a note; a re-run changes nothing', async () => {
    target = await stores.target();
    const r = await pubmeta(['bad.json', '--repair', '--db', target.db]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`repaired: bad.json#/3: byte ${badOffset}: invalid UTF-8 0xE9, read as windows-1252 "é"`);
    expect(r.stderr.match(/^repaired: /gm)).toHaveLength(1);
    expect(r.stdout).toMatch(/5 created; 1 repaired and flagged/);
    const store = await stores.reopen(target);
    const stored = await store.records.get(records[3]!.id as string);
    // What the file means with its stray byte read as windows-1252 (0xE9 is "é" there).
    const bytes = readFileSync(join(dir, 'bad.json'));
    const meant = JSON.parse(Buffer.concat([bytes.subarray(0, badOffset), Buffer.from('é'), bytes.subarray(badOffset + 1)]).toString('utf8')) as { title: unknown }[];
    expect(stored!.record!.title).toEqual(meant[3]!.title);
    expect(stored!.record!.title).not.toEqual(records[3]!.title);
    expect(stored!.record!.notes!.at(-1)).toMatch(/^pubmeta import --repair: 1 invalid text sequence\(s\) repaired \(byte \d+: invalid UTF-8 0xE9, read as windows-1252 "é"\)$/);
    expect((await store.records.get(records[2]!.id as string))!.record!.notes).toBeUndefined();
    const again = await pubmeta(['bad.json', '--repair', '--db', target.db]);
    expect(again.stdout).toContain('0 created, 5 unchanged');
  });

  it('refuses an XML file with invalid UTF-8 by file and byte offset unless --repair', async () => {
    target = await stores.target();
    const offset = readFileSync(join(dir, 'bad.xml')).indexOf(0xe9);
    const r = await pubmeta(['bad.xml', '--db', target.db]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`bad.xml: byte ${offset}: invalid UTF-8 (0xE9)`);
    const repaired = await pubmeta(['bad.xml', '--repair', '--db', target.db]);
    expect(repaired.code, repaired.stderr).toBe(0);
    expect(repaired.stderr).toContain(`repaired: bad.xml: byte ${offset}: invalid UTF-8 0xE9`);
    expect(repaired.stdout).toContain('bad.xml: 1 created');
  });

  it('reads UTF-16 LE and BE XML, with a BOM or only an encoding declaration, as the same record as UTF-8', async () => {
    target = await stores.target();
    expect((await pubmeta(['article.xml', '--db', target.db])).stdout).toContain('article.xml: 1 created');
    const r = await pubmeta(['le-bom.xml', 'le-decl.xml', 'be-bom.xml', 'be-decl.xml', '--db', target.db]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/not valid JSON/);
    for (const name of ['le-bom', 'le-decl', 'be-bom', 'be-decl']) expect(r.stdout).toContain(`${name}.xml: 0 created, 1 unchanged`);
  });

  it('reads UTF-16 JSON with a BOM, and JSON Lines named by line, in transactions of --batch-size records', async () => {
    target = await stores.target();
    const lines = await pubmeta(['lines.jsonl', '--batch-size', '2', '--db', target.db]);
    expect(lines.code, lines.stderr).toBe(0);
    expect(lines.stdout).toContain('5 created in 3 transaction(s)');
    const r = await pubmeta(['le-bom.json', 'be-bom.json', '--db', target.db]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('le-bom.json: 0 created, 5 unchanged');
    expect(r.stdout).toContain('be-bom.json: 0 created, 5 unchanged');
    const broken = join(dir, `broken-${backend.name}.jsonl`);
    writeFileSync(broken, `${JSON.stringify(records[0])}\n{"id": "x",}\n`);
    const b = await pubmeta([broken, '--db', target.db]);
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/broken-\w+\.jsonl:2: not valid JSON: line 2 column 12: /);
  });

  it('renders every record in every OAI format after committing them, as a rerender run; --no-render leaves it, the next import finishes it', async () => {
    target = await stores.target();
    const skipped = await pubmeta(['lines.jsonl', '--no-render', '--db', target.db]);
    expect(skipped.code, skipped.stderr).toBe(0);
    expect(skipped.stdout).not.toContain('OAI metadata');
    let store = await stores.reopen(target);
    const formats = prerenderedFormats();
    for (const format of formats) expect(await store.records.listUnrendered(fragmentKey(format)!, '', 10)).toHaveLength(5);
    const again = await pubmeta(['lines.jsonl', '--json', '--db', target.db]);
    expect(again.code, again.stderr).toBe(0);
    const summary = JSON.parse(again.stdout) as { unchanged: number; rendered: { parts: number; notDisseminable: number }; seconds: { records: number; render: number } };
    expect(summary.unchanged).toBe(5);
    expect(summary.rendered).toEqual({ parts: 5 * formats.length, notDisseminable: 0 });
    store = await stores.reopen(target);
    for (const format of formats) expect(await store.records.listUnrendered(fragmentKey(format)!, '', 10)).toEqual([]);
    const [run] = await store.jobs.recentRuns({ limit: 1, job: 'rerender' });
    expect(run).toMatchObject({ trigger: 'import', status: 'succeeded' });
    const nothingLeft = await pubmeta(['lines.jsonl', '--db', target.db]);
    expect(nothingLeft.stdout).toContain('0 created, 5 unchanged');
    expect(nothingLeft.stdout).not.toContain('OAI metadata');
  });
});

// Issue 11 §2: "It shows progress on a TTY, as the harvester does." `script` gives the CLI a terminal.
describe('pubmeta import on a terminal', () => {
  const hasScript = spawnSync('script', ['--version']).status === 0;
  const onTerminal = (args: string[]) => {
    const command = [process.execPath, CLI, 'import', ...args].map((a) => `'${a}'`).join(' ');
    return runCommand('script', ['-qec', command, '/dev/null'], { cwd: dir, timeoutMs: 120_000, env: { ...process.env, PUBMETA_DB: '', COLUMNS: '160' } });
  };

  it.skipIf(!hasScript)('draws a progress bar with records committed, bytes, rate and file; none with --no-progress or piped', async () => {
    writeFileSync(join(dir, 'many.json'), JSON.stringify(Array.from({ length: 2500 }, (_, i) => syntheticRecord(i, 5))));
    const tty = await onTerminal(['many.json', '--db', join(dir, 'tty.db'), '--no-render', '--batch-size', '500']);
    expect(tty.status, tty.stderr).toBe(0);
    expect(tty.stdout).toMatch(/\[[█░]+\] \d+% \| \d+ records committed \| [\d.]+ MB \| \d+ rec\/s \| many\.json/);
    expect(tty.stdout).toMatch(/\[█+\] 100% \| 2500 records committed/);
    expect(tty.stdout).toContain('2500 created');

    const quiet = await onTerminal(['many.json', '--db', join(dir, 'tty-quiet.db'), '--no-render', '--no-progress']);
    expect(quiet.status, quiet.stderr).toBe(0);
    expect(quiet.stdout).toContain('2500 created');
    expect(quiet.stdout).not.toMatch(/[█░]/);

    const piped = await pubmeta(['many.json', '--db', join(dir, 'piped.db'), '--no-render']);
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stderr).not.toMatch(/[█░]/);
  });
});
