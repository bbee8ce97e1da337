/**
 * Flow control (OAI-PMH §3.5, §3.5.1; guidelines-repository §5): stateless signed resumption
 * tokens, cursor/completeListSize/expirationDate, exact paging while the repository changes.
 */
import { describe, expect, it } from 'vitest';
import { generateSyntheticRecords, type ArticleRecord } from '../src/model/index.js';
import { decodeResumptionToken, encodeResumptionToken } from '../src/oai/index.js';
import { clockedStore, harvestAll, oai, testConfig, type ParsedOai } from './helpers/oai.js';
import { describeBackends, sqliteBackend, useTestStores } from './helpers/backends.js';

const REPO = 'journal.example.org';
const id = (localId: string) => `oai:${REPO}:${localId}`;

type Stores = ReturnType<typeof useTestStores>;

async function loaded(stores: Stores, count: number, options: { perSecond?: number; seed?: number } = {}) {
  const { store, clock } = await clockedStore(stores, '2024-01-01T00:00:00Z');
  const records = generateSyntheticRecords(count, options.seed ?? 5);
  const perSecond = options.perSecond ?? 25;
  for (let i = 0; i < records.length; i += perSecond) {
    await store.records.upsertMany(records.slice(i, i + perSecond));
    clock.advance(1);
  }
  clock.advance(60);
  return { store, clock, records };
}

function ids(pages: ParsedOai[]): string[] {
  return pages.flatMap((p) => p.headers.map((h) => h.identifier));
}

