import { InvalidArgumentError, type Command } from 'commander';
import { createRequire } from 'node:module';
import { createLogger } from '../log.js';
import { resolveStoreTarget, type Store } from '../store/index.js';
import { checkStoreTarget, EXIT, openCliStore, UsageError } from './conventions.js';
import { runHarvest, type HarvestProgress, type HarvestRunOptions, type HarvestRunSummary } from '../harvest/harvester.js';
import { HarvestPlanError } from '../harvest/plan.js';
import { registerDump } from './harvest-dump.js';
import type { HarvestSourceInput } from '../store/types.js';
import type { OaiIdentify } from '../harvest/xml.js';
import { UnknownPrefixError, checkHarvestEndpoint, addHarvestSource, harvestSourceStatus, type HarvestSourceStatus } from '../harvest/sources.js';

type CliProgress = typeof import('cli-progress');
/** cli-progress, loaded only to draw a bar (a scripted or --no-progress run never does). */
const loadCliProgress = (): CliProgress => createRequire(import.meta.url)('cli-progress') as CliProgress;

const DB_HELP = 'the store: a SQLite file or a postgres:// URL (default: $PUBMETA_DB, else ./pubmeta.db)';

/** Exit codes of `harvest run`: every source completed / one paused (resumable) / one failed. */
const EXIT_PAUSED = EXIT.paused;
const EXIT_FAILED = EXIT.failed;
const EXIT_USAGE = EXIT.usage;

function positiveInteger(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
    throw new InvalidArgumentError('must be a positive whole number');
  }
  return Number(value);
}

function wholeNumber(value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw new InvalidArgumentError('must be a whole number >= 0');
  return Number(value);
}

function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be a number >= 0');
  return n;
}

/** Only `harvest add` may create the store; the other subcommands refuse one that does not exist. */
async function withStore<T>(db: string | undefined, action: (store: Store) => Promise<T>, mustExist = true): Promise<T> {
  const store = await openCliStore(resolveStoreTarget(db), { mustExist });
  try {
    return await action(store);
  } finally {
    await store.close();
  }
}

// ---------------------------------------------------------------------------------------------
// add

interface AddOptions {
  prefix: string;
  set?: string;
  budget?: number;
  delayMs?: number;
  fromContact?: string;
  check: boolean;
  replace?: boolean;
  db?: string;
}

async function addCommand(name: string, url: string, options: AddOptions): Promise<void> {
  const input: HarvestSourceInput = {
    name,
    baseUrl: url,
    metadataPrefix: options.prefix,
    ...(options.set !== undefined ? { set: options.set } : {}),
    ...(options.budget !== undefined ? { requestBudget: options.budget } : {}),
    ...(options.delayMs !== undefined ? { delayMs: options.delayMs } : {}),
    ...(options.fromContact !== undefined ? { fromContact: options.fromContact } : {}),
  };
  // The store is checked before the endpoint: a wrong --db is said at once, not after a network check.
  checkStoreTarget(resolveStoreTarget(options.db), { mustExist: false });
  let identify: OaiIdentify | undefined;
  if (options.check) {
    try {
      identify = await checkHarvestEndpoint(input);
    } catch (error) {
      if (error instanceof UnknownPrefixError) throw error;
      throw new Error(`Checking ${url} failed: ${error instanceof Error ? error.message : String(error)} (add it anyway with --no-check)`);
    }
  }
  await withStore(options.db, async (store) => {
    const source = await addHarvestSource(store, input, { replace: options.replace ?? false, ...(identify ? { identify } : {}) });
    const details = [
      `metadataPrefix ${source.metadataPrefix}`,
      source.set ? `set ${source.set}` : '',
      source.requestBudget ? `budget ${source.requestBudget} requests` : '',
      source.delayMs ? `${source.delayMs} ms between requests` : '',
      source.fromContact ? `From ${source.fromContact}` : '',
    ].filter(Boolean);
    process.stdout.write(`source ${source.name}: ${source.baseUrl} (${details.join(', ')})\n`);
    if (identify) {
      process.stdout.write(
        `  ${identify.repositoryName || '(unnamed repository)'}: granularity ${identify.granularity}, earliest ${identify.earliestDatestamp || '(not given)'}, deleted records ${identify.deletedRecord || '(not given)'}\n`,
      );
    }
  }, false);
}

