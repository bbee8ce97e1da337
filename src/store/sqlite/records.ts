import type { ArticleRecord } from '../../model/types.js';
import { toDatestamp } from '../canonical.js';
import { scanSearch } from '../search.js';
import {
  LIST_COLUMNS,
  listColumns,
  ORIGIN_COLUMNS,
  groupConflicts,
  originValues,
  prepareRecordWrite,
  toFragment,
  toStoredRecord,
  upsertOutcome,
  type ConflictRow,
  type FragmentRow,
  type RecordRowData,
} from '../recordRows.js';
import type {
  Datestamp,
  DoiConflict,
  FragmentKey,
  ListOptions,
  MetadataFragment,
  RecordOrigin,
  RecordQuery,
  RecordStats,
  RecordRepository,
  RecordScope,
  SetInfo,
  StoredRecord,
  UnrenderedRecord,
  UpsertResult,
} from '../types.js';
import { allRows, statement, type Db, type SqliteAccess } from './connection.js';

const STATE = 'SELECT datestamp, deleted, content_hash, set_specs FROM records WHERE local_id = ?';
const INSERT = `INSERT INTO records (local_id, datestamp, deleted, json, content_hash, set_specs, created_at, ${ORIGIN_COLUMNS.join(', ')})
  VALUES (?, ?, 0, ?, ?, ?, ?, ${ORIGIN_COLUMNS.map(() => '?').join(', ')})`;
const UPDATE = `UPDATE records SET datestamp = ?, deleted = 0, json = ?, content_hash = ?, set_specs = ?,
  ${ORIGIN_COLUMNS.map((c) => `${c} = ?`).join(', ')} WHERE local_id = ?`;
/** Own records only, unless the scope includes harvested ones (alias r). */
const OWN_ONLY = 'r.origin_source IS NULL';
const CONFLICTS = `SELECT doi, local_id, provenance, origin_source, origin_identifier FROM records
  WHERE deleted = 0 AND doi IN (
    SELECT doi FROM records WHERE deleted = 0 AND doi IS NOT NULL GROUP BY doi
    HAVING SUM(origin_source IS NULL) > 0 AND SUM(origin_source IS NOT NULL) > 0)
  ORDER BY doi, local_id`;
const CLEAR_SETS = 'DELETE FROM record_sets WHERE local_id = ?';
const ADD_SET = 'INSERT INTO record_sets (set_spec, datestamp, local_id) VALUES (?, ?, ?)';
const NAME_SET = `INSERT INTO sets (set_spec, set_name) VALUES (?, ?)
  ON CONFLICT (set_spec) DO UPDATE SET set_name = excluded.set_name WHERE set_name <> excluded.set_name`;

