import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import type { ArticleRecord } from '../model/types.js';
import { applyMigrations, type Db } from '../store/db.js';
import type { RecordStore } from '../store/types.js';
import { splitStoredRecord, type Granularity } from './xml.js';

/**
 * The harvest tables (migrations namespace 'harvest'): configured sources, runs, the crash-safe
 * checkpoint of each source's list sequence, every harvested record with its raw XML beside the
 * mapped article, and a quarantine for records that could not be read.
 */
export const HARVEST_MIGRATIONS: readonly string[] = [
  `CREATE TABLE harvest_sources (
     name TEXT PRIMARY KEY,
     base_url TEXT NOT NULL,
     metadata_prefix TEXT NOT NULL,
     set_spec TEXT,
     request_budget INTEGER,
     granularity TEXT,
     repository_name TEXT,
     earliest_datestamp TEXT,
     identified_at TEXT,
     next_from TEXT,
     last_response_date TEXT,
     not_before TEXT,
     lock_pid INTEGER,
     lock_host TEXT,
     lock_at TEXT,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );
   CREATE TABLE harvest_runs (
     id INTEGER PRIMARY KEY,
     source TEXT NOT NULL REFERENCES harvest_sources (name) ON DELETE CASCADE,
     started_at TEXT NOT NULL,
     finished_at TEXT,
     status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'paused', 'failed', 'interrupted')),
     reason TEXT,
     error_code TEXT,
     resumed_from INTEGER,
     from_arg TEXT,
     until_arg TEXT,
     requests INTEGER NOT NULL DEFAULT 0,
     pages INTEGER NOT NULL DEFAULT 0,
     records INTEGER NOT NULL DEFAULT 0,
     created INTEGER NOT NULL DEFAULT 0,
     updated INTEGER NOT NULL DEFAULT 0,
     unchanged INTEGER NOT NULL DEFAULT 0,
     deleted INTEGER NOT NULL DEFAULT 0,
     invalid INTEGER NOT NULL DEFAULT 0,
     quarantined INTEGER NOT NULL DEFAULT 0,
     warnings TEXT NOT NULL DEFAULT '[]'
   );
   CREATE INDEX harvest_runs_by_source ON harvest_runs (source, id);
   CREATE TABLE harvest_checkpoints (
     source TEXT PRIMARY KEY REFERENCES harvest_sources (name) ON DELETE CASCADE,
     run_id INTEGER NOT NULL,
     metadata_prefix TEXT NOT NULL,
     list_from TEXT,
     list_until TEXT,
     list_set TEXT,
     restart_from TEXT,
     resumption_token TEXT,
     cursor INTEGER,
     complete_list_size INTEGER,
     pages INTEGER NOT NULL DEFAULT 0,
     records INTEGER NOT NULL DEFAULT 0,
     first_response_date TEXT,
     max_datestamp TEXT,
     ordered INTEGER NOT NULL DEFAULT 1,
     restarts INTEGER NOT NULL DEFAULT 0,
     updated_at TEXT NOT NULL
   );
   CREATE TABLE harvest_records (
     id INTEGER PRIMARY KEY,
     source TEXT NOT NULL REFERENCES harvest_sources (name) ON DELETE CASCADE,
     identifier TEXT NOT NULL,
     datestamp TEXT NOT NULL,
     deleted INTEGER NOT NULL CHECK (deleted IN (0, 1)),
     set_specs TEXT NOT NULL,
     metadata_prefix TEXT NOT NULL,
     record_xml TEXT NOT NULL,
     content_hash TEXT NOT NULL,
     raw_bytes BLOB,
     repairs TEXT,
     format TEXT,
     mapped_json TEXT,
     valid INTEGER NOT NULL CHECK (valid IN (0, 1)),
     errors TEXT,
     warnings TEXT,
     local_id TEXT,
     run_id INTEGER,
     first_harvested_at TEXT NOT NULL,
     harvested_at TEXT NOT NULL,
     UNIQUE (source, identifier)
   );
   CREATE INDEX harvest_records_by_local_id ON harvest_records (local_id) WHERE local_id IS NOT NULL;
   CREATE TABLE harvest_quarantine (
     source TEXT NOT NULL REFERENCES harvest_sources (name) ON DELETE CASCADE,
     key TEXT NOT NULL,
     identifier TEXT,
     datestamp TEXT,
     reason TEXT NOT NULL,
     raw BLOB NOT NULL,
     request_url TEXT,
     run_id INTEGER,
     created_at TEXT NOT NULL,
     PRIMARY KEY (source, key)
   ) WITHOUT ROWID;
   CREATE INDEX harvest_quarantine_by_identifier ON harvest_quarantine (source, identifier);
   CREATE TABLE harvest_page_staging (
     source TEXT NOT NULL,
     slot INTEGER NOT NULL,
     seq INTEGER NOT NULL,
     kind TEXT NOT NULL CHECK (kind IN ('record', 'quarantine')),
     payload TEXT NOT NULL,
     raw BLOB,
     PRIMARY KEY (source, slot, seq)
   );`,
];

