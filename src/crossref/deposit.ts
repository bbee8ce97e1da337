import { randomBytes } from 'node:crypto';
import type { Logger } from '../log.js';
import { DepositConflictError, type RecordRepository, type Store } from '../store/types.js';
import { JobLeases, keepLease, leaseOwnerName } from '../worker/leases.js';
import type { ArticleRecord } from '../model/types.js';
import { validateArticle } from '../model/index.js';
import { toCrossref, ExportError, type CrossrefHeadOptions } from '../formats/index.js';
import { crossrefTimestampOf } from '../formats/crossref/writer.js';
import { validateXml, type XmlValidationResult } from '../validate/index.js';
import { CrossrefClient, isCrossrefProduction, pause, type CrossrefClientOptions, type CrossrefCredentials } from './client.js';
import { CrossrefDepositError } from './errors.js';
import type { BatchDiagnostic } from './responses.js';
import { CrossrefDepositState, depositTarget, type BatchItem, type DepositBatchInfo } from './state.js';
import { applyJournalProfile, depositStanding, type JournalProfile } from '../journals/index.js';

export interface CrossrefDepositorIdentity {
  /** doi_batch/head: depositor_name and email_address (Crossref mails submission logs there). */
  depositor: { name: string; email: string };
  /** doi_batch/head/registrant: the organisation responsible for the metadata. */
  registrant: string;
}

export interface CrossrefDepositSettings extends CrossrefDepositorIdentity {
  baseUrl: string;
  /** Absent: nothing can be sent (dry runs still work). */
  credentials?: CrossrefCredentials;
  /** Records per deposit file (default 100). */
  batchSize?: number;
  /** How long one run waits for Crossref's submission logs before leaving batches for the next run (default 10 min). */
  pollTimeoutMs?: number;
  /** Passed to the client: retry and poll pacing. */
  client?: Omit<CrossrefClientOptions, 'baseUrl' | 'credentials' | 'logger'>;
}

/** A record that was not sent because it fails locally, by DOI and field. */
export interface LocalDepositFailure {
  doi: string;
  localId: string;
  /** JSON pointer into the record (model or export check) or `xml:line:column` (schema check). */
  field: string;
  message: string;
}

export interface DepositBatchReport {
  batchId: string;
  fileName: string;
  dois: string[];
  status: DepositBatchInfo['status'] | 'planned';
  submissionId?: string;
  registered?: number;
  warning?: number;
  failed?: number;
  message?: string;
  /** Dry run only: the deposit file that would be sent. */
  xml?: string;
}

export interface CrossrefDepositReport {
  target: string;
  production: boolean;
  dryRun: boolean;
  /** Store records examined for changes. */
  scanned: number;
  /** DOIs sent to Crossref in this run. */
  sent: number;
  /** Verdicts received in this run (including batches sent by earlier runs). */
  registered: number;
  warning: number;
  failed: number;
  /** DOIs whose result had not arrived when the run ended (polled again next run). */
  awaitingResult: number;
  invalid: LocalDepositFailure[];
  skipped: { doi: string; reason: string }[];
  batches: DepositBatchReport[];
  /** Explicitly requested DOIs that are not in the store. */
  unknownDois: string[];
  /** True when a stop signal ended the run before every pending DOI was handled. */
  interrupted: boolean;
}

export interface CrossrefDepositRunOptions {
  /** Records to deposit from, and where the deposit state is kept. */
  store: Store;
  settings: CrossrefDepositSettings;
  /** Only these DOIs (forced to pending even when unchanged). */
  dois?: string[];
  dryRun?: boolean;
  /** Stop after the current batch (SIGTERM). */
  signal?: AbortSignal;
  clock?: () => Date;
  logger?: Logger;
  /** Injected for tests; created from settings otherwise. */
  client?: CrossrefClient;
  /** Pure edges, replaceable in tests: the Crossref writer and the XSD check. */
  writeCrossref?: (records: ArticleRecord[], head: CrossrefHeadOptions) => string;
  validateCrossref?: (xml: string) => XmlValidationResult;
  onProgress?: (event: { phase: 'sync' | 'send' | 'poll'; message: string }) => void;
  /**
   * Names this depositor in batch leases (`deposit-batch:<batch id>`): a batch is uploaded,
   * settled or polled by whoever holds its lease. Default `<host>:<pid>:deposit-<random>`.
   */
  owner?: string;
  /** Lifetime of a batch lease without heartbeat (default 60 s): a dead holder's batch is taken over after it. */
  leaseTtlMs?: number;
}

