/**
 * Own records and harvested records (issue 9): a harvested record with the DOI of one of your
 * records is kept apart, reported by `pubmeta conflicts`, never deposited, and served by the
 * OAI provider only with --include-harvested, then with its OAI-PMH provenance container.
 * All on 127.0.0.1: an in-process OAI-PMH source, the Crossref stand-in, the CLI in processes.
 * Needs dist/.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSyntheticRecords, recordLocalId } from '../src/model/index.js';
import type { ArticleRecord } from '../src/model/types.js';
import { harvestedMetadataNamespace, judgeRecord } from '../src/harvest/commit.js';
import { startOaiServer, type RunningOaiServer } from '../src/oai/http.js';
import { harvestedLocalId, openStore, type DoiConflict, type PreparedRecord, type Store } from '../src/store/index.js';
import { validateXml } from '../src/validate/index.js';
import { validateWorkerConfig, WorkerConfigError } from '../src/worker/config.js';
import { createConfiguredWorker } from '../src/worker/index.js';
import { describeBackends, useTestStores, type TestTarget } from './helpers/backends.js';
import { startCrossrefStandIn, type CrossrefStandIn } from './helpers/crossrefStandIn.js';
import { childEnv, CLI, runCli, spawnCli, type RunningCli } from './helpers/crossrefProcesses.js';

const USER = 'provenance/role';
const PASSWORD = 'Provenance-Secret-123';
const OWN_TITLE = 'Our own article, as we publish it';
const OWN_LANDING = 'https://own.example.org/articles/1';
const HARVESTED_TITLE = 'Somebody else copy of it';
const HARVESTED_LANDING = 'https://elsewhere.example.net/view/99';
const SOURCE_REPOSITORY = 'source.example.org';

function withTitle(record: ArticleRecord, title: string, landingPage: string): ArticleRecord {
  return { ...record, title: { [record.language]: title }, landingPage };
}

const [base, other] = generateSyntheticRecords(2, 9);
/** The record you publish, DOI D. */
const own: ArticleRecord = { ...withTitle(base!, OWN_TITLE, OWN_LANDING), journal: { ...base!.journal, id: 'ownj' } };
const D = own.doi;
/** What the other repository serves: the same DOI D, another title and landing page, and one more record. */
const served = [withTitle(base!, HARVESTED_TITLE, HARVESTED_LANDING), other!];

/** What a `pubmeta serve` of `db` (with its flags) answers: ListRecords, and the pages people see. */
interface Served {
  listRecords: string;
  /** ListRecords as a browser gets it (the pages' HTML view). */
  listRecordsPage: string;
  /** The status and text of the record page of each local id asked for. */
  recordPages: { status: number; text: string }[];
  home: string;
}

