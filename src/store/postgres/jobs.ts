import { jobRunFromRow, leaseFromRow, leaseIsTakeable } from '../rows.js';
import type { JobCounts, JobRepository, JobRun, JobRunStatus, LeaseClaim, LeaseHolder } from '../types.js';
import type { PgAccess } from './connection.js';

/** A row for each key, so there is always a row to lock (expired at once: it leases nothing). */
const ENSURE_LEASE_ROWS = `INSERT INTO worker_leases (job, owner, acquired_at, heartbeat_at, expires_at)
  SELECT k, '', '', '', 0 FROM unnest($1::text[]) AS k ON CONFLICT (job) DO NOTHING`;

const TAKE_LEASE = `UPDATE worker_leases SET owner = $2, acquired_at = $3, heartbeat_at = $3, expires_at = $4 WHERE job = $1`;

/**
 * Job runs, leases, checkpoints and export state in PostgreSQL (tables of the 'worker'
 * namespace; a lease's key is kept in the `job` column). A claim locks the lease rows it
 * decides on (FOR UPDATE), so two workers on two machines never both take one; claimNextLease
 * skips rows another claimant holds locked (SKIP LOCKED) instead of waiting for them.
 */
export class PgJobs implements JobRepository {
  constructor(private readonly access: PgAccess) {}

  async interruptRunning(job: string, error: string, now: string): Promise<void> {
    await this.access.run(`UPDATE worker_runs SET status = 'interrupted', ended_at = $1, error = COALESCE(error, $2) WHERE job = $3 AND status = 'running'`, [now, error, job]);
  }

  async insertRun(job: string, owner: string, trigger: string, now: string): Promise<number> {
    const [row] = await this.access.query<{ id: string }>(
      `INSERT INTO worker_runs (job, owner, "trigger", started_at, status) VALUES ($1, $2, $3, $4, 'running') RETURNING id`,
      [job, owner, trigger, now],
    );
    return Number(row!.id);
  }

  async setRunCounts(id: number, counts: JobCounts): Promise<void> {
    await this.access.run(`UPDATE worker_runs SET counts = $1 WHERE id = $2 AND status = 'running'`, [JSON.stringify(counts), id]);
  }

  async finishRun(id: number, status: Exclude<JobRunStatus, 'running'>, counts: JobCounts | undefined, error: string | undefined, now: string): Promise<void> {
    await this.access.run('UPDATE worker_runs SET status = $1, ended_at = $2, counts = COALESCE($3, counts), error = $4 WHERE id = $5', [
      status,
      now,
      counts ? JSON.stringify(counts) : null,
      error ?? null,
      id,
    ]);
  }

  async getRun(id: number): Promise<JobRun | undefined> {
    const [row] = await this.access.query('SELECT * FROM worker_runs WHERE id = $1', [id]);
    return row ? jobRunFromRow(row) : undefined;
  }

  async recentRuns(options: { limit: number; job?: string }): Promise<JobRun[]> {
    const rows =
      options.job !== undefined
        ? await this.access.query('SELECT * FROM worker_runs WHERE job = $1 ORDER BY id DESC LIMIT $2', [options.job, options.limit])
        : await this.access.query('SELECT * FROM worker_runs ORDER BY id DESC LIMIT $1', [options.limit]);
    return rows.map(jobRunFromRow);
  }

  claimLease(key: string, claim: LeaseClaim): Promise<boolean> {
    return this.access.atomic(async (access) => {
      await access.run(ENSURE_LEASE_ROWS, [[key]]);
      const [row] = await access.query('SELECT * FROM worker_leases WHERE job = $1 FOR UPDATE', [key]);
      if (!leaseIsTakeable(row ? leaseFromRow(row) : undefined, claim, true)) return false;
      await access.run(TAKE_LEASE, [key, claim.owner, new Date(claim.nowMs).toISOString(), claim.nowMs + claim.ttlMs]);
      return true;
    });
  }

