/**
 * CSV and TSV bytes -> records, row by row, streaming: memory holds one row at a time whatever
 * the number of rows. Encodings as spreadsheet programs write them: UTF-8 with or without a
 * byte-order mark, UTF-16 LE/BE with a byte-order mark ("Unicode text"); delimiters `,` `;`
 * (locales with a decimal comma) and tab, detected from the header row, or Excel's `sep=;` line.
 */
import { TextDecoder } from 'node:util';
import { parse, CsvError } from 'csv-parse';
import { readHeader, rowToRecord, type HeaderCell, type RowReadOptions, type RowResult, type SheetProblem } from './to-record.js';

export type SheetEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

export const SHEET_DELIMITERS: readonly string[] = [',', ';', '\t'];

export interface SpreadsheetReadOptions extends RowReadOptions {
  /** ',', ';' or '\t' (or any single character); detected from the header row when absent. */
  delimiter?: string;
  /** The file's name: a `.tsv` name makes tab the delimiter when the header row cannot tell. */
  fileName?: string;
}

/** What the reader found out about the file, before the first row. */
export interface SheetLayout {
  encoding: SheetEncoding;
  bom: boolean;
  delimiter: string;
  header: HeaderCell[];
}

export type SpreadsheetEvent =
  | { kind: 'layout'; layout: SheetLayout }
  /** A header column that is ignored (unknown or nameless, and empty in every row). */
  | { kind: 'warning'; problem: SheetProblem }
  | { kind: 'row'; result: RowResult }
  /** The file cannot be read on from here (undecodable, broken quoting): nothing follows. */
  | { kind: 'error'; problem: SheetProblem };

/** A file-level problem ("line 12: quote not closed"), with the row it stopped at. */
export class SpreadsheetError extends Error {
  constructor(
    readonly row: number,
    message: string,
  ) {
    super(message);
    this.name = 'SpreadsheetError';
  }
}

async function* chunksOf(input: Uint8Array | AsyncIterable<Uint8Array> | Iterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  if (input instanceof Uint8Array) yield input;
  else yield* input;
}

