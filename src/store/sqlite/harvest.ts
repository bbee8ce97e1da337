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
  type Row,
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
import { statement, type Db, type SqliteAccess } from './connection.js';

const SAVE_CHECKPOINT = `INSERT INTO harvest_checkpoints (${CHECKPOINT_COLUMNS.join(', ')})
  VALUES (${CHECKPOINT_COLUMNS.map(() => '?').join(', ')})
  ON CONFLICT (source) DO UPDATE SET ${CHECKPOINT_COLUMNS.filter((c) => c !== 'source')
    .map((c) => `${c} = excluded.${c}`)
    .join(', ')}`;

const WRITE_RECORD = `INSERT INTO harvest_records (source, identifier, datestamp, deleted, set_specs, metadata_prefix, record_xml,
    content_hash, raw_bytes, repairs, format, mapped_json, valid, errors, warnings, local_id, run_id, first_harvested_at, harvested_at)
  VALUES (@source, @identifier, @datestamp, @deleted, @setSpecs, @metadataPrefix, @recordXml,
    @contentHash, @rawBytes, @repairs, @format, @mappedJson, @valid, @errors, @warnings, @localId, @runId, @now, @now)
  ON CONFLICT (source, identifier) DO UPDATE SET
    datestamp = excluded.datestamp, deleted = excluded.deleted, set_specs = excluded.set_specs,
    metadata_prefix = excluded.metadata_prefix, record_xml = excluded.record_xml,
    content_hash = excluded.content_hash, raw_bytes = excluded.raw_bytes, repairs = excluded.repairs,
    format = excluded.format, mapped_json = excluded.mapped_json, valid = excluded.valid, errors = excluded.errors,
    warnings = excluded.warnings, local_id = excluded.local_id, run_id = excluded.run_id, harvested_at = excluded.harvested_at`;

const QUARANTINE = `INSERT INTO harvest_quarantine (source, key, identifier, datestamp, reason, raw, request_url, run_id, created_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (source, key) DO UPDATE SET reason = excluded.reason, raw = excluded.raw,
    request_url = excluded.request_url, run_id = excluded.run_id, created_at = excluded.created_at`;

const CLEAR_QUARANTINE = 'DELETE FROM harvest_quarantine WHERE source = ? AND identifier = ? AND (datestamp IS NULL OR datestamp <= ?)';

function writeRecordRow(db: Db, r: HarvestRecordRow, now: string): void {
  statement(db, WRITE_RECORD).run({
    source: r.source,
    identifier: r.identifier,
    datestamp: r.datestamp,
    deleted: r.deleted ? 1 : 0,
    setSpecs: JSON.stringify(r.setSpecs),
    metadataPrefix: r.metadataPrefix,
    recordXml: r.recordXml,
    contentHash: r.contentHash,
    rawBytes: r.rawBytes ?? null,
    repairs: r.repairs ?? null,
    format: r.format ?? null,
    mappedJson: r.mapped ? JSON.stringify(r.mapped) : null,
    valid: r.valid ? 1 : 0,
    errors: r.errors.length ? JSON.stringify(r.errors) : null,
    warnings: r.warnings.length ? JSON.stringify(r.warnings) : null,
    localId: r.localId ?? null,
    runId: r.runId,
    now,
  });
}

/** Harvest state in SQLite (tables of the 'harvest' namespace). */
export class SqliteHarvest implements HarvestRepository {
  constructor(private readonly access: SqliteAccess) {}