export interface HarvestSource {
  name: string;
  baseUrl: string;
  metadataPrefix: string;
  set: string | undefined;
  requestBudget: number | undefined;
  granularity: Granularity | undefined;
  repositoryName: string | undefined;
  earliestDatestamp: string | undefined;
  identifiedAt: string | undefined;
  /** `from` of the next incremental run, already at the repository's granularity. */
  nextFrom: string | undefined;
  /** responseDate of the last completed run's first response. */
  lastResponseDate: string | undefined;
  /** A Retry-After longer than allowed: no request before this time. */
  notBefore: string | undefined;
  createdAt: string;
  updatedAt: string;
}

export interface HarvestSourceInput {
  name: string;
  baseUrl: string;
  metadataPrefix: string;
  set?: string;
  requestBudget?: number;
}

export type HarvestRunStatus = 'running' | 'completed' | 'paused' | 'failed' | 'interrupted';

/** The counts of a harvest run, as kept in its row and reported in its summary. */
export interface HarvestRunCounts {
  requests: number;
  pages: number;
  /** Items received (records, deleted records and quarantined ones). */
  records: number;
  created: number;
  updated: number;
  unchanged: number;
  deleted: number;
  /** Stored raw and flagged: failed validateArticle or no mapping for the format. */
  invalid: number;
  quarantined: number;
}

export interface HarvestRunRow extends HarvestRunCounts {
  id: number;
  source: string;
  startedAt: string;
  finishedAt: string | undefined;
  status: HarvestRunStatus;
  reason: string | undefined;
  errorCode: string | undefined;
  resumedFrom: number | undefined;
  from: string | undefined;
  until: string | undefined;
  warnings: string[];
}

export interface HarvestCheckpoint {
  source: string;
  runId: number;
  metadataPrefix: string;
  listFrom: string | undefined;
  listUntil: string | undefined;
  listSet: string | undefined;
  /** `from` of the list request to (re)issue when there is no token (after badResumptionToken). */
  restartFrom: string | undefined;
  /** Token of the next page; undefined: the list request itself is next. */
  resumptionToken: string | undefined;
  cursor: number | undefined;
  completeListSize: number | undefined;
  pages: number;
  records: number;
  firstResponseDate: string | undefined;
  /** Latest datestamp seen in this sequence, and whether datestamps arrived in order. */
  maxDatestamp: string | undefined;
  ordered: boolean;
  restarts: number;
  updatedAt: string;
}

/** A harvested record ready to be written (the mapped article travels with it). */
export interface PreparedRecord {
  identifier: string;
  datestamp: string;
  deleted: boolean;
  setSpecs: string[];
  recordXml: string;
  metadataXml: string | undefined;
  contentHash: string;
  rawBytes: Buffer | undefined;
  repairs: string | undefined;
  format: string | undefined;
  article: ArticleRecord | undefined;
  valid: boolean;
  errors: string[];
  warnings: string[];
}

export interface PreparedQuarantine {
  identifier: string | undefined;
  datestamp: string | undefined;
  reason: string;
  raw: Buffer;
  requestUrl: string | undefined;
}

export interface PageOutcome extends Pick<HarvestRunCounts, 'created' | 'updated' | 'unchanged' | 'deleted' | 'invalid' | 'quarantined'> {
  /** Records older than what is already stored (a newer datestamp always wins). */
  stale: number;
}

export interface StoredHarvestRecord {
  source: string;
  identifier: string;
  datestamp: string;
  deleted: boolean;
  setSpecs: string[];
  metadataPrefix: string;
  recordXml: string;
  metadataXml: string | undefined;
  rawBytes: Buffer | undefined;
  repairs: string | undefined;
  format: string | undefined;
  mapped: ArticleRecord | undefined;
  valid: boolean;
  errors: string[];
  warnings: string[];
  localId: string | undefined;
  harvestedAt: string;
}

export interface QuarantinedRecord {
  source: string;
  identifier: string | undefined;
  datestamp: string | undefined;
  reason: string;
  raw: Buffer;
  requestUrl: string | undefined;
  createdAt: string;
}

export interface HarvestSourceStatus {
  source: HarvestSource;
  lastRun: HarvestRunRow | undefined;
  /** Records held (not deleted), deleted tombstones, flagged (failed validation or unmapped). */
  records: number;
  deleted: number;
  invalid: number;
  quarantined: number;
  checkpoint: HarvestCheckpoint | undefined;
}

