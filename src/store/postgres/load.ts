import type pg from 'pg';
import { inClientTransaction, openPool } from './connection.js';
import type { TableDump } from '../migrate.js';

/** What a PostgreSQL column takes, from its declared type. */
type Kind = 'boolean' | 'bytea' | 'integer' | 'text';

function kindOf(dataType: string): Kind {
  if (dataType === 'boolean') return 'boolean';
  if (dataType === 'bytea') return 'bytea';
  if (dataType === 'bigint' || dataType === 'integer' || dataType === 'smallint' || dataType === 'numeric') return 'integer';
  return 'text';
}

/** A SQLite value as the PostgreSQL column takes it (0/1 flags to booleans, bigints as decimal text). */
function convert(value: unknown, kind: Kind): unknown {
  if (value === null || value === undefined) return null;
  if (kind === 'boolean') return typeof value === 'bigint' ? value !== 0n : typeof value === 'number' ? value !== 0 : value === 'true' || value === '1';
  if (typeof value === 'bigint') return value.toString();
  if (kind === 'bytea' && typeof value === 'string') return Buffer.from(value, 'utf8');
  return value;
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * Loads `tables` into the PostgreSQL store at `url` (migrated first), in one transaction: every
 * table must exist there, hold every column, and be empty. Identity sequences continue after the
 * copied ids. Returns the rows copied per table, counted again in the target before commit.
 */
export async function loadPostgresTables(
  url: string,
  tables: readonly TableDump[],
  onTable?: (table: string, rows: number) => void,
): Promise<{ table: string; source: number; target: number }[]> {
  const pool = await openPool(url);
  try {
    return await inClientTransaction(pool, async (client) => {
      const counts: { table: string; source: number; target: number }[] = [];
      for (const table of tables) {
        const kinds = await columnKinds(client, table);
        const [{ n }] = (await client.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${quote(table.name)}`)).rows as [{ n: string }];
        if (Number(n) > 0) throw new Error(`the target's ${table.name} table is not empty (${n} rows): migrate into a new, empty database or schema`);
        const perInsert = Math.max(1, Math.floor(30_000 / table.columns.length));
        for (const page of table.rows(perInsert)) await insertRows(client, table, kinds, page);
        await continueIdentity(client, table.name);
        const source = table.count();
        const target = Number((await client.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${quote(table.name)}`)).rows[0]!.n);
        counts.push({ table: table.name, source, target });
        onTable?.(table.name, target);
        if (source !== target) throw new Error(`${table.name}: ${source} rows in the source, ${target} copied; nothing was committed`);
      }
      return counts;
    });
  } finally {
    await pool.end();
  }
}

/**
 * The kind of each source column in the target; undefined for a column the target lacks that
 * holds nothing (SQLite-only bookkeeping left by an old migration, such as a lock's pid). A
 * column the target lacks that holds values stops the copy: nothing is dropped silently.
 */
async function columnKinds(client: pg.PoolClient, table: TableDump): Promise<(Kind | undefined)[]> {
  const rows = (
    await client.query<{ column_name: string; data_type: string }>(
      'SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1',
      [table.name],
    )
  ).rows;
  if (rows.length === 0) throw new Error(`the target has no ${table.name} table (is it a pubmeta store of an older version?)`);
  const types = new Map(rows.map((r) => [r.column_name, r.data_type]));
  return table.columns.map((column) => {
    const type = types.get(column);
    if (type !== undefined) return kindOf(type);
    const held = table.nonNull(column);
    if (held > 0) throw new Error(`the target's ${table.name} table has no column ${column}, which holds values in ${held} row(s)`);
    return undefined;
  });
}

async function insertRows(client: pg.PoolClient, table: TableDump, kinds: (Kind | undefined)[], rows: unknown[][]): Promise<void> {
  const params: unknown[] = [];
  const kept = table.columns.map((_, i) => i).filter((i) => kinds[i] !== undefined);
  const tuples = rows.map((row) => `(${kept.map((i) => {
    params.push(convert(row[i], kinds[i]!));
    return `$${params.length}`;
  }).join(', ')})`);
  await client.query(`INSERT INTO ${quote(table.name)} (${kept.map((i) => quote(table.columns[i]!)).join(', ')}) VALUES ${tuples.join(', ')}`, params);
}

/** Identity columns go on after the largest id copied. */
async function continueIdentity(client: pg.PoolClient, table: string): Promise<void> {
  const identities = (
    await client.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND is_identity = 'YES'`,
      [table],
    )
  ).rows;
  for (const { column_name: column } of identities) {
    await client.query(
      `SELECT setval(pg_get_serial_sequence($1, $2), GREATEST(COALESCE((SELECT MAX(${quote(column)}) FROM ${quote(table)}), 0), 1), (SELECT COUNT(*) > 0 FROM ${quote(table)}))`,
      [table, column],
    );
  }
}
