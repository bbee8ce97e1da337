import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Logger } from '../../log.js';
import type { Store, StoredRecord } from '../../store/types.js';
import { findFormat, type DepositHead, type FormatDescriptor } from '../../formats/index.js';
import { formatDirectory, runExport, type ExportEvent, type ExportItem } from '../../export/index.js';
import { sweepTempFiles } from '../../export/atomicWrite.js';
import { existsSync } from 'node:fs';
import type { CrossrefDepositorIdentity } from '../../crossref/index.js';
import type { ExportFormatName } from '../config.js';
import { profileRecord, type JournalProfile } from '../../journals/index.js';

export interface ExportJobOptions {
  store: Store;
  outDir: string;
  formats: ExportFormatName[];
  /** Needed for batch formats (Crossref: the doi_batch head). */
  crossrefHead?: CrossrefDepositorIdentity;
  signal?: AbortSignal;
  logger?: Logger;
  /** Records per page; the job checkpoints after each page (default 200, a multiple of the Crossref batch size). */
  pageSize?: number;
  /** Flush files to disk before renaming them into place (default true). */
  durable?: boolean;
  /** Part of the export profile: a new pubmeta version re-exports everything once. */
  version?: string;
  onProgress?: (counts: ExportCounts) => void;
}

export interface ExportCounts {
  /** Records read (changed since the last run, plus those in the last run's final second). */
  scanned: number;
  /** Records whose files were (re)written in at least one format. */
  written: number;
  /** Records read but identical to what is already exported. */
  unchanged: number;
  /** Deleted records whose files were removed. */
  removed: number;
  /** Record/format pairs not written (the writer refused the record, or its output failed its schema). */
  failed: number;
  /** Files written (a Crossref batch counts once). */
  files: number;
}

/**
 * The error a run with failures ends with: the job's status is partial when some records were
 * written (`partial`), failed otherwise; its counts say how much was written.
 */
export class ExportJobFailures extends Error {
  readonly counts: ExportCounts;
  readonly partial: boolean;
  constructor(counts: ExportCounts) {
    super(`${counts.failed} record/format pair(s) not exported, ${counts.written} record(s) written; the failures are in the log`);
    this.name = 'ExportJobFailures';
    this.counts = counts;
    this.partial = counts.written > 0;
  }
}

function descriptors(formats: readonly ExportFormatName[]): FormatDescriptor[] {
  return formats.map((id) => {
    const format = findFormat(id);
    if (!format) throw new Error(`unknown export format ${JSON.stringify(id)}`);
    return format;
  });
}

function exportProfile(outDir: string, formats: readonly string[], head: CrossrefDepositorIdentity | undefined, version: string, journals: readonly JournalProfile[]): string {
  const journalsPart = journals.length > 0 ? { journals } : {};
  return createHash('sha256')
    .update(JSON.stringify({ outDir, formats: [...formats].sort(), head: head ?? null, version, pipeline: 2, ...journalsPart }))
    .digest('hex')
    .slice(0, 16);
}

/**
 * The worker's export: every record changed since the last run goes through the export pipeline
 * (src/export, the one `pubmeta export` uses: render, validate always, name, write atomically),
 * with the same layout and names (`<out>/<format>/<local id>.<ext>`, Crossref in deposit batches).
 * Deleted records lose their files. Progress is checkpointed after each page, so a stopped or
 * killed run resumes where it was; datestamps say what changed, content hashes what is already out.
 * Throws ExportJobFailures (with the counts) when any record or format failed.
 */
