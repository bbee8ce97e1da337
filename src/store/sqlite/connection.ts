import Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SQLITE_MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

/**
 * Opens (creating if needed) a SQLite store file in WAL mode and brings every namespace's schema
 * up to date. WAL lets readers (the OAI server, another process) read while one writer writes;
 * busy_timeout makes a second process wait for the write lock instead of failing.
 */
export function openWriter(file: string): Db {
  if (file !== ':memory:') mkdirSync(dirname(resolve(file)), { recursive: true });
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 10000');
    db.pragma('foreign_keys = ON');
    applyMigrations(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * A second, read-only connection for reads outside transactions. In WAL mode it sees only
 * committed data, so a reader never observes the writer's open transaction, and reads never
 * wait for the write lock.
 */
export function openReader(file: string): Db {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 10000');
  // 4 MB of page cache, not better-sqlite3's 16 MB: the reader's big work is the OAI list scan,
  // which reads each record's part once (from the OS cache) and only keeps reusing the indexes'
  // upper pages; a full 16 MB of parts read once is server memory for nothing.
  db.pragma(`cache_size = -${READER_CACHE_KIB}`);
  return db;
}

const READER_CACHE_KIB = 4_096;

function currentVersion(db: Db, namespace: string): number {
  const row = db.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations WHERE namespace = ?').get(namespace) as { v: number };
  return row.v;
}

/**
 * Applies each namespace's missing migrations in one IMMEDIATE transaction, so two processes
 * opening a new file at once cannot both apply them.
 */
function applyMigrations(db: Db): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    namespace TEXT NOT NULL,
    version INTEGER NOT NULL,
    applied_at TEXT NOT NULL,
    PRIMARY KEY (namespace, version)
  )`);
  const pending = Object.entries(SQLITE_MIGRATIONS).some(([namespace, list]) => currentVersion(db, namespace) < list.length);
  if (!pending) return;
  db.transaction(() => {
    for (const [namespace, migrations] of Object.entries(SQLITE_MIGRATIONS)) {
      for (let version = currentVersion(db, namespace) + 1; version <= migrations.length; version++) {
        db.exec(migrations[version - 1]!);
        db.prepare('INSERT INTO schema_migrations (namespace, version, applied_at) VALUES (?, ?, ?)').run(namespace, version, new Date().toISOString());
      }
    }
  }).immediate();
}

/** Applied migration versions by namespace. */
export function schemaVersions(db: Db): Record<string, number> {
  const rows = db.prepare('SELECT namespace, MAX(version) AS v FROM schema_migrations GROUP BY namespace').all() as { namespace: string; v: number }[];
  return Object.fromEntries(rows.map((r) => [r.namespace, r.v]));
}

const statementCache = new WeakMap<Db, Map<string, Statement>>();

/** A prepared statement, prepared once per connection. */
export function statement<P extends unknown[] | {} = unknown[], R = unknown>(db: Db, sql: string): Statement<P, R> {
  let cache = statementCache.get(db);
  if (!cache) statementCache.set(db, (cache = new Map()));
  let prepared = cache.get(sql);
  if (!prepared) cache.set(sql, (prepared = db.prepare(sql)));
  return prepared as unknown as Statement<P, R>;
}

/**
 * All rows of a query, each an object built here from the row's values: better-sqlite3 names
 * every column of every row through the V8 API, which on a list page's fifteen columns costs
 * about as much as the query itself. The statement is prepared once per connection, in raw mode.
 */
export function allRows<R>(db: Db, sql: string, params: readonly unknown[]): R[] {
  let cache = statementCache.get(db);
  if (!cache) statementCache.set(db, (cache = new Map()));
  const key = `raw:${sql}`;
  let prepared = cache.get(key);
  if (!prepared) cache.set(key, (prepared = db.prepare(sql).raw(true)));
  const names = prepared.columns().map((column) => column.name);
  const rows = prepared.all(...params) as unknown[][];
  const out: R[] = new Array<R>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const values = rows[i]!;
    const row: Record<string, unknown> = {};
    for (let c = 0; c < names.length; c++) row[names[c]!] = values[c];
    out[i] = row as R;
  }
  return out;
}

/** Promise-chained exclusive lock: one writer at a time on the single writer connection. */
export class Mutex {
  #tail: Promise<void> = Promise.resolve();

  run<T>(fn: () => T | Promise<T>): Promise<T> {
    const result = this.#tail.then(fn);
    this.#tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

/**
 * How a repository reaches SQLite. Outside a transaction, reads go to the read-only connection
 * and writes take the write lock (each write its own IMMEDIATE transaction); inside one, both
 * run on the writer, which the transaction holds.
 */
export interface SqliteAccess {
  read<T>(fn: (db: Db) => T): Promise<T>;
  write<T>(fn: (db: Db) => T): Promise<T>;
  readonly inTransaction: boolean;
}

export function outsideTransaction(writer: Db, reader: Db, lock: Mutex): SqliteAccess {
  return {
    inTransaction: false,
    read: (fn) => {
      try {
        return Promise.resolve(fn(reader));
      } catch (error) {
        return Promise.reject(error as Error);
      }
    },
    write: (fn) => lock.run(() => writer.transaction(() => fn(writer)).immediate()),
  };
}

/** `isOpen` guards against a transaction's repositories being used after it has ended. */
export function insideTransaction(writer: Db, isOpen: () => boolean): SqliteAccess {
  const run = <T>(fn: () => T): Promise<T> => {
    try {
      if (!isOpen()) throw new Error('the transaction has ended: use the store, not the transaction');
      return Promise.resolve(fn());
    } catch (error) {
      return Promise.reject(error as Error);
    }
  };
  return {
    inTransaction: true,
    read: (fn) => run(() => fn(writer)),
    // A savepoint: a write that fails half-way leaves nothing behind in the open transaction.
    write: (fn) => run(() => writer.transaction(() => fn(writer))()),
  };
}
