import type { ArticleRecord } from '../model/types.js';
import type { Granularity } from '../harvest/xml.js';
import type { JournalProfile } from '../journals/types.js';

/**
 * The store as every capability sees it: one repository per capability, each method returning
 * a Promise, over SQLite (embedded default) or PostgreSQL. Repositories persist and query; what
 * to do with a record (stale? unchanged? which state next?) is decided by the capability that
 * calls them, inside `withTransaction` when several writes must land together.
 */

// ---------------------------------------------------------------------------------------------
// records (the OAI-PMH repository's items)

/** UTC datestamp at seconds granularity: "2026-11-25T16:50:34Z". */
export type Datestamp = string;

export interface StoredRecord {
  localId: string;
  /** oai:<repositoryIdentifier>:<localId> is built by the OAI layer from localId. */
  datestamp: Datestamp;
  /**
   * The setSpecs for the record header, most specific only (OAI-PMH §2.6): ["jdp:articles"]
   * implies membership of "jdp" as well. Set-restricted queries match ancestors too.
   */
  sets: string[];
  deleted: boolean;
  /** Absent for deleted records. */
  record?: ArticleRecord;
  /** sha256 of the canonical JSON; the datestamp changes only when it changes. */
  contentHash: string;
  /**
   * With ListOptions.fragment: the current pre-rendered metadata, as xml, or as its UTF-8 bytes
   * when ListOptions.fragmentBytes asked for them and the backend has them; both absent when not
   * disseminable (or not asked for).
   */
  fragment?: { disseminable: boolean; xml?: string; bytes?: Buffer };
  /**
   * Where the record comes from: `own` or `own:<journal>` (one of your journals, by the record's
   * journal.id), or `harvested:<source>` (a harvested copy, kept apart under the local id
   * `harvested:<source>:<OAI identifier>`; never deposited, served only on request).
   */
  provenance: string;
  /** Harvested records only: the source's record this one was made from. */
  origin?: RecordOrigin;
}

/** The record a harvested record was made from (OAI-PMH provenance originDescription). */
export interface RecordOrigin {
  /** Harvest source name. */
  source: string;
  /** The source repository's baseURL. */
  baseUrl: string;
  /** The record's OAI identifier at the source. */
  identifier: string;
  /** Its datestamp at the source. */
  datestamp: string;
  /** Namespace of the metadata format it was harvested in. */
  metadataNamespace: string;
  /** When this version was harvested (UTC, seconds). */
  harvestedAt: string;
}

/** Which records a listing covers: own records only (default) or harvested ones too. */
export interface RecordScope {
  includeHarvested?: boolean;
}

/** A DOI held by an own record and by a harvested one: reported, both left as they are. */
export interface DoiConflict {
  doi: string;
  own: { localId: string; provenance: string }[];
  harvested: { localId: string; source: string; identifier: string }[];
}

export interface SetInfo {
  setSpec: string;
  setName: string;
}

/** A position in the (datestamp, localId) order, used for keyset paging. */
export interface KeysetPosition {
  datestamp: Datestamp;
  localId: string;
}

export interface RecordQuery extends RecordScope {
  /** Inclusive lower bound on datestamp. */
  from?: Datestamp;
  /** Inclusive upper bound on datestamp. */
  until?: Datestamp;
  /** setSpec; matches the set and every set below it (a includes a:b). */
  set?: string;
  /** Return records strictly after this position in (datestamp, localId) order. */
  after?: KeysetPosition;
}

export interface ListOptions {
  /** Skip reading and parsing record JSON (ListIdentifiers needs headers only). */
  headersOnly?: boolean;
  /**
   * Join each row's current pre-rendered fragment in this format (same content hash, same render
   * key): `fragment` is then set on rows that have one, and `record` is read only for live rows
   * that have none (so the caller can render it), whatever headersOnly says.
   */
  fragment?: FragmentKey;
  /** With `fragment`: leave the fragment's xml out (ListIdentifiers needs only whether it exists). Default false. */
  fragmentWithoutXml?: boolean;
  /**
   * With `fragment`: the fragment's xml may come as its UTF-8 bytes (fragment.bytes), so a
   * server writes it to the socket without decoding it into a string and encoding it again.
   * A hint: a backend that reads text anyway answers fragment.xml. Default false.
   */
  fragmentBytes?: boolean;
}

/** Which pre-rendered metadata is current: the format and the inputs it is rendered from. */
export interface FragmentKey {
  metadataPrefix: string;
  /** Identifies the renderer's inputs besides the record (format version, profiles); a row with another key is stale. */
  renderKey: string;
}