export async function runExportJob(options: ExportJobOptions): Promise<ExportCounts> {
  const { store, logger } = options;
  const formats = descriptors(options.formats);
  if (formats.some((f) => f.writeBatch) && !options.crossrefHead) {
    throw new Error('the crossref export format needs crossref.depositor and crossref.registrant in the config');
  }
  const outDir = resolve(options.outDir);
  // Records take what they lack from their journal profile; another profile, other files: all are written again.
  const journals = await store.journals.list();
  const profile = exportProfile(outDir, options.formats, options.crossrefHead, options.version ?? '', journals);
  const checkpointKey = `export:${profile}`;
  const counts: ExportCounts = { scanned: 0, written: 0, unchanged: 0, removed: 0, failed: 0, files: 0 };
  const deposit: DepositHead | undefined = options.crossrefHead ? { depositor: options.crossrefHead.depositor, registrant: options.crossrefHead.registrant } : undefined;

  for (const format of formats) {
    const dir = formatDirectory(outDir, format);
    const swept = existsSync(dir) ? sweepTempFiles(dir) : 0;
    if (swept > 0) logger?.info({ dir, swept }, 'removed temp files left by an interrupted export');
  }
  const since = await store.jobs.readCheckpoint(checkpointKey);
  let highWater = since;
  let after: { datestamp: string; localId: string } | undefined;
  const pageSize = options.pageSize ?? 200;
  for (;;) {
    if (options.signal?.aborted) break;
    const rows: StoredRecord[] = await store.records.list({ ...(since ? { from: since } : {}), ...(after ? { after } : {}) }, pageSize);
    if (rows.length === 0) break;
    const done = await exportPage(rows, { ...options, outDir, formats, profile, counts, journals, ...(deposit ? { deposit } : {}) });
    const last = rows[rows.length - 1]!;
    after = { datestamp: last.datestamp, localId: last.localId };
    if (!highWater || last.datestamp > highWater) highWater = last.datestamp;
    // Files first, then the bookkeeping, in one transaction: a crash in between only means
    // rewriting identical files on the next run, never a missing one.
    await store.withTransaction(async (tx) => {
      const now = new Date().toISOString();
      await tx.jobs.saveExported(profile, done, now);
      await tx.jobs.writeCheckpoint(checkpointKey, highWater!, now);
    });
    options.onProgress?.({ ...counts });
    if (rows.length < pageSize) break;
    // Let heartbeats and signals through between pages.
    await yieldToEventLoop();
  }
  logger?.info({ ...counts }, 'export finished');
  if (counts.failed > 0) throw new ExportJobFailures(counts);
  return counts;
}

interface PageContext extends Omit<ExportJobOptions, 'formats'> {
  journals: readonly JournalProfile[];
  formats: FormatDescriptor[];
  profile: string;
  counts: ExportCounts;
  deposit?: DepositHead;
}

/** One page through the pipeline; returns the bookkeeping rows for what it settled. */
async function exportPage(rows: StoredRecord[], ctx: PageContext): Promise<{ localId: string; hash: string | null }[]> {
  const { store, counts, logger } = ctx;
  const exported = await store.jobs.exportedHashes(ctx.profile, rows.map((s) => s.localId));
  const items: ExportItem[] = [];
  const done: { localId: string; hash: string | null }[] = [];
  for (const stored of rows) {
    counts.scanned++;
    if (stored.deleted || !stored.record) {
      items.push({ remove: stored.localId });
      if (exported.has(stored.localId)) counts.removed++;
      done.push({ localId: stored.localId, hash: null });
    } else if (exported.get(stored.localId) === stored.contentHash) {
      counts.unchanged++;
    } else {
      const profiled = profileRecord(stored.record, ctx.journals);
      items.push({ record: profiled.ok ? profiled.record : stored.record, label: stored.localId });
      done.push({ localId: stored.localId, hash: stored.contentHash });
    }
  }
  if (items.length === 0) return done;
  const writtenIds = new Set<string>();
  const failedIds = new Set<string>();
  const onEvent = (event: ExportEvent) => {
    if (event.type === 'file') {
      counts.files++;
      for (const id of event.localIds) writtenIds.add(id);
    } else if (event.type === 'failure') {
      failedIds.add(event.label);
      logger?.warn({ record: event.label, format: event.format, field: event.field, reason: event.message }, 'record not exported in this format');
    } else if (event.type === 'note') {
      logger?.info({ note: event.message }, 'export');
    }
  };
  // The page is written in full (a stop signal is honoured between pages).
  const summary = await runExport(items, {
    outDir: ctx.outDir,
    formats: ctx.formats,
    ...(ctx.deposit ? { deposit: ctx.deposit } : {}),
    durable: ctx.durable ?? true,
    sweepTempFiles: false,
    onEvent,
  });
  counts.failed += summary.failures;
  counts.written += writtenIds.size;
  // A record that failed in some format is not marked exported: the next run tries it again.
  return done.filter((d) => d.hash === null || !failedIds.has(d.localId));
}
