import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { InvalidArgumentError, type Command } from 'commander';
import { createLogger } from '../log.js';
import { recordLocalId } from '../model/index.js';
import { describeStoreTarget, resolveStoreTarget, scopedRecords, type Store } from '../store/index.js';
import { loadCliWorkerConfig, loadWorkerConfig } from '../worker/index.js';
import { REPOSITORY_IDENTIFIER_PATTERN } from '../oai/identifiers.js';
import { checkOaiConfig, type OaiConfig } from '../oai/config.js';
import { startOaiServer, type RunningOaiServer } from '../oai/http.js';
import { runRerenderJob, withPrerendering, type RerenderOptions } from '../oai/fragments.js';
import { checkAdminToken, createPagesHandler, repositoryDescription, storePagesDeps } from '../pages/index.js';
import { resolveCrossrefIdentity } from '../crossref/settings.js';
import { parseSheetDelimiter } from './inputs.js';
import { EXIT, explainListenError, openCliStore, printJson } from './conventions.js';
import { registerImport } from './import.js';

const DB_HELP = 'the store: a SQLite file or a postgres:// URL (default: $PUBMETA_DB, else ./pubmeta.db)';

function positiveInteger(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
    throw new InvalidArgumentError('must be a positive whole number');
  }
  return Number(value);
}

function portNumber(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new InvalidArgumentError('must be a port number 0-65535');
  return Number(value);
}

// ---------------------------------------------------------------------------------------------
// rerender

async function rerenderCommand(options: { db?: string; format?: string[]; set?: string; force?: boolean }): Promise<void> {
  const target = resolveStoreTarget(options.db);
  const store = await openCliStore(target, { mustExist: true });
  let stopping = false;
  const stop = () => (stopping = true);
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  try {
    const rerenderOptions: RerenderOptions = { shouldStop: () => stopping };
    if (options.format) rerenderOptions.metadataPrefixes = options.format;
    if (options.set !== undefined) rerenderOptions.set = options.set;
    if (options.force) rerenderOptions.force = true;
    if (process.stderr.isTTY) {
      rerenderOptions.onProgress = (p) => process.stderr.write(`\r${p.metadataPrefix}: ${p.rendered} rendered, ${p.failed} not disseminable`);
    }
    const counts = await runRerenderJob(store, `${hostname()}:${process.pid}:rerender`, rerenderOptions);
    if (process.stderr.isTTY) process.stderr.write('\n');
    process.stdout.write(
      `rerender ${describeStoreTarget(target)}: ${counts.rendered} rendered, ${counts.failed} not disseminable in their format, ${counts.cleared} cleared first\n`,
    );
    if (stopping) process.exitCode = 3;
  } finally {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
    await store.close();
  }
}

// ---------------------------------------------------------------------------------------------
// delete

/** A local id, or an oai-identifier of this store (oai:<anything>:<escaped local id>). */
function toLocalId(argument: string): string {
  const match = /^oai:[^:]+:(.+)$/.exec(argument);
  if (!match) return argument;
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    return argument;
  }
}

async function deleteCommand(ids: string[], options: { db?: string; json?: boolean }): Promise<void> {
  const target = resolveStoreTarget(options.db);
  const store = await openCliStore(target, { mustExist: true });
  const results: { id: string; localId?: string; outcome: 'deleted' | 'already deleted' | 'not found' }[] = [];
  const say = (line: string) => {
    if (!options.json) process.stdout.write(`${line}\n`);
  };
  try {
    for (const argument of ids) {
      let found: { localId: string; deleted: boolean } | undefined;
      for (const id of [argument, toLocalId(argument), argument.toLowerCase()]) {
        const stored = await store.records.get(id);
        if (stored) {
          found = { localId: id, deleted: stored.deleted };
          break;
        }
      }
      if (found === undefined) {
        process.stderr.write(`${argument}: no such record in ${describeStoreTarget(target)}\n`);
        process.exitCode = EXIT.failed;
        results.push({ id: argument, outcome: 'not found' });
        continue;
      }
      const localId = found.localId;
      if (found.deleted) {
        say(`${localId}: already deleted`);
        results.push({ id: argument, localId, outcome: 'already deleted' });
        continue;
      }
      await store.records.delete(localId);
      say(`${localId}: deleted (kept as a tombstone; harvesters see status="deleted")`);
      results.push({ id: argument, localId, outcome: 'deleted' });
    }
    if (options.json) {
      const count = (outcome: string) => results.filter((r) => r.outcome === outcome).length;
      printJson({ store: describeStoreTarget(target), deleted: count('deleted'), alreadyDeleted: count('already deleted'), notFound: count('not found'), results });
    }
  } finally {
    await store.close();
  }
}

