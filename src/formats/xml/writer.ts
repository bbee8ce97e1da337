// String assembly for the XML writers: start tags, text and end tags appended to one string,
// indented as the writers have always indented (see indentXml), with no DOM in between.
import { escapeXml } from './escape.js';

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';
const INDENT = '  ';

const indents: string[] = [];
/** Line break and indentation before an element at `depth` in element-only content. */
export function lineBreak(depth: number): string {
  return (indents[depth] ??= '\n' + INDENT.repeat(depth));
}

/** ` name="value"`, the value escaped. */
export function attr(name: string, value: string): string {
  return ` ${name}="${escapeXml(value, true)}"`;
}

/** attr(), or nothing when the value is undefined. */
export function optionalAttr(name: string, value: string | undefined): string {
  return value === undefined ? '' : ` ${name}="${escapeXml(value, true)}"`;
}

/** Attributes in the given order; undefined values are left out. */
export function attrs(values: Record<string, string | undefined>): string {
  let out = '';
  for (const name in values) {
    const value = values[name];
    if (value !== undefined) out += ` ${name}="${escapeXml(value, true)}"`;
  }
  return out;
}

/**
 * Thrown inside a writer when an element's content turns out different from what the writer
 * declared (text in element-only content, or "inline" content without text). The writer then
 * assembles the document compactly and indents it afterwards with indentXml, which decides
 * from the content itself. Rare: the writers declare their elements right.
 */
class IndentationMismatch extends Error {}

interface Frame {
  name: string;
  /** Children are put on lines of their own. */
  indent: boolean;
  /** The element sits in indented content (its own parent indents). */
  parentIndents: boolean;
  /** Declared as holding text (inline content). */
  inline: boolean;
  hasChild: boolean;
  hasText: boolean;
}

/**
 * Appends XML to one string. Elements are either block (children only elements, each on a
 * line of its own) or inline (text and inline elements, written as they are). That is the
 * indentation indentXml gives serialised XML: element-only content indented, any element that
 * holds text copied exactly, descendants included, so indentation never changes what a title
 * or abstract says. `indented: false` writes everything compactly (for indentXml afterwards).
 */
export class XmlWriter {
  private out = '';
  private readonly stack: Frame[] = [];
  /** The last start tag has not been closed with ">" yet (an element with no content is written "<x/>"). */
  private open = false;

  constructor(readonly indented = true) {}

  /** A block element: its children go on lines of their own. */
  start(name: string, attributes = ''): this {
    return this.push(name, attributes, false);
  }

  /** An element holding text (inline content): everything inside is written as it is. */
  startInline(name: string, attributes = ''): this {
    return this.push(name, attributes, true);
  }

  private push(name: string, attributes: string, inline: boolean): this {
    const parentIndents = this.beforeChild();
    this.out += `<${name}${attributes}`;
    this.open = true;
    this.stack.push({ name, indent: parentIndents && !inline, parentIndents, inline, hasChild: false, hasText: false });
    return this;
  }

  /** Closes the innermost element. */
  end(): this {
    const frame = this.stack.pop()!;
    if (this.open) {
      this.out += '/>';
      this.open = false;
      return this;
    }
    if (this.indented && frame.inline && frame.parentIndents && !frame.hasText && frame.hasChild) throw new IndentationMismatch();
    if (frame.indent && frame.hasChild) this.out += lineBreak(this.stack.length);
    this.out += `</${frame.name}>`;
    return this;
  }

  /** Character data (escaped). An empty string still makes the element non-empty: "<x></x>". */
  text(value: string): this {
    this.closeStartTag();
    const escaped = escapeXml(value);
    if (escaped === '') return this;
    const frame = this.stack[this.stack.length - 1];
    if (frame) {
      if (this.indented && frame.indent) throw new IndentationMismatch();
      frame.hasText = true;
    }
    this.out += escaped;
    return this;
  }

  /** An element holding only text: <name attributes>text</name>. */
  leaf(name: string, text: string, attributes = ''): this {
    const parentIndents = this.beforeChild();
    void parentIndents;
    this.out += `<${name}${attributes}>${escapeXml(text)}</${name}>`;
    return this;
  }

  /** An element without content: <name attributes/>. */
  empty(name: string, attributes = ''): this {
    this.beforeChild();
    this.out += `<${name}${attributes}/>`;
    return this;
  }

  /** Whether the innermost open element indents its children (for callers writing several writers' output into one). */
  get depth(): number {
    return this.stack.length;
  }

