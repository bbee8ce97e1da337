/**
 * The pages as `pubmeta serve` serves them, on both backends: every page is valid HTML, the
 * article <head> carries Google Scholar's citation_* tags and schema.org JSON-LD from the
 * format registry, every registered format is offered, the search box searches the store,
 * harvesters still get the engine's XML, and /status shows the stored harvest, deposit and job
 * state (a DOI the Crossref stand-in failed, with its message) to the admin token only.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FORMATS, oaiFormats } from '../src/formats/index.js';
import { generateSyntheticRecords, loadSeedSample } from '../src/model/index.js';
import { handleOaiRequest } from '../src/oai/index.js';
import { describeBackends, useTestStores } from './helpers/backends.js';
import { httpRequest, type HttpResponse } from './helpers/oai.js';
import {
  ADMIN_TOKEN,
  BROWSER_ACCEPT,
  DELETED_ID,
  expectValidHtml,
  FAILED_DOI,
  FAILED_MESSAGE,
  HARVEST_ERROR,
  startServedSite,
  type ServedSite,
} from './helpers/servedSite.js';

const SEED_DOI = '10.33172/jdp.v4i2.323';

function get(site: ServedSite, path: string, headers: Record<string, string> = {}): Promise<HttpResponse> {
  return httpRequest(`${site.origin}${path}`, { headers });
}

function metaContents(page: string, name: string): string[] {
  return [...page.matchAll(new RegExp(`<meta name="${name}" content="([^"]*)"`, 'g'))].map((m) => m[1]!.replace(/&amp;/g, '&').replace(/&quot;/g, '"'));
}

/** The XML without what depends on the second it was made (responseDate, the token and its expiry). */
const timeless = (xml: string) => xml.replace(/<responseDate>[^<]*<\/responseDate>/, '').replace(/<resumptionToken [^>]*>[^<]*<\/resumptionToken>/, '');

