import { existsSync, realpathSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { createLogger } from '../log.js';
import { describeStoreTarget, type StoreTarget } from '../store/index.js';
import { explainListenError, openCliStore } from './conventions.js';
import { loadSeedSample, packageFilePath } from '../model/index.js';
import {
  createConfiguredWorker,
  DEFAULT_START_CONFIG,
  loadWorkerConfig,
  resolveWorkerStoreTarget,
  type LoadedWorkerConfig,
} from '../worker/index.js';
import { loadRecordInputs } from './inputs.js';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadSeedJournalProfile, profileCrossrefIdentity, profilePlaceholders, profileRecord, type JournalProfile } from '../journals/index.js';
import { runExport, type ExportEvent } from '../export/index.js';
import { findFormat, type FormatDescriptor } from '../formats/index.js';
import { parseStoreTarget } from '../store/index.js';

/** The demo's own store: `pubmeta start` never touches ./pubmeta.db (or $PUBMETA_DB), your real store. */
export const DEMO_STORE_FILE = 'pubmeta-demo.db';
import { serveStore } from './store.js';
import { withPrerendering } from '../oai/fragments.js';
import { formatCounts } from './worker.js';

function portNumber(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new InvalidArgumentError('must be a port number 0-65535');
  return Number(value);
}

/** The package's samples/ folder, plus ./samples when run elsewhere and it exists. */
function sampleDirectories(): string[] {
  const dirs = [packageFilePath('samples')];
  const local = resolve('samples');
  if (existsSync(local) && realpathSync(local) !== realpathSync(dirs[0]!)) dirs.push(local);
  return dirs;
}

/** The record files of the sample folders (top level; samples/journals holds profiles, not records). */
function sampleFiles(): string[] {
  return sampleDirectories().flatMap((dir) =>
    readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
      .map((entry) => join(dir, entry.name))
      .sort(),
  );
}

async function importSamples(target: StoreTarget, journal: JournalProfile): Promise<string> {
  const inputs = await loadRecordInputs(sampleFiles());
  for (const input of inputs) for (const error of input.errors) process.stderr.write(`${input.source}: ${error}\n`);
  const records = [loadSeedSample(), ...inputs.flatMap((i) => (i.record ? [i.record] : []))];
  const store = withPrerendering(await openCliStore(target, { mustExist: false }));
  try {
    // The seed's journal: its profile fills the seed's exports (landing page template, licence, depositor placeholders).
    await store.journals.upsert(journal);
    const results = await store.records.upsertMany(records);
    const created = results.filter((r) => r.outcome === 'created' || r.outcome === 'undeleted').length;
    const updated = results.filter((r) => r.outcome === 'updated').length;
    const unique = new Set(results.map((r) => r.localId)).size;
    return `${unique} sample records (${created} new, ${updated} updated)`;
  } finally {
    await store.close();
  }
}

/**
 * The demo's store: --db, else the --config file's db, else ./pubmeta-demo.db. Never
 * $PUBMETA_DB or ./pubmeta.db by default: those hold your own records, and the demo's
 * synthetic ones must not be served or deposited from there.
 */
function demoStoreTarget(loaded: LoadedWorkerConfig, explicit: string | undefined): StoreTarget {
  if (explicit) return parseStoreTarget(explicit);
  if (loaded.config.db) return resolveWorkerStoreTarget({ config: loaded.config, baseDir: loaded.baseDir }, undefined, {});
  return parseStoreTarget(DEMO_STORE_FILE);
}

/**
 * The seed's own files, written with its journal profile: oai_dc and a Crossref deposit batch
 * (its depositor and registrant are the profile's placeholders, named in one note).
 */
async function writeSeedFiles(outDir: string, journal: JournalProfile): Promise<string[]> {
  const profiled = profileRecord(loadSeedSample(), [journal]);
  if (!profiled.ok) throw new Error(profiled.message);
  const formats = ['oai_dc', 'crossref'].map((id) => findFormat(id)).filter((f): f is FormatDescriptor => f !== undefined);
  const head = profileCrossrefIdentity(journal);
  const written: string[] = [];
  const summary = await runExport([{ record: profiled.record, label: SEED_LABEL }], {
    outDir,
    formats,
    ...(head ? { deposit: head } : {}),
    onEvent: (event: ExportEvent) => {
      if (event.type === 'file') written.push(relative(process.cwd(), event.path) || event.path);
      else if (event.type === 'failure') process.stderr.write(`${event.label}: ${event.format ?? ''}: ${event.message}\n`);
    },
  });
  if (summary.status !== 'succeeded') process.exitCode = 1;
  return written;
}

const SEED_LABEL = 'samples/seed-jdp-323.json';

