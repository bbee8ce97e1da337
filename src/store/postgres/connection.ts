import { createHash } from 'node:crypto';
import pg from 'pg';
import { POSTGRES_MIGRATIONS } from './migrations.js';

export type PgRow = Record<string, unknown>;

/**
 * How a repository reaches PostgreSQL: through the pool (each statement on any free client,
 * autocommit), or through the one client a transaction holds.
 */
export interface PgAccess {
  readonly inTransaction: boolean;
  query<R extends PgRow = PgRow>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** Rows affected. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  /** Several statements as one: a transaction of their own, or part of the open one. */
  atomic<T>(fn: (access: PgAccess) => Promise<T>): Promise<T>;
}

type Queryable = Pick<pg.PoolClient, 'query'>;

const statementNames = new Map<string, string>();

/** Statements are prepared once per connection under a name derived from their text. */
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (!name) {
    name = `pm_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
    statementNames.set(sql, name);
  }
  return name;
}

/**
 * Parameters as PostgreSQL takes them: bigints as decimal text, and U+0000 (which a text value
 * cannot hold; XML and JSON text never legitimately carry it) as U+FFFD.
 */
function prepareParams(params: readonly unknown[]): unknown[] {
  return params.map((value) => {
    if (typeof value === 'bigint') return value.toString();
    if (typeof value === 'string' && value.includes('\u0000')) return value.replaceAll('\u0000', '\uFFFD');
    if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' && v.includes('\u0000') ? v.replaceAll('\u0000', '\uFFFD') : v));
    return value;
  });
}

async function execute<R extends PgRow>(target: Queryable, sql: string, params: readonly unknown[]): Promise<pg.QueryResult<R>> {
  return target.query<R>({ name: statementName(sql), text: sql, values: prepareParams(params) });
}

export function poolAccess(pool: pg.Pool): PgAccess {
  const access: PgAccess = {
    inTransaction: false,
    query: async (sql, params = []) => (await execute(pool, sql, params)).rows as never,
    run: async (sql, params = []) => (await execute(pool, sql, params)).rowCount ?? 0,
    atomic: (fn) => inClientTransaction(pool, (client) => fn(clientAccess(client, () => true))),
  };
  return access;
}

/** `isOpen` guards against a transaction's repositories being used after it has ended. */
export function clientAccess(client: pg.PoolClient, isOpen: () => boolean): PgAccess {
  const check = () => {
    if (!isOpen()) throw new Error('the transaction has ended: use the store, not the transaction');
  };
  const access: PgAccess = {
    inTransaction: true,
    query: async (sql, params = []) => {
      check();
      return (await execute(client, sql, params)).rows as never;
    },
    run: async (sql, params = []) => {
      check();
      return (await execute(client, sql, params)).rowCount ?? 0;
    },
    atomic: (fn) => fn(access),
  };
  return access;
}

/** BEGIN ... COMMIT on one pooled client; ROLLBACK when `fn` throws. */
export async function inClientTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    try {
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => {
        broken = rollbackError;
      });
      throw error;
    }
  } finally {
    // A client whose rollback failed is in an unknown state: discard it rather than reuse it.
    client.release(broken);
  }
}

/** The pool, with bigint columns (int8) read as decimal strings (pg's default) and the schema migrated. */
export async function openPool(url: string): Promise<pg.Pool> {
  const pool = new pg.Pool({ connectionString: url, max: 10, idleTimeoutMillis: 10_000 });
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  try {
    await applyMigrations(pool);
    return pool;
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
}

/**
 * Applies each namespace's missing migrations, in one transaction under an advisory lock per
 * schema, so two processes starting at once cannot both apply them.
 */
async function applyMigrations(pool: pg.Pool): Promise<void> {
  await inClientTransaction(pool, async (client) => {
    const schema = (await client.query<{ s: string | null }>('SELECT current_schema() AS s')).rows[0]?.s;
    if (!schema) throw new Error('the PostgreSQL search_path names no existing schema to create the pubmeta tables in');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`pubmeta-migrations:${schema}`]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      namespace text COLLATE "C" NOT NULL,
      version integer NOT NULL,
      applied_at text NOT NULL,
      PRIMARY KEY (namespace, version)
    )`);
    const applied = new Map(
      (await client.query<{ namespace: string; v: number }>('SELECT namespace, MAX(version) AS v FROM schema_migrations GROUP BY namespace')).rows.map((r) => [
        r.namespace,
        Number(r.v),
      ]),
    );
    for (const [namespace, migrations] of Object.entries(POSTGRES_MIGRATIONS)) {
      for (let version = (applied.get(namespace) ?? 0) + 1; version <= migrations.length; version++) {
        await client.query(migrations[version - 1]!);
        await client.query('INSERT INTO schema_migrations (namespace, version, applied_at) VALUES ($1, $2, $3)', [namespace, version, new Date().toISOString()]);
      }
    }
  });
}
