import { recordLocalId } from '../model/index.js';
import type { ArticleRecord } from '../model/types.js';
import { contentHash } from './canonical.js';
import { recordSetSpecs, recordSets } from './setSpecs.js';
import type { ListOptions, MetadataFragment, SetInfo, StoredRecord, UpsertResult } from './types.js';

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
  /** With a fragment join: 1/true when a current fragment exists, whether it has xml, and the xml. */
  has_fragment?: boolean | number | null;
  fragment_ok?: boolean | number | null;
  fragment_xml?: string | null;
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
  if (row.has_fragment === true || row.has_fragment === 1) {
    stored.fragment = { disseminable: row.fragment_ok === true || row.fragment_ok === 1 };
    if (typeof row.fragment_xml === 'string') stored.fragment.xml = row.fragment_xml;
  }
  return stored;
}

/**
 * The select list and join of a listing: header columns, the current fragment under
 * options.fragment (if asked) and the record JSON only where it is needed (no headersOnly; with
 * a fragment join, only for live rows without a current fragment; jsonInline false: the caller
 * reads it separately). `p(n)` writes the n-th
 * fragment parameter (SQLite `?`, PostgreSQL `$n`); its values are [metadataPrefix, renderKey].
 */
export function listColumns(
  options: ListOptions,
  p: (n: 0 | 1) => string,
  falseValue: string,
  jsonInline = true,
): { columns: string; join: string; params: string[]; withJson: boolean } {
  const base = 'r.local_id, r.datestamp, r.deleted, r.content_hash, r.set_specs';
  const key = options.fragment;
  if (!key) return { columns: options.headersOnly ? base : `${base}, r.json`, join: '', params: [], withJson: !options.headersOnly };
  const join =
    ` LEFT JOIN record_fragments f ON f.local_id = r.local_id AND f.metadata_prefix = ${p(0)}` +
    ` AND f.render_key = ${p(1)} AND f.content_hash = r.content_hash`;
  const xml = options.fragmentWithoutXml ? '' : ', f.xml AS fragment_xml';
  const json = jsonInline ? `, CASE WHEN f.local_id IS NULL AND r.deleted = ${falseValue} THEN r.json END AS json` : '';
  const columns = `${base}, f.local_id IS NOT NULL AS has_fragment, f.xml IS NOT NULL AS fragment_ok${xml}${json}`;
  return { columns, join, params: [key.metadataPrefix, key.renderKey], withJson: true };
}

export interface FragmentRow {
  local_id: string;
  metadata_prefix: string;
  content_hash: string;
  render_key: string;
  xml: string | null;
  error: string | null;
}

export function toFragment(row: FragmentRow): MetadataFragment {
  return {
    localId: row.local_id,
    metadataPrefix: row.metadata_prefix,
    contentHash: row.content_hash,
    renderKey: row.render_key,
    xml: row.xml,
    error: row.error,
  };
}
