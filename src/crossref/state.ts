import { applyMigrations, type Db } from '../store/db.js';
import type { RecordStore, StoredRecord } from '../store/types.js';
import type { BatchDiagnostic, RecordDiagnosticStatus } from './responses.js';
import { crossrefTimestampOf } from '../formats/crossref/writer.js';

/**
 * Per-DOI deposit state. `pending`: to be sent; `submitted`: in a batch Crossref has (or may
 * have) received, result not yet read; `registered` / `warning` / `failed`: Crossref's verdict
 * on the last version sent (or a local validation failure, never sent).
 */
export type DoiDepositState = 'pending' | 'submitted' | 'registered' | 'warning' | 'failed';

export type DepositBatchStatus = 'prepared' | 'sent' | 'completed' | 'abandoned' | 'rejected';

export interface DoiDepositStatus {
  doi: string;
  localId: string;
  state: DoiDepositState;
  /** Crossref's msg for this DOI, or the local validation failure. */
  message: string | null;
  /** 'crossref' when Crossref reported the failure, 'local' when we never sent it. */
  failureSource: 'crossref' | 'local' | null;
  batchId: string | null;
  submissionId: string | null;
  updatedAt: string;
  /** Deposit timestamp of the last version sent (decimal digits); the next one is strictly greater. */
  lastTimestamp: string | null;
  /** When Crossref last accepted (Success or Warning) a version of this DOI. */
  depositedAt: string | null;
  /** When Crossref first accepted this DOI. Set once, never cleared: the DOI exists. */
  registeredAt: string | null;
}

export interface DepositBatchInfo {
  batchId: string;
  fileName: string;
  status: DepositBatchStatus;
  /** head/timestamp, decimal digits (it can exceed 2^53). */
  timestamp: string;
  recordCount: number;
  createdAt: string;
  sentAt: string | null;
  completedAt: string | null;
  submissionId: string | null;
  successCount: number | null;
  warningCount: number | null;
  failureCount: number | null;
  message: string | null;
}

const MIGRATIONS = [
  `CREATE TABLE crossref_dois (
     target TEXT NOT NULL,
     doi TEXT NOT NULL,
     local_id TEXT NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('pending','submitted','registered','warning','failed')),
     content_hash TEXT NOT NULL,
     message TEXT,
     failure_source TEXT CHECK (failure_source IN ('crossref','local')),
     batch_id TEXT,
     submission_id TEXT,
     updated_at TEXT NOT NULL,
     last_timestamp INTEGER,
     deposited_hash TEXT,
     deposited_at TEXT,
     registered_at TEXT,
     PRIMARY KEY (target, doi)
   ) WITHOUT ROWID;
   CREATE INDEX crossref_dois_by_state ON crossref_dois (target, state, doi);
   CREATE INDEX crossref_dois_by_local_id ON crossref_dois (target, local_id);
   CREATE TABLE crossref_batches (
     batch_id TEXT PRIMARY KEY,
     target TEXT NOT NULL,
     file_name TEXT NOT NULL UNIQUE,
     status TEXT NOT NULL CHECK (status IN ('prepared','sent','completed','abandoned','rejected')),
     timestamp INTEGER NOT NULL,
     record_count INTEGER NOT NULL,
     created_at TEXT NOT NULL,
     sent_at TEXT,
     completed_at TEXT,
     submission_id TEXT,
     success_count INTEGER,
     warning_count INTEGER,
     failure_count INTEGER,
     message TEXT
   );
   CREATE INDEX crossref_batches_open ON crossref_batches (target, status);
   CREATE TABLE crossref_batch_items (
     batch_id TEXT NOT NULL REFERENCES crossref_batches (batch_id),
     doi TEXT NOT NULL,
     local_id TEXT NOT NULL,
     content_hash TEXT NOT NULL,
     PRIMARY KEY (batch_id, doi)
   ) WITHOUT ROWID;
   CREATE TABLE crossref_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;`,
];

