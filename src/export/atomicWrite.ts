import { randomBytes } from 'node:crypto';
import { closeSync, fdatasync, fdatasyncSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { promisify } from 'node:util';
import { basename, dirname, join } from 'node:path';
import { fileStem } from './layout.js';

const TEMP_PATTERN = /^\.pubmeta-.+\.tmp$/;

/** Temp names are unique by process id, a random token per process (pids are reused) and a counter (no random bytes per file). */
const TEMP_TOKEN = randomBytes(4).toString('hex');
let tempCounter = 0;

/**
 * Writes a file so readers only ever see the old or the new content: a hidden temp file in
 * the same directory, flushed, then renamed over the target (rename is atomic on POSIX).
 */
function tempPathFor(path: string): string {
  return join(dirname(path), `.pubmeta-${basename(path)}.${process.pid}.${TEMP_TOKEN}${(tempCounter++).toString(36)}.tmp`);
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

/** Files flushed at once on commit (the flushes run on libuv's thread pool). */
const PARALLEL_FLUSHES = 32;

/** Runs `task` on every item, at most `limit` at a time. */
async function inParallel<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

const fdatasyncAsync = promisify(fdatasync);

/** Writes all of `data` to a new file at `path` (no flush); returns its size in bytes. */
function writeNewFile(path: string, data: string | Uint8Array): number {
  const fd = openSync(path, 'wx', 0o644);
  try {
    const buffer = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let offset = 0;
    while (offset < buffer.length) offset += writeSync(fd, buffer, offset, buffer.length - offset);
    return buffer.length;
  } finally {
    closeSync(fd);
  }
}

/** Flushes a file's data to disk (reopened: its writer closed it). */
async function flushFile(path: string): Promise<void> {
  const fd = openSync(path, 'r+');
  try {
    await fdatasyncAsync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Many atomic writes with one durability barrier. Each write goes at once to a hidden temp
 * file beside its target (into the page cache: no flush, nothing held in memory); commit
 * flushes the temp files concurrently (the filesystem groups their journal commits), renames
 * them into place and flushes their directories once. A target is always either its old
 * content or the complete new one, also after a crash: nothing is renamed before its data
 * is on disk, and a crash before commit leaves only temp files (sweepTempFiles).
 */
export class AtomicFileBatch {
  readonly #durable: boolean;
  #staged: { temp: string; target: string }[] = [];
  #bytes = 0;

  constructor(options: { durable?: boolean } = {}) {
    this.#durable = options.durable ?? true;
  }

  /** Files written and not yet committed. */
  get size(): number {
    return this.#staged.length;
  }

  /** Bytes written and not yet committed. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Writes a file's temp file now; its target is replaced on commit. */
  write(target: string, data: string | Uint8Array): void {
    const temp = tempPathFor(target);
    try {
      this.#bytes += writeNewFile(temp, data);
    } catch (error) {
      rmSync(temp, { force: true });
      throw error;
    }
    this.#staged.push({ temp, target });
  }

  async commit(): Promise<void> {
    const staged = this.#staged;
    this.#staged = [];
    this.#bytes = 0;
    if (staged.length === 0) return;
    try {
      if (this.#durable) await inParallel(staged, PARALLEL_FLUSHES, ({ temp }) => flushFile(temp));
      for (const { temp, target } of staged) renameSync(temp, target);
    } catch (error) {
      for (const { temp } of staged) rmSync(temp, { force: true });
      throw error;
    }
    if (this.#durable) {
      // The renames themselves live in the directories.
      for (const dir of new Set(staged.map((p) => dirname(p.target)))) syncDirectory(dir);
    }
  }

  /** Drops uncommitted writes: their temp files are removed, their targets keep their previous content. */
  discard(): void {
    for (const { temp } of this.#staged) rmSync(temp, { force: true });
    this.#staged = [];
    this.#bytes = 0;
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
