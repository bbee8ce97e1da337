import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HarvestClient, type HarvestClientEvent, type HarvestClientOptions } from '../src/harvest/client.js';
import { HarvestError, HarvestOaiError } from '../src/harvest/errors.js';
import { runHarvest, type HarvestRunOptions } from '../src/harvest/harvester.js';
import { addHarvestSource, harvestedRecords } from '../src/harvest/index.js';
import { classifyError } from '../src/harvest/transport.js';
import type { Store } from '../src/store/index.js';
import { BACKENDS, useTestStores } from './helpers/backends.js';
import { startFaultServer, type FaultAction, type FaultRequest, type FaultServer, type FaultServerOptions } from './helpers/fault-server.js';

/**
 * The harvester's client against a local repository that answers in the ways real ones do:
 * OAI-PMH errors behind any HTTP status, day and seconds granularity, redirects off http, and
 * no server at all. Section numbers: OAI-PMH 2.0 (../shared/specs/openarchivesprotocol.htm).
 */
const servers: FaultServer[] = [];
afterEach(async () => {
  while (servers.length) await servers.pop()!.close();
});
// Client behaviour: one backend is enough (the store suites run on both).
const stores = useTestStores(BACKENDS.find((b) => b.name === 'sqlite')!);

async function harvestedIdentifiers(store: Store, source: string): Promise<string[]> {
  const identifiers: string[] = [];
  for await (const record of harvestedRecords(store, source)) identifiers.push(record.identifier);
  return identifiers;
}

async function setup(serverOptions: Partial<FaultServerOptions> = {}, client: Partial<HarvestClientOptions> = {}) {
  const server = await startFaultServer({ records: 25, pageSize: 10, ...serverOptions });
  servers.push(server);
  const store = await stores.store();
  await addHarvestSource(store, { name: 'wild', baseUrl: server.url, metadataPrefix: 'oai_dc' });
  const sleeps: number[] = [];
  const events: HarvestClientEvent[] = [];
  const run = (options: HarvestRunOptions = {}) =>
    runHarvest(store, 'wild', {
      ...options,
      client: {
        backoffBaseMs: 100,
        sleep: async (ms) => {
          sleeps.push(ms);
        },
        ...client,
        onEvent: (event) => events.push(event),
      },
    });
  return { server, store, sleeps, events, run };
}

const onList = (k: number, action: FaultAction) => (request: FaultRequest) => (request.listRequest === k ? action : undefined);
const listRequests = (server: FaultServer) => server.requests.filter((r) => r.verb === 'ListRecords');

