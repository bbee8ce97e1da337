/**
 * The pages as `pubmeta serve --admin` serves them: serveStore (the serve command's own code)
 * over a store holding the seed, the edge-case samples, synthetic records and a tombstone,
 * after a Crossref deposit to the stand-in where one DOI failed (run as a worker job, so the
 * run is recorded) and a harvest run that failed. Nothing here stands in for the pages' data.
 */
import { FileSystemConfigLoader, HtmlValidate } from 'html-validate';
import { expect } from 'vitest';
import { serveStore } from '../../src/cli/store.js';
import { generateSyntheticRecords, loadSeedSample } from '../../src/model/index.js';
import { loadSeedJournalProfile } from '../../src/journals/index.js';
import { addHarvestSource } from '../../src/harvest/sources.js';
import { runDepositJob } from '../../src/worker/jobs/deposit.js';
import { PubmetaWorker } from '../../src/worker/worker.js';
import type { OaiConfig } from '../../src/oai/index.js';
import type { Store } from '../../src/store/index.js';
import { sqliteBackend, type Backend } from './backends.js';
import { FAST_CLIENT, openTempStore, TEST_DEPOSITOR } from './crossrefFixtures.js';
import { startCrossrefStandIn } from './crossrefStandIn.js';
import { ADMIN_TOKEN, DELETED_ID, edgeCaseRecord, FAILED_DOI, FAILED_MESSAGE } from './pages.js';

export { ADMIN_TOKEN, DELETED_ID, FAILED_DOI, FAILED_MESSAGE };

export const HARVEST_ERROR = 'badResumptionToken: The token has expired';
export const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8';

export interface ServedSite {
  /** http://127.0.0.1:<port> */
  origin: string;
  /** The OAI-PMH configuration serve runs with (baseUrl filled in). */
  config: OaiConfig;
  /** serve's own store connection. */
  store: Store;
  close(): Promise<void>;
}

/** Records as the pages tests have them: 15 served, one tombstone. */
async function loadRecords(store: Store): Promise<void> {
  // The seed's journal and the edge-case journal are yours (their DOIs are deposited).
  await store.journals.upsert(loadSeedJournalProfile());
  await store.journals.upsert({ id: 'jste', title: 'Journal of Synthetic Tests & <Edge> Cases', issnPrint: '0378-5955', issnElectronic: '2049-3630', doiPrefixes: ['10.5555'] });
  // Datestamps in the past: a list's snapshot ends at the second before the request (OAI-PMH
  // §3.5 consistency), so a record written in the same second as a fast test's first request
  // would be left out of its count.
  const now = new Date(Date.now() - 60_000);
  await store.records.upsertMany([loadSeedSample(), edgeCaseRecord(1), edgeCaseRecord(2), ...generateSyntheticRecords(12, 7)], { now });
  await store.records.upsert({ ...loadSeedSample(), id: DELETED_ID, doi: '10.5555/withdrawn.1' }, { now });
  await store.records.delete(DELETED_ID, { now });
}

/** A harvest source whose last run failed on an expired resumption token. */
async function failedHarvest(store: Store): Promise<void> {
  await addHarvestSource(store, { name: 'ojs-demo', baseUrl: 'https://demo.example.org/index.php/journal/oai', metadataPrefix: 'oai_dc' });
  const now = new Date().toISOString();
  const runId = await store.harvest.insertRun('ojs-demo', {}, now);
  await store.harvest.addRunCounters(runId, 3, { pages: 2, records: 150, created: 148, updated: 0, unchanged: 0, deleted: 2, invalid: 0, quarantined: 0 });
  await store.harvest.finishRun(runId, 'failed', { reason: 'The token has expired', errorCode: 'badResumptionToken', warnings: [], requests: 3 }, now);
}

/** The deposit job against the Crossref stand-in, which fails FAILED_DOI with FAILED_MESSAGE. */
async function depositWithOneFailure(store: Store): Promise<void> {
  const standIn = await startCrossrefStandIn({ username: 'tester/role', password: 'S3cret-deposit-password', pollsBeforeCompleted: 1 });
  try {
    standIn.failDoi(FAILED_DOI, FAILED_MESSAGE);
    const settings = { ...TEST_DEPOSITOR, baseUrl: standIn.url, credentials: { username: 'tester/role', password: 'S3cret-deposit-password' }, batchSize: 50, pollTimeoutMs: 10_000, client: FAST_CLIENT };
    const worker = new PubmetaWorker({ store, jobs: [{ name: 'deposit', run: (ctx) => runDepositJob({ store: ctx.store, settings, signal: ctx.signal }) }] });
    const outcome = await worker.runOnce('deposit', 'manual');
    expect(outcome.status, outcome.error).toBe('succeeded');
    expect(outcome.counts?.failed).toBe(1);
    expect(standIn.protocolErrors).toEqual([]);
  } finally {
    await standIn.close();
  }
}

export async function startServedSite(backend: Backend = sqliteBackend, options: { pageSize?: number } = {}): Promise<ServedSite> {
  const temp = await openTempStore(backend, 'pubmeta-pages-serve-');
  await loadRecords(temp.store);
  await failedHarvest(temp.store);
  await depositWithOneFailure(temp.store);
  const running = await serveStore({
    db: temp.db,
    port: 0,
    host: '127.0.0.1',
    repositoryName: 'Test Journal Repository',
    repositoryIdentifier: 'journal.example.org',
    adminEmail: ['oai-admin@journal.example.org'],
    tokenSecret: 'test-secret-0123456789abcdef',
    pageSize: options.pageSize ?? 10,
    identifiersPageSize: options.pageSize ?? 10,
    admin: true,
    adminToken: ADMIN_TOKEN,
  });
  return {
    origin: new URL(running.url).origin,
    config: running.config,
    store: running.store,
    close: async () => {
      await running.close();
      await temp.close();
    },
  };
}

const validator = new HtmlValidate(new FileSystemConfigLoader());

/** html-validate (recommended preset, .htmlvalidate.json) finds no problem. */
export async function expectValidHtml(html: string, where: string): Promise<void> {
  const report = await validator.validateString(html, 'test/page.html');
  const problems = report.results.flatMap((r) => r.messages.map((m) => `${m.line}:${m.column} ${m.ruleId}: ${m.message}`));
  if (problems.length > 0) {
    const lines = html.split('\n');
    const context = report.results[0]!.messages.slice(0, 3).map((m) => `${m.line}| ${lines[m.line - 1]?.slice(0, 300)}`);
    throw new Error(`${where}: html-validate found ${problems.length} problems:\n${problems.slice(0, 20).join('\n')}\n${context.join('\n')}`);
  }
}
