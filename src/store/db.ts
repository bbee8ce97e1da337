import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export type Db = Database.Database;

/** The store file: --db FILE, else PUBMETA_DB, else ./pubmeta.db. */
export function resolveDbPath(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  // An empty PUBMETA_DB counts as unset (resolving '' would name the working directory).
  return resolve(explicit || env.PUBMETA_DB || 'pubmeta.db');
}

/**
 * Opens (creating if needed) the SQLite store in WAL mode. WAL lets the OAI server read while
 * a harvest or import writes; busy_timeout makes a second process wait instead of failing.
 */
export function openDatabase(file: string): Db {
  if (file !== ':memory:') mkdirSync(dirname(resolve(file)), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 10000');
  db.pragma('foreign_keys = ON');
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    namespace TEXT NOT NULL,
    version INTEGER NOT NULL,
    applied_at TEXT NOT NULL,
    PRIMARY KEY (namespace, version)
  )`);
  return db;
}

/**
 * Applies each capability's migrations once, in order. Every capability (records, harvest,
 * crossref, worker) owns its tables under its own namespace, so they evolve independently.
 */
export function applyMigrations(db: Db, namespace: string, migrations: readonly string[]): void {
  const row = db
    .prepare('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations WHERE namespace = ?')
    .get(namespace) as { v: number };
  if (row.v >= migrations.length) return;
  const apply = db.transaction(() => {
    const again = db
      .prepare('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations WHERE namespace = ?')
      .get(namespace) as { v: number };
    for (let version = again.v + 1; version <= migrations.length; version++) {
      db.exec(migrations[version - 1]!);
      db.prepare('INSERT INTO schema_migrations (namespace, version, applied_at) VALUES (?, ?, ?)').run(
        namespace,
        version,
        new Date().toISOString(),
      );
    }
  });
  apply.immediate();
}