describeBackends('paging', (backend) => {
  const stores = useTestStores(backend);

  describe('§3.5 incomplete lists and resumptionToken attributes', () => {
    it('pages through a list with cursor, completeListSize, expirationDate and a final empty token', async () => {
      const { store, clock, records } = await loaded(stores, 250);
      const config = testConfig({ pageSize: { records: 40, identifiers: 500 }, tokenTtlSeconds: 3600 });
      const pages = await harvestAll(store, config, () => clock.now(), { verb: 'ListRecords', metadataPrefix: 'oai_dc' });
      expect(pages).toHaveLength(7);
      pages.forEach((page, index) => {
        expect(page.token!.cursor).toBe(index * 40);
        expect(page.token!.completeListSize).toBe(250);
        if (index < 6) {
          expect(page.records).toHaveLength(40);
          expect(page.token!.value).not.toBe('');
          // §3.3.2: expirationDate at seconds, UTC; the configured lifetime from now.
          expect(page.token!.expirationDate).toBe('2024-01-01T01:01:10Z');
        } else {
          expect(page.records).toHaveLength(10);
          // §3.5: the response completing the list has an empty resumptionToken.
          expect(page.token!.value).toBe('');
          expect(page.token!.expirationDate).toBeUndefined();
        }
      });
      expect(ids(pages)).toEqual((await store.records.list({}, 1000)).map((r) => id(r.localId)));
      expect(new Set(ids(pages)).size).toBe(records.length);
    });

    it('ListIdentifiers uses its own page size', async () => {
      const { store, clock } = await loaded(stores, 120);
      const config = testConfig({ pageSize: { records: 10, identifiers: 50 } });
      const pages = await harvestAll(store, config, () => clock.now(), { verb: 'ListIdentifiers', metadataPrefix: 'oai_dc' });
      expect(pages.map((p) => p.headers.length)).toEqual([50, 50, 20]);
    });

    it('a list of exactly one page carries no token; one more element makes two pages', async () => {
      const { store, clock } = await loaded(stores, 40);
      const config = testConfig({ pageSize: { records: 40 } });
      const single = await oai(store, config, clock.now(), { verb: 'ListRecords', metadataPrefix: 'oai_dc' });
      expect(single.records).toHaveLength(40);
      expect(single.token).toBeUndefined();
      const small = testConfig({ pageSize: { records: 39 } });
      const pages = await harvestAll(store, small, () => clock.now(), { verb: 'ListRecords', metadataPrefix: 'oai_dc' });
      expect(pages.map((p) => p.records.length)).toEqual([39, 1]);
      expect(pages[1]!.token).toEqual({ value: '', cursor: 39, completeListSize: 40 });
    });

    it('§3.5.1 re-issuing a token returns the same incomplete list when nothing changed', async () => {
      const { store, clock } = await loaded(stores, 100);
      const config = testConfig({ pageSize: { identifiers: 30 } });
      const first = await oai(store, config, clock.now(), { verb: 'ListIdentifiers', metadataPrefix: 'oai_dc' });
      const token = first.token!.value;
      const a = await oai(store, config, clock.advance(5), { verb: 'ListIdentifiers', resumptionToken: token });
      const b = await oai(store, config, clock.advance(5), { verb: 'ListIdentifiers', resumptionToken: token });
      expect(b.headers).toEqual(a.headers);
      expect(b.token!.cursor).toBe(a.token!.cursor);
      // The request element echoes the token (§3.2).
      expect(a.request.attributes).toEqual({ verb: 'ListIdentifiers', resumptionToken: token });
    });

    it('selective harvests keep their from/until/set across pages', async () => {
      const { store, clock } = await loaded(stores, 200, { perSecond: 10 });
      const config = testConfig({ pageSize: { identifiers: 7 } });
      const set = (await store.records.listSets()).find((s) => !s.setSpec.includes(':'))!.setSpec;
      const query = { from: '2024-01-01T00:00:03Z', until: '2024-01-01T00:00:15Z', set };
      const pages = await harvestAll(store, config, () => clock.now(), { verb: 'ListIdentifiers', metadataPrefix: 'oai_dc', ...query });
      expect(pages.length).toBeGreaterThan(2);
      const expected = (await store.records.list({ ...query, until: query.until }, 10_000)).map((r) => id(r.localId));
      expect(ids(pages)).toEqual(expected);
      for (const h of pages.flatMap((p) => p.headers)) {
        expect(h.datestamp >= query.from && h.datestamp <= query.until).toBe(true);
        expect(h.setSpecs.some((s) => s === set || s.startsWith(`${set}:`))).toBe(true);
      }
    });
  });

  describe('§3.5.1 paging while the repository changes', () => {
    it('loses and repeats nothing when records are inserted, updated and deleted between pages', async () => {
      const { store, clock, records } = await loaded(stores, 300);
      const config = testConfig({ pageSize: { records: 25 } });
      const snapshot = new Map((await store.records.list({}, 10_000)).map((r) => [r.localId, r.datestamp]));
      const extra = generateSyntheticRecords(40, 99);
      const touched = new Set<string>();
      let firstResponseDate = '';

      const pages = await harvestAll(
        store,
        config,
        () => clock.now(),
        { verb: 'ListRecords', metadataPrefix: 'oai_dc' },
        {
          between: async (page, index) => {
            if (index === 0) {
              firstResponseDate = page.responseDate;
              // Same second as the first request: must not leak into this harvest.
              await store.records.upsert(extra[0]!);
              touched.add(extra[0]!.id!);
            }
            clock.advance(1);
            // A new record, an update of one already delivered, one not yet delivered, a deletion.
            const fresh = extra[index + 1]!;
            await store.records.upsert(fresh);
            touched.add(fresh.id!);
            const delivered = page.records[0]!.header.identifier.split(':').pop()!;
            await store.records.upsert(retitled(records.find((r) => r.id === delivered)!, `Revised ${index}`));
            touched.add(delivered);
            const ahead = records[records.length - 1 - index * 3]!;
            if (!touched.has(ahead.id!)) {
              await store.records.upsert(retitled(ahead, `Revised ahead ${index}`));
              touched.add(ahead.id!);
            }
            const doomed = records[records.length - 2 - index * 3]!;
            if (!touched.has(doomed.id!)) {
              await store.records.delete(doomed.id!);
              touched.add(doomed.id!);
            }
          },
        },
      );
      const harvested = ids(pages);
      // Nothing repeated within the harvest.
      expect(new Set(harvested).size).toBe(harvested.length);
      // Every record of the snapshot left untouched is delivered, in order, with its snapshot datestamp.
      const untouched = [...snapshot.keys()].filter((localId) => !touched.has(localId));
      const got = new Map(pages.flatMap((p) => p.headers).map((h) => [h.identifier, h.datestamp]));
      for (const localId of untouched) expect(got.get(id(localId))).toBe(snapshot.get(localId));
      // Nothing newer than the snapshot bound (one second before the first request) is in it.
      for (const datestamp of got.values()) expect(datestamp < firstResponseDate).toBe(true);
      // The next incremental harvest from the first responseDate collects every change (inclusive bound).
      const next = await harvestAll(store, config, () => clock.advance(1), { verb: 'ListIdentifiers', metadataPrefix: 'oai_dc', from: firstResponseDate });
      const nextIds = new Set(ids(next));
      for (const localId of touched) expect(nextIds.has(id(localId))).toBe(true);
      // Together the two harvests cover the whole repository as it is now.
      const now = (await store.records.list({}, 10_000)).map((r) => id(r.localId));
      for (const identifier of now) expect(got.has(identifier) || nextIds.has(identifier)).toBe(true);
    });

    it('a record updated during the harvest is not delivered twice even if it moves ahead of the cursor', async () => {
      const { store, clock, records } = await loaded(stores, 60, { perSecond: 60 });
      const config = testConfig({ pageSize: { identifiers: 10 } });
      const pages = await harvestAll(store, config, () => clock.now(), { verb: 'ListIdentifiers', metadataPrefix: 'oai_dc' }, {
        between: async (page) => {
          clock.advance(1);
          for (const header of page.headers) {
            const localId = header.identifier.split(':').pop()!;
            await store.records.upsert(retitled(records.find((r) => r.id === localId)!, 'moved'));
          }
        },
      });
      expect(ids(pages)).toHaveLength(60);
      expect(new Set(ids(pages)).size).toBe(60);
    });

    it('when everything left changed, the resumed request answers noRecordsMatch (the list is exhausted)', async () => {
      const { store, clock, records } = await loaded(stores, 30, { perSecond: 30 });
      const config = testConfig({ pageSize: { identifiers: 10 } });
      const first = await oai(store, config, clock.now(), { verb: 'ListIdentifiers', metadataPrefix: 'oai_dc' });
      clock.advance(1);
      const deliveredIds = new Set(first.headers.map((h) => h.identifier.split(':').pop()));
      for (const record of records) if (!deliveredIds.has(record.id)) await store.records.upsert(retitled(record, 'changed'));
      const next = await oai(store, config, clock.now(), { verb: 'ListIdentifiers', resumptionToken: first.token!.value });
      expect(next.errors.map((e) => e.code)).toEqual(['noRecordsMatch']);
    });
  });

  describe('records that cannot be disseminated in the format', () => {
    it('are skipped without empty pages, and counted out of the final completeListSize', async () => {
      const { store, clock } = await clockedStore(stores, '2024-01-01T00:00:00Z');
      const records = generateSyntheticRecords(50, 8).map((record, i) => {
        // JATS needs an ISSN: every third record and the last ten have none.
        if (i % 3 === 0 || i >= 40) {
          const copy = structuredClone(record);
          delete copy.journal.issns;
          return copy;
        }
        return record;
      });
      await store.records.upsertMany(records);
      clock.advance(10);
      const disseminable = records.filter((r) => r.journal.issns).map((r) => id(r.id!));
      const config = testConfig({ pageSize: { records: 9, identifiers: 9 } });
      for (const verb of ['ListRecords', 'ListIdentifiers']) {
        const pages = await harvestAll(store, config, () => clock.now(), { verb, metadataPrefix: 'jats' });
        expect(ids(pages).sort()).toEqual([...disseminable].sort());
        for (const page of pages.slice(0, -1)) expect(page.headers).toHaveLength(9);
        const last = pages[pages.length - 1]!;
        expect(last.token).toEqual({ value: '', cursor: disseminable.length - last.headers.length, completeListSize: disseminable.length });
        // oai_dc has all fifty.
        expect(ids(await harvestAll(store, config, () => clock.now(), { verb, metadataPrefix: 'oai_dc' }))).toHaveLength(50);
      }
    });
  });
});

