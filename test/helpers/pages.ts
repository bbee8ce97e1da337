/**
 * A real pubmeta site for the page tests: a SQLite file store with the seed, the edge-case
 * samples and synthetic records, the real OAI-PMH engine and request handler, and the pages
 * handler in front, on a node:http server at 127.0.0.1.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toJats, toOaiDc } from '../../src/formats/index.js';
import { generateSyntheticRecords, loadSeedSample, validateArticle, type ArticleRecord } from '../../src/model/index.js';
import { createOaiRequestHandler, handleOaiRequest, DEFAULT_METADATA_FORMATS, type OaiArguments, type OaiConfig } from '../../src/oai/index.js';
import { openStore, type RecordRepository, type Store } from '../../src/store/index.js';
import { createPagesHandler, recordHead, type PagesDeps, type StatusData, type StatusFilters } from '../../src/pages/index.js';
import { TestClock } from './oai.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';
export const FAILED_DOI = '10.5555/synthetic.edge.1';
export const FAILED_MESSAGE = 'Record not processed because submitted version: 2024030110000000000 is less or equal to previously submitted version (DOI match)';
export const DELETED_ID = 'withdrawn-article';

export function edgeCaseRecord(n: 1 | 2): ArticleRecord {
  const path = new URL(`../../samples/synthetic-edge-cases-${n}.json`, import.meta.url);
  const result = validateArticle(JSON.parse(readFileSync(path, 'utf8')));
  if (!result.ok) throw new Error(`synthetic-edge-cases-${n}.json is invalid`);
  return result.record;
}

export const EXPORT_FORMATS = [
  { id: 'oai_dc', label: 'Dublin Core (oai_dc)', mediaType: 'application/xml', extension: 'xml' },
  { id: 'jats', label: 'JATS 1.3', mediaType: 'application/xml', extension: 'xml' },
] as const;

export function statusFixture(): StatusData {
  return {
    harvestSources: [
      {
        name: 'ojs-demo',
        baseUrl: 'https://demo.example.org/index.php/journal/oai',
        metadataPrefix: 'oai_dc',
        lastRun: {
          status: 'failed',
          startedAt: '2024-03-01T09:00:00Z',
          finishedAt: '2024-03-01T09:00:05Z',
          counts: { requests: 3, pages: 2, records: 150, created: 148, updated: 0, unchanged: 0, deleted: 2, invalid: 0, quarantined: 0 },
          error: 'badResumptionToken: The token has expired',
        },
        held: { records: 148, deleted: 2, invalid: 0, quarantined: 0 },
        nextRun: '2024-03-01T12:00:00Z',
      },
    ],
    deposits: [
      { doi: '10.33172/jdp.v4i2.323', localId: 'jdp-323', state: 'registered', message: 'Successfully added', batchId: 'batch-0001', updatedAt: '2024-03-01T09:10:00Z' },
      { doi: FAILED_DOI, localId: 'synthetic-edge-1', state: 'failed', message: FAILED_MESSAGE, failureSource: 'crossref', batchId: 'batch-0001', submissionId: '1234567890', updatedAt: '2024-03-01T09:10:00Z' },
    ],
    jobRuns: [
      { id: 7, job: 'deposit', trigger: 'schedule', startedAt: '2024-03-01T09:09:00Z', endedAt: '2024-03-01T09:10:00Z', status: 'succeeded', counts: { sent: 2, failed: 1 }, error: null },
      { id: 6, job: 'harvest', trigger: 'schedule', startedAt: '2024-03-01T09:00:00Z', endedAt: '2024-03-01T09:00:05Z', status: 'failed', counts: null, error: 'ojs-demo: badResumptionToken' },
    ],
  };
}

export interface PagesSite {
  /** http://127.0.0.1:<port> */
  origin: string;
  config: OaiConfig;
  clock: TestClock;
  store: RecordRepository;
  /** The engine's XML for these arguments, at the site's clock (what /oai must serve byte for byte). */
  engineXml(args: OaiArguments): Promise<string>;
  statusCalls: StatusFilters[];
  logLines: unknown[];
  close(): Promise<void>;
}

