import { createReadStream } from 'node:fs';
import { TextDecoder } from 'node:util';
import { ReaderError, readXmlFile } from '../formats/index.js';
import { locateJsonSyntaxError, validateArticle, type ArticleRecord } from '../model/index.js';
import { describeSheetCell, readSpreadsheet, type SheetRowReadOptions } from '../spreadsheet/index.js';
import { describeProblem, decodeUtf8, Utf16ChunkDecoder, Utf8ChunkDecoder, type CheckingDecoder, type DecodeProblem } from './decode.js';
import { JsonLayoutError, JsonSplitter, type JsonValueSlice } from './json-split.js';
import { describeFsError, type FileEncoding, type SniffedFile } from './sources.js';

/** One record read from an input file, valid or not, or a file-level problem. */
export interface ImportItem {
  file: string;
  /** The file, plus "#/index" for an array element, ":line" for a JSON Lines record, ":row" for a spreadsheet row. */
  source: string;
  /** Present only when the record is valid (normalised by validateArticle). */
  record?: ArticleRecord;
  /** Bytes of input the record came from (what a batch's size limit counts). */
  bytes: number;
  /** Non-empty: no record ("/pointer: reason", or a file-level reason). */
  errors: string[];
  warnings: string[];
  /** What --repair changed, one line per repair, with byte offsets in the file. */
  repairs: string[];
}

export interface ReadOptions extends SheetRowReadOptions {
  /** Decode invalid text (read stray bytes as windows-1252) instead of refusing the record. */
  repair?: boolean;
  /** Spreadsheet delimiter; detected from the header row when absent. */
  delimiter?: string;
}

const CHUNK = 1 << 20;
/** Repairs listed in the record's note (all of them are reported). */
const NOTE_REPAIRS = 5;

const fileError = (file: string, error: string): ImportItem => ({ file, source: file, bytes: 0, errors: [error], warnings: [], repairs: [] });
const fileWarning = (file: string, warning: string): ImportItem => ({ file, source: file, bytes: 0, errors: [], warnings: [warning], repairs: [] });

/** The items of one file, in file order, as they are read. */
export function readFileItems(file: string, sniffed: SniffedFile, options: ReadOptions, onBytes: (n: number) => void): AsyncGenerator<ImportItem> {
  if (sniffed.kind === 'xml') return xmlItems(file, options, onBytes, sniffed.size);
  if (sniffed.kind === 'spreadsheet') return sheetItems(file, options, onBytes);
  return jsonItems(file, sniffed.encoding, options, onBytes);
}

// ---------------------------------------------------------------------------------------------
// JSON: one record, an array of records, or JSON Lines

async function* jsonItems(file: string, encoding: FileEncoding, options: ReadOptions, onBytes: (n: number) => void): AsyncGenerator<ImportItem> {
  const utf16 = /^utf-16/i.test(encoding.label) ? new Utf16ChunkDecoder(/be$/i.test(encoding.label), encoding.bom) : undefined;
  const splitter = new JsonSplitter();
  let held: { slice: JsonValueSlice; item: ImportItem } | undefined;
  let count = 0;
  const name = (slice: JsonValueSlice, item: ImportItem, single: boolean): ImportItem => {
    item.source = splitter.layout === 'array' ? `${file}#/${slice.index}` : single ? file : `${file}:${slice.line}`;
    return item;
  };
  try {
    const consume = function* (slices: JsonValueSlice[]): Generator<ImportItem> {
      for (const slice of slices) {
        count++;
        const item = jsonItem(file, slice, utf16 ? { decoder: utf16 } : { base: encoding.bom }, options);
        // A file of several top-level values is JSON Lines: its records are named by line. The
        // first is held until the second shows whether there is one.
        if (splitter.layout === 'sequence' && count === 1) {
          held = { slice, item };
          continue;
        }
        if (held) {
          yield name(held.slice, held.item, false);
          held = undefined;
        }
        yield name(slice, item, false);
      }
    };
    const stream = createReadStream(file, { start: encoding.bom, highWaterMark: CHUNK });
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      onBytes(chunk.length);
      yield* consume(splitter.push(utf16 ? Buffer.from(utf16.decode(chunk, { stream: true })) : chunk));
    }
    if (utf16) yield* consume(splitter.push(Buffer.from(utf16.decode())));
    yield* consume(splitter.end());
  } catch (error) {
    if (held) yield name(held.slice, held.item, true);
    if (error instanceof JsonLayoutError) {
      yield fileError(file, `not valid JSON: line ${error.line} column ${error.column}: ${error.message}${count > 0 ? ` (the ${count} value(s) before it were read)` : ''}`);
      return;
    }
    if (error instanceof Error && 'code' in error) {
      yield fileError(file, `cannot read: ${describeFsError(error)}`);
      return;
    }
    throw error;
  }
  if (held) yield name(held.slice, held.item, true);
  if (count === 0 && splitter.layout === 'array') yield fileWarning(file, 'the file holds an empty array: no records');
}

