import { isUtf8 } from 'node:buffer';
import { cp1252Run, decodeUtf8Replacing } from '../harvest/sanitize.js';

/**
 * Strict text decoding for import: invalid UTF-8 (and lone UTF-16 surrogates) are found with
 * their byte offsets in the file, never silently replaced. A caller that allows repair gets the
 * repaired text and the list of what was repaired; one that does not refuses the input.
 */

/** One stretch of bytes that was not valid text, and what --repair read it as. */
export interface DecodeProblem {
  /** Byte offset in the file of the first bad byte. */
  offset: number;
  /** The bad bytes, as hex ("0xE9", "0xED 0xA0 0x80"). */
  bytes: string;
  /** What the bytes became: windows-1252 letters for stray UTF-8 bytes, U+FFFD for lone surrogates. */
  replacement: string;
  encoding: 'UTF-8' | 'UTF-16';
}

// Stray bytes are read as windows-1252, as the harvester does: mis-declared Latin-1/cp1252 text
// is the usual source of invalid UTF-8, so this usually restores the intended letter.
const hex = (byte: number) => `0x${byte.toString(16).toUpperCase().padStart(2, '0')}`;

/**
 * UTF-8 bytes to text. Valid input (the usual case) is decoded natively; otherwise each run of
 * bytes that starts no valid sequence is reported at `base` + its index and read as windows-1252.
 */
export function decodeUtf8(bytes: Buffer, base: number): { text: string; problems: DecodeProblem[] } {
  if (isUtf8(bytes)) return { text: bytes.toString('utf8'), problems: [] };
  const problems: DecodeProblem[] = [];
  const text = decodeUtf8Replacing(bytes, (start, end) => {
    const replacement = cp1252Run(bytes, start, end);
    problems.push({ offset: base + start, bytes: [...bytes.subarray(start, end)].map(hex).join(' '), replacement, encoding: 'UTF-8' });
    return replacement;
  });
  return { text, problems };
}

/** How many bytes at the end of `bytes` begin a UTF-8 sequence that the next chunk completes. */
function incompleteTail(bytes: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const b = bytes[bytes.length - back]!;
    if ((b & 0xc0) === 0x80) continue; // continuation byte: look further back
    const need = b >= 0xf0 && b <= 0xf4 ? 4 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xc2 && b <= 0xdf ? 2 : 1;
    return need > back ? back : 0;
  }
  return 0;
}

/** Something that turns file bytes into text, chunk by chunk (TextDecoder has this shape). */
export interface ChunkDecoder {
  decode(input?: Uint8Array, options?: { stream?: boolean }): string;
}

/** A decoder that remembers what it found: `problems` holds every bad stretch, in file order. */
export interface CheckingDecoder extends ChunkDecoder {
  readonly problems: DecodeProblem[];
}

/** Streaming strict UTF-8: chunks may split sequences; offsets count from `start` (after a BOM). */
export class Utf8ChunkDecoder implements CheckingDecoder {
  readonly problems: DecodeProblem[] = [];
  #carry: Buffer = Buffer.alloc(0);
  #offset: number;

  constructor(start = 0) {
    this.#offset = start;
  }

  decode(input: Uint8Array = new Uint8Array(0), options: { stream?: boolean } = {}): string {
    let bytes = this.#carry.length > 0 ? Buffer.concat([this.#carry, input]) : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    const keep = options.stream ? incompleteTail(bytes) : 0;
    this.#carry = keep > 0 ? Buffer.from(bytes.subarray(bytes.length - keep)) : Buffer.alloc(0);
    bytes = bytes.subarray(0, bytes.length - keep);
    const { text, problems } = decodeUtf8(bytes, this.#offset);
    this.#offset += bytes.length;
    this.problems.push(...problems);
    return text;
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Streaming UTF-16 (LE or BE): lone surrogates are reported at their byte offset and replaced
 * by U+FFFD. `utf8Offset` tracks how many UTF-8 bytes the text emitted so far takes, so a caller
 * that re-encodes the text can place each problem in the re-encoded stream (`at`).
 */
export class Utf16ChunkDecoder implements CheckingDecoder {
  readonly problems: (DecodeProblem & { at: number })[] = [];
  #carry: Buffer = Buffer.alloc(0);
  #offset: number;
  #utf8Offset = 0;

  constructor(
    private readonly bigEndian: boolean,
    start = 0,
  ) {
    this.#offset = start;
  }

  decode(input: Uint8Array = new Uint8Array(0), options: { stream?: boolean } = {}): string {
    let bytes = Buffer.concat([this.#carry, input]);
    let keep = 0;
    if (options.stream) {
      keep = bytes.length % 2;
      // A high surrogate at the end waits for its pair.
      if (bytes.length - keep >= 2) {
        const last = this.bigEndian ? bytes.readUInt16BE(bytes.length - keep - 2) : bytes.readUInt16LE(bytes.length - keep - 2);
        if (last >= 0xd800 && last <= 0xdbff) keep += 2;
      }
    } else if (bytes.length % 2 === 1) {
      this.problems.push(this.#problem(bytes.length - 1, hex(bytes[bytes.length - 1]!), 0));
      bytes = bytes.subarray(0, bytes.length - 1);
    }
    this.#carry = keep > 0 ? Buffer.from(bytes.subarray(bytes.length - keep)) : Buffer.alloc(0);
    bytes = Buffer.from(bytes.subarray(0, bytes.length - keep));
    if (this.bigEndian) bytes.swap16();
    let text = bytes.toString('utf16le');
    LONE_SURROGATE.lastIndex = 0;
    if (LONE_SURROGATE.test(text)) {
      LONE_SURROGATE.lastIndex = 0;
      text = text.replace(LONE_SURROGATE, (unit: string, index: number) => {
        const at = Buffer.byteLength(text.slice(0, index));
        this.problems.push(this.#problem(index * 2, `U+${unit.charCodeAt(0).toString(16).toUpperCase()}`, at));
        return '\uFFFD';
      });
    }
    this.#offset += bytes.length;
    this.#utf8Offset += Buffer.byteLength(text);
    return text;
  }

  #problem(relative: number, bytes: string, utf8At: number): DecodeProblem & { at: number } {
    return { offset: this.#offset + relative, bytes, replacement: '\uFFFD', encoding: 'UTF-16', at: this.#utf8Offset + utf8At };
  }
}

/** "byte 1234: 0xE9 read as windows-1252 "é"" */
export function describeProblem(problem: DecodeProblem, relativeTo = 0): string {
  const what = problem.encoding === 'UTF-8' ? `invalid UTF-8 ${problem.bytes}` : `lone surrogate ${problem.bytes} (invalid UTF-16)`;
  const as = problem.encoding === 'UTF-8' ? `read as windows-1252 ${JSON.stringify(problem.replacement)}` : 'replaced by U+FFFD';
  return `byte ${problem.offset - relativeTo}: ${what}, ${as}`;
}