/** Identity of a record's content: its bytes as received (any change at the source changes it). */
export function hashRecordBytes(bytes: Uint8Array): string {
  return createHash('sha1').update(bytes).digest('base64url');
}

const heldLocks = new Set<string>();

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

type Row = Record<string, unknown>;
const str = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : String(v));
const num = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : Number(v));

function sourceFromRow(row: Row): HarvestSource {
  return {
    name: String(row.name),
    baseUrl: String(row.base_url),
    metadataPrefix: String(row.metadata_prefix),
    set: str(row.set_spec),
    requestBudget: num(row.request_budget),
    granularity: str(row.granularity) as Granularity | undefined,
    repositoryName: str(row.repository_name),
    earliestDatestamp: str(row.earliest_datestamp),
    identifiedAt: str(row.identified_at),
    nextFrom: str(row.next_from),
    lastResponseDate: str(row.last_response_date),
    notBefore: str(row.not_before),
    createdAt: String(row.created_at),
    updatedAt: String(row.updated_at),
  };
}

function runFromRow(row: Row): HarvestRunRow {
  return {
    id: Number(row.id),
    source: String(row.source),
    startedAt: String(row.started_at),
    finishedAt: str(row.finished_at),
    status: row.status as HarvestRunStatus,
    reason: str(row.reason),
    errorCode: str(row.error_code),
    resumedFrom: num(row.resumed_from),
    from: str(row.from_arg),
    until: str(row.until_arg),
    requests: Number(row.requests),
    pages: Number(row.pages),
    records: Number(row.records),
    created: Number(row.created),
    updated: Number(row.updated),
    unchanged: Number(row.unchanged),
    deleted: Number(row.deleted),
    invalid: Number(row.invalid),
    quarantined: Number(row.quarantined),
    warnings: JSON.parse(String(row.warnings)) as string[],
  };
}

function checkpointFromRow(row: Row): HarvestCheckpoint {
  return {
    source: String(row.source),
    runId: Number(row.run_id),
    metadataPrefix: String(row.metadata_prefix),
    listFrom: str(row.list_from),
    listUntil: str(row.list_until),
    listSet: str(row.list_set),
    restartFrom: str(row.restart_from),
    resumptionToken: str(row.resumption_token),
    cursor: num(row.cursor),
    completeListSize: num(row.complete_list_size),
    pages: Number(row.pages),
    records: Number(row.records),
    firstResponseDate: str(row.first_response_date),
    maxDatestamp: str(row.max_datestamp),
    ordered: Number(row.ordered) === 1,
    restarts: Number(row.restarts),
    updatedAt: String(row.updated_at),
  };
}

function quarantineKey(q: PreparedQuarantine): string {
  if (q.identifier !== undefined) return `id:${q.identifier}\u0000${q.datestamp ?? ''}`;
  return `sha1:${createHash('sha1').update(q.raw).digest('base64url')}`;
}

export class HarvestStore {
  readonly db: Db;
  private readonly clock: () => Date;
  private readonly s;

