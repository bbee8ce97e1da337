import type { JobCounts, JobRun, JobRunStatus, Store } from '../store/types.js';

export type { JobCounts, JobRun, JobRunStatus };

const INTERRUPTED = 'the worker stopped before the run finished';

/** The history of job runs: start, end, status, counts, error. */
export class JobRunLog {
  readonly #store: Store;
  readonly #clock: () => Date;

  constructor(store: Store, options: { clock?: () => Date } = {}) {
    this.#store = store;
    this.#clock = options.clock ?? (() => new Date());
  }

  /**
   * Records a run as started. Call it only while holding the job's lease: any run of the same
   * job still marked running then belongs to a worker that died, and is closed as interrupted.
   */
  start(job: string, owner: string, trigger: string): Promise<number> {
    return this.#store.withTransaction(async (tx) => {
      const now = this.#clock().toISOString();
      await tx.jobs.interruptRunning(job, INTERRUPTED, now);
      return tx.jobs.insertRun(job, owner, trigger, now);
    });
  }

  /** Intermediate counts, so a run killed mid-way still shows how far it got. */
  progress(id: number, counts: JobCounts): Promise<void> {
    return this.#store.jobs.setRunCounts(id, counts);
  }

  finish(id: number, status: Exclude<JobRunStatus, 'running'>, counts: JobCounts | undefined, error?: string): Promise<void> {
    return this.#store.jobs.finishRun(id, status, counts, error, this.#clock().toISOString());
  }

  recent(options: { limit?: number; job?: string } = {}): Promise<JobRun[]> {
    return this.#store.jobs.recentRuns({ limit: options.limit ?? 20, ...(options.job !== undefined ? { job: options.job } : {}) });
  }

  get(id: number): Promise<JobRun | undefined> {
    return this.#store.jobs.getRun(id);
  }
}
