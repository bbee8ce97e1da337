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

/**
 * A job's work split into units (the harvest: one unit per source). Each unit is leased
 * (`<job>/<unit>`), run and recorded (as job `<job>/<unit>`) by one worker, once per tick,
 * however many workers share the store: every worker takes the next unit nobody holds (FOR
 * UPDATE SKIP LOCKED on PostgreSQL), and waits for units others hold until they are done or
 * their lease expires (a dead worker's unit is then taken over and continues from its checkpoint).
 */
export interface JobUnits {
  list(store: Store): Promise<string[]>;
  run(unit: string, context: JobContext): Promise<JobCounts>;
}

export interface WorkerJob {
  name: string;
  /** Cron expression; a job without one runs only on demand (runOnce / runAllOnce). */
  schedule?: string;
  /** The whole job as one unit of work (under a lease on the job name, unless `shared`). */
  run?(context: JobContext): Promise<JobCounts>;
  /** Instead of `run`: units shared among workers. */
  units?: JobUnits;
  /**
   * Every worker runs the job at the same time, without a job lease: the job claims its own
   * pieces of work (deposits claim batches). Within a process it still runs once at a time.
   */
  shared?: boolean;
}

export interface WorkerRunOutcome {
  job: string;
  /** busy: another worker holds the job's lease, nothing was run; partial: some items failed, others were done. */
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
  /** How often a worker with no unit to take looks again for units others hold (default a quarter of the lease, at most 1 s). */
  unitPollMs?: number;
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
      if (!job.run === !job.units) throw new Error(`job ${JSON.stringify(job.name)} needs either run or units`);
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
          await this.runOnce(job.name, 'schedule', scheduledTick(job.schedule!, this.#options.timezone, Date.now()));
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

  /**
   * Runs one job now, if its lease is free. `tick` names the schedule tick (units jobs run each
   * unit once per tick); default: a tick of its own.
   */
  runOnce(name: string, trigger = 'manual', tick?: string): Promise<WorkerRunOutcome> {
    const job = this.#options.jobs.find((j) => j.name === name);
    if (!job) return Promise.reject(new Error(`no job named ${JSON.stringify(name)}`));
    const run = job.units
      ? this.#runUnits(job, job.units, trigger, tick ?? `${trigger}@${new Date().toISOString()}:${this.owner}`)
      : this.#run(job, trigger);
    this.#active.add(run);
    void run.finally(() => this.#active.delete(run));
    return run;
  }

  /** Runs every job once, in the configured order (harvest before export before deposit). */
  async runAllOnce(trigger = 'once', tick?: string): Promise<WorkerRunOutcome[]> {
    const outcomes: WorkerRunOutcome[] = [];
    for (const job of this.#options.jobs) {
      if (this.stopping) break;
      outcomes.push(await this.runOnce(job.name, trigger, tick));
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
      if (job.shared) return await this.#runLeased(job.name, job.run!, trigger, undefined);
      if (!(await this.#leases.acquire(job.name, this.owner, this.#ttl))) {
        const holder = await this.#leases.holder(job.name);
        logger?.debug({ job: job.name, holder: holder?.owner }, 'job is running elsewhere; skipped');
        return { job: job.name, status: 'busy' };
      }
      return await this.#runLeased(job.name, job.run!, trigger, job.name);
    } finally {
      this.#runningJobs.delete(job.name);
    }
  }

  /** Takes units nobody holds until every unit is done for `tick` (or the worker stops, or the wait runs out). */
  async #runUnits(job: WorkerJob, units: JobUnits, trigger: string, tick: string): Promise<WorkerRunOutcome> {
    if (this.stopping || this.#runningJobs.has(job.name)) return { job: job.name, status: 'busy' };
    this.#runningJobs.add(job.name);
    const totals: JobCounts = { units: 0, ran: 0, failedUnits: 0 };
    const errors: string[] = [];
    const partials: string[] = [];
    const pollMs = this.#options.unitPollMs ?? Math.min(1000, Math.max(50, Math.floor(this.#ttl / 4)));
    try {
      const all = await units.list(this.#options.store);
      totals['units'] = all.length;
      // Bounded: by the time the slowest holder's lease runs out several times over.
      const deadline = Date.now() + Math.max(10 * this.#ttl, 60_000);
      while (!this.stopping && Date.now() < deadline) {
        const left = await this.#unitsLeft(job.name, all, tick);
        if (left.length === 0) break;
        const key = await this.#leases.acquireNext(left.map((u) => `${job.name}/${u}`), this.owner, this.#ttl);
        if (key === undefined) {
          await new Promise((r) => setTimeout(r, pollMs));
          continue;
        }
        const unit = key.slice(job.name.length + 1);
        if ((await this.#unitsLeft(job.name, [unit], tick)).length === 0) {
          await this.#leases.release(key, this.owner);
          continue;
        }
        const outcome = await this.#runLeased(key, (ctx) => units.run(unit, ctx), tick, key, async () => {
          await this.#options.store.jobs.writeCheckpoint(`tick:${key}`, tick, new Date().toISOString());
        });
        totals['ran']!++;
        if (outcome.status === 'failed') {
          totals['failedUnits']!++;
          errors.push(`${unit}: ${outcome.error ?? 'failed'}`);
        } else if (outcome.status === 'partial') {
          partials.push(`${unit}: ${outcome.error ?? 'partial'}`);
        }
        for (const [name, value] of Object.entries(outcome.counts ?? {})) totals[name] = (totals[name] ?? 0) + value;
      }
    } finally {
      this.#runningJobs.delete(job.name);
    }
    const status = errors.length > 0 ? 'failed' : partials.length > 0 ? 'partial' : this.stopping ? 'interrupted' : 'succeeded';
    const problems = [...errors, ...partials];
    return { job: job.name, status, counts: totals, ...(problems.length > 0 ? { error: problems.join('; ') } : {}) };
  }

  async #unitsLeft(job: string, units: readonly string[], tick: string): Promise<string[]> {
    const left: string[] = [];
    for (const unit of units) if ((await this.#options.store.jobs.readCheckpoint(`tick:${job}/${unit}`)) !== tick) left.push(unit);
    return left;
  }

  /**
   * Runs `run` as job `name`, recorded, under the lease `leaseKey` (kept alive by heartbeat;
   * none for shared jobs). `settled` runs (still under the lease) when the run ended by itself,
   * succeeded or failed, not interrupted.
   */
  async #runLeased(
    name: string,
    run: (context: JobContext) => Promise<JobCounts>,
    trigger: string,
    leaseKey: string | undefined,
    settled?: () => Promise<void>,
  ): Promise<WorkerRunOutcome> {
    const logger = this.#options.logger;
    const job = { name };
    const lease = leaseKey
      ? keepLease(this.#leases, leaseKey, this.owner, this.#ttl, (error) => logger?.warn({ job: name, error: error.message }, 'lease heartbeat failed; will retry'))
      : { lost: new AbortController().signal, release: async () => {} };
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
      const counts = await run({ store: this.#options.store, signal: controller.signal, logger, progress });
      await progressWrites;
      const lostLease = lease.lost.aborted;
      const status = controller.signal.aborted ? 'interrupted' : 'succeeded';
      const error = lostLease ? 'lost the job lease' : status === 'interrupted' ? 'stopped before finishing (the next run continues)' : undefined;
      await this.#runs.finish(runId, status, counts, error);
      if (status === 'succeeded') await settled?.();
      outcome = { job: job.name, status, runId, counts, ...(error ? { error } : {}) };
    } catch (error) {
      await progressWrites;
      const message = error instanceof Error ? error.message : String(error);
      // A job may attach the counts it reached before failing.
      const counts = (error as { counts?: JobCounts } | undefined)?.counts;
      // A job that did part of its work says so (`partial: true` on what it throws).
      const status = (error as { partial?: unknown } | undefined)?.partial === true && !controller.signal.aborted ? 'partial' : 'failed';
      await this.#runs.finish(runId, status, counts, message);
      if (!controller.signal.aborted) await settled?.();
      outcome = { job: job.name, status, runId, error: message, ...(counts ? { counts } : {}) };
    } finally {
      this.#stopping.signal.removeEventListener('abort', onStop);
      lease.lost.removeEventListener('abort', onLost);
      await lease.release();
    }
    const level = outcome.status === 'failed' ? 'error' : outcome.status === 'partial' ? 'warn' : 'info';
    // A partial run's message is not an error (its record-level warnings were logged already).
    const detail = outcome.status === 'partial' ? { problem: outcome.error } : { error: outcome.error };
    logger?.[level]({ job: job.name, runId, status: outcome.status, counts: outcome.counts, ...detail }, 'job finished');
    return outcome;
  }
}

const tickProbes = new Map<string, Cron>();

/**
 * The schedule tick a cron callback fired for, the same in every worker: the first scheduled
 * time after `nowMs` minus a grace of half the period (at most a minute). croner fires at (never
 * before) the scheduled time, so a worker whose timer fired late by less than the grace names
 * the same tick.
 */
export function scheduledTick(pattern: string, timezone: string | undefined, nowMs: number): string {
  const id = `${pattern}\u0000${timezone ?? ''}`;
  let probe = tickProbes.get(id);
  if (!probe) {
    probe = new Cron(pattern, { paused: true, ...(timezone ? { timezone } : {}) });
    tickProbes.set(id, probe);
  }
  const [a, b] = probe.nextRuns(2, new Date(nowMs));
  const period = a && b ? b.getTime() - a.getTime() : 120_000;
  const grace = Math.min(Math.floor(period / 2), 60_000);
  const tick = probe.nextRun(new Date(nowMs - grace));
  return `schedule@${(tick ?? new Date(nowMs)).toISOString()}`;
}
