// `pubmeta harvest dump`: every harvested record of a source, as it was harvested (raw), as
// its stored header and mapped article (json), or in any export format (through the export
// pipeline and its validation). What to dump is decided here; the CLI writes it.
import type { ArticleRecord } from '../model/types.js';
import type { Store } from '../store/types.js';
import { harvestedRecords } from './sources.js';
import { recordAsHarvested } from './xml.js';

export interface DumpFilter {
  /** Only records with a datestamp at or after this one (compared at its own granularity). */
  since?: string | undefined;
  /** Deleted records (tombstones) too. */
  deleted?: boolean | undefined;
}

/** One harvested item to dump. */
export interface DumpItem {
  identifier: string;
  datestamp: string | undefined;
  deleted: boolean;
  /** The record element exactly as harvested (before any repair of its bytes). */
  raw: Buffer;
  /** Quarantined: it could not be read or mapped, so only `raw` is there. */
  quarantined: boolean;
  reason?: string;
  setSpecs: string[];
  /** The mapped article, when the record was mapped (see `valid`). */
  article: ArticleRecord | undefined;
  valid: boolean;
  errors: string[];
}

function passes(filter: DumpFilter, datestamp: string | undefined, deleted: boolean): boolean {
  if (deleted && !filter.deleted) return false;
  if (filter.since !== undefined && (datestamp === undefined || datestamp.slice(0, filter.since.length) < filter.since)) return false;
  return true;
}

/**
 * The source's harvested records in identifier order, then (raw only) the quarantined ones
 * that never became records: unreadable, unmappable or oversized items, with their bytes.
 */
export async function* dumpItems(store: Store, source: string, filter: DumpFilter, options: { quarantined: boolean }): AsyncGenerator<DumpItem> {
  const seen = new Set<string>();
  for await (const record of harvestedRecords(store, source)) {
    if (options.quarantined) seen.add(record.identifier);
    if (!passes(filter, record.datestamp, record.deleted)) continue;
    yield {
      identifier: record.identifier,
      datestamp: record.datestamp,
      deleted: record.deleted,
      raw: record.rawBytes ?? Buffer.from(recordAsHarvested(record.recordXml), 'utf8'),
      quarantined: false,
      setSpecs: record.setSpecs,
      article: record.mapped,
      valid: record.valid,
      errors: record.errors,
    };
  }
  if (!options.quarantined) return;
  let unnamed = 0;
  for (const q of await store.harvest.listQuarantine(source)) {
    if (q.identifier !== undefined && seen.has(q.identifier)) continue;
    if (!passes(filter, q.datestamp, false)) continue;
    yield {
      identifier: q.identifier ?? `quarantined-${++unnamed}`,
      datestamp: q.datestamp,
      deleted: false,
      raw: q.raw,
      quarantined: true,
      reason: q.reason,
      setSpecs: [],
      article: undefined,
      valid: false,
      errors: [q.reason],
    };
  }
}

/** The json form of an item: its header, state and mapped article. */
export function dumpJson(item: DumpItem): Record<string, unknown> {
  return {
    identifier: item.identifier,
    datestamp: item.datestamp ?? null,
    deleted: item.deleted,
    setSpecs: item.setSpecs,
    valid: item.valid,
    errors: item.errors,
    ...(item.quarantined ? { quarantined: true } : {}),
    record: item.article ?? null,
  };
}
