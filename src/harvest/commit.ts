import { createHash } from 'node:crypto';
import { documentRoot, oaiFormats } from '../formats/index.js';
import { toDatestamp } from '../store/canonical.js';
import { harvestedLocalId } from '../store/provenance.js';
import type {
  HarvestCheckpoint,
  HarvestRecordRow,
  HarvestRecordState,
  HarvestRunCounts,
  PreparedQuarantine,
  PreparedRecord,
  RecordOrigin,
  RecordRepository,
  StagedItem,
  Store,
} from '../store/types.js';

export interface PageOutcome extends Pick<HarvestRunCounts, 'created' | 'updated' | 'unchanged' | 'deleted' | 'invalid' | 'quarantined'> {
  /** Records older than what is already stored (a newer datestamp always wins). */
  stale: number;
}

/**
 * Where valid mapped records go: null, nowhere (harvest tables only); a function, the
 * transaction's records seen through it (a test can refuse one); default, the records themselves.
 */
export type HarvestRecordSink = null | ((records: RecordRepository) => RecordRepository);

export interface CommitPageArgs {
  source: string;
  /** Staging slot of the page, cleared with the commit. */
  slot?: number;
  metadataPrefix: string;
  runId: number;
  /** The page's items, read through the commit's transaction (staged items are read back in it). */
  items: (tx: Store) => AsyncIterable<StagedItem> | Iterable<StagedItem>;
  /**
   * The checkpoint saved with the page; a function is called once the items have been read (it
   * may depend on them: the page's datestamps).
   */
  checkpoint: HarvestCheckpoint | undefined | (() => HarvestCheckpoint | undefined);
  /** Requests made so far in the run (the run row's count is set to it). */
  requests: number;
  records?: HarvestRecordSink;
  /** The source's baseURL (the provenance of the records written). */
  baseUrl: string;
  now: string;
  /** More writes that must commit with the page (the last page completes its run). */
  then?: (tx: Store) => Promise<void>;
}

/**
 * Items judged per round: one look-up of their stored states, then one decision each. Small, so
 * that a record is mapped, written and dropped within a few dozen others: its objects die young
 * instead of being promoted with a whole page's (which grows the heap, and the RSS, for nothing).
 */
const CHUNK = 32;

/** Identity of a quarantined item: the same record (identifier + datestamp) or the same bytes. */
export function quarantineKey(q: PreparedQuarantine): string {
  if (q.identifier !== undefined) return `id:${q.identifier}\u0000${q.datestamp ?? ''}`;
  return `sha1:${createHash('sha1').update(q.raw).digest('base64url')}`;
}

