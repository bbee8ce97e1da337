// The export pipeline, shared by `pubmeta export` and the worker's export job: records stream
// in, each format renders them, every output is checked (validation is never skipped), named
// by the file layout (layout.ts) and written atomically; files stream out. Memory holds one
// validation group per single-record format and one batch per batch format, whatever the
// number of records (plus one short entry per record to refuse duplicate ids and DOIs).
import { mkdirSync, rmSync } from 'node:fs';
import type { DepositHead, FormatDescriptor, FormatList } from '../formats/index.js';
import { ExportError } from '../formats/index.js';
import { recordLocalId } from '../model/records.js';
import { ValidationThread } from '../validate/index.js';
import type { ArticleRecord } from '../model/types.js';
import { AtomicFileBatch, sweepTempFiles } from './atomicWrite.js';
import { writeBatches, type BatchItem } from './batches.js';
import { checkOutputsWith } from './check.js';
import { fileStem, formatDirectory, recordFilePath } from './layout.js';

/**
 * A record to export, or (`remove`) the local id of a record that is gone, whose files are
 * removed (files of batch formats stay: a deposit once made is history). `label` names it in
 * messages (a file path, "FILE#/3", a store id); default: its local id.
 */
export type ExportItem = { record: ArticleRecord; label?: string } | { remove: string; label?: string };

export type ExportEvent =
  /** A file was written (renamed into place), holding the records with these local ids. */
  | { type: 'file'; format: string; path: string; records: number; localIds: string[] }
  /** The file of a removed record was deleted (or was not there). */
  | { type: 'removed'; format: string; path: string; localId: string }
  /** A record was not written in a format (or in any, when `format` is undefined). */
  | { type: 'failure'; format: string | undefined; label: string; recordId?: string; field?: string; message: string }
  | { type: 'note'; message: string };

export interface ExportOptions {
  /** Root of the file layout: <outDir>/<format id>/... */
  outDir: string;
  /** The formats to write (descriptors, e.g. from the registry). */
  formats: FormatList;
  /** The head of batch formats' files (Crossref depositor and registrant); required with a batch format. */
  deposit?: DepositHead;
  /** Records per batch file (default: the format's, 100 for Crossref). */
  maxBatchRecords?: number;
  /** Bytes per batch file (default and upper limit: the format's, 10 MB for Crossref). */
  maxBatchBytes?: number;
  /**
   * Outputs checked together (one parse for many documents where the schema allows): at most
   * this many (default 50) and about CHECK_GROUP_CHARS of text, so outputs do not wait long
   * enough in memory to be promoted to the old generation (JATS: ~10 per group).
   */
  checkGroup?: number;
  /** Flush files to disk before they are renamed into place (default true). */
  durable?: boolean;
  /** Remove temp files an interrupted export left in the format directories first (default true). */
  sweepTempFiles?: boolean;
  /** Stops reading records; what is already rendered is not written. */
  signal?: AbortSignal;
  onEvent?: (event: ExportEvent) => void;
  /**
   * Validate XSD outputs on a second thread as well as this one (default false). Uses a second
   * core where one is free, at the price of the schemas compiled twice (JATS: some 50 MB more
   * peak memory and a second compile). Only where the built package runs (dist/).
   */
  validationThread?: boolean;
}

export interface ExportSummary {
  /** succeeded: nothing failed; partial: some record/format failed, something was written; failed: nothing written and something failed. */
  status: 'succeeded' | 'partial' | 'failed';
  /** Records read. */
  records: number;
  /** Records written, per format id. */
  written: Record<string, number>;
  /** Files written, per format id. */
  files: Record<string, number>;
  /** Record/format pairs not written (a record refused before any format counts once). */
  failures: number;
  aborted: boolean;
}

