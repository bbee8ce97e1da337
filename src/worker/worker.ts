import { randomBytes } from 'node:crypto';
import { Cron } from 'croner';
import type { Logger } from '../log.js';
import type { Store } from '../store/types.js';
import { JobLeases, keepLease, leaseOwnerName } from './leases.js';
import { JobRunLog, type JobCounts, type JobRunStatus } from './runs.js';

export interface JobContext {
  store: Store;
  /** Aborted on SIGTERM/stop or when the lease is lost: finish the current page or batch and return. */
  signal: AbortSignal;
  logger: Logger | undefined;
  /** Saves intermediate counts on the run record (in the background, in order). */
  progress(counts: JobCounts): void;
}

export interface WorkerJob {
  name: string;
  /** Cron expression; a job without one runs only on demand (runOnce / runAllOnce). */
  schedule?: string;
  run(context: JobContext): Promise<JobCounts>;
}

export interface WorkerRunOutcome {
  job: string;
  /** busy: another worker holds the job's lease, nothing was run. */
  status: Exclude<JobRunStatus, 'running'> | 'busy';
  runId?: number;
  counts?: JobCounts;
  error?: string;
}

export interface WorkerOptions {
  store: Store;
  jobs: WorkerJob[];
  logger?: Logger;
  /** Lease lifetime without heartbeat (default 60 s); renewed every third of it. */
  leaseTtlMs?: number;
  /** IANA zone for cron schedules. */
  timezone?: string;
  /** Distinguishes this worker in leases and run records (default `<host>:<pid>:<random>`; see leaseOwnerName). */
  owner?: string;
}

/**
 * Runs jobs on cron schedules. A job never runs twice at the same time: within a process
 * croner's overrun protection skips a tick while the previous run is busy, and across
 * processes sharing the store (on one machine or, with PostgreSQL, several) a lease on the job
 * name (claimed atomically, renewed by heartbeat, expiring if its holder dies) admits one
 * runner. Every run is recorded.
 */
export class PubmetaWorker {
  readonly owner: string;
  readonly #options: WorkerOptions;
  readonly #leases: JobLeases;
  readonly #runs: JobRunLog;
  readonly #ttl: number;
  readonly #stopping = new AbortController();
  readonly #crons: Cron[] = [];
  readonly #active = new Set<Promise<WorkerRunOutcome>>();
  readonly #runningJobs = new Set<string>();

  constructor(options: WorkerOptions) {
    const names = new Set<string>();
    for (const job of options.jobs) {
      if (names.has(job.name)) throw new Error(`two jobs are named ${JSON.stringify(job.name)}`);
      names.add(job.name);
    }
    this.#options = options;
    this.#leases = new JobLeases(options.store.jobs);
    this.#runs = new JobRunLog(options.store);
    this.#ttl = options.leaseTtlMs ?? 60_000;
    this.owner = options.owner ?? leaseOwnerName(randomBytes(3).toString('hex'));
  }

  get stopping(): boolean {
    return this.#stopping.signal.aborted;
  }