describe('OAI-PMH errors are read from the body, whatever the HTTP status (§3.6)', () => {
  it('noRecordsMatch sent with HTTP 422 (InvenioRDM, Zenodo) completes the list with 0 records', async () => {
    const s = await setup({ fault: onList(1, { kind: 'oaiError', status: 422, code: 'noRecordsMatch' }) });
    const summary = await s.run({ from: '2024-03-01' });
    expect(summary).toMatchObject({ status: 'completed', records: 0, created: 0 });
    expect(s.sleeps).toEqual([]);
    expect(listRequests(s.server)).toHaveLength(1);
    expect(await harvestedIdentifiers(s.store, 'wild')).toHaveLength(0);
  });

  it('the list iterator ends empty on a 422 noRecordsMatch', async () => {
    const server = await startFaultServer({ records: 5, fault: onList(1, { kind: 'oaiError', status: 422, code: 'noRecordsMatch' }) });
    servers.push(server);
    const client = new HarvestClient({ baseUrl: server.url, retries: 0 });
    const pages: number[] = [];
    const records = [];
    for await (const record of client.listRecords({ metadataPrefix: 'oai_dc' }, { onPage: (page) => pages.push(page.items) })) records.push(record);
    await client.close();
    expect(records).toEqual([]);
    expect(pages).toEqual([0]);
  });

  it('badArgument sent with HTTP 400 fails at once, naming the code and the message', async () => {
    const s = await setup({ fault: onList(1, { kind: 'oaiError', status: 400, code: 'badArgument', message: 'from is not a legal date' }) });
    const summary = await s.run();
    expect(summary).toMatchObject({ status: 'failed', errorCode: 'badArgument' });
    expect(summary.reason).toMatch(/badArgument \(from is not a legal date\)/);
    expect(summary.reason).toMatch(/HTTP 400/);
    expect(s.sleeps).toEqual([]);
    expect(listRequests(s.server)).toHaveLength(1);
  });

  it('an OAI-PMH error with HTTP 500 is the repository speaking: not retried as a server failure', async () => {
    const server = await startFaultServer({ records: 5, fault: () => ({ kind: 'oaiError', status: 500, code: 'cannotDisseminateFormat', message: 'no marc' }) });
    servers.push(server);
    const client = new HarvestClient({ baseUrl: server.url, sleep: async () => undefined });
    const error = await client.fetchPage('ListRecords', { metadataPrefix: 'marc21' }).catch((e: unknown) => e);
    await client.close();
    expect(error).toBeInstanceOf(HarvestOaiError);
    expect(error).toMatchObject({ oaiCode: 'cannotDisseminateFormat', status: 500 });
    expect(server.requests).toHaveLength(1);
  });

  it('a status other than 200 with a body that is no OAI-PMH document stays an HTTP failure (404 not retried, 500 retried)', async () => {
    const s404 = await setup({ fault: onList(1, { kind: 'status', status: 404, body: 'Not Found' }) });
    expect(await s404.run()).toMatchObject({ status: 'failed', errorCode: 'httpStatus', reason: 'HTTP 404' });
    expect(s404.sleeps).toEqual([]);
    const s500 = await setup({ fault: onList(1, { kind: 'html' }) });
    const html500 = await startFaultServer({ records: 5, fault: (r) => (r.listRequest === 1 ? { kind: 'status', status: 500, body: '<html><body>Internal error</body></html>' } : undefined) });
    servers.push(html500);
    const client = new HarvestClient({ baseUrl: html500.url, sleep: async () => undefined, retries: 2 });
    const records = [];
    for await (const record of client.listRecords({ metadataPrefix: 'oai_dc' }, { map: false })) records.push(record);
    await client.close();
    expect(records).toHaveLength(5);
    expect(html500.requests.filter((r) => r.verb === 'ListRecords')).toHaveLength(2);
    expect((await s500.run()).status).toBe('completed');
  });
});

describe('from/until at the repository granularity (§2.7.1 inclusive bounds, §3.3.1)', () => {
  // Records spread over five days, at various times of day, at seconds granularity.
  const datestamp = (i: number) => `2024-03-0${1 + (i % 5)}T${String(8 + (i % 12)).padStart(2, '0')}:${String(i).padStart(2, '0')}:00Z`;

  it('a day-granular until includes every record changed during that day, at a seconds repository', async () => {
    const s = await setup({ datestamp });
    const summary = await s.run({ until: '2024-03-03' });
    expect(summary).toMatchObject({ status: 'completed', until: '2024-03-03' });
    expect(listRequests(s.server)[0]!.args.until).toBe('2024-03-03');
    const expected = s.server.records.filter((r) => r.datestamp.slice(0, 10) <= '2024-03-03').map((r) => r.identifier);
    // The whole of 3 March is in: records stamped late on that day too.
    expect(s.server.records.some((r) => r.datestamp.startsWith('2024-03-03T1'))).toBe(true);
    expect((await harvestedIdentifiers(s.store, 'wild')).sort()).toEqual(expected.sort());
    expect(summary.records).toBe(expected.length);
  });

  it('a seconds from with a day until (both at one granularity, §3.3.1): the day is sent to its last second', async () => {
    const s = await setup({ datestamp });
    const summary = await s.run({ from: '2024-03-02T12:00:00Z', until: '2024-03-03' });
    expect(summary.status).toBe('completed');
    expect(listRequests(s.server)[0]!.args).toMatchObject({ from: '2024-03-02T12:00:00Z', until: '2024-03-03T23:59:59Z' });
    const expected = s.server.records.filter((r) => r.datestamp >= '2024-03-02T12:00:00Z' && r.datestamp.slice(0, 10) <= '2024-03-03');
    expect(summary.records).toBe(expected.length);
  });

  it('seconds for a day repository: from truncated down, until the whole day', async () => {
    const s = await setup({ granularity: 'YYYY-MM-DD' });
    const summary = await s.run({ from: '2024-03-05T18:00:00Z', until: '2024-03-10T06:00:00Z' });
    expect(summary).toMatchObject({ status: 'completed', from: '2024-03-05', until: '2024-03-10' });
    expect(listRequests(s.server)[0]!.args).toMatchObject({ from: '2024-03-05', until: '2024-03-10' });
    // Day granularity: record i is stamped 2024-03-01 plus i days; 5 March to 10 March inclusive.
    expect(summary.records).toBe(6);
    expect(summary.warnings.join('\n')).toMatch(/until 2024-03-10T06:00:00Z sent as 2024-03-10/);
  });

  it('the list iterator sends dates at the granularity it is given', async () => {
    const server = await startFaultServer({ records: 25, datestamp });
    servers.push(server);
    const client = new HarvestClient({ baseUrl: server.url });
    const identifiers: string[] = [];
    for await (const header of client.listIdentifiers({ metadataPrefix: 'oai_dc', until: '2024-03-01' }, { granularity: 'YYYY-MM-DDThh:mm:ssZ' })) {
      identifiers.push(header.identifier);
    }
    await client.close();
    expect(server.requests[0]!.args.until).toBe('2024-03-01');
    expect(identifiers.sort()).toEqual(server.records.filter((r) => r.datestamp.startsWith('2024-03-01')).map((r) => r.identifier).sort());
  });
});