describeBackends('pubmeta serve --admin with the pages', (backend) => {
  let site: ServedSite;
  beforeAll(async () => {
    // A deposit head in the environment, as an operator sets it: /records/<id>.crossref can then be given.
    vi.stubEnv('PUBMETA_DEPOSITOR_NAME', 'Test Journal');
    vi.stubEnv('PUBMETA_DEPOSITOR_EMAIL', 'deposits@journal.example.org');
    vi.stubEnv('PUBMETA_REGISTRANT', 'Test Journal');
    site = await startServedSite(backend);
  }, 60_000);
  afterAll(async () => {
    vi.unstubAllEnvs();
    await site?.close();
  });

  const pages: [string, string, number][] = [
    ['home', '/', 200],
    ['search', '/search?q=gumilar', 200],
    ['seed record', '/records/jdp-323', 200],
    ['arabic record', '/records/synthetic-edge-2', 200],
    ['escaping record', '/records/synthetic-edge-1', 200],
    ['tombstone', `/records/${DELETED_ID}`, 410],
    ['Identify', '/oai?verb=Identify', 200],
    ['ListMetadataFormats', '/oai?verb=ListMetadataFormats', 200],
    ['ListSets', '/oai?verb=ListSets', 200],
    ['ListIdentifiers', '/oai?verb=ListIdentifiers&metadataPrefix=oai_dc', 200],
    ['ListRecords', '/oai?verb=ListRecords&metadataPrefix=oai_dc', 200],
    ['ListRecords oai_openaire', '/oai?verb=ListRecords&metadataPrefix=oai_openaire', 200],
    ['GetRecord jats', '/oai?verb=GetRecord&metadataPrefix=jats&identifier=oai%3Ajournal.example.org%3Asynthetic-edge-2', 200],
    ['GetRecord jats of the seed (no ISSN)', '/oai?verb=GetRecord&metadataPrefix=jats&identifier=oai%3Ajournal.example.org%3Ajdp-323', 404],
    ['badVerb', '/oai?verb=Nope', 400],
    ['cannotDisseminateFormat', '/oai?verb=ListRecords&metadataPrefix=marc21', 404],
    ['status without token', '/status', 401],
  ];

  it.each(pages)('%s (%s) answers %i with valid HTML', async (name, path, status) => {
    const response = await get(site, path, { Accept: BROWSER_ACCEPT });
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    await expectValidHtml(response.text(), `${name} ${path}`);
  });

  it('the home page names the repository, its admin, the record count, sets, formats and base URL', async () => {
    const page = (await get(site, '/', { Accept: BROWSER_ACCEPT })).text();
    expect(page).toContain('Test Journal Repository');
    expect(page).toContain('oai-admin@journal.example.org');
    expect(page).toMatch(/15 records/);
    expect(page).toContain(site.config.baseUrl);
    expect(page).toContain('Jurnal Diplomasi Pertahanan');
    for (const format of oaiFormats()) expect(page).toContain(format.oai.prefix);
    expect(page).toMatch(/<input[^>]*name="q"/);
  });

  it('paging by resumptionToken works in the HTML view', async () => {
    const first = (await get(site, '/oai?verb=ListRecords&metadataPrefix=oai_dc', { Accept: BROWSER_ACCEPT })).text();
    expect(first).toContain('Items 1–10 of 16');
    const next = /href="(\/oai\?verb=ListRecords&amp;resumptionToken=[^"]+)"/.exec(first)![1]!.replace(/&amp;/g, '&');
    const second = await get(site, next, { Accept: BROWSER_ACCEPT });
    expect(second.status).toBe(200);
    expect(second.text()).toContain('Items 11–16 of 16');
    await expectValidHtml(second.text(), 'ListRecords page 2');
  });

  it('harvesters (no Accept, */*, text/xml, XML preferred) get the engine’s XML, not HTML', async () => {
    const requests: [string, Record<string, string[]>][] = [
      ['/oai?verb=ListRecords&metadataPrefix=oai_dc', { verb: ['ListRecords'], metadataPrefix: ['oai_dc'] }],
      ['/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai%3Ajournal.example.org%3Ajdp-323', { verb: ['GetRecord'], metadataPrefix: ['oai_dc'], identifier: ['oai:journal.example.org:jdp-323'] }],
      ['/oai', {}],
    ];
    for (const [path, args] of requests) {
      for (const headers of [{} as Record<string, string>, { Accept: '*/*' }, { Accept: 'text/xml' }, { Accept: 'application/xml,text/html;q=0.5' }]) {
        const response = await get(site, path, headers);
        expect(response.status).toBe(200);
        expect(response.headers['content-type']).toBe('text/xml; charset=utf-8');
        expect(response.headers.vary).toContain('Accept');
        const engine = await handleOaiRequest(args, site.store.records, site.config, new Date());
        expect(timeless(response.text())).toBe(timeless(engine));
      }
    }
  });

  it('the search box finds records by author, title words and DOI (also as a doi.org URL), and leaves tombstones out', async () => {
    const hits = async (q: string) => {
      const page = (await get(site, `/search?q=${encodeURIComponent(q)}`, { Accept: BROWSER_ACCEPT })).text();
      return [...page.matchAll(/<a href="\/records\/([^".]+)"/g)].map((m) => decodeURIComponent(m[1]!));
    };
    expect(await hits('Nugraha Gumilar')).toEqual(['jdp-323']);
    expect(await hits('halkis')).toContain('jdp-323');
    expect(await hits('shanghai cooperation')).toEqual(['jdp-323']);
    expect(await hits(`https://doi.org/${SEED_DOI.toUpperCase()}`)).toEqual(['jdp-323']);
    expect(await hits('10.5555/withdrawn.1')).toEqual([]);
    expect(await hits('zzz-no-such-word')).toEqual([]);
  });

  it('the seed page’s head carries the citation_* tags Google Scholar requires and JSON-LD with the DOI', async () => {
    const page = (await get(site, '/records/jdp-323', { Accept: BROWSER_ACCEPT })).text();
    const head = page.slice(0, page.indexOf('</head>'));
    // Inclusion guidelines: citation_title, citation_author (each), citation_publication_date are required.
    expect(metaContents(head, 'citation_title')).toEqual(['Pola Perimbangan dan Regionalisasi Sektor Pertahanan di Shanghai Cooperation Organization']);
    expect(metaContents(head, 'citation_author')).toEqual(['Akhli, Rangga Amalul', 'Gumilar, Nugraha', 'Halkis, Mhd']);
    const [date] = metaContents(head, 'citation_publication_date');
    expect(date).toMatch(/^\d{4}(\/\d{1,2}\/\d{1,2})?$/);
    expect(metaContents(head, 'citation_journal_title')).toEqual(['Jurnal Diplomasi Pertahanan']);
    expect(metaContents(head, 'citation_doi')).toEqual([SEED_DOI]);
    expect(metaContents(head, 'citation_volume')).toEqual(['4']);
    expect(metaContents(head, 'citation_issue')).toEqual(['2']);
    // The seed has no page numbers and no ISSN, so no citation_firstpage and citation_issn.
    expect(metaContents(head, 'citation_firstpage')).toEqual([]);
    const script = /<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(head)![1]!;
    const jsonLd = JSON.parse(script) as Record<string, unknown>;
    expect(jsonLd['@type']).toBe('ScholarlyArticle');
    expect(jsonLd['@id']).toBe(`https://doi.org/${SEED_DOI}`);
    expect(jsonLd.identifier).toContainEqual({ '@type': 'PropertyValue', propertyID: 'DOI', value: SEED_DOI });
  });

  it('the record page links to every registered format the record can be given in (the others say why), and each link answers in that format', async () => {
    const page = (await get(site, '/records/jdp-323', { Accept: BROWSER_ACCEPT })).text();
    expect(page).toContain('href="/oai?verb=GetRecord&amp;metadataPrefix=oai_dc&amp;identifier=oai%3Ajournal.example.org%3Ajdp-323"');
    expect(page).toContain('href="/oai?verb=GetRecord&amp;metadataPrefix=oai_openaire&amp;identifier=oai%3Ajournal.example.org%3Ajdp-323"');
    // JATS needs an ISSN the seed lacks: GetRecord would answer cannotDisseminateFormat, so no link.
    expect(page).not.toContain('metadataPrefix=jats&amp;identifier=oai%3Ajournal.example.org%3Ajdp-323"');
    expect(page).toContain('GetRecord (jats) <span class="muted">(not available for this record:');
    const deposit = { depositor: { name: 'Test Journal', email: 'deposits@journal.example.org' }, registrant: 'Test Journal' };
    for (const format of FORMATS) {
      const response = await get(site, `/records/jdp-323.${format.id}`);
      let expected: string | undefined;
      try {
        expected = format.write(loadSeedSample(), { deposit });
      } catch {
        // The seed cannot be given in this format (JATS needs an ISSN): listed with the reason, not
        // linked; its address answers 404 with the reason.
      }
      if (expected === undefined) {
        expect(page).not.toContain(`href="/records/jdp-323.${format.id}"`);
        expect(page).toMatch(new RegExp(`<li>${format.label.replace(/[()+.*]/g, '\\$&')} <span class="muted">\\(not available for this record: [^<]+\\)</span></li>`));
        expect(response.status, format.id).toBe(404);
        expect(response.text()).toContain('cannot be given as');
        continue;
      }
      expect(page).toContain(`href="/records/jdp-323.${format.id}"`);
      expect(response.status, format.id).toBe(200);
      expect(String(response.headers['content-type'])).toContain(format.mediaType);
      // Crossref's head carries a timestamp and batch id of its own; the rest is the registry's output.
      if (format.id === 'crossref') expect(response.text()).toContain(`<doi>${SEED_DOI}</doi>`);
      else expect(response.text(), format.id).toBe(expected);
    }
  });

  it('/status answers 401 without the token; with it, the stored harvest run, the DOI Crossref failed with its message, and the job run', async () => {
    expect((await get(site, '/status', { Accept: BROWSER_ACCEPT })).status).toBe(401);
    expect((await get(site, '/status', { Authorization: 'Bearer not-the-token-at-all' })).status).toBe(401);
    const response = await get(site, '/status', { Authorization: `Bearer ${ADMIN_TOKEN}` });
    expect(response.status).toBe(200);
    const page = response.text();
    await expectValidHtml(page, '/status');
    const row = new RegExp(`<tr>\\s*<th scope="row"><span dir="ltr">${FAILED_DOI.replace(/\./g, '\\.')}</span></th>[\\s\\S]*?</tr>`).exec(page)![0];
    expect(row).toContain('<td class="state-failed">failed</td>');
    expect(row).toContain(FAILED_MESSAGE);
    expect(page).toContain(SEED_DOI);
    expect(page).toContain('ojs-demo');
    expect(page).toContain(HARVEST_ERROR);
    expect(page).toContain('<caption>Recent job runs</caption>');
    expect(page).toMatch(/<td>deposit<\/td>|>deposit</);

    const failed = (await get(site, '/status?deposits=failed', { Authorization: `Bearer ${ADMIN_TOKEN}` })).text();
    await expectValidHtml(failed, '/status?deposits=failed');
    expect(failed).toContain(FAILED_DOI);
    expect(failed).not.toContain(`>${SEED_DOI}<`);
  });
});

