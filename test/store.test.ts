import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateSyntheticRecords, loadSeedSample, type ArticleRecord } from '../src/model/index.js';
import { openStore, parseStoreTarget, resolveStoreTarget, type LeaseHolder, type Store } from '../src/store/index.js';
import { journalSetSpec, recordSetSpecs, recordSets, SET_SPEC_PATTERN } from '../src/store/setSpecs.js';
import { harvestSourceStatus, harvestedRecords } from '../src/harvest/index.js';
import { CrossrefDepositState } from '../src/crossref/index.js';
import { JobLeases, JobRunLog } from '../src/worker/index.js';
import { loadSeedJournalProfile } from '../src/journals/index.js';
import { describeBackends, postgresBackend, postgresUrlForSchema, useTestStores } from './helpers/backends.js';
import { clockedStore } from './helpers/oai.js';

function clone<T>(value: T): T {
  return structuredClone(value);
}

/** The same JSON object with its keys in reverse order, at every level. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reverseKeys(v)]));
  }
  return value;
}

/** A promise and the function that settles it, for ordering concurrent work without timers. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describeBackends('record store', (backend) => {
  const stores = useTestStores(backend);

  describe('upsert', () => {
    it('creates, keeps the datestamp when content is unchanged (key order ignored), updates on change', async () => {
      const { store, clock } = await clockedStore(stores, '2024-03-01T10:00:00.750Z');
      const seed = loadSeedSample();
      expect(await store.records.upsert(seed)).toEqual({ localId: 'jdp-323', outcome: 'created', datestamp: '2024-03-01T10:00:00Z' });

      clock.advance(60);
      const again = await store.records.upsert(reverseKeys(clone(seed)) as ArticleRecord);
      expect(again).toEqual({ localId: 'jdp-323', outcome: 'unchanged', datestamp: '2024-03-01T10:00:00Z' });

      clock.advance(60);
      const changed = clone(seed);
      changed.title.en = 'A corrected title';
      expect(await store.records.upsert(changed)).toEqual({ localId: 'jdp-323', outcome: 'updated', datestamp: '2024-03-01T10:02:00Z' });
      expect((await store.records.get('jdp-323'))!.record!.title.en).toBe('A corrected title');
    });

    it('keys records by id, else DOI', async () => {
      const { store } = await clockedStore(stores);
      const withoutId = clone(loadSeedSample());
      delete withoutId.id;
      expect((await store.records.upsert(withoutId)).localId).toBe('10.33172/jdp.v4i2.323');
    });

    it('upsertMany judges a local id given twice against its own earlier version, as one upsert after another would', async () => {
      const { store } = await clockedStore(stores);
      const seed = loadSeedSample();
      const changed = { ...clone(seed), title: { en: 'Second version' } };
      const results = await store.records.upsertMany([seed, clone(seed), changed, ...generateSyntheticRecords(3, 4)]);
      expect(results.map((r) => r.outcome)).toEqual(['created', 'unchanged', 'updated', 'created', 'created', 'created']);
      expect((await store.records.get('jdp-323'))!.record!.title).toEqual({ en: 'Second version' });
      expect((await store.records.stats()).total).toBe(4);
    });

    it('delete leaves a persistent tombstone dated at deletion; re-import undeletes with a new datestamp', async () => {
      const { store, clock } = await clockedStore(stores);
      const seed = loadSeedSample();
      await store.records.upsert(seed);
      clock.advance(3600);
      expect(await store.records.delete('jdp-323')).toBe(true);
      const tombstone = (await store.records.get('jdp-323'))!;
      expect(tombstone).toMatchObject({ deleted: true, datestamp: '2024-03-01T11:00:00Z', sets: ['jurnal-diplomasi-pertahanan'] });
      expect(tombstone.record).toBeUndefined();

      // Deleting again does not move the deletion date (OAI-PMH §2.5.1).
      clock.advance(60);
      expect(await store.records.delete('jdp-323')).toBe(true);
      expect((await store.records.get('jdp-323'))!.datestamp).toBe('2024-03-01T11:00:00Z');
      expect(await store.records.delete('no-such-record')).toBe(false);

      // The tombstone stays visible to date- and set-restricted listings.
      expect((await store.records.list({ set: 'jurnal-diplomasi-pertahanan' }, 10)).map((r) => r.deleted)).toEqual([true]);
      expect(await store.records.stats()).toEqual({ total: 1, deleted: 1, harvested: 0, harvestedDeleted: 0 });

      clock.advance(60);
      expect(await store.records.upsert(seed)).toEqual({ localId: 'jdp-323', outcome: 'undeleted', datestamp: '2024-03-01T11:02:00Z' });
      expect((await store.records.get('jdp-323'))!.deleted).toBe(false);
    });

    it('survives reopening, and migrations run once', async () => {
      const target = await stores.target();
      const first = await stores.reopen(target, { clock: () => new Date('2024-01-01T00:00:00Z') });
      await first.records.upsert(loadSeedSample());
      const secret = await first.meta.getOrCreate('k', () => 'first');
      await first.close();
      const second = await stores.reopen(target);
      expect((await second.records.get('jdp-323'))!.datestamp).toBe('2024-01-01T00:00:00Z');
      expect(await second.meta.getOrCreate('k', () => 'second')).toBe(secret);
    });
  });

  describe('listing', () => {
    it('lists in (datestamp, localId) order with inclusive bounds and keyset continuation', async () => {
      const { store, clock } = await clockedStore(stores, '2024-01-01T00:00:00Z');
      const records = generateSyntheticRecords(30, 7);
      for (const [i, record] of records.entries()) {
        if (i % 10 === 0) clock.advance(1);
        await store.records.upsert(record);
      }
      const all = await store.records.list({}, 1000);
      expect(all).toHaveLength(30);
      const keys = all.map((r) => `${r.datestamp} ${r.localId}`);
      expect([...keys].sort()).toEqual(keys);

      expect(await store.records.count({ from: '2024-01-01T00:00:02Z', until: '2024-01-01T00:00:02Z' })).toBe(10);
      const page1 = await store.records.list({}, 12);
      const page2 = await store.records.list({ after: { datestamp: page1[11]!.datestamp, localId: page1[11]!.localId } }, 100);
      expect([...page1, ...page2].map((r) => r.localId)).toEqual(all.map((r) => r.localId));
      expect(await store.records.earliestDatestamp()).toBe('2024-01-01T00:00:01Z');
      expect((await store.records.list({}, 5, { headersOnly: true })).every((r) => r.record === undefined)).toBe(true);
    });

    it('orders local ids by their bytes (code points), whatever the database locale', async () => {
      const { store } = await clockedStore(stores);
      const ids = ['b', 'B', 'a-2', 'a_1', 'Zeta', 'é', 'a10', 'a9', '10.1/x'];
      await store.records.upsertMany(ids.map((id) => ({ ...clone(loadSeedSample()), id })));
      const codePointOrder = [...ids].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
      expect((await store.records.list({}, 100, { headersOnly: true })).map((r) => r.localId)).toEqual(codePointOrder);
      const afterB = await store.records.list({ after: { datestamp: '2024-03-01T10:00:00Z', localId: 'Zeta' } }, 100, { headersOnly: true });
      expect(afterB.map((r) => r.localId)).toEqual(codePointOrder.slice(codePointOrder.indexOf('Zeta') + 1));
    });

    it('matches sets hierarchically: a journal set includes its section sets (OAI-PMH §2.6)', async () => {
      const { store } = await clockedStore(stores);
      const base = loadSeedSample();
      const inSection = { ...clone(base), id: 'a', section: 'Research Articles' };
      const inJournal = { ...clone(base), id: 'b' };
      const otherSection = { ...clone(base), id: 'c', section: 'Book Reviews' };
      for (const r of [inSection, inJournal, otherSection]) await store.records.upsert(r);
      const journal = 'jurnal-diplomasi-pertahanan';
      expect((await store.records.list({ set: journal }, 10)).map((r) => r.localId).sort()).toEqual(['a', 'b', 'c']);
      expect((await store.records.list({ set: `${journal}:research-articles` }, 10)).map((r) => r.localId)).toEqual(['a']);
      expect(await store.records.count({ set: `${journal}:research-articles` })).toBe(1);
      expect(await store.records.list({ set: 'jurnal' }, 10)).toEqual([]);
      expect((await store.records.get('a'))!.sets).toEqual([`${journal}:research-articles`]);
      expect(await store.records.listSets()).toEqual([
        { setSpec: journal, setName: 'Jurnal Diplomasi Pertahanan' },
        { setSpec: `${journal}:book-reviews`, setName: 'Jurnal Diplomasi Pertahanan: Book Reviews' },
        { setSpec: `${journal}:research-articles`, setName: 'Jurnal Diplomasi Pertahanan: Research Articles' },
      ]);
      expect(await store.records.hasSets()).toBe(true);
    });

    it('moves a record between sets when its section changes', async () => {
      const { store } = await clockedStore(stores);
      const record = { ...clone(loadSeedSample()), section: 'Articles' };
      await store.records.upsert(record);
      await store.records.upsert({ ...record, section: 'Reviews' });
      expect(await store.records.list({ set: 'jurnal-diplomasi-pertahanan:articles' }, 10)).toEqual([]);
      expect((await store.records.listSets()).map((s) => s.setSpec)).toEqual(['jurnal-diplomasi-pertahanan', 'jurnal-diplomasi-pertahanan:reviews']);
    });

    it('has no sets when empty', async () => {
      const { store } = await clockedStore(stores);
      expect(await store.records.hasSets()).toBe(false);
      expect(await store.records.listSets()).toEqual([]);
      expect(await store.records.earliestDatestamp()).toBeUndefined();
    });
  });

  describe('transactions', () => {
    it('commit together, or (when the function throws) not at all', async () => {
      const { store } = await clockedStore(stores);
      const [a, b] = generateSyntheticRecords(2, 1);
      await store.withTransaction(async (tx) => {
        await tx.records.upsert(a!);
        await tx.meta.set('m', '1');
      });
      await expect(
        store.withTransaction(async (tx) => {
          await tx.records.upsert(b!);
          await tx.meta.set('m', '2');
          throw new Error('changed my mind');
        }),
      ).rejects.toThrow('changed my mind');
      expect((await store.records.list({}, 10)).map((r) => r.localId)).toEqual([a!.id]);
      expect(await store.meta.get('m')).toBe('1');
    });

    it('keep other async work out: reads outside see only committed data, writes outside wait for the commit', async () => {
      const { store } = await clockedStore(stores);
      const [inside, outside] = generateSyntheticRecords(2, 2);
      const written = gate();
      const release = gate();
      const transaction = store.withTransaction(async (tx) => {
        await tx.records.upsert(inside!);
        expect(await tx.records.get(inside!.id!)).toBeDefined();
        written.open();
        await release.opened;
      });
      await written.opened;
      // The transaction is open and has written: nothing of it shows outside.
      expect(await store.records.get(inside!.id!)).toBeUndefined();
      expect((await store.records.stats()).total).toBe(0);
      let outsideDone = false;
      const outsideWrite = store.meta.set('outside', 'yes').then(() => (outsideDone = true));
      const peek = await store.meta.get('outside');
      if (backend.name === 'sqlite') {
        // One writer connection: the write queues behind the transaction instead of joining it.
        expect(outsideDone).toBe(false);
        expect(peek).toBeUndefined();
      }
      release.open();
      await transaction;
      await outsideWrite;
      expect(await store.records.get(inside!.id!)).toBeDefined();
      expect(await store.meta.get('outside')).toBe('yes');
      await store.records.upsert(outside!);
      expect((await store.records.stats()).total).toBe(2);
    });

    it('a rollback undoes writes made while other work waited; the waiting write still lands', async () => {
      const { store } = await clockedStore(stores);
      const entered = gate();
      const release = gate();
      const transaction = store.withTransaction(async (tx) => {
        await tx.meta.set('k', 'inside');
        entered.open();
        await release.opened;
        throw new Error('rolled back');
      });
      await entered.opened;
      const outside = store.meta.set('other', 'outside');
      release.open();
      await expect(transaction).rejects.toThrow('rolled back');
      await outside;
      expect(await store.meta.get('k')).toBeUndefined();
      expect(await store.meta.get('other')).toBe('outside');
    });

    it('joins the open transaction when called on it, and refuses use after it ended', async () => {
      const { store } = await clockedStore(stores);
      let escaped: Store | undefined;
      await expect(
        store.withTransaction(async (tx) => {
          escaped = tx;
          await tx.withTransaction(async (inner) => inner.meta.set('nested', 'yes'));
          throw new Error('outer fails');
        }),
      ).rejects.toThrow('outer fails');
      expect(await store.meta.get('nested')).toBeUndefined();
      await expect(escaped!.meta.get('nested')).rejects.toThrow(/transaction has ended/);
    });

    it('two connections to one store agree on a value created on first use', async () => {
      const target = await stores.target();
      const [one, two] = await Promise.all([stores.reopen(target), stores.reopen(target)]);
      const values = await Promise.all([one.meta.getOrCreate('secret', () => 'from-one'), two.meta.getOrCreate('secret', () => 'from-two')]);
      expect(values[0]).toBe(values[1]);
    });
  });
});

describeBackends('leases', (backend) => {
  const stores = useTestStores(backend);

  it('admit one owner until the lease expires or is released; renewal extends it', async () => {
    const store = await stores.store();
    let now = 1_000_000;
    const leases = new JobLeases(store.jobs, { now: () => now });
    expect(await leases.acquire('harvest:a', 'host:1:one', 10_000)).toBe(true);
    expect(await leases.acquire('harvest:a', 'host:1:two', 10_000)).toBe(false);
    expect(await leases.acquire('harvest:a', 'host:1:one', 10_000)).toBe(true);
    now += 9_000;
    expect(await leases.renew('harvest:a', 'host:1:one', 10_000)).toBe(true);
    now += 9_000;
    expect(await leases.acquire('harvest:a', 'host:1:two', 10_000)).toBe(false);
    expect(await leases.holder('harvest:a')).toMatchObject({ key: 'harvest:a', owner: 'host:1:one', expiresAt: new Date(now + 1_000) });
    now += 1_000;
    expect(await leases.holder('harvest:a')).toBeUndefined();
    expect(await leases.acquire('harvest:a', 'host:1:two', 10_000)).toBe(true);
    expect(await leases.renew('harvest:a', 'host:1:one', 10_000)).toBe(false);
    await leases.release('harvest:a', 'host:1:one');
    expect((await leases.holder('harvest:a'))?.owner).toBe('host:1:two');
    await leases.release('harvest:a', 'host:1:two');
    expect(await leases.list()).toEqual([]);
  });

  it('a live holder can be taken over only when the claimant says it is dead', async () => {
    const store = await stores.store();
    const claim = { ttlMs: 60_000, nowMs: 5_000 };
    expect(await store.jobs.claimLease('deposit', { ...claim, owner: 'w1' })).toBe(true);
    const seen: LeaseHolder[] = [];
    const judge = (dead: boolean) => (holder: LeaseHolder) => {
      seen.push(holder);
      return dead;
    };
    expect(await store.jobs.claimLease('deposit', { ...claim, owner: 'w2', takeOver: judge(false) })).toBe(false);
    expect(await store.jobs.claimLease('deposit', { ...claim, owner: 'w2', takeOver: judge(true) })).toBe(true);
    expect(seen.map((h) => h.owner)).toEqual(['w1', 'w1']);
    expect((await store.jobs.leaseHolder('deposit', 5_000))?.owner).toBe('w2');
  });

  it('many claimants on separate connections share keys: each key goes to exactly one of them', async () => {
    const target = await stores.target();
    const claimants = await Promise.all([1, 2, 3, 4].map(() => stores.reopen(target)));
    const keys = Array.from({ length: 12 }, (_, i) => `harvest:source-${String(i).padStart(2, '0')}`);
    const taken = new Map<string, string>();
    // Every claimant keeps claiming until nothing is left; all run at once.
    await Promise.all(
      claimants.map(async (store, i) => {
        for (let round = 0; round < keys.length; round++) {
          const key = await store.jobs.claimNextLease(keys, { owner: `worker-${i}`, ttlMs: 60_000, nowMs: 1_000 });
          if (key === undefined) return;
          expect(taken.has(key), `${key} taken twice`).toBe(false);
          taken.set(key, `worker-${i}`);
        }
      }),
    );
    expect([...taken.keys()].sort()).toEqual(keys);
    const held = await claimants[0]!.jobs.listLeases(1_000);
    expect(held.map((h) => [h.key, h.owner])).toEqual(keys.map((k) => [k, taken.get(k)]));
  });
});

describeBackends('harvest, deposit and job state', (backend) => {
  const stores = useTestStores(backend);

  it('keeps Crossref deposit timestamps beyond 2^53 exactly', async () => {
    const store = await stores.store();
    const state = new CrossrefDepositState(store, 'https://test.crossref.org', { clock: () => new Date('2025-01-02T03:04:05.678Z') });
    await store.records.upsert(loadSeedSample());
    await state.syncFromStore({ includeSynthetic: true, journals: [loadSeedJournalProfile()] });
    const first = await state.reserveTimestamp();
    expect(first).toBe(20250102030405678n);
    expect(first > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    const doi = loadSeedSample().doi!.toLowerCase();
    const hash = (await store.records.get('jdp-323'))!.contentHash;
    await state.prepareBatch({ batchId: 'b1', fileName: 'b1.xml', timestamp: first, items: [{ doi, localId: 'jdp-323', contentHash: hash }] });
    expect((await state.get(doi))!.lastTimestamp).toBe('20250102030405678');
    expect((await state.batch('b1'))!.timestamp).toBe('20250102030405678');
    // The same clock reading again: strictly greater than everything handed out before.
    expect(await state.reserveTimestamp([doi])).toBe(20250102030405679n);
  });

  it('runs, checkpoints and export state round-trip', async () => {
    const store = await stores.store();
    const runs = new JobRunLog(store, { clock: () => new Date('2025-01-01T00:00:00Z') });
    const id = await runs.start('export', 'me', 'manual');
    await runs.progress(id, { scanned: 3 });
    expect((await runs.get(id))!).toMatchObject({ status: 'running', counts: { scanned: 3 } });
    const second = await runs.start('export', 'me', 'manual');
    expect((await runs.get(id))!.status).toBe('interrupted');
    await runs.finish(second, 'succeeded', { scanned: 5 });
    expect((await runs.recent({ job: 'export' })).map((r) => [r.id, r.status])).toEqual([
      [second, 'succeeded'],
      [id, 'interrupted'],
    ]);
    await store.jobs.writeCheckpoint('export:p', '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z');
    expect(await store.jobs.readCheckpoint('export:p')).toBe('2025-01-01T00:00:00Z');
    await store.jobs.saveExported('p', [{ localId: 'a', hash: 'h1' }, { localId: 'b', hash: 'h2' }, { localId: 'a', hash: null }], 'now');
    expect(await store.jobs.exportedHashes('p', ['a', 'b', 'c'])).toEqual(new Map([['b', 'h2']]));
  });
});

describe('store targets (--db, PUBMETA_DB)', () => {
  it('takes postgres:// and postgresql:// URLs as PostgreSQL, anything else as a SQLite file', () => {
    expect(parseStoreTarget('postgres://u@h/db')).toEqual({ kind: 'postgres', url: 'postgres://u@h/db' });
    expect(parseStoreTarget('postgresql://u@h/db')).toEqual({ kind: 'postgres', url: 'postgresql://u@h/db' });
    expect(parseStoreTarget('data/x.db', '/srv')).toEqual({ kind: 'sqlite', path: '/srv/data/x.db' });
    expect(resolveStoreTarget(undefined, { PUBMETA_DB: 'postgres://db.example/pubmeta' })).toEqual({ kind: 'postgres', url: 'postgres://db.example/pubmeta' });
    expect(resolveStoreTarget('', { PUBMETA_DB: '' })).toMatchObject({ kind: 'sqlite', path: expect.stringMatching(/pubmeta\.db$/) });
  });
});

describe('a store file written by pubmeta 0.1.0 (synchronous SQLite store)', () => {
  it('opens, keeps every record, harvest, deposit and job row, and takes new writes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pubmeta-legacy-'));
    const file = join(dir, 'pubmeta.db');
    copyFileSync(fileURLToPath(new URL('./fixtures/legacy-store-0.1.0.db', import.meta.url)), file);
    const store = await openStore({ kind: 'sqlite', path: file });
    try {
      expect(await store.records.stats()).toEqual({ total: 5, deleted: 1, harvested: 0, harvestedDeleted: 0 });
      expect((await store.records.get('syn-9-000002'))).toMatchObject({ deleted: true, datestamp: '2025-06-02T00:00:00Z' });
      expect((await store.records.get('jdp-323'))!.record!.doi).toBe('10.33172/jdp.v4i2.323');
      expect(await store.meta.get('oai.tokenSecret')).toBe('legacy-secret');

      const source = (await store.harvest.getSource('legacy'))!;
      expect(source).toMatchObject({ metadataPrefix: 'oai_dc', granularity: 'YYYY-MM-DDThh:mm:ssZ' });
      expect(await harvestSourceStatus(store, source)).toMatchObject({ records: 7, deleted: 0, invalid: 0, quarantined: 0, lastRun: { status: 'completed', records: 7 } });
      const harvested = [];
      for await (const record of harvestedRecords(store, 'legacy')) harvested.push(record);
      expect(harvested).toHaveLength(7);
      expect(harvested[0]!.metadataXml).toMatch(/^<oai_dc:dc /);

      const state = new CrossrefDepositState(store, 'https://test.crossref.org');
      expect(await state.counts()).toMatchObject({ submitted: 1, pending: 3 });
      expect((await state.get('10.33172/jdp.v4i2.323'))!).toMatchObject({ state: 'submitted', batchId: 'legacy-batch', lastTimestamp: '20250601120000000' });
      expect((await state.openBatches()).map((b) => [b.batchId, b.status, b.timestamp])).toEqual([['legacy-batch', 'sent', '20250601120000000']]);
      // The persisted floor still holds: the next timestamp is greater than 0.1.0's.
      expect(await state.reserveTimestamp()).toBeGreaterThan(20250601120000000n);

      expect((await new JobRunLog(store).recent()).map((r) => [r.job, r.status, r.counts])).toEqual([['export', 'succeeded', { scanned: 5, written: 4 }]]);
      // worker_runs was rebuilt to admit 'partial': old ids go on, new runs may end partial.
      const log = new JobRunLog(store);
      const runId = await log.start('export', 'this-host:1:cc', 'once');
      await log.finish(runId, 'partial', { written: 3, failed: 1 }, '1 failed');
      expect((await log.recent()).map((r) => [r.id > 1, r.status])).toEqual([[true, 'partial'], [false, 'succeeded']]);
      expect(await store.jobs.leaseHolder('deposit', Date.parse('2025-06-01T12:00:30Z'))).toMatchObject({ owner: 'legacy-host:1:bb' });

      expect((await store.records.upsert(generateSyntheticRecords(1, 77)[0]!)).outcome).toBe('created');
      expect((await store.records.stats()).total).toBe(6);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(postgresBackend.skip !== undefined)('PostgreSQL specifics', () => {
  const stores = useTestStores(postgresBackend);

  it('migrates a fresh schema once when several processes open it at the same moment', async () => {
    const target = await stores.target({ fresh: true });
    const opened = await Promise.all([1, 2, 3].map(() => stores.reopen(target)));
    await opened[0]!.records.upsert(loadSeedSample());
    for (const store of opened) expect((await store.records.stats()).total).toBe(1);
  });

  it('two transactions writing records of the same set do not wait for each other (workers share sets)', async () => {
    const target = await stores.target({ fresh: true });
    const [first, second] = await Promise.all([stores.reopen(target), stores.reopen(target)]);
    const records = generateSyntheticRecords(3, 41);
    const [a, b, c] = records.map((r) => ({ ...r, journal: { ...records[0]!.journal, title: 'Shared Journal' }, section: records[0]!.section }));
    await first!.records.upsert(a!); // the set exists, committed
    let secondDone = false;
    await first!.withTransaction(async (tx) => {
      await tx.records.upsert(b!); // holds its page transaction open, as a harvest page does
      // Another worker's write into the same set finishes while this transaction is still open.
      await Promise.race([
        second!.records.upsert(c!).then(() => (secondDone = true)),
        new Promise((resolve) => setTimeout(resolve, 10_000)),
      ]);
    });
    expect(secondDone).toBe(true);
    expect((await first!.records.listSets()).map((s) => s.setName)).toContain('Shared Journal');
  });

  it('names the problem when the URL names a schema that does not exist', async () => {
    await expect(openStore(postgresUrlForSchema('pubmeta_no_such_schema'))).rejects.toThrow(/search_path names no existing schema/);
  });
});

describe('recordSetSpecs', () => {
  const journal = (title: string, extra: Partial<ArticleRecord['journal']> = {}) => ({ title, ...extra });

  it('slugs the abbreviated title, else the title, to setSpec characters (OAI-PMH §2.6, setSpecType)', () => {
    expect(journalSetSpec(journal('Journal of Synthetic Tests & <Edge> Cases', { abbrevTitle: 'J. Synth. Tests Edge Cases' }))).toBe('j-synth-tests-edge-cases');
    expect(journalSetSpec(journal('Revista Española de Pedagogía'))).toBe('revista-espanola-de-pedagogia');
  });

  it('falls back to the ISSN, then a stable hash, for titles in other scripts', () => {
    expect(journalSetSpec(journal('مجلة', { issns: [{ value: '1050-124X', media: 'print' }] }))).toBe('issn-1050-124x');
    const hashed = journalSetSpec(journal('Журнал'));
    expect(hashed).toMatch(/^journal-[0-9a-f]{10}$/);
    expect(journalSetSpec(journal('Журнал'))).toBe(hashed);
    expect(journalSetSpec(journal('Другой журнал'))).not.toBe(hashed);
  });

  it('gives one header setSpec (the most specific) and names every set', () => {
    const record = { ...loadSeedSample(), section: 'Artikel Penelitian' };
    expect(recordSetSpecs(record)).toEqual(['jurnal-diplomasi-pertahanan:artikel-penelitian']);
    expect(recordSets(record)).toEqual([
      { setSpec: 'jurnal-diplomasi-pertahanan', setName: 'Jurnal Diplomasi Pertahanan' },
      { setSpec: 'jurnal-diplomasi-pertahanan:artikel-penelitian', setName: 'Jurnal Diplomasi Pertahanan: Artikel Penelitian' },
    ]);
  });

  it('always produces legal setSpecs for generated records', () => {
    for (const record of generateSyntheticRecords(200, 3)) {
      for (const set of recordSets(record)) expect(set.setSpec).toMatch(SET_SPEC_PATTERN);
    }
  });
});