const DEFAULT_CHECK_GROUP = 50;
/** Text per check group: measured, larger groups of JATS made the heap (and peak RSS) grow by half, without speed gained. */
const CHECK_GROUP_CHARS = 192 * 1024;
/** Checked groups and batches waiting to be written at most (each holds its outputs in memory). */
const MAX_IN_FLIGHT = 2;
/**
 * Files written (to temp files) before they are flushed and renamed into place together: one
 * durability barrier per this many files or bytes instead of one per group (a flush per file
 * and per directory costs more than rendering and checking oai_dc). A crash loses at most
 * these; a 'file' event is only sent once its file is committed.
 */
const COMMIT_FILES = 256;
const COMMIT_BYTES = 2 * 1024 * 1024;

interface Rendered {
  label: string;
  localId: string;
  record: ArticleRecord;
  output: string;
}

/** Exports every record in every format; resolves when all files are written. */
export async function runExport(records: AsyncIterable<ExportItem> | Iterable<ExportItem>, options: ExportOptions): Promise<ExportSummary> {
  const run = new ExportRun(options);
  try {
    for await (const item of records) {
      if (options.signal?.aborted) break;
      await run.add(item);
    }
  } catch (error) {
    await run.close();
    throw error;
  }
  return run.finish();
}

class ExportRun {
  private readonly summary: ExportSummary;
  private readonly singles: FormatDescriptor[];
  private readonly batched: FormatDescriptor[];
  private readonly groups = new Map<string, Rendered[]>();
  private readonly groupChars = new Map<string, number>();
  private readonly pending = new Map<string, BatchItem[]>();
  private readonly labelOfStem = new Map<string, string>();
  private readonly labelOfDoi = new Map<string, string>();
  private readonly thread: ValidationThread | undefined;
  /** Checked (or being checked) outputs waiting to be written, oldest first. */
  private readonly inflight: { settled: boolean; write: () => Promise<void> }[] = [];
  /** Files written and not yet committed, and the events that report them once they are. */
  private readonly files: AtomicFileBatch;
  private staged: { format: string; path: string; localIds: string[] }[] = [];

  constructor(private readonly options: ExportOptions) {
    this.singles = options.formats.filter((f) => !f.writeBatch);
    this.batched = options.formats.filter((f) => f.writeBatch);
    this.summary = { status: 'succeeded', records: 0, written: {}, files: {}, failures: 0, aborted: false };
    this.files = new AtomicFileBatch({ durable: options.durable ?? true });
    for (const format of options.formats) {
      this.summary.written[format.id] = 0;
      this.summary.files[format.id] = 0;
      const dir = formatDirectory(options.outDir, format);
      mkdirSync(dir, { recursive: true });
      const swept = options.sweepTempFiles === false ? 0 : sweepTempFiles(dir);
      if (swept > 0) this.emit({ type: 'note', message: `removed ${swept} temp file(s) an interrupted export left in ${dir}` });
      if (format.writeBatch && !options.deposit) {
        throw new ExportError('(run)', 'deposit', format.id, `the ${format.id} format writes deposit batches and needs a depositor and a registrant`);
      }
    }
    const schemas = options.formats.flatMap((f) => (f.validation.kind === 'xsd' ? [f.validation.schemaId] : []));
    this.thread = options.validationThread === true && schemas.length > 0 ? ValidationThread.start(schemas) : undefined;
  }

  /** Stops the validation thread and drops uncommitted files (finish commits them first). */
  async close(): Promise<void> {
    this.files.discard();
    this.staged = [];
    await this.thread?.close();
  }