  /** Schedules every job that has a schedule. */
  start(): void {
    for (const job of this.#options.jobs) {
      if (!job.schedule) continue;
      const cron = new Cron(
        job.schedule,
        { protect: true, ...(this.#options.timezone ? { timezone: this.#options.timezone } : {}), name: `pubmeta:${job.name}:${this.owner}` },
        async () => {
          await this.runOnce(job.name, 'schedule');
        },
      );
      this.#crons.push(cron);
      this.#options.logger?.info({ job: job.name, schedule: job.schedule, next: cron.nextRun()?.toISOString() }, 'job scheduled');
    }
  }

  /** Next scheduled time per job. */
  nextRuns(): { job: string; next: Date | null }[] {
    return this.#crons.map((cron, i) => ({ job: this.#options.jobs.filter((j) => j.schedule)[i]!.name, next: cron.nextRun() }));
  }

  /** Runs one job now, if its lease is free. */
  runOnce(name: string, trigger = 'manual'): Promise<WorkerRunOutcome> {
    const job = this.#options.jobs.find((j) => j.name === name);
    if (!job) return Promise.reject(new Error(`no job named ${JSON.stringify(name)}`));
    const run = this.#run(job, trigger);
    this.#active.add(run);
    void run.finally(() => this.#active.delete(run));
    return run;
  }

  /** Runs every job once, in the configured order (harvest before export before deposit). */
  async runAllOnce(trigger = 'once'): Promise<WorkerRunOutcome[]> {
    const outcomes: WorkerRunOutcome[] = [];
    for (const job of this.#options.jobs) {
      if (this.stopping) break;
      outcomes.push(await this.runOnce(job.name, trigger));
    }
    return outcomes;
  }

  /** Stops scheduling, asks running jobs to finish their current page or batch, waits for them. */
  async stop(): Promise<void> {
    for (const cron of this.#crons) cron.stop();
    this.#stopping.abort(new Error('worker stopping'));
    await Promise.allSettled([...this.#active]);
  }

  async #run(job: WorkerJob, trigger: string): Promise<WorkerRunOutcome> {
    const logger = this.#options.logger;
    if (this.stopping) return { job: job.name, status: 'busy' };
    if (this.#runningJobs.has(job.name)) return { job: job.name, status: 'busy' };
    this.#runningJobs.add(job.name);
    try {
      if (!(await this.#leases.acquire(job.name, this.owner, this.#ttl))) {
        const holder = await this.#leases.holder(job.name);
        logger?.debug({ job: job.name, holder: holder?.owner }, 'job is running elsewhere; skipped');
        return { job: job.name, status: 'busy' };
      }
      return await this.#runLeased(job, trigger);
    } finally {
      this.#runningJobs.delete(job.name);
    }
  }

  async #runLeased(job: WorkerJob, trigger: string): Promise<WorkerRunOutcome> {
    const logger = this.#options.logger;
    const lease = keepLease(this.#leases, job.name, this.owner, this.#ttl, (error) =>
      logger?.warn({ job: job.name, error: error.message }, 'lease heartbeat failed; will retry'),
    );
    let runId: number;
    try {
      runId = await this.#runs.start(job.name, this.owner, trigger);
    } catch (error) {
      await lease.release();
      throw error;
    }
    const controller = new AbortController();
    const onStop = () => controller.abort(this.#stopping.signal.reason);
    this.#stopping.signal.addEventListener('abort', onStop, { once: true });
    const onLost = () => {
      logger?.error({ job: job.name }, 'lost the job lease (another worker took it over); stopping this run');
      controller.abort(new Error('lease lost'));
    };
    lease.lost.addEventListener('abort', onLost, { once: true });
    // Progress writes go out in order, in the background; the run waits for them before it ends.
    let progressWrites: Promise<void> = Promise.resolve();
    const progress = (counts: JobCounts) => {
      progressWrites = progressWrites.then(() => this.#runs.progress(runId, counts)).catch((error: unknown) => {
        logger?.warn({ job: job.name, error: (error as Error).message }, 'could not save run progress');
      });
    };
    logger?.info({ job: job.name, runId, trigger }, 'job started');
    let outcome: WorkerRunOutcome;
    try {
      const counts = await job.run({ store: this.#options.store, signal: controller.signal, logger, progress });
      await progressWrites;
      const lostLease = lease.lost.aborted;
      const status = controller.signal.aborted ? 'interrupted' : 'succeeded';
      const error = lostLease ? 'lost the job lease' : status === 'interrupted' ? 'stopped before finishing (the next run continues)' : undefined;
      await this.#runs.finish(runId, status, counts, error);
      outcome = { job: job.name, status, runId, counts, ...(error ? { error } : {}) };
    } catch (error) {
      await progressWrites;
      const message = error instanceof Error ? error.message : String(error);
      // A job may attach the counts it reached before failing.
      const counts = (error as { counts?: JobCounts } | undefined)?.counts;
      await this.#runs.finish(runId, 'failed', counts, message);
      outcome = { job: job.name, status: 'failed', runId, error: message, ...(counts ? { counts } : {}) };
    } finally {
      this.#stopping.signal.removeEventListener('abort', onStop);
      lease.lost.removeEventListener('abort', onLost);
      await lease.release();
    }
    const level = outcome.status === 'failed' ? 'error' : 'info';
    logger?.[level]({ job: job.name, runId, status: outcome.status, counts: outcome.counts, error: outcome.error }, 'job finished');
    return outcome;
  }
}
