import { afterEach, describe, expect, it, vi } from 'vitest';
import { listRecords, type HarvestClientEvent, type HarvestClientOptions } from '../src/harvest/client.js';
import { runHarvest, type HarvestRunOptions } from '../src/harvest/harvester.js';
import { addHarvestSource, harvestSourceStatus, harvestedRecords, type HarvestedRecord } from '../src/harvest/index.js';
import type { RecordRepository, Store } from '../src/store/index.js';
import { describeBackends, useTestStores } from './helpers/backends.js';
import { faultTitle, startFaultServer, type FaultAction, type FaultRequest, type FaultServer, type FaultServerOptions } from './helpers/fault-server.js';

/**
 * Every failure real repositories produce, injected by a local server into a harvest of N known
 * records. Whatever happens in between, the end state is the same: exactly N records stored,
 * none twice, each with the content the server holds.
 */
const N = 35;
const PAGE = 10;

const servers: FaultServer[] = [];
afterEach(async () => {
  while (servers.length) await servers.pop()!.close();
});

interface Setup {
  server: FaultServer;
  store: Store;
  sleeps: number[];
  events: HarvestClientEvent[];
  run: (options?: HarvestRunOptions) => ReturnType<typeof runHarvest>;
}

async function setupOn(stores: ReturnType<typeof useTestStores>, serverOptions: Partial<FaultServerOptions> = {}, client: Partial<HarvestClientOptions> = {}): Promise<Setup> {
  const server = await startFaultServer({ records: N, pageSize: PAGE, ...serverOptions });
  servers.push(server);
  const store = await stores.store();
  await addHarvestSource(store, { name: 'faulty', baseUrl: server.url, metadataPrefix: 'oai_dc' });
  const sleeps: number[] = [];
  const events: HarvestClientEvent[] = [];
  const run = (options: HarvestRunOptions = {}) =>
    runHarvest(store, 'faulty', {
      ...options,
      client: {
        retries: 4,
        backoffBaseMs: 100,
        // Waits are recorded, not slept, unless a test brings real sleep.
        sleep: async (ms) => {
          sleeps.push(ms);
        },
        random: () => 0.5,
        ...client,
        onEvent: (event) => events.push(event),
        ...options.client,
      },
    });
  return { server, store, sleeps, events, run };
}

async function harvested(store: Store): Promise<HarvestedRecord[]> {
  const all: HarvestedRecord[] = [];
  for await (const record of harvestedRecords(store, 'faulty')) all.push(record);
  return all;
}

/** The invariant: every server record stored exactly once, with the server's current content. */
async function expectExactlyOnce({ server, store }: Setup, expectedCount = server.records.length) {
  const stored = await harvested(store);
  expect(stored).toHaveLength(expectedCount);
  const byIdentifier = new Map(stored.map((r) => [r.identifier, r]));
  expect(byIdentifier.size).toBe(stored.length);
  for (const record of server.records) {
    const row = byIdentifier.get(record.identifier);
    expect(row, record.identifier).toBeDefined();
    expect(row!.datestamp).toBe(record.datestamp);
    expect(Object.values(row!.mapped?.title ?? {})).toEqual([faultTitle(record.index, record.version)]);
    expect(row!.valid).toBe(true);
  }
  // Valid mapped records also went to the store's records, once each.
  expect(await store.records.count({})).toBe(expectedCount);
  expect(await store.harvest.listQuarantine('faulty')).toHaveLength(0);
}

/** A fault on the k-th ListRecords request only. */
const onList = (k: number, action: FaultAction) => (request: FaultRequest) => (request.listRequest === k ? action : undefined);

