import { isUtf8 } from 'node:buffer';

/** What repairing one piece of a response changed. */
export interface TextRepair {
  /** Byte sequences that were not UTF-8 were decoded as windows-1252 (or U+FFFD). */
  invalidUtf8: number;
  /** Characters XML 1.0 forbids (C0 controls, U+FFFE/U+FFFF, lone surrogates, also as &#n;). */
  removedChars: number;
  /** Bare "&" not starting a reference ("AT&T"), escaped as &amp;. */
  escapedAmpersands: number;
}

// windows-1252 for 0x80-0x9F; the rest of the high half is Latin-1. Mis-declared Latin-1/cp1252
// text is by far the most common source of invalid UTF-8 in repositories, so decoding a stray
// byte this way usually restores the intended letter instead of a replacement character.
const CP1252_HIGH = [
  0x20ac, 0xfffd, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0xfffd,
  0x017d, 0xfffd, 0xfffd, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a,
  0x0153, 0xfffd, 0x017e, 0x0178,
];

/** A byte read as windows-1252 (the harvester's and the importer's repair of stray bytes). */
export function cp1252Char(byte: number): string {
  if (byte >= 0x80 && byte <= 0x9f) return String.fromCharCode(CP1252_HIGH[byte - 0x80]!);
  return String.fromCharCode(byte);
}

/** Length of the valid UTF-8 sequence starting at `i`, or 0 when the byte there starts none. */
export function utf8SequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i]!;
  if (b0 < 0x80) return 1;
  const cont = (k: number) => i + k < bytes.length && (bytes[i + k]! & 0xc0) === 0x80;
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    if (!cont(1) || !cont(2)) return 0;
    const b1 = bytes[i + 1]!;
    if (b0 === 0xe0 && b1 < 0xa0) return 0; // overlong
    if (b0 === 0xed && b1 >= 0xa0) return 0; // UTF-16 surrogate
    return 3;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    const b1 = bytes[i + 1]!;
    if (b0 === 0xf0 && b1 < 0x90) return 0;
    if (b0 === 0xf4 && b1 >= 0x90) return 0;
    return 4;
  }
  return 0;
}

/**
 * UTF-8 bytes to text, each run of bytes that starts no valid sequence replaced by what
 * `replace` makes of that [start, end) range. The one loop both the harvester's repair and
 * the importer's strict decoding walk.
 */
export function decodeUtf8Replacing(bytes: Uint8Array, replace: (start: number, end: number) => string): string {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let out = '';
  let runStart = 0;
  let i = 0;
  while (i < bytes.length) {
    const length = utf8SequenceLength(bytes, i);
    if (length > 0) {
      i += length;
      continue;
    }
    if (i > runStart) out += buffer.toString('utf8', runStart, i);
    const start = i;
    while (i < bytes.length && utf8SequenceLength(bytes, i) === 0) i++;
    out += replace(start, i);
    runStart = i;
  }
  if (i > runStart) out += buffer.toString('utf8', runStart, i);
  return out;
}

/** Each byte of a bad run read as windows-1252. */
export function cp1252Run(bytes: Uint8Array, start: number, end: number): string {
  let text = '';
  for (let k = start; k < end; k++) text += cp1252Char(bytes[k]!);
  return text;
}

function decodeRepairingUtf8(bytes: Uint8Array, repair: TextRepair): string {
  return decodeUtf8Replacing(bytes, (start, end) => {
    repair.invalidUtf8 += end - start;
    return cp1252Run(bytes, start, end);
  });
}

// Characters not allowed by XML 1.0 §2.2 (Char production).
const INVALID_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// Character references; the ones naming forbidden characters would otherwise reach the parser.
const CHAR_REF = /&#(x[0-9a-fA-F]+|[0-9]+);/g;

function isXmlChar(codePoint: number): boolean {
  return (
    codePoint === 0x9 ||
    codePoint === 0xa ||
    codePoint === 0xd ||
    (codePoint >= 0x20 && codePoint <= 0xd7ff) ||
    (codePoint >= 0xe000 && codePoint <= 0xfffd) ||
    (codePoint >= 0x10000 && codePoint <= 0x10ffff)
  );
}