  /** The document so far: declaration (optional), content, trailing newline. */
  finish(declaration: boolean): string {
    if (this.stack.length > 0) throw new Error(`xml: <${this.stack[this.stack.length - 1]!.name}> is not closed`);
    const body = this.indented ? this.out : indentXml(this.out);
    return (declaration ? XML_DECLARATION : '') + body + '\n';
  }

  /** Marks a child of the innermost element and writes the indentation before it; says whether the child sits in indented content. */
  private beforeChild(): boolean {
    this.closeStartTag();
    const parent = this.stack[this.stack.length - 1];
    if (!parent) return this.indented;
    parent.hasChild = true;
    if (parent.indent) this.out += lineBreak(this.stack.length);
    return parent.indent;
  }

  private closeStartTag(): void {
    if (this.open) {
      this.out += '>';
      this.open = false;
    }
  }
}

/**
 * Runs a writer with indentation decided as it goes; when the content contradicts what the
 * writer declared, runs it again compactly and indents the result with indentXml.
 */
export function writeXml(write: (out: XmlWriter) => void, declaration: boolean): string {
  const out = new XmlWriter(true);
  try {
    write(out);
    return out.finish(declaration);
  } catch (error) {
    if (!(error instanceof IndentationMismatch)) throw error;
  }
  const compact = new XmlWriter(false);
  write(compact);
  return compact.finish(declaration);
}

// ---------------------------------------------------------------------------------------------
// indentXml: the indentation rule, applied to serialised XML.

const LT = 60; // <
const SLASH = 47; // /

// A whole tag from its "<": quoted attribute values may hold ">".
const TAG = /<[^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*>/y;

/** Index of the ">" closing the tag that starts at `start`, skipping quoted attribute values. */
function tagEnd(xml: string, start: number): number {
  TAG.lastIndex = start;
  return TAG.test(xml) ? TAG.lastIndex - 1 : xml.length - 1;
}

// Tag kinds recorded by indentXml's scan.
const OPEN = 0;
const CLOSE = 1;
const EMPTY = 2; // self-closing
const OTHER = 3; // declaration, processing instruction, comment

/**
 * Indents serialised XML (written without any whitespace between tags: no comments, CDATA or
 * processing instructions, "<" always escaped in text and attributes). Only element-only
 * content is indented: an element holding any text (titles with <italic>, paragraphs, MathML
 * inside a title) is copied exactly, descendants included, so indentation never changes what
 * a title or abstract says.
 */
export function indentXml(xml: string): string {
  // Scan once: where each tag starts, its kind, and which elements hold text directly
  // ("mixed", by start-tag ordinal).
  const starts: number[] = [];
  const kinds: number[] = [];
  const mixed: boolean[] = [];
  const open: number[] = [];
  let ordinal = 0;
  for (let i = 0; i < xml.length; ) {
    if (xml.charCodeAt(i) === LT) {
      const end = tagEnd(xml, i);
      const next = xml.charCodeAt(i + 1);
      starts.push(i);
      if (next === SLASH) {
        kinds.push(CLOSE);
        open.pop();
      } else if (next === 63 /* ? */ || next === 33 /* ! */) {
        kinds.push(OTHER);
      } else if (xml.charCodeAt(end - 1) === SLASH) {
        kinds.push(EMPTY);
        mixed.push(false);
        ordinal++;
      } else {
        kinds.push(OPEN);
        mixed.push(false);
        open.push(ordinal++);
      }
      i = end + 1;
    } else {
      if (open.length > 0) mixed[open[open.length - 1]!] = true;
      const next = xml.indexOf('<', i);
      i = next < 0 ? xml.length : next;
    }
  }
  // Then add a line break and indentation before each child of element-only content (and
  // before its end tag), copying everything between those points in one piece.
  let out = '';
  let copied = 0;
  const indentChildren: boolean[] = [];
  const hadChild: boolean[] = [];
  ordinal = 0;
  for (let t = 0; t < starts.length; t++) {
    const kind = kinds[t]!;
    if (kind === OTHER) continue;
    const depth = indentChildren.length;
    if (kind === CLOSE) {
      const indented = indentChildren.pop()!;
      if (hadChild.pop()! && indented) {
        out += xml.slice(copied, starts[t]) + lineBreak(depth - 1);
        copied = starts[t]!;
      }
      continue;
    }
    if (depth > 0 && indentChildren[depth - 1]) {
      out += xml.slice(copied, starts[t]) + lineBreak(depth);
      copied = starts[t]!;
      hadChild[depth - 1] = true;
    }
    if (kind === OPEN) {
      indentChildren.push(!mixed[ordinal] && (depth === 0 || indentChildren[depth - 1]!));
      hadChild.push(false);
    }
    ordinal++;
  }
  return copied === 0 ? xml : out + xml.slice(copied);
}
