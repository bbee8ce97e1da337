import { randomBytes } from 'node:crypto';
import { closeSync, fdatasyncSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileStem } from './layout.js';

const TEMP_PATTERN = /^\.pubmeta-.+\.tmp$/;

/**
 * Writes a file so readers only ever see the old or the new content: a hidden temp file in
 * the same directory, flushed, then renamed over the target (rename is atomic on POSIX).
 */
function tempPathFor(path: string): string {
  return join(dirname(path), `.pubmeta-${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Flushes a directory, so the renames into it survive a crash too. */
function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function writeFileAtomic(path: string, data: string | Uint8Array, options: { durable?: boolean } = {}): void {
  const temp = tempPathFor(path);
  const fd = openSync(temp, 'w', 0o644);
  try {
    const buffer = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let offset = 0;
    while (offset < buffer.length) offset += writeSync(fd, buffer, offset, buffer.length - offset);
    if (options.durable !== false) fdatasyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  if (options.durable !== false) syncDirectory(dirname(path));
}

/** Files a batch holds open at once (well under the usual limit of 1024 descriptors). */
const OPEN_FILES = 32;

/** Runs `task` on every item, at most `limit` at a time. */
async function inParallel<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/**
 * Many atomic writes with one durability barrier: on commit the temp files are written and
 * flushed concurrently (the filesystem can group their journal commits, and slow file
 * creation overlaps), then renamed into place, then their directories are flushed. Several
 * times faster than one fsync'd write after another, with the same guarantee: a target is
 * either the old file or the complete new one, also after a crash.
 */
export class AtomicFileBatch {
  readonly #durable: boolean;
  #pending: { temp: string; target: string; data: string | Uint8Array }[] = [];

  constructor(options: { durable?: boolean } = {}) {
    this.#durable = options.durable ?? true;
  }

  get size(): number {
    return this.#pending.length;
  }

  /** Queues a file; nothing is written before commit. */
  write(target: string, data: string | Uint8Array): void {
    this.#pending.push({ temp: tempPathFor(target), target, data });
  }

  async commit(): Promise<void> {
    const pending = this.#pending;
    this.#pending = [];
    try {
      await inParallel(pending, OPEN_FILES, async ({ temp, data }) => {
        const handle = await open(temp, 'w', 0o644);
        try {
          await handle.writeFile(data);
          if (this.#durable) await handle.datasync();
        } finally {
          await handle.close();
        }
      });
      for (const { temp, target } of pending) renameSync(temp, target);
    } catch (error) {
      for (const { temp } of pending) rmSync(temp, { force: true });
      throw error;
    }
    if (this.#durable) {
      // The renames themselves live in the directories.
      for (const dir of new Set(pending.map((p) => dirname(p.target)))) syncDirectory(dir);
    }
  }

  /** Drops uncommitted writes (their targets keep their previous content). */
  discard(): void {
    this.#pending = [];
  }
}

/** Removes temp files a killed writer left behind in `dir`. Returns how many. */
export function sweepTempFiles(dir: string): number {
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    if (!TEMP_PATTERN.test(name)) continue;
    try {
      unlinkSync(join(dir, name));
      removed++;
    } catch {
      // Already gone (another sweeper): fine.
    }
  }
  return removed;
}

/** The worker's file name for a local id (layout.ts's stem plus ".xml"). */
export function exportFileName(localId: string): string {
  return `${fileStem(localId)}.xml`;
}