const defaultValidate = (xml: string): XmlValidationResult => validateXml(xml, 'crossref-5.3.1');

/**
 * Checks one record the way the deposit needs it: the model's own rules, the Crossref writer's
 * requirements, and the deposit schema. Returns the normalised record or the first failures.
 */
export function checkCrossrefRecord(
  record: ArticleRecord,
  head: CrossrefHeadOptions,
  edges: {
    writeCrossref?: CrossrefDepositRunOptions['writeCrossref'];
    validateCrossref?: CrossrefDepositRunOptions['validateCrossref'];
    /** Also validate the record's own deposit file against the XSD (default true). */
    schema?: boolean;
  } = {},
): { ok: true; record: ArticleRecord } | { ok: false; failures: { field: string; message: string }[] } {
  const write = edges.writeCrossref ?? toCrossref;
  const validate = edges.validateCrossref ?? defaultValidate;
  const model = validateArticle(record);
  if (!model.ok) return { ok: false, failures: model.errors.map((e) => ({ field: e.pointer || '/', message: e.message })) };
  let xml: string;
  try {
    xml = write([model.record], head);
  } catch (error) {
    if (error instanceof ExportError) {
      // '(batch)' errors are about the deposit head (depositor, registrant): configuration, not the record.
      if (error.recordId === '(batch)') throw new CrossrefDepositError('config', `Crossref deposit head: ${error.message.replace(/^\(batch\): /, '')}`);
      return { ok: false, failures: [{ field: error.field, message: error.message }] };
    }
    throw error;
  }
  if (edges.schema === false) return { ok: true, record: model.record };
  const schema = validate(xml);
  if (!schema.valid) {
    return { ok: false, failures: schema.errors.map((e) => ({ field: `xml:${e.line}:${e.column}`, message: e.message })) };
  }
  return { ok: true, record: model.record };
}

function newBatchName(timestamp: bigint): { batchId: string; fileName: string } {
  // Crossref returns only the first submission matching a file name, so names must be unique forever.
  const batchId = `pubmeta-${timestamp}-${randomBytes(4).toString('hex')}`;
  return { batchId, fileName: `${batchId}.xml` };
}

/**
 * One deposit run: sync per-DOI state from the store, recover batches an earlier run left
 * open, send pending DOIs in batches, then read Crossref's submission logs. Records that fail
 * locally are reported and never sent; the rest of the batch still goes.
 */
