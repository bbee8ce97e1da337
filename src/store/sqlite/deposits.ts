import { batchFromRow, doiFromRow, type Row } from '../rows.js';
import { DepositConflictError } from '../types.js';
import type {
  BatchItem,
  DepositBatchInfo,
  DepositRepository,
  DoiDepositRow,
  DoiDepositState,
  DoiDepositStatus,
  PendingDoi,
  TargetedDoiStatus,
} from '../types.js';
import { statement, type Db, type SqliteAccess } from './connection.js';

const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(',');

/**
 * Crossref deposit state in SQLite (tables of the 'crossref' namespace). Deposit timestamps are
 * read with safeIntegers: they exceed 2^53.
 */
export class SqliteDeposits implements DepositRepository {
  constructor(private readonly access: SqliteAccess) {}

  getMeta(key: string): Promise<string | undefined> {
    return this.access.read((db) => statement<[string], { value: string }>(db, 'SELECT value FROM crossref_meta WHERE key = ?').get(key)?.value);
  }

  setMeta(key: string, value: string): Promise<void> {
    return this.access.write((db) => {
      statement(db, 'INSERT INTO crossref_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
    });
  }

  /** Every SQLite transaction holds the database's write lock (BEGIN IMMEDIATE): nothing more to lock. */
  lockMeta(): Promise<void> {
    return Promise.resolve();
  }

  getDoi(target: string, doi: string): Promise<DoiDepositRow | undefined> {
    return this.access.read((db) => {
      const row = statement<[string, string], Row>(db, 'SELECT * FROM crossref_dois WHERE target = ? AND doi = ?').safeIntegers(true).get(target, doi);
      return row ? doiFromRow(row) : undefined;
    });
  }

  recentDois(filter: { states?: DoiDepositState[]; limit: number }): Promise<TargetedDoiStatus[]> {
    const states = filter.states ?? [];
    const where = states.length > 0 ? `WHERE state IN (${placeholders(states.length)})` : '';
    return this.access.read((db) =>
      db
        .prepare<unknown[], Row>(`SELECT * FROM crossref_dois ${where} ORDER BY updated_at DESC, target, doi LIMIT ?`)
        .safeIntegers(true)
        .all(...states, filter.limit)
        .map((row) => {
          const { contentHash: _hash, ...status } = doiFromRow(row);
          return { ...status, target: String(row.target) };
        }),
    );
  }

  listDois(target: string, filter: { dois?: string[]; states?: DoiDepositState[] }): Promise<DoiDepositStatus[]> {
    const clauses = ['target = ?'];
    const params: unknown[] = [target];
    if (filter.dois && filter.dois.length > 0) {
      clauses.push(`doi IN (${placeholders(filter.dois.length)})`);
      params.push(...filter.dois);
    }
    if (filter.states && filter.states.length > 0) {
      clauses.push(`state IN (${placeholders(filter.states.length)})`);
      params.push(...filter.states);
    }
    return this.access.read((db) =>
      db
        .prepare<unknown[], Row>(`SELECT * FROM crossref_dois WHERE ${clauses.join(' AND ')} ORDER BY doi`)
        .safeIntegers(true)
        .all(...params)
        .map((row) => {
          const { contentHash: _hash, ...status } = doiFromRow(row);
          return status;
        }),
    );
  }

  countStates(target: string): Promise<{ state: DoiDepositState; count: number; registered: number }[]> {
    return this.access.read((db) =>
      statement<[string], { state: DoiDepositState; n: number; r: number }>(
        db,
        'SELECT state, COUNT(*) AS n, COUNT(registered_at) AS r FROM crossref_dois WHERE target = ? GROUP BY state',
      )
        .all(target)
        .map((row) => ({ state: row.state, count: row.n, registered: row.r })),
    );
  }

  insertPending(target: string, doi: string, localId: string, contentHash: string, now: string): Promise<boolean> {
    return this.access.write(
      (db) =>
        statement(
          db,
          `INSERT INTO crossref_dois (target, doi, local_id, state, content_hash, updated_at) VALUES (?, ?, ?, 'pending', ?, ?)
           ON CONFLICT (target, doi) DO NOTHING`,
        ).run(target, doi, localId, contentHash, now).changes === 1,
    );
  }

  setPending(target: string, doi: string, change: { contentHash?: string; localId?: string }, now: string): Promise<void> {
    return this.access.write((db) => {
      statement(
        db,
        `UPDATE crossref_dois SET state = 'pending', content_hash = COALESCE(?, content_hash), local_id = COALESCE(?, local_id),
           failure_source = NULL, updated_at = ? WHERE target = ? AND doi = ? AND state <> 'submitted'`,
      ).run(change.contentHash ?? null, change.localId ?? null, now, target, doi);
    });
  }

  withdrawPending(target: string, by: { localId: string } | { doi: string }, now: string): Promise<void> {
    const column = 'localId' in by ? 'local_id' : 'doi';
    const value = 'localId' in by ? by.localId : by.doi;
    return this.access.write((db) => {
      statement(db, `DELETE FROM crossref_dois WHERE target = ? AND ${column} = ? AND state = 'pending' AND registered_at IS NULL`).run(target, value);
      statement(
        db,
        `UPDATE crossref_dois SET state = 'registered', content_hash = COALESCE(deposited_hash, content_hash), updated_at = ?
         WHERE target = ? AND ${column} = ? AND state = 'pending' AND registered_at IS NOT NULL`,
      ).run(now, target, value);
    });
  }

  /** `claim` needs nothing more here: SQLite write transactions are serial. */
  pendingAfter(target: string, afterDoi: string, limit: number, onlyDois?: string[], _options: { claim?: boolean } = {}): Promise<PendingDoi[]> {
    if (onlyDois && onlyDois.length === 0) return Promise.resolve([]);
    const params: unknown[] = [target, afterDoi];
    let filter = '';
    if (onlyDois) {
      filter = ` AND doi IN (${placeholders(onlyDois.length)})`;
      params.push(...onlyDois);
    }
    params.push(limit);
    return this.access.read((db) =>
      db
        .prepare<unknown[], { doi: string; local_id: string }>(
          `SELECT doi, local_id FROM crossref_dois WHERE target = ? AND state = 'pending' AND doi > ?${filter} ORDER BY doi LIMIT ?`,
        )
        .all(...params)
        .map((r) => ({ doi: r.doi, localId: r.local_id })),
    );
  }

  recordLocalFailure(target: string, doi: string, localId: string, contentHash: string, message: string, now: string): Promise<void> {
    return this.access.write((db) => {
      statement(
        db,
        `UPDATE crossref_dois SET state = 'failed', failure_source = 'local', message = ?, content_hash = ?, local_id = ?, updated_at = ?
         WHERE target = ? AND doi = ? AND state = 'pending'`,
      ).run(message, contentHash, localId, now, target, doi);
    });
  }

  maxLastTimestamp(target: string, dois: readonly string[]): Promise<bigint | undefined> {
    if (dois.length === 0) return Promise.resolve(undefined);
    return this.access.read((db) => {
      const row = db
        .prepare<unknown[], { m: bigint | null }>(`SELECT MAX(last_timestamp) AS m FROM crossref_dois WHERE target = ? AND doi IN (${placeholders(dois.length)})`)
        .safeIntegers(true)
        .get(target, ...dois)!;
      return row.m ?? undefined;
    });
  }

  createBatch(target: string, batch: { batchId: string; fileName: string; timestamp: bigint; items: readonly BatchItem[] }, now: string): Promise<void> {
    return this.access.write((db) => {
      statement(
        db,
        `INSERT INTO crossref_batches (batch_id, target, file_name, status, timestamp, record_count, created_at) VALUES (?, ?, ?, 'prepared', ?, ?, ?)`,
      ).run(batch.batchId, target, batch.fileName, batch.timestamp, batch.items.length, now);
      const item = statement(db, 'INSERT INTO crossref_batch_items (batch_id, doi, local_id, content_hash) VALUES (?, ?, ?, ?)');
      const submit = statement(
        db,
        `UPDATE crossref_dois SET state = 'submitted', batch_id = ?, submission_id = NULL, content_hash = ?, local_id = ?, last_timestamp = ?,
           failure_source = NULL, updated_at = ? WHERE target = ? AND doi = ? AND state = 'pending'`,
      );
      let submitted = 0;
      for (const it of batch.items) {
        item.run(batch.batchId, it.doi, it.localId, it.contentHash);
        submitted += submit.run(batch.batchId, it.contentHash, it.localId, batch.timestamp, now, target, it.doi).changes;
      }
      if (submitted !== batch.items.length) throw new DepositConflictError(batch.batchId, batch.items.length, submitted);
    });
  }

  markBatchSent(batchId: string, now: string): Promise<void> {
    return this.access.write((db) => {
      statement(db, `UPDATE crossref_batches SET status = 'sent', sent_at = COALESCE(sent_at, ?) WHERE batch_id = ? AND status IN ('prepared', 'sent')`).run(now, batchId);
    });
  }

  closeUnsentBatch(target: string, batchId: string, outcome: { status: 'abandoned' } | { status: 'rejected'; message: string }, now: string): Promise<void> {
    return this.access.write((db) => {
      const message = outcome.status === 'rejected' ? outcome.message : null;
      statement(db, 'UPDATE crossref_batches SET status = ?, completed_at = ?, message = ? WHERE batch_id = ?').run(outcome.status, now, message, batchId);
      if (outcome.status === 'abandoned') {
        statement(db, `UPDATE crossref_dois SET state = 'pending', updated_at = ? WHERE target = ? AND batch_id = ? AND state = 'submitted'`).run(now, target, batchId);
      } else {
        statement(
          db,
          `UPDATE crossref_dois SET state = 'failed', failure_source = 'crossref', message = ?, updated_at = ? WHERE target = ? AND batch_id = ? AND state = 'submitted'`,
        ).run(message, now, target, batchId);
      }
    });
  }

  acceptDoi(
    target: string,
    batchId: string,
    item: BatchItem,
    verdict: { state: 'registered' | 'warning'; message: string; submissionId: string | null },
    now: string,
  ): Promise<void> {
    return this.access.write((db) => {
      statement(
        db,
        `UPDATE crossref_dois SET state = ?, message = ?, failure_source = NULL, submission_id = ?, deposited_hash = ?, deposited_at = ?,
           registered_at = COALESCE(registered_at, ?), updated_at = ? WHERE target = ? AND doi = ? AND batch_id = ? AND state = 'submitted'`,
      ).run(verdict.state, verdict.message, verdict.submissionId, item.contentHash, now, now, now, target, item.doi, batchId);
    });
  }

  failDoi(target: string, batchId: string, doi: string, verdict: { message: string; submissionId: string | null }, now: string): Promise<void> {
    return this.access.write((db) => {
      statement(
        db,
        `UPDATE crossref_dois SET state = 'failed', message = ?, failure_source = 'crossref', submission_id = ?, updated_at = ?
         WHERE target = ? AND doi = ? AND batch_id = ? AND state = 'submitted'`,
      ).run(verdict.message, verdict.submissionId, now, target, doi, batchId);
    });
  }

  completeBatch(
    batchId: string,
    r: { submissionId: string | null; success: number; warning: number; failure: number; message: string | null },
    now: string,
  ): Promise<void> {
    return this.access.write((db) => {
      statement(
        db,
        `UPDATE crossref_batches SET status = 'completed', sent_at = COALESCE(sent_at, ?), completed_at = ?, submission_id = ?,
           success_count = ?, warning_count = ?, failure_count = ?, message = ? WHERE batch_id = ?`,
      ).run(now, now, r.submissionId, r.success, r.warning, r.failure, r.message, batchId);
    });
  }

  getBatch(batchId: string): Promise<DepositBatchInfo | undefined> {
    return this.access.read((db) => {
      const row = statement<[string], Row>(db, 'SELECT * FROM crossref_batches WHERE batch_id = ?').safeIntegers(true).get(batchId);
      return row ? batchFromRow(row) : undefined;
    });
  }

  batchItems(batchId: string): Promise<BatchItem[]> {
    return this.access.read((db) => batchItems(db, batchId));
  }

  openBatches(target: string): Promise<DepositBatchInfo[]> {
    return this.access.read((db) =>
      statement<[string], Row>(db, `SELECT * FROM crossref_batches WHERE target = ? AND status IN ('prepared', 'sent') ORDER BY created_at, batch_id`)
        .safeIntegers(true)
        .all(target)
        .map(batchFromRow),
    );
  }

  recentBatches(target: string, limit: number): Promise<DepositBatchInfo[]> {
    return this.access.read((db) =>
      statement<[string, number], Row>(db, 'SELECT * FROM crossref_batches WHERE target = ? ORDER BY created_at DESC, batch_id DESC LIMIT ?')
        .safeIntegers(true)
        .all(target, limit)
        .map(batchFromRow),
    );
  }
}

function batchItems(db: Db, batchId: string): BatchItem[] {
  return statement<[string], { doi: string; local_id: string; content_hash: string }>(
    db,
    'SELECT doi, local_id, content_hash FROM crossref_batch_items WHERE batch_id = ? ORDER BY doi',
  )
    .all(batchId)
    .map((r) => ({ doi: r.doi, localId: r.local_id, contentHash: r.content_hash }));
}
