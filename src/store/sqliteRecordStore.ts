import type { Statement } from 'better-sqlite3';
import { recordLocalId } from '../model/index.js';
import type { ArticleRecord } from '../model/types.js';
import { applyMigrations, type Db } from './db.js';
import { contentHash, toDatestamp } from './canonical.js';
import { recordSetSpecs, recordSets } from './setSpecs.js';
import type { Datestamp, RecordQuery, RecordStore, SetInfo, StoredRecord, UpsertResult } from './types.js';

/**
 * Schema of the 'records' namespace. Datestamps are ISO strings at seconds granularity, which
 * sort lexically in time order, so (datestamp, local_id) is a total order for keyset paging.
 * record_sets repeats the datestamp so a set-restricted page is one index range scan; it holds
 * every set a record is in, ancestors included (hierarchical matching is an equality lookup).
 */
export const RECORD_STORE_MIGRATIONS: readonly string[] = [
  `CREATE TABLE records (
     local_id TEXT PRIMARY KEY,
     datestamp TEXT NOT NULL,
     deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
     json TEXT NOT NULL,
     content_hash TEXT NOT NULL,
     set_specs TEXT NOT NULL,
     created_at TEXT NOT NULL
   ) WITHOUT ROWID;
   CREATE INDEX records_by_datestamp ON records (datestamp, local_id);
   CREATE TABLE record_sets (
     set_spec TEXT NOT NULL,
     datestamp TEXT NOT NULL,
     local_id TEXT NOT NULL REFERENCES records (local_id) ON DELETE CASCADE,
     PRIMARY KEY (set_spec, datestamp, local_id)
   ) WITHOUT ROWID;
   CREATE INDEX record_sets_by_record ON record_sets (local_id);
   CREATE TABLE sets (
     set_spec TEXT PRIMARY KEY,
     set_name TEXT NOT NULL
   ) WITHOUT ROWID;
   CREATE TABLE store_meta (
     key TEXT PRIMARY KEY,
     value TEXT NOT NULL
   ) WITHOUT ROWID;`,
];

export interface SqliteRecordStoreOptions {
  /** Source of datestamps (seconds are kept). Default: the system clock. */
  clock?: () => Date;
}

export interface ListOptions {
  /** Skip reading and parsing record JSON (ListIdentifiers needs headers only). */
  headersOnly?: boolean;
}

interface RecordRow {
  local_id: string;
  datestamp: string;
  deleted: number;
  json?: string;
  content_hash: string;
  set_specs: string;
}

export class SqliteRecordStore implements RecordStore {
  readonly db: Db;
  private readonly clock: () => Date;
  private readonly listStatements = new Map<string, Statement>();
  private readonly countStatements = new Map<string, Statement>();
  private readonly statements;