export async function runCrossrefDeposit(options: CrossrefDepositRunOptions): Promise<CrossrefDepositReport> {
  const { settings, logger } = options;
  const dryRun = options.dryRun ?? false;
  const production = isCrossrefProduction(settings.baseUrl);
  const target = depositTarget(settings.baseUrl);
  const report: CrossrefDepositReport = {
    target,
    production,
    dryRun,
    scanned: 0,
    sent: 0,
    registered: 0,
    warning: 0,
    failed: 0,
    awaitingResult: 0,
    invalid: [],
    skipped: [],
    batches: [],
    unknownDois: [],
    interrupted: false,
  };
  const head = { depositor: settings.depositor, registrant: settings.registrant };
  if (!head.depositor?.name || !head.depositor?.email || !head.registrant) {
    throw new CrossrefDepositError('config', 'Crossref deposits need crossref.depositor.name, crossref.depositor.email and crossref.registrant in the config');
  }

  let client = options.client;
  const ownsClient = !client && !dryRun;
  if (!client && !dryRun) {
    if (!settings.credentials?.username || !settings.credentials?.password) {
      throw new CrossrefDepositError('config', 'Crossref credentials are not set: set PUBMETA_CROSSREF_USER and PUBMETA_CROSSREF_PASSWORD (or crossref.username / crossref.password in the config)');
    }
    client = new CrossrefClient({ ...(settings.client ?? {}), baseUrl: settings.baseUrl, credentials: settings.credentials, ...(logger ? { logger } : {}) });
  }

  const owner = options.owner ?? leaseOwnerName(`deposit-${randomBytes(3).toString('hex')}`);
  const run = async (store: Store) => {
    const state = new CrossrefDepositState(store, target, options.clock ? { clock: options.clock } : {});
    const journals = await store.journals.list();
    await depositPending({ ...options, owner, store, state, report, client, dryRun, production, head, journals });
  };
  try {
    if (!dryRun) await run(options.store);
    else {
      // A dry run does everything except talk to Crossref, inside a transaction it rolls back.
      const rollback = new Error('dry run: roll back');
      await options.store
        .withTransaction(async (tx) => {
          await run(tx);
          throw rollback;
        })
        .catch((error: unknown) => {
          if (error !== rollback) throw error;
        });
    }
    return report;
  } finally {
    if (ownsClient) await client?.close();
  }
}

/** A run in progress: its options, on `store` (the transaction of a dry run), with its state and report. */
type DepositRun = CrossrefDepositRunOptions & {
  state: CrossrefDepositState;
  report: CrossrefDepositReport;
  client: CrossrefClient | undefined;
  dryRun: boolean;
  production: boolean;
  head: CrossrefDepositorIdentity;
  /** The store's journal profiles: only their own DOIs are deposited. */
  journals: readonly JournalProfile[];
};

/**
 * The next batch: pending DOIs after `cursor` whose records still carry them and pass the
 * local checks (the others are reported, and dropped or marked failed), up to the batch size.
 */
async function chooseBatch(
  run: DepositRun,
  cursor: string,
  only: string[] | undefined,
  batchSize: number,
): Promise<{ chosen: { item: BatchItem; record: ArticleRecord }[]; cursor: string; exhausted: boolean }> {
  const { state, report, production, head, logger } = run;
  const chosen: { item: BatchItem; record: ArticleRecord }[] = [];
  while (chosen.length < batchSize) {
    const rows = await state.nextPending(cursor, batchSize, only, { claim: true });
    if (rows.length === 0) return { chosen, cursor, exhausted: true };
    for (const row of rows) {
      if (chosen.length >= batchSize) break;
      cursor = row.doi;
      const stored = await run.store.records.get(row.localId);
      if (!stored || stored.deleted || !stored.record || stored.record.doi?.toLowerCase() !== row.doi) {
        await state.dropStale(row.doi);
        report.skipped.push({ doi: row.doi, reason: 'record deleted or no longer carries this DOI' });
        continue;
      }
      if (production && stored.record.synthetic) {
        report.skipped.push({ doi: row.doi, reason: 'synthetic record: never deposited to production' });
        continue;
      }
      // Checked again at sending: a DOI forced pending, or profiles changed since it was queued.
      const standing = depositStanding(stored.record, run.journals);
      if (!standing.ok) {
        await state.dropStale(row.doi);
        report.skipped.push({ doi: row.doi, reason: standing.reason });
        logger?.warn({ doi: row.doi, reason: standing.reason }, 'not deposited: not a DOI of your journals');
        continue;
      }
      // The journal profile fills what the record lacks (landing page from its template, ISSNs, ...).
      const record = applyJournalProfile(stored.record, standing.profile).record;
      // The schema check runs once per batch; per record only when the batch fails it.
      const check = checkCrossrefRecord(record, head, { ...run, schema: false });
      if (!check.ok) {
        for (const failure of check.failures) report.invalid.push({ doi: row.doi, localId: row.localId, ...failure });
        const message = check.failures.map((f) => `${f.field}: ${f.message}`).join('; ');
        await state.recordLocalFailure(row.doi, row.localId, stored.contentHash, `not sent (local validation): ${message}`);
        logger?.warn({ doi: row.doi, failures: check.failures }, 'record fails local validation; not deposited');
        continue;
      }
      chosen.push({ item: { doi: row.doi, localId: row.localId, contentHash: stored.contentHash }, record: check.record });
    }
  }
  return { chosen, cursor, exhausted: false };
}

