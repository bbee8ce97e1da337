import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateSyntheticRecords } from '../src/model/index.js';
import type { ArticleRecord } from '../src/model/types.js';
import { validateXml } from '../src/validate/index.js';
import {
  CrossrefClient,
  CrossrefDepositError,
  CrossrefDepositState,
  depositTarget,
  runCrossrefDeposit,
  type CrossrefDepositSettings,
} from '../src/crossref/index.js';
import { startCrossrefStandIn, type CrossrefStandIn } from './helpers/crossrefStandIn.js';
import { FAST_CLIENT, openTempStore, TEST_DEPOSITOR, type TempStore } from './helpers/crossrefFixtures.js';
import { describeBackends, type Backend } from './helpers/backends.js';

const USER = 'tester/role';
const PASSWORD = 'S3cret-deposit-password';
// Crossref's wording for a record it refuses (see "Troubleshooting submissions").
const PREFIX_MESSAGE = 'User not allowed to add records for prefix: 10.5555';

let standIn: CrossrefStandIn;
let t: TempStore;

function settings(overrides: Partial<CrossrefDepositSettings> = {}): CrossrefDepositSettings {
  return {
    ...TEST_DEPOSITOR,
    baseUrl: standIn.url,
    credentials: { username: USER, password: PASSWORD },
    batchSize: 50,
    pollTimeoutMs: 10_000,
    client: FAST_CLIENT,
    ...overrides,
  };
}

const deposits = () => standIn.requests.filter((r) => r.path === '/servlet/deposit');
const submitted = (fileName: string) => standIn.submissions.get(fileName)!;

/** A stand-in per backend block (it remembers what it registered), a fresh store per test. */
function storePerTest(backend: Backend): void {
  beforeAll(async () => {
    standIn = await startCrossrefStandIn({
      username: USER,
      password: PASSWORD,
      pollsBeforeCompleted: 2,
      validate: (xml) => validateXml(xml, 'crossref-5.3.1'),
    });
  });
  afterAll(async () => {
    await standIn.close();
  });
  beforeEach(async () => {
    t = await openTempStore(backend);
    standIn.clearVerdicts();
  });
  afterEach(async () => {
    await t.close();
  });
}

