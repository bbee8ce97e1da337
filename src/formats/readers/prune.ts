// Drops the content of elements a reader never looks at (a JATS <body> can be hundreds of
// megabytes of article text; the metadata is in front and back), from a string or from a
// stream read in chunks, so neither the well-formedness check nor the parse nor memory pays
// for it. Dropped content is still checked for balanced tags (start and end tags that match,
// comments, CDATA sections and processing instructions that end), with line:column on error;
// its line breaks are kept, so later errors keep their line numbers.
import { ReaderError } from './xml.js';

export class XmlPruner {
  /** Text not yet processed: at most an incomplete token. */
  private carry = '';
  /** Open elements inside the skipped one (the skipped element's own name first). */
  private readonly open: string[] = [];
  /** Position of the start of `carry` in the whole input, for error messages. */
  private line = 1;
  private column = 1;

  constructor(private readonly skip: ReadonlySet<string>) {}

  /** Feeds the next piece of the document; returns what is kept of it so far. */
  push(chunk: string): string {
    const text = this.carry + chunk;
    const { kept, consumed } = this.process(text, false);
    this.advance(text, consumed);
    this.carry = text.slice(consumed);
    return kept;
  }

  /** The end of the document: returns the rest; throws when a skipped element or token is left open. */
  end(): string {
    const text = this.carry;
    const { kept, consumed } = this.process(text, true);
    this.advance(text, consumed);
    this.carry = '';
    if (this.open.length > 0) {
      throw new ReaderError(`not well-formed XML: <${this.open[this.open.length - 1]}> is not closed before the end of the document`, { line: this.line, column: this.column });
    }
    return kept;
  }

  /** Prunes a whole document in one go. */
  static prune(xml: string, skip: ReadonlySet<string>): string {
    if (skip.size === 0) return xml;
    const pruner = new XmlPruner(skip);
    return pruner.push(xml) + pruner.end();
  }

  /** Moves the position of the carry's start past text[0, consumed). */
  private advance(text: string, consumed: number): void {
    let last = -1;
    for (let at = text.indexOf('\n'); at >= 0 && at < consumed; at = text.indexOf('\n', at + 1)) {
      this.line++;
      last = at;
    }
    this.column = last < 0 ? this.column + consumed : consumed - last;
  }

  private fail(message: string, text: string, offset: number): never {
    const before = text.slice(0, offset);
    const lines = before.split('\n');
    const line = this.line + lines.length - 1;
    const column = lines.length === 1 ? this.column + before.length : lines[lines.length - 1]!.length + 1;
    throw new ReaderError(`not well-formed XML: ${message}`, { line, column });
  }

  /** Keeps or drops text token by token; stops before a token that is not complete unless `final`. */
  private process(text: string, final: boolean): { kept: string; consumed: number } {
    let kept = '';
    // Start of text not yet copied (outside skipped elements) or counted (inside).
    let from = 0;
    let i = 0;
    while (i < text.length) {
      const lt = text.indexOf('<', i);
      if (lt < 0) break;
      const end = tokenEnd(text, lt);
      if (end < 0) {
        if (final) this.fail('a tag, comment or CDATA section is not closed before the end of the document', text, lt);
        kept += this.flush(text, from, lt);
        return { kept, consumed: lt };
      }
      const second = text.charCodeAt(lt + 1);
      const markup = second === 33 /* ! */ || second === 63; /* ? */
      const selfClosing = text.charCodeAt(end - 2) === 47; /* / */
      if (this.open.length === 0) {
        // Outside: everything is kept; a skipped element's start tag opens a skipped region after it.
        if (!markup && second !== 47 && !selfClosing && this.skip.has(localName(tagName(text, lt + 1)))) {
          kept += text.slice(from, end);
          from = end;
          this.open.push(tagName(text, lt + 1));
        }
      } else if (second === 47) {
        const name = tagName(text, lt + 2);
        const expected = this.open.pop()!;
        if (name !== expected) this.fail(`</${name}> where </${expected}> was expected`, text, lt);
        if (this.open.length === 0) {
          // The skipped element's own end tag is kept.
          kept += newlines(text, from, lt);
          from = lt;
        }
      } else if (!markup && !selfClosing) {
        this.open.push(tagName(text, lt + 1));
      }
      i = end;
    }
    kept += this.flush(text, from, text.length);
    return { kept, consumed: text.length };
  }

  /** text[from, to): copied outside skipped elements, its line breaks inside. */
  private flush(text: string, from: number, to: number): string {
    return this.open.length === 0 ? text.slice(from, to) : newlines(text, from, to);
  }
}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

/** The name of the tag whose name starts at `from`. */
function tagName(text: string, from: number): string {
  let end = from;
  for (; end < text.length; end++) {
    const c = text.charCodeAt(end);
    // whitespace, "/" or ">" end a name
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 47 || c === 62) break;
  }
  return text.slice(from, end);
}

/** As many line breaks as text[from, to) has, so dropped content keeps later line numbers true. */
function newlines(text: string, from: number, to: number): string {
  let count = 0;
  for (let at = text.indexOf('\n', from); at >= 0 && at < to; at = text.indexOf('\n', at + 1)) count++;
  return count === 0 ? '' : '\n'.repeat(count);
}

/** Index just past the token starting at `lt` ("<"), or -1 when it does not end in `text`. */
function tokenEnd(text: string, lt: number): number {
  if (text.startsWith('<!--', lt)) return endAfter(text, '-->', lt + 4);
  if (text.startsWith('<![CDATA[', lt)) return endAfter(text, ']]>', lt + 9);
  if (text.startsWith('<?', lt)) return endAfter(text, '?>', lt + 2);
  if (text.startsWith('<!DOCTYPE', lt)) return doctypeEnd(text, lt);
  if (lt + 9 > text.length && ('<!DOCTYPE'.startsWith(text.slice(lt)) || '<![CDATA['.startsWith(text.slice(lt)))) return -1;
  // A tag: ends at the first ">" outside quoted attribute values.
  let quote = 0;
  for (let i = lt + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quote !== 0) {
      if (c === quote) quote = 0;
    } else if (c === 34 || c === 39) {
      quote = c;
    } else if (c === 62) {
      return i + 1;
    }
  }
  return -1;
}

function endAfter(text: string, terminator: string, from: number): number {
  const at = text.indexOf(terminator, from);
  return at < 0 ? -1 : at + terminator.length;
}

/** The end of a DOCTYPE declaration, whose internal subset may hold quoted ">" and comments. */
function doctypeEnd(text: string, lt: number): number {
  let depth = 0;
  for (let i = lt + 9; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") {
      const close = text.indexOf(c, i + 1);
      if (close < 0) return -1;
      i = close;
    } else if (text.startsWith('<!--', i)) {
      const close = text.indexOf('-->', i + 4);
      if (close < 0) return -1;
      i = close + 2;
    } else if (c === '[') depth++;
    else if (c === ']') depth--;
    else if (c === '>' && depth <= 0) return i + 1;
  }
  return -1;
}