  claimNextLease(keys: readonly string[], claim: LeaseClaim): Promise<string | undefined> {
    if (keys.length === 0) return Promise.resolve(undefined);
    return this.access.atomic(async (access) => {
      await access.run(ENSURE_LEASE_ROWS, [keys]);
      const rows = await access.query('SELECT * FROM worker_leases WHERE job = ANY($1::text[]) ORDER BY array_position($1::text[], job) FOR UPDATE SKIP LOCKED', [keys]);
      const free = rows.map(leaseFromRow).find((holder) => leaseIsTakeable(holder, claim, false));
      if (!free) return undefined;
      await access.run(TAKE_LEASE, [free.key, claim.owner, new Date(claim.nowMs).toISOString(), claim.nowMs + claim.ttlMs]);
      return free.key;
    });
  }

  async renewLease(key: string, owner: string, ttlMs: number, nowMs: number): Promise<boolean> {
    return (await this.access.run('UPDATE worker_leases SET heartbeat_at = $1, expires_at = $2 WHERE job = $3 AND owner = $4', [new Date(nowMs).toISOString(), nowMs + ttlMs, key, owner])) === 1;
  }

  async releaseLease(key: string, owner: string): Promise<void> {
    await this.access.run('DELETE FROM worker_leases WHERE job = $1 AND owner = $2', [key, owner]);
  }

  async leaseHolder(key: string, nowMs: number): Promise<LeaseHolder | undefined> {
    const [row] = await this.access.query('SELECT * FROM worker_leases WHERE job = $1 AND expires_at > $2', [key, nowMs]);
    return row ? leaseFromRow(row) : undefined;
  }

  async listLeases(nowMs: number): Promise<LeaseHolder[]> {
    return (await this.access.query('SELECT * FROM worker_leases WHERE expires_at > $1 ORDER BY job', [nowMs])).map(leaseFromRow);
  }

  async readCheckpoint(key: string): Promise<string | undefined> {
    const [row] = await this.access.query<{ value: string }>('SELECT value FROM worker_checkpoints WHERE key = $1', [key]);
    return row?.value;
  }

  async writeCheckpoint(key: string, value: string, now: string): Promise<void> {
    await this.access.run(
      'INSERT INTO worker_checkpoints (key, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
      [key, value, now],
    );
  }

  async exportedHashes(profile: string, localIds: readonly string[]): Promise<Map<string, string>> {
    if (localIds.length === 0) return new Map();
    const rows = await this.access.query<{ local_id: string; content_hash: string }>(
      'SELECT local_id, content_hash FROM worker_export_state WHERE profile = $1 AND local_id = ANY($2::text[])',
      [profile, localIds],
    );
    return new Map(rows.map((r) => [r.local_id, r.content_hash]));
  }

  saveExported(profile: string, items: readonly { localId: string; hash: string | null }[], now: string): Promise<void> {
    const marked = new Map<string, string>();
    const forgotten = new Set<string>();
    for (const item of items) {
      if (item.hash === null) {
        marked.delete(item.localId);
        forgotten.add(item.localId);
      } else {
        forgotten.delete(item.localId);
        marked.set(item.localId, item.hash);
      }
    }
    return this.access.atomic(async (access) => {
      if (forgotten.size > 0) await access.run('DELETE FROM worker_export_state WHERE profile = $1 AND local_id = ANY($2::text[])', [profile, [...forgotten]]);
      if (marked.size > 0) {
        await access.run(
          `INSERT INTO worker_export_state (profile, local_id, content_hash, exported_at)
           SELECT $1, u.local_id, u.hash, $4 FROM unnest($2::text[], $3::text[]) AS u(local_id, hash)
           ON CONFLICT (profile, local_id) DO UPDATE SET content_hash = excluded.content_hash, exported_at = excluded.exported_at`,
          [profile, [...marked.keys()], [...marked.values()], now],
        );
      }
    });
  }
}