/** A record's metadata pre-rendered in one OAI format, as stored. */
export interface MetadataFragment extends FragmentKey {
  localId: string;
  /** contentHash of the record version it was rendered from. */
  contentHash: string;
  /** The metadata part (no XML declaration); null when the record cannot be disseminated in the format. */
  xml: string | null;
  /** Why it cannot (render or validation failure); null when xml is set. */
  error: string | null;
}

/** A live record whose fragment in a format is missing or stale. */
export interface UnrenderedRecord {
  localId: string;
  contentHash: string;
  record: ArticleRecord;
}

export interface UpsertResult {
  localId: string;
  /** created: new; updated: content changed; unchanged: same content, datestamp kept. */
  outcome: 'created' | 'updated' | 'unchanged' | 'undeleted';
  datestamp: Datestamp;
}

/**
 * The records of the store: own ones and (apart, under `harvested:` local ids) harvested ones.
 * Listings, counts, earliest datestamp and sets cover own records unless `includeHarvested`;
 * `get` finds any record by local id (check `provenance`).
 */
export interface RecordRepository {
  /**
   * Stores a record under its local id (id, else DOI); the datestamp moves only when its content
   * changes. With `origin`, a harvested record (its local id must start with `harvested:`);
   * without, an own record (a local id starting with `harvested:` is refused).
   */
  upsert(record: ArticleRecord, options?: { localId?: string; now?: Date; origin?: RecordOrigin }): Promise<UpsertResult>;
  /** Many records in one transaction (the importer's and loaders' path). */
  upsertMany(records: Iterable<ArticleRecord>, options?: { now?: Date }): Promise<UpsertResult[]>;
  /** Marks a record deleted (persistent tombstone). Returns false when it does not exist. */
  delete(localId: string, options?: { now?: Date }): Promise<boolean>;
  get(localId: string): Promise<StoredRecord | undefined>;
  /** Records in (datestamp, localId) order. headersOnly: `record` may be left out (cheaper). */
  list(query: RecordQuery, limit: number, options?: ListOptions): Promise<StoredRecord[]>;
  count(query: RecordQuery): Promise<number>;
  earliestDatestamp(scope?: RecordScope): Promise<Datestamp | undefined>;
  listSets(scope?: RecordScope): Promise<SetInfo[]>;
  hasSets(scope?: RecordScope): Promise<boolean>;
  /**
   * Number of records (own and harvested), tombstones included; of tombstones; of harvested
   * records (tombstones included) and of harvested tombstones.
   */
  stats(): Promise<RecordStats>;
  /** DOIs held by a live own record and a live harvested record, in DOI order. */
  conflicts(): Promise<DoiConflict[]>;

  // pre-rendered metadata (the provider renders; the store keeps what it is given)
  /** Stores fragments, replacing the row of the same (localId, metadataPrefix). */
  putFragments(fragments: readonly MetadataFragment[]): Promise<void>;
  /** The stored fragment of a record in a format, current or not. */
  getFragment(localId: string, metadataPrefix: string): Promise<MetadataFragment | undefined>;
  /**
   * Live records whose fragment under `key` is missing or stale, in localId order after
   * `afterLocalId` (keyset), at most `limit`; `set` restricts to a set and the sets below it.
   */
  listUnrendered(key: FragmentKey, afterLocalId: string, limit: number, options?: { set?: string }): Promise<UnrenderedRecord[]>;
  /** Forgets fragments (of one format, of a set's records) so they are rendered again; returns how many. */
  clearFragments(options?: { metadataPrefix?: string; set?: string }): Promise<number>;
  /**
   * Own records (not tombstones) whose titles (any language), contributor names or DOI contain
   * every word of `query` (case-insensitive; a doi.org URL counts as its DOI), newest first,
   * at most `limit` (see src/store/search.ts).
   */
  search(query: string, limit: number): Promise<StoredRecord[]>;
}

// ---------------------------------------------------------------------------------------------
// journals: profiles of your own journals (src/journals)

export type JournalUpsertOutcome = 'created' | 'updated' | 'unchanged';

/**
 * Journal profiles, by id. The store keeps what it is given: callers validate profiles first
 * (validateJournalProfile) and check them against each other (validateJournalProfileList).
 */