describeBackends('Crossref deposits', (backend) => {
  storePerTest(backend);

  describe('deposit of 50 records where Crossref fails 3', () => {
    it('ends with 47 registered and 3 failed with Crossref\'s message; after the fix a re-run sends only the 3', async () => {
      const records = generateSyntheticRecords(50, 4242);
      await t.store.records.upsertMany(records);
      const failing = [records[3]!.doi, records[17]!.doi, records[41]!.doi];
      for (const doi of failing) standIn.failDoi(doi, PREFIX_MESSAGE);

      const first = await runCrossrefDeposit({ store: t.store, settings: settings() });
      expect(first.invalid).toEqual([]);
      expect(first.sent).toBe(50);
      expect(first.registered).toBe(47);
      expect(first.failed).toBe(3);
      expect(first.batches).toHaveLength(1);
      const batch = submitted(first.batches[0]!.fileName);
      expect(new Set(batch.dois.filter((d) => records.some((r) => r.doi === d)))).toEqual(new Set(records.map((r) => r.doi)));

      const state = new CrossrefDepositState(t.store, depositTarget(standIn.url));
      const rows = (await state.list());
      expect(rows.filter((r) => r.state === 'registered')).toHaveLength(47);
      const failed = rows.filter((r) => r.state === 'failed');
      expect(failed.map((r) => r.doi).sort()).toEqual([...failing].sort());
      for (const row of failed) {
        expect(row.message).toBe(PREFIX_MESSAGE);
        expect(row.failureSource).toBe('crossref');
        expect(row.batchId).toBe(first.batches[0]!.batchId);
        expect(row.submissionId).toBe(batch.submissionId);
        expect(row.registeredAt).toBeNull();
      }
      for (const row of rows.filter((r) => r.state === 'registered')) {
        expect(row.message).toBe('Successfully added');
        expect(row.registeredAt).not.toBeNull();
      }

      // Unchanged records are not sent again, failed ones included (they would fail the same way).
      const before = deposits().length;
      const idle = await runCrossrefDeposit({ store: t.store, settings: settings() });
      expect(idle.sent).toBe(0);
      expect(deposits().length).toBe(before);

      // The editor fixes the three records; Crossref now accepts them.
      standIn.clearVerdicts();
      for (const doi of failing) {
        const record = records.find((r) => r.doi === doi)!;
        await t.store.records.upsert({ ...record, title: { ...record.title, en: `${Object.values(record.title)[0]} (corrected)` } });
      }
      const second = await runCrossrefDeposit({ store: t.store, settings: settings() });
      expect(second.sent).toBe(3);
      expect(second.registered).toBe(3);
      expect(deposits().length).toBe(before + 1);
      const resent = submitted(second.batches[0]!.fileName);
      expect(resent.dois.filter((d) => records.some((r) => r.doi === d)).sort()).toEqual([...failing].sort());
      expect(BigInt(resent.timestamp)).toBeGreaterThan(BigInt(batch.timestamp));
      expect((await state.counts())).toMatchObject({ registered: 50, failed: 0, pending: 0, submitted: 0 });
      expect(standIn.protocolErrors).toEqual([]);
    });
  });

  describe('per-DOI state', () => {
    it('reports records failing local checks by DOI and field, never sends them, and still sends the rest', async () => {
      const [good, noYear, badOrcid] = generateSyntheticRecords(3, 7);
      const withoutYear: ArticleRecord = { ...noYear!, issue: { ...(noYear!.issue ?? {}), year: undefined, publicationDate: undefined } };
      delete withoutYear.dates;
      delete withoutYear.issue!.year;
      delete withoutYear.issue!.publicationDate;
      const wrongOrcid: ArticleRecord = {
        ...badOrcid!,
        contributors: [{ ...badOrcid!.contributors[0]!, orcid: '0000-0002-1825-0098' }, ...badOrcid!.contributors.slice(1)],
      };
      await t.store.records.upsertMany([good!, withoutYear, wrongOrcid]);
      const report = await runCrossrefDeposit({ store: t.store, settings: settings() });
      expect(report.sent).toBe(1);
      expect(report.registered).toBe(1);
      const byDoi = new Map(report.invalid.map((f) => [f.doi, f]));
      expect(byDoi.get(withoutYear.doi)).toMatchObject({ field: 'issue.year' });
      expect(byDoi.get(withoutYear.doi)!.message).toMatch(/publication year/);
      expect(byDoi.get(wrongOrcid.doi)!.field).toBe('/contributors/0/orcid');
      const sentDois = [...standIn.submissions.values()].find((s) => s.fileName === report.batches[0]!.fileName)!.dois;
      expect(sentDois).toContain(good!.doi);
      expect(sentDois).not.toContain(withoutYear.doi);
      expect(sentDois).not.toContain(wrongOrcid.doi);
      const state = new CrossrefDepositState(t.store, depositTarget(standIn.url));
      expect((await state.get(withoutYear.doi))).toMatchObject({ state: 'failed', failureSource: 'local' });
      expect((await state.get(withoutYear.doi))!.message).toMatch(/issue\.year/);
    });

    it('when a batch fails the schema, the records that break it are left out by DOI and the rest still goes', async () => {
      const records = generateSyntheticRecords(4, 8);
      await t.store.records.upsertMany(records);
      const broken = records[2]!.doi;
      // Stands in for a schema rule the writer does not check itself.
      const validateCrossref = (xml: string) =>
        xml.includes(`<doi>${broken}</doi>`)
          ? { valid: false, errors: [{ line: 7, column: 3, message: "Element 'doi': not accepted by the pattern" }] }
          : validateXml(xml, 'crossref-5.3.1');
      const report = await runCrossrefDeposit({ store: t.store, settings: settings(), validateCrossref });
      expect(report.invalid).toEqual([{ doi: broken, localId: records[2]!.id, field: 'xml:7:3', message: "Element 'doi': not accepted by the pattern" }]);
      expect(report.sent).toBe(3);
      expect(report.registered).toBe(3);
      expect(submitted(report.batches[0]!.fileName).dois).not.toContain(broken);
    });

    it('never deposits synthetic records to production', async () => {
      await t.store.records.upsertMany(generateSyntheticRecords(2, 9));
      const report = await runCrossrefDeposit({
        store: t.store,
        settings: settings({ baseUrl: 'https://doi.crossref.org' }),
        dryRun: true,
      });
      expect(report.production).toBe(true);
      expect(report.batches).toEqual([]);
      // Not even tracked as pending for production.
      expect((await new CrossrefDepositState(t.store, depositTarget('https://doi.crossref.org')).list())).toEqual([]);
    });

    it('a dry run plans batches with valid XML and changes nothing', async () => {
      await t.store.records.upsertMany(generateSyntheticRecords(5, 11));
      const before = deposits().length;
      const report = await runCrossrefDeposit({ store: t.store, settings: settings({ batchSize: 2 }), dryRun: true });
      expect(report.batches.map((b) => b.dois.length)).toEqual([2, 2, 1]);
      for (const b of report.batches) expect(validateXml(b.xml!, 'crossref-5.3.1').valid).toBe(true);
      expect(deposits().length).toBe(before);
      expect((await new CrossrefDepositState(t.store, depositTarget(standIn.url)).list())).toEqual([]);
    });

    it('timestamps stay strictly greater per DOI even when the clock goes backwards', async () => {
      const [record] = generateSyntheticRecords(1, 13);
      await t.store.records.upsert(record!);
      const first = await runCrossrefDeposit({ store: t.store, settings: settings() });
      expect(first.registered).toBe(1);
      await t.store.records.upsert({ ...record!, title: { ...record!.title, en: 'A revised title' } });
      const past = new Date('2001-01-01T00:00:00Z');
      const second = await runCrossrefDeposit({ store: t.store, settings: settings(), clock: () => past });
      // The stand-in refuses a timestamp <= the previous one, exactly like Crossref.
      expect(second.registered).toBe(1);
      const [a, b] = [first, second].map((r) => BigInt(submitted(r.batches[0]!.fileName).timestamp));
      expect(b!).toBeGreaterThan(a!);
    });

    it('a registered DOI whose update fails still shows when it was registered', async () => {
      const [record] = generateSyntheticRecords(1, 17);
      await t.store.records.upsert(record!);
      await runCrossrefDeposit({ store: t.store, settings: settings() });
      standIn.failDoi(record!.doi, 'Record not processed because of an invalid resource URL');
      await t.store.records.upsert({ ...record!, landingPage: 'https://example.org/moved' });
      const report = await runCrossrefDeposit({ store: t.store, settings: settings() });
      expect(report.failed).toBe(1);
      const row = (await new CrossrefDepositState(t.store, depositTarget(standIn.url)).get(record!.doi))!;
      expect(row.state).toBe('failed');
      expect(row.registeredAt).not.toBeNull();
      expect(row.depositedAt).not.toBeNull();
    });

    it('Warning verdicts count as deposited, with Crossref\'s message', async () => {
      const [record] = generateSyntheticRecords(1, 19);
      await t.store.records.upsert(record!);
      standIn.warnDoi(record!.doi, 'Added with conflict');
      const report = await runCrossrefDeposit({ store: t.store, settings: settings() });
      expect(report.warning).toBe(1);
      const row = (await new CrossrefDepositState(t.store, depositTarget(standIn.url)).get(record!.doi))!;
      expect(row).toMatchObject({ state: 'warning', message: 'Added with conflict' });
      expect(row.registeredAt).not.toBeNull();
    });

    it('explicit DOIs are re-sent even when unchanged; unknown ones are reported', async () => {
      const records = generateSyntheticRecords(3, 23);
      await t.store.records.upsertMany(records);
      await runCrossrefDeposit({ store: t.store, settings: settings() });
      const again = await runCrossrefDeposit({ store: t.store, settings: settings(), dois: [records[1]!.doi.toUpperCase(), '10.5555/not-here'] });
      expect(again.sent).toBe(1);
      expect(again.unknownDois).toEqual(['10.5555/not-here']);
      expect(submitted(again.batches[0]!.fileName).dois).toContain(records[1]!.doi);
    });

    it('wrong credentials: one clear error, DOIs back to pending, one request', async () => {
      await t.store.records.upsertMany(generateSyntheticRecords(2, 29));
      const before = standIn.requests.length;
      const error = await runCrossrefDeposit({
        store: t.store,
        settings: settings({ credentials: { username: USER, password: 'not-the-password' } }),
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CrossrefDepositError);
      expect((error as CrossrefDepositError).kind).toBe('auth');
      expect((error as Error).message).not.toContain('not-the-password');
      expect(standIn.requests.length - before).toBe(1);
      expect((await new CrossrefDepositState(t.store, depositTarget(standIn.url)).counts())).toMatchObject({ pending: 2, submitted: 0 });
    });
  });

  describe('Crossref unavailable', () => {
    it('after the retries run out, the batch is checked with Crossref and its DOIs go back to pending', async () => {
      await t.store.records.upsertMany(generateSyntheticRecords(2, 47));
      standIn.inject({ status: 503, endpoint: 'deposit' }, 3);
      const before = deposits().length;
      const error = (await runCrossrefDeposit({
        store: t.store,
        settings: settings({ client: { ...FAST_CLIENT, retries: 2 } }),
      }).catch((e: unknown) => e)) as CrossrefDepositError;
      expect(error).toBeInstanceOf(CrossrefDepositError);
      expect(error.kind).toBe('server');
      expect(deposits().length - before).toBe(3);
      const state = new CrossrefDepositState(t.store, depositTarget(standIn.url));
      expect((await state.counts())).toMatchObject({ pending: 2, submitted: 0 });
      expect((await state.recentBatches(1))[0]!.status).toBe('abandoned');
      // Next run: Crossref is back.
      const report = await runCrossrefDeposit({ store: t.store, settings: settings() });
      expect(report.registered).toBe(2);
    });
  });

  describe('crash recovery', () => {
    it('a batch recorded but never received is not re-sent blindly: its DOIs get a new batch and a greater timestamp', async () => {
      const records = generateSyntheticRecords(2, 31);
      await t.store.records.upsertMany(records);
      const state = new CrossrefDepositState(t.store, depositTarget(standIn.url));
      await state.syncFromStore({ includeSynthetic: true, journals: await t.store.journals.list() });
      // What a process killed between recording the batch and uploading it leaves behind.
      const timestamp = await state.reserveTimestamp(records.map((r) => r.doi));
      await state.prepareBatch({
        batchId: 'killed-before-upload',
        fileName: 'killed-before-upload.xml',
        timestamp,
        items: await Promise.all(records.map(async (r) => ({ doi: r.doi, localId: r.id!, contentHash: (await t.store.records.get(r.id!))!.contentHash }))),
      });
      expect((await state.counts()).submitted).toBe(2);

      const report = await runCrossrefDeposit({ store: t.store, settings: settings() });
      expect((await state.batch('killed-before-upload'))!.status).toBe('abandoned');
      expect(report.registered).toBe(2);
      expect(BigInt(submitted(report.batches.at(-1)!.fileName).timestamp)).toBeGreaterThan(BigInt(timestamp));
    });

    it('a batch Crossref did receive before the crash is polled, not sent again', async () => {
      const records = generateSyntheticRecords(2, 37);
      await t.store.records.upsertMany(records);
      const first = await runCrossrefDeposit({ store: t.store, settings: settings(), dryRun: true });
      const xml = first.batches[0]!.xml!;
      const state = new CrossrefDepositState(t.store, depositTarget(standIn.url));
      await state.syncFromStore({ includeSynthetic: true, journals: await t.store.journals.list() });
      const timestamp = BigInt(/<timestamp>(\d+)<\/timestamp>/.exec(xml)![1]!);
      await state.prepareBatch({
        batchId: 'uploaded-then-killed',
        fileName: 'uploaded-then-killed.xml',
        timestamp,
        items: await Promise.all(records.map(async (r) => ({ doi: r.doi, localId: r.id!, contentHash: (await t.store.records.get(r.id!))!.contentHash }))),
      });
      // The upload reached Crossref; the process died before recording the acknowledgement.
      const client = new CrossrefClient({ baseUrl: standIn.url, credentials: { username: USER, password: PASSWORD }, ...FAST_CLIENT });
      await client.submit('uploaded-then-killed.xml', xml);
      await client.close();
      const uploads = deposits().length;

      const report = await runCrossrefDeposit({ store: t.store, settings: settings() });
      expect(deposits().length).toBe(uploads);
      expect(report.registered).toBe(2);
      expect((await state.batch('uploaded-then-killed'))!.status).toBe('completed');
      expect((await state.counts())).toMatchObject({ registered: 2, submitted: 0, pending: 0 });
    });

    it('results that are not ready yet stay submitted and are picked up by the next run', async () => {
      const slow = await startCrossrefStandIn({ username: USER, password: PASSWORD, pollsBeforeCompleted: 1000 });
      try {
        await t.store.records.upsertMany(generateSyntheticRecords(2, 41));
        const s = settings({ baseUrl: slow.url, pollTimeoutMs: 50 });
        const first = await runCrossrefDeposit({ store: t.store, settings: s });
        expect(first.sent).toBe(2);
        expect(first.awaitingResult).toBe(2);
        for (const submission of slow.submissions.values()) submission.pollsAnswered = 10_000;
        const second = await runCrossrefDeposit({ store: t.store, settings: s });
        expect(second.sent).toBe(0);
        expect(second.registered).toBe(2);
        expect(slow.requests.filter((r) => r.path === '/servlet/deposit')).toHaveLength(1);
      } finally {
        await slow.close();
      }
    });

    it('a record changed while its batch was in flight becomes pending again after the result', async () => {
      const slow = await startCrossrefStandIn({ username: USER, password: PASSWORD, pollsBeforeCompleted: 1000 });
      try {
        const [record] = generateSyntheticRecords(1, 43);
        await t.store.records.upsert(record!);
        const s = settings({ baseUrl: slow.url, pollTimeoutMs: 30 });
        await runCrossrefDeposit({ store: t.store, settings: s });
        await t.store.records.upsert({ ...record!, title: { ...record!.title, en: 'Changed while in flight' } });
        for (const submission of slow.submissions.values()) submission.pollsAnswered = 10_000;
        const second = await runCrossrefDeposit({ store: t.store, settings: s });
        // The first version's verdict is applied first, then the new version is sent in the same run.
        expect(second.registered).toBe(1);
        expect(second.sent).toBe(1);
        expect(second.awaitingResult).toBe(1);
        expect(slow.requests.filter((r) => r.path === '/servlet/deposit')).toHaveLength(2);
      } finally {
        await slow.close();
      }
    });
  });
});
