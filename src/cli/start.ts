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
import { serveStore } from './store.js';
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

async function importSamples(target: StoreTarget): Promise<string> {
  const inputs = await loadRecordInputs(sampleDirectories());
  for (const input of inputs) for (const error of input.errors) process.stderr.write(`${input.source}: ${error}\n`);
  const records = [loadSeedSample(), ...inputs.flatMap((i) => (i.record ? [i.record] : []))];
  const store = await openCliStore(target, { mustExist: false });
  try {
    const results = await store.records.upsertMany(records);
    const created = results.filter((r) => r.outcome === 'created' || r.outcome === 'undeleted').length;
    const updated = results.filter((r) => r.outcome === 'updated').length;
    const unique = new Set(results.map((r) => r.localId)).size;
    return `${unique} sample records (${created} new, ${updated} updated)`;
  } finally {
    await store.close();
  }
}

async function startCommand(options: { config?: string; db?: string; port?: number }): Promise<void> {
  const loaded: LoadedWorkerConfig = options.config
    ? loadWorkerConfig(options.config)
    : { config: DEFAULT_START_CONFIG, baseDir: process.cwd(), source: '(built-in defaults)' };
  const target = resolveWorkerStoreTarget(loaded, options.db);
  const dbArgument = target.kind === 'sqlite' ? target.path : target.url;
  const port = options.port ?? (process.env.PUBMETA_PORT ? portNumber(process.env.PUBMETA_PORT) : 8080);

  process.stdout.write(`store: ${describeStoreTarget(target)}\n`);
  process.stdout.write(`imported ${await importSamples(target)}\n`);

  // Quiet by default: this is an interactive demo; PUBMETA_LOG_LEVEL=info shows the job log.
  const logger = createLogger('worker', process.env.PUBMETA_LOG_LEVEL ?? 'warn');
  const configured = await createConfiguredWorker(loaded, { db: dbArgument, logger });
  const { worker } = configured;
  for (const notice of configured.notices) process.stdout.write(`note: ${notice}\n`);

  if (configured.outDir) {
    const outcome = await worker.runOnce('export', 'start');
    const where = relative(process.cwd(), configured.outDir) || '.';
    if (outcome.status === 'failed') process.stderr.write(`export failed: ${outcome.error}\n`);
    else process.stdout.write(`exports in ${where}/ (${formatCounts(outcome.counts)})\n`);
  }

  let server: Awaited<ReturnType<typeof serveStore>>;
  try {
    server = await serveStore({ db: dbArgument, port, host: '127.0.0.1' });
  } catch (error) {
    await configured.close();
    throw explainListenError(error, '127.0.0.1', port, 'PUBMETA_PORT or --port');
  }
  process.stdout.write(`OAI-PMH endpoint: ${server.url}\n`);
  process.stdout.write(`  try ${server.url}?verb=ListRecords&metadataPrefix=oai_dc in a browser\n`);

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
      'Demo in one command: import the sample records into the store, write the exports, serve OAI-PMH on http://127.0.0.1:8080/oai and run the worker (deposit stays off until Crossref credentials are set).',
    )
    .option('--config <file>', 'worker config instead of the built-in defaults (export every 5 minutes to ./out, deposit every 30 minutes when configured)')
    .option('--db <file>', 'the store: a SQLite file or a postgres:// URL (default: $PUBMETA_DB, else ./pubmeta.db)')
    .option('--port <n>', 'OAI-PMH port (default: $PUBMETA_PORT, else 8080; 0 picks a free one)', portNumber)
    .action(startCommand);
}
