import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, SHARED_TESTDATA, oaiDcRecord, positionOf, removeFirstElement } from './helpers/xml-fixtures.js';
import { runNode } from './helpers/run-node.js';

const CLI = join(REPO_ROOT, 'dist/cli/main.js');
const CROSSREF_EXAMPLES = join(SHARED_TESTDATA, 'crossref-examples');

async function pubmeta(...args: string[]) {
  const run = await runNode([CLI, ...args], { cwd: REPO_ROOT, timeoutMs: 120_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

let work: string;

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` before the CLI tests`);
  work = mkdtempSync(join(tmpdir(), 'pubmeta-validate-cli-'));
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('pubmeta validate', () => {
  it('reports every Crossref example deposit valid and exits 0', async () => {
    const files = readdirSync(CROSSREF_EXAMPLES).filter((f) => f.endsWith('.xml')).sort().map((f) => join('../shared/testdata/crossref-examples', f));
    const run = await pubmeta('validate', ...files);
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toEqual(files.map((f) => `${f}: valid (${f.includes('5.3.1') ? 'crossref-5.3.1' : 'crossref-5.3.0'})`));
  });

  it('reports a copy without <doi_data> invalid with FILE:line:column and exits 1; problems with other files too', async () => {
    const original = readFileSync(join(CROSSREF_EXAMPLES, 'journal.article5.3.1.xml'), 'utf8');
    const articleStart = original.indexOf('<journal_article');
    const broken = original.slice(0, articleStart) + removeFirstElement(original.slice(articleStart), 'doi_data');
    const brokenFile = join(work, 'no-doi-data.xml');
    writeFileSync(brokenFile, broken);
    const malformedFile = join(work, 'malformed.xml');
    writeFileSync(malformedFile, '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/">\n  <dc:title xmlns:dc="http://purl.org/dc/elements/1.1/">x</dc:titel>\n</oai_dc:dc>\n');
    const unknownFile = join(work, 'feed.xml');
    writeFileSync(unknownFile, '<?xml version="1.0"?>\n<rss version="2.0"><channel/></rss>\n');
    const missingFile = join(work, 'does-not-exist.xml');

    const run = await pubmeta('validate', brokenFile, malformedFile, unknownFile, missingFile);
    expect(run.status).toBe(1);
    const out = run.stdout.split('\n');
    const at = positionOf(broken, broken.indexOf('<citation_list', articleStart));
    expect(out[0]).toBe(`${brokenFile}: invalid (crossref-5.3.1)`);
    expect(out[1]).toMatch(new RegExp(`^${escape(brokenFile)}:${at.line}:${at.column}: Element '\\{http://www\\.crossref\\.org/schema/5\\.3\\.1\\}citation_list': This element is not expected\\. Expected is .*doi_data`));
    expect(out[2]).toBe(`${malformedFile}: invalid (oai_dc)`);
    expect(out[3]).toMatch(new RegExp(`^${escape(malformedFile)}:2:\\d+: Opening and ending tag mismatch: title line 2 and titel`));
    expect(run.stderr).toContain(`${unknownFile}: error: unknown document type (root element rss)`);
    expect(run.stderr).toContain(`pubmeta validate: no such file: ${missingFile}`);
  });

  it('--json prints one machine-readable report', async () => {
    const good = join(work, 'good-dc.xml');
    writeFileSync(good, oaiDcRecord());
    const bad = join(work, 'bad-dc.xml');
    const badXml = oaiDcRecord('\n  <dc:subjekt>Defence</dc:subjekt>');
    writeFileSync(bad, badXml);
    const run = await pubmeta('validate', '--json', good, bad);
    expect(run.status).toBe(1);
    const report = JSON.parse(run.stdout) as { valid: boolean; files: { file: string; schema: string; valid: boolean; errors: { line: number; column: number; message: string }[] }[] };
    expect(report.valid).toBe(false);
    expect(report.files).toEqual([
      { file: good, schema: 'oai_dc', valid: true, errors: [] },
      {
        file: bad,
        schema: 'oai_dc',
        valid: false,
        errors: [{ ...positionOf(badXml, badXml.indexOf('<dc:subjekt')), message: "Element '{http://purl.org/dc/elements/1.1/}subjekt': This element is not expected." }],
      },
    ]);
  });

  it('--schema overrides detection', async () => {
    const file = join(work, 'dc-as-jats.xml');
    writeFileSync(file, oaiDcRecord());
    const run = await pubmeta('validate', '--schema', 'oai_dc', file);
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe(`${file}: valid (oai_dc)`);
    expect((await pubmeta('validate', '--schema', 'dublin-core', file)).status).not.toBe(0);
  });

  it('--help explains the command', async () => {
    const run = await pubmeta('validate', '--help');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Usage: pubmeta validate [options] <files...>');
    expect(run.stdout).toContain('--json');
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