describeBackends('store queries behind the pages', (backend) => {
  const stores = useTestStores(backend);

  it('search matches every word in titles, names or DOI, case-insensitively, newest first, within the limit', async () => {
    const store = await stores.store();
    const records = generateSyntheticRecords(30, 11);
    await store.records.upsertMany(records);
    await store.records.upsert(loadSeedSample(), { now: new Date('2030-01-01T00:00:00Z') });
    const ids = async (q: string, limit = 50) => (await store.records.search(q, limit)).map((r) => r.localId);
    expect(await ids('GUMILAR pertahanan')).toEqual(['jdp-323']);
    expect(await ids('gumilar nonexistentword')).toEqual([]);
    expect(await ids(`doi:${SEED_DOI}`)).toEqual(['jdp-323']);
    expect(await ids('   ')).toEqual([]);
    // LIKE metacharacters are literal.
    expect(await ids('%')).toEqual([]);
    expect(await ids('_')).toEqual([]);
    // A word every synthetic DOI shares: all of them, newest (the seed is not one) first, cut at the limit.
    const prefix = records[0]!.doi.split('/')[0]!;
    const all = await ids(prefix, 1000);
    expect(all).toHaveLength(records.filter((r) => r.doi.startsWith(`${prefix}/`)).length);
    expect(await ids(prefix, 5)).toEqual(all.slice(0, 5));
    await store.records.delete('jdp-323');
    expect(await ids(SEED_DOI)).toEqual([]);
  });

  it('recentDois lists deposit rows of every target, most recently changed first, filtered by state', async () => {
    const store = await stores.store();
    await store.deposits.insertPending('https://test.crossref.org', '10.5555/a', 'a', 'h1', '2024-03-01T10:00:00Z');
    await store.deposits.insertPending('https://doi.crossref.org', '10.5555/b', 'b', 'h2', '2024-03-01T11:00:00Z');
    await store.deposits.recordLocalFailure('https://doi.crossref.org', '10.5555/b', 'b', 'h2', 'no title', '2024-03-01T12:00:00Z');
    const all = await store.deposits.recentDois({ limit: 10 });
    expect(all.map((d) => [d.target, d.doi, d.state])).toEqual([
      ['https://doi.crossref.org', '10.5555/b', 'failed'],
      ['https://test.crossref.org', '10.5555/a', 'pending'],
    ]);
    expect(all[0]!.message).toBe('no title');
    expect((await store.deposits.recentDois({ states: ['failed'], limit: 10 })).map((d) => d.doi)).toEqual(['10.5555/b']);
    expect(await store.deposits.recentDois({ limit: 1 })).toHaveLength(1);
  });
});

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

