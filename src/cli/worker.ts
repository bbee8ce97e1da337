import { InvalidArgumentError, type Command } from 'commander';
import { createLogger } from '../log.js';
import { type JobCounts, type JobRun, type LeaseHolder } from '../store/index.js';
import { checkStoreTarget, openCliStore, printJson } from './conventions.js';
import {
  createConfiguredWorker,
  JobLeases,
  JobRunLog,
  loadCliWorkerConfig,
  loadWorkerConfig,
  resolveWorkerStoreTarget,
  type WorkerRunOutcome,
} from '../worker/index.js';

const DB_HELP = 'the store: a SQLite file or a postgres:// URL (default: $PUBMETA_DB, else the config\'s db, else ./pubmeta.db)';
const CONFIG_HELP = 'worker config (JSON, schemas/config.schema.json; default ./pubmeta.config.json when present)';

function positiveInteger(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('must be a positive whole number');
  return Number(value);
}

export function formatCounts(counts: JobCounts | null | undefined): string {
  if (!counts) return '';
  const parts = Object.entries(counts)
    .filter(([, v]) => v !== 0)
    .map(([k, v]) => `${k}=${v}`);
  return parts.length > 0 ? parts.join(' ') : 'nothing to do';
}

function duration(run: JobRun): string {
  if (!run.endedAt) return 'running';
  const ms = Date.parse(run.endedAt) - Date.parse(run.startedAt);
  return ms < 1000 ? `${ms}ms` : ms < 120_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms / 60_000)}m`;
}

/** The leases held now: what, which worker (`<host>:<pid>:<tag>`), since when, until when unless renewed. */
function leaseTable(held: LeaseHolder[]): string {
  if (held.length === 0) return 'no leases held: no worker is running a job, a harvest source or a deposit batch';
  const rows = held.map((l) => [l.key, l.owner, l.acquiredAt.replace(/\.\d+Z$/, 'Z'), l.heartbeatAt.replace(/\.\d+Z$/, 'Z'), l.expiresAt.toISOString().replace(/\.\d+Z$/, 'Z')]);
  const header = ['HELD', 'BY WORKER', 'SINCE', 'HEARTBEAT', 'EXPIRES'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

function describeOutcome(outcome: WorkerRunOutcome): string {
  if (outcome.status === 'busy') return `${outcome.job}: skipped, another worker is running it`;
  const counts = formatCounts(outcome.counts);
  return `${outcome.job}: ${outcome.status}${counts ? ` (${counts})` : ''}${outcome.error ? ` - ${outcome.error}` : ''}`;
}

interface WorkerCommandOptions {
  config?: string;
  db?: string;
  once?: boolean;
  job?: string[];
  tick?: string;
  json?: boolean;
}

async function workerCommand(options: WorkerCommandOptions): Promise<void> {
  const loaded = loadCliWorkerConfig(options.config, loadWorkerConfig);
  const logger = createLogger('worker');
  checkStoreTarget(resolveWorkerStoreTarget(loaded, options.db), { mustExist: false });
  const configured = await createConfiguredWorker(loaded, { ...(options.db ? { db: options.db } : {}), logger });
  const { worker } = configured;
  for (const notice of configured.notices) process.stderr.write(`pubmeta worker: ${notice}\n`);

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      // Every state change is transactional: stopping hard loses only the work in progress.
      process.stderr.write(`${signal} again: stopping now\n`);
      process.exit(130);
    }
    process.stderr.write(`${signal}: finishing the current page or batch, then stopping (again to stop at once)\n`);
    void configured.close().then(
      () => process.exit(process.exitCode ?? 0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  if (options.once) {
    const tick = options.tick ? `once@${options.tick}` : undefined;
    const outcomes = options.job?.length
      ? await Promise.all(options.job.map((name) => worker.runOnce(name, 'once', tick)))
      : await worker.runAllOnce('once', tick);
    if (options.json) printJson({ outcomes });
    else for (const outcome of outcomes) process.stdout.write(`${describeOutcome(outcome)}\n`);
    if (outcomes.some((o) => o.status === 'failed' || o.status === 'partial')) process.exitCode = 1;
    await configured.close();
    return;
  }

  worker.start();
  const schedule = worker.nextRuns();
  if (schedule.length === 0) {
    process.stderr.write('pubmeta worker: no jobs are enabled in the config; nothing to do\n');
    await configured.close();
    return;
  }
  process.stdout.write(
    `worker running on ${configured.location}: ${schedule.map((s) => `${s.job} (next ${s.next?.toISOString() ?? 'never'})`).join(', ')}; Ctrl-C stops\n`,
  );
}

interface JobsCommandOptions {
  json?: boolean;
  leases?: boolean;
  limit: number;
  job?: string;
  db?: string;
  config?: string;
}

async function jobsCommand(options: JobsCommandOptions): Promise<void> {
  const loaded = loadCliWorkerConfig(options.config, loadWorkerConfig);
  const store = await openCliStore(resolveWorkerStoreTarget(loaded, options.db), { mustExist: true });
  try {
    const held = await new JobLeases(store.jobs).list();
    if (options.leases) {
      if (options.json) process.stdout.write(`${JSON.stringify(held, null, 2)}\n`);
      else process.stdout.write(`${leaseTable(held)}\n`);
      return;
    }
    const runs = await new JobRunLog(store).recent({ limit: options.limit, ...(options.job ? { job: options.job } : {}) });
    if (options.json) {
      process.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
      return;
    }
    // Who works on what now (jobs, harvest sources, deposit batches), then the history.
    process.stdout.write(`${leaseTable(held)}\n\n`);
    if (runs.length === 0) {
      process.stdout.write('no job runs recorded yet\n');
      return;
    }
    const rows = runs.map((r) => [String(r.id), r.job, r.status, r.startedAt.replace(/\.\d+Z$/, 'Z'), duration(r), formatCounts(r.counts), r.error ?? '']);
    const header = ['ID', 'JOB', 'STATUS', 'STARTED', 'TIME', 'COUNTS', 'ERROR'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
    const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
    process.stdout.write(`${[line(header), ...rows.map(line)].join('\n')}\n`);
  } finally {
    await store.close();
  }
}

export function register(program: Command): void {
  program
    .command('worker')
    .description('Run the scheduled jobs of a config: harvest sources, export changed records, deposit pending DOIs with Crossref. SIGTERM finishes the current page or batch and exits.')
    .option('--config <file>', CONFIG_HELP)
    .option('--db <file>', DB_HELP)
    .option('--once', 'run every enabled job once, in order, and exit (for cron users and tests)')
    .option('--job <name...>', 'with --once: only these jobs (harvest, export, deposit)')
    .option('--tick <name>', 'with --once: the tick this run belongs to; workers started with the same tick share the harvest sources, each run once (default: a tick of its own)')
    .option('--json', 'with --once: one JSON document on stdout, every job\'s outcome and counts')
    .action(workerCommand);

  program
    .command('jobs')
    .description('Show which worker holds what now (leases on jobs, harvest sources and deposit batches: holder, since, expiry), then the recent job runs: start, duration, status, counts, error.')
    .option('--json', 'JSON array of runs (or of leases)')
    .option('--leases', 'only the leases held now (which worker runs which job, harvests which source, sends which batch)')
    .option('--limit <n>', 'how many runs', positiveInteger, 20)
    .option('--job <name>', 'only this job')
    .option('--db <file>', DB_HELP)
    .option('--config <file>', CONFIG_HELP)
    .action(jobsCommand);
}