export interface JournalRepository {
  get(id: string): Promise<JournalProfile | undefined>;
  /** Every profile, in id order. */
  list(): Promise<JournalProfile[]>;
  /** Stores the profile under its id, replacing the whole previous profile of that id. */
  upsert(profile: JournalProfile, options?: { now?: Date }): Promise<JournalUpsertOutcome>;
  /** False when there was no such profile. Records naming it keep their journal.id. */
  remove(id: string): Promise<boolean>;
}

// ---------------------------------------------------------------------------------------------
// meta: small values kept with the store

export interface MetaRepository {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  /**
   * A value created once by `create` on first use (the OAI token secret, so resumption tokens
   * survive restarts). Concurrent first uses agree on one value.
   */
  getOrCreate(key: string, create: () => string): Promise<string>;
}

// ---------------------------------------------------------------------------------------------
// harvest state

export interface HarvestSource {
  name: string;
  baseUrl: string;
  metadataPrefix: string;
  set: string | undefined;
  requestBudget: number | undefined;
  granularity: Granularity | undefined;
  repositoryName: string | undefined;
  earliestDatestamp: string | undefined;
  /** Identify's deletedRecord policy: no, transient or persistent (§4.2). */
  deletedRecord: string | undefined;
  identifiedAt: string | undefined;
  /** Politeness: least milliseconds between two requests to this source. */
  delayMs: number | undefined;
  /** Politeness: the e-mail address sent in the HTTP From header. */
  fromContact: string | undefined;
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
  delayMs?: number;
  fromContact?: string;
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

export type StagedItem = { kind: 'record'; record: PreparedRecord } | { kind: 'quarantine'; quarantine: PreparedQuarantine };

/** What the store holds about a harvested record before a new version arrives. */
export interface HarvestRecordState {
  datestamp: string;
  contentHash: string;
  localId: string | undefined;
  deleted: boolean;
}

/** A harvested record as written: the harvester's verdict on a PreparedRecord. */
export interface HarvestRecordRow {
  source: string;
  identifier: string;
  datestamp: string;
  deleted: boolean;
  setSpecs: string[];
  metadataPrefix: string;
  recordXml: string;
  contentHash: string;
  rawBytes: Buffer | undefined;
  repairs: string | undefined;
  format: string | undefined;
  mapped: ArticleRecord | undefined;
  valid: boolean;
  errors: string[];
  warnings: string[];
  localId: string | undefined;
  runId: number;
}

export interface StoredHarvestRecord {
  source: string;
  identifier: string;
  datestamp: string;
  deleted: boolean;
  setSpecs: string[];
  metadataPrefix: string;
  recordXml: string;
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

export interface HarvestRecordCounts {
  /** Records held (not deleted), deleted tombstones, flagged (failed validation or unmapped). */
  records: number;
  deleted: number;
  invalid: number;
  quarantined: number;
}

export type HarvestRunCounterDelta = Omit<HarvestRunCounts, 'requests'>;

export interface HarvestRepository {
  // sources
  insertSource(input: HarvestSourceInput, now: string): Promise<void>;
  /** Changes a source; `resetList` forgets what was learnt about the old list (identity, next from, pause). */
  updateSource(input: HarvestSourceInput, options: { resetList: boolean }, now: string): Promise<void>;
  getSource(name: string): Promise<HarvestSource | undefined>;
  listSources(): Promise<HarvestSource[]>;
  /** Removes a source with its runs, checkpoint, harvested rows and quarantine (not records). */
  removeSource(name: string): Promise<boolean>;
  recordIdentify(name: string, identify: { granularity: Granularity; repositoryName: string; earliestDatestamp: string; deletedRecord?: string }, now: string): Promise<void>;
  setNotBefore(name: string, notBefore: string | undefined, now: string): Promise<void>;
  /** After a completed run: the next incremental `from`, and the pause lifted. */
  setNextFrom(name: string, nextFrom: string | undefined, lastResponseDate: string | undefined, now: string): Promise<void>;

  // runs
  /** Closes runs of the source still marked running (their process ended) as interrupted. */
  interruptRunningRuns(source: string, reason: string, now: string): Promise<void>;
  insertRun(source: string, args: { from?: string; until?: string; resumedFrom?: number }, now: string): Promise<number>;
  getRun(id: number): Promise<HarvestRunRow | undefined>;
  /** Newest first. */
  listRuns(source: string, limit: number): Promise<HarvestRunRow[]>;
  addRunCounters(runId: number, requests: number, delta: HarvestRunCounterDelta): Promise<void>;
  finishRun(
    runId: number,
    status: Exclude<HarvestRunStatus, 'running'>,
    details: { reason?: string; errorCode?: string; warnings: string[]; requests: number },
    now: string,
  ): Promise<void>;

