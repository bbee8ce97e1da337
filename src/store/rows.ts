import type { ArticleRecord } from '../model/types.js';
import type { Granularity } from '../harvest/xml.js';
import type {
  DepositBatchInfo,
  DepositBatchStatus,
  DoiDepositRow,
  DoiDepositState,
  HarvestCheckpoint,
  HarvestRunRow,
  HarvestRunStatus,
  HarvestSource,
  JobCounts,
  JobRun,
  JobRunStatus,
  LeaseHolder,
  PreparedQuarantine,
  PreparedRecord,
  QuarantinedRecord,
  StagedItem,
  StoredHarvestRecord,
} from './types.js';

/**
 * Row to object mappings shared by both backends: the tables have the same columns in SQLite and
 * PostgreSQL; only value types differ (0/1 or boolean, number or bigint or numeric string).
 */

export type Row = Record<string, unknown>;

export const str = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : String(v));
export const num = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : Number(v));
export const bool = (v: unknown): boolean => v === true || v === 1 || v === 1n || v === '1';
const nullableString = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const nullableNumber = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export function sourceFromRow(row: Row): HarvestSource {
  return {
    name: String(row.name),
    baseUrl: String(row.base_url),
    metadataPrefix: String(row.metadata_prefix),
    set: str(row.set_spec),
    requestBudget: num(row.request_budget),
    granularity: str(row.granularity) as Granularity | undefined,
    repositoryName: str(row.repository_name),
    earliestDatestamp: str(row.earliest_datestamp),
    deletedRecord: str(row.deleted_record),
    identifiedAt: str(row.identified_at),
    delayMs: num(row.delay_ms),
    fromContact: str(row.from_contact),
    nextFrom: str(row.next_from),
    lastResponseDate: str(row.last_response_date),
    notBefore: str(row.not_before),
    createdAt: String(row.created_at),
    updatedAt: String(row.updated_at),
  };
}

export function runFromRow(row: Row): HarvestRunRow {
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

export function checkpointFromRow(row: Row): HarvestCheckpoint {
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
    ordered: bool(row.ordered),
    restarts: Number(row.restarts),
    updatedAt: String(row.updated_at),
  };
}

/** The checkpoint's columns, in the order of CHECKPOINT_COLUMNS. */
export const CHECKPOINT_COLUMNS = [
  'source',
  'run_id',
  'metadata_prefix',
  'list_from',
  'list_until',
  'list_set',
  'restart_from',
  'resumption_token',
  'cursor',
  'complete_list_size',
  'pages',
  'records',
  'first_response_date',
  'max_datestamp',
  'ordered',
  'restarts',
  'updated_at',
] as const;

export function checkpointValues(c: HarvestCheckpoint, now: string, ordered: (value: boolean) => unknown): unknown[] {
  return [
    c.source,
    c.runId,
    c.metadataPrefix,
    c.listFrom ?? null,
    c.listUntil ?? null,
    c.listSet ?? null,
    c.restartFrom ?? null,
    c.resumptionToken ?? null,
    c.cursor ?? null,
    c.completeListSize ?? null,
    c.pages,
    c.records,
    c.firstResponseDate ?? null,
    c.maxDatestamp ?? null,
    ordered(c.ordered),
    c.restarts,
    now,
  ];
}

export function harvestRecordFromRow(row: Row): StoredHarvestRecord {
  return {
    source: String(row.source),
    identifier: String(row.identifier),
    datestamp: String(row.datestamp),
    deleted: bool(row.deleted),
    setSpecs: JSON.parse(String(row.set_specs)) as string[],
    metadataPrefix: String(row.metadata_prefix),
    recordXml: String(row.record_xml),
    rawBytes: (row.raw_bytes as Buffer | null) ?? undefined,
    repairs: str(row.repairs),
    format: str(row.format),
    mapped: row.mapped_json ? (JSON.parse(String(row.mapped_json)) as ArticleRecord) : undefined,
    valid: bool(row.valid),
    errors: row.errors ? (JSON.parse(String(row.errors)) as string[]) : [],
    warnings: row.warnings ? (JSON.parse(String(row.warnings)) as string[]) : [],
    localId: str(row.local_id),
    harvestedAt: String(row.harvested_at),
  };
}

