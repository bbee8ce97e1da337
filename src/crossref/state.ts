import type { Store, StoredRecord } from '../store/types.js';
import type {
  BatchItem,
  DepositBatchInfo,
  DepositBatchStatus,
  DoiDepositState,
  DoiDepositStatus,
  PendingDoi,
} from '../store/types.js';
import type { BatchDiagnostic, RecordDiagnosticStatus } from './responses.js';
import { crossrefTimestampOf } from '../formats/crossref/writer.js';
import { canonicalJson } from '../store/canonical.js';
import { depositStanding, type JournalProfile } from '../journals/index.js';

// The state rows are the store's types (src/store/types.ts).
export type { BatchItem, DepositBatchInfo, DepositBatchStatus, DoiDepositState, DoiDepositStatus, PendingDoi };

/** The deposit target a state row belongs to: registrations in the test system are not registrations. */
export function depositTarget(baseUrl: string): string {
  const url = new URL(baseUrl);
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

export interface SyncResult {
  scanned: number;
  added: number;
  changed: number;
  /** Records not queued: no journal profile, or a DOI outside their journal's DOI prefixes. */
  refused: { doi: string; localId: string; reason: string }[];
}

/**
 * Deposit state for one target (Crossref system): the transitions of each DOI, decided here and
 * persisted through the store's deposit repository. Every transition runs in a transaction,
 * so a process killed at any point leaves each DOI in exactly one honest state. Built on a
 * transaction (`tx`), every transition joins it (a dry run rolls them all back).
 */
export class CrossrefDepositState {
  readonly target: string;
  readonly #store: Store;
  readonly #clock: () => Date;

  constructor(store: Store, target: string, options: { clock?: () => Date } = {}) {
    this.#store = store;
    this.target = target;
    this.#clock = options.clock ?? (() => new Date());
  }

  /** The same state through another store handle (a transaction). */
  on(store: Store): CrossrefDepositState {
    return new CrossrefDepositState(store, this.target, { clock: this.#clock });
  }

  #now(): string {
    return this.#clock().toISOString();
  }

  async get(doi: string): Promise<DoiDepositStatus | undefined> {
    const row = await this.#store.deposits.getDoi(this.target, doi.toLowerCase());
    if (!row) return undefined;
    const { contentHash: _hash, ...status } = row;
    return status;
  }

  list(options: { dois?: string[]; states?: DoiDepositState[] } = {}): Promise<DoiDepositStatus[]> {
    return this.#store.deposits.listDois(this.target, {
      ...(options.dois ? { dois: options.dois.map((d) => d.toLowerCase()) } : {}),
      ...(options.states ? { states: options.states } : {}),
    });
  }

  async counts(): Promise<Record<DoiDepositState, number> & { registeredEver: number }> {
    const result = { pending: 0, submitted: 0, registered: 0, warning: 0, failed: 0, registeredEver: 0 };
    for (const row of await this.#store.deposits.countStates(this.target)) {
      result[row.state] = row.count;
      result.registeredEver += row.registered;
    }
    return result;
  }

  /**
   * Brings the state in line with the record store: a DOI seen for the first time, or whose
   * content hash differs from the version the state refers to, becomes pending. Incremental:
   * only records whose datestamp is at or after the previous sync's high-water mark are read
   * (inclusive, so a record changed within the same second is not missed).
   */
  async syncFromStore(options: { includeSynthetic: boolean; journals: readonly JournalProfile[] }): Promise<SyncResult> {
    const key = `sync:${this.target}`;
    // Journal profiles decide which records are deposited: when they change, every record is read again.
    const journalsKey = `sync-journals:${this.target}`;
    const journalsNow = canonicalJson(options.journals);
    const journalsChanged = (await this.#store.deposits.getMeta(journalsKey)) !== journalsNow;
    const since = journalsChanged ? undefined : await this.#store.deposits.getMeta(key);
    const result: SyncResult = { scanned: 0, added: 0, changed: 0, refused: [] };
    let highWater = since;
    let after: { datestamp: string; localId: string } | undefined;
    const pageSize = 500;
    for (;;) {
      const page: StoredRecord[] = await this.#store.records.list({ ...(since ? { from: since } : {}), ...(after ? { after } : {}) }, pageSize);
      if (page.length === 0) break;
      await this.#store.withTransaction(async (tx) => {
        const now = this.#now();
        for (const stored of page) {
          result.scanned++;
          const doi = stored.record?.doi?.toLowerCase();
          if (stored.deleted || !stored.record || !doi) {
            // A withdrawn record is not deposited; a DOI Crossref already has stays registered.
            await tx.deposits.withdrawPending(this.target, { localId: stored.localId }, now);
            continue;
          }
          if (stored.record.synthetic && !options.includeSynthetic) continue;
          const standing = depositStanding(stored.record, options.journals);
          if (!standing.ok) {
            // Never queued; anything queued before (under other profiles) is taken back.
            await tx.deposits.withdrawPending(this.target, { localId: stored.localId }, now);
            result.refused.push({ doi, localId: stored.localId, reason: standing.reason });
            continue;
          }
          const row = await tx.deposits.getDoi(this.target, doi);
          if (!row) {
            if (await tx.deposits.insertPending(this.target, doi, stored.localId, stored.contentHash, now)) result.added++;
          } else if (row.contentHash !== stored.contentHash && row.state !== 'submitted') {
            await tx.deposits.setPending(this.target, doi, { contentHash: stored.contentHash, localId: stored.localId }, now);
            result.changed++;
          }
        }
      });
      const last = page[page.length - 1]!;
      after = { datestamp: last.datestamp, localId: last.localId };
      if (!highWater || last.datestamp > highWater) highWater = last.datestamp;
      if (page.length < pageSize) break;
    }
    if (highWater && highWater !== since) await this.#store.deposits.setMeta(key, highWater);
    if (journalsChanged) await this.#store.deposits.setMeta(journalsKey, journalsNow);
    return result;
  }

  /** Forces the given DOIs back to pending (an explicit `pubmeta deposit DOI`). In-flight DOIs are left alone. */
  forcePending(dois: string[]): Promise<{ forced: string[]; inFlight: string[]; unknown: string[] }> {
    return this.#store.withTransaction(async (tx) => {
      const out = { forced: [] as string[], inFlight: [] as string[], unknown: [] as string[] };
      const now = this.#now();
      for (const raw of dois) {
        const doi = raw.toLowerCase();
        const row = await tx.deposits.getDoi(this.target, doi);
        if (!row) out.unknown.push(doi);
        else if (row.state === 'submitted') out.inFlight.push(doi);
        else {
          await tx.deposits.setPending(this.target, doi, {}, now);
          out.forced.push(doi);
        }
      }
      return out;
    });
  }

  /** Pending DOIs after `afterDoi` in DOI order (a cursor, so skipped DOIs never loop). */
  nextPending(afterDoi: string, limit: number, onlyDois?: string[], options: { claim?: boolean } = {}): Promise<PendingDoi[]> {
    return this.#store.deposits.pendingAfter(this.target, afterDoi, limit, onlyDois?.map((d) => d.toLowerCase()), options);
  }

  /** A pending row whose record vanished or no longer carries this DOI: withdraw it honestly. */
  dropStale(doi: string): Promise<void> {
    return this.#store.deposits.withdrawPending(this.target, { doi }, this.#now());
  }

  /** Records a local validation failure: the DOI is not sent until its record changes or is forced. */
  recordLocalFailure(doi: string, localId: string, contentHash: string, message: string): Promise<void> {
    return this.#store.deposits.recordLocalFailure(this.target, doi, localId, contentHash, message, this.#now());
  }

  /**
   * Hands out the next deposit timestamp (crossrefTimestampOf the clock), strictly greater than
   * every timestamp handed out before in this store (persisted, so also across restarts and
   * clock steps) and than the last one sent for any of `dois`.
   */
  reserveTimestamp(dois: readonly string[] = []): Promise<bigint> {
    return this.#store.withTransaction(async (tx) => {
      await tx.deposits.lockMeta('last_timestamp');
      let floor = BigInt((await tx.deposits.getMeta('last_timestamp')) ?? '0');
      const sent = await tx.deposits.maxLastTimestamp(this.target, dois);
      if (sent !== undefined && sent > floor) floor = sent;
      const fromClock = crossrefTimestampOf(this.#clock());
      const ts = fromClock > floor ? fromClock : floor + 1n;
      await tx.deposits.setMeta('last_timestamp', ts.toString());
      return ts;
    });
  }

  /** Before the upload: the batch and its DOIs are recorded as submitted, atomically. */
  prepareBatch(batch: { batchId: string; fileName: string; timestamp: bigint; items: BatchItem[] }): Promise<void> {
    return this.#store.deposits.createBatch(this.target, batch, this.#now());
  }

  markSent(batchId: string): Promise<void> {
    return this.#store.deposits.markBatchSent(batchId, this.#now());
  }

  /**
   * Crossref never queued the batch (credentials refused, or it does not know the file):
   * its DOIs go back to pending, or to failed with Crossref's reason when it rejected the file.
   */
  closeUnsentBatch(batchId: string, outcome: { status: 'abandoned' } | { status: 'rejected'; message: string }): Promise<void> {
    return this.#store.deposits.closeUnsentBatch(this.target, batchId, outcome, this.#now());
  }

  openBatches(): Promise<DepositBatchInfo[]> {
    return this.#store.deposits.openBatches(this.target);
  }

  batch(batchId: string): Promise<DepositBatchInfo | undefined> {
    return this.#store.deposits.getBatch(batchId);
  }

  batchItems(batchId: string): Promise<BatchItem[]> {
    return this.#store.deposits.batchItems(batchId);
  }

  /**
   * Applies a completed submission log: each DOI of the batch takes its own record_diagnostic
   * (Success -> registered, Warning -> warning, Failure -> failed, with Crossref's msg). A DOI
   * whose record changed while the batch was in flight becomes pending again afterwards.
   */
  applyDiagnostic(
    batchId: string,
    diagnostic: BatchDiagnostic,
    currentHash: (item: BatchItem) => Promise<string | undefined>,
  ): Promise<{ registered: number; warning: number; failed: number }> {
    const byDoi = new Map<string, { status: RecordDiagnosticStatus; message: string }>();
    let fileLevel: { message: string } | undefined;
    for (const record of diagnostic.records) {
      if (record.doi) byDoi.set(record.doi.toLowerCase(), { status: record.status, message: record.message });
      else if (record.status === 'Failure') fileLevel = { message: record.message || 'Crossref could not process the deposit file' };
    }
    return this.#store.withTransaction(async (tx) => {
      const counts = { registered: 0, warning: 0, failed: 0 };
      // Applied once: a batch another worker completed meanwhile is left as it is.
      const info = await tx.deposits.getBatch(batchId);
      if (!info || (info.status !== 'sent' && info.status !== 'prepared')) return counts;
      const now = this.#now();
      const submissionId = diagnostic.submissionId ?? null;
      for (const item of await tx.deposits.batchItems(batchId)) {
        const verdict = byDoi.get(item.doi);
        if (verdict && verdict.status !== 'Failure') {
          const state = verdict.status === 'Success' ? 'registered' : 'warning';
          await tx.deposits.acceptDoi(this.target, batchId, item, { state, message: verdict.message, submissionId }, now);
          counts[state]++;
        } else {
          const message = verdict?.message || fileLevel?.message || 'Crossref reported no result for this DOI in the submission log';
          await tx.deposits.failDoi(this.target, batchId, item.doi, { message, submissionId }, now);
          counts.failed++;
        }
        const hash = await currentHash(item);
        if (hash !== undefined && hash !== item.contentHash) await tx.deposits.setPending(this.target, item.doi, { contentHash: hash }, now);
      }
      const c = diagnostic.counts;
      await tx.deposits.completeBatch(
        batchId,
        {
          submissionId,
          success: c?.success ?? counts.registered,
          warning: c?.warning ?? counts.warning,
          failure: c?.failure ?? counts.failed,
          message: fileLevel?.message ?? null,
        },
        now,
      );
      return counts;
    });
  }

  recentBatches(limit = 20): Promise<DepositBatchInfo[]> {
    return this.#store.deposits.recentBatches(this.target, limit);
  }
}
