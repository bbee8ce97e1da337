import { open, opendir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { xmlFileEncoding } from '../formats/readers/file.js';
import { detectSheetDelimiter, matchSheetColumn } from '../spreadsheet/index.js';

/** File extensions picked up when walking a directory; files named explicitly are read whatever their name. */
export const WALKED_EXTENSIONS: readonly string[] = ['.json', '.jsonl', '.ndjson'];
const SPREADSHEET_EXTENSIONS: readonly string[] = ['.csv', '.tsv'];

export type FileKind = 'xml' | 'json' | 'spreadsheet';

/** How a file's bytes are text: the encoding and the bytes of byte-order mark before the text. */
export interface FileEncoding {
  label: string;
  bom: number;
}

export interface SniffedFile {
  kind: FileKind;
  encoding: FileEncoding;
  size: number;
}

/** A path that could not be read or holds nothing to import. */
export interface PathProblem {
  path: string;
  error?: string;
  warning?: string;
}

/**
 * The files under each path, in order: files as named, directories walked recursively in sorted
 * name order (each directory listed when it is reached, so memory holds one directory's names,
 * never the whole tree's).
 */
export async function* walkPaths(paths: readonly string[]): AsyncGenerator<string | PathProblem> {
  for (const path of paths) {
    let isDirectory: boolean;
    try {
      isDirectory = (await stat(path)).isDirectory();
    } catch (error) {
      // The CLI's wording for a missing input (see cli/conventions noSuchFile), not "invalid record".
      const missing = error instanceof Error && 'code' in error && error.code === 'ENOENT';
      yield { path, error: missing ? `no such file: ${path}` : `cannot read: ${describeFsError(error)}` };
      continue;
    }
    if (!isDirectory) {
      yield path;
      continue;
    }
    let found = 0;
    for await (const file of walkDirectory(path)) {
      found++;
      yield file;
    }
    if (found === 0) yield { path, warning: `directory holds no ${WALKED_EXTENSIONS.join(' or ')} files` };
  }
}

async function* walkDirectory(directory: string): AsyncGenerator<string> {
  const entries: { name: string; dir: boolean }[] = [];
  for await (const entry of await opendir(directory)) {
    if (entry.isDirectory()) entries.push({ name: entry.name, dir: true });
    else if (entry.isFile() && WALKED_EXTENSIONS.includes(extname(entry.name).toLowerCase())) entries.push({ name: entry.name, dir: false });
  }
  // Sorted by name so every run reads the same files in the same order (the last of two records
  // with one local id wins, the same one every time).
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(directory, entry.name);
    if (entry.dir) yield* walkDirectory(path);
    else yield path;
  }
}

const HEAD = 64 * 1024;

/**
 * What a file holds, by content: the encoding (byte-order mark; for XML the declaration and the
 * zero bytes of UTF-16 without a mark; for JSON the zero bytes of UTF-16 text), then the first
 * character: `<` XML, `{` or `[` JSON. Anything else is a spreadsheet when it is named .csv/.tsv,
 * is UTF-16 (spreadsheet programs' "Unicode text"), or its first line names a known column;
 * otherwise JSON, whose reader says what is wrong.
 */
export async function sniffFile(file: string): Promise<SniffedFile> {
  const handle = await open(file, 'r');
  try {
    const size = (await handle.stat()).size;
    const head = Buffer.alloc(Math.min(HEAD, size));
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return { ...classify(file, head.subarray(0, bytesRead)), size };
  } finally {
    await handle.close();
  }
}

export function classify(file: string, head: Uint8Array): { kind: FileKind; encoding: FileEncoding } {
  let encoding: FileEncoding = xmlFileEncoding(head);
  // UTF-16 JSON without a mark: the first character is ASCII, so one of its two bytes is zero.
  if (encoding.bom === 0 && head.length >= 2 && encoding.label === 'utf-8') {
    if (head[0] !== 0 && head[1] === 0) encoding = { label: 'utf-16le', bom: 0 };
    else if (head[0] === 0 && head[1] !== 0) encoding = { label: 'utf-16be', bom: 0 };
  }
  const utf16 = /^utf-16/i.test(encoding.label);
  const text = new TextDecoder(utf16 ? encoding.label : 'utf-8').decode(head.subarray(encoding.bom, Math.min(head.length, 4096)));
  const first = /\S/.exec(text)?.[0];
  if (first === '<') return { kind: 'xml', encoding };
  if (first === '{' || first === '[') return { kind: 'json', encoding };
  if (SPREADSHEET_EXTENSIONS.includes(extname(file).toLowerCase()) || (utf16 && encoding.bom > 0)) return { kind: 'spreadsheet', encoding };
  const firstLine = text.split(/\r?\n/, 1)[0]!.replace(/^sep=.$/, '');
  const delimiter = detectSheetDelimiter(firstLine);
  if (firstLine.split(delimiter).some((name) => matchSheetColumn(name.replace(/^"|"$/g, '')) !== undefined)) return { kind: 'spreadsheet', encoding };
  return { kind: 'json', encoding };
}

export function describeFsError(error: unknown): string {
  if (error instanceof Error && 'code' in error) {
    const code = String(error.code);
    if (code === 'ENOENT') return 'no such file or directory';
    if (code === 'EACCES') return 'permission denied';
    if (code === 'EISDIR') return 'is a directory';
    return `${code}: ${error.message}`;
  }
  return String(error);
}
