import { recordLocalId } from '../model/index.js';
import type { ArticleRecord } from '../model/types.js';
import { contentHash } from './canonical.js';
import { harvestedProvenance, harvestedSets, isHarvestedLocalId, ownProvenance } from './provenance.js';
import { recordSetSpecs, recordSets } from './setSpecs.js';
import type { DoiConflict, ListOptions, MetadataFragment, RecordOrigin, SetInfo, StoredRecord, UpsertResult } from './types.js';

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
  provenance: string;
  /** Lowercase DOI. */
  doi: string | null;
  origin: RecordOrigin | undefined;
}

/** The provenance columns of a write, in the column order of ORIGIN_COLUMNS. */
export const ORIGIN_COLUMNS = [
  'provenance',
  'doi',
  'origin_source',
  'origin_base_url',
  'origin_identifier',
  'origin_datestamp',
  'origin_metadata_namespace',
  'harvested_at',
] as const;

export function originValues(write: RecordWrite): (string | null)[] {
  const o = write.origin;
  return [write.provenance, write.doi, o?.source ?? null, o?.baseUrl ?? null, o?.identifier ?? null, o?.datestamp ?? null, o?.metadataNamespace ?? null, o?.harvestedAt ?? null];
}

export interface ExistingRecordState {
  deleted: boolean;
  contentHash: string;
  setSpecs: string;
  datestamp: string;
}

export function prepareRecordWrite(record: ArticleRecord, localId = recordLocalId(record), origin?: RecordOrigin): RecordWrite {
  if (!localId) throw new Error('record has neither id nor doi: cannot store it');
  const doi = record.doi ? record.doi.toLowerCase() : null;
  if (!origin) {
    if (isHarvestedLocalId(localId)) throw new Error(`local id ${localId}: ids starting with "harvested:" are reserved for harvested records`);
    return {
      localId,
      json: JSON.stringify(record),
      hash: contentHash(record),
      setSpecs: JSON.stringify(recordSetSpecs(record)),
      sets: recordSets(record),
      provenance: ownProvenance(record),
      doi,
      origin: undefined,
    };
  }
  if (!isHarvestedLocalId(localId)) throw new Error(`local id ${localId}: a harvested record's local id starts with "harvested:"`);
  const { setSpecs, sets } = harvestedSets(origin);
  // The record's version: its content and which version at the source it is (identifier,
  // datestamp, format), not when it was harvested again or through which URL.
  const shown = { source: origin.source, identifier: origin.identifier, datestamp: origin.datestamp, metadataNamespace: origin.metadataNamespace };
  return {
    localId,
    json: JSON.stringify(record),
    hash: contentHash({ record, origin: shown }),
    setSpecs: JSON.stringify(setSpecs),
    sets,
    provenance: harvestedProvenance(origin.source),
    doi,
    origin,
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
  /** A string, or the UTF-8 bytes when read with listColumns' asBytes. */
  fragment_xml?: string | Buffer | null;
  provenance?: string | null;
  origin_source?: string | null;
  origin_base_url?: string | null;
  origin_identifier?: string | null;
  origin_datestamp?: string | null;
  origin_metadata_namespace?: string | null;
  harvested_at?: string | null;
}

/**
 * The columns a listing reads besides json: the header's, then the provenance columns but the
 * DOI (the covering records_headers indexes hold exactly these).
 */
export const LIST_COLUMNS: readonly string[] = ['local_id', 'datestamp', 'deleted', 'content_hash', 'set_specs', ...ORIGIN_COLUMNS.filter((c) => c !== 'doi')];

export function toStoredRecord(row: RecordRowData, withJson: boolean): StoredRecord {
  const deleted = row.deleted === true || row.deleted === 1;
  const stored: StoredRecord = {
    localId: row.local_id,
    datestamp: row.datestamp,
    sets: JSON.parse(row.set_specs) as string[],
    deleted,
    contentHash: row.content_hash,
    provenance: row.provenance ?? 'own',
  };
  if (row.origin_source) {
    stored.origin = {
      source: row.origin_source,
      baseUrl: row.origin_base_url ?? '',
      identifier: row.origin_identifier ?? '',
      datestamp: row.origin_datestamp ?? '',
      metadataNamespace: row.origin_metadata_namespace ?? '',
      harvestedAt: row.harvested_at ?? '',
    };
  }
  if (withJson && !deleted && typeof row.json === 'string') stored.record = JSON.parse(row.json) as ArticleRecord;
  if (row.has_fragment === true || row.has_fragment === 1) {
    stored.fragment = { disseminable: row.fragment_ok === true || row.fragment_ok === 1 };
    if (typeof row.fragment_xml === 'string') stored.fragment.xml = row.fragment_xml;
    else if (row.fragment_xml) stored.fragment.bytes = row.fragment_xml;
  }
  return stored;
}

/**
 * The select list and join of a listing: header columns, the current fragment under
 * options.fragment (if asked) and the record JSON only where it is needed (no headersOnly; with
 * a fragment join, only for live rows without a current fragment; jsonInline false: the caller
 * reads it separately). `p(n)` writes the n-th
 * fragment parameter (SQLite `?`, PostgreSQL `$n`); its values are [metadataPrefix, renderKey].
 * `asBytes` (if the backend has one) reads a text expression as its UTF-8 bytes, for
 * options.fragmentBytes.
 */
export function listColumns(
  options: ListOptions,
  p: (n: 0 | 1) => string,
  falseValue: string,
  jsonInline = true,
  asBytes?: (expression: string) => string,
): { columns: string; join: string; params: string[]; withJson: boolean } {
  const base = LIST_COLUMNS.map((c) => `r.${c}`).join(', ');
  const key = options.fragment;
  if (!key) return { columns: options.headersOnly ? base : `${base}, r.json`, join: '', params: [], withJson: !options.headersOnly };
  const join =
    ` LEFT JOIN record_fragments f ON f.local_id = r.local_id AND f.metadata_prefix = ${p(0)}` +
    ` AND f.render_key = ${p(1)} AND f.content_hash = r.content_hash`;
  const xml = options.fragmentWithoutXml ? '' : `, ${options.fragmentBytes && asBytes ? asBytes('f.xml') : 'f.xml'} AS fragment_xml`;
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

export interface ConflictRow {
  doi: string;
  local_id: string;
  provenance: string;
  origin_source: string | null;
  origin_identifier: string | null;
}

/** Rows of conflicting DOIs (ordered by doi, local_id) grouped per DOI. */
export function groupConflicts(rows: readonly ConflictRow[]): DoiConflict[] {
  const out: DoiConflict[] = [];
  for (const row of rows) {
    let entry = out[out.length - 1];
    if (!entry || entry.doi !== row.doi) out.push((entry = { doi: row.doi, own: [], harvested: [] }));
    if (row.origin_source) entry.harvested.push({ localId: row.local_id, source: row.origin_source, identifier: row.origin_identifier ?? '' });
    else entry.own.push({ localId: row.local_id, provenance: row.provenance });
  }
  return out;
}
