import { HarvestError } from './errors.js';

/**
 * A streaming splitter for OAI-PMH responses. It reads the body as raw bytes, chunk by chunk,
 * and cuts out each list item (<record>, <header>, <set>, <metadataFormat>: the children of the
 * verb element) as soon as its end tag arrives, so a page never has to be held whole and parsed
 * as one tree. Everything that is not an item (root, responseDate, request, error,
 * resumptionToken, Identify) is kept as a small "envelope" document for an ordinary parser.
 *
 * It works on bytes because every markup character is ASCII and never occurs inside a UTF-8
 * multi-byte sequence: the original bytes of every item survive (for quarantine), and invalid
 * UTF-8 is repaired per item, after cutting.
 *
 * DOCTYPE declarations, comments and processing instructions are dropped from the envelope, so
 * no entity declared by a server can ever be expanded (no XXE, no billion laughs).
 *
 * Memory is bounded by the limits, counted on the decompressed bytes: an item over
 * `maxRecordBytes` is abandoned (handed out as a prefix with the reason, for quarantine) and its
 * remaining bytes are only scanned for its end, not kept; the bytes kept for one response (the
 * envelope and the items) may not pass `maxResponseBytes`, nor the bytes scanned inside
 * abandoned items `maxAbandonedBytes`.
 */

export interface SplitterLimits {
  /** Largest item (record) kept, in decompressed bytes. Default 16 MiB. */
  maxRecordBytes?: number;
  /** Most bytes kept from one response: envelope plus items, abandoned items' tails excluded. Default 32 MiB. */
  maxResponseBytes?: number;
  /** Most bytes scanned inside abandoned items of one response before giving up on it. Default 1 GiB. */
  maxAbandonedBytes?: number;
}

export const DEFAULT_MAX_RECORD_BYTES = 16 * 1024 * 1024;
export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
export const DEFAULT_MAX_ABANDONED_BYTES = 1024 * 1024 * 1024;
/** Deeper nesting inside an item abandons it (no record needs it; a stack must not grow without end). */
const MAX_ITEM_DEPTH = 256;
/** Bytes of an abandoned item handed out when its header did not complete within them. */
const ABANDONED_PREFIX_BYTES = 64 * 1024;

/** A direct child of an item element (for a record: header, metadata, about). Byte offsets in `bytes`. */
export interface ItemChild {
  name: string;
  start: number;
  contentStart: number;
  contentEnd: number;
  end: number;
}

export interface ScannedItem {
  /** The whole item element, exactly as received. */
  bytes: Buffer;
  children: ItemChild[];
  /** Why the item is not well-formed (mismatched or stray tags inside it), when it is not. */
  malformed?: string;
  /**
   * Why the item was abandoned (over the record size limit, nested too deep). `bytes` then hold
   * only its beginning (through its header when that was complete), for the identifier and for
   * quarantine.
   */
  abandoned?: string;
}

export interface SplitterResult {
  /** The response without its items, for an ordinary XML parser. */
  envelope: Buffer;
  /** Encoding named by the XML declaration, if any. */
  declaredEncoding: string | undefined;
  /** Opening tag of the root element (carries the namespace declarations items inherit). */
  rootStartTag: string;
  /** Non-markup text appeared before the root element (a PHP warning, for instance). */
  junkBeforeRoot: boolean;
  /** Content appeared after the root element was closed. */
  junkAfterRoot: boolean;
}

const LIST_ELEMENTS = new Set(['ListRecords', 'ListIdentifiers', 'ListSets', 'ListMetadataFormats', 'GetRecord']);

const LT = 0x3c;
const GT = 0x3e;

export function localName(qname: string): string {
  const colon = qname.indexOf(':');
  return colon < 0 ? qname : qname.slice(colon + 1);
}

