import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { createLogger } from '../log.js';
import { upsertConfigJournals } from '../journals/index.js';
import { openStore, type DoiDepositState, type DoiDepositStatus } from '../store/index.js';
import {
  CrossrefDepositState,
  crossrefBaseUrl,
  depositTarget,
  isCrossrefProduction,
  resolveCrossrefSettings,
  runCrossrefDeposit,
  type CrossrefDepositReport,
  type CrossrefDepositSettings,
} from '../crossref/index.js';
import {
  PubmetaWorker,
  leaseOwnerName,
  depositCounts,
  loadCliWorkerConfig,
  loadWorkerConfig,
  resolveWorkerStoreTarget,
  writeFileAtomic,
} from '../worker/index.js';

const DB_HELP = 'the store: a SQLite file or a postgres:// URL (default: $PUBMETA_DB, else the config\'s db, else ./pubmeta.db)';
const STATES: DoiDepositState[] = ['pending', 'submitted', 'registered', 'warning', 'failed'];

interface DepositCommandOptions {
  dryRun?: boolean;
  json?: boolean;
  out?: string;
  config?: string;
  db?: string;
  state?: string[];
}

function systemName(baseUrl: string): string {
  if (isCrossrefProduction(baseUrl)) return 'Crossref production';
  if (/^https:\/\/test\.crossref\.org/.test(baseUrl)) return 'Crossref test system';
  return baseUrl;
}

function printReport(report: CrossrefDepositReport, baseUrl: string): void {
  const out: string[] = [];
  const batches = report.batches.filter((b) => b.status !== 'planned');
  if (report.dryRun) {
    const dois = report.batches.reduce((n, b) => n + b.dois.length, 0);
    out.push(`dry run for ${systemName(baseUrl)}: would send ${dois} DOI${dois === 1 ? '' : 's'} in ${report.batches.length} batch${report.batches.length === 1 ? '' : 'es'}`);
    for (const b of report.batches) out.push(`  ${b.fileName}: ${b.dois.length} DOIs`);
  } else {
    out.push(
      `deposit to ${systemName(baseUrl)}: ${report.sent} DOI${report.sent === 1 ? '' : 's'} sent in ${batches.length} batch${batches.length === 1 ? '' : 'es'}; ` +
        `${report.registered} registered, ${report.warning} with warnings, ${report.failed} failed` +
        (report.awaitingResult > 0 ? `; ${report.awaitingResult} awaiting Crossref's result (the next run polls again)` : ''),
    );
  }
  for (const failure of report.invalid) out.push(`not sent (local validation): ${failure.doi} ${failure.field}: ${failure.message}`);
  for (const skipped of report.skipped) out.push(`skipped: ${skipped.reason.startsWith(skipped.doi) ? skipped.reason : `${skipped.doi}: ${skipped.reason}`}`);
  for (const doi of report.unknownDois) out.push(`unknown DOI (not in the store): ${doi}`);
  if (report.interrupted) out.push('stopped before every pending DOI was sent; the next run continues');
  process.stdout.write(`${out.join('\n')}\n`);
}

async function depositCommand(dois: string[], options: DepositCommandOptions): Promise<void> {
  const loaded = loadCliWorkerConfig(options.config, loadWorkerConfig);
  const resolved = resolveCrossrefSettings(loaded.config.crossref, process.env);
  let settings: CrossrefDepositSettings;
  if (resolved.ready) settings = resolved.settings;
  else if (options.dryRun && resolved.settings) settings = resolved.settings;
  else throw new Error(resolved.reason);

  const logger = createLogger('deposit');
  const store = await openStore(resolveWorkerStoreTarget(loaded, options.db));
  try {
    // The config's journals decide what is yours to deposit, as they do for the worker.
    if (loaded.config.journals?.length) await upsertConfigJournals(store.journals, loaded.config.journals);
    let report: CrossrefDepositReport | undefined;
    if (options.dryRun) {
      report = await runCrossrefDeposit({ store, settings, dryRun: true, logger, ...(dois.length ? { dois } : {}) });
      if (options.out) {
        const dir = resolve(options.out);
        mkdirSync(dir, { recursive: true });
        for (const batch of report.batches) writeFileAtomic(join(dir, batch.fileName), batch.xml!);
      }
    } else {
      // Through the worker's lease, so a CLI deposit never overlaps a scheduled one; the run is recorded too.
      const worker = new PubmetaWorker({
        store,
        logger,
        owner: leaseOwnerName('cli'),
        jobs: [
          {
            name: 'deposit',
            run: async (ctx) => {
              report = await runCrossrefDeposit({ store, settings, signal: ctx.signal, logger, ...(dois.length ? { dois } : {}) });
              return depositCounts(report);
            },
          },
        ],
      });
      const stop = () => void worker.stop();
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
      const outcome = await worker.runOnce('deposit', 'cli');
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      if (outcome.status === 'busy') throw new Error('a deposit is already running (scheduled worker or another command); try again when it has finished');
      if (outcome.status === 'failed') throw new Error(outcome.error ?? 'deposit failed');
    }
    if (!report) return;
    if (options.json) {
      const printable = { ...report, batches: report.batches.map(({ xml: _xml, ...b }) => b) };
      process.stdout.write(`${JSON.stringify(printable, null, 2)}\n`);
    } else {
      printReport(report, settings.baseUrl);
    }
    const refusedAsked = dois.some((d) => report!.skipped.some((s) => s.doi === d.toLowerCase()));
    if (report.failed > 0 || report.invalid.length > 0 || report.unknownDois.length > 0 || refusedAsked) process.exitCode = 1;
  } finally {
    await store.close();
  }
}