  // checkpoints
  getCheckpoint(source: string): Promise<HarvestCheckpoint | undefined>;
  saveCheckpoint(checkpoint: HarvestCheckpoint, now: string): Promise<void>;
  deleteCheckpoint(source: string): Promise<void>;

  // page staging (pages too large to hold in memory)
  stageItems(source: string, slot: number, firstSeq: number, items: readonly StagedItem[]): Promise<void>;
  /** Staged items with seq > afterSeq, in order. */
  stagedItems(source: string, slot: number, afterSeq: number, limit: number): Promise<{ seq: number; item: StagedItem }[]>;
  /** Drops staged pages: one slot, or all of a source (leftovers of a killed run). */
  clearStaging(source: string, slot?: number): Promise<void>;
  /** Staged rows of a source, or of every source. */
  countStaged(source?: string): Promise<number>;

  // harvested records
  recordStates(source: string, identifiers: readonly string[]): Promise<Map<string, HarvestRecordState>>;
  /** Live, valid harvested records other than (source, identifier) that feed `localId`. */
  countLiveReferences(localId: string, except: { source: string; identifier: string }): Promise<number>;
  writeRecord(row: HarvestRecordRow, now: string): Promise<void>;
  /**
   * Writes records as writeRecord does, each followed by clearQuarantine(source, identifier,
   * datestamp), in one round (a page's records are written a few dozen at a time).
   */
  writeRecords(rows: readonly HarvestRecordRow[], now: string): Promise<void>;
  getRecord(source: string, identifier: string): Promise<StoredHarvestRecord | undefined>;
  /** A source's records in identifier order, after `afterIdentifier` (keyset). */
  listRecords(source: string, afterIdentifier: string, limit: number): Promise<StoredHarvestRecord[]>;
  recordCounts(source: string): Promise<HarvestRecordCounts>;

  // quarantine
  /** One row per (source, key): the same bad record harvested again replaces its row. */
  quarantine(source: string, key: string, item: PreparedQuarantine, runId: number, now: string): Promise<void>;
  /** A good version at `datestamp` supersedes quarantined versions up to it. */
  clearQuarantine(source: string, identifier: string, upToDatestamp: string): Promise<void>;
  listQuarantine(source: string): Promise<QuarantinedRecord[]>;
}

// ---------------------------------------------------------------------------------------------
// Crossref deposit state

/**
 * Per-DOI deposit state. `pending`: to be sent; `submitted`: in a batch Crossref has (or may
 * have) received, result not yet read; `registered` / `warning` / `failed`: Crossref's verdict
 * on the last version sent (or a local validation failure, never sent).
 */
export type DoiDepositState = 'pending' | 'submitted' | 'registered' | 'warning' | 'failed';

export type DepositBatchStatus = 'prepared' | 'sent' | 'completed' | 'abandoned' | 'rejected';

export interface DoiDepositStatus {
  doi: string;
  localId: string;
  state: DoiDepositState;
  /** Crossref's msg for this DOI, or the local validation failure. */
  message: string | null;
  /** 'crossref' when Crossref reported the failure, 'local' when we never sent it. */
  failureSource: 'crossref' | 'local' | null;
  batchId: string | null;
  submissionId: string | null;
  updatedAt: string;
  /** Deposit timestamp of the last version sent (decimal digits); the next one is strictly greater. */
  lastTimestamp: string | null;
  /** When Crossref last accepted (Success or Warning) a version of this DOI. */
  depositedAt: string | null;
  /** When Crossref first accepted this DOI. Set once, never cleared: the DOI exists. */
  registeredAt: string | null;
}

/** A DOI's deposit state with the deposit target (Crossref system) it belongs to. */
export interface TargetedDoiStatus extends DoiDepositStatus {
  target: string;
}

/** A DOI row with the content hash of the version it refers to. */
export interface DoiDepositRow extends DoiDepositStatus {
  contentHash: string;
}

export interface DepositBatchInfo {
  batchId: string;
  fileName: string;
  status: DepositBatchStatus;
  /** head/timestamp, decimal digits (it can exceed 2^53). */
  timestamp: string;
  recordCount: number;
  createdAt: string;
  sentAt: string | null;
  completedAt: string | null;
  submissionId: string | null;
  successCount: number | null;
  warningCount: number | null;
  failureCount: number | null;
  message: string | null;
}

export interface PendingDoi {
  doi: string;
  localId: string;
}

export interface BatchItem {
  doi: string;
  localId: string;
  contentHash: string;
}

/**
 * Deposit state rows of one deposit target (a Crossref system). Each method is one guarded
 * transition or query; the depositor (crossref/state.ts) decides which, in transactions.
 * DOIs are passed lowercased.
 */
/** createBatch found a DOI no longer pending (another worker put it in a batch first). */
export class DepositConflictError extends Error {
  constructor(batchId: string, wanted: number, got: number) {
    super(`batch ${batchId}: ${wanted - got} of its ${wanted} DOI(s) are no longer pending; the batch was not created`);
    this.name = 'DepositConflictError';
  }
}

export interface DepositRepository {
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;
  /** Inside a transaction: holds `key` against concurrent read-modify-write until commit. */
  lockMeta(key: string): Promise<void>;