type TextSource = { base: number } | { decoder: Utf16ChunkDecoder };

function jsonItem(file: string, slice: JsonValueSlice, from: TextSource, options: ReadOptions): ImportItem {
  const item: ImportItem = { file, source: file, bytes: slice.bytes.length, errors: [], warnings: [], repairs: [] };
  let text: string;
  let problems: DecodeProblem[];
  let recordStart: number;
  if ('base' in from) {
    recordStart = from.base + slice.start;
    ({ text, problems } = decodeUtf8(slice.bytes, recordStart));
  } else {
    text = slice.bytes.toString('utf8');
    const end = slice.start + slice.bytes.length;
    problems = from.decoder.problems.filter((p) => p.at >= slice.start && p.at < end);
    // UTF-16 offsets of this record: its first problem's, else unknown; report file offsets only.
    recordStart = 0;
  }
  if (problems.length > 0 && !options.repair) {
    item.errors.push(refusal(problems));
    return item;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    item.errors.push(`not valid JSON: ${describeJsonError(error, text, slice)}`);
    return item;
  }
  return finishItem(item, value, problems, recordStart);
}

function refusal(problems: DecodeProblem[]): string {
  const first = problems[0]!;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
  return `byte ${first.offset}: ${first.encoding === 'UTF-8' ? `invalid UTF-8 (${first.bytes})` : `invalid UTF-16 (lone surrogate ${first.bytes})`}${more}: not imported; --repair imports it, ${first.encoding === 'UTF-8' ? 'reading such bytes as windows-1252' : 'with U+FFFD in place'}, and flags the record`;
}

function describeJsonError(error: unknown, text: string, slice: JsonValueSlice): string {
  const problem = locateJsonSyntaxError(text);
  if (!problem) return error instanceof Error ? error.message : String(error);
  const line = slice.line + problem.line - 1;
  const column = problem.line === 1 ? slice.column + problem.column - 1 : problem.column;
  return `line ${line} column ${column}: ${problem.message}`;
}

/** Validates the value; a repaired record is flagged with a note and its repairs listed. */
function finishItem(item: ImportItem, value: unknown, problems: readonly DecodeProblem[], recordStart: number): ImportItem {
  const result = validateArticle(value);
  if (!result.ok) {
    item.errors.push(...result.errors.map((e) => `${e.pointer || '/'}: ${e.message}`));
    return item;
  }
  item.record = result.record;
  if (problems.length > 0) {
    item.repairs = problems.map((p) => describeProblem(p));
    item.record = { ...result.record, notes: [...(result.record.notes ?? []), repairNote(problems, recordStart)] };
  }
  return item;
}

/**
 * The flag a repaired record carries in its provenance notes. Offsets count from the record's
 * first byte (from the file's, for XML and UTF-16), so the same input repaired twice gives the
 * same note, and the same content hash.
 */
export function repairNote(problems: readonly DecodeProblem[], recordStart: number): string {
  const listed = problems.slice(0, NOTE_REPAIRS).map((p) => describeProblem(p, recordStart));
  const more = problems.length > NOTE_REPAIRS ? `; and ${problems.length - NOTE_REPAIRS} more` : '';
  return `pubmeta import --repair: ${problems.length} invalid text sequence(s) repaired (${listed.join('; ')}${more})`;
}