  insertSource(input: HarvestSourceInput, now: string): Promise<void> {
    return this.access.write((db) => {
      statement(
        db,
        `INSERT INTO harvest_sources (name, base_url, metadata_prefix, set_spec, request_budget, delay_ms, from_contact, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(input.name, input.baseUrl, input.metadataPrefix, input.set ?? null, input.requestBudget ?? null, input.delayMs ?? null, input.fromContact ?? null, now, now);
    });
  }

  updateSource(input: HarvestSourceInput, options: { resetList: boolean }, now: string): Promise<void> {
    return this.access.write((db) => {
      statement(
        db,
        `UPDATE harvest_sources SET base_url = ?, metadata_prefix = ?, set_spec = ?, request_budget = ?, delay_ms = ?, from_contact = ?, updated_at = ?
         ${options.resetList ? ', granularity = NULL, identified_at = NULL, next_from = NULL, not_before = NULL' : ''}
         WHERE name = ?`,
      ).run(input.baseUrl, input.metadataPrefix, input.set ?? null, input.requestBudget ?? null, input.delayMs ?? null, input.fromContact ?? null, now, input.name);
    });
  }

  getSource(name: string): Promise<HarvestSource | undefined> {
    return this.access.read((db) => {
      const row = statement<[string], Row>(db, 'SELECT * FROM harvest_sources WHERE name = ?').get(name);
      return row ? sourceFromRow(row) : undefined;
    });
  }

  listSources(): Promise<HarvestSource[]> {
    return this.access.read((db) => statement<[], Row>(db, 'SELECT * FROM harvest_sources ORDER BY name').all().map(sourceFromRow));
  }

  removeSource(name: string): Promise<boolean> {
    return this.access.write((db) => statement(db, 'DELETE FROM harvest_sources WHERE name = ?').run(name).changes > 0);
  }

  recordIdentify(name: string, identify: { granularity: Granularity; repositoryName: string; earliestDatestamp: string; deletedRecord?: string }, now: string): Promise<void> {
    return this.access.write((db) => {
      statement(
        db,
        `UPDATE harvest_sources SET granularity = ?, repository_name = ?, earliest_datestamp = ?, deleted_record = ?, identified_at = ?, updated_at = ?
         WHERE name = ?`,
      ).run(identify.granularity, identify.repositoryName || null, identify.earliestDatestamp || null, identify.deletedRecord || null, now, now, name);
    });
  }

  setNotBefore(name: string, notBefore: string | undefined, now: string): Promise<void> {
    return this.access.write((db) => {
      statement(db, 'UPDATE harvest_sources SET not_before = ?, updated_at = ? WHERE name = ?').run(notBefore ?? null, now, name);
    });
  }

  setNextFrom(name: string, nextFrom: string | undefined, lastResponseDate: string | undefined, now: string): Promise<void> {
    return this.access.write((db) => {
      statement(db, 'UPDATE harvest_sources SET next_from = ?, last_response_date = ?, not_before = NULL, updated_at = ? WHERE name = ?').run(
        nextFrom ?? null,
        lastResponseDate ?? null,
        now,
        name,
      );
    });
  }

  interruptRunningRuns(source: string, reason: string, now: string): Promise<void> {
    return this.access.write((db) => {
      statement(db, `UPDATE harvest_runs SET status = 'interrupted', finished_at = ?, reason = ? WHERE source = ? AND status = 'running'`).run(now, reason, source);
    });
  }

  insertRun(source: string, args: { from?: string; until?: string; resumedFrom?: number }, now: string): Promise<number> {
    return this.access.write((db) =>
      Number(
        statement(db, `INSERT INTO harvest_runs (source, started_at, status, from_arg, until_arg, resumed_from) VALUES (?, ?, 'running', ?, ?, ?)`).run(
          source,
          now,
          args.from ?? null,
          args.until ?? null,
          args.resumedFrom ?? null,
        ).lastInsertRowid,
      ),
    );
  }

  getRun(id: number): Promise<HarvestRunRow | undefined> {
    return this.access.read((db) => {
      const row = statement<[number], Row>(db, 'SELECT * FROM harvest_runs WHERE id = ?').get(id);
      return row ? runFromRow(row) : undefined;
    });
  }

  listRuns(source: string, limit: number): Promise<HarvestRunRow[]> {
    return this.access.read((db) => statement<[string, number], Row>(db, 'SELECT * FROM harvest_runs WHERE source = ? ORDER BY id DESC LIMIT ?').all(source, limit).map(runFromRow));
  }

  addRunCounters(runId: number, requests: number, d: HarvestRunCounterDelta): Promise<void> {
    return this.access.write((db) => {
      statement(
        db,
        `UPDATE harvest_runs SET requests = ?, pages = pages + ?, records = records + ?,
           created = created + ?, updated = updated + ?, unchanged = unchanged + ?,
           deleted = deleted + ?, invalid = invalid + ?, quarantined = quarantined + ?
         WHERE id = ?`,
      ).run(requests, d.pages, d.records, d.created, d.updated, d.unchanged, d.deleted, d.invalid, d.quarantined, runId);
    });
  }

  finishRun(
    runId: number,
    status: Exclude<HarvestRunStatus, 'running'>,
    details: { reason?: string; errorCode?: string; warnings: string[]; requests: number },
    now: string,
  ): Promise<void> {
    return this.access.write((db) => {
      statement(db, 'UPDATE harvest_runs SET status = ?, finished_at = ?, reason = ?, error_code = ?, warnings = ?, requests = ? WHERE id = ?').run(
        status,
        now,
        details.reason ?? null,
        details.errorCode ?? null,
        JSON.stringify(details.warnings),
        details.requests,
        runId,
      );
    });
  }

  getCheckpoint(source: string): Promise<HarvestCheckpoint | undefined> {
    return this.access.read((db) => {
      const row = statement<[string], Row>(db, 'SELECT * FROM harvest_checkpoints WHERE source = ?').get(source);
      return row ? checkpointFromRow(row) : undefined;
    });
  }

  saveCheckpoint(checkpoint: HarvestCheckpoint, now: string): Promise<void> {
    return this.access.write((db) => {
      statement(db, SAVE_CHECKPOINT).run(...checkpointValues(checkpoint, now, (ordered) => (ordered ? 1 : 0)));
    });
  }

  deleteCheckpoint(source: string): Promise<void> {
    return this.access.write((db) => {
      statement(db, 'DELETE FROM harvest_checkpoints WHERE source = ?').run(source);
    });
  }

  stageItems(source: string, slot: number, firstSeq: number, items: readonly StagedItem[]): Promise<void> {
    return this.access.write((db) => {
      const stage = statement(db, 'INSERT INTO harvest_page_staging (source, slot, seq, kind, payload, raw) VALUES (?, ?, ?, ?, ?, ?)');
      let seq = firstSeq;
      for (const item of items) {
        const { payload, raw } = stagedPayload(item);
        stage.run(source, slot, seq++, item.kind, payload, raw);
      }
    });
  }

  stagedItems(source: string, slot: number, afterSeq: number, limit: number): Promise<{ seq: number; item: StagedItem }[]> {
    return this.access.read((db) =>
      statement<[string, number, number, number], { seq: number; kind: string; payload: string; raw: Buffer | null }>(
        db,
        'SELECT seq, kind, payload, raw FROM harvest_page_staging WHERE source = ? AND slot = ? AND seq > ? ORDER BY seq LIMIT ?',
      )
        .all(source, slot, afterSeq, limit)
        .map((row) => ({ seq: row.seq, item: stagedFromRow(row.kind, row.payload, row.raw) })),
    );
  }

  clearStaging(source: string, slot?: number): Promise<void> {
    return this.access.write((db) => {
      if (slot === undefined) statement(db, 'DELETE FROM harvest_page_staging WHERE source = ?').run(source);
      else statement(db, 'DELETE FROM harvest_page_staging WHERE source = ? AND slot = ?').run(source, slot);
    });
  }

  countStaged(source?: string): Promise<number> {
    return this.access.read((db) =>
      source === undefined
        ? statement<[], { n: number }>(db, 'SELECT COUNT(*) AS n FROM harvest_page_staging').get()!.n
        : statement<[string], { n: number }>(db, 'SELECT COUNT(*) AS n FROM harvest_page_staging WHERE source = ?').get(source)!.n,
    );
  }

  recordStates(source: string, identifiers: readonly string[]): Promise<Map<string, HarvestRecordState>> {
    return this.access.read((db) => {
      const select = statement<[string, string], { datestamp: string; content_hash: string; local_id: string | null; deleted: number }>(
        db,
        'SELECT datestamp, content_hash, local_id, deleted FROM harvest_records WHERE source = ? AND identifier = ?',
      );
      const states = new Map<string, HarvestRecordState>();
      for (const identifier of identifiers) {
        const row = select.get(source, identifier);
        if (row) states.set(identifier, { datestamp: row.datestamp, contentHash: row.content_hash, localId: str(row.local_id), deleted: row.deleted === 1 });
      }
      return states;
    });
  }

  countLiveReferences(localId: string, except: { source: string; identifier: string }): Promise<number> {
    return this.access.read(
      (db) =>
        statement<[string, string, string], { n: number }>(
          db,
          `SELECT COUNT(*) AS n FROM harvest_records
           WHERE local_id = ? AND deleted = 0 AND valid = 1 AND NOT (source = ? AND identifier = ?)`,
        ).get(localId, except.source, except.identifier)!.n,
    );
  }

  writeRecord(r: HarvestRecordRow, now: string): Promise<void> {
    return this.access.write((db) => writeRecordRow(db, r, now));
  }

  writeRecords(rows: readonly HarvestRecordRow[], now: string): Promise<void> {
    return this.access.write((db) => {
      const clear = statement(db, CLEAR_QUARANTINE);
      for (const r of rows) {
        writeRecordRow(db, r, now);
        clear.run(r.source, r.identifier, r.datestamp);
      }
    });
  }

  getRecord(source: string, identifier: string): Promise<StoredHarvestRecord | undefined> {
    return this.access.read((db) => {
      const row = statement<[string, string], Row>(db, 'SELECT * FROM harvest_records WHERE source = ? AND identifier = ?').get(source, identifier);
      return row ? harvestRecordFromRow(row) : undefined;
    });
  }

  listRecords(source: string, afterIdentifier: string, limit: number): Promise<StoredHarvestRecord[]> {
    return this.access.read((db) =>
      statement<[string, string, number], Row>(db, 'SELECT * FROM harvest_records WHERE source = ? AND identifier > ? ORDER BY identifier LIMIT ?')
        .all(source, afterIdentifier, limit)
        .map(harvestRecordFromRow),
    );
  }

  recordCounts(source: string): Promise<HarvestRecordCounts> {
    return this.access.read((db) => {
      const counts = statement<[string], { records: number; deleted: number; invalid: number }>(
        db,
        `SELECT COALESCE(SUM(deleted = 0), 0) AS records, COALESCE(SUM(deleted = 1), 0) AS deleted,
                COALESCE(SUM(deleted = 0 AND valid = 0), 0) AS invalid
         FROM harvest_records WHERE source = ?`,
      ).get(source)!;
      const quarantined = statement<[string], { n: number }>(db, 'SELECT COUNT(*) AS n FROM harvest_quarantine WHERE source = ?').get(source)!.n;
      return { ...counts, quarantined };
    });
  }

  quarantine(source: string, key: string, q: PreparedQuarantine, runId: number, now: string): Promise<void> {
    return this.access.write((db) => {
      statement(db, QUARANTINE).run(source, key, q.identifier ?? null, q.datestamp ?? null, q.reason, q.raw, q.requestUrl ?? null, runId, now);
    });
  }

  clearQuarantine(source: string, identifier: string, upToDatestamp: string): Promise<void> {
    return this.access.write((db) => {
      statement(db, CLEAR_QUARANTINE).run(source, identifier, upToDatestamp);
    });
  }

  listQuarantine(source: string): Promise<QuarantinedRecord[]> {
    return this.access.read((db) => statement<[string], Row>(db, 'SELECT * FROM harvest_quarantine WHERE source = ? ORDER BY created_at, key').all(source).map(quarantineFromRow));
  }
}
