import { createHash } from 'node:crypto';
import type { ArticleRecord } from '../model/types.js';
import type {
  HarvestCheckpoint,
  HarvestRecordState,
  HarvestRunCounts,
  PreparedQuarantine,
  PreparedRecord,
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
  checkpoint: HarvestCheckpoint | undefined;
  /** Requests made so far in the run (the run row's count is set to it). */
  requests: number;
  records?: HarvestRecordSink;
  localIdOf: (article: ArticleRecord) => string;
  now: string;
  /** More writes that must commit with the page (the last page completes its run). */
  then?: (tx: Store) => Promise<void>;
}

/** Items judged per round: one look-up of their stored states, then one decision each. */
const CHUNK = 500;

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
    for await (const chunk of chunked(args.items(tx), CHUNK)) {
      const identifiers = chunk.flatMap((item) => (item.kind === 'record' ? [item.record.identifier] : []));
      const states = await tx.harvest.recordStates(args.source, identifiers);
      for (const item of chunk) {
        received++;
        if (item.kind === 'quarantine') {
          await tx.harvest.quarantine(args.source, quarantineKey(item.quarantine), item.quarantine, args.runId, args.now);
          outcome.quarantined++;
        } else {
          await writeRecord(tx, records, args, item.record, states, outcome);
        }
      }
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
    if (args.checkpoint) await tx.harvest.saveCheckpoint(args.checkpoint, args.now);
    if (args.slot !== undefined) await tx.harvest.clearStaging(args.source, args.slot);
    await args.then?.(tx);
    return outcome;
  });
}

/**
 * The verdict on one harvested record: stale (older than what is held), unchanged (same
 * datestamp and bytes), or written; a deletion or a changed local id withdraws the record it
 * fed unless another live harvested record still feeds it; a record the records refuse is kept
 * raw and flagged instead of costing the page.
 */
async function writeRecord(
  tx: Store,
  records: RecordRepository | undefined,
  args: CommitPageArgs,
  r: PreparedRecord,
  states: Map<string, HarvestRecordState>,
  outcome: PageOutcome,
): Promise<void> {
  const existing = states.get(r.identifier);
  if (existing && existing.datestamp > r.datestamp) {
    outcome.stale++;
    return;
  }
  if (existing && existing.datestamp === r.datestamp && existing.contentHash === r.contentHash) {
    outcome.unchanged++;
    return;
  }
  const previousLocalId = existing?.localId;
  const referencedElsewhere = async (localId: string) =>
    (await tx.harvest.countLiveReferences(localId, { source: args.source, identifier: r.identifier })) > 0;
  let localId = previousLocalId;
  let valid = r.valid;
  let errors = r.errors;
  if (r.deleted) {
    outcome.deleted++;
    if (records && previousLocalId !== undefined && !(await referencedElsewhere(previousLocalId))) await records.delete(previousLocalId);
  } else if (r.valid && r.article) {
    localId = args.localIdOf(r.article);
    if (records) {
      try {
        await records.upsert(r.article, { localId });
        if (previousLocalId !== undefined && previousLocalId !== localId && !(await referencedElsewhere(previousLocalId))) {
          await records.delete(previousLocalId);
        }
      } catch (error) {
        valid = false;
        errors = [...r.errors, `the record store refused it: ${error instanceof Error ? error.message : String(error)}`];
        localId = previousLocalId;
        outcome.invalid++;
      }
    }
  } else {
    outcome.invalid++;
  }
  if (existing) outcome.updated++;
  else outcome.created++;
  await tx.harvest.writeRecord(
    {
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
    },
    args.now,
  );
  await tx.harvest.clearQuarantine(args.source, r.identifier, r.datestamp);
  states.set(r.identifier, { datestamp: r.datestamp, contentHash: r.contentHash, localId, deleted: r.deleted });
}