  async add(item: ExportItem): Promise<void> {
    if ('remove' in item) return this.remove(item.remove);
    this.summary.records++;
    const localId = recordLocalId(item.record);
    const label = item.label ?? localId;
    if (!this.claim(label, localId, item.record.doi)) return;
    for (const format of this.singles) {
      const output = this.render(format, item.record, label);
      if (output === undefined) {
        this.removeStale(format, localId);
        continue;
      }
      const group = this.groups.get(format.id) ?? [];
      group.push({ label, localId, record: item.record, output });
      this.groups.set(format.id, group);
      const chars = (this.groupChars.get(format.id) ?? 0) + output.length;
      this.groupChars.set(format.id, chars);
      if (group.length >= (this.options.checkGroup ?? DEFAULT_CHECK_GROUP) || chars >= CHECK_GROUP_CHARS) await this.flushGroup(format);
    }
    for (const format of this.batched) {
      try {
        format.assertWritable?.(item.record);
      } catch (error) {
        this.failRecord(format, label, error);
        continue;
      }
      const pending = this.pending.get(format.id) ?? [];
      pending.push({ label, localId, record: item.record });
      this.pending.set(format.id, pending);
      if (pending.length >= this.maxBatchRecords(format)) await this.flushBatch(format);
    }
  }

  async finish(): Promise<ExportSummary> {
    this.summary.aborted = this.options.signal?.aborted === true;
    try {
      if (!this.summary.aborted) {
        for (const format of this.singles) await this.flushGroup(format);
        for (const format of this.batched) await this.flushBatch(format);
      }
      await this.drain(0);
      await this.commitFiles();
    } finally {
      await this.close();
    }
    const written = Object.values(this.summary.written).some((n) => n > 0);
    this.summary.status = this.summary.failures === 0 ? 'succeeded' : written ? 'partial' : 'failed';
    return this.summary;
  }

  /** Deletes a gone record's files, after writing what is pending (it may be an earlier version of it). */
  private async remove(localId: string): Promise<void> {
    for (const format of this.singles) await this.flushGroup(format);
    await this.drain(0);
    await this.commitFiles();
    for (const format of this.singles) {
      const path = recordFilePath(this.options.outDir, format, localId);
      rmSync(path, { force: true });
      this.emit({ type: 'removed', format: format.id, path, localId });
    }
  }

  /** One local id, one set of files; one DOI, one record (a batch carrying a DOI twice registers whichever Crossref reads last). */
  private claim(label: string, localId: string, doi: string): boolean {
    const stem = fileStem(localId);
    const sameFiles = this.labelOfStem.get(stem);
    const sameDoi = this.labelOfDoi.get(doi);
    const problem = sameFiles !== undefined
      ? `skipped: its local id ${JSON.stringify(localId)} names the same output files as ${sameFiles}`
      : sameDoi !== undefined ? `skipped: DOI ${doi} is already exported from ${sameDoi}` : undefined;
    if (problem) {
      this.summary.failures++;
      this.emit({ type: 'failure', format: undefined, label, recordId: doi, message: problem });
      return false;
    }
    this.labelOfStem.set(stem, label);
    this.labelOfDoi.set(doi, label);
    return true;
  }

  private render(format: FormatDescriptor, record: ArticleRecord, label: string): string | undefined {
    try {
      return format.write(record);
    } catch (error) {
      this.failRecord(format, label, error);
      return undefined;
    }
  }

  /** Checks a group of outputs (on the validation thread when it is idle), then writes the valid ones and reports the others. */
  private async flushGroup(format: FormatDescriptor): Promise<void> {
    const group = this.groups.get(format.id);
    if (!group || group.length === 0) return;
    this.groups.delete(format.id);
    this.groupChars.delete(format.id);
    const checked = checkOutputsWith(this.thread, format, group);
    await this.enqueue(checked, async () => this.writeGroup(format, group, await checked));
  }

  private async writeGroup(format: FormatDescriptor, group: Rendered[], problems: (string | undefined)[]): Promise<void> {
    group.forEach((item, index) => {
      const path = recordFilePath(this.options.outDir, format, item.localId);
      const problem = problems[index];
      if (problem !== undefined) {
        this.fail(format.id, item.label, `${format.id} output ${problem}\nnot written`, item.record.doi);
        rmSync(path, { force: true });
        return;
      }
      this.stage(format.id, path, item.output, [item.localId]);
    });
    await this.commitWhenFull();
  }

