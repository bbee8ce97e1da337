/**
 * Deposits send only your own DOIs: records of one of your journals whose DOI lies under one
 * of its DOI prefixes (issue 9). And nothing Crossref echoes back carries the password.
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { loadSeedSample, type ArticleRecord } from '../src/model/index.js';
import { loadSeedJournalProfile, type JournalProfile } from '../src/journals/index.js';
import { CrossrefDepositState, depositTarget, redactSecrets, runCrossrefDeposit, type CrossrefDepositSettings } from '../src/crossref/index.js';
import { validateXml } from '../src/validate/index.js';
import { startCrossrefStandIn, type CrossrefStandIn } from './helpers/crossrefStandIn.js';
import { FAST_CLIENT, TEST_DEPOSITOR } from './helpers/crossrefFixtures.js';
import { childEnv, runCli } from './helpers/crossrefProcesses.js';
import { describeBackends, useTestStores } from './helpers/backends.js';

const USER = 'journal-tests';
// Characters that every encoding writes differently: space, plus, ampersand, slash, percent, non-ASCII.
const PASSWORD = 'p4ss w+rd&/%ü-secret';

/** The seed's journal with real depositor details (the bundled profile has placeholders). */
const jdp: JournalProfile = { ...loadSeedJournalProfile(), ...TEST_DEPOSITOR };

/** A record claiming the seed's journal but with a DOI outside its prefix. */
function foreignDoiRecord(): ArticleRecord {
  const seed = loadSeedSample();
  return { ...seed, id: 'foreign-1', doi: '10.9999/other.1', landingPage: 'https://elsewhere.example.org/1' };
}

/** A record of a journal with no profile. */
function unprofiledRecord(): ArticleRecord {
  const seed = loadSeedSample();
  return { ...seed, id: 'other-journal-1', doi: '10.33172/other.1', journal: { title: 'Some Other Journal' } };
}

/** The seed without a landing page: the profile's template supplies it. */
function seedWithoutLanding(): ArticleRecord {
  const { landingPage: _none, ...seed } = loadSeedSample();
  return seed as ArticleRecord;
}