// ---------------------------------------------------------------------------------------------
// run

interface RunOptions {
  all?: boolean;
  from?: string;
  until?: string;
  full?: boolean;
  restart?: boolean;
  budget?: number;
  maxPages?: number;
  parallel?: number;
  maxRetryAfter?: number;
  timeout?: number;
  retries?: number;
  backoff?: number;
  contact?: string;
  force?: boolean;
  progress: boolean;
  json?: boolean;
  db?: string;
}

/** A progress bar on a terminal; throttled JSON log lines otherwise. */
function progressReporter(sourceName: string, interactive: boolean) {
  const log = createLogger('harvest');
  const started = Date.now();
  if (!interactive) {
    let lastLog = 0;
    return {
      log,
      update(progress: HarvestProgress) {
        const now = Date.now();
        if (now - lastLog < 1000) return;
        lastLog = now;
        const seconds = (now - started) / 1000;
        log.info(
          {
            source: sourceName,
            pages: progress.pages,
            records: progress.records,
            completeListSize: progress.completeListSize,
            cursor: progress.cursor,
            recordsPerSecond: Math.round(progress.records / Math.max(seconds, 0.001)),
          },
          'harvest progress',
        );
      },
      stop() {},
    };
  }
  const cliProgress = loadCliProgress();
  const bar = new cliProgress.SingleBar(
    {
      format: (options, params, payload: { source: string; pages: number; rate: number; known: boolean; eta: string }) => {
        const head = `${payload.source} `;
        const stats = `${params.value} records | ${payload.pages} pages | ${payload.rate} rec/s`;
        if (!payload.known) return `${head}${stats}`;
        const complete = Math.round(params.progress * (options.barsize ?? 30));
        const bar = (options.barCompleteString ?? '').slice(0, complete) + (options.barIncompleteString ?? '').slice(0, (options.barsize ?? 30) - complete);
        return `${head}[${bar}] ${Math.floor(params.progress * 100)}% | ${params.value}/${params.total} | ${payload.pages} pages | ${payload.rate} rec/s | ETA ${payload.eta}`;
      },
      barCompleteChar: '█',
      barIncompleteChar: '░',
      hideCursor: true,
      stream: process.stderr,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(0, 0, { source: sourceName, pages: 0, rate: 0, known: false, eta: '?' });
  // Warnings go to the log (stderr) while the bar redraws on stderr too: keep them at warn and above.
  const quietLog = createLogger('harvest', process.env.PUBMETA_LOG_LEVEL ?? 'warn');
  return {
    log: quietLog,
    update(progress: HarvestProgress) {
      const seconds = (Date.now() - started) / 1000;
      const rate = Math.round(progress.records / Math.max(seconds, 0.001));
      const done = progress.previousRecords + progress.records;
      const known = progress.completeListSize !== undefined && progress.completeListSize > 0;
      const remaining = known ? Math.max(0, progress.completeListSize! - done) : 0;
      const etaSeconds = rate > 0 ? Math.round(remaining / rate) : undefined;
      const eta = etaSeconds === undefined ? '?' : etaSeconds >= 3600 ? `${Math.floor(etaSeconds / 3600)}h${Math.floor((etaSeconds % 3600) / 60)}m` : etaSeconds >= 60 ? `${Math.floor(etaSeconds / 60)}m${etaSeconds % 60}s` : `${etaSeconds}s`;
      if (known) bar.setTotal(Math.max(progress.completeListSize!, done));
      bar.update(done, { pages: progress.pages, rate, known, eta });
    },
    stop() {
      bar.stop();
    },
  };
}

function describeSummary(summary: HarvestRunSummary): string {
  const counts = `${summary.records} records in ${summary.pages} pages (${summary.created} new, ${summary.updated} updated, ${summary.unchanged} unchanged, ${summary.deleted} deleted, ${summary.invalid} flagged, ${summary.quarantined} quarantined), ${summary.requests} requests, ${(summary.durationMs / 1000).toFixed(1)} s`;
  if (summary.status === 'completed') return `${summary.source}: completed: ${counts}; next from ${summary.nextFrom ?? '(full harvest)'}`;
  const resume = summary.resumable ? `; run again to continue${summary.resumeAfter ? ` after ${summary.resumeAfter}` : ''}` : '';
  return `${summary.source}: ${summary.status} (${summary.errorCode ?? 'error'}): ${summary.reason ?? ''}; so far ${counts}${resume}`;
}

function runOptionsFor(options: RunOptions, signal: AbortSignal, reporter: ReturnType<typeof progressReporter>): HarvestRunOptions {
  return {
    signal,
    logger: reporter.log,
    onProgress: (progress) => reporter.update(progress),
    client: {
      ...(options.maxRetryAfter !== undefined ? { maxRetryAfterMs: options.maxRetryAfter * 1000 } : {}),
      ...(options.timeout !== undefined
        ? { headersTimeoutMs: options.timeout * 1000, bodyTimeoutMs: options.timeout * 1000, connectTimeoutMs: Math.min(options.timeout * 1000, 30_000) }
        : {}),
      ...(options.retries !== undefined ? { retries: options.retries } : {}),
      ...(options.backoff !== undefined ? { backoffBaseMs: options.backoff, unavailableDelayMs: options.backoff } : {}),
      ...(options.contact !== undefined ? { contactEmail: options.contact } : {}),
    },
    ...(options.budget !== undefined ? { requestBudget: options.budget } : {}),
    ...(options.maxPages !== undefined ? { maxPages: options.maxPages } : {}),
    ...(options.from !== undefined ? { from: options.from } : {}),
    ...(options.until !== undefined ? { until: options.until } : {}),
    ...(options.full ? { full: true } : {}),
    ...(options.restart ? { restart: true } : {}),
    ...(options.force ? { ignoreNotBefore: true } : {}),
  };
}

/** Runs `work` over `items`, at most `limit` at a time, in order of start; stops starting new ones once `stop` is aborted. */
async function inPool<T, R>(items: T[], limit: number, stop: AbortSignal, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length && !stop.aborted) {
      const item = items[next++]!;
      results.push(await work(item));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

async function runCommand(name: string | undefined, options: RunOptions): Promise<void> {
  if (name !== undefined && options.all) throw new UsageError('give a source name or --all, not both');
  if (name === undefined && !options.all) throw new UsageError('give a source name or --all');
  if (options.parallel !== undefined && !options.all) throw new UsageError('--parallel goes with --all');
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) process.exit(130);
    process.stderr.write(`\n${signal}: stopping the request in flight and saving the checkpoint (again to quit at once)\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await withStore(options.db, async (store) => {
      const names = name !== undefined ? [name] : (await store.harvest.listSources()).map((s) => s.name);
      if (names.length === 0) throw new Error('No harvest sources configured (add one with: pubmeta harvest add NAME URL --prefix oai_dc)');
      const parallel = options.parallel ?? 1;
      // Progress bars cannot share a terminal: parallel runs log progress lines instead.
      const interactive = options.progress && process.stderr.isTTY === true && !options.json && parallel === 1;
      let usage = false;
      const summaries = await inPool(names, parallel, controller.signal, async (sourceName): Promise<HarvestRunSummary | undefined> => {
        const reporter = progressReporter(sourceName, interactive);
        let summary: HarvestRunSummary;
        try {
          // One run per source at a time: runHarvest holds the source's lease (harvest:<name>).
          summary = await runHarvest(store, sourceName, runOptionsFor(options, controller.signal, reporter));
        } catch (error) {
          if (!(error instanceof HarvestPlanError)) throw error;
          // A usage problem (exit status 2): the arguments contradict the saved checkpoint.
          process.stderr.write(`pubmeta: ${sourceName}: ${error.message}\n`);
          usage = true;
          return undefined;
        } finally {
          reporter.stop();
        }
        if (!options.json) process.stdout.write(`${describeSummary(summary)}\n`);
        return summary;
      });
      const done = summaries.filter((s): s is HarvestRunSummary => s !== undefined);
      if (options.json) process.stdout.write(`${JSON.stringify(done.length === 1 && name !== undefined ? done[0] : done, null, 2)}\n`);
      if (usage) process.exitCode = EXIT_USAGE;
      else if (done.some((s) => s.status === 'failed')) process.exitCode = EXIT_FAILED;
      else if (done.some((s) => s.status === 'paused') || done.length < names.length) process.exitCode = EXIT_PAUSED;
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

// ---------------------------------------------------------------------------------------------
// status

function statusJson(status: HarvestSourceStatus) {
  const { source, lastRun, checkpoint } = status;
  return {
    name: source.name,
    baseUrl: source.baseUrl,
    metadataPrefix: source.metadataPrefix,
    set: source.set ?? null,
    requestBudget: source.requestBudget ?? null,
    delayMs: source.delayMs ?? null,
    fromContact: source.fromContact ?? null,
    earliestDatestamp: source.earliestDatestamp ?? null,
    deletedRecord: source.deletedRecord ?? null,
    repositoryName: source.repositoryName ?? null,
    granularity: source.granularity ?? null,
    nextFrom: source.nextFrom ?? null,
    notBefore: source.notBefore ?? null,
    records: status.records,
    deleted: status.deleted,
    errors: status.invalid,
    quarantined: status.quarantined,
    lastRun: lastRun
      ? {
          id: lastRun.id,
          status: lastRun.status,
          startedAt: lastRun.startedAt,
          finishedAt: lastRun.finishedAt ?? null,
          reason: lastRun.reason ?? null,
          errorCode: lastRun.errorCode ?? null,
          from: lastRun.from ?? null,
          requests: lastRun.requests,
          pages: lastRun.pages,
          records: lastRun.records,
          created: lastRun.created,
          updated: lastRun.updated,
          deleted: lastRun.deleted,
          invalid: lastRun.invalid,
          quarantined: lastRun.quarantined,
          warnings: lastRun.warnings,
        }
      : null,
    checkpoint: checkpoint
      ? {
          pages: checkpoint.pages,
          records: checkpoint.records,
          cursor: checkpoint.cursor ?? null,
          completeListSize: checkpoint.completeListSize ?? null,
          hasResumptionToken: checkpoint.resumptionToken !== undefined,
          from: checkpoint.listFrom ?? null,
          restarts: checkpoint.restarts,
          updatedAt: checkpoint.updatedAt,
        }
      : null,
  };
}

function statusText(status: HarvestSourceStatus): string {
  const { source, lastRun, checkpoint } = status;
  const lines = [`${source.name}  ${source.baseUrl}  (${source.metadataPrefix}${source.set ? `, set ${source.set}` : ''})`];
  if (lastRun) {
    const when = lastRun.finishedAt ?? lastRun.startedAt;
    const what = `${lastRun.records} records, ${lastRun.pages} pages, ${lastRun.requests} requests`;
    lines.push(`  last run    #${lastRun.id} ${lastRun.status} ${when} (${what})${lastRun.reason ? `: ${lastRun.reason}` : ''}`);
  } else {
    lines.push('  last run    never');
  }
  lines.push(`  records     ${status.records} held, ${status.deleted} deleted, ${status.invalid} with errors (kept raw), ${status.quarantined} quarantined`);
  lines.push(`  next from   ${source.nextFrom ?? '(full harvest)'}${source.granularity ? `  [granularity ${source.granularity}]` : ''}`);
  if (source.notBefore) lines.push(`  not before  ${source.notBefore} (Retry-After)`);
  if (checkpoint) {
    const size = checkpoint.completeListSize !== undefined ? ` of ${checkpoint.completeListSize}` : '';
    lines.push(`  checkpoint  ${checkpoint.records}${size} records in ${checkpoint.pages} pages; the next run continues from here`);
  }
  return lines.join('\n');
}

async function statusCommand(name: string | undefined, options: { json?: boolean; db?: string }): Promise<void> {
  await withStore(options.db, async (store) => {
    const sources = name !== undefined ? [await store.harvest.getSource(name)] : await store.harvest.listSources();
    if (name !== undefined && sources[0] === undefined) throw new Error(`No harvest source named "${name}"`);
    const statuses: HarvestSourceStatus[] = [];
    for (const source of sources) statuses.push(await harvestSourceStatus(store, source!));
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ sources: statuses.map(statusJson) }, null, 2)}\n`);
    } else if (statuses.length === 0) {
      process.stdout.write('No harvest sources (add one with: pubmeta harvest add NAME URL --prefix oai_dc)\n');
    } else {
      process.stdout.write(`${statuses.map(statusText).join('\n\n')}\n`);
    }
  });
}

/** Registers the `harvest` command group. */
export function register(program: Command): void {
  const harvest = program
    .command('harvest')
    .description('Harvest OAI-PMH 2.0 repositories (oai_dc, JATS) into the store, incrementally and crash-safe');

  harvest
    .command('add')
    .description('Configure a source to harvest')
    .argument('<name>', 'a short name for the source')
    .argument('<url>', 'the OAI-PMH base URL')
    .option('--prefix <metadataPrefix>', 'metadata format to harvest (oai_dc or jats map to article records)', 'oai_dc')
    .option('--set <setSpec>', 'harvest only this set')
    .option('--budget <requests>', 'most HTTP requests per run (a run that spends them pauses)', positiveInteger)
    .option('--delay-ms <ms>', 'politeness: least milliseconds between two requests to this source', wholeNumber)
    .option('--from-contact <email>', 'politeness: e-mail address sent in the HTTP From header')
    .option('--no-check', 'skip Identify and ListMetadataFormats (an endpoint that is offline now)')
    .option('--replace', 'change an existing source')
    .option('--db <file>', DB_HELP)
    .action(addCommand);

  harvest
    .command('run')
    .description(
      'Harvest one source (or --all): continues a checkpoint left by an earlier run, else harvests what changed since the last completed run. ' +
        `Exit status 0 completed, ${EXIT_PAUSED} paused (resumable), ${EXIT_FAILED} failed.`,
    )
    .argument('[name]', 'source name')
    .option('--all', 'every configured source (one after another, or --parallel N at a time)')
    .option('--parallel <n>', 'with --all: harvest up to N sources at once (each source at most once)', positiveInteger)
    .option('--from <datestamp>', 'harvest from this date (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ) instead of the incremental from')
    .option('--until <datestamp>', 'harvest until this date')
    .option('--full', 'ignore the incremental from: harvest everything (nothing is duplicated)')
    .option('--restart', 'discard a saved checkpoint and start a new list')
    .option('--budget <requests>', 'most HTTP requests for this run', positiveInteger)
    .option('--max-pages <n>', 'without --budget: most pages of a list before it pauses as a runaway (default 100000)', positiveInteger)
    .option('--max-retry-after <seconds>', 'longest Retry-After to wait for; longer pauses the run (default 900)', nonNegativeNumber)
    .option('--timeout <seconds>', 'headers and body inactivity timeout (default 120)', nonNegativeNumber)
    .option('--retries <n>', 'retries per request (default 8)', nonNegativeNumber)
    .option('--backoff <ms>', 'first retry delay in milliseconds (default 1000)', nonNegativeNumber)
    .option('--contact <email>', 'e-mail address sent in the From header')
    .option('--force', 'run even though the repository asked us (Retry-After) to come back later')
    .option('--no-progress', 'no progress bar')
    .option('--json', 'print the run summary as JSON')
    .option('--db <file>', DB_HELP)
    .action(runCommand);

  registerDump(harvest, DB_HELP);

  harvest
    .command('status')
    .description('Per source: last run, records held, errors, quarantined, next from, checkpoint')
    .argument('[name]', 'source name')
    .option('--json', 'one JSON document')
    .option('--db <file>', DB_HELP)
    .action(statusCommand);

  harvest
    .command('remove')
    .description('Remove a source with its harvest history and raw records (records in the store stay)')
    .argument('<name>', 'source name')
    .option('--db <file>', DB_HELP)
    .action(async (name: string, options: { db?: string }) => {
      await withStore(options.db, async (store) => {
        if (!(await store.harvest.removeSource(name))) throw new Error(`No harvest source named "${name}"`);
        process.stdout.write(`removed source ${name}\n`);
      });
    });
}
