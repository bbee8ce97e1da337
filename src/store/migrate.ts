// Copying a whole store from SQLite to PostgreSQL (`pubmeta migrate`): every data table, rows as
// they are, counts checked before the copy commits. SQL stays in sqlite/dump.ts and postgres/load.ts.
import { openSqliteDump } from './sqlite/dump.js';
import type { StoreTarget } from './target.js';
import { openStore } from './index.js';

/** One table of a source store: its columns and its rows, page by page. */
export interface TableDump {
  name: string;
  columns: string[];
  count(): number;
  /** Rows whose `column` is not NULL. */
  nonNull(column: string): number;
  rows(pageSize: number): Iterable<unknown[][]>;
}

export interface MigrationReport {
  tables: { table: string; source: number; target: number }[];
}

/**
 * Copies the SQLite store `from` into the PostgreSQL store `to`, which must be new or empty. The
 * source is first opened as a store, so its migrations are applied and both have the same tables.
 * One transaction on the target: on any mismatch nothing is committed.
 */
export async function migrateStore(from: StoreTarget, to: StoreTarget, onTable?: (table: string, rows: number) => void): Promise<MigrationReport> {
  if (from.kind !== 'sqlite') throw new Error('migrate copies from a SQLite store (--from sqlite:FILE)');
  if (to.kind !== 'postgres') throw new Error('migrate copies into a PostgreSQL store (--to postgres://...)');
  await (await openStore(from)).close();
  const dump = openSqliteDump(from.path);
  try {
    const { loadPostgresTables } = await import('./postgres/load.js');
    return { tables: await loadPostgresTables(to.url, dump.tables, onTable) };
  } finally {
    dump.close();
  }
}
