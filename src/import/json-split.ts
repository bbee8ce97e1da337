/**
 * Splits a stream of UTF-8 JSON bytes into top-level values without parsing them: a file holding
 * one array gives its elements, any other file its concatenated top-level values (one object,
 * or JSON Lines). Each value comes with its byte span and line, so every record is parsed on
 * its own (JSON.parse, native) and a problem in one names that record's bytes. Memory holds the
 * value being read, never the file. Bytes >= 0x80 only occur inside strings, so the scanner
 * needs no decoding.
 */

export interface JsonValueSlice {
  bytes: Buffer;
  /** Offset of the value's first byte in the stream. */
  start: number;
  /** 1-based line and byte column where the value starts. */
  line: number;
  column: number;
  /** 0-based position among the file's values. */
  index: number;
}

/** The bytes between values are not JSON (a missing comma, text after the array, an unclosed string). */
export class JsonLayoutError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
    this.name = 'JsonLayoutError';
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;
const isSpace = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

type State = 'start' | 'before-element' | 'after-element' | 'between-values' | 'done' | 'value';

export class JsonSplitter {
  /** 'array': the file is one array, values are its elements; 'sequence': values follow each other. */
  layout: 'array' | 'sequence' | undefined;
  #state: State = 'start';
  #afterComma = false;
  #position = 0; // stream offset of the current chunk's first byte
  #line = 1;
  #lineStart = 0; // stream offset of the current line's first byte
  #index = 0;
  // The value being read:
  #parts: Buffer[] = [];
  #valueStart = 0;
  #valueLine = 1;
  #valueColumn = 1;
  #depth = 0;
  #inString = false;
  #escaped = false;
  #scalar = false;

