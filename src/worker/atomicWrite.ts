import { randomBytes } from 'node:crypto';
import { closeSync, fdatasyncSync, openSync, readdirSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const TEMP_PATTERN = /^\.pubmeta-.+\.tmp$/;

/**
 * Writes a file so readers only ever see the old or the new content: a hidden temp file in
 * the same directory, flushed, then renamed over the target (rename is atomic on POSIX).
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, options: { durable?: boolean } = {}): void {
  const temp = join(dirname(path), `.pubmeta-${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
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

/** A file name for any local id: unreserved characters kept, everything else percent-encoded (reversible). */
export function exportFileName(localId: string): string {
  const encoded = Array.from(new TextEncoder().encode(localId))
    .map((byte) => {
      const c = String.fromCharCode(byte);
      return /[A-Za-z0-9_~-]/.test(c) || c === '.' ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
  // A leading dot would hide the file (and could collide with temp files).
  return `${encoded.startsWith('.') ? `%2E${encoded.slice(1)}` : encoded}.xml`;
}