  getDoi(target: string, doi: string): Promise<DoiDepositRow | undefined>;
  /** DOI rows of every target, most recently changed first, at most `limit` (the status page). */
  recentDois(filter: { states?: DoiDepositState[]; limit: number }): Promise<TargetedDoiStatus[]>;
  listDois(target: string, filter: { dois?: string[]; states?: DoiDepositState[] }): Promise<DoiDepositStatus[]>;
  countStates(target: string): Promise<{ state: DoiDepositState; count: number; registered: number }[]>;
  /** A DOI seen for the first time; false when it is already tracked. */
  insertPending(target: string, doi: string, localId: string, contentHash: string, now: string): Promise<boolean>;
  /** The DOI's record changed (or was forced): pending again, for this content. Never while it is submitted (in a batch in flight). */
  setPending(target: string, doi: string, change: { contentHash?: string; localId?: string }, now: string): Promise<void>;
  /**
   * A record withdrawn (deleted or without DOI): its pending DOIs never registered are forgotten,
   * those Crossref already has go back to registered with the version deposited. By local id, or by DOI.
   */
  withdrawPending(target: string, by: { localId: string } | { doi: string }, now: string): Promise<void>;
  /**
   * Pending DOIs after `afterDoi`, in DOI order. `claim`: inside a transaction, the rows are
   * locked until it ends and rows other transactions hold are passed over (PostgreSQL: FOR UPDATE
   * SKIP LOCKED; SQLite's write transactions are serial anyway), so workers choosing batches at
   * once choose different DOIs.
   */
  pendingAfter(target: string, afterDoi: string, limit: number, onlyDois?: string[], options?: { claim?: boolean }): Promise<PendingDoi[]>;
  recordLocalFailure(target: string, doi: string, localId: string, contentHash: string, message: string, now: string): Promise<void>;
  /** Largest deposit timestamp sent for any of `dois`. */
  maxLastTimestamp(target: string, dois: readonly string[]): Promise<bigint | undefined>;

