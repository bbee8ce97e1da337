import { hostname } from 'node:os';
import type { Db } from '../store/db.js';
import { applyWorkerMigrations } from './tables.js';

export interface LeaseHolder {
  job: string;
  owner: string;
  acquiredAt: string;
  heartbeatAt: string;
  expiresAt: Date;
}

/** Lease owner names: `<host>:<pid>:<tag>`, so a dead holder on this host is recognised at once. */
export function leaseOwnerName(tag: string): string {
  return `${hostname()}:${process.pid}:${tag}`;
}

/**
 * True when `owner` names a process on this host that no longer exists (killed, crashed):
 * its lease need not be waited out. Owners on other hosts are trusted until their lease expires.
 */
function ownerIsDeadHere(owner: string): boolean {
  const match = /^(.*):(\d+):[^:]*$/.exec(owner);
  if (!match || match[1] !== hostname()) return false;
  const pid = Number(match[2]);
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * One row per job names the worker that may run it, until `expires_at`. Acquiring happens in an
 * IMMEDIATE transaction (SQLite's write lock), so two processes can never both see the lease
 * free; the holder renews it by heartbeat. A crashed holder's lease expires, or is taken over
 * at once when the holder was a process on this host that no longer exists.
 */
export class JobLeases {
  readonly #db: Db;
  readonly #now: () => number;

  constructor(db: Db, options: { now?: () => number } = {}) {
    applyWorkerMigrations(db);
    this.#db = db;
    this.#now = options.now ?? Date.now;
  }

  /** Takes the lease when it is free, expired, or already ours. */
  acquire(job: string, owner: string, ttlMs: number): boolean {
    const take = this.#db.transaction(() => {
      const now = this.#now();
      const row = this.#db.prepare('SELECT owner, expires_at FROM worker_leases WHERE job = ?').get(job) as { owner: string; expires_at: number } | undefined;
      if (row && row.owner !== owner && row.expires_at > now && !ownerIsDeadHere(row.owner)) return false;
      const stamp = new Date(now).toISOString();
      this.#db
        .prepare(
          `INSERT INTO worker_leases (job, owner, acquired_at, heartbeat_at, expires_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (job) DO UPDATE SET owner = excluded.owner, acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at`,
        )
        .run(job, owner, stamp, stamp, now + ttlMs);
      return true;
    });
    return take.immediate();
  }

  /** Extends our lease. False when it is no longer ours (expired and taken): stop working. */
  renew(job: string, owner: string, ttlMs: number): boolean {
    const now = this.#now();
    const result = this.#db
      .prepare('UPDATE worker_leases SET heartbeat_at = ?, expires_at = ? WHERE job = ? AND owner = ?')
      .run(new Date(now).toISOString(), now + ttlMs, job, owner);
    return result.changes === 1;
  }

  release(job: string, owner: string): void {
    this.#db.prepare('DELETE FROM worker_leases WHERE job = ? AND owner = ?').run(job, owner);
  }

  holder(job: string): LeaseHolder | undefined {
    const row = this.#db.prepare('SELECT * FROM worker_leases WHERE job = ? AND expires_at > ?').get(job, this.#now()) as
      | { job: string; owner: string; acquired_at: string; heartbeat_at: string; expires_at: number }
      | undefined;
    return row
      ? { job: row.job, owner: row.owner, acquiredAt: row.acquired_at, heartbeatAt: row.heartbeat_at, expiresAt: new Date(row.expires_at) }
      : undefined;
  }
}