function isNameStartByte(b: number): boolean {
  return (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x5f || b === 0x3a || b >= 0x80;
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
}

/** XML NameChar, for bytes: ASCII letters, digits, "-", ".", "_", ":", and any byte of a multi-byte UTF-8 character. */
function isNameByte(b: number): boolean {
  return (b >= 0x61 && b <= 0x7a) || (b >= 0x41 && b <= 0x5a) || (b >= 0x30 && b <= 0x3a) || b === 0x2d || b === 0x2e || b === 0x5f || b >= 0x80;
}

/** Whether `name` (latin1) is exactly the bytes buf[start, end). */
function sameBytes(name: string, buf: Buffer, start: number, end: number): boolean {
  if (name.length !== end - start) return false;
  for (let k = 0; k < name.length; k++) if (name.charCodeAt(k) !== buf[start + k]) return false;
  return true;
}

export class OaiResponseSplitter {
  private readonly itemName: string | undefined;
  private readonly maxRecordBytes: number;
  private readonly maxResponseBytes: number;
  private readonly maxAbandonedBytes: number;
  /** Bytes kept for this response (envelope and items). */
  private keptBytes = 0;
  /** The current item was abandoned: its bytes are scanned for its end tag, not kept. */
  private skipping = false;
  private abandonedBytes = 0;
  /** Elements opened beyond MAX_ITEM_DEPTH inside an abandoned item (counted, not named). */
  private excessDepth = 0;
  private buf: Buffer = Buffer.alloc(0);
  private consumedBytes = 0;
  private consumedLines = 0;
  private lastLineStart = 0; // absolute offset of the first byte of the current line
  private readonly stack: string[] = [];
  private started = false;
  private finished = false;
  private rootStartTag = '';
  private declaredEncoding: string | undefined;
  private doctypeName: string | undefined;
  private junkBeforeRoot = false;
  private junkAfterRoot = false;
  private sawBytes = false;
  private sawNonSpace = false;

  private envelopeParts: Buffer[] = [];
  private envelopeFrom = 0;

  private inItem = false;
  private itemStart = 0;
  private itemParts: Buffer[] = [];
  private itemLength = 0;
  private itemChildren: ItemChild[] = [];
  private itemMalformed: string | undefined;
  private items: ScannedItem[] = [];

  /** `itemName`: local name of the list items to cut out (undefined: keep everything in the envelope). */
  constructor(itemName: string | undefined, limits: SplitterLimits = {}) {
    this.itemName = itemName;
    this.maxRecordBytes = limits.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
    this.maxResponseBytes = limits.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.maxAbandonedBytes = limits.maxAbandonedBytes ?? DEFAULT_MAX_ABANDONED_BYTES;
  }

  /** Opening tag of the root element ("" until it has been read). */
  get rootTag(): string {
    return this.rootStartTag;
  }

  /** Encoding named by the XML declaration, if any. */
  get encoding(): string | undefined {
    return this.declaredEncoding;
  }

  /** Feeds the next chunk; returns the items it completed. */
  feed(chunk: Buffer): ScannedItem[] {
    if (chunk.length === 0) return [];
    if (!this.sawBytes) {
      this.sawBytes = true;
      // A UTF-8 byte order mark is allowed before the declaration.
      if (chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
    }
    const tail = this.buf.subarray(0);
    const buf = tail.length === 0 ? chunk : Buffer.concat([tail, chunk]);
    this.buf = buf;
    let pos = 0;
    for (;;) {
      const lt = buf.indexOf(LT, pos);
      const textEnd = lt < 0 ? buf.length : lt;
      if (textEnd > pos) this.noteText(buf, pos, textEnd);
      if (lt < 0) {
        pos = buf.length;
        break;
      }
      const next = this.markup(buf, lt);
      if (next < 0) {
        pos = lt;
        break;
      }
      pos = next;
    }
    pos = this.boundPendingMarkup(buf, pos);
    this.consume(pos);
    if (this.inItem && !this.skipping && this.itemLength + this.buf.length > this.maxRecordBytes) {
      this.abandonItem(`the record is larger than the ${describeBytes(this.maxRecordBytes)} record size limit`);
    }
    const done = this.items;
    this.items = [];
    return done;
  }

  /** Ends the document; throws when it is empty, not OAI-PMH, or truncated. */
  end(): SplitterResult {
    const rest = this.buf;
    if (!this.started) {
      const head = rest.toString('utf8', 0, Math.min(rest.length, 512)).trimStart().toLowerCase();
      if (!this.sawNonSpace && rest.every(isSpace)) {
        throw new HarvestError('emptyBody', 'The response body is empty');
      }
      if (this.doctypeName?.toLowerCase() === 'html' || head.startsWith('<html') || head.includes('<html')) {
        throw new HarvestError('htmlBody', 'The response is an HTML page, not an OAI-PMH document');
      }
      if (rest.length > 0 && rest.indexOf(LT) >= 0) {
        throw new HarvestError('truncatedDocument', 'The response ended before the root element was complete');
      }
      throw new HarvestError('notOaiPmh', 'The response contains no XML element (plain text?)');
    }
    if (!this.finished) {
      const open = this.stack.map(localName).join('/');
      const at = this.locate(rest.length);
      throw new HarvestError(
        'truncatedDocument',
        `The response ended inside <${open}> at line ${at.line}, column ${at.column}: the document is truncated`,
        at,
      );
    }
    return {
      envelope: Buffer.concat(this.envelopeParts),
      declaredEncoding: this.declaredEncoding,
      rootStartTag: this.rootStartTag,
      junkBeforeRoot: this.junkBeforeRoot,
      junkAfterRoot: this.junkAfterRoot,
    };
  }

  private noteText(buf: Buffer, from: number, to: number): void {
    if (this.started && !this.finished) return;
    for (let i = from; i < to; i++) {
      if (!isSpace(buf[i]!)) {
        this.sawNonSpace = true;
        if (this.finished) this.junkAfterRoot = true;
        else this.junkBeforeRoot = true;
        return;
      }
    }
  }

  /**
   * Markup that does not end (a start tag, comment or CDATA section megabytes long) must not be
   * buffered without bound: inside an abandoned item it is skipped; elsewhere it fails the response
   * (inside a kept item the record size check abandons the item first).
   */
  private boundPendingMarkup(buf: Buffer, pos: number): number {
    const pending = buf.length - pos;
    if (pending <= ABANDONED_PREFIX_BYTES) return pos;
    if (this.inItem && this.skipping) return buf.length;
    if (!this.inItem && pending > this.maxRecordBytes) {
      throw this.malformed(pos, `markup longer than ${describeBytes(this.maxRecordBytes)} that does not end`);
    }
    return pos;
  }

  /** Moves the window past `pos`, keeping the unfinished item and envelope bytes. */
  private consume(pos: number): void {
    const buf = this.buf;
    if (this.inItem && this.skipping) {
      this.countAbandoned(pos - this.itemStart);
      this.itemStart = 0;
    } else if (this.inItem) {
      this.itemParts.push(buf.subarray(this.itemStart, pos));
      this.itemLength += pos - this.itemStart;
      this.itemStart = 0;
    } else if (!this.finished) {
      this.addEnvelope(buf.subarray(this.envelopeFrom, pos));
    }
    this.envelopeFrom = 0;
    let nl = buf.indexOf(0x0a);
    while (nl >= 0 && nl < pos) {
      this.consumedLines++;
      this.lastLineStart = this.consumedBytes + nl + 1;
      nl = buf.indexOf(0x0a, nl + 1);
    }
    this.consumedBytes += pos;
    this.buf = buf.subarray(pos);
  }

  private addEnvelope(part: Buffer): void {
    if (part.length === 0) return;
    this.keep(part.length);
    this.envelopeParts.push(part);
  }

  private keep(bytes: number): void {
    this.keptBytes += bytes;
    if (this.keptBytes > this.maxResponseBytes) {
      throw new HarvestError('responseTooLarge', `The response is larger than the ${describeBytes(this.maxResponseBytes)} response size limit`);
    }
  }

  private countAbandoned(bytes: number): void {
    this.abandonedBytes += bytes;
    if (this.abandonedBytes > this.maxAbandonedBytes) {
      throw new HarvestError(
        'responseTooLarge',
        `An oversized record went on for more than ${describeBytes(this.maxAbandonedBytes)} without ending; the response is abandoned`,
      );
    }
  }

  /**
   * Gives up on the current item: hands out its beginning (through the header, when that is
   * complete, for the identifier) with the reason, and scans the rest only for the item's end.
   */
  private abandonItem(reason: string): void {
    const header = this.itemChildren.find((c) => localName(c.name) === 'header' && c.end >= 0);
    const prefixLength = Math.min(this.itemLength, header && header.end <= this.maxRecordBytes ? header.end : ABANDONED_PREFIX_BYTES);
    const prefix = Buffer.allocUnsafe(prefixLength);
    let copied = 0;
    for (const part of this.itemParts) {
      if (copied >= prefixLength) break;
      copied += part.copy(prefix, copied, 0, Math.min(part.length, prefixLength - copied));
    }
    const item: ScannedItem = { bytes: prefix, children: this.itemChildren.filter((c) => c.end >= 0 && c.end <= prefixLength), abandoned: reason };
    if (this.itemMalformed !== undefined) item.malformed = this.itemMalformed;
    this.keep(prefixLength);
    this.items.push(item);
    this.countAbandoned(this.itemLength);
    this.skipping = true;
    this.itemParts = [];
    this.itemLength = 0;
    this.itemChildren = [];
  }

  /** Line and column (1-based; column in bytes) of an offset into the current window. */
  private locate(index: number): { line: number; column: number } {
    let line = this.consumedLines + 1;
    let lineStart = this.lastLineStart;
    let nl = this.buf.indexOf(0x0a);
    while (nl >= 0 && nl < index) {
      line++;
      lineStart = this.consumedBytes + nl + 1;
      nl = this.buf.indexOf(0x0a, nl + 1);
    }
    return { line, column: this.consumedBytes + index - lineStart + 1 };
  }

  private malformed(index: number, reason: string): HarvestError {
    const at = this.locate(index);
    return new HarvestError('malformedXml', `Malformed XML at line ${at.line}, column ${at.column}: ${reason}`, at);
  }

  /** Drops bytes [from, to) from the envelope (declarations, comments, DOCTYPE). */
  private skipFromEnvelope(buf: Buffer, from: number, to: number): void {
    if (this.inItem || this.finished) return;
    this.addEnvelope(buf.subarray(this.envelopeFrom, from));
    this.envelopeFrom = to;
  }

  /** Handles the markup starting at `lt`; returns the index after it, or -1 when incomplete. */
  private markup(buf: Buffer, lt: number): number {
    if (lt + 1 >= buf.length) return -1;
    const c1 = buf[lt + 1]!;
    if (c1 === 0x3f /* ? */) {
      const close = buf.indexOf('?>', lt + 2);
      if (close < 0) return -1;
      if (!this.started && this.declaredEncoding === undefined) {
        const decl = buf.toString('latin1', lt, close);
        const match = /^<\?xml\s[^]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(decl);
        if (match) this.declaredEncoding = match[1];
      }
      this.skipFromEnvelope(buf, lt, close + 2);
      return close + 2;
    }
    if (c1 === 0x21 /* ! */) return this.bangMarkup(buf, lt);
    if (c1 === 0x2f /* / */) {
      let nameEnd = lt + 2;
      while (nameEnd < buf.length && isNameByte(buf[nameEnd]!)) nameEnd++;
      const gt = buf[nameEnd] === GT ? nameEnd : buf.indexOf(GT, nameEnd);
      if (gt < 0) return -1;
      if (this.inItem && !this.skipping) {
        let rest = nameEnd;
        while (rest < gt && isSpace(buf[rest]!)) rest++;
        if (nameEnd === lt + 2 || !isNameStartByte(buf[lt + 2]!) || rest !== gt) this.markItemMalformed(lt, 'malformed end tag');
      }
      const top = this.stack[this.stack.length - 1];
      const name = top !== undefined && this.excessDepth === 0 && sameBytes(top, buf, lt + 2, nameEnd) ? top : this.nameAt(buf, lt + 2, nameEnd);
      this.endTag(name, lt, gt + 1);
      return gt + 1;
    }
    if (!isNameStartByte(c1)) {
      // A bare "<" in text: only tolerable inside a record, which it makes malformed.
      if (this.inItem) {
        this.markItemMalformed(lt, "'<' not followed by an element name (unescaped '<' in text?)");
        return lt + 1;
      }
      throw this.malformed(lt, "'<' not followed by an element name");
    }
    const gt = this.scanStartTag(buf, lt);
    if (gt === -1) return -1;
    if (gt === -2) {
      if (this.inItem) {
        this.markItemMalformed(lt, "'<' inside a start tag");
        return lt + 1;
      }
      throw this.malformed(lt, "'<' inside a start tag");
    }
    if (this.tagProblem !== undefined && this.inItem && !this.skipping) this.markItemMalformed(lt, this.tagProblem);
    const name = this.nameAt(buf, lt + 1, this.tagNameEnd);
    this.startTag(buf, name, lt, gt + 1, buf[gt - 1] === 0x2f);
    return gt + 1;
  }

  /** End of the name of the start tag last scanned. */
  private tagNameEnd = 0;
  /** What makes the start tag last scanned not well-formed, if anything. */
  private tagProblem: string | undefined;
  private readonly attributeRanges: number[] = [];

  /**
   * Scans the start tag at `lt` (XML 1.0 §3.1: a name, then attributes separated by white space,
   * each once, with a quoted value holding no '<'), noting its name's end and its first problem.
   * Returns the index of its '>', -1 when the buffer ends first, -2 at a '<' outside a value.
   * Items are checked here, as they are cut, so that no record needs a second parse just to learn
   * whether it is well-formed.
   */
  private scanStartTag(buf: Buffer, lt: number): number {
    const n = buf.length;
    let i = lt + 1;
    while (i < n && isNameByte(buf[i]!)) i++;
    this.tagNameEnd = i;
    let problem: string | undefined;
    const ranges = this.attributeRanges;
    let rangeCount = 0;
    for (;;) {
      const before = i;
      while (i < n && isSpace(buf[i]!)) i++;
      if (i >= n) return -1;
      const b = buf[i]!;
      if (b === GT) break;
      if (b === LT) return -2;
      if (b === 0x2f /* / */) {
        if (i + 1 >= n) return -1;
        if (buf[i + 1] === GT) {
          i++;
          break;
        }
        problem ??= "'/' inside a start tag";
        i++;
        continue;
      }
      if (i === before) problem ??= 'attributes must be separated by white space';
      const nameStart = i;
      while (i < n && isNameByte(buf[i]!)) i++;
      if (i === nameStart || !isNameStartByte(b)) {
        problem ??= 'malformed attribute name';
        if (i === nameStart) i++;
        continue;
      }
      const nameEnd = i;
      while (i < n && isSpace(buf[i]!)) i++;
      if (i >= n) return -1;
      if (buf[i] !== 0x3d /* = */) {
        problem ??= `attribute ${buf.toString('latin1', nameStart, nameEnd)} has no value`;
        continue;
      }
      i++;
      while (i < n && isSpace(buf[i]!)) i++;
      if (i >= n) return -1;
      const quote = buf[i]!;
      if (quote !== 0x22 && quote !== 0x27) {
        problem ??= `the value of attribute ${buf.toString('latin1', nameStart, nameEnd)} is not quoted`;
        continue;
      }
      // Values are short: a loop beats two native searches.
      let close = i + 1;
      while (close < n && buf[close] !== quote) {
        if (buf[close] === LT) problem ??= "'<' in an attribute value";
        close++;
      }
      if (close >= n) return -1;
      const length = nameEnd - nameStart;
      for (let r = 0; r < rangeCount; r += 2) {
        if (ranges[r + 1]! - ranges[r]! === length && buf.compare(buf, nameStart, nameEnd, ranges[r]!, ranges[r + 1]!) === 0) {
          problem ??= `attribute ${buf.toString('latin1', nameStart, nameEnd)} is repeated`;
        }
      }
      ranges[rangeCount++] = nameStart;
      ranges[rangeCount++] = nameEnd;
      i = close + 1;
    }
    if (this.tagNameEnd === lt + 1) problem ??= 'malformed element name';
    this.tagProblem = problem;
    return i;
  }

  private readonly names = new Map<number, string>();

  /**
   * The element name in buf[start, end), as a string shared by every occurrence: tag names
   * repeat in every record, and are only compared, never shown as text (latin1: an exact copy).
   */
  private nameAt(buf: Buffer, start: number, end: number): string {
    const length = end - start;
    if (length > 64) return buf.toString('latin1', start, end);
    let hash = length;
    for (let k = start; k < end; k++) hash = (Math.imul(hash, 31) + buf[k]!) | 0;
    const cached = this.names.get(hash);
    if (cached !== undefined && sameBytes(cached, buf, start, end)) return cached;
    const name = buf.toString('latin1', start, end);
    if (this.names.size < 4096) this.names.set(hash, name);
    return name;
  }

  private bangMarkup(buf: Buffer, lt: number): number {
    const available = buf.length - lt;
    if (available < 4) return -1;
    if (buf[lt + 2] === 0x2d && buf[lt + 3] === 0x2d) {
      const close = buf.indexOf('-->', lt + 4);
      if (close < 0) return -1;
      this.skipFromEnvelope(buf, lt, close + 3);
      return close + 3;
    }
    if (available < 9) {
      const head = buf.toString('latin1', lt, buf.length);
      if ('<![CDATA['.startsWith(head) || '<!DOCTYPE'.startsWith(head.toUpperCase())) return -1;
    }
    const head = buf.toString('latin1', lt, lt + 9);
    if (head === '<![CDATA[') {
      const close = buf.indexOf(']]>', lt + 9);
      if (close < 0) return -1;
      if (this.stack.length === 0) throw this.malformed(lt, 'CDATA section outside the root element');
      return close + 3;
    }
    if (head.toUpperCase() === '<!DOCTYPE') {
      // Find the closing '>' outside quotes and outside the internal subset.
      let quote = 0;
      let brackets = 0;
      let i = lt + 9;
      for (; i < buf.length; i++) {
        const b = buf[i]!;
        if (quote !== 0) {
          if (b === quote) quote = 0;
        } else if (b === 0x22 || b === 0x27) quote = b;
        else if (b === 0x5b) brackets++;
        else if (b === 0x5d) brackets--;
        else if (b === GT && brackets <= 0) break;
      }
      if (i >= buf.length) return -1;
      if (this.started) {
        if (this.inItem) {
          this.markItemMalformed(lt, 'DOCTYPE declaration inside an element');
          return i + 1;
        }
        throw this.malformed(lt, 'DOCTYPE declaration inside an element');
      }
      this.doctypeName = /^<!DOCTYPE\s+([^\s[>]+)/i.exec(buf.toString('latin1', lt, Math.min(i + 1, lt + 200)))?.[1];
      if (this.doctypeName?.toLowerCase() === 'html') {
        throw new HarvestError('htmlBody', 'The response is an HTML page (<!DOCTYPE html>), not an OAI-PMH document');
      }
      this.skipFromEnvelope(buf, lt, i + 1);
      return i + 1;
    }
    if (this.inItem) {
      this.markItemMalformed(lt, "unknown markup '<!'");
      return lt + 2;
    }
    throw this.malformed(lt, "unknown markup '<!'");
  }

  private itemOffset(index: number): number {
    return this.itemLength + index - this.itemStart;
  }

  private markItemMalformed(index: number, reason: string): void {
    if (this.itemMalformed !== undefined) return;
    const at = this.locate(index);
    this.itemMalformed = `${reason} (line ${at.line}, column ${at.column} of the response)`;
  }

  private startTag(buf: Buffer, name: string, start: number, end: number, selfClosing: boolean): void {
    const depth = this.stack.length;
    if (this.finished) {
      this.junkAfterRoot = true;
      return;
    }
    if (!this.started) {
      this.started = true;
      const local = localName(name);
      if (local.toLowerCase() === 'html') {
        throw new HarvestError('htmlBody', 'The response is an HTML page (<html> root), not an OAI-PMH document');
      }
      if (local !== 'OAI-PMH') {
        throw new HarvestError('notOaiPmh', `The response root element is <${name}>, not <OAI-PMH>`);
      }
      this.rootStartTag = buf.toString('utf8', start, end);
      if (selfClosing) this.finished = true;
      else this.stack.push(name);
      return;
    }
    if (this.inItem) {
      if (depth >= MAX_ITEM_DEPTH) {
        if (!this.skipping) this.abandonItem(`the record nests elements more than ${MAX_ITEM_DEPTH} deep`);
        if (!selfClosing) this.excessDepth++;
        return;
      }
      if (depth === 3 && !this.skipping) {
        const offset = this.itemOffset(start);
        const contentStart = this.itemOffset(end);
        this.itemChildren.push(
          selfClosing
            ? { name, start: offset, contentStart, contentEnd: contentStart, end: contentStart }
            : { name, start: offset, contentStart, contentEnd: -1, end: -1 },
        );
      }
      if (!selfClosing) this.stack.push(name);
      return;
    }
    if (
      depth === 2 &&
      this.itemName !== undefined &&
      localName(name) === this.itemName &&
      LIST_ELEMENTS.has(localName(this.stack[1]!))
    ) {
      this.skipFromEnvelope(buf, start, start);
      this.inItem = true;
      this.itemStart = start;
      this.itemParts = [];
      this.itemLength = 0;
      this.itemChildren = [];
      this.itemMalformed = undefined;
      if (selfClosing) this.closeItem(buf, end);
      else this.stack.push(name);
      return;
    }
    if (!selfClosing) this.stack.push(name);
  }

  private endTag(name: string, start: number, end: number): void {
    if (this.finished) {
      this.junkAfterRoot = true;
      return;
    }
    const stack = this.stack;
    if (stack.length === 0) throw this.malformed(start, `end tag </${name}> without a start tag`);
    const closesList = this.inItem && (name === stack[1] || name === stack[0]);
    if (this.excessDepth > 0 && !closesList) {
      this.excessDepth--;
      return;
    }
    const top = stack[stack.length - 1]!;
    if (top === name && this.excessDepth === 0) {
      stack.pop();
      this.afterPop(start, end);
      return;
    }
    if (!this.inItem) throw this.malformed(start, `end tag </${name}> does not match <${top}>`);
    // Inside a record: recover like an HTML parser, so one broken record cannot take the page down.
    this.markItemMalformed(start, `end tag </${name}> does not match <${top}>`);
    for (let k = stack.length - 1; k >= 2 && this.excessDepth === 0; k--) {
      if (stack[k] === name) {
        stack.length = k;
        this.afterPop(start, end);
        return;
      }
    }
    if (closesList) {
      // The list (or the document) ends while the record is still open: the record ends here.
      this.excessDepth = 0;
      stack.length = 2;
      this.afterPop(start, start);
      this.endTag(name, start, end);
    }
  }

  private afterPop(start: number, end: number): void {
    const depth = this.stack.length;
    if (this.inItem) {
      if (depth === 2 && this.skipping) {
        this.countAbandoned(end - this.itemStart);
        this.inItem = false;
        this.skipping = false;
        this.envelopeFrom = end;
      } else if (depth === 3) {
        const child = this.itemChildren[this.itemChildren.length - 1];
        if (child && child.end < 0) {
          child.contentEnd = this.itemOffset(start);
          child.end = this.itemOffset(end);
        }
      } else if (depth === 2) {
        this.closeItem(this.buf, end);
      }
    }
    if (depth === 0) {
      this.addEnvelope(this.buf.subarray(this.envelopeFrom, end));
      this.envelopeFrom = end;
      this.finished = true;
    }
  }

  private closeItem(buf: Buffer, end: number): void {
    const last = buf.subarray(this.itemStart, end);
    if (this.itemLength + last.length > this.maxRecordBytes) {
      this.itemParts.push(last);
      this.itemLength += last.length;
      this.abandonItem(`the record is larger than the ${describeBytes(this.maxRecordBytes)} record size limit`);
      this.inItem = false;
      this.skipping = false;
      this.envelopeFrom = end;
      return;
    }
    // One part: a view of the chunk (undici hands out a new buffer per chunk, never reused).
    const bytes = this.itemParts.length === 0 ? last : Buffer.concat([...this.itemParts, last]);
    this.keep(bytes.length);
    for (const child of this.itemChildren) {
      if (child.end < 0) {
        child.contentEnd = bytes.length;
        child.end = bytes.length;
      }
    }
    const item: ScannedItem = { bytes, children: this.itemChildren };
    if (this.itemMalformed !== undefined) item.malformed = this.itemMalformed;
    this.items.push(item);
    this.inItem = false;
    this.itemParts = [];
    this.itemChildren = [];
    this.itemMalformed = undefined;
    this.envelopeFrom = end;
  }
}

function describeBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes}-byte`;
}
