import { applyMigrations, type Db } from '../store/db.js';

const WORKER_MIGRATIONS = [
  `CREATE TABLE worker_leases (
     job TEXT PRIMARY KEY,
     owner TEXT NOT NULL,
     acquired_at TEXT NOT NULL,
     heartbeat_at TEXT NOT NULL,
     expires_at INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE TABLE worker_runs (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     job TEXT NOT NULL,
     owner TEXT NOT NULL,
     trigger TEXT NOT NULL,
     started_at TEXT NOT NULL,
     ended_at TEXT,
     status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'interrupted')),
     counts TEXT,
     error TEXT
   );
   CREATE INDEX worker_runs_by_job ON worker_runs (job, id);
   CREATE TABLE worker_checkpoints (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at TEXT NOT NULL) WITHOUT ROWID;
   CREATE TABLE worker_export_state (
     profile TEXT NOT NULL,
     local_id TEXT NOT NULL,
     content_hash TEXT NOT NULL,
     exported_at TEXT NOT NULL,
     PRIMARY KEY (profile, local_id)
   ) WITHOUT ROWID;`,
];

/** Creates (once) the worker's tables: leases, run history, checkpoints, export state. */
export function applyWorkerMigrations(db: Db): void {
  applyMigrations(db, 'worker', WORKER_MIGRATIONS);
}

export function readCheckpoint(db: Db, key: string): string | undefined {
  const row = db.prepare('SELECT value FROM worker_checkpoints WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value;
}

export function writeCheckpoint(db: Db, key: string, value: string): void {
  db.prepare(
    'INSERT INTO worker_checkpoints (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
  ).run(key, value, new Date().toISOString());
}
