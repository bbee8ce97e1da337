/**
 * `pubmeta start` (npm start) is a demo: it keeps your default store clean (issue 9). It uses
 * its own store file, defines the seed's journal there, and writes the seed's oai_dc and
 * Crossref files (the Crossref file validates; its depositor placeholders are named once).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openStore } from '../src/store/index.js';
import { validateXml } from '../src/validate/index.js';
import { childEnv, spawnCli, waitFor } from './helpers/crossrefProcesses.js';

const dir = mkdtempSync(join(tmpdir(), 'pubmeta-start-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('npm start leaves ./pubmeta.db absent, fills ./pubmeta-demo.db, writes the seed\'s oai_dc and a valid Crossref file', { timeout: 300_000 }, async () => {
  const running = spawnCli(['start', '--port', '0'], { cwd: dir, env: childEnv({ PUBMETA_DB: join(dir, 'pubmeta.db') }), timeoutMs: 280_000 });
  try {
    await waitFor(() => /Ctrl-C stops/.test(running.output().stdout) || running.child.exitCode !== null, 270_000, 'the demo to start');
  } finally {
    running.child.kill('SIGTERM');
  }
  const result = await running.result;
  expect(result.stderr).not.toMatch(/error/i);
  expect(result.stdout).toMatch(/^demo store: .*pubmeta-demo\.db/m);
  expect(existsSync(join(dir, 'pubmeta.db'))).toBe(false);
  expect(existsSync(join(dir, 'pubmeta-demo.db'))).toBe(true);

  expect(readFileSync(join(dir, 'out', 'oai_dc', 'jdp-323.xml'), 'utf8')).toContain('10.33172/jdp.v4i2.323');
  const crossrefFiles = readdirSync(join(dir, 'out', 'crossref')).filter((n) => n.endsWith('.xml'));
  expect(crossrefFiles).toHaveLength(1);
  const xml = readFileSync(join(dir, 'out', 'crossref', crossrefFiles[0]!), 'utf8');
  expect(validateXml(xml, 'crossref-5.3.1').errors).toEqual([]);
  expect(xml).toContain('<resource>https://jurnalprodi.idu.ac.id/index.php/DP/article/view/323</resource>');
  expect(result.stdout).toMatch(/seed files: .*out\/oai_dc\/jdp-323\.xml.*out\/crossref\/pubmeta-/);
  const notes = result.stdout.split('\n').filter((l) => /placeholder/.test(l));
  expect(notes).toHaveLength(1);
  expect(notes[0]).toContain('pubmeta journal set jdp --depositor-name NAME --depositor-email EMAIL --registrant NAME');

  const store = await openStore(join(dir, 'pubmeta-demo.db'));
  try {
    expect((await store.journals.get('jdp'))?.doiPrefixes).toEqual(['10.33172']);
    expect((await store.records.get('jdp-323'))?.record?.journal.title).toBe('Jurnal Diplomasi Pertahanan');
    expect((await store.records.stats()).total).toBeGreaterThan(1);
  } finally {
    await store.close();
  }
});
