import { jobRunFromRow, leaseFromRow, leaseIsTakeable, type Row } from '../rows.js';
import type { JobCounts, JobRepository, JobRun, JobRunStatus, LeaseClaim, LeaseHolder } from '../types.js';
import { statement, type Db, type SqliteAccess } from './connection.js';

const UPSERT_LEASE = `INSERT INTO worker_leases (job, owner, acquired_at, heartbeat_at, expires_at) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (job) DO UPDATE SET owner = excluded.owner, acquired_at = excluded.acquired_at,
    heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at`;

/**
 * Job runs, leases, checkpoints and export state in SQLite (tables of the 'worker' namespace;
 * a lease's key is kept in the `job` column). Leases are claimed inside the write transaction,
 * which in SQLite is IMMEDIATE: two processes can never both see a lease free.
 */
export class SqliteJobs implements JobRepository {
  constructor(private readonly access: SqliteAccess) {}

  interruptRunning(job: string, error: string, now: string): Promise<void> {
    return this.access.write((db) => {
      statement(db, `UPDATE worker_runs SET status = 'interrupted', ended_at = ?, error = COALESCE(error, ?) WHERE job = ? AND status = 'running'`).run(now, error, job);
    });
  }

  insertRun(job: string, owner: string, trigger: string, now: string): Promise<number> {
    return this.access.write((db) =>
      Number(statement(db, `INSERT INTO worker_runs (job, owner, trigger, started_at, status) VALUES (?, ?, ?, ?, 'running')`).run(job, owner, trigger, now).lastInsertRowid),
    );
  }

  setRunCounts(id: number, counts: JobCounts): Promise<void> {
    return this.access.write((db) => {
      statement(db, `UPDATE worker_runs SET counts = ? WHERE id = ? AND status = 'running'`).run(JSON.stringify(counts), id);
    });
  }

  finishRun(id: number, status: Exclude<JobRunStatus, 'running'>, counts: JobCounts | undefined, error: string | undefined, now: string): Promise<void> {
    return this.access.write((db) => {
      statement(db, 'UPDATE worker_runs SET status = ?, ended_at = ?, counts = COALESCE(?, counts), error = ? WHERE id = ?').run(
        status,
        now,
        counts ? JSON.stringify(counts) : null,
        error ?? null,
        id,
      );
    });
  }

  getRun(id: number): Promise<JobRun | undefined> {
    return this.access.read((db) => {
      const row = statement<[number], Row>(db, 'SELECT * FROM worker_runs WHERE id = ?').get(id);
      return row ? jobRunFromRow(row) : undefined;
    });
  }

  recentRuns(options: { limit: number; job?: string }): Promise<JobRun[]> {
    return this.access.read((db) =>
      (options.job !== undefined
        ? statement<[string, number], Row>(db, 'SELECT * FROM worker_runs WHERE job = ? ORDER BY id DESC LIMIT ?').all(options.job, options.limit)
        : statement<[number], Row>(db, 'SELECT * FROM worker_runs ORDER BY id DESC LIMIT ?').all(options.limit)
      ).map(jobRunFromRow),
    );
  }

  claimLease(key: string, claim: LeaseClaim): Promise<boolean> {
    return this.access.write((db) => takeLease(db, key, claim, true));
  }

  claimNextLease(keys: readonly string[], claim: LeaseClaim): Promise<string | undefined> {
    // The write transaction already excludes every other claimant: the first takeable key wins.
    return this.access.write((db) => keys.find((key) => takeLease(db, key, claim, false)));
  }

  renewLease(key: string, owner: string, ttlMs: number, nowMs: number): Promise<boolean> {
    return this.access.write(
      (db) =>
        statement(db, 'UPDATE worker_leases SET heartbeat_at = ?, expires_at = ? WHERE job = ? AND owner = ?').run(new Date(nowMs).toISOString(), nowMs + ttlMs, key, owner)
          .changes === 1,
    );
  }

  releaseLease(key: string, owner: string): Promise<void> {
    return this.access.write((db) => {
      statement(db, 'DELETE FROM worker_leases WHERE job = ? AND owner = ?').run(key, owner);
    });
  }

  leaseHolder(key: string, nowMs: number): Promise<LeaseHolder | undefined> {
    return this.access.read((db) => {
      const row = statement<[string, number], Row>(db, 'SELECT * FROM worker_leases WHERE job = ? AND expires_at > ?').get(key, nowMs);
      return row ? leaseFromRow(row) : undefined;
    });
  }

  listLeases(nowMs: number): Promise<LeaseHolder[]> {
    return this.access.read((db) => statement<[number], Row>(db, 'SELECT * FROM worker_leases WHERE expires_at > ? ORDER BY job').all(nowMs).map(leaseFromRow));
  }

  readCheckpoint(key: string): Promise<string | undefined> {
    return this.access.read((db) => statement<[string], { value: string }>(db, 'SELECT value FROM worker_checkpoints WHERE key = ?').get(key)?.value);
  }

  writeCheckpoint(key: string, value: string, now: string): Promise<void> {
    return this.access.write((db) => {
      statement(
        db,
        'INSERT INTO worker_checkpoints (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
      ).run(key, value, now);
    });
  }

  exportedHashes(profile: string, localIds: readonly string[]): Promise<Map<string, string>> {
    return this.access.read((db) => {
      const select = statement<[string, string], { content_hash: string }>(db, 'SELECT content_hash FROM worker_export_state WHERE profile = ? AND local_id = ?');
      const hashes = new Map<string, string>();
      for (const localId of localIds) {
        const row = select.get(profile, localId);
        if (row) hashes.set(localId, row.content_hash);
      }
      return hashes;
    });
  }

  saveExported(profile: string, items: readonly { localId: string; hash: string | null }[], now: string): Promise<void> {
    return this.access.write((db) => {
      const mark = statement(
        db,
        `INSERT INTO worker_export_state (profile, local_id, content_hash, exported_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (profile, local_id) DO UPDATE SET content_hash = excluded.content_hash, exported_at = excluded.exported_at`,
      );
      const forget = statement(db, 'DELETE FROM worker_export_state WHERE profile = ? AND local_id = ?');
      for (const item of items) {
        if (item.hash === null) forget.run(profile, item.localId);
        else mark.run(profile, item.localId, item.hash, now);
      }
    });
  }
}

function takeLease(db: Db, key: string, claim: LeaseClaim, alreadyOurs: boolean): boolean {
  const row = statement<[string], Row>(db, 'SELECT * FROM worker_leases WHERE job = ?').get(key);
  if (!leaseIsTakeable(row ? leaseFromRow(row) : undefined, claim, alreadyOurs)) return false;
  const stamp = new Date(claim.nowMs).toISOString();
  statement(db, UPSERT_LEASE).run(key, claim.owner, stamp, stamp, claim.nowMs + claim.ttlMs);
  return true;
}