describeBackends('deposits send only own DOIs', (backend) => {
  const stores = useTestStores(backend);
  let standIn: CrossrefStandIn;
  beforeAll(async () => {
    standIn = await startCrossrefStandIn({ username: USER, password: PASSWORD, pollsBeforeCompleted: 1, validate: (xml) => validateXml(xml, 'crossref-5.3.1') });
  });
  afterAll(async () => {
    await standIn.close();
  });
  beforeEach(() => standIn.clearVerdicts());
  afterEach(() => standIn.clearVerdicts());

  const settings = (): CrossrefDepositSettings => ({
    ...TEST_DEPOSITOR,
    baseUrl: standIn.url,
    credentials: { username: USER, password: PASSWORD },
    pollTimeoutMs: 10_000,
    client: FAST_CLIENT,
  });

  it('plans only the journal\'s own DOI; a DOI outside its prefixes is refused naming the journal and prefixes', async () => {
    const store = await stores.store();
    await store.journals.upsert(jdp);
    await store.records.upsertMany([seedWithoutLanding(), foreignDoiRecord(), unprofiledRecord()]);
    const report = await runCrossrefDeposit({ store, settings: settings(), dryRun: true });
    expect(report.batches.flatMap((b) => b.dois)).toEqual(['10.33172/jdp.v4i2.323']);
    const reasons = new Map(report.skipped.map((s) => [s.doi, s.reason]));
    expect(reasons.get('10.9999/other.1')).toBe(
      '10.9999/other.1: not deposited: the DOI is outside the DOI prefixes of journal jdp (Jurnal Diplomasi Pertahanan): 10.33172',
    );
    expect(reasons.get('10.33172/other.1')).toMatch(/no journal profile/);
    // The landing page comes from the profile's template ({manuscript} = the publisher id 323).
    const xml = report.batches[0]!.xml!;
    expect(xml).toContain('<resource>https://jurnalprodi.idu.ac.id/index.php/DP/article/view/323</resource>');
    expect(validateXml(xml, 'crossref-5.3.1').valid).toBe(true);
  });

  it('sends nothing without a journal profile; adding the profile queues the record on the next run', async () => {
    const store = await stores.store();
    await store.records.upsert(loadSeedSample());
    const before = standIn.submissions.size;
    const first = await runCrossrefDeposit({ store, settings: settings() });
    expect(first.sent).toBe(0);
    expect(first.skipped.map((s) => s.doi)).toEqual(['10.33172/jdp.v4i2.323']);
    expect(standIn.submissions.size).toBe(before);
    const state = new CrossrefDepositState(store, depositTarget(standIn.url));
    expect(await state.list()).toEqual([]);

    await store.journals.upsert(jdp);
    const second = await runCrossrefDeposit({ store, settings: settings() });
    expect(second.sent).toBe(1);
    expect(second.registered).toBe(1);
    const sent = [...standIn.submissions.values()].at(-1)!;
    expect(sent.dois).toEqual(['10.33172/jdp.v4i2.323']);
  });

  it('a DOI queued under an old profile is not sent once the profile no longer owns it', async () => {
    const store = await stores.store();
    await store.journals.upsert({ ...jdp, doiPrefixes: ['10.33172', '10.9999'] });
    await store.records.upsert(foreignDoiRecord());
    const state = new CrossrefDepositState(store, depositTarget(standIn.url));
    await state.syncFromStore({ includeSynthetic: true, journals: await store.journals.list() });
    expect((await state.list()).map((r) => [r.doi, r.state])).toEqual([['10.9999/other.1', 'pending']]);
    await store.journals.upsert(jdp);
    const report = await runCrossrefDeposit({ store, settings: settings() });
    expect(report.sent).toBe(0);
    expect(report.skipped[0]!.reason).toMatch(/outside the DOI prefixes of journal jdp .*: 10\.33172$/);
    expect(await state.list()).toEqual([]);
  });

  it('stores and reports no form of the password, even when Crossref echoes it back', async () => {
    const store = await stores.store();
    await store.journals.upsert(jdp);
    await store.records.upsert(loadSeedSample());
    const forms = [
      PASSWORD,
      encodeURIComponent(PASSWORD),
      encodeURIComponent(PASSWORD).toLowerCase(),
      new URLSearchParams({ p: PASSWORD }).toString().slice(2),
      encodeURIComponent(PASSWORD).replace(/%20/g, '+'),
    ];
    expect(new Set(forms).size).toBeGreaterThanOrEqual(4);
    standIn.failDoi('10.33172/jdp.v4i2.323', `login_passwd=${forms[0]} pwd=${forms[1]} lower=${forms[2]} form=${forms[3]} plus=${forms[4]}`);
    const report = await runCrossrefDeposit({ store, settings: settings() });
    expect(report.failed).toBe(1);
    const state = new CrossrefDepositState(store, depositTarget(standIn.url));
    const [row] = await state.list();
    expect(row!.message).toContain('[redacted]');
    const stored = JSON.stringify([await state.list(), await state.recentBatches(10), report]);
    for (const form of forms) expect(stored).not.toContain(form);
  });
});

it('redactSecrets removes raw, percent-encoded (either case), form-encoded and escaped forms', () => {
  const text = [
    PASSWORD,
    encodeURIComponent(PASSWORD),
    encodeURIComponent(PASSWORD).toLowerCase(),
    new URLSearchParams({ p: PASSWORD }).toString().slice(2),
    PASSWORD.replace(/&/g, '&amp;'),
    Buffer.from(PASSWORD).toString('base64'),
  ].join(' | ');
  const out = redactSecrets(text, [PASSWORD]);
  expect(out).toBe(Array(6).fill('[redacted]').join(' | '));
});

describeBackends('pubmeta deposit on the command line', (backend) => {
  const stores = useTestStores(backend);

  it('refuses an explicitly requested DOI outside the journal\'s prefixes (exit 1) and names the journal', { timeout: 300_000 }, async () => {
    const target = await stores.target();
    const store = await target.open();
    await store.journals.upsert(jdp);
    await store.records.upsertMany([loadSeedSample(), foreignDoiRecord()]);
    await store.close();
    const env = childEnv({
      PUBMETA_CROSSREF_URL: 'http://127.0.0.1:9',
      PUBMETA_DEPOSITOR_NAME: 'Tests',
      PUBMETA_DEPOSITOR_EMAIL: 'tests@example.org',
      PUBMETA_REGISTRANT: 'Tests',
    });
    const result = await runCli(['deposit', '--dry-run', '--db', target.db, '10.9999/other.1'], { env });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('skipped: 10.9999/other.1: not deposited: the DOI is outside the DOI prefixes of journal jdp (Jurnal Diplomasi Pertahanan): 10.33172');
    expect(result.stdout).toMatch(/would send 0 DOIs/);
    const all = await runCli(['deposit', '--dry-run', '--json', '--db', target.db], { env });
    expect(all.code).toBe(0);
    const report = JSON.parse(all.stdout) as { batches: { dois: string[] }[] };
    expect(report.batches.flatMap((b) => b.dois)).toEqual(['10.33172/jdp.v4i2.323']);
  });
});
