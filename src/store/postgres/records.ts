import type { ArticleRecord } from '../../model/types.js';
import { toDatestamp } from '../canonical.js';
import { scanSearch } from '../search.js';
import {
  type ConflictRow,
  type ExistingRecordState,
  type FragmentRow,
  groupConflicts,
  LIST_COLUMNS,
  listColumns,
  prepareRecordWrite,
  toFragment,
  toStoredRecord,
  upsertOutcome,
  type RecordRowData,
  type RecordWrite,
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
import type { PgAccess } from './connection.js';

/** Own records only, unless the scope includes harvested ones (alias r). */
const OWN_ONLY = 'r.origin_source IS NULL';

/** Records written per round of statements by upsertMany. */
const BATCH = 500;

interface StateRow {
  local_id: string;
  datestamp: string;
  deleted: boolean;
  content_hash: string;
  set_specs: string;
  [key: string]: unknown;
}

/**
 * Records in PostgreSQL. An upsert of many records is a few set-based statements per batch
 * (states read with FOR UPDATE, then unnest()-fed inserts), not a round trip per record.
 */
export class PgRecords implements RecordRepository {
  constructor(
    private readonly access: PgAccess,
    private readonly clock: () => Date,
  ) {}

  async upsert(record: ArticleRecord, options: { localId?: string; now?: Date; origin?: RecordOrigin } = {}): Promise<UpsertResult> {
    const write = prepareRecordWrite(record, options.localId, options.origin);
    return (await this.access.atomic((access) => writeBatch(access, [write], toDatestamp(options.now ?? this.clock()))))[0]!;
  }

  upsertMany(records: Iterable<ArticleRecord>, options: { now?: Date } = {}): Promise<UpsertResult[]> {
    const writes = [...records].map((record) => prepareRecordWrite(record));
    return this.access.atomic(async (access) => {
      const results: UpsertResult[] = [];
      for (let i = 0; i < writes.length; i += BATCH) {
        // The clock is read per batch, as the SQLite backend reads it per record.
        results.push(...(await writeBatch(access, writes.slice(i, i + BATCH), toDatestamp(options.now ?? this.clock()))));
      }
      return results;
    });
  }

  delete(localId: string, options: { now?: Date } = {}): Promise<boolean> {
    return this.access.atomic(async (access) => {
      const [existing] = await access.query<StateRow>('SELECT local_id, datestamp, deleted, content_hash, set_specs FROM records WHERE local_id = $1 FOR UPDATE', [localId]);
      if (!existing) return false;
      // Already a tombstone: its datestamp stays the time of deletion (§2.5.1).
      if (existing.deleted) return true;
      const datestamp = toDatestamp(options.now ?? this.clock());
      await access.run('UPDATE records SET deleted = true, datestamp = $1 WHERE local_id = $2', [datestamp, localId]);
      await access.run('UPDATE record_sets SET datestamp = $1 WHERE local_id = $2', [datestamp, localId]);
      return true;
    });
  }

  search(query: string, limit: number): Promise<StoredRecord[]> {
    return scanSearch(
      async (patterns, before, chunk) => {
        const params: unknown[] = [...patterns];
        const conditions = ['NOT deleted', 'origin_source IS NULL', ...patterns.map((_p, i) => `json ILIKE $${i + 1} ESCAPE '\\'`)];
        if (before) {
          params.push(before.datestamp, before.localId);
          conditions.push(`(datestamp, local_id) < ($${params.length - 1}, $${params.length})`);
        }
        params.push(chunk);
        const rows = await this.access.query<RecordRowData & Record<string, unknown>>(
          `SELECT local_id, datestamp, deleted, content_hash, set_specs, json FROM records
           WHERE ${conditions.join(' AND ')} ORDER BY datestamp DESC, local_id DESC LIMIT $${params.length}`,
          params,
        );
        return rows.map((row) => toStoredRecord(row, true));
      },
      query,
      limit,
    );
  }

  async get(localId: string): Promise<StoredRecord | undefined> {
    const [row] = await this.access.query<RecordRowData & Record<string, unknown>>('SELECT * FROM records WHERE local_id = $1', [localId]);
    return row ? toStoredRecord(row, true) : undefined;
  }

  async list(query: RecordQuery, limit: number, options: ListOptions = {}): Promise<StoredRecord[]> {
    // The fragment parameters are $1, $2 when there is a join; the selection's follow.
    // options.fragmentBytes is not honoured (no asBytes): node-postgres receives bytea as hex
    // text and decodes it, which is not known to beat reading the text itself (not measured).
    const selected = listColumns(options, (n) => `$${n + 1}`, 'false');
    const { sql, params } = buildSelection(query, selected.params.length);
    const from = query.set !== undefined ? 'record_sets m JOIN records r ON r.local_id = m.local_id' : 'records r';
    const order = query.set !== undefined ? 'm.datestamp, m.local_id' : 'r.datestamp, r.local_id';
    const all = [...selected.params, ...params, limit];
    const rows = await this.access.query<RecordRowData & Record<string, unknown>>(
      `SELECT ${selected.columns} FROM ${from}${selected.join} ${sql} ORDER BY ${order} LIMIT $${all.length}`,
      all,
    );
    return rows.map((row) => toStoredRecord(row, selected.withJson));
  }

  async putFragments(fragments: readonly MetadataFragment[]): Promise<void> {
    if (fragments.length === 0) return;
    await this.access.run(
      `INSERT INTO record_fragments (local_id, metadata_prefix, content_hash, render_key, xml, error, rendered_at)
       SELECT u.local_id, u.prefix, u.hash, u.render_key, u.xml, u.error, $7
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS u(local_id, prefix, hash, render_key, xml, error)
       ON CONFLICT (local_id, metadata_prefix) DO UPDATE SET content_hash = excluded.content_hash, render_key = excluded.render_key,
         xml = excluded.xml, error = excluded.error, rendered_at = excluded.rendered_at`,
      [
        fragments.map((f) => f.localId),
        fragments.map((f) => f.metadataPrefix),
        fragments.map((f) => f.contentHash),
        fragments.map((f) => f.renderKey),
        fragments.map((f) => f.xml),
        fragments.map((f) => f.error),
        toDatestamp(this.clock()),
      ],
    );
  }

  async getFragment(localId: string, metadataPrefix: string): Promise<MetadataFragment | undefined> {
    const [row] = await this.access.query<FragmentRow & Record<string, unknown>>(
      'SELECT * FROM record_fragments WHERE local_id = $1 AND metadata_prefix = $2',
      [localId, metadataPrefix],
    );
    return row && toFragment(row);
  }

  async listUnrendered(key: FragmentKey, afterLocalId: string, limit: number, options: { set?: string } = {}): Promise<UnrenderedRecord[]> {
    const inSet = options.set !== undefined ? ' AND r.local_id IN (SELECT local_id FROM record_sets WHERE set_spec = $5)' : '';
    const rows = await this.access.query<{ local_id: string; content_hash: string; json: string }>(
      `SELECT r.local_id, r.content_hash, r.json FROM records r
       LEFT JOIN record_fragments f ON f.local_id = r.local_id AND f.metadata_prefix = $1 AND f.render_key = $2 AND f.content_hash = r.content_hash
       WHERE r.local_id > $3 AND NOT r.deleted AND f.local_id IS NULL${inSet} ORDER BY r.local_id LIMIT $4`,
      [key.metadataPrefix, key.renderKey, afterLocalId, limit, ...(options.set !== undefined ? [options.set] : [])],
    );
    return rows.map((row) => ({ localId: row.local_id, contentHash: row.content_hash, record: JSON.parse(row.json) as ArticleRecord }));
  }

  clearFragments(options: { metadataPrefix?: string; set?: string } = {}): Promise<number> {
    const conditions: string[] = [];
    const params: string[] = [];
    if (options.metadataPrefix !== undefined) {
      params.push(options.metadataPrefix);
      conditions.push(`metadata_prefix = $${params.length}`);
    }
    if (options.set !== undefined) {
      params.push(options.set);
      conditions.push(`local_id IN (SELECT local_id FROM record_sets WHERE set_spec = $${params.length})`);
    }
    return this.access.run(`DELETE FROM record_fragments${conditions.length ? ` WHERE ${conditions.join(' AND ')}` : ''}`, params);
  }

  async count(query: RecordQuery): Promise<number> {
    const { sql, params } = buildSelection(query);
    const from = query.set === undefined ? 'records r' : query.includeHarvested ? 'record_sets m' : 'record_sets m JOIN records r ON r.local_id = m.local_id';
    const [row] = await this.access.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM ${from} ${sql}`, params);
    return row!.n;
  }

  async earliestDatestamp(scope: RecordScope = {}): Promise<Datestamp | undefined> {
    const where = scope.includeHarvested ? '' : ` WHERE ${OWN_ONLY}`;
    const [row] = await this.access.query<{ d: string | null }>(`SELECT MIN(r.datestamp) AS d FROM records r${where}`);
    return row?.d ?? undefined;
  }

  async listSets(scope: RecordScope = {}): Promise<SetInfo[]> {
    const members = scope.includeHarvested
      ? 'SELECT 1 FROM record_sets m WHERE m.set_spec = s.set_spec'
      : `SELECT 1 FROM record_sets m JOIN records r ON r.local_id = m.local_id WHERE m.set_spec = s.set_spec AND ${OWN_ONLY}`;
    const rows = await this.access.query<{ set_spec: string; set_name: string }>(`SELECT set_spec, set_name FROM sets s WHERE EXISTS (${members}) ORDER BY set_spec`);
    return rows.map((row) => ({ setSpec: row.set_spec, setName: row.set_name }));
  }

  async hasSets(scope: RecordScope = {}): Promise<boolean> {
    const members = scope.includeHarvested ? 'SELECT 1 FROM record_sets' : `SELECT 1 FROM record_sets m JOIN records r ON r.local_id = m.local_id WHERE ${OWN_ONLY}`;
    const [row] = await this.access.query<{ n: boolean }>(`SELECT EXISTS (${members}) AS n`);
    return row!.n;
  }

  async stats(): Promise<RecordStats> {
    const [row] = await this.access.query<{ total: number; deleted: number; harvested: number; harvested_deleted: number }>(
      `SELECT COUNT(*)::int AS total, COUNT(*) FILTER (WHERE deleted)::int AS deleted,
         COUNT(*) FILTER (WHERE origin_source IS NOT NULL)::int AS harvested,
         COUNT(*) FILTER (WHERE origin_source IS NOT NULL AND deleted)::int AS harvested_deleted FROM records`,
    );
    return { total: row!.total, deleted: row!.deleted, harvested: row!.harvested, harvestedDeleted: row!.harvested_deleted };
  }

  async conflicts(): Promise<DoiConflict[]> {
    const rows = await this.access.query<ConflictRow & Record<string, unknown>>(
      `SELECT doi, local_id, provenance, origin_source, origin_identifier FROM records
       WHERE NOT deleted AND doi IN (
         SELECT doi FROM records WHERE NOT deleted AND doi IS NOT NULL GROUP BY doi
         HAVING bool_or(origin_source IS NULL) AND bool_or(origin_source IS NOT NULL))
       ORDER BY doi, local_id`,
    );
    return groupConflicts(rows);
  }
}

/**
 * Upserts one batch with the semantics of upserting its records one after another: a local id
 * given twice is judged against its own earlier version, and only its last version is written.
 */
async function writeBatch(access: PgAccess, writes: readonly RecordWrite[], datestamp: string): Promise<UpsertResult[]> {
  const ids = [...new Set(writes.map((w) => w.localId))];
  const rows = await access.query<StateRow>(
    'SELECT local_id, datestamp, deleted, content_hash, set_specs FROM records WHERE local_id = ANY($1::text[]) ORDER BY local_id FOR UPDATE',
    [ids],
  );
  const states = new Map<string, ExistingRecordState>(
    rows.map((r) => [r.local_id, { deleted: r.deleted, contentHash: r.content_hash, setSpecs: r.set_specs, datestamp: r.datestamp }]),
  );
  const results: UpsertResult[] = [];
  const changed = new Map<string, RecordWrite>();
  for (const write of writes) {
    const existing = states.get(write.localId);
    const outcome = upsertOutcome(existing, write);
    if (outcome === 'unchanged') {
      results.push({ localId: write.localId, outcome, datestamp: existing!.datestamp });
      continue;
    }
    states.set(write.localId, { deleted: false, contentHash: write.hash, setSpecs: write.setSpecs, datestamp });
    changed.delete(write.localId);
    changed.set(write.localId, write);
    results.push({ localId: write.localId, outcome, datestamp });
  }
  if (changed.size === 0) return results;
  const list = [...changed.values()];
  const origin = (pick: (o: RecordOrigin) => string) => list.map((w) => (w.origin ? pick(w.origin) : null));
  await access.run(
    `INSERT INTO records (local_id, datestamp, deleted, json, content_hash, set_specs, created_at, provenance, doi,
       origin_source, origin_base_url, origin_identifier, origin_datestamp, origin_metadata_namespace, harvested_at)
     SELECT u.local_id, $2, false, u.json, u.hash, u.specs, $2, u.provenance, u.doi, u.source, u.base_url, u.identifier, u.odate, u.ns, u.hat
     FROM unnest($1::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[])
       AS u(local_id, json, hash, specs, provenance, doi, source, base_url, identifier, odate, ns, hat)
     ON CONFLICT (local_id) DO UPDATE SET datestamp = excluded.datestamp, deleted = false, json = excluded.json,
       content_hash = excluded.content_hash, set_specs = excluded.set_specs, provenance = excluded.provenance, doi = excluded.doi,
       origin_source = excluded.origin_source, origin_base_url = excluded.origin_base_url, origin_identifier = excluded.origin_identifier,
       origin_datestamp = excluded.origin_datestamp, origin_metadata_namespace = excluded.origin_metadata_namespace,
       harvested_at = excluded.harvested_at`,
    [
      list.map((w) => w.localId),
      datestamp,
      list.map((w) => w.json),
      list.map((w) => w.hash),
      list.map((w) => w.setSpecs),
      list.map((w) => w.provenance),
      list.map((w) => w.doi),
      origin((o) => o.source),
      origin((o) => o.baseUrl),
      origin((o) => o.identifier),
      origin((o) => o.datestamp),
      origin((o) => o.metadataNamespace),
      origin((o) => o.harvestedAt),
    ],
  );
  await access.run('DELETE FROM record_sets WHERE local_id = ANY($1::text[])', [list.map((w) => w.localId)]);
  const memberships = list.flatMap((w) => w.sets.map((s) => [s.setSpec, w.localId] as const));
  await access.run(
    `INSERT INTO record_sets (set_spec, datestamp, local_id)
     SELECT u.set_spec, $2, u.local_id FROM unnest($1::text[], $3::text[]) AS u(set_spec, local_id)`,
    [memberships.map((m) => m[0]), datestamp, memberships.map((m) => m[1])],
  );
  const names = new Map<string, string>();
  for (const w of list) for (const set of w.sets) names.set(set.setSpec, set.setName);
  await nameSets(access, names);
  return results;
}

/**
 * Saves set names: inserts the new sets, renames the renamed ones, and leaves the others alone.
 * Writers share sets (a journal's, "harvested"), so a write that took every set's row lock
 * (ON CONFLICT DO UPDATE locks the row even when its WHERE is false) would make concurrent page
 * transactions of several workers wait on each other until commit.
 */
async function nameSets(access: PgAccess, names: ReadonlyMap<string, string>): Promise<void> {
  if (names.size === 0) return;
  const rows = await access.query<{ set_spec: string; set_name: string }>('SELECT set_spec, set_name FROM sets WHERE set_spec = ANY($1::text[])', [[...names.keys()]]);
  const saved = new Map(rows.map((row) => [row.set_spec, row.set_name]));
  const added = [...names].filter(([spec]) => !saved.has(spec));
  const renamed = [...names].filter(([spec, name]) => saved.has(spec) && saved.get(spec) !== name);
  if (added.length > 0) {
    await access.run('INSERT INTO sets (set_spec, set_name) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (set_spec) DO NOTHING', [
      added.map(([spec]) => spec),
      added.map(([, name]) => name),
    ]);
  }
  if (renamed.length > 0) {
    await access.run(
      'UPDATE sets SET set_name = u.set_name FROM unnest($1::text[], $2::text[]) AS u(set_spec, set_name) WHERE sets.set_spec = u.set_spec AND sets.set_name <> u.set_name',
      [renamed.map(([spec]) => spec), renamed.map(([, name]) => name)],
    );
  }
}

/** WHERE clause over alias m (set queries) or r with $n parameters, as in the SQLite backend. */
function buildSelection(query: RecordQuery, offset = 0): { sql: string; params: string[] } {
  const alias = query.set !== undefined ? 'm' : 'r';
  const conditions: string[] = [];
  const params: string[] = [];
  const param = (value: string) => {
    params.push(value);
    return `$${offset + params.length}`;
  };
  if (query.set !== undefined) conditions.push(`m.set_spec = ${param(query.set)}`);
  if (!query.includeHarvested) conditions.push(OWN_ONLY);
  // Past a keyset position at or after `from`, the bound is implied (the index seek starts at the position).
  if (query.from !== undefined && !(query.after && query.after.datestamp >= query.from)) conditions.push(`${alias}.datestamp >= ${param(query.from)}`);
  if (query.until !== undefined) conditions.push(`${alias}.datestamp <= ${param(query.until)}`);
  if (query.after !== undefined) {
    conditions.push(`(${alias}.datestamp, ${alias}.local_id) > (${param(query.after.datestamp)}, ${param(query.after.localId)})`);
  }
  return { sql: conditions.length ? `WHERE ${conditions.join(' AND ')}` : '', params };
}
