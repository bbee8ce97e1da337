import type { Granularity } from '../../harvest/xml.js';
import {
  CHECKPOINT_COLUMNS,
  checkpointFromRow,
  checkpointValues,
  harvestRecordFromRow,
  quarantineFromRow,
  runFromRow,
  sourceFromRow,
  stagedFromRow,
  stagedPayload,
  str,
} from '../rows.js';
import type {
  HarvestCheckpoint,
  HarvestRecordCounts,
  HarvestRecordRow,
  HarvestRecordState,
  HarvestRepository,
  HarvestRunCounterDelta,
  HarvestRunRow,
  HarvestRunStatus,
  HarvestSource,
  HarvestSourceInput,
  PreparedQuarantine,
  QuarantinedRecord,
  StagedItem,
  StoredHarvestRecord,
} from '../types.js';
import type { PgAccess } from './connection.js';

const SAVE_CHECKPOINT = `INSERT INTO harvest_checkpoints (${CHECKPOINT_COLUMNS.join(', ')})
  VALUES (${CHECKPOINT_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})
  ON CONFLICT (source) DO UPDATE SET ${CHECKPOINT_COLUMNS.filter((c) => c !== 'source')
    .map((c) => `${c} = excluded.${c}`)
    .join(', ')}`;

const RECORD_COLUMNS = `source, identifier, datestamp, deleted, set_specs, metadata_prefix, record_xml,
    content_hash, raw_bytes, repairs, format, mapped_json, valid, errors, warnings, local_id, run_id, first_harvested_at, harvested_at`;
/** Values of one harvest_records row: 17 parameters from `first`, then `now` twice. */
const RECORD_VALUE_COUNT = 17;
const recordValues = (first: number, now: string) =>
  `(${Array.from({ length: RECORD_VALUE_COUNT }, (_, k) => `$${first + k}`).join(', ')}, ${now}, ${now})`;
const ON_RECORD_CONFLICT = `ON CONFLICT (source, identifier) DO UPDATE SET
    datestamp = excluded.datestamp, deleted = excluded.deleted, set_specs = excluded.set_specs,
    metadata_prefix = excluded.metadata_prefix, record_xml = excluded.record_xml,
    content_hash = excluded.content_hash, raw_bytes = excluded.raw_bytes, repairs = excluded.repairs,
    format = excluded.format, mapped_json = excluded.mapped_json, valid = excluded.valid, errors = excluded.errors,
    warnings = excluded.warnings, local_id = excluded.local_id, run_id = excluded.run_id, harvested_at = excluded.harvested_at`;
const WRITE_RECORD = `INSERT INTO harvest_records (${RECORD_COLUMNS}) VALUES ${recordValues(1, '$18')} ${ON_RECORD_CONFLICT}`;
/** Multi-row writes: at most this many rows per INSERT (17 parameters each). */
const ROWS_PER_INSERT = 64;
const CLEAR_QUARANTINE_MANY = `DELETE FROM harvest_quarantine q USING unnest($2::text[], $3::text[]) AS t(identifier, datestamp)
  WHERE q.source = $1 AND q.identifier = t.identifier COLLATE "C" AND (q.datestamp IS NULL OR q.datestamp <= t.datestamp COLLATE "C")`;

function recordParams(r: HarvestRecordRow): unknown[] {
  return [
    r.source,
    r.identifier,
    r.datestamp,
    r.deleted,
    JSON.stringify(r.setSpecs),
    r.metadataPrefix,
    r.recordXml,
    r.contentHash,
    r.rawBytes ?? null,
    r.repairs ?? null,
    r.format ?? null,
    r.mapped ? JSON.stringify(r.mapped) : null,
    r.valid,
    r.errors.length ? JSON.stringify(r.errors) : null,
    r.warnings.length ? JSON.stringify(r.warnings) : null,
    r.localId ?? null,
    r.runId,
  ];
}

/** Harvest state in PostgreSQL (tables of the 'harvest' namespace). */
export class PgHarvest implements HarvestRepository {
  constructor(private readonly access: PgAccess) {}

  async insertSource(input: HarvestSourceInput, now: string): Promise<void> {
    await this.access.run(
      `INSERT INTO harvest_sources (name, base_url, metadata_prefix, set_spec, request_budget, delay_ms, from_contact, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`,
      [input.name, input.baseUrl, input.metadataPrefix, input.set ?? null, input.requestBudget ?? null, input.delayMs ?? null, input.fromContact ?? null, now],
    );
  }