/** The run itself: sync, settle earlier batches, send the pending DOIs batch by batch, poll. */
async function depositPending(options: DepositRun): Promise<void> {
  const { store, state, report, client, dryRun, production, head, settings, logger } = options;
  const progress = options.onProgress ?? (() => {});
  const records = store.records;
  progress({ phase: 'sync', message: 'reading changed records' });
  const sync = await state.syncFromStore({ includeSynthetic: !production, journals: options.journals });
  report.scanned = sync.scanned;
  for (const refused of sync.refused) report.skipped.push({ doi: refused.doi, reason: refused.reason });

  let only: string[] | undefined;
  if (options.dois) {
    const forced = await state.forcePending(options.dois);
    report.unknownDois = [];
    for (const doi of forced.unknown) {
      // An untracked DOI may be a record that is not yours to deposit: say why rather than "unknown".
      const stored = await records.get(doi);
      const standing = stored?.record && !stored.deleted ? depositStanding(stored.record, options.journals) : undefined;
      if (standing && !standing.ok) {
        if (!report.skipped.some((s) => s.doi === doi)) report.skipped.push({ doi, reason: standing.reason });
      } else report.unknownDois.push(doi);
    }
    only = [...forced.forced];
  }

  if (client && !dryRun) {
    // Earlier runs' batches first: a crashed upload is settled, and verdicts that are ready
    // are applied before anything new is sent (a DOI is never in two batches at once).
    await recoverPreparedBatches(options, state, client, records, report, logger, options.signal);
    await pollOpenBatches(options, state, client, records, report, 0, logger, options.signal, true);
  }

  const batchSize = Math.max(1, settings.batchSize ?? 100);
  let cursor = '';
  let exhausted = false;
  // Bounded: a conflict means a DOI stopped being pending, so each retry has fewer candidates.
  for (let conflicts = 0; !exhausted && conflicts < 1000; ) {
    if (options.signal?.aborted) {
      report.interrupted = (await state.nextPending(cursor, 1, only)).length > 0;
      break;
    }
    let next: PreparedBatch;
    try {
      // Choosing, checking and recording a batch is one transaction: its DOIs are claimed (FOR
      // UPDATE SKIP LOCKED on PostgreSQL) so workers depositing at once choose different DOIs,
      // and the batch's lease is taken with it.
      next = await store.withTransaction((tx) => prepareNextBatch({ ...options, store: tx, state: state.on(tx) }, cursor, only, batchSize));
    } catch (error) {
      if (!(error instanceof DepositConflictError)) throw error;
      conflicts++;
      logger?.info({ error: error.message }, 'another worker took some of these DOIs first; choosing again');
      continue;
    }
    ({ cursor, exhausted } = next);
    if (next.kind === 'empty') break;
    if (next.kind !== 'batch') continue;
    const { batchId, fileName, xml, dois } = next;
    if (dryRun) {
      report.batches.push({ batchId, fileName, dois, status: 'planned', xml });
      continue;
    }
    const stop = await sendBatch(options, next);
    if (stop) break;
  }
  if (client && !dryRun) {
    progress({ phase: 'poll', message: 'waiting for Crossref submission logs' });
    await pollOpenBatches(options, state, client, records, report, settings.pollTimeoutMs ?? client.pollPacing.timeoutMs, logger, options.signal);
  }
  report.awaitingResult = (await state.counts()).submitted;
}

type PreparedBatch =
  | { kind: 'empty' | 'skipped'; cursor: string; exhausted: boolean }
  | { kind: 'batch'; cursor: string; exhausted: boolean; batchId: string; fileName: string; xml: string; dois: string[] };

