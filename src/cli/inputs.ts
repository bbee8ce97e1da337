import { open, readdir, readFile, stat } from 'node:fs/promises';
import { InvalidArgumentError } from 'commander';
import { extname, join } from 'node:path';
import { ReaderError, readXmlFile } from '../formats/index.js';
import { xmlFileEncoding } from '../formats/readers/file.js';
import { locateJsonSyntaxError, recordLocalId, validateArticle, type ArticleRecord } from '../model/index.js';
import { describeSheetCell, matchSheetColumn, readSpreadsheet, detectSheetDelimiter, type SheetRowReadOptions } from '../spreadsheet/index.js';

/** One record read from the command line's inputs, valid or not. */
export interface LoadedInput {
  /** File path, plus "#/index" for an element of a JSON array. */
  source: string;
  /** Present only when the record is valid (normalised by validateArticle). */
  record?: ArticleRecord;
  /** "/pointer: reason" lines (or a file-level reason); non-empty means no record. */
  errors: string[];
  warnings: string[];
  /** The file could not be read at all (errors[0] says why: "no such file: PATH"). */
  unreadable?: true;
}

/** File extensions picked up when walking a directory. Files named explicitly are read whatever their name. */
export const WALKED_INPUT_EXTENSIONS: readonly string[] = ['.json'];

/** How spreadsheet inputs are read: a forced delimiter, the language of rows that give none. */
export interface RecordInputOptions extends SheetRowReadOptions {
  /** ',', ';' or '\t'; detected from each spreadsheet's header row when absent. */
  delimiter?: string;
}

/**
 * Reads record files and directories (walked recursively, in sorted order). A JSON file holds
 * one record or an array of records; each record is validated and reported separately, so one
 * bad record never hides the others. Spreadsheets (.csv, .tsv, or text whose header row names
 * known columns) give one input per row, with the source "FILE:ROW".
 */
export async function loadRecordInputs(paths: string[], options: RecordInputOptions = {}): Promise<LoadedInput[]> {
  const results: LoadedInput[] = [];
  for (const path of paths) {
    for (const file of await expandPath(path, results)) results.push(...(await loadFile(file, options)));
  }
  warnDuplicateIds(results);
  return results;
}

async function expandPath(path: string, results: LoadedInput[]): Promise<string[]> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch (error) {
    results.push(unreadableInput(path, error));
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

async function loadFile(file: string, options: RecordInputOptions): Promise<LoadedInput[]> {
  // XML is read by content, in chunks (a 200 MB JATS article costs the memory of its metadata).
  let xml: boolean;
  try {
    xml = await startsWithMarkup(file);
  } catch (error) {
    return [{ source: file, errors: [`cannot read: ${describeFsError(error)}`], warnings: [] }];
  }
  if (xml) return await loadXmlInput(file);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    return [{ source: file, errors: [`cannot read: ${describeFsError(error)}`], warnings: [] }];
  }
  if (recordFileKind(file, bytes) === 'spreadsheet') return await loadSpreadsheetInput(file, bytes, options);
  let text = bytes.toString('utf8');
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

/** The --delimiter option: , ; or tab ("tab" or "\t" on the command line). */
export function parseSheetDelimiter(value: string): string {
  const delimiter = value === 'tab' || value === '\\t' ? '\t' : value;
  if (![',', ';', '\t'].includes(delimiter)) throw new InvalidArgumentError('must be , ; or tab');
  return delimiter;
}

/** File extensions read as spreadsheets whatever their content. */
export const SPREADSHEET_EXTENSIONS: readonly string[] = ['.csv', '.tsv'];

/**
 * What a record file holds, by content first: XML (`<`), JSON (`{`, `[`), else a spreadsheet when
 * it is named .csv/.tsv, starts with a UTF-16 byte-order mark, or its first line names a known
 * column (doi, title.en ...). 'unknown' files are read as JSON, whose parser says what is wrong.
 */
export function recordFileKind(file: string, bytes: Uint8Array): 'xml' | 'json' | 'spreadsheet' | 'unknown' {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) return 'spreadsheet';
  const head = Buffer.from(bytes.subarray(0, 64 * 1024)).toString('utf8').replace(/^\uFEFF/, '');
  const first = /\S/.exec(head)?.[0];
  if (first === '<') return 'xml';
  if (first === '{' || first === '[') return 'json';
  if (SPREADSHEET_EXTENSIONS.includes(extname(file).toLowerCase())) return 'spreadsheet';
  const firstLine = head.split(/\r?\n/, 1)[0]!.replace(/^sep=.$/, '');
  const delimiter = detectSheetDelimiter(firstLine);
  if (firstLine.split(delimiter).some((name) => matchSheetColumn(name.replace(/^"|"$/g, '')) !== undefined)) return 'spreadsheet';
  return extname(file).toLowerCase() === '.json' ? 'json' : 'unknown';
}

/**
 * One input per spreadsheet row, its source "FILE:ROW" (the header is row 1, as spreadsheet
 * programs count), its errors "column C (title.en): reason".
 */
async function loadSpreadsheetInput(file: string, bytes: Buffer, options: RecordInputOptions): Promise<LoadedInput[]> {
  const results: LoadedInput[] = [];
  let rows = 0;
  for await (const event of readSpreadsheet(bytes, { ...options, fileName: file })) {
    if (event.kind === 'row') {
      rows++;
      const { row, record, errors } = event.result;
      results.push(record ? { source: `${file}:${row}`, record, errors: [], warnings: [] } : { source: `${file}:${row}`, errors: errors.map(describeSheetCell), warnings: [] });
    } else if (event.kind === 'warning') {
      results.push({ source: `${file}:${event.problem.row}`, errors: [], warnings: [describeSheetCell(event.problem)] });
    } else if (event.kind === 'error') {
      results.push({ source: `${file}:${event.problem.row}`, errors: [event.problem.message], warnings: [] });
    }
  }
  if (rows === 0 && !results.some((r) => r.errors.length > 0)) results.push({ source: file, errors: [], warnings: ['the spreadsheet has a header row but no rows: no records'] });
  return results;
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

/** A file named on the command line that cannot be read: "no such file: PATH", "permission denied: PATH". */
function unreadableInput(path: string, error: unknown): LoadedInput {
  const code = error instanceof Error && 'code' in error ? String(error.code) : '';
  const reason = code === 'ENOENT' ? `no such file: ${path}` : `cannot read ${path}: ${describeFsError(error)}`;
  return { source: path, errors: [reason], warnings: [], unreadable: true };
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
export async function* iterateRecordInputs(paths: string[], options: RecordInputOptions = {}): AsyncGenerator<LoadedInput> {
  for (const path of paths) {
    const problems: LoadedInput[] = [];
    const files = await expandPath(path, problems);
    yield* problems;
    for (const file of files) yield* await loadFile(file, options);
  }
}
