import cliProgress from 'cli-progress';
import { hostname } from 'node:os';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { InvalidArgumentError, type Command } from 'commander';
import { createLogger } from '../log.js';
import { IMPORT_OUTCOMES, importFiles, type ImportItem, type ImportProgress, type ImportOutcomeCounts as OutcomeCounts } from '../import/index.js';
import { describeStoreTarget, isHarvestedLocalId, resolveStoreTarget, type Store } from '../store/index.js';
import { recordLocalId } from '../model/index.js';
import { EXIT, openCliStore, printJson } from './conventions.js';
import type { RerenderCounts, RerenderOptions } from '../oai/fragments.js';
import { parseSheetDelimiter } from './inputs.js';

type RenderProgress = Parameters<NonNullable<RerenderOptions['onProgress']>>[0];

interface ImportCommandOptions {
  db?: string;
  quiet?: boolean;
  delimiter?: string;
  repair?: boolean;
  progress: boolean;
  batchSize?: number;
  journal?: string;
  render?: boolean;
  json?: boolean;
}

function describeCounts(counts: OutcomeCounts): string {
  return IMPORT_OUTCOMES.filter((o) => counts[o] > 0 || o === 'created').map((o) => `${counts[o]} ${o}`).join(', ');
}

const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** A progress bar on a terminal (stderr); otherwise a JSON log line every 10 s (none for a short import). */
function progressReporter(interactive: boolean) {
  const started = Date.now();
  const rate = (p: ImportProgress) => Math.round(p.committed / Math.max((Date.now() - started) / 1000, 0.001));
  if (!interactive) {
    const log = createLogger('import');
    let last = started;
    return {
      update(p: ImportProgress) {
        log.debug({ committed: p.committed, transactions: p.transactions }, 'import transaction committed');
        // Quiet for short imports (scripts compare stderr); then a line every 10 s.
        if (Date.now() - last < 10_000) return;
        last = Date.now();
        log.info({ files: p.files, read: p.read, committed: p.committed, transactions: p.transactions, bytes: p.bytes, totalBytes: p.totalBytes, recordsPerSecond: rate(p) }, 'import progress');
      },
      rendering(p: RenderProgress) {
        if (Date.now() - last < 10_000) return;
        last = Date.now();
        log.info(p, 'import rendering OAI metadata');
      },
      print: (line: string) => process.stderr.write(line),
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: (options, params, payload: { text: string }) => {
        if (params.total <= 0) return payload.text;
        const size = options.barsize ?? 30;
        const done = Math.round(Math.min(1, params.progress) * size);
        return `[${'█'.repeat(done)}${'░'.repeat(size - done)}] ${Math.floor(params.progress * 100)}% | ${payload.text}`;
      },
      hideCursor: true,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(0, 0, { text: 'starting' });
  return {
    update(p: ImportProgress) {
      if (p.totalBytes !== undefined) bar.setTotal(p.totalBytes);
      bar.update(p.totalBytes !== undefined ? p.bytes : 0, { text: `${p.committed} records committed | ${megabytes(p.bytes)} | ${rate(p)} rec/s | ${p.file ?? ''}` });
    },
    rendering(p: RenderProgress) {
      bar.update({ text: `rendering OAI metadata: ${p.metadataPrefix} ${p.rendered + p.failed} parts` });
    },
    // Clears the bar's line first; it is drawn again at the next update.
    print: (line: string) => process.stderr.write(`\r\x1b[K${line}`),
    stop: () => bar.stop(),
  };
}

/**
 * A full garbage collection whenever the heap has grown past `limitBytes`, called between
 * transactions and render batches. V8 grows a busy heap lazily: a 10k-record render held ~60 MB
 * live in a 170 MB heap, and a long import's peak RSS was that slack, not its data. Measured at
 * 10k records: peak RSS 346 -> 259 MB for ~20% more CPU (at 112 MB: 316 MB, ~8%).
 */
function heapGuard(limitBytes = 80 * 1024 * 1024): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  return () => {
    if (getHeapStatistics().used_heap_size > limitBytes) gc();
  };
}

function reportItem(item: ImportItem, print: (line: string) => void): void {
  for (const warning of item.warnings) print(`warning: ${item.source}: ${warning}\n`);
  for (const repair of item.repairs) print(`repaired: ${item.source}: ${repair}\n`);
  for (const error of item.errors) print(`${item.source}: ${error}\n`);
}

/**
 * `import --journal ID`: every record joins journal ID (journal.id is set); a record naming
 * another journal is reported and skipped. Undefined (exit 2) when there is no such profile.
 */
async function journalPreparer(store: Store, journalId: string): Promise<((item: ImportItem) => void) | undefined> {
  const profiles = await store.journals.list();
  if (!profiles.some((p) => p.id === journalId)) {
    process.stderr.write(
      `pubmeta import: --journal ${journalId}: there is no journal profile "${journalId}" in ${store.location} (profiles: ${profiles.map((p) => p.id).join(', ') || 'none'}); add it with pubmeta journal add ${journalId} --title TITLE\n`,
    );
    process.exitCode = EXIT.usage;
    return undefined;
  }
  const { matchJournalProfile } = await import('../journals/index.js');
  return (item) => {
    const match = matchJournalProfile(item.record!, profiles, { journalId });
    if (match.status === 'error') {
      item.errors.push(match.message);
      delete item.record;
    } else item.record = { ...item.record!, journal: { ...item.record!.journal, id: journalId } };
  };
}

async function importCommand(paths: string[], options: ImportCommandOptions): Promise<void> {
  const target = resolveStoreTarget(options.db);
  const store = await openCliStore(target, { mustExist: false });
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (++signals > 1) process.exit(130);
    process.stderr.write(`\n${signal}: committing the records read so far, then stopping (again to quit at once)\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let forceJournal: ((item: ImportItem) => void) | undefined;
  if (options.journal !== undefined && !(forceJournal = await journalPreparer(store, options.journal))) {
    await store.close();
    return;
  }
  const prepare = (item: ImportItem) => {
    refuseHarvestedId(item);
    if (item.record) forceJournal?.(item);
  };
  const reporter = progressReporter(options.progress && process.stderr.isTTY === true);
  const collect = heapGuard();
  try {
    const started = performance.now();
    const summary = await importFiles(store, paths, {
      prepare,
      repair: options.repair ?? false,
      ...(options.delimiter ? { delimiter: options.delimiter } : {}),
      ...(options.batchSize ? { batchRecords: options.batchSize } : {}),
      signal: controller.signal,
      onItem: (item) => reportItem(item, reporter.print),
      onProgress: (progress) => {
        collect();
        reporter.update(progress);
      },
    });
    const stored = performance.now();
    const rendered = options.render !== false && !summary.interrupted ? await renderPhase(store, controller.signal, reporter, collect) : undefined;
    const seconds = { records: (stored - started) / 1000, render: (performance.now() - stored) / 1000 };
    reporter.stop();
    if (options.json) {
      const stats = await store.records.stats();
      printJson({
        store: describeStoreTarget(target),
        ...summary.total,
        repaired: summary.repaired,
        duplicates: summary.duplicates,
        transactions: summary.transactions,
        interrupted: summary.interrupted || controller.signal.aborted,
        files: Object.fromEntries(summary.files),
        storeHolds: { records: stats.total - stats.deleted, deleted: stats.deleted },
        ...(rendered ? { rendered: { parts: rendered.rendered, notDisseminable: rendered.failed } } : {}),
        seconds,
      });
    } else await printSummary(store, target, summary, options, rendered);
    if (summary.interrupted || controller.signal.aborted) {
      process.stderr.write('interrupted: the records above are committed; run the same import again to finish (unchanged records are skipped)\n');
      process.exitCode = EXIT.paused;
    } else if (summary.total.invalid > 0) process.exitCode = EXIT.failed;
  } finally {
    reporter.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await store.close();
  }
}

/**
 * The records are committed first (bounded transactions, at the speed of parsing and storing);
 * then every missing or stale OAI part in the store is rendered and validated, as a tracked
 * `rerender` job run. Rendering and validating costs several times what storing does, so it no
 * longer holds up the records' commits. Killed or stopped midway, the parts not yet stored are
 * rendered by the next import or `pubmeta rerender`, and until then on demand by the provider
 * (which never serves an unvalidated part). Render threads did not pay on 2 cores: each compiles
 * its own schemas and holds its own libxml2 memory (2 threads: +50% CPU, 2.3x peak RSS).
 */
async function renderPhase(store: Store, signal: AbortSignal, reporter: ReturnType<typeof progressReporter>, collect: () => void): Promise<RerenderCounts> {
  const { runRerenderJob } = await import('../oai/fragments.js');
  const onProgress = (p: RenderProgress) => {
    collect();
    reporter.rendering(p);
  };
  return runRerenderJob(store, `${hostname()}:${process.pid}:import`, { shouldStop: () => signal.aborted, onProgress }, 'import');
}

/** The readable summary: a line per file (unless --quiet), then the totals and what the store holds. */
async function printSummary(
  store: Store,
  target: ReturnType<typeof resolveStoreTarget>,
  summary: Awaited<ReturnType<typeof importFiles>>,
  options: ImportCommandOptions,
  rendered: RerenderCounts | undefined,
): Promise<void> {
  if (!options.quiet) for (const [file, counts] of summary.files) process.stdout.write(`${file}: ${describeCounts(counts)}\n`);
  const stats = await store.records.stats();
  const extras = [summary.repaired > 0 ? `${summary.repaired} repaired and flagged` : '', summary.duplicates > 0 ? `${summary.duplicates} read twice (the later kept)` : '']
    .filter(Boolean)
    .map((s) => `; ${s}`)
    .join('');
  process.stdout.write(
    `imported into ${describeStoreTarget(target)}: ${describeCounts(summary.total)}${extras} in ${summary.transactions} transaction(s) (store holds ${stats.total - stats.deleted} records and ${stats.deleted} deleted)\n`,
  );
  if (rendered && rendered.rendered + rendered.failed > 0) process.stdout.write(`OAI metadata: ${rendered.rendered} part(s) rendered and validated${rendered.failed > 0 ? `, ${rendered.failed} not disseminable` : ''}\n`);
}

/** Local ids starting with "harvested:" belong to harvested copies (see Provenance): an own record may not take one. */
function refuseHarvestedId(item: ImportItem): void {
  const localId = item.record ? recordLocalId(item.record) : undefined;
  if (localId !== undefined && isHarvestedLocalId(localId)) {
    item.errors.push(`/id: ${localId}: local ids starting with "harvested:" are reserved for harvested records`);
    delete item.record;
  }
}

function positiveInteger(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) throw new InvalidArgumentError('must be a positive whole number');
  return Number(value);
}

export function registerImport(program: Command, dbHelp: string): void {
  program
    .command('import')
    .description(
      'Stream record files (JSON: one record, an array, or JSON Lines; XML: JATS, Crossref, oai_dc; CSV/TSV spreadsheets, one article per row; directories are walked for .json/.jsonl) into the store, committing every 1,000 records (or 16 MB). Unchanged records keep their datestamp; invalid ones are reported and skipped (exit code 1). Killed at any point, a re-run finishes the job.',
    )
    .argument('<paths...>', 'record files or directories')
    .option('--db <file>', dbHelp)
    .option('-q, --quiet', 'only the summary line')
    .option('--delimiter <char>', 'spreadsheet delimiter: , ; or tab (default: detected from the header row)', parseSheetDelimiter)
    .option('--repair', 'import records with invalid UTF-8 (stray bytes read as windows-1252) or lone UTF-16 surrogates (U+FFFD), report each repair, and flag the record with a note; without it they are refused')
    .option('--journal <id>', 'the records belong to this journal profile (sets journal.id; see pubmeta journal list)')
    .option('--no-render', 'do not pre-render the OAI-PMH metadata after storing the records (pubmeta rerender, or the first request, does it)')
    .option('--batch-size <n>', 'records per transaction (default 1000)', positiveInteger)
    .option('--no-progress', 'no progress bar on a terminal')
    .option('--json', 'one JSON document on stdout: counts per outcome and per file (problems stay on stderr)')
    .action(importCommand);
}