/** Batch leases: who uploads, settles or polls a batch. */
function batchLeases(run: DepositRun): { leases: JobLeases; owner: string; ttl: number; key: (batchId: string) => string } {
  return { leases: new JobLeases(run.store.jobs), owner: run.owner!, ttl: run.leaseTtlMs ?? 60_000, key: (batchId) => `deposit-batch:${batchId}` };
}

/**
 * Inside a transaction: the next batch chosen, written and checked; unless a dry run, recorded
 * (its DOIs submitted) with its lease taken by this depositor.
 */
async function prepareNextBatch(run: DepositRun, cursor: string, only: string[] | undefined, batchSize: number): Promise<PreparedBatch> {
  const { state, report, head } = run;
  const next = await chooseBatch(run, cursor, only, batchSize);
  const chosen = next.chosen;
  if (chosen.length === 0) return { kind: 'empty', cursor: next.cursor, exhausted: next.exhausted };
  const skipped = { kind: 'skipped' as const, cursor: next.cursor, exhausted: next.exhausted };

  // Checked under a provisional head: the timestamp is reserved (which holds a store-wide lock
  // until this transaction ends) only once the batch is known to be valid, then the file is
  // written again with it (the head's id and timestamp do not change the file's validity).
  const provisional = crossrefTimestampOf(new Date());
  const write = run.writeCrossref ?? toCrossref;
  const validate = run.validateCrossref ?? defaultValidate;
  const check = { ...head, batchId: 'pubmeta-validation-check', timestamp: provisional };
  let xml = write(chosen.map((c) => c.record), check);
  let schema = validate(xml);
  if (!schema.valid) {
    // Find the records that break the schema on their own; the others still go.
    for (let i = chosen.length - 1; i >= 0; i--) {
      const c = chosen[i]!;
      const alone = checkCrossrefRecord(c.record, head, run);
      if (alone.ok) continue;
      for (const failure of alone.failures) report.invalid.push({ doi: c.item.doi, localId: c.item.localId, ...failure });
      const message = alone.failures.map((f) => `${f.field}: ${f.message}`).join('; ');
      await state.recordLocalFailure(c.item.doi, c.item.localId, c.item.contentHash, `not sent (local validation): ${message}`);
      chosen.splice(i, 1);
    }
    if (chosen.length === 0) return skipped;
    xml = write(chosen.map((c) => c.record), check);
    schema = validate(xml);
  }
  const dois = chosen.map((c) => c.item.doi);
  if (!schema.valid) {
    // Each record passed alone, so this is a batch-level problem: report it on every DOI.
    const message = schema.errors.slice(0, 3).map((e) => `${e.line}:${e.column} ${e.message}`).join('; ');
    for (const c of chosen) {
      report.invalid.push({ doi: c.item.doi, localId: c.item.localId, field: 'xml', message: `deposit batch fails the schema: ${message}` });
      await state.recordLocalFailure(c.item.doi, c.item.localId, c.item.contentHash, `not sent (batch fails the schema): ${message}`);
    }
    return skipped;
  }
  const timestamp = await state.reserveTimestamp(dois);
  const { batchId, fileName } = newBatchName(timestamp);
  xml = write(chosen.map((c) => c.record), { ...head, batchId, timestamp });
  if (!run.dryRun) {
    await state.prepareBatch({ batchId, fileName, timestamp, items: chosen.map((c) => c.item) });
    const lease = batchLeases(run);
    if (!(await lease.leases.acquire(lease.key(batchId), lease.owner, lease.ttl))) throw new Error(`could not take the lease of the new batch ${batchId}`);
  }
  return { kind: 'batch', cursor: next.cursor, exhausted: next.exhausted, batchId, fileName, xml, dois };
}