  constructor(db: Db, options: SqliteRecordStoreOptions = {}) {
    this.db = db;
    this.clock = options.clock ?? (() => new Date());
    applyMigrations(db, 'records', RECORD_STORE_MIGRATIONS);
    this.statements = {
      state: db.prepare<[string], Pick<RecordRow, 'datestamp' | 'deleted' | 'content_hash' | 'set_specs'>>(
        'SELECT datestamp, deleted, content_hash, set_specs FROM records WHERE local_id = ?',
      ),
      get: db.prepare<[string], RecordRow>('SELECT * FROM records WHERE local_id = ?'),
      insert: db.prepare(
        `INSERT INTO records (local_id, datestamp, deleted, json, content_hash, set_specs, created_at)
         VALUES (@localId, @datestamp, 0, @json, @hash, @setSpecs, @datestamp)`,
      ),
      update: db.prepare(
        `UPDATE records SET datestamp = @datestamp, deleted = 0, json = @json, content_hash = @hash, set_specs = @setSpecs
         WHERE local_id = @localId`,
      ),
      markDeleted: db.prepare('UPDATE records SET deleted = 1, datestamp = ? WHERE local_id = ?'),
      clearSets: db.prepare('DELETE FROM record_sets WHERE local_id = ?'),
      addSet: db.prepare('INSERT INTO record_sets (set_spec, datestamp, local_id) VALUES (?, ?, ?)'),
      moveSets: db.prepare('UPDATE record_sets SET datestamp = ? WHERE local_id = ?'),
      nameSet: db.prepare(
        `INSERT INTO sets (set_spec, set_name) VALUES (?, ?)
         ON CONFLICT (set_spec) DO UPDATE SET set_name = excluded.set_name WHERE set_name <> excluded.set_name`,
      ),
      earliest: db.prepare<[], { d: string | null }>('SELECT MIN(datestamp) AS d FROM records'),
      listSets: db.prepare<[], { set_spec: string; set_name: string }>(
        `SELECT set_spec, set_name FROM sets s
         WHERE EXISTS (SELECT 1 FROM record_sets m WHERE m.set_spec = s.set_spec) ORDER BY set_spec`,
      ),
      hasSets: db.prepare<[], { n: number }>(
        'SELECT EXISTS (SELECT 1 FROM record_sets) AS n',
      ),
      getMeta: db.prepare<[string], { value: string }>('SELECT value FROM store_meta WHERE key = ?'),
      putMeta: db.prepare('INSERT INTO store_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING'),
      stats: db.prepare<[], { total: number; deleted: number | null }>(
        'SELECT COUNT(*) AS total, SUM(deleted) AS deleted FROM records',
      ),
    };
  }

  upsert(record: ArticleRecord, options: { localId?: string; now?: Date } = {}): UpsertResult {
    return this.db.transaction(() => this.upsertOne(record, options))();
  }

  /** Upserts many records in one transaction (one fsync): the importer's and loaders' path. */
  upsertMany(records: Iterable<ArticleRecord>, options: { now?: Date } = {}): UpsertResult[] {
    return this.db.transaction(() => {
      const results: UpsertResult[] = [];
      for (const record of records) results.push(this.upsertOne(record, options));
      return results;
    })();
  }

  private upsertOne(record: ArticleRecord, options: { localId?: string; now?: Date }): UpsertResult {
    const localId = options.localId ?? recordLocalId(record);
    if (!localId) throw new Error('record has neither id nor doi: cannot store it');
    const hash = contentHash(record);
    const headerSets = recordSetSpecs(record);
    const setSpecs = JSON.stringify(headerSets);
    const existing = this.statements.state.get(localId);
    if (existing && !existing.deleted && existing.content_hash === hash && existing.set_specs === setSpecs) {
      return { localId, outcome: 'unchanged', datestamp: existing.datestamp };
    }
    const datestamp = toDatestamp(options.now ?? this.clock());
    const row = { localId, datestamp, json: JSON.stringify(record), hash, setSpecs };
    if (existing) this.statements.update.run(row);
    else this.statements.insert.run(row);
    this.statements.clearSets.run(localId);
    for (const set of recordSets(record)) {
      this.statements.nameSet.run(set.setSpec, set.setName);
      this.statements.addSet.run(set.setSpec, datestamp, localId);
    }
    const outcome = !existing ? 'created' : existing.deleted ? 'undeleted' : 'updated';
    return { localId, outcome, datestamp };
  }

  delete(localId: string, options: { now?: Date } = {}): boolean {
    return this.db.transaction(() => {
      const existing = this.statements.state.get(localId);
      if (!existing) return false;
      // Already a tombstone: its datestamp stays the time of deletion (§2.5.1).
      if (existing.deleted) return true;
      const datestamp = toDatestamp(options.now ?? this.clock());
      this.statements.markDeleted.run(datestamp, localId);
      this.statements.moveSets.run(datestamp, localId);
      return true;
    })();
  }

  get(localId: string): StoredRecord | undefined {
    const row = this.statements.get.get(localId);
    return row ? toStoredRecord(row, true) : undefined;
  }