  /** Values completed in this chunk. */
  push(chunk: Buffer): JsonValueSlice[] {
    const out: JsonValueSlice[] = [];
    let i = 0;
    let partFrom = -1;
    while (i < chunk.length) {
      if (this.#state === 'value') {
        if (partFrom < 0) partFrom = i;
        const end = this.#scanValue(chunk, i);
        if (end < 0) {
          this.#countLines(chunk, i, chunk.length);
          i = chunk.length;
          break;
        }
        this.#countLines(chunk, i, end);
        this.#parts.push(chunk.subarray(partFrom, end));
        partFrom = -1;
        out.push(this.#finishValue());
        i = end;
        continue;
      }
      const b = chunk[i]!;
      if (isSpace(b)) {
        if (b === NEWLINE) this.#newline(this.#position + i + 1);
        i++;
        continue;
      }
      this.#structural(b, this.#position + i);
      if ((this.#state as State) === 'value') partFrom = i;
      i++;
    }
    if (this.#state === 'value' && partFrom >= 0) this.#parts.push(chunk.subarray(partFrom, chunk.length));
    this.#position += chunk.length;
    return out;
  }

  /** The stream ended: the last value (a bare scalar at the end of a sequence), or an error. */
  end(): JsonValueSlice[] {
    const at = () => [this.#position, this.#line, this.#position - this.#lineStart + 1] as const;
    if (this.#state === 'value') {
      if (this.#scalar && this.#depth === 0) return [this.#finishValue()];
      throw new JsonLayoutError(this.#inString ? 'unterminated string' : 'unexpected end of input: a value is not closed', ...at());
    }
    if (this.#state === 'start') throw new JsonLayoutError('the file is empty', ...at());
    if (this.#state === 'before-element' || this.#state === 'after-element') throw new JsonLayoutError("unexpected end of input: the array is not closed with ']'", ...at());
    return [];
  }

  #newline(nextLineStart: number): void {
    this.#line++;
    this.#lineStart = nextLineStart;
  }

  #countLines(chunk: Buffer, from: number, to: number): void {
    let i = chunk.indexOf(NEWLINE, from);
    while (i >= 0 && i < to) {
      this.#newline(this.#position + i + 1);
      i = chunk.indexOf(NEWLINE, i + 1);
    }
  }

  /** A non-space byte outside any value. */
  #structural(b: number, offset: number): void {
    const fail = (message: string) => {
      throw new JsonLayoutError(message, offset, this.#line, offset - this.#lineStart + 1);
    };
    const found = `found ${JSON.stringify(String.fromCharCode(b))}`;
    switch (this.#state) {
      case 'start':
        if (b === 0x5b) {
          this.layout = 'array';
          this.#state = 'before-element';
          return;
        }
        this.layout = 'sequence';
        return this.#open(b, offset);
      case 'before-element':
        if (b === 0x5d && !this.#afterComma) {
          this.#state = 'done';
          return;
        }
        if (b === 0x5d || b === 0x2c) return fail(`expected a value, ${found}`);
        return this.#open(b, offset);
      case 'after-element':
        if (b === 0x2c) {
          this.#state = 'before-element';
          this.#afterComma = true;
          return;
        }
        if (b === 0x5d) {
          this.#state = 'done';
          return;
        }
        return fail(`expected ',' or ']' after element ${this.#index - 1}, ${found}`);
      case 'between-values':
        if (b === 0x2c || b === 0x5d || b === 0x7d) return fail(`expected a value or the end of the file, ${found}`);
        return this.#open(b, offset);
      case 'done':
        return fail(`unexpected content after the closing ']', ${found}`);
      default:
        return fail(`unexpected ${found}`);
    }
  }

  #open(b: number, offset: number): void {
    this.#state = 'value';
    this.#parts = [];
    this.#valueStart = offset;
    this.#valueLine = this.#line;
    this.#valueColumn = offset - this.#lineStart + 1;
    this.#depth = b === 0x7b || b === 0x5b ? 1 : 0;
    this.#inString = b === QUOTE;
    this.#escaped = false;
    this.#scalar = this.#depth === 0 && !this.#inString;
  }

  /** Scans the open value from `from`; the offset just past its end, or -1 when the chunk ends first. */
  #scanValue(chunk: Buffer, from: number): number {
    let i = from;
    if (this.#scalar) {
      while (i < chunk.length) {
        const b = chunk[i]!;
        if (isSpace(b) || b === 0x2c || b === 0x5d || b === 0x7d || b === 0x5b || b === 0x7b || b === QUOTE) return i;
        i++;
      }
      return -1;
    }
    while (i < chunk.length) {
      if (this.#inString) {
        if (this.#escaped) {
          this.#escaped = false;
          i++;
          continue;
        }
        // Jump to the next quote: strings are most of a record's bytes. It closes the string
        // unless an odd run of backslashes precedes it.
        const searchFrom = i;
        const q = chunk.indexOf(QUOTE, i);
        if (q < 0) {
          this.#escaped = trailingBackslashes(chunk, i, chunk.length) % 2 === 1;
          return -1;
        }
        i = q + 1;
        if (trailingBackslashes(chunk, searchFrom, q) % 2 === 1) continue;
        this.#inString = false;
        if (this.#depth === 0) return i;
        continue;
      }
      const b = chunk[i++]!;
      if (b === QUOTE) this.#inString = true;
      else if (b === 0x7b || b === 0x5b) this.#depth++;
      else if (b === 0x7d || b === 0x5d) {
        if (--this.#depth === 0) return i;
      }
    }
    return -1;
  }

  #finishValue(): JsonValueSlice {
    const bytes = this.#parts.length === 1 ? this.#parts[0]! : Buffer.concat(this.#parts);
    this.#parts = [];
    this.#state = this.layout === 'array' ? 'after-element' : 'between-values';
    this.#afterComma = false;
    return { bytes, start: this.#valueStart, line: this.#valueLine, column: this.#valueColumn, index: this.#index++ };
  }
}

/** How many backslashes end chunk[from, to). */
function trailingBackslashes(chunk: Buffer, from: number, to: number): number {
  let n = 0;
  while (to - n > from && chunk[to - n - 1] === BACKSLASH) n++;
  return n;
}