  constructor(db: Db, options: { clock?: () => Date } = {}) {
    this.db = db;
    this.clock = options.clock ?? (() => new Date());
    applyMigrations(db, 'harvest', HARVEST_MIGRATIONS);
    this.s = {
      existing: db.prepare<[string, string], { datestamp: string; content_hash: string; local_id: string | null; deleted: number }>(
        'SELECT datestamp, content_hash, local_id, deleted FROM harvest_records WHERE source = ? AND identifier = ?',
      ),
      upsertRecord: db.prepare(
        `INSERT INTO harvest_records (source, identifier, datestamp, deleted, set_specs, metadata_prefix, record_xml,
           content_hash, raw_bytes, repairs, format, mapped_json, valid, errors, warnings, local_id, run_id, first_harvested_at, harvested_at)
         VALUES (@source, @identifier, @datestamp, @deleted, @setSpecs, @metadataPrefix, @recordXml,
           @contentHash, @rawBytes, @repairs, @format, @mappedJson, @valid, @errors, @warnings, @localId, @runId, @now, @now)
         ON CONFLICT (source, identifier) DO UPDATE SET
           datestamp = excluded.datestamp, deleted = excluded.deleted, set_specs = excluded.set_specs,
           metadata_prefix = excluded.metadata_prefix, record_xml = excluded.record_xml,
           content_hash = excluded.content_hash, raw_bytes = excluded.raw_bytes, repairs = excluded.repairs,
           format = excluded.format, mapped_json = excluded.mapped_json, valid = excluded.valid, errors = excluded.errors,
           warnings = excluded.warnings, local_id = excluded.local_id, run_id = excluded.run_id, harvested_at = excluded.harvested_at`,
      ),
      otherLiveReference: db.prepare<[string, string, string], { n: number }>(
        `SELECT COUNT(*) AS n FROM harvest_records
         WHERE local_id = ? AND deleted = 0 AND valid = 1 AND NOT (source = ? AND identifier = ?)`,
      ),
      clearQuarantineFor: db.prepare('DELETE FROM harvest_quarantine WHERE source = ? AND identifier = ? AND (datestamp IS NULL OR datestamp <= ?)'),
      upsertQuarantine: db.prepare(
        `INSERT INTO harvest_quarantine (source, key, identifier, datestamp, reason, raw, request_url, run_id, created_at)
         VALUES (@source, @key, @identifier, @datestamp, @reason, @raw, @requestUrl, @runId, @now)
         ON CONFLICT (source, key) DO UPDATE SET reason = excluded.reason, raw = excluded.raw,
           request_url = excluded.request_url, run_id = excluded.run_id, created_at = excluded.created_at`,
      ),
      stage: db.prepare('INSERT INTO harvest_page_staging (source, slot, seq, kind, payload, raw) VALUES (?, ?, ?, ?, ?, ?)'),
      staged: db.prepare<[string, number, number, number], { seq: number; kind: string; payload: string; raw: Buffer | null }>(
        'SELECT seq, kind, payload, raw FROM harvest_page_staging WHERE source = ? AND slot = ? AND seq > ? ORDER BY seq LIMIT ?',
      ),
      clearStaging: db.prepare('DELETE FROM harvest_page_staging WHERE source = ?'),
      clearStagingSlot: db.prepare('DELETE FROM harvest_page_staging WHERE source = ? AND slot = ?'),
      addRunCounters: db.prepare(
        `UPDATE harvest_runs SET requests = @requests, pages = pages + @pages, records = records + @records,
           created = created + @created, updated = updated + @updated, unchanged = unchanged + @unchanged,
           deleted = deleted + @deleted, invalid = invalid + @invalid, quarantined = quarantined + @quarantined
         WHERE id = @id`,
      ),
    } as const;
  }

  private now(): string {
    return this.clock().toISOString();
  }

  // ---- sources ------------------------------------------------------------------------------