async function* chunked(items: AsyncIterable<StagedItem> | Iterable<StagedItem>, size: number): AsyncGenerator<StagedItem[]> {
  let chunk: StagedItem[] = [];
  for await (const item of items) {
    chunk.push(item);
    if (chunk.length >= size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

/**
 * Writes one page in ONE transaction: its records (upsert by source + OAI identifier; a newer
 * datestamp replaces, an older one is ignored), their articles into the records, quarantine
 * rows, the run counters and the checkpoint with the next resumption token. A crash before the
 * commit loses only this page, which the resumed run fetches again.
 */
export function commitHarvestPage(store: Store, args: CommitPageArgs): Promise<PageOutcome> {
  return store.withTransaction(async (tx) => {
    const outcome: PageOutcome = { created: 0, updated: 0, unchanged: 0, deleted: 0, invalid: 0, quarantined: 0, stale: 0 };
    const records = args.records === null ? undefined : args.records ? args.records(tx.records) : tx.records;
    let received = 0;
    const rows = new PendingRows(tx, args.now);
    for await (const chunk of chunked(args.items(tx), CHUNK)) {
      const identifiers = chunk.flatMap((item) => (item.kind === 'record' ? [item.record.identifier] : []));
      const states = await tx.harvest.recordStates(args.source, identifiers);
      for (const item of chunk) {
        received++;
        if (item.kind === 'quarantine') {
          await rows.flush();
          await tx.harvest.quarantine(args.source, quarantineKey(item.quarantine), item.quarantine, args.runId, args.now);
          outcome.quarantined++;
        } else {
          await writeRecord(tx, records, args, item.record, states, outcome, rows);
        }
      }
      await rows.flush();
    }
    await tx.harvest.addRunCounters(args.runId, args.requests, {
      pages: 1,
      records: received,
      created: outcome.created,
      updated: outcome.updated,
      unchanged: outcome.unchanged,
      deleted: outcome.deleted,
      invalid: outcome.invalid,
      quarantined: outcome.quarantined,
    });
    const checkpoint = typeof args.checkpoint === 'function' ? args.checkpoint() : args.checkpoint;
    if (checkpoint) await tx.harvest.saveCheckpoint(checkpoint, args.now);
    if (args.slot !== undefined) await tx.harvest.clearStaging(args.source, args.slot);
    await args.then?.(tx);
    return outcome;
  });
}

/**
 * Harvest rows waiting to be written together (one round per chunk). Written before anything
 * else touches the harvest tables (a quarantine row, a reference count), so the order of
 * writes stays the order of the items.
 */
class PendingRows {
  private rows: HarvestRecordRow[] = [];

  constructor(
    private readonly tx: Store,
    private readonly now: string,
  ) {}

  add(row: HarvestRecordRow): void {
    this.rows.push(row);
  }

  async flush(): Promise<void> {
    if (this.rows.length === 0) return;
    const rows = this.rows;
    this.rows = [];
    await this.tx.harvest.writeRecords(rows, this.now);
  }
}

/** What commitHarvestPage does with one harvested record, decided from what is stored. */
export type RecordVerdict =
  | { kind: 'stale' }
  | { kind: 'unchanged' }
  /** Write the harvest row; `withdraw`: tombstone this (harvested) record in the records. */
  | { kind: 'delete'; withdraw: string | undefined }
  /** Write the harvest row and the mapped article under `localId` (a harvested: local id). */
  | { kind: 'upsert'; localId: string }
  /** Write the harvest row only, flagged (no mapping or failed validation). */
  | { kind: 'invalid' };

/**
 * The harvester's verdict on one record (pure): stale (older than what is held), unchanged (same
 * datestamp and bytes), a deletion (its harvested record is withdrawn), an upsert of a valid
 * mapped article, or invalid (kept raw and flagged). The store only persists the verdict.
 */
export function judgeRecord(source: string, r: PreparedRecord, existing: HarvestRecordState | undefined): RecordVerdict {
  if (existing && existing.datestamp > r.datestamp) return { kind: 'stale' };
  if (existing && existing.datestamp === r.datestamp && existing.contentHash === r.contentHash) return { kind: 'unchanged' };
  if (r.deleted) return { kind: 'delete', withdraw: existing?.localId };
  if (r.valid && r.article) return { kind: 'upsert', localId: harvestedLocalId(source, r.identifier) };
  return { kind: 'invalid' };
}

/** The namespace of the harvested metadata (provenance metadataNamespace): its root's, else the format's. */
export function harvestedMetadataNamespace(metadataXml: string | undefined, metadataPrefix: string): string {
  const root = metadataXml ? documentRoot(metadataXml) : undefined;
  if (root?.namespace) return root.namespace;
  const format = oaiFormats().find((f) => f.oai.prefix === metadataPrefix);
  return format?.oai.namespace ?? `urn:oai-pmh:metadataPrefix:${encodeURIComponent(metadataPrefix)}`;
}

/**
 * Applies the verdict on one record. Harvested articles go into the records apart from your own,
 * under `harvested:<source>:<identifier>` with their provenance, so they never replace or merge
 * into an own record with the same DOI. A record the records refuse is kept raw and flagged
 * instead of costing the page. A harvest row that fed an older local id (before provenance)
 * withdraws that record, unless another live harvested record still feeds it.
 */
async function writeRecord(
  tx: Store,
  records: RecordRepository | undefined,
  args: CommitPageArgs,
  r: PreparedRecord,
  states: Map<string, HarvestRecordState>,
  outcome: PageOutcome,
  rows: PendingRows,
): Promise<void> {
  const existing = states.get(r.identifier);
  const verdict = judgeRecord(args.source, r, existing);
  if (verdict.kind === 'stale' || verdict.kind === 'unchanged') {
    outcome[verdict.kind]++;
    return;
  }
  const withdraw = async (localId: string | undefined) => {
    if (!records || localId === undefined) return;
    await rows.flush();
    const held = (await tx.harvest.countLiveReferences(localId, { source: args.source, identifier: r.identifier })) > 0;
    const stored = held ? undefined : await records.get(localId);
    // Only ever a harvested record: an own record is never withdrawn by a harvest.
    if (stored?.origin) await records.delete(localId);
  };
  let localId = existing?.localId;
  let valid = r.valid;
  let errors = r.errors;
  if (verdict.kind === 'delete') {
    outcome.deleted++;
    await withdraw(verdict.withdraw);
  } else if (verdict.kind === 'invalid') {
    outcome.invalid++;
  } else if (records) {
    try {
      await records.upsert(r.article!, { localId: verdict.localId, origin: originOf(args, r) });
      if (localId !== verdict.localId) await withdraw(localId);
      localId = verdict.localId;
    } catch (error) {
      valid = false;
      errors = [...r.errors, `the record store refused it: ${error instanceof Error ? error.message : String(error)}`];
      outcome.invalid++;
    }
  } else {
    localId = verdict.localId;
  }
  if (existing) outcome.updated++;
  else outcome.created++;
  rows.add({
      source: args.source,
      identifier: r.identifier,
      datestamp: r.datestamp,
      deleted: r.deleted,
      setSpecs: r.setSpecs,
      metadataPrefix: args.metadataPrefix,
      recordXml: r.recordXml,
      contentHash: r.contentHash,
      rawBytes: r.rawBytes,
      repairs: r.repairs,
      format: r.format,
      mapped: r.article,
      valid,
      errors,
      warnings: r.warnings,
    localId,
    runId: args.runId,
  });
  states.set(r.identifier, { datestamp: r.datestamp, contentHash: r.contentHash, localId, deleted: r.deleted });
}

function originOf(args: CommitPageArgs, r: PreparedRecord): RecordOrigin {
  return {
    source: args.source,
    baseUrl: args.baseUrl,
    identifier: r.identifier,
    datestamp: r.datestamp,
    metadataNamespace: harvestedMetadataNamespace(r.metadataXml, args.metadataPrefix),
    harvestedAt: toDatestamp(new Date(args.now)),
  };
}
