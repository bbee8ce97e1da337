import type { ArticleRecord } from '../../model/types.js';
import { toDatestamp } from '../canonical.js';
import { scanSearch } from '../search.js';
import { prepareRecordWrite, toStoredRecord, upsertOutcome, type RecordRowData } from '../recordRows.js';
import type { Datestamp, ListOptions, RecordQuery, RecordRepository, SetInfo, StoredRecord, UpsertResult } from '../types.js';
import { statement, type Db, type SqliteAccess } from './connection.js';

const STATE = 'SELECT datestamp, deleted, content_hash, set_specs FROM records WHERE local_id = ?';
const INSERT = `INSERT INTO records (local_id, datestamp, deleted, json, content_hash, set_specs, created_at)
  VALUES (@localId, @datestamp, 0, @json, @hash, @setSpecs, @datestamp)`;
const UPDATE = `UPDATE records SET datestamp = @datestamp, deleted = 0, json = @json, content_hash = @hash, set_specs = @setSpecs
  WHERE local_id = @localId`;
const CLEAR_SETS = 'DELETE FROM record_sets WHERE local_id = ?';
const ADD_SET = 'INSERT INTO record_sets (set_spec, datestamp, local_id) VALUES (?, ?, ?)';
const NAME_SET = `INSERT INTO sets (set_spec, set_name) VALUES (?, ?)
  ON CONFLICT (set_spec) DO UPDATE SET set_name = excluded.set_name WHERE set_name <> excluded.set_name`;

interface StateRow {
  datestamp: string;
  deleted: number;
  content_hash: string;
  set_specs: string;
}

export class SqliteRecords implements RecordRepository {
  constructor(
    private readonly access: SqliteAccess,
    private readonly clock: () => Date,
  ) {}

  upsert(record: ArticleRecord, options: { localId?: string; now?: Date } = {}): Promise<UpsertResult> {
    return this.access.write((db) => this.upsertOne(db, record, options));
  }

  upsertMany(records: Iterable<ArticleRecord>, options: { now?: Date } = {}): Promise<UpsertResult[]> {
    return this.access.write((db) => {
      const results: UpsertResult[] = [];
      for (const record of records) results.push(this.upsertOne(db, record, options));
      return results;
    });
  }

  private upsertOne(db: Db, record: ArticleRecord, options: { localId?: string; now?: Date }): UpsertResult {
    const write = prepareRecordWrite(record, options.localId);
    const row = statement<[string], StateRow>(db, STATE).get(write.localId);
    const existing = row && { deleted: row.deleted === 1, contentHash: row.content_hash, setSpecs: row.set_specs, datestamp: row.datestamp };
    const outcome = upsertOutcome(existing, write);
    if (outcome === 'unchanged') return { localId: write.localId, outcome, datestamp: existing!.datestamp };
    const datestamp = toDatestamp(options.now ?? this.clock());
    statement(db, existing ? UPDATE : INSERT).run({ localId: write.localId, datestamp, json: write.json, hash: write.hash, setSpecs: write.setSpecs });
    statement(db, CLEAR_SETS).run(write.localId);
    for (const set of write.sets) {
      statement(db, NAME_SET).run(set.setSpec, set.setName);
      statement(db, ADD_SET).run(set.setSpec, datestamp, write.localId);
    }
    return { localId: write.localId, outcome, datestamp };
  }

  delete(localId: string, options: { now?: Date } = {}): Promise<boolean> {
    return this.access.write((db) => {
      const existing = statement<[string], StateRow>(db, STATE).get(localId);
      if (!existing) return false;
      // Already a tombstone: its datestamp stays the time of deletion (§2.5.1).
      if (existing.deleted) return true;
      const datestamp = toDatestamp(options.now ?? this.clock());
      statement(db, 'UPDATE records SET deleted = 1, datestamp = ? WHERE local_id = ?').run(datestamp, localId);
      statement(db, 'UPDATE record_sets SET datestamp = ? WHERE local_id = ?').run(datestamp, localId);
      return true;
    });
  }

  get(localId: string): Promise<StoredRecord | undefined> {
    return this.access.read((db) => {
      const row = statement<[string], RecordRowData>(db, 'SELECT * FROM records WHERE local_id = ?').get(localId);
      return row ? toStoredRecord(row, true) : undefined;
    });
  }

  list(query: RecordQuery, limit: number, options: ListOptions = {}): Promise<StoredRecord[]> {
    const withJson = !options.headersOnly;
    const { sql, params } = buildSelection(query);
    const columns = `r.local_id, r.datestamp, r.deleted, r.content_hash, r.set_specs${withJson ? ', r.json' : ''}`;
    const from = query.set !== undefined ? 'record_sets m JOIN records r ON r.local_id = m.local_id' : 'records r';
    const order = query.set !== undefined ? 'm.datestamp, m.local_id' : 'r.datestamp, r.local_id';
    const text = `SELECT ${columns} FROM ${from} ${sql} ORDER BY ${order} LIMIT ?`;
    return this.access.read((db) => {
      const rows = statement<unknown[], RecordRowData>(db, text).all(...params, limit);
      return rows.map((row) => toStoredRecord(row, withJson));
    });
  }

  count(query: RecordQuery): Promise<number> {
    const { sql, params } = buildSelection(query);
    const from = query.set !== undefined ? 'record_sets m' : 'records r';
    return this.access.read((db) => statement<unknown[], { n: number }>(db, `SELECT COUNT(*) AS n FROM ${from} ${sql}`).get(...params)!.n);
  }

  earliestDatestamp(): Promise<Datestamp | undefined> {
    return this.access.read((db) => statement<[], { d: string | null }>(db, 'SELECT MIN(datestamp) AS d FROM records').get()?.d ?? undefined);
  }

  listSets(): Promise<SetInfo[]> {
    return this.access.read((db) =>
      statement<[], { set_spec: string; set_name: string }>(
        db,
        `SELECT set_spec, set_name FROM sets s
         WHERE EXISTS (SELECT 1 FROM record_sets m WHERE m.set_spec = s.set_spec) ORDER BY set_spec`,
      )
        .all()
        .map((row) => ({ setSpec: row.set_spec, setName: row.set_name })),
    );
  }

  hasSets(): Promise<boolean> {
    return this.access.read((db) => statement<[], { n: number }>(db, 'SELECT EXISTS (SELECT 1 FROM record_sets) AS n').get()!.n === 1);
  }

  search(query: string, limit: number): Promise<StoredRecord[]> {
    return scanSearch(
      (patterns, before, chunk) => {
        const conditions = ['deleted = 0', ...patterns.map(() => "json LIKE ? ESCAPE '\\'")];
        const params: unknown[] = [...patterns];
        if (before) {
          conditions.push('(datestamp, local_id) < (?, ?)');
          params.push(before.datestamp, before.localId);
        }
        const text = `SELECT local_id, datestamp, deleted, content_hash, set_specs, json FROM records
          WHERE ${conditions.join(' AND ')} ORDER BY datestamp DESC, local_id DESC LIMIT ?`;
        return this.access.read((db) => statement<unknown[], RecordRowData>(db, text).all(...params, chunk).map((row) => toStoredRecord(row, true)));
      },
      query,
      limit,
    );
  }

  stats(): Promise<{ total: number; deleted: number }> {
    return this.access.read((db) => {
      const row = statement<[], { total: number; deleted: number | null }>(db, 'SELECT COUNT(*) AS total, SUM(deleted) AS deleted FROM records').get()!;
      return { total: row.total, deleted: row.deleted ?? 0 };
    });
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