// ---------------------------------------------------------------------------------------------
// conflicts

/** DOIs held by an own record and a harvested one: reported, both left alone (exit 0). */
async function conflictsCommand(options: { db?: string; json?: boolean }): Promise<void> {
  const target = resolveStoreTarget(options.db);
  const store = await openCliStore(target, { mustExist: true });
  try {
    const conflicts = await store.records.conflicts();
    if (options.json) {
      process.stdout.write(`${JSON.stringify(conflicts, null, 2)}\n`);
      return;
    }
    for (const c of conflicts) {
      const own = c.own.map((o) => `${o.localId} (${o.provenance})`).join(', ');
      const harvested = c.harvested.map((h) => `${h.source} ${h.identifier}`).join(', ');
      process.stdout.write(`${c.doi}\n  own:       ${own}\n  harvested: ${harvested}\n`);
    }
    process.stdout.write(
      conflicts.length === 0
        ? `no DOI is held by both an own and a harvested record in ${describeStoreTarget(target)}\n`
        : `${conflicts.length} DOI${conflicts.length === 1 ? '' : 's'} held by both an own and a harvested record; both are kept apart: only the own record is deposited and served by default\n`,
    );
  } finally {
    await store.close();
  }
}

// ---------------------------------------------------------------------------------------------
// serve

export interface ServeOptions {
  db?: string;
  port?: number;
  host?: string;
  baseUrl?: string;
  repositoryName?: string;
  repositoryIdentifier?: string;
  adminEmail?: string[];
  tokenSecret?: string;
  pageSize?: number;
  identifiersPageSize?: number;
  tokenTtl?: number;
  maxInFlight?: number;
  headersTimeout?: number;
  requestTimeout?: number;
  /** Serve harvested records too (with their provenance); default own records only. */
  includeHarvested?: boolean;
  /** Config file whose `oai.includeHarvested` applies when --include-harvested is not given. */
  config?: string;
  /** Serve a store that does not exist yet (created empty); otherwise such a store is refused. */
  create?: boolean;
  /** The pages for people (/, /records/..., HTML at /oai for browsers). Default true. */
  pages?: boolean;
  /** The operators' pages (/status), for requests with the admin token. */
  admin?: boolean;
  /** Default: $PUBMETA_ADMIN_TOKEN. */
  adminToken?: string;
  /** When the worker's harvest job runs next (pubmeta start knows it), for /status. */
  nextHarvestRun?: () => Date | null | undefined;
}

const TOKEN_SECRET_META_KEY = 'oai.tokenSecret';

/**
 * Opens the store and serves it over OAI-PMH. The token secret comes from the options, else
 * $PUBMETA_OAI_SECRET, else one generated on first use and kept in the store, so resumption
 * tokens stay valid across restarts. Used by `pubmeta serve` and `pubmeta start`.
 */
