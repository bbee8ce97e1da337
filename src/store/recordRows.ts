import { recordLocalId } from '../model/index.js';
import type { ArticleRecord } from '../model/types.js';
import { contentHash } from './canonical.js';
import { recordSetSpecs, recordSets } from './setSpecs.js';
import type { SetInfo, StoredRecord, UpsertResult } from './types.js';

/**
 * What both backends write for a record, and how an upsert is judged: shared so that SQLite and
 * PostgreSQL agree on local ids, content hashes, set membership and datestamps to the byte.
 */
export interface RecordWrite {
  localId: string;
  json: string;
  hash: string;
  /** JSON array of the header setSpecs (most specific only). */
  setSpecs: string;
  /** Every set the record is in, ancestors included, with names. */
  sets: SetInfo[];
}

export interface ExistingRecordState {
  deleted: boolean;
  contentHash: string;
  setSpecs: string;
  datestamp: string;
}

export function prepareRecordWrite(record: ArticleRecord, localId = recordLocalId(record)): RecordWrite {
  if (!localId) throw new Error('record has neither id nor doi: cannot store it');
  return {
    localId,
    json: JSON.stringify(record),
    hash: contentHash(record),
    setSpecs: JSON.stringify(recordSetSpecs(record)),
    sets: recordSets(record),
  };
}

/** unchanged keeps the stored datestamp (same content, same sets, not a tombstone); anything else takes a new one. */
export function upsertOutcome(existing: ExistingRecordState | undefined, write: RecordWrite): UpsertResult['outcome'] {
  if (!existing) return 'created';
  if (existing.deleted) return 'undeleted';
  if (existing.contentHash === write.hash && existing.setSpecs === write.setSpecs) return 'unchanged';
  return 'updated';
}

export interface RecordRowData {
  local_id: string;
  datestamp: string;
  deleted: boolean | number;
  json?: string | null;
  content_hash: string;
  set_specs: string;
}

export function toStoredRecord(row: RecordRowData, withJson: boolean): StoredRecord {
  const deleted = row.deleted === true || row.deleted === 1;
  const stored: StoredRecord = {
    localId: row.local_id,
    datestamp: row.datestamp,
    sets: JSON.parse(row.set_specs) as string[],
    deleted,
    contentHash: row.content_hash,
  };
  if (withJson && !deleted && typeof row.json === 'string') stored.record = JSON.parse(row.json) as ArticleRecord;
  return stored;
}