describe('resumption tokens are stateless and tamper-proof', () => {
  // The tokens do not depend on the backend: one suffices.
  const stores = useTestStores(sqliteBackend);
  const setup = async () => {
    const { store, clock } = await loaded(stores, 100);
    const config = testConfig({ pageSize: { records: 20, identifiers: 20 }, tokenTtlSeconds: 600 });
    const first = await oai(store, config, clock.now(), { verb: 'ListRecords', metadataPrefix: 'oai_dc' });
    return { store, clock, config, token: first.token!.value };
  };
  const codes = (r: ParsedOai) => r.errors.map((e) => e.code);

  it('an altered payload or signature is refused (badResumptionToken)', async () => {
    const { store, clock, config, token } = await setup();
    const [payload, signature] = token.split('.') as [string, string];
    const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown[];
    decoded[8] = 0; // cursor rewound
    const forgedPayload = Buffer.from(JSON.stringify(decoded)).toString('base64url');
    const flip = (s: string, at: number) => s.slice(0, at) + (s[at] === 'A' ? 'B' : 'A') + s.slice(at + 1);
    for (const altered of [
      `${forgedPayload}.${signature}`,
      `${payload}.${flip(signature, 5)}`,
      `${flip(payload, 3)}.${signature}`,
      payload,
      `${token}.x`,
      token.slice(0, -1),
    ]) {
      const r = await oai(store, config, clock.now(), { verb: 'ListRecords', resumptionToken: altered });
      expect(codes(r), altered).toEqual(['badResumptionToken']);
      expect(r.request.attributes).toEqual({ verb: 'ListRecords', resumptionToken: altered });
    }
  });

  it('a token signed with another secret is refused; the same secret (after a restart) accepts it', async () => {
    const { store, clock, config, token } = await setup();
    const other = testConfig({ tokenSecret: 'another-secret-0123456789' });
    expect(codes(await oai(store, other, clock.now(), { verb: 'ListRecords', resumptionToken: token }))).toEqual(['badResumptionToken']);
    const restarted = testConfig({ pageSize: { records: 20 } });
    expect((await oai(store, restarted, clock.now(), { verb: 'ListRecords', resumptionToken: token })).records).toHaveLength(20);
  });

  it('a token is valid until its expirationDate and refused after it', async () => {
    const { store, clock, config, token } = await setup();
    const issuedAt = clock.now();
    expect((await oai(store, config, clock.advance(600), { verb: 'ListRecords', resumptionToken: token })).errors).toEqual([]);
    const expired = await oai(store, config, clock.advance(1), { verb: 'ListRecords', resumptionToken: token });
    expect(codes(expired)).toEqual(['badResumptionToken']);
    expect(expired.errors[0]!.message).toMatch(/expired/);
    expect(issuedAt.getTime()).toBeLessThan(clock.now().getTime());
  });

  it('a token is bound to its verb', async () => {
    const { store, clock, config, token } = await setup();
    expect(codes(await oai(store, config, clock.now(), { verb: 'ListIdentifiers', resumptionToken: token }))).toEqual(['badResumptionToken']);
  });

  it('round-trips its state and rejects wrong shapes even when correctly signed', async () => {
    const secret = 'round-trip-secret-0123456789';
    const state = {
      verb: 'ListIdentifiers' as const,
      metadataPrefix: 'jats',
      from: '2024-01-01T00:00:00Z',
      until: '2024-02-01T00:00:00Z',
      set: 'j:s',
      after: { datestamp: '2024-01-15T00:00:00Z', localId: '10.1234/ü&<>' },
      cursor: 500,
      completeListSize: 1234,
      expiresAt: 1_900_000_000,
    };
    const token = encodeResumptionToken(state, secret);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(decodeResumptionToken(token, 'ListIdentifiers', secret, new Date('2024-03-01T00:00:00Z'))).toEqual({ ok: true, state });
    const badShape = encodeResumptionToken({ ...state, cursor: -1 }, secret);
    expect(decodeResumptionToken(badShape, 'ListIdentifiers', secret, new Date('2024-03-01T00:00:00Z')).ok).toBe(false);
  });
});

function retitled(record: ArticleRecord, title: string): ArticleRecord {
  const copy = structuredClone(record);
  copy.title = { ...copy.title, en: title };
  return copy;
}