export async function serveStore(options: ServeOptions): Promise<RunningOaiServer & { store: Store }> {
  const log = createLogger('oai');
  const store = await openCliStore(resolveStoreTarget(options.db), {
    mustExist: options.create !== true,
    missingHint: 'import records first, or pass --create to serve a new, empty store',
  });
  try {
    const host = options.host ?? '127.0.0.1';
    const baseHost = options.baseUrl ? new URL(options.baseUrl).hostname : '';
    const repositoryIdentifier =
      options.repositoryIdentifier ??
      process.env.PUBMETA_OAI_REPOSITORY_IDENTIFIER ??
      (REPOSITORY_IDENTIFIER_PATTERN.test(baseHost) ? baseHost : 'pubmeta.localhost');
    let adminEmails = options.adminEmail?.length ? options.adminEmail : (process.env.PUBMETA_ADMIN_EMAIL?.split(',').map((s) => s.trim()) ?? []);
    if (adminEmails.length === 0) {
      adminEmails = [`admin@${repositoryIdentifier}`];
      log.warn({ adminEmail: adminEmails[0] }, 'no --admin-email given; Identify shows a placeholder address');
    }
    const topSets = (await store.records.listSets()).filter((s) => !s.setSpec.includes(':'));
    const repositoryName =
      options.repositoryName ?? (topSets.length === 1 ? topSets[0]!.setName : 'pubmeta OAI-PMH repository');
    const tokenSecret =
      options.tokenSecret ??
      process.env.PUBMETA_OAI_SECRET ??
      (await store.meta.getOrCreate(TOKEN_SECRET_META_KEY, () => randomBytes(32).toString('base64url')));
    const config: Omit<OaiConfig, 'baseUrl'> & { baseUrl?: string } = {
      repositoryName,
      repositoryIdentifier,
      adminEmails,
      tokenSecret,
      pageSize: { records: options.pageSize ?? 100, identifiers: options.identifiersPageSize ?? 500 },
      onExportError: (localId, metadataPrefix, error) =>
        log.debug({ localId, metadataPrefix, reason: error instanceof Error ? error.message : String(error) }, 'record not disseminable in format'),
    };
    if (options.baseUrl) config.baseUrl = options.baseUrl;
    if (options.tokenTtl) config.tokenTtlSeconds = options.tokenTtl;
    const problems = checkOaiConfig({ baseUrl: options.baseUrl ?? 'http://127.0.0.1/oai', ...config });
    if (problems.length > 0) throw new Error(`cannot serve: ${problems.join('; ')}`);
    const adminToken = options.admin ? adminTokenFrom(options) : undefined;
    const running = await startOaiServer({
      store: scopedRecords(store.records, { includeHarvested: options.includeHarvested === true }),
      config,
      host,
      port: options.port ?? 8080,
      maxInFlight: options.maxInFlight ?? 16,
      headersTimeoutSeconds: options.headersTimeout ?? 20,
      requestTimeoutSeconds: options.requestTimeout ?? 60,
      logger: log,
      ...(options.pages === false && !options.admin ? {} : { front: (oaiHandler, full) => pagesFront(store, full, oaiHandler, adminToken, options) }),
    }).catch((error: unknown) => Promise.reject(explainListenError(error, host, options.port ?? 8080)));
    const close = running.close;
    return {
      ...running,
      store,
      close: async () => {
        await close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}

function adminTokenFrom(options: ServeOptions): string {
  const token = options.adminToken ?? process.env.PUBMETA_ADMIN_TOKEN ?? '';
  if (!token) throw new Error('--admin needs an admin token: set PUBMETA_ADMIN_TOKEN (at least 16 characters, e.g. openssl rand -base64 24)');
  const problems = checkAdminToken(token);
  if (problems.length > 0) throw new Error(`PUBMETA_ADMIN_TOKEN: ${problems.join('; ')}`);
  return token;
}

type Listener = Parameters<NonNullable<Parameters<typeof startOaiServer>[0]['front']>>[0];

/** The pages in front of the OAI-PMH handler; without admin pages, an endpoint at / is served without them. */
function pagesFront(store: Store, config: OaiConfig, oaiHandler: Listener, adminToken: string | undefined, options: ServeOptions): Listener {
  const log = createLogger('pages');
  const depositHead = resolveCrossrefIdentity(undefined);
  const deps = storePagesDeps(store, config, {
    includeHarvested: options.includeHarvested === true,
    ...(depositHead ? { depositHead } : {}),
    ...(options.nextHarvestRun ? { nextHarvestRun: options.nextHarvestRun } : {}),
  });
  try {
    return createPagesHandler(deps, {
      repository: repositoryDescription(config),
      oaiHandler,
      ...(adminToken ? { admin: { token: adminToken } } : {}),
      logger: log,
    });
  } catch (error) {
    if (adminToken) throw error;
    log.warn({ reason: error instanceof Error ? error.message : String(error) }, 'serving OAI-PMH without the pages for people');
    return oaiHandler;
  }
}

async function serveCommand(options: ServeOptions): Promise<void> {
  const loaded = options.includeHarvested ? undefined : loadCliWorkerConfig(options.config, loadWorkerConfig);
  const includeHarvested = options.includeHarvested === true || loaded?.config.oai?.includeHarvested === true;
  const running = await serveStore({ ...options, includeHarvested });
  const stats = await running.store.records.stats();
  process.stdout.write(`OAI-PMH endpoint: ${running.url}\n`);
  if (running.config.baseUrl !== running.url) process.stdout.write(`(advertised base URL: ${running.config.baseUrl})\n`);
  if (options.pages !== false || options.admin) process.stdout.write(`pages for people: ${new URL('/', running.url).href}${options.admin ? ` (operators: ${new URL('/status', running.url).href})` : ''}\n`);
  const served = await running.store.records.count({ includeHarvested });
  const harvested = includeHarvested
    ? `, ${stats.harvested} of them harvested (with provenance)`
    : stats.harvested > 0
      ? `; own records only: ${stats.harvested} harvested records are not served (--include-harvested)`
      : '';
  process.stdout.write(`serving ${served} records (tombstones included)${harvested} from ${running.store.location}; Ctrl-C stops\n`);
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${signal}: finishing requests in progress, then stopping\n`);
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

export function register(program: Command): void {
  registerImport(program, DB_HELP);

  program
    .command('rerender')
    .description(
      'Render the OAI-PMH metadata of every record whose stored rendering is missing or stale (written by an older pubmeta or without rendering, or rendered by another version), validated, as a job run (pubmeta jobs --job rerender). --force renders again what is stored, e.g. for the records of one journal (--set) after its profile changed.',
    )
    .option('--db <file>', DB_HELP)
    .option('--format <prefix...>', 'only these metadataPrefixes (default: every OAI format)')
    .option('--set <setSpec>', 'only the records of this set (a journal: its slug)')
    .option('--force', 'forget the stored renderings in scope first')
    .action(rerenderCommand);

  program
    .command('delete')
    .description('Delete records by local id (or DOI, or oai-identifier). They stay as tombstones, served with status="deleted" (deletedRecord: persistent).')
    .argument('<ids...>', 'local ids')
    .option('--db <file>', DB_HELP)
    .option('--json', 'one JSON document on stdout: counts and the outcome per id')
    .action(deleteCommand);

  program
    .command('conflicts')
    .description('List DOIs held by both one of your own records and a harvested record. Nothing is changed: the harvested copy is never deposited, and served only with serve --include-harvested.')
    .option('--db <file>', DB_HELP)
    .option('--json', 'one JSON array on stdout: [{ doi, own: [{ localId, provenance }], harvested: [{ localId, source, identifier }] }]')
    .action(conflictsCommand);

  program
    .command('serve')
    .description('Serve the store as an OAI-PMH 2.0 repository (GET/POST, gzip/deflate) with pages for people: home and search at /, article pages at /records/<id>, HTML at the endpoint for browsers.')
    .option('--db <file>', DB_HELP)
    .option('--port <n>', 'TCP port (0 picks a free one)', portNumber, 8080)
    .option('--host <address>', 'interface to listen on', '127.0.0.1')
    .option('--base-url <url>', 'public endpoint URL for Identify and request elements (default: http://<host>:<port>/oai)')
    .option('--repository-name <name>', 'repositoryName in Identify (default: the journal title when there is one journal)')
    .option('--repository-identifier <domain>', 'namespace of oai-identifiers, a domain name you control (default: the base URL host, else pubmeta.localhost)')
    .option('--admin-email <email...>', 'adminEmail in Identify (default: $PUBMETA_ADMIN_EMAIL)')
    .option('--token-secret <secret>', 'HMAC key for resumption tokens (default: $PUBMETA_OAI_SECRET, else one generated and kept in the store)')
    .option('--page-size <n>', 'records per ListRecords page', positiveInteger, 100)
    .option('--identifiers-page-size <n>', 'headers per ListIdentifiers page', positiveInteger, 500)
    .option('--token-ttl <seconds>', 'resumption token lifetime', positiveInteger, 86_400)
    .option('--max-in-flight <n>', 'list requests (ListRecords, ListIdentifiers) worked on at once before answering 503 Retry-After; other verbs have as many again', positiveInteger, 16)
    .option('--headers-timeout <seconds>', 'time a client has to send its request headers', positiveInteger, 20)
    .option('--request-timeout <seconds>', 'time a client has to send its whole request (headers and body)', positiveInteger, 60)
    .option('--include-harvested', 'serve harvested records too, each with its OAI-PMH provenance in <about> (default: your own records only)')
    .option('--config <file>', 'config file whose oai.includeHarvested applies (default ./pubmeta.config.json when present)')
    .option('--create', 'serve a store that does not exist yet (a new, empty one); without it such a store is refused (exit 4)')
    .option('--no-pages', 'OAI-PMH only: no home page, record pages or HTML for browsers at the endpoint')
    .option('--admin', 'operators\' page /status (harvests, deposits, job runs) for requests with $PUBMETA_ADMIN_TOKEN')
    .action(serveCommand);
}