interface DoiRow {
  doi: string;
  local_id: string;
  state: DoiDepositState;
  content_hash: string;
  message: string | null;
  failure_source: 'crossref' | 'local' | null;
  batch_id: string | null;
  submission_id: string | null;
  updated_at: string;
  last_timestamp: bigint | null;
  deposited_hash: string | null;
  deposited_at: string | null;
  registered_at: string | null;
}

function toStatus(row: DoiRow): DoiDepositStatus {
  return {
    doi: row.doi,
    localId: row.local_id,
    state: row.state,
    message: row.message,
    failureSource: row.failure_source,
    batchId: row.batch_id,
    submissionId: row.submission_id,
    updatedAt: row.updated_at,
    lastTimestamp: row.last_timestamp === null ? null : row.last_timestamp.toString(),
    depositedAt: row.deposited_at,
    registeredAt: row.registered_at,
  };
}

/** The deposit target a state row belongs to: registrations in the test system are not registrations. */
export function depositTarget(baseUrl: string): string {
  const url = new URL(baseUrl);
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

export interface SyncResult {
  scanned: number;
  added: number;
  changed: number;
}

export interface PendingDoi {
  doi: string;
  localId: string;
}

export interface BatchItem {
  doi: string;
  localId: string;
  contentHash: string;
}

/**
 * SQLite-backed deposit state for one target (Crossref system). Every transition runs in a
 * transaction, so a process killed at any point leaves each DOI in exactly one honest state.
 */
export class CrossrefDepositState {
  readonly target: string;
  readonly #db: Db;
  readonly #clock: () => Date;

  constructor(db: Db, target: string, options: { clock?: () => Date } = {}) {
    applyMigrations(db, 'crossref', MIGRATIONS);
    this.#db = db;
    this.target = target;
    this.#clock = options.clock ?? (() => new Date());
  }

  #now(): string {
    return this.#clock().toISOString();
  }

  #meta(key: string): string | undefined {
    const row = this.#db.prepare('SELECT value FROM crossref_meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  }

  #setMeta(key: string, value: string): void {
    this.#db
      .prepare('INSERT INTO crossref_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value')
      .run(key, value);
  }

  get(doi: string): DoiDepositStatus | undefined {
    const row = this.#db.prepare('SELECT * FROM crossref_dois WHERE target = ? AND doi = ?').safeIntegers(true).get(this.target, doi.toLowerCase()) as DoiRow | undefined;
    return row ? toStatus(row) : undefined;
  }

  list(options: { dois?: string[]; states?: DoiDepositState[] } = {}): DoiDepositStatus[] {
    const clauses = ['target = ?'];
    const params: unknown[] = [this.target];
    if (options.dois && options.dois.length > 0) {
      clauses.push(`doi IN (${options.dois.map(() => '?').join(',')})`);
      params.push(...options.dois.map((d) => d.toLowerCase()));
    }
    if (options.states && options.states.length > 0) {
      clauses.push(`state IN (${options.states.map(() => '?').join(',')})`);
      params.push(...options.states);
    }
    const rows = this.#db.prepare(`SELECT * FROM crossref_dois WHERE ${clauses.join(' AND ')} ORDER BY doi`).safeIntegers(true).all(...params) as DoiRow[];
    return rows.map(toStatus);
  }

  counts(): Record<DoiDepositState, number> & { registeredEver: number } {
    const result = { pending: 0, submitted: 0, registered: 0, warning: 0, failed: 0, registeredEver: 0 };
    for (const row of this.#db
      .prepare('SELECT state, COUNT(*) AS n, COUNT(registered_at) AS r FROM crossref_dois WHERE target = ? GROUP BY state')
      .all(this.target) as { state: DoiDepositState; n: number; r: number }[]) {
      result[row.state] = row.n;
      result.registeredEver += row.r;
    }
    return result;
  }

  /**
   * Brings the state in line with the record store: a DOI seen for the first time, or whose
   * content hash differs from the version the state refers to, becomes pending. Incremental:
   * only records whose datestamp is at or after the previous sync's high-water mark are read
   * (inclusive, so a record changed within the same second is not missed).
   */
  syncFromStore(store: RecordStore, options: { includeSynthetic: boolean }): SyncResult {
    const key = `sync:${this.target}`;
    const since = this.#meta(key);
    const result: SyncResult = { scanned: 0, added: 0, changed: 0 };
    const select = this.#db.prepare('SELECT * FROM crossref_dois WHERE target = ? AND doi = ?').safeIntegers(true);
    const insert = this.#db.prepare(
      `INSERT INTO crossref_dois (target, doi, local_id, state, content_hash, updated_at) VALUES (?, ?, ?, 'pending', ?, ?)`,
    );
    const repend = this.#db.prepare(
      `UPDATE crossref_dois SET state = 'pending', content_hash = ?, local_id = ?, failure_source = NULL, updated_at = ? WHERE target = ? AND doi = ?`,
    );
    const withdraw = this.#db.prepare(`DELETE FROM crossref_dois WHERE target = ? AND local_id = ? AND state = 'pending' AND registered_at IS NULL`);
    const restore = this.#db.prepare(
      `UPDATE crossref_dois SET state = 'registered', content_hash = COALESCE(deposited_hash, content_hash), updated_at = ? WHERE target = ? AND local_id = ? AND state = 'pending' AND registered_at IS NOT NULL`,
    );
    let highWater = since;
    let after: { datestamp: string; localId: string } | undefined;
    const pageSize = 500;
    for (;;) {
      const page: StoredRecord[] = store.list({ ...(since ? { from: since } : {}), ...(after ? { after } : {}) }, pageSize);
      if (page.length === 0) break;
      const apply = this.#db.transaction((records: StoredRecord[]) => {
        const now = this.#now();
        for (const stored of records) {
          result.scanned++;
          const doi = stored.record?.doi?.toLowerCase();
          if (stored.deleted || !stored.record || !doi) {
            // A withdrawn record is not deposited; a DOI Crossref already has stays registered.
            withdraw.run(this.target, stored.localId);
            restore.run(now, this.target, stored.localId);
            continue;
          }
          if (stored.record.synthetic && !options.includeSynthetic) continue;
          const row = select.get(this.target, doi) as DoiRow | undefined;
          if (!row) {
            insert.run(this.target, doi, stored.localId, stored.contentHash, now);
            result.added++;
          } else if (row.content_hash !== stored.contentHash && row.state !== 'submitted') {
            repend.run(stored.contentHash, stored.localId, now, this.target, doi);
            result.changed++;
          }
        }
      });
      apply.immediate(page);
      const last = page[page.length - 1]!;
      after = { datestamp: last.datestamp, localId: last.localId };
      if (!highWater || last.datestamp > highWater) highWater = last.datestamp;
      if (page.length < pageSize) break;
    }
    if (highWater && highWater !== since) this.#setMeta(key, highWater);
    return result;
  }

  /** Forces the given DOIs back to pending (an explicit `pubmeta deposit DOI`). In-flight DOIs are left alone. */
  forcePending(dois: string[]): { forced: string[]; inFlight: string[]; unknown: string[] } {
    const out = { forced: [] as string[], inFlight: [] as string[], unknown: [] as string[] };
    const tx = this.#db.transaction(() => {
      const now = this.#now();
      for (const raw of dois) {
        const doi = raw.toLowerCase();
        const row = this.#db.prepare('SELECT state FROM crossref_dois WHERE target = ? AND doi = ?').get(this.target, doi) as { state: DoiDepositState } | undefined;
        if (!row) out.unknown.push(doi);
        else if (row.state === 'submitted') out.inFlight.push(doi);
        else {
          this.#db.prepare(`UPDATE crossref_dois SET state = 'pending', failure_source = NULL, updated_at = ? WHERE target = ? AND doi = ?`).run(now, this.target, doi);
          out.forced.push(doi);
        }
      }
    });
    tx.immediate();
    return out;
  }

  /** Pending DOIs after `afterDoi` in DOI order (a cursor, so skipped DOIs never loop). */
  nextPending(afterDoi: string, limit: number, onlyDois?: string[]): PendingDoi[] {
    const params: unknown[] = [this.target, afterDoi];
    let filter = '';
    if (onlyDois) {
      if (onlyDois.length === 0) return [];
      filter = ` AND doi IN (${onlyDois.map(() => '?').join(',')})`;
      params.push(...onlyDois.map((d) => d.toLowerCase()));
    }
    params.push(limit);
    return (
      this.#db
        .prepare(`SELECT doi, local_id FROM crossref_dois WHERE target = ? AND state = 'pending' AND doi > ?${filter} ORDER BY doi LIMIT ?`)
        .all(...params) as { doi: string; local_id: string }[]
    ).map((r) => ({ doi: r.doi, localId: r.local_id }));
  }

  /** A pending row whose record vanished or no longer carries this DOI: withdraw it honestly. */
  dropStale(doi: string): void {
    const tx = this.#db.transaction(() => {
      const now = this.#now();
      this.#db.prepare(`DELETE FROM crossref_dois WHERE target = ? AND doi = ? AND state = 'pending' AND registered_at IS NULL`).run(this.target, doi);
      this.#db
        .prepare(`UPDATE crossref_dois SET state = 'registered', content_hash = COALESCE(deposited_hash, content_hash), updated_at = ? WHERE target = ? AND doi = ? AND state = 'pending'`)
        .run(now, this.target, doi);
    });
    tx.immediate();
  }

  /** Records a local validation failure: the DOI is not sent until its record changes or is forced. */
  recordLocalFailure(doi: string, localId: string, contentHash: string, message: string): void {
    this.#db
      .prepare(
        `UPDATE crossref_dois SET state = 'failed', failure_source = 'local', message = ?, content_hash = ?, local_id = ?, updated_at = ? WHERE target = ? AND doi = ? AND state = 'pending'`,
      )
      .run(message, contentHash, localId, this.#now(), this.target, doi);
  }

  /**
   * Hands out the next deposit timestamp (crossrefTimestampOf the clock), strictly greater than
   * every timestamp handed out before in this store (persisted, so also across restarts and
   * clock steps) and than the last one sent for any of `dois`.
   */
  reserveTimestamp(dois: readonly string[] = []): bigint {
    const tx = this.#db.transaction(() => {
      let floor = BigInt(this.#meta('last_timestamp') ?? '0');
      if (dois.length > 0) {
        const max = this.#db
          .prepare(`SELECT MAX(last_timestamp) AS m FROM crossref_dois WHERE target = ? AND doi IN (${dois.map(() => '?').join(',')})`)
          .safeIntegers(true)
          .get(this.target, ...dois) as { m: bigint | null };
        if (max.m !== null && max.m > floor) floor = max.m;
      }
      const fromClock = crossrefTimestampOf(this.#clock());
      const ts = fromClock > floor ? fromClock : floor + 1n;
      this.#setMeta('last_timestamp', ts.toString());
      return ts;
    });
    return tx.immediate();
  }

  /** Before the upload: the batch and its DOIs are recorded as submitted, atomically. */
  prepareBatch(batch: { batchId: string; fileName: string; timestamp: bigint; items: BatchItem[] }): void {
    const tx = this.#db.transaction(() => {
      const now = this.#now();
      this.#db
        .prepare(
          `INSERT INTO crossref_batches (batch_id, target, file_name, status, timestamp, record_count, created_at) VALUES (?, ?, ?, 'prepared', ?, ?, ?)`,
        )
        .run(batch.batchId, this.target, batch.fileName, batch.timestamp, batch.items.length, now);
      const item = this.#db.prepare('INSERT INTO crossref_batch_items (batch_id, doi, local_id, content_hash) VALUES (?, ?, ?, ?)');
      const submit = this.#db.prepare(
        `UPDATE crossref_dois SET state = 'submitted', batch_id = ?, submission_id = NULL, content_hash = ?, local_id = ?, last_timestamp = ?, failure_source = NULL, updated_at = ? WHERE target = ? AND doi = ?`,
      );
      for (const it of batch.items) {
        item.run(batch.batchId, it.doi, it.localId, it.contentHash);
        submit.run(batch.batchId, it.contentHash, it.localId, batch.timestamp, now, this.target, it.doi);
      }
    });
    tx.immediate();
  }

  markSent(batchId: string): void {
    this.#db
      .prepare(`UPDATE crossref_batches SET status = 'sent', sent_at = COALESCE(sent_at, ?) WHERE batch_id = ? AND status IN ('prepared', 'sent')`)
      .run(this.#now(), batchId);
  }

  /**
   * Crossref never queued the batch (credentials refused, or it does not know the file):
   * its DOIs go back to pending, or to failed with Crossref's reason when it rejected the file.
   */
  closeUnsentBatch(batchId: string, outcome: { status: 'abandoned' } | { status: 'rejected'; message: string }): void {
    const tx = this.#db.transaction(() => {
      const now = this.#now();
      const message = outcome.status === 'rejected' ? outcome.message : null;
      this.#db.prepare('UPDATE crossref_batches SET status = ?, completed_at = ?, message = ? WHERE batch_id = ?').run(outcome.status, now, message, batchId);
      if (outcome.status === 'abandoned') {
        this.#db
          .prepare(`UPDATE crossref_dois SET state = 'pending', updated_at = ? WHERE target = ? AND batch_id = ? AND state = 'submitted'`)
          .run(now, this.target, batchId);
      } else {
        this.#db
          .prepare(
            `UPDATE crossref_dois SET state = 'failed', failure_source = 'crossref', message = ?, updated_at = ? WHERE target = ? AND batch_id = ? AND state = 'submitted'`,
          )
          .run(message, now, this.target, batchId);
      }
    });
    tx.immediate();
  }

  openBatches(): DepositBatchInfo[] {
    return (
      this.#db
        .prepare(`SELECT * FROM crossref_batches WHERE target = ? AND status IN ('prepared', 'sent') ORDER BY created_at, batch_id`)
        .safeIntegers(true)
        .all(this.target) as Record<string, unknown>[]
    ).map(toBatchInfo);
  }

  batch(batchId: string): DepositBatchInfo | undefined {
    const row = this.#db.prepare('SELECT * FROM crossref_batches WHERE batch_id = ?').safeIntegers(true).get(batchId) as Record<string, unknown> | undefined;
    return row ? toBatchInfo(row) : undefined;
  }

  batchItems(batchId: string): BatchItem[] {
    return (
      this.#db.prepare('SELECT doi, local_id, content_hash FROM crossref_batch_items WHERE batch_id = ? ORDER BY doi').all(batchId) as {
        doi: string;
        local_id: string;
        content_hash: string;
      }[]
    ).map((r) => ({ doi: r.doi, localId: r.local_id, contentHash: r.content_hash }));
  }

  /**
   * Applies a completed submission log: each DOI of the batch takes its own record_diagnostic
   * (Success -> registered, Warning -> warning, Failure -> failed, with Crossref's msg). A DOI
   * whose record changed while the batch was in flight becomes pending again afterwards.
   */
  applyDiagnostic(
    batchId: string,
    diagnostic: BatchDiagnostic,
    currentHash: (item: BatchItem) => string | undefined,
  ): { registered: number; warning: number; failed: number } {
    const byDoi = new Map<string, { status: RecordDiagnosticStatus; message: string }>();
    let fileLevel: { message: string } | undefined;
    for (const record of diagnostic.records) {
      if (record.doi) byDoi.set(record.doi.toLowerCase(), { status: record.status, message: record.message });
      else if (record.status === 'Failure') fileLevel = { message: record.message || 'Crossref could not process the deposit file' };
    }
    const counts = { registered: 0, warning: 0, failed: 0 };
    const tx = this.#db.transaction(() => {
      const now = this.#now();
      const items = this.batchItems(batchId);
      const accept = this.#db.prepare(
        `UPDATE crossref_dois SET state = ?, message = ?, failure_source = NULL, submission_id = ?, deposited_hash = ?, deposited_at = ?, registered_at = COALESCE(registered_at, ?), updated_at = ? WHERE target = ? AND doi = ? AND batch_id = ? AND state = 'submitted'`,
      );
      const fail = this.#db.prepare(
        `UPDATE crossref_dois SET state = 'failed', message = ?, failure_source = 'crossref', submission_id = ?, updated_at = ? WHERE target = ? AND doi = ? AND batch_id = ? AND state = 'submitted'`,
      );
      const repend = this.#db.prepare(
        `UPDATE crossref_dois SET state = 'pending', content_hash = ?, failure_source = NULL, updated_at = ? WHERE target = ? AND doi = ?`,
      );
      const submissionId = diagnostic.submissionId ?? null;
      for (const item of items) {
        const verdict = byDoi.get(item.doi);
        if (verdict && verdict.status !== 'Failure') {
          const state = verdict.status === 'Success' ? 'registered' : 'warning';
          accept.run(state, verdict.message, submissionId, item.contentHash, now, now, now, this.target, item.doi, batchId);
          counts[state]++;
        } else {
          const message = verdict?.message || fileLevel?.message || 'Crossref reported no result for this DOI in the submission log';
          fail.run(message, submissionId, now, this.target, item.doi, batchId);
          counts.failed++;
        }
        const hash = currentHash(item);
        if (hash !== undefined && hash !== item.contentHash) repend.run(hash, now, this.target, item.doi);
      }
      const c = diagnostic.counts;
      this.#db
        .prepare(
          `UPDATE crossref_batches SET status = 'completed', sent_at = COALESCE(sent_at, ?), completed_at = ?, submission_id = ?, success_count = ?, warning_count = ?, failure_count = ?, message = ? WHERE batch_id = ?`,
        )
        .run(now, now, submissionId, c?.success ?? counts.registered, c?.warning ?? counts.warning, c?.failure ?? counts.failed, fileLevel?.message ?? null, batchId);
    });
    tx.immediate();
    return counts;
  }

  recentBatches(limit = 20): DepositBatchInfo[] {
    return (
      this.#db.prepare('SELECT * FROM crossref_batches WHERE target = ? ORDER BY created_at DESC, batch_id DESC LIMIT ?').safeIntegers(true).all(this.target, limit) as Record<
        string,
        unknown
      >[]
    ).map(toBatchInfo);
  }
}

/** Integer columns read with safeIntegers come back as bigints; counts fit a number. */
function optionalNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function toBatchInfo(row: Record<string, unknown>): DepositBatchInfo {
  return {
    batchId: row['batch_id'] as string,
    fileName: row['file_name'] as string,
    status: row['status'] as DepositBatchStatus,
    timestamp: String(row['timestamp']),
    recordCount: Number(row['record_count']),
    createdAt: row['created_at'] as string,
    sentAt: (row['sent_at'] as string | null) ?? null,
    completedAt: (row['completed_at'] as string | null) ?? null,
    submissionId: (row['submission_id'] as string | null) ?? null,
    successCount: optionalNumber(row['success_count']),
    warningCount: optionalNumber(row['warning_count']),
    failureCount: optionalNumber(row['failure_count']),
    message: (row['message'] as string | null) ?? null,
  };
}
