import { batchFromRow, doiFromRow } from '../rows.js';
import { DepositConflictError } from '../types.js';
import type { BatchItem, DepositBatchInfo, DepositRepository, DoiDepositRow, DoiDepositState, DoiDepositStatus, PendingDoi, TargetedDoiStatus } from '../types.js';
import type { PgAccess } from './connection.js';

/** Crossref deposit state in PostgreSQL (tables of the 'crossref' namespace). */
export class PgDeposits implements DepositRepository {
  constructor(private readonly access: PgAccess) {}

  async getMeta(key: string): Promise<string | undefined> {
    const [row] = await this.access.query<{ value: string }>('SELECT value FROM crossref_meta WHERE key = $1', [key]);
    return row?.value;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.access.run('INSERT INTO crossref_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
  }

  /** A transaction-scoped advisory lock on the key: concurrent reserveTimestamp calls queue. */
  async lockMeta(key: string): Promise<void> {
    if (!this.access.inTransaction) throw new Error('lockMeta holds its lock until commit: call it inside withTransaction');
    await this.access.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`pubmeta-crossref-meta:${key}`]);
  }

  async getDoi(target: string, doi: string): Promise<DoiDepositRow | undefined> {
    const [row] = await this.access.query('SELECT * FROM crossref_dois WHERE target = $1 AND doi = $2', [target, doi]);
    return row ? doiFromRow(row) : undefined;
  }

  async recentDois(filter: { states?: DoiDepositState[]; limit: number }): Promise<TargetedDoiStatus[]> {
    const states = filter.states ?? [];
    const rows = await this.access.query(
      `SELECT * FROM crossref_dois ${states.length > 0 ? 'WHERE state = ANY($2::text[])' : ''} ORDER BY updated_at DESC, target, doi LIMIT $1`,
      states.length > 0 ? [filter.limit, states] : [filter.limit],
    );
    return rows.map((row) => {
      const { contentHash: _hash, ...status } = doiFromRow(row);
      return { ...status, target: String(row.target) };
    });
  }

  async listDois(target: string, filter: { dois?: string[]; states?: DoiDepositState[] }): Promise<DoiDepositStatus[]> {
    const clauses = ['target = $1'];
    const params: unknown[] = [target];
    if (filter.dois && filter.dois.length > 0) {
      params.push(filter.dois);
      clauses.push(`doi = ANY($${params.length}::text[])`);
    }
    if (filter.states && filter.states.length > 0) {
      params.push(filter.states);
      clauses.push(`state = ANY($${params.length}::text[])`);
    }
    const rows = await this.access.query(`SELECT * FROM crossref_dois WHERE ${clauses.join(' AND ')} ORDER BY doi`, params);
    return rows.map((row) => {
      const { contentHash: _hash, ...status } = doiFromRow(row);
      return status;
    });
  }

  async countStates(target: string): Promise<{ state: DoiDepositState; count: number; registered: number }[]> {
    const rows = await this.access.query<{ state: DoiDepositState; n: number; r: number }>(
      'SELECT state, COUNT(*)::int AS n, COUNT(registered_at)::int AS r FROM crossref_dois WHERE target = $1 GROUP BY state',
      [target],
    );
    return rows.map((row) => ({ state: row.state, count: row.n, registered: row.r }));
  }

  async insertPending(target: string, doi: string, localId: string, contentHash: string, now: string): Promise<boolean> {
    return (
      (await this.access.run(
        `INSERT INTO crossref_dois (target, doi, local_id, state, content_hash, updated_at) VALUES ($1, $2, $3, 'pending', $4, $5)
         ON CONFLICT (target, doi) DO NOTHING`,
        [target, doi, localId, contentHash, now],
      )) === 1
    );
  }

  async setPending(target: string, doi: string, change: { contentHash?: string; localId?: string }, now: string): Promise<void> {
    await this.access.run(
      `UPDATE crossref_dois SET state = 'pending', content_hash = COALESCE($1, content_hash), local_id = COALESCE($2, local_id),
         failure_source = NULL, updated_at = $3 WHERE target = $4 AND doi = $5 AND state <> 'submitted'`,
      [change.contentHash ?? null, change.localId ?? null, now, target, doi],
    );
  }

  withdrawPending(target: string, by: { localId: string } | { doi: string }, now: string): Promise<void> {
    const column = 'localId' in by ? 'local_id' : 'doi';
    const value = 'localId' in by ? by.localId : by.doi;
    return this.access.atomic(async (access) => {
      await access.run(`DELETE FROM crossref_dois WHERE target = $1 AND ${column} = $2 AND state = 'pending' AND registered_at IS NULL`, [target, value]);
      await access.run(
        `UPDATE crossref_dois SET state = 'registered', content_hash = COALESCE(deposited_hash, content_hash), updated_at = $1
         WHERE target = $2 AND ${column} = $3 AND state = 'pending' AND registered_at IS NOT NULL`,
        [now, target, value],
      );
    });
  }

  async pendingAfter(target: string, afterDoi: string, limit: number, onlyDois?: string[], options: { claim?: boolean } = {}): Promise<PendingDoi[]> {
    if (onlyDois && onlyDois.length === 0) return [];
    const rows = await this.access.query<{ doi: string; local_id: string }>(
      `SELECT doi, local_id FROM crossref_dois WHERE target = $1 AND state = 'pending' AND doi > $2
         ${onlyDois ? 'AND doi = ANY($4::text[])' : ''} ORDER BY doi LIMIT $3${options.claim ? ' FOR UPDATE SKIP LOCKED' : ''}`,
      onlyDois ? [target, afterDoi, limit, onlyDois] : [target, afterDoi, limit],
    );
    return rows.map((r) => ({ doi: r.doi, localId: r.local_id }));
  }

  async recordLocalFailure(target: string, doi: string, localId: string, contentHash: string, message: string, now: string): Promise<void> {
    await this.access.run(
      `UPDATE crossref_dois SET state = 'failed', failure_source = 'local', message = $1, content_hash = $2, local_id = $3, updated_at = $4
       WHERE target = $5 AND doi = $6 AND state = 'pending'`,
      [message, contentHash, localId, now, target, doi],
    );
  }

  async maxLastTimestamp(target: string, dois: readonly string[]): Promise<bigint | undefined> {
    if (dois.length === 0) return undefined;
    const [row] = await this.access.query<{ m: string | null }>('SELECT MAX(last_timestamp)::text AS m FROM crossref_dois WHERE target = $1 AND doi = ANY($2::text[])', [
      target,
      dois,
    ]);
    return row?.m ? BigInt(row.m) : undefined;
  }

  createBatch(target: string, batch: { batchId: string; fileName: string; timestamp: bigint; items: readonly BatchItem[] }, now: string): Promise<void> {
    return this.access.atomic(async (access) => {
      await access.run(
        `INSERT INTO crossref_batches (batch_id, target, file_name, status, timestamp, record_count, created_at) VALUES ($1, $2, $3, 'prepared', $4, $5, $6)`,
        [batch.batchId, target, batch.fileName, batch.timestamp, batch.items.length, now],
      );
      const dois = batch.items.map((i) => i.doi);
      const localIds = batch.items.map((i) => i.localId);
      const hashes = batch.items.map((i) => i.contentHash);
      await access.run(
        'INSERT INTO crossref_batch_items (batch_id, doi, local_id, content_hash) SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[])',
        [batch.batchId, dois, localIds, hashes],
      );
      const submitted = await access.run(
        `UPDATE crossref_dois d SET state = 'submitted', batch_id = $1, submission_id = NULL, content_hash = u.hash, local_id = u.local_id,
           last_timestamp = $2, failure_source = NULL, updated_at = $3
         FROM unnest($5::text[], $6::text[], $7::text[]) AS u(doi, local_id, hash)
         WHERE d.target = $4 AND d.doi = u.doi AND d.state = 'pending'`,
        [batch.batchId, batch.timestamp, now, target, dois, localIds, hashes],
      );
      if (submitted !== batch.items.length) throw new DepositConflictError(batch.batchId, batch.items.length, submitted);
    });
  }

  async markBatchSent(batchId: string, now: string): Promise<void> {
    await this.access.run(`UPDATE crossref_batches SET status = 'sent', sent_at = COALESCE(sent_at, $1) WHERE batch_id = $2 AND status IN ('prepared', 'sent')`, [now, batchId]);
  }

  closeUnsentBatch(target: string, batchId: string, outcome: { status: 'abandoned' } | { status: 'rejected'; message: string }, now: string): Promise<void> {
    return this.access.atomic(async (access) => {
      const message = outcome.status === 'rejected' ? outcome.message : null;
      await access.run('UPDATE crossref_batches SET status = $1, completed_at = $2, message = $3 WHERE batch_id = $4', [outcome.status, now, message, batchId]);
      if (outcome.status === 'abandoned') {
        await access.run(`UPDATE crossref_dois SET state = 'pending', updated_at = $1 WHERE target = $2 AND batch_id = $3 AND state = 'submitted'`, [now, target, batchId]);
      } else {
        await access.run(
          `UPDATE crossref_dois SET state = 'failed', failure_source = 'crossref', message = $1, updated_at = $2 WHERE target = $3 AND batch_id = $4 AND state = 'submitted'`,
          [message, now, target, batchId],
        );
      }
    });
  }

  async acceptDoi(
    target: string,
    batchId: string,
    item: BatchItem,
    verdict: { state: 'registered' | 'warning'; message: string; submissionId: string | null },
    now: string,
  ): Promise<void> {
    await this.access.run(
      `UPDATE crossref_dois SET state = $1, message = $2, failure_source = NULL, submission_id = $3, deposited_hash = $4, deposited_at = $5,
         registered_at = COALESCE(registered_at, $5), updated_at = $5 WHERE target = $6 AND doi = $7 AND batch_id = $8 AND state = 'submitted'`,
      [verdict.state, verdict.message, verdict.submissionId, item.contentHash, now, target, item.doi, batchId],
    );
  }

  async failDoi(target: string, batchId: string, doi: string, verdict: { message: string; submissionId: string | null }, now: string): Promise<void> {
    await this.access.run(
      `UPDATE crossref_dois SET state = 'failed', message = $1, failure_source = 'crossref', submission_id = $2, updated_at = $3
       WHERE target = $4 AND doi = $5 AND batch_id = $6 AND state = 'submitted'`,
      [verdict.message, verdict.submissionId, now, target, doi, batchId],
    );
  }

  async completeBatch(
    batchId: string,
    r: { submissionId: string | null; success: number; warning: number; failure: number; message: string | null },
    now: string,
  ): Promise<void> {
    await this.access.run(
      `UPDATE crossref_batches SET status = 'completed', sent_at = COALESCE(sent_at, $1), completed_at = $1, submission_id = $2,
         success_count = $3, warning_count = $4, failure_count = $5, message = $6 WHERE batch_id = $7`,
      [now, r.submissionId, r.success, r.warning, r.failure, r.message, batchId],
    );
  }

  async getBatch(batchId: string): Promise<DepositBatchInfo | undefined> {
    const [row] = await this.access.query('SELECT * FROM crossref_batches WHERE batch_id = $1', [batchId]);
    return row ? batchFromRow(row) : undefined;
  }

  async batchItems(batchId: string): Promise<BatchItem[]> {
    const rows = await this.access.query<{ doi: string; local_id: string; content_hash: string }>(
      'SELECT doi, local_id, content_hash FROM crossref_batch_items WHERE batch_id = $1 ORDER BY doi',
      [batchId],
    );
    return rows.map((r) => ({ doi: r.doi, localId: r.local_id, contentHash: r.content_hash }));
  }

  async openBatches(target: string): Promise<DepositBatchInfo[]> {
    return (await this.access.query(`SELECT * FROM crossref_batches WHERE target = $1 AND status IN ('prepared', 'sent') ORDER BY created_at, batch_id`, [target])).map(
      batchFromRow,
    );
  }

  async recentBatches(target: string, limit: number): Promise<DepositBatchInfo[]> {
    return (await this.access.query('SELECT * FROM crossref_batches WHERE target = $1 ORDER BY created_at DESC, batch_id DESC LIMIT $2', [target, limit])).map(batchFromRow);
  }
}
