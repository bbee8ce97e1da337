import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, SqliteRecordStore, type Db } from '../../src/store/index.js';

export interface TempStore {
  dir: string;
  file: string;
  db: Db;
  store: SqliteRecordStore;
  close(): void;
}

/** A fresh SQLite store in its own temporary directory. */
export function openTempStore(prefix = 'pubmeta-crossref-'): TempStore {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const file = join(dir, 'pubmeta.db');
  const db = openDatabase(file);
  const store = new SqliteRecordStore(db);
  return {
    dir,
    file,
    db,
    store,
    close() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const TEST_DEPOSITOR = { depositor: { name: 'pubmeta tests', email: 'deposits@example.org' }, registrant: 'pubmeta test registrant' };

/** Client pacing small enough for tests, still exercising the backoff paths. */
export const FAST_CLIENT = { minRetryDelayMs: 10, maxRetryDelayMs: 100, pollInitialDelayMs: 5, pollMaxDelayMs: 20, pollTimeoutMs: 10_000 };