/** Removes characters XML 1.0 forbids; counts them into `repair`. */
export function stripInvalidXmlChars(text: string, repair: TextRepair): string {
  let result = text;
  if (INVALID_XML_CHARS.test(result)) {
    INVALID_XML_CHARS.lastIndex = 0;
    result = result.replace(INVALID_XML_CHARS, () => {
      repair.removedChars++;
      return '';
    });
  }
  INVALID_XML_CHARS.lastIndex = 0;
  if (result.includes('&#')) {
    result = result.replace(CHAR_REF, (ref: string, digits: string) => {
      const codePoint = digits[0] === 'x' || digits[0] === 'X' ? parseInt(digits.slice(1), 16) : parseInt(digits, 10);
      if (isXmlChar(codePoint)) return ref;
      repair.removedChars++;
      return '';
    });
  }
  return result;
}

export function emptyRepair(): TextRepair {
  return { invalidUtf8: 0, removedChars: 0, escapedAmpersands: 0 };
}

export function repairChanged(repair: TextRepair): boolean {
  return repair.invalidUtf8 > 0 || repair.removedChars > 0 || repair.escapedAmpersands > 0;
}

// eslint-disable-next-line no-control-regex
const FORBIDDEN_IN_VALID_UTF8 = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

const BARE_AMPERSAND = /&(?!(?:[A-Za-z_:][A-Za-z0-9_:.-]*|#[0-9]+|#x[0-9A-Fa-f]+);)/g;
const CDATA_SECTION = /<!\[CDATA\[[^]*?\]\]>/g;

const REFERENCE_AT = /&(?:[A-Za-z_:][A-Za-z0-9_:.-]*|#[0-9]+|#x[0-9A-Fa-f]+);/y;

/** Whether every "&" in the text starts a reference (checked at each "&", not by scanning everything). */
function ampersandsAreReferences(text: string): boolean {
  for (let at = text.indexOf('&'); at >= 0; at = text.indexOf('&', at + 1)) {
    REFERENCE_AT.lastIndex = at;
    if (!REFERENCE_AT.test(text)) return false;
  }
  return true;
}

/** Escapes ampersands that start no entity or character reference (outside CDATA sections). */
export function escapeBareAmpersands(text: string, repair: TextRepair): string {
  if (ampersandsAreReferences(text)) return text;
  const escape = (part: string) =>
    part.replace(BARE_AMPERSAND, () => {
      repair.escapedAmpersands++;
      return '&amp;';
    });
  if (!text.includes('<![CDATA[')) return escape(text);
  let out = '';
  let last = 0;
  for (const match of text.matchAll(CDATA_SECTION)) {
    out += escape(text.slice(last, match.index)) + match[0];
    last = match.index + match[0].length;
  }
  return out + escape(text.slice(last));
}

export function describeRepair(repair: TextRepair): string {
  const parts: string[] = [];
  if (repair.invalidUtf8 > 0) parts.push(`${repair.invalidUtf8} invalid UTF-8 byte(s) decoded as windows-1252`);
  if (repair.removedChars > 0) parts.push(`${repair.removedChars} character(s) not allowed in XML removed`);
  if (repair.escapedAmpersands > 0) parts.push(`${repair.escapedAmpersands} bare '&' escaped`);
  return parts.join('; ');
}

/**
 * Bytes of a response (or part of one) to text an XML parser accepts: invalid UTF-8 repaired,
 * forbidden characters removed, bare ampersands escaped. `encoding` is the document's declared encoding when it was not
 * UTF-8 (OAI-PMH requires UTF-8, but a few servers declare ISO-8859-1 and mean it).
 */
export function decodeXmlBytes(bytes: Uint8Array, repair: TextRepair, encoding?: string): string {
  let text: string;
  if (encoding !== undefined && /^(iso-8859-1|latin-?1|windows-1252|cp1252|us-ascii)$/i.test(encoding)) {
    text = new TextDecoder('windows-1252').decode(bytes);
  } else if (isUtf8(bytes)) {
    text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
    // Valid UTF-8 decodes to no lone surrogate: only controls and U+FFFE/U+FFFF can be forbidden,
    // besides character references to them.
    if (!FORBIDDEN_IN_VALID_UTF8.test(text) && !text.includes('&#')) return escapeBareAmpersands(text, repair);
  } else {
    text = decodeRepairingUtf8(bytes, repair);
  }
  return escapeBareAmpersands(stripInvalidXmlChars(text, repair), repair);
}