  async updateSource(input: HarvestSourceInput, options: { resetList: boolean }, now: string): Promise<void> {
    await this.access.run(
      `UPDATE harvest_sources SET base_url = $1, metadata_prefix = $2, set_spec = $3, request_budget = $4, delay_ms = $5, from_contact = $6, updated_at = $7
       ${options.resetList ? ', granularity = NULL, identified_at = NULL, next_from = NULL, not_before = NULL' : ''}
       WHERE name = $8`,
      [input.baseUrl, input.metadataPrefix, input.set ?? null, input.requestBudget ?? null, input.delayMs ?? null, input.fromContact ?? null, now, input.name],
    );
  }

  async getSource(name: string): Promise<HarvestSource | undefined> {
    const [row] = await this.access.query('SELECT * FROM harvest_sources WHERE name = $1', [name]);
    return row ? sourceFromRow(row) : undefined;
  }

  async listSources(): Promise<HarvestSource[]> {
    return (await this.access.query('SELECT * FROM harvest_sources ORDER BY name')).map(sourceFromRow);
  }

  async removeSource(name: string): Promise<boolean> {
    return (await this.access.run('DELETE FROM harvest_sources WHERE name = $1', [name])) > 0;
  }

  async recordIdentify(name: string, identify: { granularity: Granularity; repositoryName: string; earliestDatestamp: string; deletedRecord?: string }, now: string): Promise<void> {
    await this.access.run(
      `UPDATE harvest_sources SET granularity = $1, repository_name = $2, earliest_datestamp = $3, deleted_record = $4, identified_at = $5, updated_at = $5
       WHERE name = $6`,
      [identify.granularity, identify.repositoryName || null, identify.earliestDatestamp || null, identify.deletedRecord || null, now, name],
    );
  }

  async setNotBefore(name: string, notBefore: string | undefined, now: string): Promise<void> {
    await this.access.run('UPDATE harvest_sources SET not_before = $1, updated_at = $2 WHERE name = $3', [notBefore ?? null, now, name]);
  }

  async setNextFrom(name: string, nextFrom: string | undefined, lastResponseDate: string | undefined, now: string): Promise<void> {
    await this.access.run('UPDATE harvest_sources SET next_from = $1, last_response_date = $2, not_before = NULL, updated_at = $3 WHERE name = $4', [
      nextFrom ?? null,
      lastResponseDate ?? null,
      now,
      name,
    ]);
  }

  async interruptRunningRuns(source: string, reason: string, now: string): Promise<void> {
    await this.access.run(`UPDATE harvest_runs SET status = 'interrupted', finished_at = $1, reason = $2 WHERE source = $3 AND status = 'running'`, [now, reason, source]);
  }

  async insertRun(source: string, args: { from?: string; until?: string; resumedFrom?: number }, now: string): Promise<number> {
    const [row] = await this.access.query<{ id: string }>(
      `INSERT INTO harvest_runs (source, started_at, status, from_arg, until_arg, resumed_from) VALUES ($1, $2, 'running', $3, $4, $5) RETURNING id`,
      [source, now, args.from ?? null, args.until ?? null, args.resumedFrom ?? null],
    );
    return Number(row!.id);
  }

  async getRun(id: number): Promise<HarvestRunRow | undefined> {
    const [row] = await this.access.query('SELECT * FROM harvest_runs WHERE id = $1', [id]);
    return row ? runFromRow(row) : undefined;
  }

  async listRuns(source: string, limit: number): Promise<HarvestRunRow[]> {
    return (await this.access.query('SELECT * FROM harvest_runs WHERE source = $1 ORDER BY id DESC LIMIT $2', [source, limit])).map(runFromRow);
  }

  async addRunCounters(runId: number, requests: number, d: HarvestRunCounterDelta): Promise<void> {
    await this.access.run(
      `UPDATE harvest_runs SET requests = $1, pages = pages + $2, records = records + $3,
         created = created + $4, updated = updated + $5, unchanged = unchanged + $6,
         deleted = deleted + $7, invalid = invalid + $8, quarantined = quarantined + $9
       WHERE id = $10`,
      [requests, d.pages, d.records, d.created, d.updated, d.unchanged, d.deleted, d.invalid, d.quarantined, runId],
    );
  }