describeBackends('harvesting through faults', (backend) => {
  const stores = useTestStores(backend);
  const setup = (serverOptions: Partial<FaultServerOptions> = {}, client: Partial<HarvestClientOptions> = {}) => setupOn(stores, serverOptions, client);

  describe('HTTP flow control (harvester guidelines §5)', () => {
    it('503 with Retry-After in seconds: waits that long for real, then continues', async () => {
      const s = await setup({ fault: onList(2, { kind: 'status', status: 503, retryAfter: '1' }) }, { sleep: undefined! });
      const summary = await s.run();
      expect(summary.status).toBe('completed');
      const list = s.server.requests.filter((r) => r.verb === 'ListRecords');
      expect(list).toHaveLength(5);
      // The retry of request 2 asked for the same page (same token).
      expect(list[2]!.args.resumptionToken).toBe(list[1]!.args.resumptionToken);
      const retry = s.events.find((e) => e.type === 'retry');
      expect(retry).toMatchObject({ delayMs: 1000, code: 'httpStatus' });
      await expectExactlyOnce(s);
    });

    it('503 with Retry-After as an HTTP-date waits until that date', async () => {
      const clientNow = new Date('2030-01-01T00:00:00Z');
      const s = await setup(
        { fault: onList(3, { kind: 'status', status: 503, retryAfter: new Date(clientNow.getTime() + 90_000).toUTCString() }) },
        { clock: () => clientNow },
      );
      expect((await s.run()).status).toBe('completed');
      expect(s.sleeps).toEqual([90_000]);
      await expectExactlyOnce(s);
    });

    it('429 is retried; Retry-After is honoured, and without it the backoff doubles with jitter', async () => {
      const s = await setup({
        fault: (r) =>
          r.listRequest === 1 || r.listRequest === 2
            ? { kind: 'status', status: 429 }
            : r.listRequest === 4
              ? { kind: 'status', status: 429, retryAfter: '7' }
              : undefined,
      });
      expect((await s.run()).status).toBe('completed');
      // base 100 ms: retry n waits between half and all of 100 * 2^(n-1); random() = 0.5 gives 3/4.
      expect(s.sleeps).toEqual([75, 150, 7000]);
      await expectExactlyOnce(s);
    });

    it('503 without Retry-After waits at least the configured "considerable delay"', async () => {
      const s = await setup({ fault: onList(1, { kind: 'status', status: 503 }) }, { unavailableDelayMs: 60_000 });
      expect((await s.run()).status).toBe('completed');
      expect(s.sleeps).toEqual([60_000]);
      await expectExactlyOnce(s);
    });

    it('a Retry-After beyond the cap pauses the run with a checkpoint; the next run (after the date) completes it', async () => {
      const s = await setup({ fault: onList(3, { kind: 'status', status: 503, retryAfter: '86400' }) }, { maxRetryAfterMs: 3_600_000 });
      const paused = await s.run();
      expect(paused).toMatchObject({ status: 'paused', errorCode: 'retryAfterTooLong', resumable: true, pages: 2, records: 20 });
      expect(Date.parse(paused.resumeAfter!) - Date.now()).toBeGreaterThan(86_000_000);
      expect((await s.store.harvest.getCheckpoint('faulty'))?.resumptionToken).toBeDefined();
      // Too early: no request is made at all.
      const before = s.server.requests.length;
      expect(await s.run()).toMatchObject({ status: 'paused', errorCode: 'retryAfterTooLong' });
      expect(s.server.requests.length).toBe(before);
      const resumed = await s.run({ ignoreNotBefore: true });
      expect(resumed).toMatchObject({ status: 'completed', resumed: true, records: 15 });
      // It continued with the saved token rather than starting over.
      expect(s.server.requests[before]!.args.resumptionToken).toBeDefined();
      await expectExactlyOnce(s);
    });

    it('a per-source request budget pauses the run; runs continue until the list is complete', async () => {
      const s = await setup();
      await addHarvestSource(s.store, { name: 'faulty', baseUrl: s.server.url, metadataPrefix: 'oai_dc', requestBudget: 3 }, { replace: true });
      const statuses: string[] = [];
      for (let i = 0; i < 5; i++) {
        const summary = await s.run();
        statuses.push(summary.status);
        expect(summary.requests).toBeLessThanOrEqual(3);
        if (summary.status === 'completed') break;
        expect(summary.errorCode).toBe('requestBudgetExhausted');
      }
      expect(statuses).toEqual(['paused', 'completed']);
      await expectExactlyOnce(s);
    });

    it('403 is not retried: the run fails at once and keeps its checkpoint', async () => {
      const s = await setup({ fault: onList(2, { kind: 'status', status: 403 }) });
      const failed = await s.run();
      expect(failed).toMatchObject({ status: 'failed', errorCode: 'httpStatus', resumable: true });
      expect(s.sleeps).toEqual([]);
      expect((await s.run()).status).toBe('completed');
      await expectExactlyOnce(s);
    });

    it('retries are bounded: a server that keeps failing fails the run; the next run resumes from the checkpoint', async () => {
      let broken = true;
      const s = await setup({ fault: (r) => (broken && r.listRequest >= 3 ? { kind: 'status', status: 500 } : undefined) });
      const failed = await s.run();
      expect(failed).toMatchObject({ status: 'failed', errorCode: 'httpStatus', records: 20 });
      expect(s.sleeps).toHaveLength(4);
      broken = false;
      const before = s.server.requests.length;
      expect(await s.run()).toMatchObject({ status: 'completed', resumed: true });
      expect(s.server.requests.slice(before).find((r) => r.verb === 'ListRecords')!.args.resumptionToken).toBeDefined();
      await expectExactlyOnce(s);
    });
  });

  describe('broken responses are recognised by name and retried', () => {
    it.each<[string, FaultAction, string]>([
      ['connection reset mid-body', { kind: 'reset', afterBytes: 1500 }, 'network'],
      ['truncated XML', { kind: 'truncate', afterBytes: 2500 }, 'truncatedDocument'],
      ['HTML with status 200', { kind: 'html' }, 'htmlBody'],
      ['an empty body', { kind: 'empty' }, 'emptyBody'],
      ['a non-XML content type', { kind: 'contentType', contentType: 'application/json', body: '{"error":"maintenance"}' }, 'nonXmlContentType'],
    ])('%s', async (_name, action, code) => {
      const s = await setup({ fault: onList(2, action) });
      const summary = await s.run();
      expect(summary.status).toBe('completed');
      expect(s.events.filter((e) => e.type === 'retry')).toEqual([expect.objectContaining({ code })]);
      await expectExactlyOnce(s);
    });

    it.each<[string, FaultAction, Partial<HarvestClientOptions>]>([
      ['headers later than the headers timeout', { kind: 'stallHeaders', ms: 2000 }, { headersTimeoutMs: 250 }],
      ['a body that stalls beyond the body timeout', { kind: 'stallBody', afterBytes: 2000, ms: 2000 }, { bodyTimeoutMs: 250 }],
      ['a body trickling past the request deadline', { kind: 'trickle', chunkBytes: 200, intervalMs: 60 }, { requestTimeoutMs: 400 }],
    ])('slow responses: %s', async (_name, action, client) => {
      const s = await setup({ fault: onList(2, action) }, client);
      const summary = await s.run();
      expect(summary.status).toBe('completed');
      expect(s.events.filter((e) => e.type === 'retry')).toEqual([expect.objectContaining({ code: 'timeout' })]);
      await expectExactlyOnce(s);
    });

    it('bad bytes: invalid UTF-8 and control characters are repaired, the records stored', async () => {
      const s = await setup({ badBytes: (i) => i % 7 === 3 });
      expect(await s.run()).toMatchObject({ status: 'completed', quarantined: 0 });
      await expectExactlyOnce(s);
      const repaired = (await harvested(s.store)).filter((r) => r.repairs !== undefined);
      expect(repaired.map((r) => r.identifier).sort()).toEqual(s.server.records.filter((r) => r.badBytes).map((r) => r.identifier).sort());
      for (const row of repaired) {
        expect(row.recordXml).not.toMatch(/[\u0000-\u0008]/);
        expect(row.rawBytes!.includes(Buffer.from([0xc2, 0x0a, 0x80]))).toBe(true);
      }
    });
  });

  describe('resumption tokens (OAI-PMH 2.0 §3.5)', () => {
    it('a repeated token ends the list with a loop warning instead of looping', async () => {
      const s = await setup({ fault: onList(4, { kind: 'repeatToken' }) });
      const summary = await s.run();
      expect(summary.status).toBe('completed');
      expect(summary.warnings.join('\n')).toMatch(/resumptionTokenLoop/);
      expect(s.server.requests.filter((r) => r.verb === 'ListRecords')).toHaveLength(4);
      await expectExactlyOnce(s);
    });

    it('tokens are sent percent-encoded and exactly as issued', async () => {
      const s = await setup();
      await s.run();
      const withToken = s.server.requests.filter((r) => r.args.resumptionToken !== undefined);
      expect(withToken).toHaveLength(3);
      for (const request of withToken) {
        expect(request.rawQuery).not.toMatch(/[ +#]/);
        expect(request.rawQuery).toContain('%2F');
        expect(request.rawQuery).toContain('%26');
      }
      await expectExactlyOnce(s);
    });

    it('an expired token (badResumptionToken) restarts from the checkpointed from, not from scratch', async () => {
      const s = await setup({ fault: onList(3, { kind: 'badResumptionToken' }) });
      const summary = await s.run();
      expect(summary.status).toBe('completed');
      expect(summary.warnings.join('\n')).toMatch(/badResumptionToken/);
      const list = s.server.requests.filter((r) => r.verb === 'ListRecords');
      // Datestamps arrived in order, so the restart asks from the latest one seen (inclusive).
      const restart = list[3]!;
      expect(restart.args.resumptionToken).toBeUndefined();
      expect(restart.args.from).toBe(s.server.records[PAGE * 2 - 1]!.datestamp);
      // Only the unharvested tail (plus the boundary record) was fetched again.
      expect(list.length).toBeLessThanOrEqual(6);
      await expectExactlyOnce(s);
    });

    it('after badResumptionToken with out-of-order datestamps, the restart uses the sequence from', async () => {
      const base = Date.UTC(2024, 0, 1);
      const s = await setup({
        order: 'index',
        // Newest first: incomplete lists need not be in datestamp order (§3.5).
        datestamp: (i) => `${new Date(base + (N - i) * 60_000).toISOString().slice(0, 19)}Z`,
        fault: onList(3, { kind: 'badResumptionToken' }),
      });
      const summary = await s.run({ from: '2024-01-01T00:00:00Z' });
      expect(summary.status).toBe('completed');
      const list = s.server.requests.filter((r) => r.verb === 'ListRecords');
      expect(list[3]!.args).toEqual({ metadataPrefix: 'oai_dc', from: '2024-01-01T00:00:00Z' });
      await expectExactlyOnce(s);
    });

    it('badResumptionToken restarts the list once; a second one fails the run, naming the code', async () => {
      const s = await setup({ fault: (r) => (r.listRequest === 3 || r.listRequest === 5 ? { kind: 'badResumptionToken' } : undefined) });
      const summary = await s.run();
      expect(summary).toMatchObject({ status: 'failed', errorCode: 'badResumptionToken', resumable: true });
      expect(summary.warnings.filter((w) => w.startsWith('badResumptionToken'))).toHaveLength(1);
      // The next run goes on from the checkpoint (a fresh list request) and completes.
      expect((await s.run()).status).toBe('completed');
      await expectExactlyOnce(s);
    });

    it('a runaway token chain stops as paused, with a warning, past twice what completeListSize implies', async () => {
      const s = await setup({ runaway: true });
      const summary = await s.run();
      // 35 records in pages of 10: 4 pages implied, so at most 8.
      expect(summary).toMatchObject({ status: 'paused', errorCode: 'runawayList', resumable: true, pages: 8 });
      expect(summary.warnings.join('\n')).toMatch(/runawayList: Runaway list.*completeListSize 35/);
      expect(await s.store.harvest.getCheckpoint('faulty')).toMatchObject({ pages: 8 });
      await expectExactlyOnce(s);
    });

    it('a runaway list stops at the page cap (maxPages) when that comes first; a budget lifts the check', async () => {
      const s = await setup({ runaway: true });
      expect(await s.run({ maxPages: 3 })).toMatchObject({ status: 'paused', errorCode: 'runawayList', pages: 3 });
      // With a request budget the budget bounds the run instead.
      expect(await s.run({ maxPages: 3, requestBudget: 12 })).toMatchObject({ status: 'paused', errorCode: 'requestBudgetExhausted' });
    });

    it('an explicit from that differs from the saved checkpoint is refused; --restart starts over', async () => {
      const s = await setup();
      expect((await s.run({ requestBudget: 3 })).status).toBe('paused');
      await expect(s.run({ from: '2020-01-01' })).rejects.toThrow('checkpoint from (the beginning) exists: --restart or drop --from');
      await expect(s.run({ until: '2020-01-01' })).rejects.toThrow(/checkpoint until \(open\) exists: --restart or drop --until/);
      const restarted = await s.run({ from: '2020-01-01', restart: true });
      expect(restarted).toMatchObject({ status: 'completed', resumed: false, from: '2020-01-01' });
      await expectExactlyOnce(s);
    });

    it('noRecordsMatch is an empty result, not a failure', async () => {
      const s = await setup();
      const summary = await s.run({ from: '2031-01-01T00:00:00Z' });
      expect(summary).toMatchObject({ status: 'completed', records: 0, pages: 1 });
      expect((await s.store.harvest.getSource('faulty'))!.nextFrom).toBeDefined();
    });
  });

  describe('incremental harvesting (guidelines §3)', () => {
    it('day-only granularity: the next from is a day, never seconds; changed records replace, none duplicate', async () => {
      let serverNow = new Date('2024-05-10T15:30:00Z');
      const s = await setup({ granularity: 'YYYY-MM-DD', now: () => serverNow });
      expect(await s.run()).toMatchObject({ status: 'completed', nextFrom: '2024-05-10', created: N });
      // The repository changes two records on the day of the last harvest and one later.
      s.server.touch(2, '2024-05-10');
      s.server.touch(5, '2024-05-10');
      s.server.touch(9, '2024-05-11');
      serverNow = new Date('2024-05-11T09:00:00Z');
      const second = await s.run();
      expect(second).toMatchObject({ status: 'completed', from: '2024-05-10', nextFrom: '2024-05-11', updated: 3 });
      const list = s.server.requests.filter((r) => r.verb === 'ListRecords' && r.args.metadataPrefix);
      expect(list.map((r) => r.args.from)).toEqual([undefined, '2024-05-10']);
      for (const request of s.server.requests) expect(request.rawQuery).not.toMatch(/from=\d{4}-\d{2}-\d{2}T/);
      await expectExactlyOnce(s);
    });

    it('seconds granularity: the next from is the first responseDate of the sequence', async () => {
      let serverNow = new Date('2024-05-10T15:30:00Z');
      const s = await setup({ now: () => serverNow });
      const first = await s.run();
      expect(first.nextFrom).toBe('2024-05-10T15:30:00Z');
      serverNow = new Date('2024-05-12T08:00:00Z');
      s.server.touch(4, '2024-05-11T10:00:00Z');
      const second = await s.run();
      expect(second).toMatchObject({ from: '2024-05-10T15:30:00Z', records: 1, updated: 1, nextFrom: '2024-05-12T08:00:00Z' });
      await expectExactlyOnce(s);
    });

    it('a seconds `from` given for a day-granularity repository is sent as a day', async () => {
      const s = await setup({ granularity: 'YYYY-MM-DD' });
      const summary = await s.run({ from: '2024-03-20T12:34:56Z' });
      expect(summary).toMatchObject({ status: 'completed', from: '2024-03-20' });
      expect(summary.warnings.join('\n')).toMatch(/day granularity/);
    });

    it('an older datestamp never replaces a newer one (a list may hold a record twice)', async () => {
      const s = await setup();
      await s.run();
      const newer = (await s.store.harvest.getRecord('faulty', s.server.records[6]!.identifier))!;
      // The repository goes back to an older version of record 6 (as a stale replica would).
      s.server.touch(6, '2020-01-01T00:00:00Z');
      const summary = await s.run({ full: true });
      expect(summary).toMatchObject({ status: 'completed', updated: 0, created: 0 });
      expect((await s.store.harvest.getRecord('faulty', s.server.records[6]!.identifier))).toMatchObject({ datestamp: newer.datestamp, recordXml: newer.recordXml });
    });

    it('deleted records remove the article from the records but stay as a tombstone', async () => {
      const s = await setup();
      await s.run();
      s.server.records[3]!.deleted = true;
      s.server.touch(3, '2099-01-01T00:00:00Z');
      const summary = await s.run({ full: true });
      expect(summary).toMatchObject({ status: 'completed', deleted: 1 });
      expect((await s.store.harvest.getRecord('faulty', s.server.records[3]!.identifier))!.deleted).toBe(true);
      expect((await s.store.records.get('10.5555/fault.3'))?.deleted).toBe(true);
    });
  });

  describe('bounded memory', () => {
    it('a page bigger than the memory budget is staged in SQLite and committed whole', async () => {
      const s = await setup({ pageSize: 30, fault: onList(2, { kind: 'reset', afterBytes: 40_000 }) });
      const staged = vi.spyOn(s.store.harvest, 'stageItems');
      const summary = await s.run({ maxBufferedBytes: 6_000 });
      expect(staged.mock.calls.length).toBeGreaterThan(5);
      staged.mockRestore();
      expect(summary).toMatchObject({ status: 'completed', pages: 2 });
      // The reset attempt's staged items were dropped, not committed twice.
      expect(await s.store.harvest.countStaged()).toBe(0);
      await expectExactlyOnce(s);
    });
  });

  describe('stopping and quarantine', () => {
    it('one run per source at a time: the source lease refuses a second run until the first ends', async () => {
      let listing: () => void = () => undefined;
      const firstListRequest = new Promise<void>((resolve) => (listing = resolve));
      const s = await setup({
        fault: (r) => {
          if (r.listRequest === 1) listing();
          return r.listRequest === 1 ? { kind: 'delay', ms: 300 } : undefined;
        },
      });
      const first = s.run();
      // The lease is taken before the first request goes out.
      await firstListRequest;
      expect((await s.store.jobs.leaseHolder('harvest:faulty', Date.now()))?.owner).toMatch(/:harvest-[0-9a-f]+$/);
      await expect(s.run()).rejects.toThrow(/"faulty" is already being harvested in this process/);
      expect((await first).status).toBe('completed');
      expect(await s.store.jobs.leaseHolder('harvest:faulty', Date.now())).toBeUndefined();
      await expectExactlyOnce(s);
    });

    it('an AbortSignal finishes the current page, checkpoints and returns; the next run completes', async () => {
      const controller = new AbortController();
      const s = await setup();
      const summary = await s.run({
        signal: controller.signal,
        onProgress: (p) => {
          if (p.pages === 2) controller.abort();
        },
      });
      expect(summary).toMatchObject({ status: 'paused', errorCode: 'aborted', pages: 2, records: 20, resumable: true });
      expect((await s.store.harvest.getCheckpoint('faulty'))).toMatchObject({ pages: 2, records: 20 });
      expect((await s.run()).status).toBe('completed');
      await expectExactlyOnce(s);
    });

    it('a record the records refuse is kept raw and flagged; the page still commits', async () => {
      const s = await setup();
      const refusingOne = (records: RecordRepository): RecordRepository => {
        const refusing = Object.create(records) as RecordRepository;
        refusing.upsert = (record, options) => {
          if (record.doi === '10.5555/fault.4') return Promise.reject(new Error('disk says no'));
          return records.upsert(record, options);
        };
        return refusing;
      };
      const summary = await s.run({ records: refusingOne });
      expect(summary).toMatchObject({ status: 'completed', invalid: 1, records: N });
      const row = (await s.store.harvest.getRecord('faulty', s.server.records[4]!.identifier))!;
      expect(row.valid).toBe(false);
      expect(row.errors.join('\n')).toMatch(/record store refused it: disk says no/);
      expect(await s.store.records.count({})).toBe(N - 1);
    });

    it('an unreadable record is quarantined with the reason and its bytes; the harvest goes on', async () => {
      const s = await setup({ malformed: (i) => i === 12 });
      const summary = await s.run();
      expect(summary).toMatchObject({ status: 'completed', quarantined: 1, records: N });
      const [quarantined] = (await s.store.harvest.listQuarantine('faulty'));
      expect(quarantined).toMatchObject({ identifier: s.server.records[12]!.identifier, datestamp: s.server.records[12]!.datestamp });
      expect(quarantined!.reason).toMatch(/not well-formed.*line \d+, column \d+/);
      expect(quarantined!.raw.toString()).toContain('</dc:titel>');
      expect(await harvested(s.store)).toHaveLength(N - 1);
      expect((await harvestSourceStatus(s.store, (await s.store.harvest.getSource('faulty'))!)).quarantined).toBe(1);
      // Harvesting the same bad record again does not add a second quarantine row.
      await s.run({ full: true });
      expect((await s.store.harvest.listQuarantine('faulty'))).toHaveLength(1);
      // Fixed at the source: the next harvest stores it and clears the quarantine.
      s.server.records[12]!.malformed = false;
      s.server.touch(12, '2099-01-01T00:00:00Z');
      expect((await s.run()).status).toBe('completed');
      await expectExactlyOnce(s);
    });
  });
});

describe('the library iterators', () => {
  it('listRecords yields each record once although a page was retried after a reset mid-body', async () => {
    const server = await startFaultServer({ records: N, pageSize: PAGE, fault: onList(2, { kind: 'reset', afterBytes: 9000 }) });
    servers.push(server);
    const events: HarvestClientEvent[] = [];
    const seen: string[] = [];
    for await (const record of listRecords({ baseUrl: server.url, backoffBaseMs: 1, onEvent: (e) => events.push(e) }, { metadataPrefix: 'oai_dc' })) {
      seen.push(record.header.identifier);
      expect(record.mapping?.valid).toBe(true);
    }
    expect(events.filter((e) => e.type === 'retry')).toEqual([expect.objectContaining({ code: 'network' })]);
    expect(seen).toEqual(server.records.map((r) => r.identifier));
  });

  it('leaving the loop early stops requesting', async () => {
    const server = await startFaultServer({ records: N, pageSize: PAGE });
    servers.push(server);
    let count = 0;
    for await (const record of listRecords(server.url, { metadataPrefix: 'oai_dc' }, { map: false })) {
      expect(record.header.identifier).toBe(server.records[count]!.identifier);
      if (++count === 12) break;
    }
    expect(server.requests.length).toBeLessThanOrEqual(2);
  });
});
