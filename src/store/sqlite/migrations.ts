/**
 * SQLite schema, one migration list per namespace (each capability's tables evolve on their
 * own). Version N of a namespace is migrations[N - 1]; PostgreSQL (../postgres/migrations.ts)
 * has the same namespaces and numbering. Never edit a released migration: add one. Store files
 * written by earlier pubmeta versions are upgraded in place on open.
 */
export const SQLITE_MIGRATIONS: Readonly<Record<string, readonly string[]>> = {
  /**
   * Datestamps are ISO strings at seconds granularity, which sort lexically in time order, so
   * (datestamp, local_id) is a total order for keyset paging. record_sets repeats the datestamp
   * so a set-restricted page is one index range scan; it holds every set a record is in,
   * ancestors included (hierarchical matching is an equality lookup).
   */
  records: [
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
  ],
  /**
   * Configured sources, runs, the crash-safe checkpoint of each source's list sequence, every
   * harvested record with its raw XML beside the mapped article, and a quarantine for records
   * that could not be read. (lock_pid, lock_host, lock_at are no longer used: sources are
   * leased through worker_leases under harvest:<name>.)
   */
  harvest: [
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
    /** Identify's deletedRecord policy; per-source politeness (least delay between requests, From contact). */
    `ALTER TABLE harvest_sources ADD COLUMN deleted_record TEXT;
   ALTER TABLE harvest_sources ADD COLUMN delay_ms INTEGER;
   ALTER TABLE harvest_sources ADD COLUMN from_contact TEXT;`,
  ],
  /** Per-DOI deposit state per target, deposit batches and their items. */
  crossref: [
    `CREATE TABLE crossref_dois (
     target TEXT NOT NULL,
     doi TEXT NOT NULL,
     local_id TEXT NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('pending','submitted','registered','warning','failed')),
     content_hash TEXT NOT NULL,
     message TEXT,
     failure_source TEXT CHECK (failure_source IN ('crossref','local')),
     batch_id TEXT,
     submission_id TEXT,
     updated_at TEXT NOT NULL,
     last_timestamp INTEGER,
     deposited_hash TEXT,
     deposited_at TEXT,
     registered_at TEXT,
     PRIMARY KEY (target, doi)
   ) WITHOUT ROWID;
   CREATE INDEX crossref_dois_by_state ON crossref_dois (target, state, doi);
   CREATE INDEX crossref_dois_by_local_id ON crossref_dois (target, local_id);
   CREATE TABLE crossref_batches (
     batch_id TEXT PRIMARY KEY,
     target TEXT NOT NULL,
     file_name TEXT NOT NULL UNIQUE,
     status TEXT NOT NULL CHECK (status IN ('prepared','sent','completed','abandoned','rejected')),
     timestamp INTEGER NOT NULL,
     record_count INTEGER NOT NULL,
     created_at TEXT NOT NULL,
     sent_at TEXT,
     completed_at TEXT,
     submission_id TEXT,
     success_count INTEGER,
     warning_count INTEGER,
     failure_count INTEGER,
     message TEXT
   );
   CREATE INDEX crossref_batches_open ON crossref_batches (target, status);
   CREATE TABLE crossref_batch_items (
     batch_id TEXT NOT NULL REFERENCES crossref_batches (batch_id),
     doi TEXT NOT NULL,
     local_id TEXT NOT NULL,
     content_hash TEXT NOT NULL,
     PRIMARY KEY (batch_id, doi)
   ) WITHOUT ROWID;
   CREATE TABLE crossref_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;`,
  ],
  /** Leases (any key: job names, harvest:<source>), run history, checkpoints, export state. */
  worker: [
    `CREATE TABLE worker_leases (
     job TEXT PRIMARY KEY,
     owner TEXT NOT NULL,
     acquired_at TEXT NOT NULL,
     heartbeat_at TEXT NOT NULL,
     expires_at INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE TABLE worker_runs (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     job TEXT NOT NULL,
     owner TEXT NOT NULL,
     trigger TEXT NOT NULL,
     started_at TEXT NOT NULL,
     ended_at TEXT,
     status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'interrupted')),
     counts TEXT,
     error TEXT
   );
   CREATE INDEX worker_runs_by_job ON worker_runs (job, id);
   CREATE TABLE worker_checkpoints (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at TEXT NOT NULL) WITHOUT ROWID;
   CREATE TABLE worker_export_state (
     profile TEXT NOT NULL,
     local_id TEXT NOT NULL,
     content_hash TEXT NOT NULL,
     exported_at TEXT NOT NULL,
     PRIMARY KEY (profile, local_id)
   ) WITHOUT ROWID;`,
    // 2: runs may end 'partial' (some items failed, others done). SQLite cannot alter a CHECK,
    // so the table is rebuilt with the same rows and ids.
    `CREATE TABLE worker_runs_v2 (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     job TEXT NOT NULL,
     owner TEXT NOT NULL,
     trigger TEXT NOT NULL,
     started_at TEXT NOT NULL,
     ended_at TEXT,
     status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'partial', 'failed', 'interrupted')),
     counts TEXT,
     error TEXT
   );
   INSERT INTO worker_runs_v2 (id, job, owner, trigger, started_at, ended_at, status, counts, error)
     SELECT id, job, owner, trigger, started_at, ended_at, status, counts, error FROM worker_runs;
   DROP TABLE worker_runs;
   ALTER TABLE worker_runs_v2 RENAME TO worker_runs;
   CREATE INDEX worker_runs_by_job ON worker_runs (job, id);`,
  ],
  /**
   * Journal profiles (src/journals): one row per journal, the validated profile as JSON (its
   * normal form, schemas/journal.schema.json); the DOI prefixes and ISSNs are read from it.
   */
  journals: [
    `CREATE TABLE journals (
     id TEXT PRIMARY KEY,
     profile_json TEXT NOT NULL,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   ) WITHOUT ROWID;`,
  ],
  /**
   * The OAI provider's pre-rendered metadata: one row per record and OAI format, the metadata
   * part as rendered and validated (xml NULL: the record cannot be disseminated in the format,
   * `error` says why), with the content hash of the record version and the render key (format
   * and renderer inputs) it was rendered from. A row whose hash or key no longer matches is
   * stale and is rendered again (on demand, or by `pubmeta rerender`). A rowid table, so a part
   * up to ~4 KB (oai_dc) stays on its b-tree page instead of an overflow chain. records_headers
   * covers a list page's header columns, so the scan never walks a record's JSON to reach them.
   */
  provider: [
    `CREATE TABLE record_fragments (
     local_id TEXT NOT NULL,
     metadata_prefix TEXT NOT NULL,
     content_hash TEXT NOT NULL,
     render_key TEXT NOT NULL,
     xml TEXT,
     error TEXT,
     rendered_at TEXT NOT NULL,
     PRIMARY KEY (local_id, metadata_prefix)
   );
   CREATE INDEX records_headers ON records (datestamp, local_id, deleted, content_hash, set_specs);`,
  ],
  /**
   * Provenance of every record (a namespace of its own, applied after records and harvest, whose
   * tables it reads): `own`, `own:<journal>` or `harvested:<source>`, with the source's baseURL,
   * OAI identifier, datestamp and metadata namespace for harvested ones (NULL origin_source: an
   * own record). `doi` (lowercase) finds DOIs held by both an own and a harvested record. Rows a
   * harvest wrote before this version (under a DOI or id as local id) are marked harvested from
   * the harvest record that feeds them; the harvester moves them to harvested:<source>:<id>.
   */
  provenance: [
    `ALTER TABLE records ADD COLUMN provenance TEXT NOT NULL DEFAULT 'own';
   ALTER TABLE records ADD COLUMN doi TEXT;
   ALTER TABLE records ADD COLUMN origin_source TEXT;
   ALTER TABLE records ADD COLUMN origin_base_url TEXT;
   ALTER TABLE records ADD COLUMN origin_identifier TEXT;
   ALTER TABLE records ADD COLUMN origin_datestamp TEXT;
   ALTER TABLE records ADD COLUMN origin_metadata_namespace TEXT;
   ALTER TABLE records ADD COLUMN harvested_at TEXT;
   UPDATE records SET doi = lower(json_extract(json, '$.doi'));
   UPDATE records SET provenance = 'own:' || json_extract(json, '$.journal.id') WHERE json_extract(json, '$.journal.id') IS NOT NULL;
   UPDATE records SET provenance = 'harvested:' || h.source, origin_source = h.source, origin_base_url = s.base_url,
     origin_identifier = h.identifier, origin_datestamp = h.datestamp, harvested_at = h.harvested_at,
     origin_metadata_namespace = CASE h.metadata_prefix WHEN 'oai_dc' THEN 'http://www.openarchives.org/OAI/2.0/oai_dc/'
       ELSE 'https://jats.nlm.nih.gov/ns/archiving/1.3/' END
   FROM harvest_records h JOIN harvest_sources s ON s.name = h.source
   WHERE h.local_id = records.local_id AND h.deleted = 0 AND h.valid = 1;
   CREATE INDEX records_by_doi ON records (doi) WHERE doi IS NOT NULL;
   CREATE INDEX records_by_origin ON records (origin_source, origin_identifier) WHERE origin_source IS NOT NULL;`,
    // 2: list pages read only header columns; the provenance columns were added after the JSON,
    // so reaching them in the table walks each record's JSON overflow pages. Covering indexes of
    // every header column keep a page's scan off the table: one in list order, one by id for
    // set-restricted lists joined from record_sets.
    `DROP INDEX IF EXISTS records_headers;
   CREATE INDEX records_headers ON records (datestamp, local_id, deleted, content_hash, set_specs, provenance, origin_source,
     origin_base_url, origin_identifier, origin_datestamp, origin_metadata_namespace, harvested_at);
   CREATE INDEX records_headers_by_id ON records (local_id, datestamp, deleted, content_hash, set_specs, provenance, origin_source,
     origin_base_url, origin_identifier, origin_datestamp, origin_metadata_namespace, harvested_at);`,
    // 3: records_headers begins with (datestamp, local_id), so records_by_datestamp only cost
    // every record write one more index entry (and its WAL pages).
    `DROP INDEX IF EXISTS records_by_datestamp;`,
  ],
};