  /**
   * Records the batch and marks its DOIs submitted with it. Guarded: every DOI must still be
   * pending, else nothing is written and DepositConflictError is thrown (no DOI is ever in two
   * batches in flight).
   */
  createBatch(target: string, batch: { batchId: string; fileName: string; timestamp: bigint; items: readonly BatchItem[] }, now: string): Promise<void>;
  markBatchSent(batchId: string, now: string): Promise<void>;
  /** Crossref never queued the batch: abandoned (DOIs pending again) or rejected (DOIs failed with the message). */
  closeUnsentBatch(target: string, batchId: string, outcome: { status: 'abandoned' } | { status: 'rejected'; message: string }, now: string): Promise<void>;
  acceptDoi(target: string, batchId: string, item: BatchItem, verdict: { state: 'registered' | 'warning'; message: string; submissionId: string | null }, now: string): Promise<void>;
  failDoi(target: string, batchId: string, doi: string, verdict: { message: string; submissionId: string | null }, now: string): Promise<void>;
  completeBatch(
    batchId: string,
    result: { submissionId: string | null; success: number; warning: number; failure: number; message: string | null },
    now: string,
  ): Promise<void>;
  getBatch(batchId: string): Promise<DepositBatchInfo | undefined>;
  batchItems(batchId: string): Promise<BatchItem[]>;
  /** Batches prepared or sent, oldest first. */
  openBatches(target: string): Promise<DepositBatchInfo[]>;
  /** Newest first. */
  recentBatches(target: string, limit: number): Promise<DepositBatchInfo[]>;
}

// ---------------------------------------------------------------------------------------------
// jobs: run history, leases, checkpoints

/** `partial`: the run ended by itself with some items failed and others done (its error says how many). */
export interface RecordStats {
  total: number;
  deleted: number;
  harvested: number;
  harvestedDeleted: number;
}

/** Own records that are not tombstones. */
export function liveOwnRecords(stats: RecordStats): number {
  return stats.total - stats.deleted - (stats.harvested - stats.harvestedDeleted);
}

export type JobRunStatus = 'running' | 'succeeded' | 'partial' | 'failed' | 'interrupted';
export type JobCounts = Record<string, number>;

export interface JobRun {
  id: number;
  job: string;
  owner: string;
  trigger: string;
  startedAt: string;
  endedAt: string | null;
  status: JobRunStatus;
  counts: JobCounts | null;
  error: string | null;
}

export interface LeaseHolder {
  /** What is leased: a job name, `harvest:<source>`, any string. */
  key: string;
  owner: string;
  acquiredAt: string;
  heartbeatAt: string;
  expiresAt: Date;
}

export interface LeaseClaim {
  owner: string;
  ttlMs: number;
  /** Milliseconds since the epoch: the clock leases are judged by. */
  nowMs: number;
  /** A live lease held by someone else may still be taken when this says so (its holder is known dead). */
  takeOver?: (holder: LeaseHolder) => boolean;
}

export interface JobRepository {
  /** Closes runs of `job` still marked running (their worker died) as interrupted. */
  interruptRunning(job: string, error: string, now: string): Promise<void>;
  insertRun(job: string, owner: string, trigger: string, now: string): Promise<number>;
  /** Intermediate counts of a running run. */
  setRunCounts(id: number, counts: JobCounts): Promise<void>;
  finishRun(id: number, status: Exclude<JobRunStatus, 'running'>, counts: JobCounts | undefined, error: string | undefined, now: string): Promise<void>;
  getRun(id: number): Promise<JobRun | undefined>;
  /** Newest first. */
  recentRuns(options: { limit: number; job?: string }): Promise<JobRun[]>;

  /**
   * Takes the lease on `key` when it is free, expired, already the claimant's, or `takeOver`
   * allows it. Atomic across processes (SQLite: IMMEDIATE transaction; PostgreSQL: row lock).
   */
  claimLease(key: string, claim: LeaseClaim): Promise<boolean>;
  /**
   * Takes the first of `keys` (in order) that is free, expired or `takeOver`-able, passing over
   * leases the claimant already holds and those other claimants are deciding on right now
   * (PostgreSQL: FOR UPDATE SKIP LOCKED). Undefined when none can be taken.
   */
  claimNextLease(keys: readonly string[], claim: LeaseClaim): Promise<string | undefined>;
  /** Extends the lease. False when it is no longer the owner's (expired and taken). */
  renewLease(key: string, owner: string, ttlMs: number, nowMs: number): Promise<boolean>;
  releaseLease(key: string, owner: string): Promise<void>;
  /** The unexpired holder of `key`. */
  leaseHolder(key: string, nowMs: number): Promise<LeaseHolder | undefined>;
  /** Every unexpired lease, by key. */
  listLeases(nowMs: number): Promise<LeaseHolder[]>;

  readCheckpoint(key: string): Promise<string | undefined>;
  writeCheckpoint(key: string, value: string, now: string): Promise<void>;

  /** Content hashes last exported under `profile`, for the given local ids. */
  exportedHashes(profile: string, localIds: readonly string[]): Promise<Map<string, string>>;
  /** hash null: the record's files were removed. */
  saveExported(profile: string, items: readonly { localId: string; hash: string | null }[], now: string): Promise<void>;
}

// ---------------------------------------------------------------------------------------------

export type StoreKind = 'sqlite' | 'postgres';

export interface Store {
  readonly kind: StoreKind;
  /** Where the data lives, for messages: the SQLite file, or the PostgreSQL URL without password. */
  readonly location: string;
  readonly records: RecordRepository;
  readonly harvest: HarvestRepository;
  readonly deposits: DepositRepository;
  readonly jobs: JobRepository;
  readonly meta: MetaRepository;
  readonly journals: JournalRepository;
  /**
   * Runs `fn` in one transaction: every call made through `tx` commits together, or (when `fn`
   * throws) not at all. Calls made meanwhile through this store from other async work never
   * enter the transaction. Called on `tx` again, it joins the open transaction.
   */
  withTransaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
  /** Waits for work in progress and closes the connections. */
  close(): Promise<void>;
}
