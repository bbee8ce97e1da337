// xmlbuilder2 plumbing shared by the writers: document creation, indentation that never
// touches mixed content, serialisation, and insertion of JATS markup fragments.
import { create } from 'xmlbuilder2';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { NS } from './common.js';
import { ExportError, type ExportFormat } from './errors.js';

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';
const INDENT = '  ';

/** Characters XML 1.0 cannot carry at all; the model should never hold them, but a writer must not emit them. */
// eslint-disable-next-line no-control-regex
const XML_ILLEGAL_SOURCE = '[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\uFFFE\\uFFFF]|[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]';
const XML_ILLEGAL_ANY = new RegExp(XML_ILLEGAL_SOURCE);
const XML_ILLEGAL_ALL = new RegExp(XML_ILLEGAL_SOURCE, 'g');

// xmlbuilder2's serialiser leaves "&name;" and "&#123;" as they are (it takes them for
// references), so literal text such as "&amp;" or "&foo;" would come out unescaped: a
// different string, or not well-formed at all. Escaping exactly those ampersands here makes
// every text and attribute value round-trip.
const AMPERSAND_SERIALISER_SKIPS = /&(?=[A-Za-z]+;|#\d+;)/g;
// Most text has neither ampersands nor characters that could be illegal: one character-class test settles it.
// eslint-disable-next-line no-control-regex
const NEEDS_CARE = /[&\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;

/** Text or attribute value made safe for xmlbuilder2: illegal XML characters dropped, reference-like ampersands escaped. */
export function xmlSafe(text: string): string {
  if (!NEEDS_CARE.test(text)) return text;
  const legal = XML_ILLEGAL_ANY.test(text) ? text.replace(XML_ILLEGAL_ALL, '') : text;
  return legal.includes('&') ? legal.replace(AMPERSAND_SERIALISER_SKIPS, '&amp;') : legal;
}

// The DOM calls the writers make, on the document xmlbuilder2 creates (XMLBuilder.node).
interface DomNode {
  appendChild(child: DomNode): unknown;
  lookupNamespaceURI(prefix: string | null): string | null;
}
interface DomElement extends DomNode {
  setAttribute(name: string, value: string): void;
  setAttributeNS(namespace: string, qualifiedName: string, value: string): void;
  readonly namespaceURI: string | null;
  readonly prefix: string | null;
  readonly localName: string;
}
interface DomDocument extends DomNode {
  createElement(name: string): DomElement;
  createElementNS(namespace: string, qualifiedName: string): DomElement;
  createTextNode(data: string): DomNode;
}

/**
 * Appends to an xmlbuilder2 document through its DOM, with the namespace rules of
 * XMLBuilder.ele/att (an unprefixed name takes the parent's default namespace, a prefixed one
 * the namespace its prefix is bound to) but without XMLBuilder's per-call argument parsing,
 * prefix look-ups up the tree and wrapper objects: those cost more than the DOM itself. The
 * document it builds is the one XMLBuilder would, so xmlbuilder2 serialises the same bytes.
 */
export class Builder {
  private constructor(
    private readonly document: DomDocument,
    private readonly node: DomNode,
    /** Namespace of unprefixed child elements (what node.lookupNamespaceURI(null) returns). */
    private readonly defaultNamespace: string | null,
  ) {}

  static forDocument(document: DomDocument): Builder {
    return new Builder(document, document, null);
  }

  /** A child element; `attributes` are set as given (undefined values skipped), like XMLBuilder.ele(name, attributes). */
  ele(name: string, attributes?: Record<string, string | undefined>): Builder {
    const colon = name.indexOf(':');
    const namespace = colon < 0 ? this.defaultNamespace : this.node.lookupNamespaceURI(name.slice(0, colon));
    const child = this.append(namespace, name, colon);
    if (attributes) {
      for (const key in attributes) {
        const value = attributes[key];
        if (value !== undefined) child.att(key, value);
      }
    }
    return child;
  }

  /** A child element in `namespace`, like XMLBuilder.ele(namespace, name). */
  eleNS(namespace: string, name: string): Builder {
    return this.append(namespace, name, name.indexOf(':'));
  }

  private append(namespace: string | null, name: string, colon: number): Builder {
    const element = namespace === null ? this.document.createElement(name) : this.document.createElementNS(namespace, name);
    this.node.appendChild(element);
    const defaultNamespace = namespace !== null && colon < 0 ? namespace : this.defaultNamespace;
    return new Builder(this.document, element, defaultNamespace);
  }

  /** An attribute without namespace (as XMLBuilder.att(name, value) sets any name but xmlns declarations). */
  att(name: string, value: string): this {
    if (name === 'xmlns' || name.startsWith('xmlns:')) return this.attNS(NS.xmlns, name, value);
    (this.node as DomElement).setAttribute(name, value);
    return this;
  }

  attNS(namespace: string, name: string, value: string): this {
    const element = this.node as DomElement;
    // XMLBuilder.att re-creates an element whose own prefix is declared after it was created, and
    // a default namespace declaration would change what unprefixed children resolve to; the
    // writers declare namespaces up front, so neither happens.
    if (namespace === NS.xmlns && (name === 'xmlns' || (element.namespaceURI === null && element.localName.startsWith(`${name.slice(6)}:`)))) {
      throw new Error(`xml: ${name} must be declared when its element is created`);
    }
    element.setAttributeNS(namespace, name, value);
    return this;
  }

  txt(text: string): this {
    this.node.appendChild(this.document.createTextNode(text));
    return this;
  }
}

/** A new document: `root` appends its document element, `end` serialises it with xmlbuilder2. */
export interface Document {
  root: Builder;
  end(): string;
}

export function newDocument(): Document {
  const document = create({ version: '1.0', encoding: 'UTF-8' });
  return {
    root: Builder.forDocument(document.node as unknown as DomDocument),
    end: () => document.end({ headless: true, prettyPrint: false }),
  };
}

/** Appends a child element with text content; attributes with undefined values are skipped. */
export function textElement(
  parent: Builder,
  name: string,
  text: string,
  attributes?: Record<string, string | undefined>,
  namespace?: string,
): Builder {
  return element(parent, name, attributes, namespace).txt(xmlSafe(text));
}

/** Appends a child element; attributes with undefined values are skipped. */
export function element(
  parent: Builder,
  name: string,
  attributes?: Record<string, string | undefined>,
  namespace?: string,
): Builder {
  const child = namespace === undefined ? parent.ele(name) : parent.eleNS(namespace, name);
  if (attributes) setAttributes(child, attributes);
  return child;
}

export function setAttributes(element: Builder, attributes: Record<string, string | undefined>): void {
  for (const name in attributes) {
    const value = attributes[name];
    if (value === undefined) continue;
    const safe = xmlSafe(value);
    if (name.startsWith('xml:')) element.attNS(NS.xml, name, safe);
    else if (name.startsWith('xlink:')) element.attNS(NS.xlink, name, safe);
    else if (name.startsWith('xsi:')) element.attNS(NS.xsi, name, safe);
    else if (name.startsWith('xmlns')) element.attNS(NS.xmlns, name, safe);
    else element.att(name, safe);
  }
}

const LT = 60; // <
const SLASH = 47; // /

// A whole tag from its "<": quoted attribute values may hold ">".
const TAG = /<[^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*>/y;

/** Index of the ">" closing the tag that starts at `start`, skipping quoted attribute values. */
function tagEnd(xml: string, start: number): number {
  TAG.lastIndex = start;
  return TAG.test(xml) ? TAG.lastIndex - 1 : xml.length - 1;
}

const indents: string[] = [];
function indentation(depth: number): string {
  return (indents[depth] ??= '\n' + INDENT.repeat(depth));
}

// Tag kinds recorded by indentXml's scan.
const OPEN = 0;
const CLOSE = 1;
const EMPTY = 2; // self-closing
const OTHER = 3; // declaration, processing instruction, comment

/**
 * Indents serialised XML (as xmlbuilder2 writes it without pretty-printing: no comments,
 * CDATA or processing instructions, "<" always escaped in text and attributes). Only
 * element-only content is indented: an element holding any text (titles with <italic>,
 * paragraphs, MathML inside a title) is copied exactly, descendants included, so
 * indentation never changes what a title or abstract says. Works on the string because
 * whitespace text nodes would double the DOM's size and its garbage.
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
        out += xml.slice(copied, starts[t]) + indentation(depth - 1);
        copied = starts[t]!;
      }
      continue;
    }
    if (depth > 0 && indentChildren[depth - 1]) {
      out += xml.slice(copied, starts[t]) + indentation(depth);
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

/** Serialises a finished document: optional declaration, indented element-only content, trailing newline. */
export function serialize(doc: Document, declaration: boolean): string {
  return finishXml(indentXml(doc.end()), declaration);
}

/** Adds the optional declaration and the trailing newline to indented XML. */
export function finishXml(indented: string, declaration: boolean): string {
  return (declaration ? DECLARATION : '') + indented + '\n';
}

/** Line break and indentation before an element at `depth` in element-only content (as indentXml writes it). */
export function lineBreak(depth: number): string {
  return indentation(depth);
}

// ---------------------------------------------------------------------------------------------
// JATS markup fragments (record.markup): parsed strictly, then rebuilt element by element into
// the target document so every element lands in the target's namespace (or Crossref's face
// markup), and MathML stays in the MathML namespace.

export type OrderedNode = Record<string, unknown> & { ':@'?: Record<string, string> };

const fragmentParser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  processEntities: true,
  // Sources often carry HTML entities such as &nbsp; in otherwise well-formed fragments.
  htmlEntities: true,
  trimValues: false,
  parseTagValue: false,
  parseAttributeValue: false,
  cdataPropName: '#cdata',
  commentPropName: '#comment',
});

export interface MarkupTarget {
  /**
   * Where JATS elements go: `inherit` (the parent's namespace, i.e. plain or namespaced JATS),
   * or an explicit namespace and prefix (Crossref's jats: abstract).
   */
  jats: { mode: 'inherit' } | { mode: 'namespace'; namespace: string; prefix: string };
  /** Rename a JATS element for the target; null unwraps it (its content is kept). */
  rename?: (localName: string) => string | null;
  /** Keep attributes of JATS elements (false for Crossref face markup, which has none). */
  keepAttributes: boolean;
}

export class MarkupError extends Error {}

/** Parses a JATS fragment; throws MarkupError with line:column when it is not well-formed. */
export function parseFragment(fragment: string): OrderedNode[] {
  const wrapped = `<fragment>${fragment}</fragment>`;
  const check = XMLValidator.validate(wrapped);
  if (check !== true) {
    throw new MarkupError(`${check.err.line}:${check.err.col} ${check.err.msg}`);
  }
  const parsed = fragmentParser.parse(wrapped) as OrderedNode[];
  const wrapper = parsed.find((node) => 'fragment' in node);
  return (wrapper?.['fragment'] as OrderedNode[] | undefined) ?? [];
}

/** parseFragment for a record field; malformed markup becomes an ExportError naming the field. */
export function parseRecordMarkup(markup: string, recordId: string, field: string, format: ExportFormat): OrderedNode[] {
  try {
    return parseFragment(markup);
  } catch (error) {
    if (error instanceof MarkupError) {
      throw new ExportError(recordId, field, format, `${field} is not well-formed JATS markup (${error.message})`);
    }
    throw error;
  }
}

const KNOWN_PREFIXES: Record<string, string> = {
  mml: NS.mml,
  xlink: NS.xlink,
  ali: NS.ali,
  xml: NS.xml,
};

// JATS containers whose content is element-only: whitespace between their children is layout.
const JATS_ELEMENT_ONLY = new Set([
  'abstract', 'trans-abstract', 'sec', 'list', 'list-item', 'def-list', 'def-item', 'disp-quote',
  'fig', 'table-wrap', 'boxed-text', 'statement', 'app', 'ack', 'glossary',
]);
const MATHML_TOKEN = new Set(['mi', 'mn', 'mo', 'mtext', 'ms', 'annotation']);

function nodeName(node: OrderedNode): string | undefined {
  for (const key of Object.keys(node)) if (key !== ':@') return key;
  return undefined;
}

function splitQName(qname: string): { prefix: string | undefined; local: string } {
  const colon = qname.indexOf(':');
  return colon < 0 ? { prefix: undefined, local: qname } : { prefix: qname.slice(0, colon), local: qname.slice(colon + 1) };
}

/** Whether a fragment (already parsed) contains MathML, so the root can declare xmlns:mml once. */
export function fragmentUsesMathMl(fragment: string | undefined): boolean {
  return fragment !== undefined && (fragment.includes('mml:') || fragment.includes(NS.mml));
}

/** Top-level nodes are block content (<p>, <sec>) rather than inline text. */
export function isBlockFragment(nodes: OrderedNode[]): boolean {
  let sawBlock = false;
  for (const node of nodes) {
    const name = nodeName(node);
    if (name === '#text') {
      if (String(node['#text']).trim() !== '') return false;
    } else if (name === '#comment') {
      continue;
    } else if (name === 'p' || name === 'sec' || name === 'title' || name === 'label') {
      sawBlock = true;
    } else {
      return false;
    }
  }
  return sawBlock;
}

/** Appends block-level fragment nodes (<p>, <sec>) into an element-only container such as an abstract. */
export function appendBlockFragment(parent: Builder, nodes: OrderedNode[], target: MarkupTarget): void {
  appendFragment(parent, nodes, target, { elementOnly: true, inMath: false, namespaces: KNOWN_PREFIXES });
}

/** Appends parsed fragment nodes to `parent` for the given target. */
export function appendFragment(
  parent: Builder,
  nodes: OrderedNode[],
  target: MarkupTarget,
  context: { elementOnly: boolean; inMath: boolean; namespaces: Record<string, string> } = {
    elementOnly: false,
    inMath: false,
    namespaces: KNOWN_PREFIXES,
  },
): void {
  for (const node of nodes) {
    const name = nodeName(node);
    if (name === undefined || name === '#comment') continue;
    if (name === '#text' || name === '#cdata') {
      const text = name === '#text' ? String(node['#text']) : cdataText(node);
      if (context.elementOnly && text.trim() === '') continue;
      parent.txt(xmlSafe(text));
      continue;
    }
    const attributes = node[':@'] ?? {};
    let namespaces = context.namespaces;
    for (const [attr, value] of Object.entries(attributes)) {
      if (attr.startsWith('xmlns:')) namespaces = { ...namespaces, [attr.slice(6)]: value };
    }
    const { prefix, local } = splitQName(name);
    const namespace = prefix === undefined ? attributes['xmlns'] : namespaces[prefix];
    const children = (node[name] as OrderedNode[] | undefined) ?? [];

    if (namespace === NS.mml || (context.inMath && prefix === undefined)) {
      const math = parent.eleNS(NS.mml, `mml:${local}`);
      copyAttributes(math, attributes, namespaces);
      appendFragment(math, children, target, {
        elementOnly: !MATHML_TOKEN.has(local),
        inMath: true,
        namespaces,
      });
      continue;
    }
    if (prefix !== undefined && namespace !== NS.ali) {
      // An element from a vocabulary the target cannot carry: keep its text.
      appendFragment(parent, children, target, { ...context, namespaces });
      continue;
    }
    const renamed = target.rename ? target.rename(local) : local;
    if (renamed === null) {
      appendFragment(parent, children, target, { ...context, namespaces });
      continue;
    }
    let child: Builder;
    if (namespace === NS.ali) child = parent.eleNS(NS.ali, `ali:${local}`);
    else if (target.jats.mode === 'inherit') child = parent.ele(renamed);
    else child = parent.eleNS(target.jats.namespace, `${target.jats.prefix}:${renamed}`);
    if (target.keepAttributes) copyAttributes(child, attributes, namespaces);
    appendFragment(child, children, target, {
      elementOnly: JATS_ELEMENT_ONLY.has(local),
      inMath: false,
      namespaces,
    });
  }
}

function cdataText(node: OrderedNode): string {
  const inner = node['#cdata'] as OrderedNode[] | undefined;
  return (inner ?? []).map((n) => String(n['#text'] ?? '')).join('');
}

function copyAttributes(element: Builder, attributes: Record<string, string>, namespaces: Record<string, string>): void {
  for (const [attr, value] of Object.entries(attributes)) {
    if (attr === 'xmlns' || attr.startsWith('xmlns:')) continue;
    const { prefix } = splitQName(attr);
    if (prefix === undefined) element.att(attr, xmlSafe(value));
    else if (namespaces[prefix]) element.attNS(namespaces[prefix], attr, xmlSafe(value));
  }
}