/** Bytes -> text chunks: the byte-order mark picks the encoding; no mark means UTF-8. */
async function* decodeText(chunks: AsyncIterable<Uint8Array>, found: (encoding: SheetEncoding, bom: boolean) => void): AsyncGenerator<string> {
  let head: Uint8Array = new Uint8Array(0);
  let decoder: TextDecoder | undefined;
  for await (const chunk of chunks) {
    if (!decoder) {
      head = concat(head, chunk);
      if (head.length < 4) continue;
      decoder = startDecoder(head, found);
      const text = decoder.decode(head.subarray(bomLength(head)), { stream: true });
      if (text) yield text;
      continue;
    }
    const text = decoder.decode(chunk, { stream: true });
    if (text) yield text;
  }
  if (!decoder) {
    decoder = startDecoder(head, found);
    const text = decoder.decode(head.subarray(bomLength(head)));
    if (text) yield text;
    return;
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

function bomLength(head: Uint8Array): number {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 3;
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) return 2;
  return 0;
}

function startDecoder(head: Uint8Array, found: (encoding: SheetEncoding, bom: boolean) => void): TextDecoder {
  // Not fatal: an undecodable byte becomes U+FFFD, which the row reader reports at its cell.
  if (head[0] === 0xff && head[1] === 0xfe) {
    found('utf-16le', true);
    return new TextDecoder('utf-16le');
  }
  if (head[0] === 0xfe && head[1] === 0xff) {
    found('utf-16be', true);
    return new TextDecoder('utf-16be');
  }
  // UTF-16 without a mark: ASCII text has a zero byte in every other position.
  if (head.length >= 2 && (head[0] === 0 || head[1] === 0)) {
    throw new SpreadsheetError(1, 'the file starts with a zero byte: UTF-16 without a byte-order mark, or not a spreadsheet; save it as "CSV UTF-8" or as "Unicode text" (UTF-16 with a byte-order mark)');
  }
  found('utf-8', bomLength(head) === 3);
  return new TextDecoder('utf-8');
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

const MAX_HEADER_CHARS = 1 << 20;

/**
 * Splits off the header line (and Excel's `sep=X` line) to choose the delimiter: the candidate
 * that occurs most often outside quotes in the header row.
 */
async function* withDelimiter(
  texts: AsyncGenerator<string>,
  options: SpreadsheetReadOptions,
  chosen: (delimiter: string) => void,
): AsyncGenerator<string> {
  let buffered = '';
  let done = false;
  while (!/[\r\n]/.test(buffered)) {
    const next = await texts.next();
    if (next.done) {
      done = true;
      break;
    }
    buffered += next.value;
    if (buffered.length > MAX_HEADER_CHARS) throw new SpreadsheetError(1, `the header row is longer than ${MAX_HEADER_CHARS} characters: not a spreadsheet of records`);
  }
  const sep = /^sep=(.)\r?\n/.exec(buffered);
  if (sep) {
    buffered = buffered.slice(sep[0].length);
    chosen(options.delimiter ?? sep[1]!);
  } else {
    chosen(options.delimiter ?? detectDelimiter(buffered.split(/\r?\n|\r/, 1)[0]!, options.fileName));
  }
  if (buffered) yield buffered;
  if (!done) yield* texts;
}

/** The delimiter of a header line: `,`, `;` or tab, whichever occurs most outside quotes. */
export function detectDelimiter(headerLine: string, fileName?: string): string {
  const outside = headerLine.replace(/"[^"]*"/g, '');
  let best = fileName?.toLowerCase().endsWith('.tsv') ? '\t' : ',';
  let bestCount = 0;
  for (const candidate of SHEET_DELIMITERS) {
    const count = outside.split(candidate).length - 1;
    if (count > bestCount) {
      best = candidate;
      bestCount = count;
    }
  }
  return best;
}

/**
 * Reads a spreadsheet (CSV/TSV bytes, whole or as chunks) and yields its layout, then one result
 * per non-empty row: a validated record or the problems at their cells. A bad row never stops
 * the others; only a file that cannot be decoded or parsed on ends with an `error` event.
 */
export async function* readSpreadsheet(
  input: Uint8Array | AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: SpreadsheetReadOptions = {},
): AsyncGenerator<SpreadsheetEvent> {
  let encoding: SheetEncoding = 'utf-8';
  let bom = false;
  let delimiter = ',';
  const texts = withDelimiter(
    decodeText(chunksOf(input), (e, b) => {
      encoding = e;
      bom = b;
    }),
    options,
    (d) => (delimiter = d),
  );
  let first: IteratorResult<string>;
  try {
    first = await texts.next();
  } catch (error) {
    if (error instanceof SpreadsheetError) return yield { kind: 'error', problem: { row: error.row, header: 'file', message: error.message } };
    throw error;
  }
  if (first.done) return yield { kind: 'error', problem: { row: 1, header: 'file', message: 'the file is empty: a spreadsheet needs a header row' } };

  const parser = parse({ delimiter, relax_column_count: true, info: true, bom: false });
  const feeding = feed(parser, first.value, texts);
  let header: HeaderCell[] | undefined;
  const filled = new Set<number>();
  try {
    for await (const parsed of parser as AsyncIterable<{ record: string[]; info: { records: number } }>) {
      const row = parsed.info.records;
      if (!header) {
        header = readHeader(parsed.record);
        yield { kind: 'layout', layout: { encoding, bom, delimiter, header } };
        continue;
      }
      const cells = parsed.record;
      if (cells.every((cell) => cell.trim() === '')) continue;
      cells.forEach((cell, index) => cell.trim() !== '' && filled.add(index));
      yield { kind: 'row', result: rowToRecord(header, cells, row, options) };
    }
    await feeding;
  } catch (error) {
    const problem = fileProblem(error);
    if (!problem) throw error;
    yield { kind: 'error', problem };
    return;
  } finally {
    // Also when the caller stops early: no parser or feeding left waiting.
    parser.destroy();
  }
  for (const cell of header ?? []) {
    if (cell.problem && !filled.has(cell.index) && cell.name !== '') {
      yield { kind: 'warning', problem: { row: 1, column: cell.letter, header: cell.name, message: `${cell.problem}; the column is empty and ignored` } };
    }
  }
}

/** Writes the text into the parser as it reads it, pausing while the parser's buffer is full. */
async function feed(parser: ReturnType<typeof parse>, first: string, rest: AsyncGenerator<string>): Promise<void> {
  // 'close' too: a parser destroyed (parse error, reader gone) never drains.
  const roomOrClose = () => new Promise<void>((resolve) => {
    parser.once('drain', resolve);
    parser.once('close', resolve);
  });
  try {
    if (!parser.write(first)) await roomOrClose();
    for await (const text of rest) {
      if (parser.destroyed) return;
      if (!parser.write(text)) await roomOrClose();
    }
    parser.end();
  } catch (error) {
    parser.destroy(error as Error);
  }
}

function fileProblem(error: unknown): SheetProblem | undefined {
  if (error instanceof SpreadsheetError) return { row: error.row, header: 'file', message: error.message };
  if (error instanceof CsvError) {
    const details = error as CsvError & { lines?: number; records?: number };
    const row = (details.records ?? 0) + 1;
    const reason = error.message.replace(/^[^:]*:\s*/, '');
    return { row, header: 'file', message: `cannot read on (line ${details.lines ?? '?'} of the file): ${reason}; rows from here on were not read` };
  }
  return undefined;
}
