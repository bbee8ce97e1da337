import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Logger } from '../log.js';
import { openStore } from '../store/index.js';
import { describeStoreTarget, parseStoreTarget, resolveStoreTarget, type StoreTarget } from '../store/target.js';
import type { Store } from '../store/types.js';
import { packageFilePath } from '../model/index.js';
import { resolveCrossrefIdentity, resolveCrossrefSettings } from '../crossref/index.js';
import type { ExportFormatName, LoadedWorkerConfig, WorkerConfig } from './config.js';
import { PubmetaWorker, type WorkerJob } from './worker.js';
import { runExportJob } from './jobs/export.js';
import { runHarvestSource } from './jobs/harvest.js';
import { runDepositJob } from './jobs/deposit.js';
import { upsertConfigJournals } from '../journals/index.js';

/** What `pubmeta start` runs when no --config is given. */
export const DEFAULT_START_CONFIG: WorkerConfig = {
  jobs: {
    export: { schedule: '*/5 * * * *', outDir: 'out' },
    deposit: { schedule: '*/30 * * * *' },
  },
};

/** Schedules used when a job in the config has none. */
export const DEFAULT_JOB_SCHEDULES = {
  harvest: '0 * * * *',
  export: '*/15 * * * *',
  deposit: '*/30 * * * *',
} as const;

export interface ConfiguredWorker {
  worker: PubmetaWorker;
  store: Store;
  target: StoreTarget;
  /** The store for messages: its file, or its URL without password. */
  location: string;
  /** Export directory in effect, when the export job is on. */
  outDir: string | undefined;
  /** Things an operator should be told once (e.g. deposit disabled until credentials are set). */
  notices: string[];
  close(): Promise<void>;
}

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(packageFilePath('package.json'), 'utf8')) as { version?: string }).version ?? '';
  } catch {
    return '';
  }
}

/**
 * Builds the worker a config describes: opens the store, creates the harvest, export and
 * deposit jobs (in that order), each with its schedule. Deposit is left out, with a notice,
 * until Crossref credentials and depositor details are configured.
 */
