import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { InvalidArgumentError, type Command } from 'commander';
import { createLogger } from '../log.js';
import { describeStoreTarget, openStore, resolveStoreTarget, type Store } from '../store/index.js';
import { REPOSITORY_IDENTIFIER_PATTERN } from '../oai/identifiers.js';
import { checkOaiConfig, type OaiConfig } from '../oai/config.js';
import { startOaiServer, type RunningOaiServer } from '../oai/http.js';
import { runRerenderJob, withPrerendering, type RerenderOptions } from '../oai/fragments.js';
import { checkAdminToken, createPagesHandler, repositoryDescription, storePagesDeps } from '../pages/index.js';
import { resolveCrossrefIdentity } from '../crossref/settings.js';
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
  const store = await openStore(target);
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

async function deleteCommand(ids: string[], options: { db?: string }): Promise<void> {
  const target = resolveStoreTarget(options.db);
  const store = await openStore(target);
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
        process.exitCode = 1;
        continue;
      }
      const localId = found.localId;
      if (found.deleted) {
        process.stdout.write(`${localId}: already deleted\n`);
        continue;
      }
      await store.records.delete(localId);
      process.stdout.write(`${localId}: deleted (kept as a tombstone; harvesters see status="deleted")\n`);
    }
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
  const store = await openStore(resolveStoreTarget(options.db));
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
      store: store.records,
      config,
      host,
      port: options.port ?? 8080,
      maxInFlight: options.maxInFlight ?? 16,
      headersTimeoutSeconds: options.headersTimeout ?? 20,
      requestTimeoutSeconds: options.requestTimeout ?? 60,
      logger: log,
      ...(options.pages === false && !options.admin ? {} : { front: (oaiHandler, full) => pagesFront(store, full, oaiHandler, adminToken, options) }),
    });
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
  const running = await serveStore(options);
  const stats = await running.store.records.stats();
  process.stdout.write(`OAI-PMH endpoint: ${running.url}\n`);
  if (running.config.baseUrl !== running.url) process.stdout.write(`(advertised base URL: ${running.config.baseUrl})\n`);
  if (options.pages !== false || options.admin) process.stdout.write(`pages for people: ${new URL('/', running.url).href}${options.admin ? ` (operators: ${new URL('/status', running.url).href})` : ''}\n`);
  process.stdout.write(`serving ${stats.total - stats.deleted} records and ${stats.deleted} deleted from ${running.store.location}; Ctrl-C stops\n`);
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
    .action(deleteCommand);

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
    .option('--no-pages', 'OAI-PMH only: no home page, record pages or HTML for browsers at the endpoint')
    .option('--admin', 'operators\' page /status (harvests, deposits, job runs) for requests with $PUBMETA_ADMIN_TOKEN')
    .action(serveCommand);
}