  async finishRun(
    runId: number,
    status: Exclude<HarvestRunStatus, 'running'>,
    details: { reason?: string; errorCode?: string; warnings: string[]; requests: number },
    now: string,
  ): Promise<void> {
    await this.access.run('UPDATE harvest_runs SET status = $1, finished_at = $2, reason = $3, error_code = $4, warnings = $5, requests = $6 WHERE id = $7', [
      status,
      now,
      details.reason ?? null,
      details.errorCode ?? null,
      JSON.stringify(details.warnings),
      details.requests,
      runId,
    ]);
  }

  async getCheckpoint(source: string): Promise<HarvestCheckpoint | undefined> {
    const [row] = await this.access.query('SELECT * FROM harvest_checkpoints WHERE source = $1', [source]);
    return row ? checkpointFromRow(row) : undefined;
  }

  async saveCheckpoint(checkpoint: HarvestCheckpoint, now: string): Promise<void> {
    await this.access.run(SAVE_CHECKPOINT, checkpointValues(checkpoint, now, (ordered) => ordered));
  }

  async deleteCheckpoint(source: string): Promise<void> {
    await this.access.run('DELETE FROM harvest_checkpoints WHERE source = $1', [source]);
  }

  async stageItems(source: string, slot: number, firstSeq: number, items: readonly StagedItem[]): Promise<void> {
    if (items.length === 0) return;
    const rows = items.map(stagedPayload);
    await this.access.run(
      `INSERT INTO harvest_page_staging (source, slot, seq, kind, payload, raw)
       SELECT $1, $2, $3 + u.i - 1, u.kind, u.payload, u.raw FROM unnest($4::text[], $5::text[], $6::bytea[]) WITH ORDINALITY AS u(kind, payload, raw, i)`,
      [source, slot, firstSeq, items.map((i) => i.kind), rows.map((r) => r.payload), rows.map((r) => r.raw)],
    );
  }

  async stagedItems(source: string, slot: number, afterSeq: number, limit: number): Promise<{ seq: number; item: StagedItem }[]> {
    const rows = await this.access.query<{ seq: number; kind: string; payload: string; raw: Buffer | null }>(
      'SELECT seq, kind, payload, raw FROM harvest_page_staging WHERE source = $1 AND slot = $2 AND seq > $3 ORDER BY seq LIMIT $4',
      [source, slot, afterSeq, limit],
    );
    return rows.map((row) => ({ seq: row.seq, item: stagedFromRow(row.kind, row.payload, row.raw) }));
  }

  async clearStaging(source: string, slot?: number): Promise<void> {
    if (slot === undefined) await this.access.run('DELETE FROM harvest_page_staging WHERE source = $1', [source]);
    else await this.access.run('DELETE FROM harvest_page_staging WHERE source = $1 AND slot = $2', [source, slot]);
  }

  async countStaged(source?: string): Promise<number> {
    const [row] =
      source === undefined
        ? await this.access.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM harvest_page_staging')
        : await this.access.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM harvest_page_staging WHERE source = $1', [source]);
    return row!.n;
  }

  async recordStates(source: string, identifiers: readonly string[]): Promise<Map<string, HarvestRecordState>> {
    const states = new Map<string, HarvestRecordState>();
    if (identifiers.length === 0) return states;
    const rows = await this.access.query<{ identifier: string; datestamp: string; content_hash: string; local_id: string | null; deleted: boolean }>(
      'SELECT identifier, datestamp, content_hash, local_id, deleted FROM harvest_records WHERE source = $1 AND identifier = ANY($2::text[])',
      [source, [...new Set(identifiers)]],
    );
    for (const row of rows) states.set(row.identifier, { datestamp: row.datestamp, contentHash: row.content_hash, localId: str(row.local_id), deleted: row.deleted });
    return states;
  }

  async countLiveReferences(localId: string, except: { source: string; identifier: string }): Promise<number> {
    const [row] = await this.access.query<{ n: number }>(
      `SELECT COUNT(*)::int AS n FROM harvest_records
       WHERE local_id = $1 AND NOT deleted AND valid AND NOT (source = $2 AND identifier = $3)`,
      [localId, except.source, except.identifier],
    );
    return row!.n;
  }