export async function createConfiguredWorker(
  loaded: LoadedWorkerConfig | { config: WorkerConfig; baseDir: string; source?: string },
  options: { db?: string; env?: NodeJS.ProcessEnv; logger?: Logger; owner?: string } = {},
): Promise<ConfiguredWorker> {
  const { config, baseDir } = loaded;
  const env = options.env ?? process.env;
  const fromConfig = (path: string) => (isAbsolute(path) ? path : resolve(baseDir, path));
  const target = resolveWorkerStoreTarget(loaded, options.db, env);
  const notices: string[] = [];
  const jobs: WorkerJob[] = [];
  const crossref = resolveCrossrefSettings(config.crossref, env);
  const identity = resolveCrossrefIdentity(config.crossref, env);

  const harvest = config.jobs?.harvest;
  if (harvest?.enabled !== false && (config.sources?.length ?? 0) > 0) {
    const sources = config.sources!;
    const leaseTtlMs = config.leaseSeconds ? config.leaseSeconds * 1000 : undefined;
    // One unit per source: workers sharing the store split the sources, each harvested once per tick.
    jobs.push({
      name: 'harvest',
      schedule: harvest?.schedule ?? DEFAULT_JOB_SCHEDULES.harvest,
      units: {
        list: async () => sources.map((s) => s.name),
        run: (unit, ctx) =>
          runHarvestSource({
            store: ctx.store,
            source: sources.find((s) => s.name === unit)!,
            signal: ctx.signal,
            ...(ctx.logger ? { logger: ctx.logger } : {}),
            ...(leaseTtlMs ? { leaseTtlMs } : {}),
          }),
      },
    });
  }

  const exportJob = config.jobs?.export;
  let outDir: string | undefined;
  if (exportJob?.enabled !== false) {
    outDir = fromConfig(exportJob?.outDir ?? 'out');
    const formats: ExportFormatName[] = exportJob?.formats ?? (identity ? ['oai_dc', 'jats', 'crossref'] : ['oai_dc', 'jats']);
    if (!exportJob?.formats && !identity) {
      notices.push('exports oai_dc and jats only: Crossref deposit files need crossref.depositor and crossref.registrant (or PUBMETA_DEPOSITOR_NAME, PUBMETA_DEPOSITOR_EMAIL, PUBMETA_REGISTRANT)');
    }
    if (formats.includes('crossref') && !identity) {
      throw new Error('jobs.export.formats includes crossref, which needs crossref.depositor and crossref.registrant (or PUBMETA_DEPOSITOR_NAME, PUBMETA_DEPOSITOR_EMAIL, PUBMETA_REGISTRANT)');
    }
    const version = packageVersion();
    const dir = outDir;
    jobs.push({
      name: 'export',
      schedule: exportJob?.schedule ?? DEFAULT_JOB_SCHEDULES.export,
      run: (ctx) =>
        runExportJob({
          store: ctx.store,
          outDir: dir,
          formats,
          ...(identity ? { crossrefHead: identity } : {}),
          signal: ctx.signal,
          ...(ctx.logger ? { logger: ctx.logger } : {}),
          version,
          onProgress: (c) => ctx.progress({ ...c }),
        }).then((c) => ({ ...c })),
    });
  }

  const deposit = config.jobs?.deposit;
  if (deposit?.enabled !== false) {
    if (crossref.ready) {
      const settings = crossref.settings;
      jobs.push({
        name: 'deposit',
        schedule: deposit?.schedule ?? DEFAULT_JOB_SCHEDULES.deposit,
        // Every worker deposits at once: each claims its own batches (see crossref/deposit.ts).
        shared: true,
        run: (ctx) => runDepositJob({ store: ctx.store, settings, signal: ctx.signal, ...(ctx.logger ? { logger: ctx.logger } : {}) }),
      });
    } else {
      notices.push(crossref.reason);
    }
  }

  const store = await openStore(target);
  try {
    if (config.journals && config.journals.length > 0) {
      const result = await upsertConfigJournals(store.journals, config.journals);
      const changed = [...result.created, ...result.updated];
      if (changed.length > 0) notices.push(`journal profiles from the config saved in the store: ${changed.join(', ')}`);
    }
    const worker = new PubmetaWorker({
      store,
      jobs,
      ...(options.logger ? { logger: options.logger } : {}),
      ...(config.leaseSeconds ? { leaseTtlMs: config.leaseSeconds * 1000 } : {}),
      ...(config.timezone ? { timezone: config.timezone } : {}),
      ...(options.owner ? { owner: options.owner } : {}),
    });
    return {
      worker,
      store,
      target,
      location: describeStoreTarget(target),
      outDir,
      notices,
      async close() {
        await worker.stop();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/**
 * The config a CLI command runs with: the given file, else ./pubmeta.config.json when it
 * exists, else an empty config (defaults everywhere).
 */
export function loadCliWorkerConfig(file: string | undefined, load: (file: string) => LoadedWorkerConfig): LoadedWorkerConfig {
  if (file) return load(file);
  const implicit = resolve('pubmeta.config.json');
  if (existsSync(implicit)) return load(implicit);
  return { config: {}, baseDir: process.cwd(), source: '(defaults)' };
}

/**
 * The store a CLI command uses: --db, else $PUBMETA_DB, else the config's db (a file relative to
 * the config, or a PostgreSQL URL), else ./pubmeta.db.
 */
export function resolveWorkerStoreTarget(loaded: { config: WorkerConfig; baseDir: string }, explicit?: string, env: NodeJS.ProcessEnv = process.env): StoreTarget {
  if (explicit || env.PUBMETA_DB) return resolveStoreTarget(explicit, env);
  if (loaded.config.db) return parseStoreTarget(loaded.config.db, loaded.baseDir);
  return resolveStoreTarget(undefined, env);
}
