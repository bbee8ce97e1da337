// `pubmeta export` and `pubmeta import` on XML inputs chosen by content (spawns dist/cli/main.js:
// `npm test` builds first). Expected values come from the input files, parsed here on their own.
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/index.js';
import { formatXmlErrors, validateXml } from '../src/validate/index.js';
import { at, attr, one, parseXml, text, texts, type XNode } from './formats-helpers.js';
import { loadRecordInputs } from '../src/cli/inputs.js';
import { BIG_REFS, writeBigJats } from './readers-helpers.js';
import { runNode } from './helpers/run-node.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'dist/cli/main.js');
const FIXTURE = join(root, 'test/fixtures/publisher-article.jats.xml');
const EXAMPLES = join(root, '../shared/testdata/crossref-examples');
const work = mkdtempSync(join(tmpdir(), 'pubmeta-readers-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function pubmeta(args: string[]) {
  const result = await runNode([cli, ...args], {
    cwd: root,
    timeoutMs: 180_000,
    env: { ...process.env, PUBMETA_DEPOSITOR_NAME: 'Readers Test', PUBMETA_DEPOSITOR_EMAIL: 'readers@example.org', PUBMETA_REGISTRANT: 'pubmeta tests', PUBMETA_DB: '' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, signal: result.signal };
}

function onlyCrossrefFile(dir: string): string {
  const files = readdirSync(join(dir, 'crossref')).filter((f) => f.endsWith('.xml'));
  expect(files).toHaveLength(1);
  return readFileSync(join(dir, 'crossref', files[0]!), 'utf8');
}

const collapse = (s: string): string => s.replace(/\s+/g, ' ').trim();
const fixtureXml = readFileSync(FIXTURE, 'utf8');

describe('pubmeta export --format crossref on a publisher JATS article', () => {
  const out = join(work, 'publisher');
  const jats = parseXml(readFileSync(FIXTURE, 'utf8'));
  const meta = one(jats, 'article/front/article-meta');
  let run: Awaited<ReturnType<typeof pubmeta>>;
  let deposit: string;
  let article: XNode;
  beforeAll(async () => {
    run = await pubmeta(['export', '--format', 'crossref', FIXTURE, '--out', out]);
    deposit = run.code === 0 ? onlyCrossrefFile(out) : '';
    article = deposit ? one(parseXml(deposit), 'doi_batch/body/journal/journal_article') : ({} as XNode);
  }, 180_000);

  it('succeeds and prints the reader warnings', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/warning: jats: .*on-behalf-of/);
    expect(run.stderr).toMatch(/warning: jats: .*alt-title/);
  });

  it('writes a deposit valid against Crossref 5.3.1', () => {
    const result = validateXml(deposit, 'crossref-5.3.1');
    expect(result.valid, formatXmlErrors(result.errors)).toBe(true);
    expect(texts(article, 'doi_data/doi')).toEqual([texts(meta, 'article-id').find((_, i) => attr(at(meta, 'article-id')[i], 'pub-id-type') === 'doi')!.toLowerCase()]);
  });

  it('carries every contributor with the right affiliations and ORCID', () => {
    const affs = new Map(at(meta, 'contrib-group/aff').map((aff) => [attr(aff, 'id')!, aff]));
    const contribs = at(meta, 'contrib-group/contrib');
    const persons = at(article, 'contributors/person_name');
    const expectedPersons = contribs.filter((c) => at(c, 'collab').length === 0);
    expect(persons).toHaveLength(expectedPersons.length);
    expectedPersons.forEach((contrib, index) => {
      const person = persons[index]!;
      const name = at(contrib, 'name').find((n) => !attr(n, 'xml:lang')) ?? at(contrib, 'name-alternatives/name').find((n) => !attr(n, 'xml:lang'))!;
      expect(texts(person, 'surname')).toEqual(texts(name, 'surname'));
      expect(person['@contributor_role']).toBe(attr(contrib, 'contrib-type'));
      const orcid = [...texts(contrib, 'contrib-id'), ...texts(contrib, 'uri')].map((s) => /\d{4}-\d{4}-\d{4}-\d{3}[\dX]/.exec(s)?.[0]).find(Boolean);
      expect(texts(person, 'ORCID')).toEqual(orcid ? [`https://orcid.org/${orcid}`] : []);
      // Affiliations: xref'd affs, then affs nested in the contrib; each by its ROR id and its institution names.
      const expectedAffs = [...at(contrib, 'xref').filter((x) => attr(x, 'ref-type') === 'aff').map((x) => affs.get(attr(x, 'rid')!)!), ...at(contrib, 'aff')];
      const institutions = at(person, 'affiliations/institution');
      expect(institutions).toHaveLength(expectedAffs.length);
      expectedAffs.forEach((aff, i) => {
        const institution = institutions[i]!;
        const ror = at(aff, 'institution-wrap/institution-id').filter((id) => attr(id, 'institution-id-type') === 'ror').map((id) => text(id).replace(/^(https:\/\/)?ror\.org\//, ''));
        expect(texts(institution, 'institution_id').map((id) => id.replace('https://ror.org/', ''))).toEqual(ror);
        const names = texts(aff, 'institution-wrap/institution');
        // An untagged aff prints its institution as text: everything but the label and the country.
        const raw = new RegExp(`<aff id="${attr(aff, 'id')}">([\\s\\S]*?)</aff>`).exec(fixtureXml)?.[1] ?? '';
        const untagged = collapse(raw.replace(/<label>.*?<\/label>|<country[^>]*>.*?<\/country>/g, '').replace(/<[^>]+>/g, '')).replace(/,$/, '');
        const printed = names.length > 0 ? names : [untagged];
        for (const part of printed) expect(texts(institution, 'institution_name')[0]).toContain(collapse(part));
      });
    });
    const collabs = contribs.flatMap((c) => at(c, 'collab')).map((c) => collapse(text(c)));
    expect(texts(article, 'contributors/organization').map(collapse)).toEqual(collabs);
  });

  it('carries the licence and the funding', () => {
    const license = texts(meta, 'permissions/license/ali:license_ref')[0]!.trim();
    expect(texts(article, 'ai:program/ai:license_ref')).toEqual([license]);
    const groups = at(article, 'fr:program/fr:assertion');
    const awardGroups = at(meta, 'funding-group/award-group');
    expect(groups).toHaveLength(awardGroups.length);
    awardGroups.forEach((award, index) => {
      const group = groups[index]!;
      const funder = at(group, 'fr:assertion').find((a) => attr(a, 'name') === 'funder_name')!;
      const wrapName = texts(award, 'funding-source/institution-wrap/institution')[0];
      expect(collapse(text(funder))).toBe(collapse(wrapName ?? texts(award, 'funding-source')[0]!));
      const funderId = texts(award, 'funding-source/institution-wrap/institution-id')[0];
      const depositedId = at(funder, 'fr:assertion').map(text)[0];
      if (funderId) expect(depositedId?.replace(/^https:\/\/doi\.org\//, '')).toBe(funderId.replace(/^https?:\/\/(dx\.)?doi\.org\//, ''));
      else expect(depositedId).toBeUndefined();
      const awards = at(group, 'fr:assertion').filter((a) => attr(a, 'name') === 'award_number').map(text);
      expect(awards).toEqual(texts(award, 'award-id'));
    });
  });

  it('carries every reference with its DOI', () => {
    const refs = at(one(jats, 'article/back'), 'ref-list/ref');
    expect(refs.length).toBeGreaterThanOrEqual(50);
    const citations = at(article, 'citation_list/citation');
    expect(citations.map((c) => attr(c, 'key'))).toEqual(refs.map((r) => attr(r, 'id')));
    const xml = readFileSync(FIXTURE, 'utf8');
    refs.forEach((ref, index) => {
      const refXml = new RegExp(`<ref id="${attr(ref, 'id')}">([\\s\\S]*?)</ref>`).exec(xml)![1]!;
      const doi = /pub-id-type="doi">([^<]+)</.exec(refXml)?.[1] ?? /https:\/\/doi\.org\/([^"<\s]+)/.exec(refXml)?.[1];
      expect(texts(citations[index], 'doi'), attr(ref, 'id')).toEqual(doi ? [doi.toLowerCase()] : []);
    });
  });

  it('keeps the MathML of the title and the structured abstract', () => {
    expect(deposit).toMatch(/<title>Light-driven <mml:math[^>]*><mml:msub><mml:mi mathvariant="normal">O<\/mml:mi><mml:mn>2<\/mml:mn><\/mml:msub><\/mml:math> evolution in <i>Chlamydomonas reinhardtii<\/i>/);
    const sections = at(article, 'jats:abstract/jats:sec');
    expect(sections.map((s) => texts(s, 'jats:title')[0])).toEqual(at(meta, 'abstract').flatMap((a) => at(a, 'sec')).map((s) => texts(s, 'title')[0]));
  });
});

describe('pubmeta import of Crossref example deposits', () => {
  for (const name of ['journal.article5.3.1.xml', 'journal.article5.3.0.xml', 'journal.vol.issue5.3.0.xml']) {
    it(name, async () => {
      const db = join(work, `${name}.db`);
      const run = await pubmeta(['import', '--db', db, join(EXAMPLES, name)]);
      expect(run.code, run.stderr).toBe(0);
      const batch = parseXml(readFileSync(join(EXAMPLES, name), 'utf8'));
      const articles = at(batch, 'doi_batch/body/journal/journal_article');
      const handle = await openStore(db);
      try {
        const stored = (await handle.records.list({}, 100)).map((s) => s.record!);
        expect(stored.map((r) => r.doi).sort()).toEqual(articles.map((a) => texts(a, 'doi_data/doi')[0]!.toLowerCase()).sort());
        for (const article of articles) {
          const record = stored.find((r) => r.doi === texts(article, 'doi_data/doi')[0]!.toLowerCase())!;
          expect(record.title[record.language]).toBe(collapse(texts(article, 'titles/title')[0]!));
          expect(record.contributors.filter((c) => c.type === 'person').map((c) => [c.given, c.family])).toEqual(
            at(article, 'contributors/person_name').map((p) => [texts(p, 'given_name')[0], texts(p, 'surname')[0]]),
          );
          const citations = at(article, 'citation_list/citation');
          expect(record.references!.map((r) => [r.key, r.doi])).toEqual(citations.map((c) => [attr(c, 'key'), texts(c, 'doi')[0]?.toLowerCase()]));
        }
        if (articles.length === 0) expect(run.stderr).toMatch(/no records/);
        else expect(run.stderr).toMatch(/anonymous contributor dropped/);
      } finally {
        await handle.close();
      }
    });
  }
});

describe('inputs are chosen by content, not by name', () => {
  it('a JATS file named .json exports, and a Crossref deposit converts to JATS', async () => {
    const disguised = join(work, 'article.json');
    copyFileSync(FIXTURE, disguised);
    const out = join(work, 'disguised');
    const run = await pubmeta(['export', '--format', 'oai_dc', disguised, '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    // The local id is the DOI; "/" is percent-encoded in the file name.
    expect(readdirSync(join(out, 'oai_dc'))).toContain('10.5555%2Fjcb.2024.0117.xml');

    const toJats = join(work, 'from-crossref');
    const converted = await pubmeta(['export', '--format', 'jats', join(EXAMPLES, 'journal.article5.3.1.xml'), '--out', toJats]);
    expect(converted.code, converted.stderr).toBe(0);
    const jats = readFileSync(join(toJats, 'jats', readdirSync(join(toJats, 'jats')).find((f) => f.endsWith('.xml'))!), 'utf8');
    expect(validateXml(jats, 'jats').valid).toBe(true);
    expect(jats).toContain('<article-id pub-id-type="doi">10.5555/n0hrokm</article-id>');
  });
});

describe('XML inputs in other encodings', () => {
  it('an ISO-8859-1 oai_dc file is decoded by its XML declaration', async () => {
    const file = join(work, 'latin1.xml');
    const xml = `<?xml version="1.0" encoding="ISO-8859-1"?>
<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:title>Études françaises</dc:title><dc:creator>Lefèvre, Hélène</dc:creator><dc:language>fr</dc:language>
<dc:identifier>https://doi.org/10.5555/latin1</dc:identifier><dc:source>Revue d'Exemple; Vol 1 No 1 (2020)</dc:source><dc:date>2020-01-01</dc:date></oai_dc:dc>`;
    writeFileSync(file, Buffer.from(xml, 'latin1'));
    const [input] = await loadRecordInputs([file]);
    expect(input!.errors).toEqual([]);
    expect(input!.record?.title).toEqual({ fr: 'Études françaises' });
    expect(input!.record?.contributors[0]).toMatchObject({ family: 'Lefèvre', given: 'Hélène' });
  });
});

describe('malformed JATS on the command line', () => {
  it('not well-formed: names the file, line and column; exit 1; nothing written', async () => {
    const file = join(work, 'broken.xml');
    writeFileSync(file, '<?xml version="1.0"?>\n<article>\n<front>\n<article-meta></front>\n</article>\n');
    const out = join(work, 'broken-out');
    const run = await pubmeta(['export', '--format', 'crossref', file, '--out', out]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*4:\\d+ not well-formed XML`));
  });

  it('a DTD with an external entity pointing at a local file: warned, the file never read', async () => {
    const secretFile = join(work, 'secret.txt');
    const secret = `CLI-SECRET-${process.pid}-${Date.now()}`;
    writeFileSync(secretFile, secret);
    const xml = readFileSync(FIXTURE, 'utf8')
      .replace(/<!DOCTYPE[^>]*>/, `<!DOCTYPE article SYSTEM "file://${secretFile}" [<!ENTITY secret SYSTEM "file://${secretFile}">]>`)
      // Where the reader drops or skips content, so the exports succeed and can be searched.
      .replace('<alt-title alt-title-type="running-head">', '<alt-title alt-title-type="running-head">&secret; ')
      .replace('<body>', '<body><p>&secret;</p>');
    const file = join(work, 'xxe.xml');
    writeFileSync(file, xml);
    const out = join(work, 'xxe-out');
    const run = await pubmeta(['export', '--format', 'all', file, '--out', out]);
    expect(run.stderr).toMatch(/external entities \(secret\).*not resolved/);
    const written = (readdirSync(out, { recursive: true }) as string[])
      .filter((f) => f.endsWith('.xml'))
      .map((f) => readFileSync(join(out, f), 'utf8'))
      .join('\n');
    expect(written.length).toBeGreaterThan(0);
    expect(written + run.stdout + run.stderr).not.toContain(secret);
  });

  it('missing article-meta: a clear error, exit 1', async () => {
    const file = join(work, 'no-meta.xml');
    writeFileSync(file, '<article><front><journal-meta><journal-title>J</journal-title></journal-meta></front></article>');
    const run = await pubmeta(['import', '--db', join(work, 'no-meta.db'), file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/no-meta\.xml: .*front>\/<article-meta>/);
  });

  it('a 50 MB article converts to a Crossref deposit in bounded time', async () => {
    const file = join(work, 'big.jats.xml');
    writeBigJats(file, 50 * 1024 * 1024);
    const out = join(work, 'big-out');
    const started = Date.now();
    const run = await pubmeta(['export', '--format', 'crossref', file, '--out', out]);
    expect(run.signal, 'killed by the timeout').toBeNull();
    expect(run.code, run.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(180_000);
    const deposit = onlyCrossrefFile(out);
    expect(deposit.match(/<citation /g)).toHaveLength(BIG_REFS);
  });
});