export async function startPagesSite(options: { admin?: boolean; pageSize?: number } = {}): Promise<PagesSite> {
  const dir = mkdtempSync(join(tmpdir(), 'pubmeta-pages-'));
  const clock = new TestClock('2024-03-01T10:00:00Z');
  const opened: Store = await openStore(join(dir, 'pages.db'), { clock: () => clock.now() });
  const store = opened.records;
  await store.upsert(loadSeedSample());
  await store.upsert(edgeCaseRecord(1));
  await store.upsert(edgeCaseRecord(2));
  for (const record of generateSyntheticRecords(12, 7)) await store.upsert(record);
  await store.upsert({ ...loadSeedSample(), id: DELETED_ID, doi: '10.5555/withdrawn.1' });
  await store.delete(DELETED_ID);
  clock.advance(60);

  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server: Server = createServer((req, res) => handler!(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config: OaiConfig = {
    repositoryName: 'Test Journal Repository',
    baseUrl: `${origin}/oai`,
    repositoryIdentifier: 'journal.example.org',
    adminEmails: ['oai-admin@journal.example.org'],
    tokenSecret: 'test-secret-0123456789abcdef',
    pageSize: { records: options.pageSize ?? 10, identifiers: options.pageSize ?? 10 },
  };
  // The engine may become asynchronous; awaiting its result works either way.
  const engineXml = async (args: OaiArguments) => await handleOaiRequest(args, store, config, clock.now());
  const statusCalls: StatusFilters[] = [];
  const logLines: unknown[] = [];
  const deps: PagesDeps = {
    getRecord: async (localId) => await store.get(localId),
    // Test stand-in for the store's search: a scan is fine for a few dozen records.
    searchRecords: async (query, limit) => {
      const needle = query.toLowerCase();
      const rows = await store.list({}, 10_000);
      return rows
        .filter((row) => !row.deleted && row.record)
        .filter(({ record }) => {
          const names = record!.contributors.map((c) => [c.given, c.family, c.name].filter(Boolean).join(' '));
          return [...Object.values(record!.title), ...names, record!.doi].some((text) => text.toLowerCase().includes(needle));
        })
        .slice(0, limit)
        .map((row) => ({ localId: row.localId, record: row.record! }));
    },
    repositoryInfo: async () => ({ recordCount: (await store.list({}, 10_000, { headersOnly: true })).filter((r) => !r.deleted).length, sets: await store.listSets() }),
    statusData: async (filters) => {
      statusCalls.push(filters);
      const data = statusFixture();
      return { ...data, deposits: data.deposits.filter((d) => !filters.depositState || d.state === filters.depositState) };
    },
    renderOai: engineXml,
    exportFormats: EXPORT_FORMATS,
    exportRecord: async (localId, formatId) => {
      const stored = await store.get(localId);
      if (!stored?.record) return { ok: false, reason: 'no such record' };
      const body = formatId === 'jats' ? toJats(stored.record) : toOaiDc(stored.record);
      return { ok: true, mediaType: 'application/xml', body };
    },
    // The registry's citation_meta and schemaorg writers, as `pubmeta serve` uses them.
    recordHead: (record) => recordHead(record),
  };
  const logger = { debug: (entry: unknown) => logLines.push(entry), error: (entry: unknown) => logLines.push(entry) };
  handler = createPagesHandler(deps, {
    repository: {
      name: config.repositoryName,
      adminEmails: config.adminEmails,
      oaiBaseUrl: config.baseUrl,
      repositoryIdentifier: config.repositoryIdentifier,
      oaiFormats: DEFAULT_METADATA_FORMATS,
    },
    oaiHandler: createOaiRequestHandler({ store, config, clock: () => clock.now() }),
    ...(options.admin ? { admin: { token: ADMIN_TOKEN } } : {}),
    clock: () => clock.now(),
    logger,
  });

  return {
    origin,
    config,
    clock,
    store,
    engineXml,
    statusCalls,
    logLines,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await opened.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
