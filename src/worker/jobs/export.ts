import { findFormat } from '../../formats/index.js';
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Logger } from '../../log.js';
import type { Store, StoredRecord } from '../../store/types.js';
import type { ArticleRecord } from '../../model/types.js';
import { ExportError, toCrossref, toJats, toOaiDc } from '../../formats/index.js';
import type { CrossrefDepositorIdentity } from '../../crossref/index.js';
import { AtomicFileBatch, exportFileName, sweepTempFiles } from '../atomicWrite.js';
import type { ExportFormatName } from '../config.js';
import { profileRecord } from '../../journals/index.js';

export interface ExportJobOptions {
  store: Store;
  outDir: string;
  formats: ExportFormatName[];
  /** Needed for the crossref format (doi_batch head). */
  crossrefHead?: CrossrefDepositorIdentity;
  signal?: AbortSignal;
  logger?: Logger;
  /** Records per page; the job checkpoints after each page (default 200). */
  pageSize?: number;
  /** Flush files to disk before renaming them into place, once per page (default true). */
  durable?: boolean;
  /** Part of the export profile: a new pubmeta version re-exports everything once. */
  version?: string;
  onProgress?: (counts: ExportCounts) => void;
}

export interface ExportCounts {
  /** Records read (changed since the last run, plus those in the last run's final second). */
  scanned: number;
  /** Records whose files were (re)written. */
  written: number;
  /** Records read but identical to what is already exported. */
  unchanged: number;
  /** Deleted records whose files were removed. */
  removed: number;
  /** Record/format pairs the writer refused (ExportError). */
  failed: number;
}

function render(format: ExportFormatName, record: ArticleRecord, head: CrossrefDepositorIdentity | undefined): string {
  switch (format) {
    case 'oai_dc':
      return toOaiDc(record);
    case 'jats':
      return toJats(record);
    case 'crossref':
      return toCrossref([record], { depositor: head!.depositor, registrant: head!.registrant });
    default:
      return findFormat(format)!.write(record);
  }
}

/**
 * Writes every record changed since the last export run, one file per record and format
 * (`<outDir>/<format>/<local id>.xml`), each written atomically. Deleted records lose their
 * files. Progress is checkpointed after each page, so a stopped or killed run resumes where
 * it was; the store's datestamps say what changed, content hashes say what is already out.
 */
export async function runExportJob(options: ExportJobOptions): Promise<ExportCounts> {
  const { store, formats, logger } = options;
  if (formats.includes('crossref') && !options.crossrefHead) {
    throw new Error('the crossref export format needs crossref.depositor and crossref.registrant in the config');
  }
  const outDir = resolve(options.outDir);
  // Records take what they lack from their journal profile; other profiles, other files: all are written again.
  const journals = await store.journals.list();
  const journalsPart = journals.length > 0 ? { journals } : {};
  const profile = createHash('sha256')
    .update(JSON.stringify({ outDir, formats: [...formats].sort(), head: options.crossrefHead ?? null, version: options.version ?? '', ...journalsPart }))
    .digest('hex')
    .slice(0, 16);
  const checkpointKey = `export:${profile}`;
  const counts: ExportCounts = { scanned: 0, written: 0, unchanged: 0, removed: 0, failed: 0 };

  const dirs = new Map(formats.map((f) => [f, join(outDir, f)]));
  for (const dir of dirs.values()) {
    mkdirSync(dir, { recursive: true });
    const swept = sweepTempFiles(dir);
    if (swept > 0) logger?.info({ dir, swept }, 'removed temp files left by an interrupted export');
  }

  const since = await store.jobs.readCheckpoint(checkpointKey);
  let highWater = since;
  let after: { datestamp: string; localId: string } | undefined;
  const pageSize = options.pageSize ?? 200;
  for (;;) {
    if (options.signal?.aborted) break;
    const page: StoredRecord[] = await store.records.list({ ...(since ? { from: since } : {}), ...(after ? { after } : {}) }, pageSize);
    if (page.length === 0) break;
    const exported = await store.jobs.exportedHashes(profile, page.map((s) => s.localId));
    const done: { localId: string; hash: string | null }[] = [];
    const files = new AtomicFileBatch({ durable: options.durable ?? true });
    try {
      for (const stored of page) {
        counts.scanned++;
        const fileName = exportFileName(stored.localId);
        if (stored.deleted || !stored.record) {
          for (const dir of dirs.values()) rmSync(join(dir, fileName), { force: true });
          if (exported.has(stored.localId)) counts.removed++;
          done.push({ localId: stored.localId, hash: null });
          continue;
        }
        if (exported.get(stored.localId) === stored.contentHash) {
          counts.unchanged++;
          continue;
        }
        const profiled = profileRecord(stored.record, journals);
        const record = profiled.ok ? profiled.record : stored.record;
        for (const [format, dir] of dirs) {
          const target = join(dir, fileName);
          let xml: string;
          try {
            xml = render(format, record, options.crossrefHead);
          } catch (error) {
            if (!(error instanceof ExportError)) throw error;
            counts.failed++;
            // A stale file would claim the old version is current: remove it.
            rmSync(target, { force: true });
            logger?.warn({ localId: stored.localId, format, field: error.field, reason: error.message }, 'record cannot be exported in this format');
            continue;
          }
          files.write(target, xml);
        }
        counts.written++;
        done.push({ localId: stored.localId, hash: stored.contentHash });
      }
      await files.commit();
    } finally {
      // Anything not committed (a writer threw) leaves no temp file behind.
      files.discard();
    }
    const last = page[page.length - 1]!;
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
    if (page.length < pageSize) break;
    // Let heartbeats and signals through between pages.
    await yieldToEventLoop();
  }
  return counts;
}