/** Uploads a recorded batch under its lease. True when the run must stop (signalled while settling). */
async function sendBatch(run: DepositRun, batch: { batchId: string; fileName: string; xml: string; dois: string[] }): Promise<boolean> {
  const { state, report, client, logger } = run;
  const { batchId, fileName, xml, dois } = batch;
  const { leases, owner, ttl, key } = batchLeases(run);
  const held = keepLease(leases, key(batchId), owner, ttl, (error) => logger?.warn({ batchId, error: error.message }, 'batch lease heartbeat failed; will retry'));
  const batchReport: DepositBatchReport = { batchId, fileName, dois, status: 'prepared' };
  report.batches.push(batchReport);
  (run.onProgress ?? (() => {}))({ phase: 'send', message: `sending ${dois.length} DOIs in ${fileName}` });
  try {
    await client!.submit(fileName, xml, run.signal);
    await state.markSent(batchId);
    batchReport.status = 'sent';
    report.sent += dois.length;
    logger?.info({ batchId, fileName, dois: dois.length }, 'Crossref acknowledged the deposit');
    return false;
  } catch (error) {
    if (!(error instanceof CrossrefDepositError)) throw error;
    if (error.kind === 'auth' || error.kind === 'config') {
      await state.closeUnsentBatch(batchId, { status: 'abandoned' });
      batchReport.status = 'abandoned';
      throw error;
    }
    if (error.kind === 'rejected') {
      await state.closeUnsentBatch(batchId, { status: 'rejected', message: error.message });
      batchReport.status = 'rejected';
      batchReport.message = error.message;
      report.failed += dois.length;
      return false;
    }
    // Outcome unknown (network, 5xx, rate limit): ask Crossref whether it has the file.
    await settleUncertainBatch(state, client!, run.store.records, { batchId, fileName }, report, logger, run.signal);
    batchReport.status = (await state.batch(batchId))?.status ?? 'prepared';
    // Stopped while waiting to retry: not a failure; the next run settles this batch.
    if (run.signal?.aborted) {
      report.interrupted = true;
      return true;
    }
    throw error;
  } finally {
    await held.release();
  }
}

function hashOf(records: RecordRepository) {
  return async (item: BatchItem): Promise<string | undefined> => {
    const stored = await records.get(item.localId);
    return stored && !stored.deleted ? stored.contentHash : undefined;
  };
}

async function applyResult(
  state: CrossrefDepositState,
  records: RecordRepository,
  batchId: string,
  diagnostic: BatchDiagnostic,
  report: CrossrefDepositReport,
  logger: Logger | undefined,
): Promise<void> {
  const counts = await state.applyDiagnostic(batchId, diagnostic, hashOf(records));
  report.registered += counts.registered;
  report.warning += counts.warning;
  report.failed += counts.failed;
  const entry = report.batches.find((b) => b.batchId === batchId);
  if (entry) {
    entry.status = 'completed';
    if (diagnostic.submissionId) entry.submissionId = diagnostic.submissionId;
    Object.assign(entry, counts);
  } else {
    const info = (await state.batch(batchId))!;
    report.batches.push({
      batchId,
      fileName: info.fileName,
      dois: (await state.batchItems(batchId)).map((i) => i.doi),
      status: 'completed',
      ...(diagnostic.submissionId ? { submissionId: diagnostic.submissionId } : {}),
      ...counts,
    });
  }
  logger?.info({ batchId, submissionId: diagnostic.submissionId, ...counts }, 'Crossref submission log applied');
}

/**
 * A batch recorded before its upload whose upload outcome is unknown (crash, or network
 * failure): Crossref tracks files by name from the moment they are queued, so one look at the
 * submission log tells whether it arrived. Never re-sent blindly: if Crossref does not know
 * the file, its DOIs go back to pending and get a new, greater timestamp in a new batch.
 */
