// Batch formats (Crossref deposits): records go into files of at most N records and at most
// M bytes, each file checked as a whole before it is written. A record that makes its batch
// invalid, or is alone bigger than a file may be, is reported and left out; the rest is written.
import { createHash } from 'node:crypto';
import type { DepositHead, FormatDescriptor } from '../formats/index.js';
import { ExportError } from '../formats/index.js';
import type { ArticleRecord } from '../model/types.js';
import type { ValidationThread } from '../validate/index.js';
import { checkOutputs, checkOutputsWith } from './check.js';
import { batchFilePath } from './layout.js';

export interface BatchItem {
  label: string;
  localId: string;
  record: ArticleRecord;
}

export interface BatchContext {
  outDir: string;
  deposit: DepositHead;
  maxBytes: number;
  /** Checks batches while the caller goes on, when idle. */
  thread: ValidationThread | undefined;
  /** Writes in order, once `checked` is settled (pipeline.ts). */
  enqueue(checked: unknown, write: () => Promise<void>): Promise<void>;
  fail(label: string, message: string, recordId?: string): void;
  failRecord(label: string, error: unknown): void;
  /** Writes a checked batch file atomically (the pipeline's durability batches), reporting it once it is in place. */
  write(path: string, content: string | Uint8Array, records: readonly BatchItem[]): Promise<void>;
}

/**
 * A batch's id, also its file name: "<deposit.batchId or 'pubmeta'>-<UTC yyyyMMddHHmmssSSS>-<8
 * hex digits of the sha256 of its records' DOIs>". Sortable by time, and unique: the same
 * millisecond gives the same id only for the same records.
 */
export function batchIdFor(deposit: DepositHead, records: readonly ArticleRecord[]): string {
  const now = (deposit.clock ?? (() => new Date()))();
  const stamp = now.toISOString().replace(/[-:T.Z]/g, '');
  const digest = createHash('sha256').update(records.map((r) => r.doi).join('\n')).digest('hex').slice(0, 8);
  return `${deposit.batchId ?? 'pubmeta'}-${stamp}-${digest}`;
}

/**
 * Writes `items` as one or more batch files. Bounded: every round writes a batch, leaves out a
 * record, or splits a batch into two smaller ones.
 */
export async function writeBatches(format: FormatDescriptor, items: BatchItem[], ctx: BatchContext): Promise<void> {
  const queue: BatchItem[][] = [items];
  while (queue.length > 0) {
    const batch = queue.shift()!;
    const head: DepositHead = { ...ctx.deposit, batchId: batchIdFor(ctx.deposit, batch.map((item) => item.record)) };
    const rendered = render(format, batch, head, ctx);
    if ('retry' in rendered) {
      if (rendered.retry.length > 0) queue.unshift(rendered.retry);
      continue;
    }
    const bytes = Buffer.byteLength(rendered.xml, 'utf8');
    if (bytes > ctx.maxBytes) {
      if (batch.length === 1) {
        ctx.fail(batch[0]!.label, `${format.id}: the record alone makes a ${bytes}-byte file, over the limit of ${ctx.maxBytes} bytes per file; not written`, batch[0]!.record.doi);
        continue;
      }
      const half = Math.ceil(batch.length / 2);
      queue.unshift(batch.slice(0, half), batch.slice(half));
      continue;
    }
    const checked = checkOutputsWith(ctx.thread, format, [{ output: rendered.xml, record: batch[0]!.record }]);
    const settle = async (problems: (string | undefined)[]) => {
      const path = batchFilePath(ctx.outDir, format, head.batchId!);
      if (problems[0] === undefined) {
        await ctx.write(path, rendered.xml, batch);
        return;
      }
      // Rare: find the records at fault and batch the rest again, here and now.
      const rest = leaveOutInvalid(format, batch, head, problems[0], ctx);
      if (rest.length > 0) await writeBatches(format, rest, { ...ctx, thread: undefined, enqueue: async (_checked, write) => write() });
    };
    await ctx.enqueue(checked, async () => settle(await checked));
  }
}

/** The batch document, or the records to try again without the one the writer refused. */
function render(format: FormatDescriptor, batch: BatchItem[], head: DepositHead, ctx: BatchContext): { xml: string } | { retry: BatchItem[] } {
  try {
    return { xml: format.writeBatch!(batch.map((item) => item.record), { deposit: head }) };
  } catch (error) {
    if (!(error instanceof ExportError)) throw error;
    // Found only while writing (malformed markup, say): that record is left out.
    const culprit = batch.find((item) => item.record.doi === error.recordId);
    if (!culprit) {
      for (const item of batch) ctx.failRecord(item.label, error);
      return { retry: [] };
    }
    ctx.failRecord(culprit.label, error);
    return { retry: batch.filter((item) => item !== culprit) };
  }
}

/**
 * A batch failed its check: each record is checked in a batch of its own, and those that fail
 * alone are reported by name. The others are returned to be batched again; when none fails
 * alone, the batch's own problem is reported for all of them.
 */
function leaveOutInvalid(format: FormatDescriptor, batch: BatchItem[], head: DepositHead, problem: string, ctx: BatchContext): BatchItem[] {
  const check = { ...head, batchId: 'pubmeta-validation-check', timestamp: 0 };
  const alone = batch.map((item) => {
    try {
      const xml = format.writeBatch!([item.record], { deposit: check });
      return checkOutputs(format, [{ output: xml, record: item.record }])[0];
    } catch (error) {
      if (error instanceof ExportError) return error.message;
      throw error;
    }
  });
  if (alone.every((p) => p === undefined)) {
    for (const item of batch) ctx.fail(item.label, `${format.id} batch ${head.batchId} ${problem}\nnot written`, item.record.doi);
    return [];
  }
  batch.forEach((item, index) => {
    const own = alone[index];
    if (own !== undefined) ctx.fail(item.label, `${format.id} output ${own}\nleft out of the batch`, item.record.doi);
  });
  return batch.filter((_, index) => alone[index] === undefined);
}