  async writeRecord(r: HarvestRecordRow, now: string): Promise<void> {
    await this.access.run(WRITE_RECORD, [...recordParams(r), now]);
  }

  async writeRecords(rows: readonly HarvestRecordRow[], now: string): Promise<void> {
    if (rows.length === 0) return;
    // One INSERT may not update a row twice: a record listed twice keeps its last version, as
    // writing them one after the other would.
    const last = new Map<string, HarvestRecordRow>();
    for (const r of rows) {
      last.delete(`${r.source}\u0000${r.identifier}`);
      last.set(`${r.source}\u0000${r.identifier}`, r);
    }
    const unique = [...last.values()];
    for (let at = 0; at < unique.length; at += ROWS_PER_INSERT) {
      const batch = unique.slice(at, at + ROWS_PER_INSERT);
      const nowParam = `$${batch.length * RECORD_VALUE_COUNT + 1}`;
      const values = batch.map((_, k) => recordValues(k * RECORD_VALUE_COUNT + 1, nowParam)).join(', ');
      await this.access.run(`INSERT INTO harvest_records (${RECORD_COLUMNS}) VALUES ${values} ${ON_RECORD_CONFLICT}`, [...batch.flatMap(recordParams), now]);
    }
    const bySource = new Map<string, HarvestRecordRow[]>();
    for (const r of rows) bySource.set(r.source, [...(bySource.get(r.source) ?? []), r]);
    for (const [source, list] of bySource) {
      await this.access.run(CLEAR_QUARANTINE_MANY, [source, list.map((r) => r.identifier), list.map((r) => r.datestamp)]);
    }
  }

  async getRecord(source: string, identifier: string): Promise<StoredHarvestRecord | undefined> {
    const [row] = await this.access.query('SELECT * FROM harvest_records WHERE source = $1 AND identifier = $2', [source, identifier]);
    return row ? harvestRecordFromRow(row) : undefined;
  }

  async listRecords(source: string, afterIdentifier: string, limit: number): Promise<StoredHarvestRecord[]> {
    return (
      await this.access.query('SELECT * FROM harvest_records WHERE source = $1 AND identifier > $2 ORDER BY identifier LIMIT $3', [source, afterIdentifier, limit])
    ).map(harvestRecordFromRow);
  }

  async recordCounts(source: string): Promise<HarvestRecordCounts> {
    const [counts] = await this.access.query<{ records: number; deleted: number; invalid: number }>(
      `SELECT COUNT(*) FILTER (WHERE NOT deleted)::int AS records, COUNT(*) FILTER (WHERE deleted)::int AS deleted,
              COUNT(*) FILTER (WHERE NOT deleted AND NOT valid)::int AS invalid
       FROM harvest_records WHERE source = $1`,
      [source],
    );
    const [quarantined] = await this.access.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM harvest_quarantine WHERE source = $1', [source]);
    return { records: counts!.records, deleted: counts!.deleted, invalid: counts!.invalid, quarantined: quarantined!.n };
  }

  async quarantine(source: string, key: string, q: PreparedQuarantine, runId: number, now: string): Promise<void> {
    await this.access.run(
      `INSERT INTO harvest_quarantine (source, key, identifier, datestamp, reason, raw, request_url, run_id, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (source, key) DO UPDATE SET reason = excluded.reason, raw = excluded.raw,
         request_url = excluded.request_url, run_id = excluded.run_id, created_at = excluded.created_at`,
      [source, key, q.identifier ?? null, q.datestamp ?? null, q.reason, q.raw, q.requestUrl ?? null, runId, now],
    );
  }

  async clearQuarantine(source: string, identifier: string, upToDatestamp: string): Promise<void> {
    await this.access.run('DELETE FROM harvest_quarantine WHERE source = $1 AND identifier = $2 AND (datestamp IS NULL OR datestamp <= $3)', [
      source,
      identifier,
      upToDatestamp,
    ]);
  }

  async listQuarantine(source: string): Promise<QuarantinedRecord[]> {
    return (await this.access.query('SELECT * FROM harvest_quarantine WHERE source = $1 ORDER BY created_at, key', [source])).map(quarantineFromRow);
  }
}