async function settleUncertainBatch(
  state: CrossrefDepositState,
  client: CrossrefClient,
  records: RecordRepository,
  batch: { batchId: string; fileName: string },
  report: CrossrefDepositReport,
  logger: Logger | undefined,
  signal: AbortSignal | undefined,
): Promise<void> {
  let diagnostic: BatchDiagnostic;
  try {
    diagnostic = await client.fetchResult(batch.fileName, signal);
  } catch (error) {
    logger?.warn({ batchId: batch.batchId, error: error instanceof Error ? error.message : String(error) }, 'cannot tell yet whether Crossref received the batch; will ask again next run');
    return;
  }
  if (diagnostic.status === 'unknown_submission') {
    await state.closeUnsentBatch(batch.batchId, { status: 'abandoned' });
    logger?.info({ batchId: batch.batchId }, 'Crossref never received the batch; its DOIs are pending again');
    return;
  }
  await state.markSent(batch.batchId);
  if (diagnostic.status === 'completed') await applyResult(state, records, batch.batchId, diagnostic, report, logger);
}

async function recoverPreparedBatches(
  run: DepositRun,
  state: CrossrefDepositState,
  client: CrossrefClient,
  records: RecordRepository,
  report: CrossrefDepositReport,
  logger: Logger | undefined,
  signal: AbortSignal | undefined,
): Promise<void> {
  const { leases, owner, ttl, key } = batchLeases(run);
  for (const batch of await state.openBatches()) {
    if (batch.status !== 'prepared') continue;
    // A prepared batch whose lease is live is being uploaded by its worker right now.
    if (!(await leases.acquire(key(batch.batchId), owner, ttl))) continue;
    try {
      if ((await state.batch(batch.batchId))?.status === 'prepared') await settleUncertainBatch(state, client, records, batch, report, logger, signal);
    } finally {
      await leases.release(key(batch.batchId), owner);
    }
  }
}

/**
 * Reads the submission logs of every sent batch (this run's and earlier ones'), one request at
 * a time in rounds with growing delays, until all are complete, the budget runs out or `signal`
 * aborts. Unfinished batches stay `sent` and are polled by the next run.
 */
async function pollOpenBatches(
  run: DepositRun,
  state: CrossrefDepositState,
  client: CrossrefClient,
  records: RecordRepository,
  report: CrossrefDepositReport,
  timeoutMs: number,
  logger: Logger | undefined,
  signal: AbortSignal | undefined,
  immediate = false,
): Promise<void> {
  const { leases, owner, ttl, key } = batchLeases(run);
  const open = new Map((await state.openBatches()).filter((b) => b.status === 'sent').map((b) => [b.batchId, b]));
  const deadline = performance.now() + timeoutMs;
  let delay = client.pollPacing.initialDelayMs;
  let round = 0;
  while (open.size > 0) {
    if (round++ > 0 || !immediate) {
      const remaining = deadline - performance.now();
      if (remaining <= 0) break;
      if (!(await pause(Math.min(delay, remaining), signal))) break;
    }
    for (const batch of [...open.values()]) {
      if (signal?.aborted) break;
      // Another worker may be polling the same batch: whoever holds its lease reads and applies the log.
      if (!(await leases.acquire(key(batch.batchId), owner, ttl))) continue;
      try {
        if ((await state.batch(batch.batchId))?.status !== 'sent') {
          open.delete(batch.batchId);
          continue;
        }
        let diagnostic: BatchDiagnostic;
        try {
          diagnostic = await client.fetchResult(batch.fileName, signal);
        } catch (error) {
          if (error instanceof CrossrefDepositError && error.kind === 'auth') throw error;
          logger?.warn({ batchId: batch.batchId, error: error instanceof Error ? error.message : String(error) }, 'could not read the submission log; will try again');
          continue;
        }
        if (diagnostic.status === 'completed') {
          await applyResult(state, records, batch.batchId, diagnostic, report, logger);
          open.delete(batch.batchId);
        }
      } finally {
        await leases.release(key(batch.batchId), owner);
      }
    }
    delay = Math.min(delay * 2, client.pollPacing.maxDelayMs);
  }
  for (const batch of open.values()) {
    logger?.info({ batchId: batch.batchId, fileName: batch.fileName }, 'Crossref has not finished this batch yet; the next run polls it again');
  }
}

