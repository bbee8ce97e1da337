import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, describe } from 'vitest';
import { openStore, type OpenStoreOptions, type Store } from '../../src/store/index.js';

/**
 * One test suite, two backends. Every store-using suite runs against a real SQLite file and a
 * real PostgreSQL database:
 *   - PostgreSQL comes from PUBMETA_TEST_PG (a connection URL), else
 *     postgres://postgres@127.0.0.1:5432/test. Each test store is a fresh schema in it, named
 *     through the URL (`?options=-c search_path=<schema>`), so parallel test files never meet;
 *     the schema is emptied afterwards and reused by the next test of the same file (creating
 *     and migrating a schema costs ~0.5 s, emptying it a few ms), and dropped when the file ends.
 *     That URL is what suites pass to spawned CLIs as --db.
 *   - When PostgreSQL cannot be reached, the PostgreSQL half is skipped with the reason printed,
 *     except under CI=true, where that is an error.
 */

export type BackendName = 'sqlite' | 'postgres';

/** A fresh, empty store location: a SQLite file in a temp directory, or a new PostgreSQL schema. */
export interface TestTarget {
  backend: BackendName;
  /** What --db / PUBMETA_DB take: the file path, or the URL naming the schema. */
  db: string;
  open(options?: OpenStoreOptions): Promise<Store>;
  /** Removes the file or drops the schema. */
  drop(): Promise<void>;
}

export interface Backend {
  name: BackendName;
  /** Why this backend does not run here, if it does not. */
  skip: string | undefined;
  /** fresh: a location no store was ever opened on (by default an emptied one may be reused). */
  createTarget(options?: { fresh?: boolean }): Promise<TestTarget>;
}

export const POSTGRES_TEST_URL = process.env.PUBMETA_TEST_PG || 'postgres://postgres@127.0.0.1:5432/test';

async function adminQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: POSTGRES_TEST_URL, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

function redacted(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

async function probePostgres(): Promise<string | undefined> {
  try {
    await adminQuery('SELECT 1');
    return undefined;
  } catch (error) {
    return `PostgreSQL at ${redacted(POSTGRES_TEST_URL)} is unreachable (${(error as Error).message}); set PUBMETA_TEST_PG to a reachable server`;
  }
}

const postgresSkip = await probePostgres();
if (postgresSkip !== undefined) {
  if (process.env.CI === 'true') throw new Error(`CI=true requires the PostgreSQL half of the suite: ${postgresSkip}`);
  console.warn(`skipping the PostgreSQL half: ${postgresSkip}`);
}

/** The store URL whose search_path is `schema`. */
export function postgresUrlForSchema(schema: string): string {
  const url = new URL(POSTGRES_TEST_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

export const sqliteBackend: Backend = {
  name: 'sqlite',
  skip: undefined,
  async createTarget() {
    const dir = mkdtempSync(join(tmpdir(), 'pubmeta-test-'));
    const file = join(dir, 'pubmeta.db');
    return {
      backend: 'sqlite',
      db: file,
      open: (options) => openStore({ kind: 'sqlite', path: file }, options),
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
};

/** Emptied schemas of this test file: migrated (reusable unless a test wants a fresh one) or untouched. */
const emptied: { schema: string; migrated: boolean }[] = [];

async function takeSchema(fresh: boolean): Promise<string> {
  const index = emptied.findIndex((entry) => !fresh || !entry.migrated);
  if (index >= 0) return emptied.splice(index, 1)[0]!.schema;
  const schema = `pubmeta_test_${process.pid}_${randomBytes(5).toString('hex')}`;
  await adminQuery(`CREATE SCHEMA ${schema}`);
  return schema;
}

/**
 * Empties every table but the migration log, ready for the next test: DELETEs with foreign-key
 * triggers off (a few ms; needs a superuser, as the local trust-auth `postgres` is), else
 * TRUNCATE (~100 ms: it replaces every table's files).
 */
async function emptySchema(schema: string): Promise<void> {
  const tables = (await adminQuery<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE schemaname = $1 AND tablename <> 'schema_migrations'`, [schema])).map(
    (t) => `${schema}.${t.tablename}`,
  );
  if (tables.length > 0) {
    await adminQuery(`BEGIN; SET LOCAL session_replication_role = replica; ${tables.map((t) => `DELETE FROM ${t};`).join(' ')} COMMIT;`).catch(() =>
      adminQuery(`TRUNCATE ${tables.join(', ')} CASCADE`),
    );
  }
  emptied.push({ schema, migrated: tables.length > 0 });
}

afterAll(async () => {
  for (const { schema } of emptied.splice(0)) await adminQuery(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
});

export const postgresBackend: Backend = {
  name: 'postgres',
  skip: postgresSkip,
  async createTarget(options = {}) {
    const schema = await takeSchema(options.fresh ?? false);
    const url = postgresUrlForSchema(schema);
    let dropped = false;
    return {
      backend: 'postgres',
      db: url,
      open: (openOptions) => openStore({ kind: 'postgres', url }, openOptions),
      drop: async () => {
        if (dropped) return;
        dropped = true;
        await emptySchema(schema);
      },
    };
  },
};

export const BACKENDS: readonly Backend[] = [sqliteBackend, postgresBackend];

/**
 * describe() once per backend: `describeBackends('deposits', (backend) => { ... })` gives
 * "deposits [sqlite]" and "deposits [postgres]", the latter skipped when PostgreSQL is absent.
 */
export function describeBackends(title: string, body: (backend: Backend) => void): void {
  for (const backend of BACKENDS) {
    describe.skipIf(backend.skip !== undefined)(`${title} [${backend.name}]`, () => body(backend));
  }
}

/**
 * Fresh stores for the tests of one describe block, closed and dropped after each test (or,
 * with scope 'suite', after the block).
 */
export function useTestStores(backend: Backend, scope: 'test' | 'suite' = 'test') {
  const open: { store?: Store; target: TestTarget }[] = [];
  const cleanup = async () => {
    while (open.length) {
      const entry = open.pop()!;
      await entry.store?.close().catch(() => undefined);
      await entry.target.drop();
    }
  };
  if (scope === 'test') afterEach(cleanup);
  else afterAll(cleanup);
  return {
    /** A new empty location (not opened): for suites that hand --db to a CLI. */
    async target(options?: { fresh?: boolean }): Promise<TestTarget> {
      const target = await backend.createTarget(options);
      open.push({ target });
      return target;
    },
    /** A new empty store, opened. */
    async store(options?: OpenStoreOptions): Promise<Store> {
      const target = await backend.createTarget();
      const store = await target.open(options);
      open.push({ store, target });
      return store;
    },
    /** Opens `target` again (another connection to the same data), closed with the rest. */
    async reopen(target: TestTarget, options?: OpenStoreOptions): Promise<Store> {
      const store = await target.open(options);
      open.push({ store, target: { ...target, drop: async () => undefined } });
      return store;
    },
  };
}