async function startCommand(options: { config?: string; db?: string; port?: number }): Promise<void> {
  const loaded: LoadedWorkerConfig = options.config
    ? loadWorkerConfig(options.config)
    : { config: DEFAULT_START_CONFIG, baseDir: process.cwd(), source: '(built-in defaults)' };
  const target = demoStoreTarget(loaded, options.db);
  const dbArgument = target.kind === 'sqlite' ? target.path : target.url;
  const port = options.port ?? (process.env.PUBMETA_PORT ? portNumber(process.env.PUBMETA_PORT) : 8080);
  const journal = loadSeedJournalProfile();

  process.stdout.write(`demo store: ${describeStoreTarget(target)} (samples go here only; your own store, ./pubmeta.db or $PUBMETA_DB, is not touched)\n`);
  process.stdout.write(`imported ${await importSamples(target, journal)}\n`);
  process.stdout.write(`journal profile: ${journal.id} (${journal.title}, DOI prefix ${journal.doiPrefixes.join(', ')}) from samples/journals/${journal.id}.json\n`);
  const seedOut = resolve(loaded.baseDir, loaded.config.jobs?.export?.outDir ?? 'out');
  const seedFiles = await writeSeedFiles(seedOut, journal);
  process.stdout.write(`seed files: ${seedFiles.join(', ')}\n`);
  const placeholders = profilePlaceholders(journal);
  if (placeholders.length > 0) {
    process.stdout.write(
      `note: the seed's Crossref file is not ready to deposit: journal ${journal.id}'s ${placeholders.join(', ')} are placeholders; ` +
        `set them with pubmeta journal set ${journal.id} --depositor-name NAME --depositor-email EMAIL --registrant NAME --db ${dbArgument}\n`,
    );
  }

  // Quiet by default: this is an interactive demo; PUBMETA_LOG_LEVEL=info shows the job log.
  const logger = createLogger('worker', process.env.PUBMETA_LOG_LEVEL ?? 'warn');
  const configured = await createConfiguredWorker(loaded, { db: dbArgument, logger });
  const { worker } = configured;
  for (const notice of configured.notices) process.stdout.write(`note: ${notice}\n`);

  if (configured.outDir) {
    const outcome = await worker.runOnce('export', 'start');
    const where = relative(process.cwd(), configured.outDir) || '.';
    if (outcome.status === 'failed') process.stderr.write(`export failed: ${outcome.error}\n`);
    if (outcome.status === 'partial') process.stderr.write(`export partial: ${outcome.error}\n`);
    if (outcome.status !== 'failed') process.stdout.write(`exports in ${where}/ (${formatCounts(outcome.counts)})\n`);
  }

  let server: Awaited<ReturnType<typeof serveStore>>;
  try {
    server = await serveStore({
      db: dbArgument,
      port,
      host: '127.0.0.1',
      includeHarvested: loaded.config.oai?.includeHarvested === true,
      nextHarvestRun: () => worker.nextRuns().find((j) => j.job === 'harvest')?.next,
    });
  } catch (error) {
    await configured.close();
    throw explainListenError(error, '127.0.0.1', port, 'PUBMETA_PORT or --port');
  }
  process.stdout.write(`OAI-PMH endpoint: ${server.url}\n`);
  process.stdout.write(`pages for people: ${new URL('/', server.url).href} (the OAI-PMH responses, too, are pages in a browser)\n`);

  worker.start();
  for (const { job, next } of worker.nextRuns()) process.stdout.write(`worker: ${job} next at ${next?.toISOString() ?? 'never'}\n`);
  process.stdout.write('Ctrl-C stops\n');

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.exit(130);
    }
    stopping = true;
    process.stderr.write(`${signal}: stopping\n`);
    Promise.allSettled([configured.close(), server.close()]).then(
      (results) => process.exit(results.some((r) => r.status === 'rejected') ? 1 : 0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

export function register(program: Command): void {
  program
    .command('start')
    .description(
      `Demo in one command: define the seed's journal and import the sample records into the demo store (./${DEMO_STORE_FILE}; ./pubmeta.db is left alone), write the seed's oai_dc and Crossref files and the exports, serve OAI-PMH on http://127.0.0.1:8080/oai and run the worker (deposit stays off until Crossref credentials are set).`,
    )
    .option('--config <file>', 'worker config instead of the built-in defaults (export every 5 minutes to ./out, deposit every 30 minutes when configured)')
    .option('--db <file>', `the demo store: a SQLite file or a postgres:// URL (default: the config's db, else ./${DEMO_STORE_FILE}; never $PUBMETA_DB)`)
    .option('--port <n>', 'OAI-PMH port (default: $PUBMETA_PORT, else 8080; 0 picks a free one)', portNumber)
    .action(startCommand);
}