/** Runs `pubmeta serve` on `db`, with its flags, asks it what Served holds, and stops it. */
async function servedBy(db: string, flags: string[], recordIds: string[]): Promise<Served> {
  const serve = spawnCli(['serve', '--db', db, '--port', '0', '--admin-email', 'oai@example.org', ...flags], {
    env: childEnv({ PUBMETA_OAI_SECRET: 'provenance-token-secret-0123456789' }),
    timeoutMs: 200_000,
  });
  try {
    const deadline = Date.now() + 90_000;
    while (!/pages for people: (\S+)/.test(serve.output().stdout)) {
      if (Date.now() > deadline || serve.child.exitCode !== null) throw new Error(`serve did not start: ${serve.output().stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const url = /OAI-PMH endpoint: (\S+)/.exec(serve.output().stdout)![1]!;
    const site = /pages for people: (\S+)/.exec(serve.output().stdout)![1]!;
    const browser = { headers: { accept: 'text/html,application/xhtml+xml' } };
    const listRecords = await (await fetch(`${url}?verb=ListRecords&metadataPrefix=oai_dc`)).text();
    const listRecordsPage = await (await fetch(`${url}?verb=ListRecords&metadataPrefix=oai_dc`, browser)).text();
    const recordPages = [];
    for (const id of recordIds) {
      const page = await fetch(new URL(`records/${encodeURIComponent(id)}`, site), browser);
      recordPages.push({ status: page.status, text: await page.text() });
    }
    const home = await (await fetch(site, browser)).text();
    return { listRecords, listRecordsPage, recordPages, home };
  } finally {
    serve.child.kill('SIGTERM');
    await serve.result;
  }
}

describeBackends('own records and harvested records', (backend) => {
  const stores = useTestStores(backend, 'suite');
  let dir: string;
  let target: TestTarget;
  let sourceStore: Store;
  let source: RunningOaiServer;
  let standIn: CrossrefStandIn;
  let env: NodeJS.ProcessEnv;
  let config: string;

  beforeAll(async () => {
    expect(existsSync(CLI), 'dist/cli/main.js is missing: run npm run build').toBe(true);
    dir = mkdtempSync(join(tmpdir(), 'pubmeta-provenance-'));
    sourceStore = await openStore(join(dir, 'source.db'));
    await sourceStore.records.upsertMany(served);
    source = await startOaiServer({
      store: sourceStore.records,
      config: { repositoryName: 'Another repository', repositoryIdentifier: SOURCE_REPOSITORY, adminEmails: ['oai@source.example.org'], tokenSecret: 'source-token-secret-0123456789' },
      port: 0,
    });
    standIn = await startCrossrefStandIn({ username: USER, password: PASSWORD, pollsBeforeCompleted: 1, validate: (xml) => validateXml(xml, 'crossref-5.3.1') });
    env = childEnv({
      PUBMETA_CROSSREF_URL: standIn.url,
      PUBMETA_CROSSREF_USER: USER,
      PUBMETA_CROSSREF_PASSWORD: PASSWORD,
      PUBMETA_DEPOSITOR_NAME: 'Provenance test',
      PUBMETA_DEPOSITOR_EMAIL: 'deposits@own.example.org',
      PUBMETA_REGISTRANT: 'Own Press',
    });
    target = await stores.target();
    // Crossref pacing for tests (the stand-in answers at once); depositor and registrant come from env.
    config = join(dir, 'pubmeta.config.json');
    writeFileSync(
      config,
      JSON.stringify({
        // Your journal: deposits send only its DOIs (its prefix); the worker saves it in the store.
        journals: [{ id: 'ownj', title: base!.journal.title, doiPrefixes: ['10.5555'] }],
        crossref: { pollInitialDelaySeconds: 0.02, pollMaxDelaySeconds: 0.1, pollTimeoutSeconds: 60 },
      }),
    );
    // OAI-PMH lists cover changes up to the second before the request: let the source's second pass.
    await new Promise((r) => setTimeout(r, 1100 - (Date.now() % 1000)));
  }, 120_000);

  afterAll(async () => {
    await source?.close();
    await sourceStore?.close();
    await standIn?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports an own record with DOI D; `harvest add` + `worker --once --job harvest` harvests a record with DOI D apart from it', async () => {
    writeFileSync(join(dir, 'own.json'), JSON.stringify(own));
    const imported = await runCli(['import', join(dir, 'own.json'), '--db', target.db], { env, timeoutMs: 150_000 });
    expect(imported.code, imported.stderr).toBe(0);
    const added = await runCli(['harvest', 'add', 'partner', source.url, '--prefix', 'jats', '--db', target.db], { env, timeoutMs: 150_000 });
    expect(added.code, added.stderr).toBe(0);
    const once = await runCli(['worker', '--once', '--job', 'harvest', '--config', config, '--db', target.db], { env, timeoutMs: 150_000 });
    expect(once.code, once.stderr + once.stdout).toBe(0);
    expect(once.stdout).toMatch(/^harvest: succeeded \(.*sources=1.*created=2/m);

    const store = await openStore(target.db);
    try {
      const mine = await store.records.get(own.id!);
      expect(mine?.record?.title).toEqual(own.title);
      expect(mine?.provenance).toBe('own:ownj');
      const copy = await store.records.get(`harvested:partner:oai:${SOURCE_REPOSITORY}:${own.id}`);
      expect(copy?.record?.doi).toBe(D);
      expect(Object.values(copy!.record!.title)).toEqual([HARVESTED_TITLE]);
      expect(copy).toMatchObject({ provenance: 'harvested:partner', sets: ['harvested:partner'] });
      expect(copy!.origin).toMatchObject({ source: 'partner', baseUrl: source.url, identifier: `oai:${SOURCE_REPOSITORY}:${own.id}` });
      // Listings cover own records unless asked for harvested ones too.
      expect((await store.records.list({}, 10)).map((r) => r.localId)).toEqual([own.id]);
      expect(await store.records.count({ includeHarvested: true })).toBe(3);
    } finally {
      await store.close();
    }
  }, 300_000);

  it('`pubmeta conflicts --json` lists D with both records, and changes nothing', async () => {
    const result = await runCli(['conflicts', '--json', '--db', target.db], { env, timeoutMs: 150_000 });
    expect(result.code, result.stderr).toBe(0);
    const conflicts = JSON.parse(result.stdout) as DoiConflict[];
    expect(conflicts).toEqual([
      {
        doi: D,
        own: [{ localId: own.id, provenance: 'own:ownj' }],
        harvested: [{ localId: `harvested:partner:oai:${SOURCE_REPOSITORY}:${own.id}`, source: 'partner', identifier: `oai:${SOURCE_REPOSITORY}:${own.id}` }],
      },
    ]);
    const text = await runCli(['conflicts', '--db', target.db], { env, timeoutMs: 150_000 });
    expect(text.stdout).toContain(D);
  }, 300_000);

  it('`deposit --dry-run` plans only the own record; a real deposit sends only its title and landing page', async () => {
    const out = join(dir, 'dry');
    const dry = await runCli(['deposit', '--dry-run', '--json', '--out', out, '--config', config, '--db', target.db], { env, timeoutMs: 150_000 });
    expect(dry.code, dry.stderr).toBe(0);
    const report = JSON.parse(dry.stdout) as { batches: { dois: string[] }[] };
    // D once (the own record); the other harvested DOI never.
    expect(report.batches.flatMap((b) => b.dois)).toEqual([D]);
    const planned = readdirSync(out).map((f) => readFileSync(join(out, f), 'utf8'));
    expect(planned).toHaveLength(1);
    expect(planned[0]).toContain(OWN_TITLE);
    expect(planned[0]).toContain(OWN_LANDING);
    expect(planned[0]).not.toContain(HARVESTED_TITLE);
    expect(planned[0]).not.toContain(HARVESTED_LANDING);
    expect(planned[0]).not.toContain(other!.doi);

    const real = await runCli(['deposit', '--json', '--config', config, '--db', target.db], { env, timeoutMs: 150_000 });
    expect(real.code, real.stderr).toBe(0);
    const sent = [...standIn.submissions.values()];
    expect(sent.flatMap((s) => s.dois)).toEqual([D]);
    for (const submission of sent) {
      expect(submission.xml).toContain(OWN_TITLE);
      expect(submission.xml).toContain(OWN_LANDING);
      expect(submission.xml).not.toContain(HARVESTED_TITLE);
      expect(submission.xml).not.toContain(HARVESTED_LANDING);
    }
  }, 300_000);

  it('`serve` lists own records only; with --include-harvested every harvested record carries a valid provenance <about>', async () => {
    const harvestedIds = served.map((r) => harvestedLocalId('partner', `oai:${SOURCE_REPOSITORY}:${recordLocalId(r)}`));
    const ownServe = await servedBy(target.db, [], harvestedIds);
    const ownOnly = ownServe.listRecords;
    expect(validateXml(ownOnly, 'oai-pmh').errors).toEqual([]);
    expect(ownOnly.match(/<record>/g)).toHaveLength(1);
    expect(ownOnly).toContain(OWN_TITLE);
    expect(ownOnly).not.toContain('<about>');
    expect(ownOnly).not.toContain('harvested:');

    // The pages for people show your own records only, too: no page for a harvested id, none in
    // the HTML view of the lists, not counted on the home page.
    expect(ownServe.recordPages.map((p) => p.status)).toEqual([404, 404]);
    expect(ownServe.listRecordsPage).toContain(OWN_TITLE);
    expect(ownServe.listRecordsPage).not.toContain(HARVESTED_TITLE);
    expect(ownServe.home).toMatch(/\b1 record\b/);

    const allServe = await servedBy(target.db, ['--include-harvested'], harvestedIds);
    expect(allServe.recordPages.map((p) => p.status)).toEqual([200, 200]);
    expect(allServe.recordPages[0]!.text).toContain(HARVESTED_TITLE);
    expect(allServe.listRecordsPage).toContain(HARVESTED_TITLE);
    const all = allServe.listRecords;
    // The whole response validates, the <about> content strictly against provenance.xsd.
    expect(validateXml(all, 'oai-pmh').errors).toEqual([]);
    const records = all.split('<record>').slice(1);
    expect(records).toHaveLength(3);
    const harvested = records.filter((r) => r.includes('<setSpec>harvested:partner</setSpec>'));
    expect(harvested).toHaveLength(2);
    for (const record of harvested) {
      const about = /<about>([\s\S]*?)<\/about>/.exec(record)?.[1];
      expect(about, record.slice(0, 300)).toBeDefined();
      expect(about).toMatch(/^<provenance xmlns="http:\/\/www.openarchives.org\/OAI\/2.0\/provenance"/);
      expect(about).toContain(`<baseURL>${source.url}</baseURL>`);
      expect(about).toMatch(new RegExp(`<identifier>oai:${SOURCE_REPOSITORY.replace(/\./g, '\\.')}:syn-9-00000[01]</identifier>`));
      expect(about).toMatch(/<datestamp>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ<\/datestamp>/);
      expect(about).toContain('<metadataNamespace>https://jats.nlm.nih.gov/ns/archiving/1.3/</metadataNamespace>');
      expect(about).toMatch(/harvestDate="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ" altered="true"/);
    }
    // The check is real: a provenance container without its metadataNamespace fails the schema.
    const broken = all.replace(/<metadataNamespace>[^<]*<\/metadataNamespace>/, '');
    expect(validateXml(broken, 'oai-pmh').valid).toBe(false);
  }, 300_000);
});

describe('worker harvest sources', () => {
  it('refuses a config naming one source twice', () => {
    const config = { sources: [{ name: 'a', url: 'http://127.0.0.1:1/oai' }, { name: 'b', url: 'http://127.0.0.1:2/oai' }, { name: 'a', url: 'http://127.0.0.1:3/oai' }] };
    expect(() => validateWorkerConfig(config)).toThrow(WorkerConfigError);
    expect(() => validateWorkerConfig(config)).toThrow(/\/sources\/2\/name: source "a" is already configured at \/sources\/0/);
  });

  it('with jobs.harvest set and no sources, the harvest job runs and does nothing; config sources are upserted into the store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pubmeta-provenance-worker-'));
    try {
      const none = await createConfiguredWorker({ config: { jobs: { harvest: { schedule: '0 * * * *' } } }, baseDir: dir }, { db: join(dir, 'a.db') });
      try {
        const outcome = await none.worker.runOnce('harvest', 'test');
        expect(outcome).toMatchObject({ job: 'harvest', status: 'succeeded', counts: { units: 0, ran: 0 } }); // one unit per store source: none, nothing run
      } finally {
        await none.close();
      }
      const configured = await createConfiguredWorker(
        { config: { sources: [{ name: 'from-config', url: 'http://127.0.0.1:9/oai', metadataPrefix: 'oai_dc' }] }, baseDir: dir },
        { db: join(dir, 'b.db') },
      );
      try {
        expect((await configured.store.harvest.listSources()).map((s) => [s.name, s.baseUrl])).toEqual([['from-config', 'http://127.0.0.1:9/oai']]);
      } finally {
        await configured.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the harvester judges each record; the store only persists', () => {
  const prepared = (over: Partial<PreparedRecord> = {}): PreparedRecord => ({
    identifier: 'oai:x.org:1',
    datestamp: '2026-01-02T00:00:00Z',
    deleted: false,
    setSpecs: [],
    recordXml: '<record/>',
    metadataXml: '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"/>',
    contentHash: 'h2',
    rawBytes: undefined,
    repairs: undefined,
    format: 'oai_dc',
    article: own,
    valid: true,
    errors: [],
    warnings: [],
    ...over,
  });
  const held = { datestamp: '2026-01-02T00:00:00Z', contentHash: 'h1', localId: 'harvested:src:oai:x.org:1', deleted: false };

  it('stale, unchanged, delete, upsert under harvested:<source>:<identifier>, invalid', () => {
    expect(judgeRecord('src', prepared({ datestamp: '2026-01-01T00:00:00Z' }), held)).toEqual({ kind: 'stale' });
    expect(judgeRecord('src', prepared({ contentHash: 'h1' }), held)).toEqual({ kind: 'unchanged' });
    expect(judgeRecord('src', prepared({ deleted: true }), held)).toEqual({ kind: 'delete', withdraw: held.localId });
    expect(judgeRecord('src', prepared({ deleted: true }), undefined)).toEqual({ kind: 'delete', withdraw: undefined });
    // Whatever its DOI (own's), a harvested record's local id is its own.
    expect(judgeRecord('src', prepared(), held)).toEqual({ kind: 'upsert', localId: 'harvested:src:oai:x.org:1' });
    expect(judgeRecord('src', prepared({ valid: false }), undefined)).toEqual({ kind: 'invalid' });
    expect(judgeRecord('src', prepared({ article: undefined }), undefined)).toEqual({ kind: 'invalid' });
  });

  it('takes the metadata namespace from the root element, else from the format', () => {
    expect(harvestedMetadataNamespace(prepared().metadataXml, 'oai_dc')).toBe('http://www.openarchives.org/OAI/2.0/oai_dc/');
    expect(harvestedMetadataNamespace('<article/>', 'jats')).toBe('https://jats.nlm.nih.gov/ns/archiving/1.3/');
  });
});