  /** Writes a file's temp file; it is renamed into place and reported on the next commit. */
  private stage(format: string, path: string, content: string | Uint8Array, localIds: string[]): void {
    this.files.write(path, content);
    this.staged.push({ format, path, localIds });
  }

  private async commitWhenFull(): Promise<void> {
    if (this.files.size >= COMMIT_FILES || this.files.bytes >= COMMIT_BYTES) await this.commitFiles();
  }

  /** Flushes and renames the staged files into place, then reports them. */
  private async commitFiles(): Promise<void> {
    const staged = this.staged;
    this.staged = [];
    await this.files.commit();
    for (const { format, path, localIds } of staged) this.fileWritten(format, path, localIds);
  }

  private async flushBatch(format: FormatDescriptor): Promise<void> {
    const pending = this.pending.get(format.id);
    if (!pending || pending.length === 0) return;
    this.pending.delete(format.id);
    await writeBatches(format, pending, {
      outDir: this.options.outDir,
      deposit: this.options.deposit!,
      maxBytes: this.maxBatchBytes(format),
      thread: this.thread,
      enqueue: (checked, write) => this.enqueue(checked, write),
      fail: (label, message, recordId) => this.fail(format.id, label, message, recordId),
      failRecord: (label, error) => this.failRecord(format, label, error),
      // A deposit file is large enough to carry its own flush (batching them raised peak RSS by ~50 MB, measured).
      write: async (path, content, items) => {
        this.stage(format.id, path, content, items.map((item) => item.localId));
        await this.commitFiles();
      },
    });
  }

  /**
   * Files are written in the order their outputs were made, each once its check is done.
   * Checks run on the validation thread while this one goes on; at most MAX_IN_FLIGHT wait.
   */
  private async enqueue(checked: unknown, write: () => Promise<void>): Promise<void> {
    const entry = { settled: !(checked instanceof Promise), write };
    if (checked instanceof Promise) {
      const settle = () => {
        entry.settled = true;
      };
      checked.then(settle, settle);
    }
    this.inflight.push(entry);
    await this.drain(MAX_IN_FLIGHT);
  }

  /** Writes finished entries in order, waiting while more than `limit` are in flight. */
  private async drain(limit: number): Promise<void> {
    while (this.inflight.length > 0 && (this.inflight[0]!.settled || this.inflight.length > limit)) {
      await this.inflight.shift()!.write();
    }
  }

  private maxBatchRecords(format: FormatDescriptor): number {
    return Math.max(1, this.options.maxBatchRecords ?? format.batching?.defaultMaxRecords ?? 100);
  }

  private maxBatchBytes(format: FormatDescriptor): number {
    const limit = format.batching?.maxBytes ?? Number.POSITIVE_INFINITY;
    return Math.min(this.options.maxBatchBytes ?? limit, limit);
  }

  /** A stale file would claim that an older version of the record is current. */
  private removeStale(format: FormatDescriptor, localId: string): void {
    rmSync(recordFilePath(this.options.outDir, format, localId), { force: true });
  }

  private failRecord(format: FormatDescriptor, label: string, error: unknown): void {
    if (!(error instanceof ExportError)) throw error;
    this.summary.failures++;
    this.emit({ type: 'failure', format: format.id, label, recordId: error.recordId, field: error.field, message: error.message });
  }

  private fail(format: string, label: string, message: string, recordId?: string): void {
    this.summary.failures++;
    this.emit({ type: 'failure', format, label, ...(recordId === undefined ? {} : { recordId }), message });
  }

  private fileWritten(format: string, path: string, localIds: string[]): void {
    this.summary.written[format] = (this.summary.written[format] ?? 0) + localIds.length;
    this.summary.files[format] = (this.summary.files[format] ?? 0) + 1;
    this.emit({ type: 'file', format, path, records: localIds.length, localIds });
  }

  private emit(event: ExportEvent): void {
    this.options.onEvent?.(event);
  }
}
