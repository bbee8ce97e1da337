// `pubmeta export` end to end (spawns dist/cli/main.js: `npm test` builds first).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSeedSample } from '../src/model/index.js';
import { detectSchema } from '../src/formats/index.js';
import { validateXml, formatXmlErrors } from '../src/validate/index.js';
import { at, attr, one, parseXml, text, texts } from './formats-helpers.js';
import { runNode } from './helpers/run-node.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'dist/cli/main.js');
const work = mkdtempSync(join(tmpdir(), 'pubmeta-export-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function pubmeta(args: string[], env: Record<string, string> = {}) {
  const result = await runNode([cli, ...args], {
    cwd: root,
    timeoutMs: 120_000,
    env: { ...process.env, PUBMETA_DEPOSITOR_NAME: '', PUBMETA_DEPOSITOR_EMAIL: '', PUBMETA_REGISTRANT: '', ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function expectValidFile(file: string): string {
  const xml = readFileSync(file, 'utf8');
  const schema = detectSchema(xml);
  expect(schema, file).toBeDefined();
  const result = validateXml(xml, schema!);
  expect(result.valid, `${file}\n${formatXmlErrors(result.errors)}`).toBe(true);
  return xml;
}

/** Batch files of the Crossref folder, as paths relative to the output directory. */
function crossrefFiles(dir: string): string[] {
  return existsSync(join(dir, 'crossref')) ? readdirSync(join(dir, 'crossref')).filter((f) => f.endsWith('.xml')).map((f) => join('crossref', f)) : [];
}

describe('pubmeta export with no input: the bundled seed', () => {
  const out = join(work, 'seed');
  let run: Awaited<ReturnType<typeof pubmeta>>;
  beforeAll(async () => {
    run = await pubmeta(['export', '--format', 'all', '--out', out]);
  });

  it('writes the oai_dc and Crossref files, each valid against its XSD', () => {
    expect(run.stderr).toMatch(/bundled seed sample/);
    expectValidFile(join(out, 'oai_dc', 'jdp-323.xml'));
    expect(crossrefFiles(out)).toHaveLength(1);
    const xml = expectValidFile(join(out, crossrefFiles(out)[0]!));
    const article = one(parseXml(xml), 'doi_batch/body/journal/journal_article');
    expect(texts(article, 'doi_data/doi')).toEqual(['10.33172/jdp.v4i2.323']);
    expect(at(article, 'contributors/person_name').map((p) => text(one(p, 'surname')))).toEqual(['Akhli', 'Gumilar', 'Halkis']);
    expect(at(article, 'jats:abstract').map((a) => attr(a, 'xml:lang'))).toEqual(['id', 'en']);
    expect(at(article, 'citation_list/citation')).toHaveLength(loadSeedSample().references!.length);
  });

  it('writes JATS when the seed carries an ISSN, else names the missing field and exits 1', () => {
    if ((loadSeedSample().journal.issns ?? []).length > 0) {
      expectValidFile(join(out, 'jats', 'jdp-323.xml'));
      expect(run.code).toBe(0);
    } else {
      expect(run.stderr).toMatch(/JATS 1\.3 Journal Publishing requires at least one ISSN \(journal\.issns\)/);
      expect(readdirSync(join(out, 'jats'))).not.toContain('jdp-323.xml');
      expect(run.code).toBe(1);
    }
  });

  it('says where the Crossref head came from: the seed journal profile, whose placeholders are named once', () => {
    expect(run.stderr).toMatch(/journal jdp's depositor\.name, depositor\.email, registrant are placeholders: .*pubmeta journal set jdp --depositor-name NAME --depositor-email EMAIL --registrant NAME/);
    expect(run.stderr.split('\n').filter((l) => /placeholder/.test(l))).toHaveLength(1);
    expect(run.stdout).toMatch(/1 record\(s\) read/);
  });
});

describe('pubmeta export with good and malformed records', () => {
  const inputs = join(work, 'inputs');
  const out = join(work, 'mixed');
  mkdirSync(inputs, { recursive: true });
  const base = JSON.parse(readFileSync(join(root, 'samples/synthetic-edge-cases-2.json'), 'utf8')) as Record<string, any>;
  const variant = (id: string, change: (r: Record<string, any>) => void) => {
    const record = structuredClone(base);
    record.id = id;
    change(record);
    return record;
  };
  writeFileSync(
    join(inputs, 'malformed.json'),
    JSON.stringify([
      variant('no-doi', (r) => delete r.doi),
      variant('bad-orcid', (r) => (r.contributors[0].orcid = '0000-0002-1694-2330')),
      variant('bad-issn', (r) => (r.journal.issns[0].value = '1050-1241')),
      variant('blank-title', (r) => (r.title = { ar: '   ' })),
      variant('wrong-types', (r) => (r.issue.year = '2023')),
    ]),
  );
  writeFileSync(
    join(inputs, 'no-year.json'),
    JSON.stringify(
      variant('no-year', (r) => {
        r.doi = '10.5555/no.year';
        delete r.issue.year;
        delete r.issue.publicationDate;
        delete r.dates;
      }),
    ),
  );
  writeFileSync(join(inputs, 'good.json'), readFileSync(join(root, 'samples/synthetic-edge-cases-1.json')));
  let run: Awaited<ReturnType<typeof pubmeta>>;
  beforeAll(async () => {
    run = await pubmeta(['export', inputs, '--out', out, '--depositor-email', 'deposits@example.org'], {
      PUBMETA_REGISTRANT: 'Registrant From Env',
    });
  });

  it('names the field of every malformed record and writes nothing for them', () => {
    expect(run.stderr).toMatch(/malformed\.json#\/0: \/doi: /);
    expect(run.stderr).toMatch(/malformed\.json#\/1: \/contributors\/0\/orcid: /);
    expect(run.stderr).toMatch(/malformed\.json#\/2: \/journal\/issns\/0\/value: /);
    expect(run.stderr).toMatch(/malformed\.json#\/3: \/title\/ar: /);
    expect(run.stderr).toMatch(/malformed\.json#\/4: \/issue\/year: /);
    const files = ['oai_dc', 'jats', 'crossref'].flatMap((format) => readdirSync(join(out, format)));
    for (const id of ['no-doi', 'bad-orcid', 'bad-issn', 'blank-title', 'wrong-types']) {
      expect(files.some((f) => f.startsWith(`${id}.`))).toBe(false);
    }
    expect(run.code).toBe(1);
  });

  it('still exports the valid records, each file valid', () => {
    for (const file of ['oai_dc/synthetic-edge-1.xml', 'jats/synthetic-edge-1.xml', 'oai_dc/no-year.xml', 'jats/no-year.xml']) {
      expectValidFile(join(out, file));
    }
  });

  it('leaves the record without a year out of the Crossref batch, with the reason', () => {
    expect(run.stderr).toMatch(/no-year\.json: error: crossref: 10\.5555\/no\.year: Crossref requires a publication year/);
    expect(crossrefFiles(out)).toHaveLength(1);
    const batchFile = crossrefFiles(out)[0]!;
    const doc = parseXml(expectValidFile(join(out, batchFile)));
    expect(texts(doc, 'doi_batch/body/journal/journal_article/doi_data/doi')).toEqual(['10.5555/synthetic.edge.1']);
    // The file is named by the deposit's doi_batch_id: pubmeta-<UTC time to the millisecond>-<digest of its DOIs>.
    expect(batchFile).toBe(join('crossref', `${text(one(doc, 'doi_batch/head/doi_batch_id'))}.xml`));
    expect(batchFile).toMatch(/^crossref\/pubmeta-\d{17}-[0-9a-f]{8}\.xml$/);
    expect(texts(doc, 'doi_batch/head/registrant')).toEqual(['Registrant From Env']);
    expect(texts(doc, 'doi_batch/head/depositor/email_address')).toEqual(['deposits@example.org']);
    expect(run.stderr).toMatch(/synthetic record\(s\): never deposit them/);
  });

  it('leaves no temporary files behind', () => {
    expect(readdirSync(out, { recursive: true }).filter((f) => String(f).endsWith('.tmp'))).toEqual([]);
  });
});

describe('pubmeta export with one DOI in two records', () => {
  it('exports the first, rejects the second by name, and the batch carries the DOI once', async () => {
    const dir = join(work, 'same-doi');
    mkdirSync(dir, { recursive: true });
    const first = JSON.parse(readFileSync(join(root, 'samples/synthetic-edge-cases-1.json'), 'utf8'));
    writeFileSync(join(dir, 'a.json'), JSON.stringify(first));
    writeFileSync(join(dir, 'b.json'), JSON.stringify({ ...first, id: 'another-id' }));
    const out = join(dir, 'out');
    const run = await pubmeta(['export', dir, '--format', 'crossref', '--out', out]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`b.json: error: skipped: DOI ${first.doi} is already exported from`);
    const [batch] = crossrefFiles(out);
    const xml = expectValidFile(join(out, batch!));
    expect(xml.split(`<doi>${first.doi}</doi>`).length - 1).toBe(1);
  });
});

describe('pubmeta export options', () => {
  it('writes only the requested format', async () => {
    const out = join(work, 'only-dc');
    const run = await pubmeta(['export', join(root, 'samples/synthetic-edge-cases-1.json'), '--format', 'oai_dc', '--out', out]);
    expect(run.code).toBe(0);
    expect(readdirSync(out)).toEqual(['oai_dc']);
    expect(readdirSync(join(out, 'oai_dc'))).toEqual(['synthetic-edge-1.xml']);
  });

  it('rejects an unknown format and explains the choices', async () => {
    const run = await pubmeta(['export', '--format', 'mods', '--out', join(work, 'x')]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/oai_dc, jats, crossref, datacite, oai_openaire, csl, bibtex, ris, schemaorg, citation_meta, all/);
  });

  it('has --help', async () => {
    const run = await pubmeta(['export', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/--depositor-email/);
    expect(run.stdout).toMatch(/<out>\/crossref\/<batch id>\.xml/);
    expect(run.stdout).toMatch(/<out>\/oai_dc\/<local id>\.xml/);
  });
});