export function quarantineFromRow(row: Row): QuarantinedRecord {
  return {
    source: String(row.source),
    identifier: str(row.identifier),
    datestamp: str(row.datestamp),
    reason: String(row.reason),
    raw: row.raw as Buffer,
    requestUrl: str(row.request_url),
    createdAt: String(row.created_at),
  };
}

/** A staged item's row payload: the item without its bytes (those go in the raw column). */
export function stagedPayload(item: { kind: 'record'; record: { rawBytes: Buffer | undefined } } | { kind: 'quarantine'; quarantine: PreparedQuarantine }): {
  payload: string;
  raw: Buffer | null;
} {
  if (item.kind === 'record') {
    const { rawBytes, ...rest } = item.record;
    return { payload: JSON.stringify(rest), raw: rawBytes ?? null };
  }
  const { raw, ...rest } = item.quarantine;
  return { payload: JSON.stringify(rest), raw };
}

export function doiFromRow(row: Row): DoiDepositRow {
  return {
    doi: String(row.doi),
    localId: String(row.local_id),
    state: row.state as DoiDepositState,
    message: nullableString(row.message),
    failureSource: nullableString(row.failure_source) as DoiDepositRow['failureSource'],
    batchId: nullableString(row.batch_id),
    submissionId: nullableString(row.submission_id),
    updatedAt: String(row.updated_at),
    lastTimestamp: nullableString(row.last_timestamp),
    depositedAt: nullableString(row.deposited_at),
    registeredAt: nullableString(row.registered_at),
    contentHash: String(row.content_hash),
  };
}

export function batchFromRow(row: Row): DepositBatchInfo {
  return {
    batchId: String(row.batch_id),
    fileName: String(row.file_name),
    status: row.status as DepositBatchStatus,
    timestamp: String(row.timestamp),
    recordCount: Number(row.record_count),
    createdAt: String(row.created_at),
    sentAt: nullableString(row.sent_at),
    completedAt: nullableString(row.completed_at),
    submissionId: nullableString(row.submission_id),
    successCount: nullableNumber(row.success_count),
    warningCount: nullableNumber(row.warning_count),
    failureCount: nullableNumber(row.failure_count),
    message: nullableString(row.message),
  };
}

export function jobRunFromRow(row: Row): JobRun {
  return {
    id: Number(row.id),
    job: String(row.job),
    owner: String(row.owner),
    trigger: String(row.trigger),
    startedAt: String(row.started_at),
    endedAt: nullableString(row.ended_at),
    status: row.status as JobRunStatus,
    counts: row.counts ? (JSON.parse(String(row.counts)) as JobCounts) : null,
    error: nullableString(row.error),
  };
}

export function leaseFromRow(row: Row): LeaseHolder {
  return {
    key: String(row.job),
    owner: String(row.owner),
    acquiredAt: String(row.acquired_at),
    heartbeatAt: String(row.heartbeat_at),
    expiresAt: new Date(Number(row.expires_at)),
  };
}

/**
 * Whether a lease row may be taken by `owner` now. `alreadyOurs`: whether a live lease the
 * claimant holds counts (claiming one key again renews it; choosing the next of several skips it).
 */
export function leaseIsTakeable(
  holder: LeaseHolder | undefined,
  claim: { owner: string; nowMs: number; takeOver?: (holder: LeaseHolder) => boolean },
  alreadyOurs: boolean,
): boolean {
  if (!holder || holder.expiresAt.getTime() <= claim.nowMs) return true;
  if (holder.owner === claim.owner) return alreadyOurs;
  return claim.takeOver?.(holder) ?? false;
}

export function stagedFromRow(kind: string, payload: string, raw: Buffer | null): StagedItem {
  if (kind === 'record') {
    const record = JSON.parse(payload) as PreparedRecord;
    record.rawBytes = raw ?? undefined;
    return { kind: 'record', record };
  }
  const quarantine = JSON.parse(payload) as PreparedQuarantine;
  quarantine.raw = raw ?? Buffer.alloc(0);
  return { kind: 'quarantine', quarantine };
}
