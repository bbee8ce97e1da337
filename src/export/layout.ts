// Where exported files go and what they are called: one layout for `pubmeta export` and the
// worker's export job (README, "Exported files").
//
//   <out>/<format id>/<record file stem>.<extension>   a format written one record per file
//   <out>/<format id>/<batch id>.<extension>            a batch format (Crossref: one deposit per file)
//
// The record file stem is the record's local id (its "id", else its DOI), percent-encoded
// where a character is not safe in a file name, so every local id has its own file and the
// name can be decoded back to the id.
import { join } from 'node:path';
import type { FormatDescriptor } from '../formats/index.js';

/** Ids that are their own stem (the usual case, tested once instead of byte by byte). */
const SAFE_STEM = /^[A-Za-z0-9_~-][A-Za-z0-9_~.-]*$/;

/** A file name stem for any id: A-Z a-z 0-9 _ ~ - . kept, every other UTF-8 byte as %XX; a leading dot as %2E (hidden files, temp files). */
export function fileStem(id: string): string {
  if (SAFE_STEM.test(id)) return id;
  let encoded = '';
  for (const byte of new TextEncoder().encode(id)) {
    const c = String.fromCharCode(byte);
    encoded += /[A-Za-z0-9_~.-]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded.startsWith('.') ? `%2E${encoded.slice(1)}` : encoded;
}

/** The local id a file stem was made from. */
export function idFromFileStem(stem: string): string {
  return decodeURIComponent(stem);
}

export function formatDirectory(outDir: string, format: Pick<FormatDescriptor, 'id'>): string {
  return join(outDir, format.id);
}

/** <out>/<format>/<stem of the local id>.<extension> */
export function recordFilePath(outDir: string, format: Pick<FormatDescriptor, 'id' | 'extension'>, localId: string): string {
  return join(outDir, format.id, `${fileStem(localId)}.${format.extension}`);
}

/** <out>/<format>/<stem of the batch id>.<extension> */
export function batchFilePath(outDir: string, format: Pick<FormatDescriptor, 'id' | 'extension'>, batchId: string): string {
  return join(outDir, format.id, `${fileStem(batchId)}.${format.extension}`);
}