  list(query: RecordQuery, limit: number, options: ListOptions = {}): StoredRecord[] {
    const withJson = !options.headersOnly;
    const { sql, params } = buildSelection(query);
    const key = `${sql}|${withJson}`;
    let statement = this.listStatements.get(key);
    if (!statement) {
      const columns = `r.local_id, r.datestamp, r.deleted, r.content_hash, r.set_specs${withJson ? ', r.json' : ''}`;
      const from = query.set !== undefined
        ? 'record_sets m JOIN records r ON r.local_id = m.local_id'
        : 'records r';
      const order = query.set !== undefined ? 'm.datestamp, m.local_id' : 'r.datestamp, r.local_id';
      statement = this.db.prepare(`SELECT ${columns} FROM ${from} ${sql} ORDER BY ${order} LIMIT ?`);
      this.listStatements.set(key, statement);
    }
    const rows = statement.all(...params, limit) as RecordRow[];
    return rows.map((row) => toStoredRecord(row, withJson));
  }

  count(query: RecordQuery): number {
    const { sql, params } = buildSelection(query);
    let statement = this.countStatements.get(sql);
    if (!statement) {
      const from = query.set !== undefined ? 'record_sets m' : 'records r';
      statement = this.db.prepare(`SELECT COUNT(*) AS n FROM ${from} ${sql}`);
      this.countStatements.set(sql, statement);
    }
    return (statement.get(...params) as { n: number }).n;
  }

  earliestDatestamp(): Datestamp | undefined {
    return this.statements.earliest.get()?.d ?? undefined;
  }

  listSets(): SetInfo[] {
    return this.statements.listSets.all().map((row) => ({ setSpec: row.set_spec, setName: row.set_name }));
  }

  hasSets(): boolean {
    return this.statements.hasSets.get()!.n === 1;
  }

  /** Number of records, tombstones included, and of tombstones. */
  stats(): { total: number; deleted: number } {
    const row = this.statements.stats.get()!;
    return { total: row.total, deleted: row.deleted ?? 0 };
  }

  /**
   * A value kept in the store, created once by `create` on first use (for example the OAI
   * token secret, so resumption tokens survive restarts). Concurrent first uses agree.
   */
  getOrCreateMeta(key: string, create: () => string): string {
    const found = this.statements.getMeta.get(key);
    if (found) return found.value;
    this.statements.putMeta.run(key, create());
    return this.statements.getMeta.get(key)!.value;
  }
}

/** WHERE clause over alias m (set queries) or r, and its parameters, in a stable shape. */
function buildSelection(query: RecordQuery): { sql: string; params: string[] } {
  const alias = query.set !== undefined ? 'm' : 'r';
  const conditions: string[] = [];
  const params: string[] = [];
  if (query.set !== undefined) {
    conditions.push('m.set_spec = ?');
    params.push(query.set);
  }
  // Past a keyset position at or after `from`, the bound is implied; leaving it out lets SQLite
  // seek straight to the position instead of scanning from `from` on every page.
  if (query.from !== undefined && !(query.after && query.after.datestamp >= query.from)) {
    conditions.push(`${alias}.datestamp >= ?`);
    params.push(query.from);
  }
  if (query.until !== undefined) {
    conditions.push(`${alias}.datestamp <= ?`);
    params.push(query.until);
  }
  if (query.after !== undefined) {
    conditions.push(`(${alias}.datestamp, ${alias}.local_id) > (?, ?)`);
    params.push(query.after.datestamp, query.after.localId);
  }
  return { sql: conditions.length ? `WHERE ${conditions.join(' AND ')}` : '', params };
}

function toStoredRecord(row: RecordRow, withJson: boolean): StoredRecord {
  const deleted = row.deleted === 1;
  const stored: StoredRecord = {
    localId: row.local_id,
    datestamp: row.datestamp,
    sets: JSON.parse(row.set_specs) as string[],
    deleted,
    contentHash: row.content_hash,
  };
  if (withJson && !deleted && row.json !== undefined) stored.record = JSON.parse(row.json) as ArticleRecord;
  return stored;
}