function describeState(row: DoiDepositStatus): string {
  // A DOI Crossref has accepted before stays registered there, whatever happened to a later update.
  if (row.registeredAt && row.state !== 'registered' && row.state !== 'warning') {
    return `${row.state} (registered since ${row.registeredAt.replace(/\.\d+Z$/, 'Z')})`;
  }
  return row.state;
}

async function statusCommand(dois: string[], _options: unknown, command: Command): Promise<void> {
  const options = command.optsWithGlobals<DepositCommandOptions>();
  const loaded = loadCliWorkerConfig(options.config, loadWorkerConfig);
  const baseUrl = crossrefBaseUrl(loaded.config.crossref, process.env);
  const states = options.state as DoiDepositState[] | undefined;
  for (const s of states ?? []) if (!STATES.includes(s)) throw new Error(`--state must be one of ${STATES.join(', ')}`);
  const store = await openStore(resolveWorkerStoreTarget(loaded, options.db));
  try {
    const state = new CrossrefDepositState(store, depositTarget(baseUrl));
    // Changed records show as pending straight away.
    await state.syncFromStore({ includeSynthetic: !isCrossrefProduction(baseUrl), journals: await store.journals.list() });
    const rows = await state.list({ ...(dois.length ? { dois } : {}), ...(states ? { states } : {}) });
    const counts = await state.counts();
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ target: state.target, counts, dois: rows }, null, 2)}\n`);
      return;
    }
    const table = rows.map((r) => [r.doi, describeState(r), r.batchId ?? '', (r.message ?? '').replace(/\s+/g, ' ')]);
    const header = ['DOI', 'STATE', 'BATCH', 'MESSAGE'];
    const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
    const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
    const lines = rows.length > 0 ? [line(header), ...table.map(line)] : ['no DOIs tracked yet'];
    lines.push(
      `${systemName(baseUrl)}: ${STATES.map((s) => `${counts[s]} ${s}`).join(', ')}` +
        (counts.registeredEver > counts.registered + counts.warning ? ` (${counts.registeredEver} registered at least once)` : ''),
    );
    process.stdout.write(`${lines.join('\n')}\n`);
    for (const d of dois) if (!rows.some((r) => r.doi === d.toLowerCase())) process.stderr.write(`${d}: not tracked (not in the store, or not a deposit candidate)\n`);
  } finally {
    await store.close();
  }
}

export function register(program: Command): void {
  const deposit = program
    .command('deposit')
    .description(
      'Deposit DOIs with Crossref: records new or changed since their last deposit (or the DOIs given), in batches; waits for Crossref\'s submission log and records each DOI\'s result. Uses the test system unless production is configured.',
    )
    .argument('[dois...]', 'only these DOIs (sent even when unchanged)')
    .option('--dry-run', 'check and build the batches without sending anything')
    .option('--out <dir>', 'with --dry-run: write the batch files there')
    .option('--json', 'print the report (or status) as JSON')
    .option('--state <state...>', `status: only DOIs in these states (${STATES.join(', ')})`)
    .option('--config <file>', 'worker config with the crossref section (default ./pubmeta.config.json when present)')
    .option('--db <file>', DB_HELP)
    .action(depositCommand);

  deposit
    .command('status')
    .description('Per DOI: deposit state, Crossref\'s message and batch (options as for deposit: --json, --state, --config, --db).')
    .argument('[dois...]', 'only these DOIs')
    .action(statusCommand);
}
