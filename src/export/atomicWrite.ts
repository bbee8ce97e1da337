import { randomBytes } from 'node:crypto';
import { closeSync, fdatasyncSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
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

/**
 * Many atomic writes with one durability barrier: temp files are written, then flushed
 * together (concurrent fdatasync, which the filesystem can group into few journal commits),
 * then renamed into place, then their directories are flushed. Several times faster than one
 * fsync'd write after another, with the same guarantee: a target is either the old file or the
 * complete new one, also after a crash.
 */
export class AtomicFileBatch {
  readonly #durable: boolean;
  #pending: { temp: string; target: string }[] = [];

  constructor(options: { durable?: boolean } = {}) {
    this.#durable = options.durable ?? true;
  }

  get size(): number {
    return this.#pending.length;
  }

  write(target: string, data: string | Uint8Array): void {
    const temp = tempPathFor(target);
    writeFileSync(temp, data, { mode: 0o644 });
    this.#pending.push({ temp, target });
  }

  async commit(): Promise<void> {
    const pending = this.#pending;
    this.#pending = [];
    try {
      if (this.#durable) {
        await Promise.all(
          pending.map(async ({ temp }) => {
            const handle = await open(temp, 'r+');
            try {
              await handle.datasync();
            } finally {
              await handle.close();
            }
          }),
        );
      }
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
    for (const { temp } of this.#pending) rmSync(temp, { force: true });
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
