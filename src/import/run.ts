import { recordLocalId } from '../model/index.js';
import type { ArticleRecord } from '../model/types.js';
import type { Store, UpsertResult } from '../store/types.js';
import { readFileItems, type ImportItem, type ReadOptions } from './read.js';
import { SeenIds } from './seen.js';
import { describeFsError, sniffFile, walkPaths } from './sources.js';

export type ImportOutcome = UpsertResult['outcome'] | 'invalid';
export const IMPORT_OUTCOMES: readonly ImportOutcome[] = ['created', 'updated', 'undeleted', 'unchanged', 'invalid'];
export type OutcomeCounts = Record<ImportOutcome, number>;

export interface ImportOptions extends ReadOptions {
  /** Records per transaction (default 1,000). */
  batchRecords?: number;
  /** Input bytes per transaction (default 16 MB): whichever limit comes first. */
  batchBytes?: number;
  /** Each item as soon as it is read (errors, warnings and repairs are reported from here). */
  onItem?: (item: ImportItem) => void;
  /** After each committed transaction, and at least once per file. */
  onProgress?: (progress: ImportProgress) => void;
  /** Called on each valid record before it is batched: may change `item.record`, or refuse it (push an error, delete the record). */
  prepare?: (item: ImportItem) => void;
  /** Checked between transactions: when it is aborted, the import stops after the last commit. */
  signal?: AbortSignal;
}

export interface ImportProgress {
  files: number;
  /** Records read (valid or not) and records committed. */
  read: number;
  committed: number;
  /** Bytes of input read, and the total of the files named (undefined when a directory was given). */
  bytes: number;
  totalBytes: number | undefined;
  transactions: number;
  file: string | undefined;
}

export interface ImportSummary {
  /** Counts per file, in the order files were read. */
  files: Map<string, OutcomeCounts>;
  total: OutcomeCounts;
  /** Records read more than once (same local id): the later one is stored. */
  duplicates: number;
  repaired: number;
  transactions: number;
  bytes: number;
  /** The import stopped early (signal): what was committed stays, a re-run continues. */
  interrupted: boolean;
}

export const DEFAULT_BATCH_RECORDS = 1000;
export const DEFAULT_BATCH_BYTES = 16 * 1024 * 1024;

export const emptyCounts = (): OutcomeCounts => ({ created: 0, updated: 0, undeleted: 0, unchanged: 0, invalid: 0 });

/**
 * Streams record files into the store in bounded transactions: at most `batchRecords` records
 * or `batchBytes` bytes of input are held and written at once, so memory does not grow with the
 * number of records. Each transaction commits on its own; killed at any point, the store keeps
 * every committed transaction and none of the open one, and a re-run is idempotent (an
 * unchanged record keeps its datestamp, so re-importing what was committed changes nothing).
 */
export async function importFiles(store: Store, paths: readonly string[], options: ImportOptions = {}): Promise<ImportSummary> {
  const limits = { records: options.batchRecords ?? DEFAULT_BATCH_RECORDS, bytes: options.batchBytes ?? DEFAULT_BATCH_BYTES };
  const summary: ImportSummary = { files: new Map(), total: emptyCounts(), duplicates: 0, repaired: 0, transactions: 0, bytes: 0, interrupted: false };
  const progress: ImportProgress = { files: 0, read: 0, committed: 0, bytes: 0, totalBytes: await totalBytes(paths), transactions: 0, file: undefined };
  const seen = new SeenIds();
  let batch: ImportItem[] = [];
  let batchBytes = 0;
  const tally = (item: ImportItem, outcome: ImportOutcome) => {
    let counts = summary.files.get(item.file);
    if (!counts) summary.files.set(item.file, (counts = emptyCounts()));
    counts[outcome]++;
    summary.total[outcome]++;
  };
  const flush = async () => {
    if (batch.length === 0) return;
    const results = await store.records.upsertMany(batch.map((item) => item.record as ArticleRecord));
    batch.forEach((item, index) => tally(item, results[index]!.outcome));
    progress.committed += batch.length;
    progress.transactions = ++summary.transactions;
    batch = [];
    batchBytes = 0;
    options.onProgress?.({ ...progress });
  };

  for await (const entry of walkPaths(paths)) {
    if (options.signal?.aborted) break;
    if (typeof entry !== 'string') {
      const item: ImportItem = { file: entry.path, source: entry.path, bytes: 0, errors: entry.error ? [entry.error] : [], warnings: entry.warning ? [entry.warning] : [], repairs: [] };
      options.onItem?.(item);
      if (entry.error) tally(item, 'invalid');
      continue;
    }
    progress.file = entry;
    progress.files++;
    let sniffed;
    try {
      sniffed = await sniffFile(entry);
    } catch (error) {
      const item: ImportItem = { file: entry, source: entry, bytes: 0, errors: [`cannot read: ${describeFsError(error)}`], warnings: [], repairs: [] };
      options.onItem?.(item);
      tally(item, 'invalid');
      continue;
    }
    for await (const item of readFileItems(entry, sniffed, options, (n) => (progress.bytes += n))) {
      if (item.record) options.prepare?.(item);
      if (item.record) {
        progress.read++;
        if (seen.add(recordLocalId(item.record))) {
          summary.duplicates++;
          item.warnings.push(`local id ${JSON.stringify(recordLocalId(item.record))} was already read earlier in this import: this record replaces it`);
        }
        if (item.repairs.length > 0) summary.repaired++;
        batch.push(item);
        batchBytes += item.bytes;
      } else if (item.errors.length > 0) {
        progress.read++;
        tally(item, 'invalid');
      }
      options.onItem?.(item);
      if (batch.length >= limits.records || batchBytes >= limits.bytes) {
        await flush();
        if (options.signal?.aborted) break;
      }
    }
    if (options.signal?.aborted) break;
    options.onProgress?.({ ...progress });
  }
  if (options.signal?.aborted) summary.interrupted = true;
  await flush();
  summary.bytes = progress.bytes;
  return summary;
}

/** The total size of the paths when all are files (a progress bar's 100%); undefined otherwise. */
async function totalBytes(paths: readonly string[]): Promise<number | undefined> {
  const { stat } = await import('node:fs/promises');
  let total = 0;
  for (const path of paths) {
    try {
      const info = await stat(path);
      if (!info.isFile()) return undefined;
      total += info.size;
    } catch {
      // Reported when the path is reached.
    }
  }
  return total;
}