  addSource(input: HarvestSourceInput, options: { replace?: boolean } = {}): HarvestSource {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(input.name)) {
      throw new Error(`Source name "${input.name}" must start with a letter or digit and use only letters, digits, ".", "_" and "-"`);
    }
    let url: URL;
    try {
      url = new URL(input.baseUrl);
    } catch {
      throw new Error(`"${input.baseUrl}" is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`"${input.baseUrl}" is not an http(s) URL`);
    if (!/^[A-Za-z0-9\-_.!~*'()]+$/.test(input.metadataPrefix)) {
      throw new Error(`metadataPrefix "${input.metadataPrefix}" may contain only URI unreserved characters (OAI-PMH 2.0 §3.4)`);
    }
    if (input.set !== undefined && !/^[A-Za-z0-9\-_.!~*'()]+(?::[A-Za-z0-9\-_.!~*'()]+)*$/.test(input.set)) {
      throw new Error(`setSpec "${input.set}" is not a valid setSpec (OAI-PMH 2.0 §2.7)`);
    }
    if (input.requestBudget !== undefined && !(Number.isInteger(input.requestBudget) && input.requestBudget > 0)) {
      throw new Error('The request budget must be a positive integer');
    }
    const now = this.now();
    const existing = this.getSource(input.name);
    if (existing && !options.replace) {
      throw new Error(`Source "${input.name}" already exists (${existing.baseUrl}, ${existing.metadataPrefix}); use --replace to change it`);
    }
    this.db.transaction(() => {
      if (existing) {
        const changedList =
          existing.baseUrl !== input.baseUrl || existing.metadataPrefix !== input.metadataPrefix || existing.set !== input.set;
        this.db
          .prepare(
            `UPDATE harvest_sources SET base_url = ?, metadata_prefix = ?, set_spec = ?, request_budget = ?, updated_at = ?
             ${changedList ? ', granularity = NULL, identified_at = NULL, next_from = NULL, not_before = NULL' : ''}
             WHERE name = ?`,
          )
          .run(input.baseUrl, input.metadataPrefix, input.set ?? null, input.requestBudget ?? null, now, input.name);
        // A different list makes the old sequence meaningless.
        if (changedList) this.db.prepare('DELETE FROM harvest_checkpoints WHERE source = ?').run(input.name);
      } else {
        this.db
          .prepare(
            `INSERT INTO harvest_sources (name, base_url, metadata_prefix, set_spec, request_budget, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(input.name, input.baseUrl, input.metadataPrefix, input.set ?? null, input.requestBudget ?? null, now, now);
      }
    })();
    return this.getSource(input.name)!;
  }

  getSource(name: string): HarvestSource | undefined {
    const row = this.db.prepare('SELECT * FROM harvest_sources WHERE name = ?').get(name) as Row | undefined;
    return row ? sourceFromRow(row) : undefined;
  }

  listSources(): HarvestSource[] {
    return (this.db.prepare('SELECT * FROM harvest_sources ORDER BY name').all() as Row[]).map(sourceFromRow);
  }

  /** Removes a source with its runs, checkpoint, harvested rows and quarantine (not RecordStore records). */
  removeSource(name: string): boolean {
    return this.db.prepare('DELETE FROM harvest_sources WHERE name = ?').run(name).changes > 0;
  }

  recordIdentify(name: string, identify: { granularity: Granularity; repositoryName: string; earliestDatestamp: string }): void {
    const now = this.now();
    this.db
      .prepare(
        `UPDATE harvest_sources SET granularity = ?, repository_name = ?, earliest_datestamp = ?, identified_at = ?, updated_at = ?
         WHERE name = ?`,
      )
      .run(identify.granularity, identify.repositoryName || null, identify.earliestDatestamp || null, now, now, name);
  }

  setNotBefore(name: string, notBefore: Date | undefined): void {
    this.db.prepare('UPDATE harvest_sources SET not_before = ?, updated_at = ? WHERE name = ?').run(notBefore?.toISOString() ?? null, this.now(), name);
  }

  /**
   * Marks the source as being harvested by this process. A lock left by a process that no longer
   * exists (killed, crashed) is taken over; a live one is refused.
   */
  acquireLock(name: string): void {
    const host = hostname();
    const key = `${this.db.name}\u0000${name}`;
    if (heldLocks.has(key)) throw new Error(`Source "${name}" is already being harvested in this process`);
    this.db.transaction(() => {
      const row = this.db.prepare('SELECT lock_pid, lock_host, lock_at FROM harvest_sources WHERE name = ?').get(name) as Row | undefined;
      if (!row) throw new Error(`No harvest source named "${name}"`);
      const pid = num(row.lock_pid);
      if (pid !== undefined && pid !== process.pid) {
        const sameHost = row.lock_host === host;
        const age = Date.now() - Date.parse(String(row.lock_at));
        if ((sameHost && isProcessAlive(pid)) || (!sameHost && age < 6 * 3600_000)) {
          throw new Error(`Source "${name}" is being harvested by process ${pid} on ${String(row.lock_host)} since ${String(row.lock_at)}`);
        }
      }
      this.db.prepare('UPDATE harvest_sources SET lock_pid = ?, lock_host = ?, lock_at = ? WHERE name = ?').run(process.pid, host, this.now(), name);
    }).immediate();
    heldLocks.add(key);
  }

  releaseLock(name: string): void {
    heldLocks.delete(`${this.db.name}\u0000${name}`);
    this.db
      .prepare('UPDATE harvest_sources SET lock_pid = NULL, lock_host = NULL, lock_at = NULL WHERE name = ? AND lock_pid = ?')
      .run(name, process.pid);
  }

  // ---- runs and checkpoints -----------------------------------------------------------------

  getCheckpoint(source: string): HarvestCheckpoint | undefined {
    const row = this.db.prepare('SELECT * FROM harvest_checkpoints WHERE source = ?').get(source) as Row | undefined;
    return row ? checkpointFromRow(row) : undefined;
  }

  /** Starts a run; a run left 'running' by a dead process becomes 'interrupted'. */
  startRun(source: string, args: { from?: string; until?: string; resumedFrom?: number }): number {
    const now = this.now();
    return this.db.transaction(() => {
      this.db
        .prepare(
          `UPDATE harvest_runs SET status = 'interrupted', finished_at = ?,
             reason = 'the harvester process ended without finishing (killed or crashed); the checkpoint was kept'
           WHERE source = ? AND status = 'running'`,
        )
        .run(now, source);
      const info = this.db
        .prepare(`INSERT INTO harvest_runs (source, started_at, status, from_arg, until_arg, resumed_from) VALUES (?, ?, 'running', ?, ?, ?)`)
        .run(source, now, args.from ?? null, args.until ?? null, args.resumedFrom ?? null);
      return Number(info.lastInsertRowid);
    })();
  }

  /** The latest run that was interrupted, paused or failed with its checkpoint still present. */
  lastRunId(source: string): number | undefined {
    const row = this.db.prepare('SELECT id FROM harvest_runs WHERE source = ? ORDER BY id DESC LIMIT 1').get(source) as Row | undefined;
    return num(row?.id);
  }

  getRun(id: number): HarvestRunRow | undefined {
    const row = this.db.prepare('SELECT * FROM harvest_runs WHERE id = ?').get(id) as Row | undefined;
    return row ? runFromRow(row) : undefined;
  }

  listRuns(source: string, limit = 20): HarvestRunRow[] {
    return (this.db.prepare('SELECT * FROM harvest_runs WHERE source = ? ORDER BY id DESC LIMIT ?').all(source, limit) as Row[]).map(runFromRow);
  }

  saveCheckpoint(checkpoint: HarvestCheckpoint): void {
    this.db
      .prepare(
        `INSERT INTO harvest_checkpoints (source, run_id, metadata_prefix, list_from, list_until, list_set, restart_from,
           resumption_token, cursor, complete_list_size, pages, records, first_response_date, max_datestamp, ordered, restarts, updated_at)
         VALUES (@source, @runId, @metadataPrefix, @listFrom, @listUntil, @listSet, @restartFrom, @resumptionToken, @cursor,
           @completeListSize, @pages, @records, @firstResponseDate, @maxDatestamp, @ordered, @restarts, @updatedAt)
         ON CONFLICT (source) DO UPDATE SET run_id = excluded.run_id, metadata_prefix = excluded.metadata_prefix,
           list_from = excluded.list_from, list_until = excluded.list_until, list_set = excluded.list_set,
           restart_from = excluded.restart_from, resumption_token = excluded.resumption_token, cursor = excluded.cursor,
           complete_list_size = excluded.complete_list_size, pages = excluded.pages, records = excluded.records,
           first_response_date = excluded.first_response_date, max_datestamp = excluded.max_datestamp,
           ordered = excluded.ordered, restarts = excluded.restarts, updated_at = excluded.updated_at`,
      )
      .run({
        source: checkpoint.source,
        runId: checkpoint.runId,
        metadataPrefix: checkpoint.metadataPrefix,
        listFrom: checkpoint.listFrom ?? null,
        listUntil: checkpoint.listUntil ?? null,
        listSet: checkpoint.listSet ?? null,
        restartFrom: checkpoint.restartFrom ?? null,
        resumptionToken: checkpoint.resumptionToken ?? null,
        cursor: checkpoint.cursor ?? null,
        completeListSize: checkpoint.completeListSize ?? null,
        pages: checkpoint.pages,
        records: checkpoint.records,
        firstResponseDate: checkpoint.firstResponseDate ?? null,
        maxDatestamp: checkpoint.maxDatestamp ?? null,
        ordered: checkpoint.ordered ? 1 : 0,
        restarts: checkpoint.restarts,
        updatedAt: this.now(),
      });
  }

  /** Ends a run that stopped early: the checkpoint stays for the next run. */
  finishRun(
    runId: number,
    status: Exclude<HarvestRunStatus, 'running'>,
    details: { reason?: string; errorCode?: string; warnings: string[]; requests: number },
  ): void {
    this.db
      .prepare('UPDATE harvest_runs SET status = ?, finished_at = ?, reason = ?, error_code = ?, warnings = ?, requests = ? WHERE id = ?')
      .run(status, this.now(), details.reason ?? null, details.errorCode ?? null, JSON.stringify(details.warnings), details.requests, runId);
  }

  /** Completes a run: the next incremental `from` is saved and the checkpoint removed, atomically. */
  completeRun(runId: number, source: string, details: { nextFrom: string | undefined; lastResponseDate: string | undefined; warnings: string[]; requests: number }): void {
    this.db.transaction(() => {
      this.finishRun(runId, 'completed', details);
      this.db
        .prepare('UPDATE harvest_sources SET next_from = ?, last_response_date = ?, not_before = NULL, updated_at = ? WHERE name = ?')
        .run(details.nextFrom ?? null, details.lastResponseDate ?? null, this.now(), source);
      this.db.prepare('DELETE FROM harvest_checkpoints WHERE source = ?').run(source);
    })();
  }

  // ---- page staging (pages too large to hold in memory) -------------------------------------

  /** Drops staged pages: one slot, or all of a source (leftovers of a killed run). */
  clearStaging(source: string, slot?: number): void {
    if (slot === undefined) this.s.clearStaging.run(source);
    else this.s.clearStagingSlot.run(source, slot);
  }

  stageItems(source: string, slot: number, firstSeq: number, items: ({ kind: 'record'; record: PreparedRecord } | { kind: 'quarantine'; quarantine: PreparedQuarantine })[]): void {
    this.db.transaction(() => {
      let seq = firstSeq;
      for (const item of items) {
        if (item.kind === 'record') {
          const { rawBytes, ...rest } = item.record;
          this.s.stage.run(source, slot, seq++, 'record', JSON.stringify(rest), rawBytes ?? null);
        } else {
          const { raw, ...rest } = item.quarantine;
          this.s.stage.run(source, slot, seq++, 'quarantine', JSON.stringify(rest), raw);
        }
      }
    })();
  }

  /** Staged items in batches (a read cursor cannot stay open while the page is written). */
  *stagedItems(source: string, slot: number, batch = 500): Generator<{ kind: 'record'; record: PreparedRecord } | { kind: 'quarantine'; quarantine: PreparedQuarantine }> {
    let after = -1;
    for (;;) {
      const rows = this.s.staged.all(source, slot, after, batch);
      if (rows.length === 0) return;
      for (const row of rows) {
        after = row.seq;
        if (row.kind === 'record') {
          const record = JSON.parse(row.payload) as PreparedRecord;
          record.rawBytes = row.raw ?? undefined;
          yield { kind: 'record', record };
        } else {
          const quarantine = JSON.parse(row.payload) as PreparedQuarantine;
          quarantine.raw = row.raw ?? Buffer.alloc(0);
          yield { kind: 'quarantine', quarantine };
        }
      }
    }
  }

  // ---- the page commit ----------------------------------------------------------------------

  /**
   * Writes one page in ONE transaction: its records (upsert by source + OAI identifier; a newer
   * datestamp replaces, an older one is ignored), their articles into the RecordStore, quarantine
   * rows, the run counters and the checkpoint with the next resumption token. A crash before
   * the commit loses only this page, which the resumed run fetches again.
   */
  commitPage(args: {
    source: string;
    /** Staging slot of the page, cleared with the commit. */
    slot?: number;
    metadataPrefix: string;
    runId: number;
    items: Iterable<{ kind: 'record'; record: PreparedRecord } | { kind: 'quarantine'; quarantine: PreparedQuarantine }>;
    checkpoint: HarvestCheckpoint | undefined;
    counters: { requests: number };
    recordStore: RecordStore | undefined;
    localIdOf: (article: ArticleRecord) => string;
  }): PageOutcome {
    const outcome: PageOutcome = { created: 0, updated: 0, unchanged: 0, deleted: 0, invalid: 0, quarantined: 0, stale: 0 };
    const now = this.now();
    let received = 0;
    const write = () => {
      for (const item of args.items) {
        if (item.kind === 'quarantine') {
          const q = item.quarantine;
          this.s.upsertQuarantine.run({
            source: args.source,
            key: quarantineKey(q),
            identifier: q.identifier ?? null,
            datestamp: q.datestamp ?? null,
            reason: q.reason,
            raw: q.raw,
            requestUrl: q.requestUrl ?? null,
            runId: args.runId,
            now,
          });
          outcome.quarantined++;
          received++;
          continue;
        }
        received++;
        this.writeRecord(args, item.record, outcome, now);
      }
      this.s.addRunCounters.run({
        id: args.runId,
        requests: args.counters.requests,
        pages: 1,
        records: received,
        created: outcome.created,
        updated: outcome.updated,
        unchanged: outcome.unchanged,
        deleted: outcome.deleted,
        invalid: outcome.invalid,
        quarantined: outcome.quarantined,
      });
      if (args.checkpoint) this.saveCheckpoint(args.checkpoint);
      if (args.slot !== undefined) this.s.clearStagingSlot.run(args.source, args.slot);
    };
    this.db.transaction(write).immediate();
    return outcome;
  }

  private writeRecord(
    args: { source: string; metadataPrefix: string; runId: number; recordStore: RecordStore | undefined; localIdOf: (article: ArticleRecord) => string },
    r: PreparedRecord,
    outcome: PageOutcome,
    now: string,
  ): void {
    const existing = this.s.existing.get(args.source, r.identifier);
    if (existing && existing.datestamp > r.datestamp) {
      outcome.stale++;
      return;
    }
    if (existing && existing.datestamp === r.datestamp && existing.content_hash === r.contentHash) {
      outcome.unchanged++;
      return;
    }
    const previousLocalId = existing?.local_id ?? undefined;
    let localId = previousLocalId;
    const store = args.recordStore;
    if (r.deleted) {
      outcome.deleted++;
      if (store && previousLocalId !== undefined && !this.referencedElsewhere(previousLocalId, args.source, r.identifier)) {
        store.delete(previousLocalId);
      }
    } else if (r.valid && r.article) {
      localId = args.localIdOf(r.article);
      if (store) {
        try {
          store.upsert(r.article, { localId });
          if (previousLocalId !== undefined && previousLocalId !== localId && !this.referencedElsewhere(previousLocalId, args.source, r.identifier)) {
            store.delete(previousLocalId);
          }
        } catch (error) {
          // One record the store refuses must not cost the page: keep it raw and flagged.
          r.valid = false;
          r.errors = [...r.errors, `the record store refused it: ${error instanceof Error ? error.message : String(error)}`];
          localId = previousLocalId;
          outcome.invalid++;
        }
      }
    } else {
      outcome.invalid++;
    }
    if (existing) outcome.updated++;
    else outcome.created++;
    this.s.upsertRecord.run({
      source: args.source,
      identifier: r.identifier,
      datestamp: r.datestamp,
      deleted: r.deleted ? 1 : 0,
      setSpecs: JSON.stringify(r.setSpecs),
      metadataPrefix: args.metadataPrefix,
      recordXml: r.recordXml,
      contentHash: r.contentHash,
      rawBytes: r.rawBytes ?? null,
      repairs: r.repairs ?? null,
      format: r.format ?? null,
      mappedJson: r.article ? JSON.stringify(r.article) : null,
      valid: r.valid ? 1 : 0,
      errors: r.errors.length ? JSON.stringify(r.errors) : null,
      warnings: r.warnings.length ? JSON.stringify(r.warnings) : null,
      localId: localId ?? null,
      runId: args.runId,
      now,
    });
    this.s.clearQuarantineFor.run(args.source, r.identifier, r.datestamp);
  }

  private referencedElsewhere(localId: string, source: string, identifier: string): boolean {
    return (this.s.otherLiveReference.get(localId, source, identifier)?.n ?? 0) > 0;
  }

  // ---- reading ------------------------------------------------------------------------------

  getRecord(source: string, identifier: string): StoredHarvestRecord | undefined {
    const row = this.db.prepare('SELECT * FROM harvest_records WHERE source = ? AND identifier = ?').get(source, identifier) as Row | undefined;
    return row ? storedFromRow(row) : undefined;
  }

  /** Harvested records of a source in identifier order. */
  *iterateRecords(source: string): Generator<StoredHarvestRecord> {
    let after = '';
    for (;;) {
      const rows = this.db
        .prepare('SELECT * FROM harvest_records WHERE source = ? AND identifier > ? ORDER BY identifier LIMIT 500')
        .all(source, after) as Row[];
      if (rows.length === 0) return;
      for (const row of rows) {
        after = String(row.identifier);
        yield storedFromRow(row);
      }
    }
  }

  listQuarantine(source: string): QuarantinedRecord[] {
    return (this.db.prepare('SELECT * FROM harvest_quarantine WHERE source = ? ORDER BY created_at, key').all(source) as Row[]).map((row) => ({
      source: String(row.source),
      identifier: str(row.identifier),
      datestamp: str(row.datestamp),
      reason: String(row.reason),
      raw: row.raw as Buffer,
      requestUrl: str(row.request_url),
      createdAt: String(row.created_at),
    }));
  }

  status(source: HarvestSource): HarvestSourceStatus {
    const counts = this.db
      .prepare(
        `SELECT COALESCE(SUM(deleted = 0), 0) AS records, COALESCE(SUM(deleted = 1), 0) AS deleted,
                COALESCE(SUM(deleted = 0 AND valid = 0), 0) AS invalid
         FROM harvest_records WHERE source = ?`,
      )
      .get(source.name) as { records: number; deleted: number; invalid: number };
    const quarantined = (this.db.prepare('SELECT COUNT(*) AS n FROM harvest_quarantine WHERE source = ?').get(source.name) as { n: number }).n;
    const lastRunRow = this.db.prepare('SELECT * FROM harvest_runs WHERE source = ? ORDER BY id DESC LIMIT 1').get(source.name) as Row | undefined;
    return {
      source,
      lastRun: lastRunRow ? runFromRow(lastRunRow) : undefined,
      records: counts.records,
      deleted: counts.deleted,
      invalid: counts.invalid,
      quarantined,
      checkpoint: this.getCheckpoint(source.name),
    };
  }
}

function storedFromRow(row: Row): StoredHarvestRecord {
  return {
    source: String(row.source),
    identifier: String(row.identifier),
    datestamp: String(row.datestamp),
    deleted: Number(row.deleted) === 1,
    setSpecs: JSON.parse(String(row.set_specs)) as string[],
    metadataPrefix: String(row.metadata_prefix),
    recordXml: String(row.record_xml),
    // Not stored twice: the metadata is cut from the stored record when asked for.
    metadataXml: Number(row.deleted) === 1 ? undefined : splitStoredRecord(String(row.record_xml)).metadataXml,
    rawBytes: (row.raw_bytes as Buffer | null) ?? undefined,
    repairs: str(row.repairs),
    format: str(row.format),
    mapped: row.mapped_json ? (JSON.parse(String(row.mapped_json)) as ArticleRecord) : undefined,
    valid: Number(row.valid) === 1,
    errors: row.errors ? (JSON.parse(String(row.errors)) as string[]) : [],
    warnings: row.warnings ? (JSON.parse(String(row.warnings)) as string[]) : [],
    localId: str(row.local_id),
    harvestedAt: String(row.harvested_at),
  };
}