// ---------------------------------------------------------------------------------------------
// XML: JATS, Crossref deposits, oai_dc (one file read at a time; the JATS body is skipped)

function checkingDecoder(encoding: { label: string; bom: number }): CheckingDecoder | TextDecoder {
  const label = encoding.label.toLowerCase();
  if (label === 'utf-8' || label === 'utf8') return new Utf8ChunkDecoder(encoding.bom);
  if (label === 'utf-16le' || label === 'utf-16be') return new Utf16ChunkDecoder(label === 'utf-16be', encoding.bom);
  return new TextDecoder(encoding.label);
}

async function* xmlItems(file: string, options: ReadOptions, onBytes: (n: number) => void, size: number): AsyncGenerator<ImportItem> {
  let decoder: CheckingDecoder | TextDecoder | undefined;
  let read: Awaited<ReturnType<typeof readXmlFile>>;
  try {
    read = await readXmlFile(file, undefined, { decoder: (encoding) => (decoder = checkingDecoder(encoding)) });
  } catch (error) {
    onBytes(size);
    if (error instanceof ReaderError) return yield fileError(file, error.message);
    if (error instanceof Error && 'code' in error) return yield fileError(file, `cannot read: ${describeFsError(error)}`);
    throw error;
  }
  onBytes(size);
  const problems = decoder && 'problems' in decoder ? decoder.problems : [];
  if (problems.length > 0 && !options.repair) {
    // The readers see text, not bytes: a bad byte cannot be pinned to one record of the file.
    return yield fileError(file, `${refusal(problems)}${read.records.length > 1 ? ` (the file's ${read.records.length} records are refused)` : ''}`);
  }
  const warnings = read.warnings.map((w) => `${read.format}: ${w.path}: ${w.message}`);
  if (read.records.length === 0) return yield { ...fileWarning(file, `no records in this ${read.format} file`), warnings: [...warnings, `no records in this ${read.format} file`] };
  for (const [index, value] of read.records.entries()) {
    const item: ImportItem = { file, source: read.records.length > 1 ? `${file}#/${index}` : file, bytes: Math.ceil(size / read.records.length), errors: [], warnings: [], repairs: [] };
    finishItem(item, value, problems, 0);
    // The reader's warnings concern the file: reported once, with its first record.
    if (index === 0) item.warnings.push(...warnings);
    yield item;
  }
}

// ---------------------------------------------------------------------------------------------
// Spreadsheets: one record per row, read as a stream

async function* sheetItems(file: string, options: ReadOptions, onBytes: (n: number) => void): AsyncGenerator<ImportItem> {
  let rows = 0;
  let failed = false;
  const stream = createReadStream(file, { highWaterMark: CHUNK });
  const counted = (async function* () {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      onBytes(chunk.length);
      yield chunk;
    }
  })();
  try {
    const sheetOptions = { fileName: file, ...(options.delimiter ? { delimiter: options.delimiter } : {}), ...(options.defaultLanguage ? { defaultLanguage: options.defaultLanguage } : {}) };
    for await (const event of readSpreadsheet(counted, sheetOptions)) {
      if (event.kind === 'row') {
        rows++;
        const { row, record, errors } = event.result;
        const base = { file, source: `${file}:${row}`, bytes: 0, warnings: [], repairs: [] };
        yield record ? { ...base, record, errors: [] } : { ...base, errors: errors.map(describeSheetCell) };
      } else if (event.kind === 'warning') {
        yield { file, source: `${file}:${event.problem.row}`, bytes: 0, errors: [], warnings: [describeSheetCell(event.problem)], repairs: [] };
      } else if (event.kind === 'error') {
        failed = true;
        yield { file, source: `${file}:${event.problem.row}`, bytes: 0, errors: [event.problem.message], warnings: [], repairs: [] };
      }
    }
  } catch (error) {
    if (error instanceof Error && 'code' in error) return yield fileError(file, `cannot read: ${describeFsError(error)}`);
    throw error;
  }
  if (rows === 0 && !failed) yield fileWarning(file, 'the spreadsheet has a header row but no rows: no records');
}