// --create: each test serves a new, empty store on purpose (without it serve refuses a missing one).
/** Runs `pubmeta serve ARGS` until it prints its endpoint (or exits); stop() ends it. */
async function spawnServe(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [CLI, 'serve', '--create', '--port', '0', '--admin-email', 'oai@example.org', ...args], {
    env: { ...process.env, PUBMETA_LOG_LEVEL: 'warn', PUBMETA_OAI_SECRET: 'pages-cli-test-secret-0123456789', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const started = await new Promise<{ url: string } | { code: number | null }>((resolve) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /OAI-PMH endpoint: (\S+)/.exec(out);
      if (match && out.includes('Ctrl-C')) resolve({ url: match[1]! });
    });
    child.once('exit', (code) => resolve({ code }));
  });
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  return { started, stdout: () => out, stderr: () => err, stop };
}

describe.skipIf(!existsSync(CLI))('the pubmeta serve command (spawned, built dist/)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pubmeta-pages-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('--admin without PUBMETA_ADMIN_TOKEN refuses to start and says why', async () => {
    const run = await spawnServe(['--db', join(dir, 'a.db'), '--admin'], { PUBMETA_ADMIN_TOKEN: '' });
    // A non-zero exit (which one is the CLI's exit-code convention's call).
    expect('code' in run.started && run.started.code).toBeGreaterThan(0);
    expect(run.stderr()).toContain('PUBMETA_ADMIN_TOKEN');
  });

  it('serves the pages by default and /status with --admin; --no-pages serves OAI-PMH only', async () => {
    const run = await spawnServe(['--db', join(dir, 'b.db'), '--admin'], { PUBMETA_ADMIN_TOKEN: ADMIN_TOKEN });
    try {
      expect('url' in run.started, run.stderr()).toBe(true);
      const origin = new URL((run.started as { url: string }).url).origin;
      expect(run.stdout()).toContain(`pages for people: ${origin}/ (operators: ${origin}/status)`);
      const home = await httpRequest(`${origin}/`, { headers: { Accept: BROWSER_ACCEPT } });
      expect(home.status).toBe(200);
      expect(home.headers['content-type']).toBe('text/html; charset=utf-8');
      expect((await httpRequest(`${origin}/oai?verb=Identify`, { headers: { Accept: BROWSER_ACCEPT } })).headers['content-type']).toBe('text/html; charset=utf-8');
      expect((await httpRequest(`${origin}/oai?verb=Identify`)).headers['content-type']).toBe('text/xml; charset=utf-8');
      expect((await httpRequest(`${origin}/status`)).status).toBe(401);
      expect((await httpRequest(`${origin}/status`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(200);
    } finally {
      await run.stop();
    }

    const plain = await spawnServe(['--db', join(dir, 'b.db'), '--no-pages'], {});
    try {
      expect('url' in plain.started, plain.stderr()).toBe(true);
      const origin = new URL((plain.started as { url: string }).url).origin;
      expect(plain.stdout()).not.toContain('pages for people');
      expect((await httpRequest(`${origin}/`, { headers: { Accept: BROWSER_ACCEPT } })).status).toBe(404);
      expect((await httpRequest(`${origin}/oai?verb=Identify`, { headers: { Accept: BROWSER_ACCEPT } })).headers['content-type']).toBe('text/xml; charset=utf-8');
    } finally {
      await plain.stop();
    }
  });
});

describe('serve refuses --admin without a usable token', () => {
  it('names PUBMETA_ADMIN_TOKEN when it is missing or short', async () => {
    const { serveStore } = await import('../src/cli/store.js');
    vi.stubEnv('PUBMETA_ADMIN_TOKEN', '');
    await expect(serveStore({ db: ':memory:', port: 0, admin: true })).rejects.toThrow(/PUBMETA_ADMIN_TOKEN/);
    vi.stubEnv('PUBMETA_ADMIN_TOKEN', 'short');
    await expect(serveStore({ db: ':memory:', port: 0, admin: true })).rejects.toThrow(/at least 16 characters/);
    vi.unstubAllEnvs();
  });
});