const PUT_FRAGMENT = `INSERT INTO record_fragments (local_id, metadata_prefix, content_hash, render_key, xml, error, rendered_at)
  VALUES (?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (local_id, metadata_prefix) DO UPDATE SET content_hash = excluded.content_hash, render_key = excluded.render_key,
    xml = excluded.xml, error = excluded.error, rendered_at = excluded.rendered_at`;

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

  upsert(record: ArticleRecord, options: { localId?: string; now?: Date; origin?: RecordOrigin } = {}): Promise<UpsertResult> {
    return this.access.write((db) => this.upsertOne(db, record, options));
  }

  upsertMany(records: Iterable<ArticleRecord>, options: { now?: Date } = {}): Promise<UpsertResult[]> {
    return this.access.write((db) => {
      const results: UpsertResult[] = [];
      for (const record of records) results.push(this.upsertOne(db, record, options));
      return results;
    });
  }

  private upsertOne(db: Db, record: ArticleRecord, options: { localId?: string; now?: Date; origin?: RecordOrigin }): UpsertResult {
    const write = prepareRecordWrite(record, options.localId, options.origin);
    const row = statement<[string], StateRow>(db, STATE).get(write.localId);
    const existing = row && { deleted: row.deleted === 1, contentHash: row.content_hash, setSpecs: row.set_specs, datestamp: row.datestamp };
    const outcome = upsertOutcome(existing, write);
    if (outcome === 'unchanged') return { localId: write.localId, outcome, datestamp: existing!.datestamp };
    const datestamp = toDatestamp(options.now ?? this.clock());
    if (existing) statement(db, UPDATE).run(datestamp, write.json, write.hash, write.setSpecs, ...originValues(write), write.localId);
    else statement(db, INSERT).run(write.localId, datestamp, write.json, write.hash, write.setSpecs, datestamp, ...originValues(write));
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
    const { sql, params } = buildSelection(query);
    // With a fragment join the JSON is read in a second statement, for the rows that need it
    // only: the page scan then stays on records_headers and the parts, never walking a
    // record's JSON (stored before the header columns, on overflow pages) to reach them.
    // Fragment bytes: the stored UTF-8 as a Buffer, never decoded into a string (CAST keeps the bytes).
    const selected = listColumns(options, () => '?', '0', false, (xml) => `CAST(${xml} AS BLOB)`);
    const from = query.set !== undefined ? `record_sets m JOIN ${recordsById(!selected.withJson || !!options.fragment)} ON r.local_id = m.local_id` : 'records r';
    const order = query.set !== undefined ? 'm.datestamp, m.local_id' : 'r.datestamp, r.local_id';
    // The limit is written into the statement, not bound: with a bound LIMIT this SQLite build
    // prepares the statement again on every run (about half the cost of a 25-row slice).
    if (!Number.isSafeInteger(limit) || limit < 0) throw new Error(`list: limit must be a non-negative integer, not ${limit}`);
    const text = `SELECT ${selected.columns} FROM ${from}${selected.join} ${sql} ORDER BY ${order} LIMIT ${limit}`;
    return this.access.read((db) => {
      const page = () => {
        const rows = allRows<RecordRowData>(db, text, [...selected.params, ...params]);
        if (options.fragment) addMissingJson(db, rows);
        return rows.map((row) => toStoredRecord(row, selected.withJson));
      };
      // One read transaction, so the JSON read second is the version the header row names.
      return options.fragment && !db.inTransaction ? db.transaction(page)() : page();
    });
  }

  putFragments(fragments: readonly MetadataFragment[]): Promise<void> {
    if (fragments.length === 0) return Promise.resolve();
    const now = toDatestamp(this.clock());
    return this.access.write((db) => {
      const put = statement(db, PUT_FRAGMENT);
      for (const f of fragments) put.run(f.localId, f.metadataPrefix, f.contentHash, f.renderKey, f.xml, f.error, now);
    });
  }

  getFragment(localId: string, metadataPrefix: string): Promise<MetadataFragment | undefined> {
    return this.access.read((db) => {
      const row = statement<[string, string], FragmentRow>(db, 'SELECT * FROM record_fragments WHERE local_id = ? AND metadata_prefix = ?').get(localId, metadataPrefix);
      return row && toFragment(row);
    });
  }

  listUnrendered(key: FragmentKey, afterLocalId: string, limit: number, options: { set?: string } = {}): Promise<UnrenderedRecord[]> {
    const inSet = options.set !== undefined ? ' AND r.local_id IN (SELECT local_id FROM record_sets WHERE set_spec = ?)' : '';
    const text = `SELECT r.local_id, r.content_hash, r.json FROM records r
      LEFT JOIN record_fragments f ON f.local_id = r.local_id AND f.metadata_prefix = ? AND f.render_key = ? AND f.content_hash = r.content_hash
      WHERE r.local_id > ? AND r.deleted = 0 AND f.local_id IS NULL${inSet} ORDER BY r.local_id LIMIT ?`;
    const params: unknown[] = [key.metadataPrefix, key.renderKey, afterLocalId, ...(options.set !== undefined ? [options.set] : []), limit];
    return this.access.read((db) =>
      statement<unknown[], { local_id: string; content_hash: string; json: string }>(db, text)
        .all(...params)
        .map((row) => ({ localId: row.local_id, contentHash: row.content_hash, record: JSON.parse(row.json) as ArticleRecord })),
    );
  }

  clearFragments(options: { metadataPrefix?: string; set?: string } = {}): Promise<number> {
    const conditions: string[] = [];
    const params: string[] = [];
    if (options.metadataPrefix !== undefined) {
      conditions.push('metadata_prefix = ?');
      params.push(options.metadataPrefix);
    }
    if (options.set !== undefined) {
      conditions.push('local_id IN (SELECT local_id FROM record_sets WHERE set_spec = ?)');
      params.push(options.set);
    }
    const text = `DELETE FROM record_fragments${conditions.length ? ` WHERE ${conditions.join(' AND ')}` : ''}`;
    return this.access.write((db) => db.prepare(text).run(...params).changes);
  }

  count(query: RecordQuery): Promise<number> {
    const { sql, params } = buildSelection(query);
    const from = query.set === undefined ? 'records r' : query.includeHarvested ? 'record_sets m' : `record_sets m JOIN ${recordsById(true)} ON r.local_id = m.local_id`;
    return this.access.read((db) => statement<unknown[], { n: number }>(db, `SELECT COUNT(*) AS n FROM ${from} ${sql}`).get(...params)!.n);
  }

  earliestDatestamp(scope: RecordScope = {}): Promise<Datestamp | undefined> {
    const where = scope.includeHarvested ? '' : ` WHERE ${OWN_ONLY}`;
    return this.access.read((db) => statement<[], { d: string | null }>(db, `SELECT MIN(r.datestamp) AS d FROM records r${where}`).get()?.d ?? undefined);
  }

  listSets(scope: RecordScope = {}): Promise<SetInfo[]> {
    const members = scope.includeHarvested
      ? 'SELECT 1 FROM record_sets m WHERE m.set_spec = s.set_spec'
      : `SELECT 1 FROM record_sets m JOIN records r ON r.local_id = m.local_id WHERE m.set_spec = s.set_spec AND ${OWN_ONLY}`;
    return this.access.read((db) =>
      statement<[], { set_spec: string; set_name: string }>(db, `SELECT set_spec, set_name FROM sets s WHERE EXISTS (${members}) ORDER BY set_spec`)
        .all()
        .map((row) => ({ setSpec: row.set_spec, setName: row.set_name })),
    );
  }

  hasSets(scope: RecordScope = {}): Promise<boolean> {
    const members = scope.includeHarvested ? 'SELECT 1 FROM record_sets' : `SELECT 1 FROM record_sets m JOIN records r ON r.local_id = m.local_id WHERE ${OWN_ONLY}`;
    return this.access.read((db) => statement<[], { n: number }>(db, `SELECT EXISTS (${members}) AS n`).get()!.n === 1);
  }

  search(query: string, limit: number): Promise<StoredRecord[]> {
    return scanSearch(
      (patterns, before, chunk) => {
        const conditions = ['deleted = 0', 'origin_source IS NULL', ...patterns.map(() => "json LIKE ? ESCAPE '\\'")];
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

  stats(): Promise<RecordStats> {
    return this.access.read((db) => {
      const row = statement<[], { total: number; deleted: number | null; harvested: number | null; harvested_deleted: number | null }>(
        db,
        `SELECT COUNT(*) AS total, SUM(deleted) AS deleted, SUM(origin_source IS NOT NULL) AS harvested,
           SUM(origin_source IS NOT NULL AND deleted = 1) AS harvested_deleted FROM records`,
      ).get()!;
      return { total: row.total, deleted: row.deleted ?? 0, harvested: row.harvested ?? 0, harvestedDeleted: row.harvested_deleted ?? 0 };
    });
  }

  conflicts(): Promise<DoiConflict[]> {
    return this.access.read((db) => groupConflicts(statement<[], ConflictRow>(db, CONFLICTS).all()));
  }
}

/** The JSON of live rows that have no current part (to be rendered by the caller). */
function addMissingJson(db: Db, rows: RecordRowData[]): void {
  const missing = rows.filter((row) => !row.has_fragment && !row.deleted);
  for (const row of missing) {
    row.json = statement<[string], { json: string }>(db, 'SELECT json FROM records WHERE local_id = ?').get(row.local_id)?.json ?? null;
  }
}

/** WHERE clause over alias m (set queries) or r, and its parameters, in a stable shape. */
/**
 * `records r` joined by id. When only header columns are read, through the covering index by id:
 * SQLite's planner prefers the table's primary key, whose rows hold the JSON before the
 * provenance columns, so each lookup would walk the JSON's overflow pages.
 */
function recordsById(headersOnly: boolean): string {
  return headersOnly ? 'records r INDEXED BY records_headers_by_id' : 'records r';
}

function buildSelection(query: RecordQuery): { sql: string; params: string[] } {
  const alias = query.set !== undefined ? 'm' : 'r';
  const conditions: string[] = [];
  const params: string[] = [];
  if (query.set !== undefined) {
    conditions.push('m.set_spec = ?');
    params.push(query.set);
  }
  if (!query.includeHarvested) conditions.push(OWN_ONLY);
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
