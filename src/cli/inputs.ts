import { open, readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { ReaderError, readXmlFile } from '../formats/index.js';
import { xmlFileEncoding } from '../formats/readers/file.js';
import { locateJsonSyntaxError, recordLocalId, validateArticle, type ArticleRecord } from '../model/index.js';


/** One record read from the command line's inputs, valid or not. */
export interface LoadedInput {
  /** File path, plus "#/index" for an element of a JSON array. */
  source: string;
  /** Present only when the record is valid (normalised by validateArticle). */
  record?: ArticleRecord;
  /** "/pointer: reason" lines (or a file-level reason); non-empty means no record. */
  errors: string[];
  warnings: string[];
}

/** File extensions picked up when walking a directory. Files named explicitly are read whatever their name. */
export const WALKED_INPUT_EXTENSIONS: readonly string[] = ['.json'];

/**
 * Reads record files and directories (walked recursively, in sorted order). A JSON file holds
 * one record or an array of records; each record is validated and reported separately, so one
 * bad record never hides the others.
 */
export async function loadRecordInputs(paths: string[]): Promise<LoadedInput[]> {
  const results: LoadedInput[] = [];
  for (const path of paths) {
    for (const file of await expandPath(path, results)) results.push(...(await loadFile(file)));
  }
  warnDuplicateIds(results);
  return results;
}

async function expandPath(path: string, results: LoadedInput[]): Promise<string[]> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch (error) {
    results.push({ source: path, errors: [`cannot read: ${describeFsError(error)}`], warnings: [] });
    return [];
  }
  if (!isDirectory) return [path];
  const files = await walk(path);
  if (files.length === 0) {
    results.push({ source: path, errors: [], warnings: [`directory holds no ${WALKED_INPUT_EXTENSIONS.join(' or ')} files`] });
  }
  return files;
}

async function walk(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  // Sorted by name so every run reads the same files in the same order.
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) files.push(...(await walk(path)));
    else if (entry.isFile() && WALKED_INPUT_EXTENSIONS.includes(extname(entry.name).toLowerCase())) files.push(path);
  }
  return files;
}

async function loadFile(file: string): Promise<LoadedInput[]> {
  // XML is read by content, in chunks (a 200 MB JATS article costs the memory of its metadata).
  let xml: boolean;
  try {
    xml = await startsWithMarkup(file);
  } catch (error) {
    return [{ source: file, errors: [`cannot read: ${describeFsError(error)}`], warnings: [] }];
  }
  if (xml) return await loadXmlInput(file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return [{ source: file, errors: [`cannot read: ${describeFsError(error)}`], warnings: [] }];
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return [{ source: file, errors: [`not valid JSON: ${describeJsonError(error, text)}`], warnings: [] }];
  }
  if (Array.isArray(parsed)) {
    if (parsed.length === 0) return [{ source: file, errors: [], warnings: ['the file holds an empty array: no records'] }];
    return parsed.map((value, index) => loadRecordValue(`${file}#/${index}`, value));
  }
  return [loadRecordValue(file, parsed)];
}

/** Whether the file's first character (after a BOM, in its encoding) is "<". */
async function startsWithMarkup(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const { label, bom } = xmlFileEncoding(head.subarray(0, bytesRead));
    const text = new TextDecoder(label === 'utf-16le' || label === 'utf-16be' ? label : 'latin1').decode(head.subarray(bom, bytesRead));
    return /\S/.exec(text)?.[0] === '<';
  } finally {
    await handle.close();
  }
}

/**
 * XML record files are read by content (root element and namespace), whatever their name:
 * JATS articles, Crossref deposits (every journal_article) and oai_dc records. Reader warnings
 * (dropped elements, unresolved DTD entities) travel with each record read from the file.
 */
async function loadXmlInput(file: string): Promise<LoadedInput[]> {
  let read: Awaited<ReturnType<typeof readXmlFile>>;
  try {
    read = await readXmlFile(file);
  } catch (error) {
    if (error instanceof ReaderError) return [{ source: file, errors: [error.message], warnings: [] }];
    if (error instanceof Error && 'code' in error) return [{ source: file, errors: [`cannot read: ${describeFsError(error)}`], warnings: [] }];
    throw error;
  }
  const warnings = read.warnings.map((w) => `${read.format}: ${w.path}: ${w.message}`);
  if (read.records.length === 0) return [{ source: file, errors: [], warnings: [...warnings, `no records in this ${read.format} file`] }];
  return read.records.map((value, index) => {
    const loaded = loadRecordValue(read.records.length > 1 ? `${file}#/${index}` : file, value);
    // The reader's warnings concern the file: reported once, with its first record.
    if (index === 0) loaded.warnings.push(...warnings);
    return loaded;
  });
}

function loadRecordValue(source: string, value: unknown): LoadedInput {
  const result = validateArticle(value);
  if (!result.ok) {
    return { source, errors: result.errors.map((e) => `${e.pointer || '/'}: ${e.message}`), warnings: [] };
  }
  return { source, record: result.record, errors: [], warnings: [] };
}

function warnDuplicateIds(results: LoadedInput[]): void {
  const firstSource = new Map<string, string>();
  for (const input of results) {
    if (!input.record) continue;
    const id = recordLocalId(input.record);
    const earlier = firstSource.get(id);
    if (earlier === undefined) firstSource.set(id, input.source);
    else input.warnings.push(`local id ${JSON.stringify(id)} was already read from ${earlier}`);
  }
}

function describeFsError(error: unknown): string {
  if (error instanceof Error && 'code' in error) {
    const code = String(error.code);
    if (code === 'ENOENT') return 'no such file or directory';
    if (code === 'EACCES') return 'permission denied';
    return `${code}: ${error.message}`;
  }
  return String(error);
}

function describeJsonError(error: unknown, text: string): string {
  const problem = locateJsonSyntaxError(text);
  if (problem) return `line ${problem.line} column ${problem.column}: ${problem.message}`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * loadRecordInputs one file at a time, for commands that stream (export): directories are
 * listed, but only one file's records are in memory at once. Duplicate local ids are left to
 * the consumer (the export pipeline refuses them by name).
 */
export async function* iterateRecordInputs(paths: string[]): AsyncGenerator<LoadedInput> {
  for (const path of paths) {
    const problems: LoadedInput[] = [];
    const files = await expandPath(path, problems);
    yield* problems;
    for (const file of files) yield* await loadFile(file);
  }
}
