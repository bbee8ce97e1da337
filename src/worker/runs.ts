import type { Db } from '../store/db.js';
import { applyWorkerMigrations } from './tables.js';

export type JobRunStatus = 'running' | 'succeeded' | 'failed' | 'interrupted';
export type JobCounts = Record<string, number>;

export interface JobRun {
  id: number;
  job: string;
  owner: string;
  trigger: string;
  startedAt: string;
  endedAt: string | null;
  status: JobRunStatus;
  counts: JobCounts | null;
  error: string | null;
}

interface RunRow {
  id: number;
  job: string;
  owner: string;
  trigger: string;
  started_at: string;
  ended_at: string | null;
  status: JobRunStatus;
  counts: string | null;
  error: string | null;
}

function toRun(row: RunRow): JobRun {
  return {
    id: row.id,
    job: row.job,
    owner: row.owner,
    trigger: row.trigger,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    status: row.status,
    counts: row.counts ? (JSON.parse(row.counts) as JobCounts) : null,
    error: row.error,
  };
}

/** The history of job runs: start, end, status, counts, error. */
export class JobRunLog {
  readonly #db: Db;
  readonly #clock: () => Date;

  constructor(db: Db, options: { clock?: () => Date } = {}) {
    applyWorkerMigrations(db);
    this.#db = db;
    this.#clock = options.clock ?? (() => new Date());
  }

  /**
   * Records a run as started. Call it only while holding the job's lease: any run of the same
   * job still marked running then belongs to a worker that died, and is closed as interrupted.
   */
  start(job: string, owner: string, trigger: string): number {
    const tx = this.#db.transaction(() => {
      const now = this.#clock().toISOString();
      this.#db
        .prepare(`UPDATE worker_runs SET status = 'interrupted', ended_at = ?, error = COALESCE(error, 'the worker stopped before the run finished') WHERE job = ? AND status = 'running'`)
        .run(now, job);
      return Number(
        this.#db.prepare(`INSERT INTO worker_runs (job, owner, trigger, started_at, status) VALUES (?, ?, ?, ?, 'running')`).run(job, owner, trigger, now)
          .lastInsertRowid,
      );
    });
    return tx.immediate();
  }

  /** Intermediate counts, so a run killed mid-way still shows how far it got. */
  progress(id: number, counts: JobCounts): void {
    this.#db.prepare(`UPDATE worker_runs SET counts = ? WHERE id = ? AND status = 'running'`).run(JSON.stringify(counts), id);
  }

  finish(id: number, status: Exclude<JobRunStatus, 'running'>, counts: JobCounts | undefined, error?: string): void {
    this.#db
      .prepare('UPDATE worker_runs SET status = ?, ended_at = ?, counts = COALESCE(?, counts), error = ? WHERE id = ?')
      .run(status, this.#clock().toISOString(), counts ? JSON.stringify(counts) : null, error ?? null, id);
  }

  recent(options: { limit?: number; job?: string } = {}): JobRun[] {
    const limit = options.limit ?? 20;
    const rows = options.job
      ? (this.#db.prepare('SELECT * FROM worker_runs WHERE job = ? ORDER BY id DESC LIMIT ?').all(options.job, limit) as RunRow[])
      : (this.#db.prepare('SELECT * FROM worker_runs ORDER BY id DESC LIMIT ?').all(limit) as RunRow[]);
    return rows.map(toRun);
  }

  get(id: number): JobRun | undefined {
    const row = this.#db.prepare('SELECT * FROM worker_runs WHERE id = ?').get(id) as RunRow | undefined;
    return row ? toRun(row) : undefined;
  }
}