describe('failing fast on what retrying cannot fix', () => {
  it('a redirect to file:// fails at once, without a retry', async () => {
    const s = await setup({ fault: onList(1, { kind: 'redirect', status: 302, location: 'file:///etc/passwd' }) });
    const summary = await s.run();
    expect(summary).toMatchObject({ status: 'failed', errorCode: 'unsupportedUrl' });
    expect(summary.reason).toMatch(/redirects to "file:\/\/\/etc\/passwd" uses file:, not http or https/);
    expect(s.events.filter((e) => e.type === 'retry')).toEqual([]);
    expect(listRequests(s.server)).toHaveLength(1);
  });

  it('a base URL that is not http(s) is refused before any request', async () => {
    const client = new HarvestClient({ baseUrl: 'ftp://127.0.0.1/oai' });
    const events: HarvestClientEvent[] = [];
    const withEvents = new HarvestClient({ baseUrl: 'file:///tmp/oai.xml', onEvent: (e) => events.push(e) });
    await expect(client.identify()).rejects.toMatchObject({ code: 'unsupportedUrl', message: expect.stringMatching(/uses ftp:, not http or https/) });
    await expect(withEvents.identify()).rejects.toMatchObject({ code: 'unsupportedUrl' });
    expect(events).toEqual([]);
    await client.close();
    await withEvents.close();
  });

  it('connection refused: a few short retries, then a clear failure within 30 s', async () => {
    // A port that was just free: nothing listens on it.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const store = await stores.store();
    await addHarvestSource(store, { name: 'gone', baseUrl: `http://127.0.0.1:${port}/oai`, metadataPrefix: 'oai_dc' });
    const events: HarvestClientEvent[] = [];
    const started = Date.now();
    // Real sleeps and the default retry settings.
    const summary = await runHarvest(store, 'gone', { client: { onEvent: (e) => events.push(e) } });
    const seconds = (Date.now() - started) / 1000;
    expect(summary).toMatchObject({ status: 'failed', errorCode: 'unreachable' });
    expect(summary.reason).toMatch(new RegExp(`^Cannot connect to 127\\.0\\.0\\.1:${port}: connection refused \\(ECONNREFUSED\\); gave up after 5 attempts in \\d+\\.\\d s$`));
    const retries = events.filter((e) => e.type === 'retry');
    expect(retries).toHaveLength(4);
    expect(retries.reduce((sum, e) => sum + (e.type === 'retry' ? e.delayMs : 0), 0)).toBeLessThanOrEqual(30_000);
    expect(seconds).toBeLessThan(32);
  }, 45_000);

  it('DNS failures are "unreachable" too (classified by their error code)', () => {
    const dns = Object.assign(new Error('getaddrinfo ENOTFOUND repository.invalid'), { code: 'ENOTFOUND' });
    expect(classifyError(dns, 'http://repository.invalid/oai')).toMatchObject({
      code: 'unreachable',
      retryable: true,
      message: 'Cannot connect to repository.invalid: host name not found (DNS) (ENOTFOUND)',
    });
    expect(classifyError(Object.assign(new Error('x'), { code: 'ECONNRESET' }), 'http://h/')).toBeInstanceOf(HarvestError);
    expect(classifyError(new Error('unrelated'), 'http://h/')).toBeUndefined();
  });
});
