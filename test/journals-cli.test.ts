/**
 * Journal profiles from the command line (issue 9): pubmeta journal add|set|list|show|remove on
 * both backends, export/import --journal, JATS without self-uri to a valid Crossref deposit
 * through the profile's templates, and refusals that name the profile setting to fix.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { validateXml } from '../src/validate/index.js';
import { childEnv, ROOT, runCli } from './helpers/crossrefProcesses.js';
import { describeBackends, useTestStores } from './helpers/backends.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pubmeta-journals-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = () => childEnv();
const cli = (args: string[], cwd = dir) => runCli(args, { env: env(), cwd });

/** The publisher fixture without its <self-uri>: nothing in it says where the landing page is. */
function jatsWithoutSelfUri(): string {
  const xml = readFileSync(join(ROOT, 'test/fixtures/publisher-article.jats.xml'), 'utf8').replace(/\s*<self-uri[^>]*\/>/g, '').replace(/\s*<self-uri[^>]*>[^<]*<\/self-uri>/g, '');
  expect(xml).not.toContain('self-uri');
  const file = join(dir, `article-${Math.random().toString(16).slice(2)}.jats.xml`);
  writeFileSync(file, xml);
  return file;
}

describeBackends('pubmeta journal', (backend) => {
  const stores = useTestStores(backend);

  it('adds, shows, lists, changes and removes profiles; errors name the option to fix (exit 2)', { timeout: 300_000 }, async () => {
    const { db } = await stores.target();
    const add = await cli(['journal', 'add', 'jdp', '--db', db, '--title', 'Jurnal Diplomasi Pertahanan', '--doi-prefix', '10.33172', '--landing-url', 'https://jurnalprodi.idu.ac.id/index.php/DP/article/view/{manuscript}']);
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    expect(add.stdout).toMatch(/^journal jdp: added/);

    const again = await cli(['journal', 'add', 'jdp', '--db', db, '--title', 'X']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('pubmeta journal set jdp');

    const bad = await cli(['journal', 'set', 'jdp', '--db', db, '--issn-electronic', '1234-5678', '--pdf-url', 'https://x.example.org/{article}.pdf']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--issn-electronic: ISSN check digit is wrong');
    expect(bad.stderr).toContain('--pdf-url: unknown placeholder {article}');
    expect(bad.stderr).toContain('nothing saved');

    const set = await cli(['journal', 'set', 'jdp', '--db', db, '--issn-electronic', '2549-9823', '--doi-prefix', '10.33172', '--doi-prefix', '10.5555']);
    expect(set.code).toBe(0);
    const show = await cli(['journal', 'show', 'jdp', '--json', '--db', db]);
    expect(JSON.parse(show.stdout)).toEqual({
      id: 'jdp',
      title: 'Jurnal Diplomasi Pertahanan',
      issnElectronic: '2549-9823',
      doiPrefixes: ['10.33172', '10.5555'],
      landingUrl: 'https://jurnalprodi.idu.ac.id/index.php/DP/article/view/{manuscript}',
    });
    // Two journals cannot share an ISSN.
    const clash = await cli(['journal', 'add', 'other', '--db', db, '--title', 'Other', '--issn-print', '2549-9823']);
    expect(clash.code).toBe(2);
    expect(clash.stderr).toContain('already the ISSN of journal "jdp"');

    const table = await cli(['journal', 'list', '--db', db]);
    expect(table.stdout.split('\n').slice(0, 2)).toEqual([expect.stringMatching(/^ID\s+DOI PREFIXES\s+ISSN\s+TITLE$/), expect.stringMatching(/^jdp\s+10\.33172,10\.5555\s+2549-9823\s+Jurnal Diplomasi Pertahanan$/)]);

    expect((await cli(['journal', 'remove', 'jdp', '--db', db])).code).toBe(0);
    const gone = await cli(['journal', 'show', 'jdp', '--db', db]);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain('there is no journal jdp');
    // With --json the refusal is the one JSON document on stdout, too.
    const goneJson = await cli(['journal', 'show', 'jdp', '--json', '--db', db]);
    expect(goneJson.code).toBe(2);
    expect(JSON.parse(goneJson.stdout)).toEqual({ error: { message: expect.stringContaining('there is no journal jdp'), exitCode: 2 } });
  });

  it('JATS without self-uri exports to a valid Crossref deposit whose resource and collections follow the templates', { timeout: 300_000 }, async () => {
    const { db } = await stores.target();
    const add = await cli([
      'journal', 'add', 'jcb', '--db', db,
      '--title', 'Journal of Computational Botany',
      '--doi-prefix', '10.5555',
      '--landing-url', 'https://journal.example.org/articles/{manuscript}',
      '--pdf-url', 'https://journal.example.org/articles/{manuscript}/pdf',
      '--xml-url', 'https://journal.example.org/articles/{manuscript}/xml',
      '--depositor-name', 'JCB Editorial Office', '--depositor-email', 'office@journal.example.org', '--registrant', 'Example Botanical Society',
    ]);
    expect(add.code).toBe(0);
    const out = join(dir, `out-${backend.name}`);
    const result = await cli(['export', '--format', 'crossref', '--journal', 'jcb', '--db', db, '--out', out, jatsWithoutSelfUri()]);
    expect(result.stderr).not.toMatch(/error/);
    expect(result.code).toBe(0);
    const [file] = readdirSync(join(out, 'crossref'));
    const xml = readFileSync(join(out, 'crossref', file!), 'utf8');
    expect(validateXml(xml, 'crossref-5.3.1').errors).toEqual([]);
    expect(xml).toContain('<resource>https://journal.example.org/articles/JCB-2024-0117</resource>');
    expect(xml).toMatch(/<collection property="crawler-based">\s*<item crawler="iParadigms">\s*<resource>https:\/\/journal\.example\.org\/articles\/JCB-2024-0117\/pdf<\/resource>/);
    expect(xml).toContain('<resource mime_type="application/pdf">https://journal.example.org/articles/JCB-2024-0117/pdf</resource>');
    expect(xml).toContain('<resource mime_type="application/xml">https://journal.example.org/articles/JCB-2024-0117/xml</resource>');
    // The head comes from the profile.
    expect(xml).toContain('<depositor_name>JCB Editorial Office</depositor_name>');
    expect(xml).toContain('<registrant>Example Botanical Society</registrant>');
  });

  it('import --journal sets journal.id; an unknown journal is a usage error', { timeout: 300_000 }, async () => {
    const target = await stores.target();
    const db = target.db;
    await cli(['journal', 'add', 'jcb', '--db', db, '--title', 'Journal of Computational Botany']);
    const unknown = await cli(['import', '--journal', 'nope', '--db', db, jatsWithoutSelfUri()]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no journal profile "nope"');
    const ok = await cli(['import', '--journal', 'jcb', '--db', db, jatsWithoutSelfUri()]);
    expect(ok.code).toBe(0);
    const store = await stores.reopen(target);
    const [stored] = await store.records.list({}, 10);
    expect(stored!.record!.journal.id).toBe('jcb');
  });
});

it('export: a refusal a profile could cure names the setting; no input exports the seed with its profile and creates no store', { timeout: 300_000 }, async () => {
  const cwd = mkdtempSync(join(dir, 'seed-'));
  const result = await cli(['export', '--out', 'o', '--format', 'jats'], cwd);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain('JATS 1.3 Journal Publishing requires at least one ISSN (journal.issns); set it in the journal profile: pubmeta journal set jdp --issn-electronic NNNN-NNNN');
  expect(existsSync(join(cwd, 'pubmeta.db'))).toBe(false);

  const crossref = await cli(['export', '--out', 'o', '--format', 'crossref'], cwd);
  expect(crossref.code).toBe(0);
  // One clear note names the placeholders and the command that replaces them.
  const notes = crossref.stderr.split('\n').filter((l) => /placeholder/.test(l));
  expect(notes).toHaveLength(1);
  expect(notes[0]).toContain('pubmeta journal set jdp --depositor-name NAME --depositor-email EMAIL --registrant NAME');
  const [file] = readdirSync(join(cwd, 'o', 'crossref'));
  const xml = readFileSync(join(cwd, 'o', 'crossref', file!), 'utf8');
  expect(validateXml(xml, 'crossref-5.3.1').valid).toBe(true);
  expect(xml).toContain('<depositor_name>PLACEHOLDER depositor');
  expect(existsSync(join(cwd, 'pubmeta.db'))).toBe(false);
});
