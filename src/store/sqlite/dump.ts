import Database from 'better-sqlite3';
import type { TableDump } from '../migrate.js';

/** Tables that are bookkeeping of the engine, not data: never copied. */
const SKIPPED = new Set(['schema_migrations']);

/**
 * Every data table of a SQLite store, in creation order (parents before the tables that
 * reference them), each with its columns and a reader of its rows in pages. Integers are read
 * as bigints (Crossref timestamps exceed 2^53). Opened read-only; `close` when done.
 */
export function openSqliteDump(path: string): { tables: TableDump[]; close(): void } {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  const names = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid`).all() as { name: string }[])
    .map((r) => r.name)
    .filter((name) => !SKIPPED.has(name));
  const tables: TableDump[] = names.map((name): TableDump => {
    const quoted = `"${name.replaceAll('"', '""')}"`;
    const columns = (db.prepare(`PRAGMA table_info(${quoted})`).all() as { name: string }[]).map((c) => c.name);
    return {
      name,
      columns,
      count: () => Number((db.prepare(`SELECT COUNT(*) AS n FROM ${quoted}`).get() as { n: number }).n),
      nonNull: (column: string) =>
        Number((db.prepare(`SELECT COUNT(*) AS n FROM ${quoted} WHERE "${column.replaceAll('"', '""')}" IS NOT NULL`).get() as { n: number }).n),
      *rows(pageSize: number) {
        // Pages by LIMIT/OFFSET over a stable order (every column): no statement is held open
        // while the caller writes elsewhere, and WITHOUT ROWID tables work as well.
        const order = columns.map((_, i) => String(i + 1)).join(', ');
        const page = db.prepare(`SELECT * FROM ${quoted} ORDER BY ${order} LIMIT ? OFFSET ?`).raw(true).safeIntegers(true);
        for (let offset = 0; ; offset += pageSize) {
          const rows = page.all(pageSize, offset) as unknown[][];
          if (rows.length > 0) yield rows;
          if (rows.length < pageSize) return;
        }
      },
    };
  });
  return { tables, close: () => db.close() };
}
