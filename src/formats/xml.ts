// xmlbuilder2 plumbing shared by the writers: document creation, indentation that never
// touches mixed content, serialisation, and insertion of JATS markup fragments.
import { create } from 'xmlbuilder2';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { NS } from './common.js';
import { ExportError, type ExportFormat } from './errors.js';

export type Builder = ReturnType<typeof create>;

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

/** Text or attribute value made safe for xmlbuilder2: illegal XML characters dropped, reference-like ampersands escaped. */
export function xmlSafe(text: string): string {
  const legal = XML_ILLEGAL_ANY.test(text) ? text.replace(XML_ILLEGAL_ALL, '') : text;
  return legal.includes('&') ? legal.replace(AMPERSAND_SERIALISER_SKIPS, '&amp;') : legal;
}

export function newDocument(): Builder {
  return create({ version: '1.0', encoding: 'UTF-8' });
}

/** Appends a child element with text content; attributes with undefined values are skipped. */
export function textElement(
  parent: Builder,
  name: string,
  text: string,
  attributes?: Record<string, string | undefined>,
  namespace?: string,
): Builder {
  const element = namespace === undefined ? parent.ele(name) : parent.ele(namespace, name);
  if (attributes) setAttributes(element, attributes);
  element.txt(xmlSafe(text));
  return element;
}

export function element(
  parent: Builder,
  name: string,
  attributes?: Record<string, string | undefined>,
  namespace?: string,
): Builder {
  const child = namespace === undefined ? parent.ele(name) : parent.ele(namespace, name);
  if (attributes) setAttributes(child, attributes);
  return child;
}

export function setAttributes(element: Builder, attributes: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined) continue;
    const safe = xmlSafe(value);
    if (name.startsWith('xml:')) element.att(NS.xml, name, safe);
    else if (name.startsWith('xlink:')) element.att(NS.xlink, name, safe);
    else if (name.startsWith('xsi:')) element.att(NS.xsi, name, safe);
    else if (name.startsWith('xmlns')) element.att(NS.xmlns, name, safe);
    else element.att(name, safe);
  }
}

const LT = 60; // <
const GT = 62; // >
const SLASH = 47; // /
const QUOTE = 34; // "
const APOS = 39; // '

/** Index of the ">" closing the tag that starts at `start`, skipping quoted attribute values. */
function tagEnd(xml: string, start: number): number {
  let quote = 0;
  for (let i = start + 1; i < xml.length; i++) {
    const c = xml.charCodeAt(i);
    if (quote !== 0) {
      if (c === quote) quote = 0;
    } else if (c === QUOTE || c === APOS) {
      quote = c;
    } else if (c === GT) {
      return i;
    }
  }
  return xml.length - 1;
}

const indents: string[] = [];
function indentation(depth: number): string {
  return (indents[depth] ??= '\n' + INDENT.repeat(depth));
}

/**
 * Indents serialised XML (as xmlbuilder2 writes it without pretty-printing: no comments,
 * CDATA or processing instructions, "<" always escaped in text and attributes). Only
 * element-only content is indented: an element holding any text (titles with <italic>,
 * paragraphs, MathML inside a title) is copied exactly, descendants included, so
 * indentation never changes what a title or abstract says. Works on the string because
 * whitespace text nodes would double the DOM's size and its garbage.
 */
export function indentXml(xml: string): string {
  // Pass 1: which elements hold text directly ("mixed"), by start-tag ordinal.
  const mixed = new Uint8Array(xml.length >> 2 || 1);
  const open: number[] = [];
  let ordinal = 0;
  for (let i = 0; i < xml.length; ) {
    if (xml.charCodeAt(i) === LT) {
      const end = tagEnd(xml, i);
      const next = xml.charCodeAt(i + 1);
      if (next === SLASH) open.pop();
      else if (next !== 63 /* ? */ && next !== 33 /* ! */) {
        if (xml.charCodeAt(end - 1) !== SLASH) open.push(ordinal);
        ordinal++;
      }
      i = end + 1;
    } else {
      const next = xml.indexOf('<', i);
      if (open.length > 0) mixed[open[open.length - 1]!] = 1;
      i = next < 0 ? xml.length : next;
    }
  }
  // Pass 2: copy, adding a line break and indentation before each child of element-only content.
  let out = '';
  const indentChildren: boolean[] = [];
  const hadChild: boolean[] = [];
  ordinal = 0;
  for (let i = 0; i < xml.length; ) {
    if (xml.charCodeAt(i) === LT) {
      const end = tagEnd(xml, i);
      const tag = xml.slice(i, end + 1);
      const next = xml.charCodeAt(i + 1);
      const depth = indentChildren.length;
      if (next === SLASH) {
        const indented = indentChildren.pop()!;
        const children = hadChild.pop()!;
        if (indented && children) out += indentation(depth - 1);
        out += tag;
      } else if (next === 63 || next === 33) {
        out += tag;
      } else {
        if (depth > 0 && indentChildren[depth - 1]) {
          out += indentation(depth);
          hadChild[depth - 1] = true;
        }
        out += tag;
        if (xml.charCodeAt(end - 1) !== SLASH) {
          indentChildren.push(mixed[ordinal] === 0 && (depth === 0 || indentChildren[depth - 1]!));
          hadChild.push(false);
        }
        ordinal++;
      }
      i = end + 1;
    } else {
      const next = xml.indexOf('<', i);
      const stop = next < 0 ? xml.length : next;
      out += xml.slice(i, stop);
      i = stop;
    }
  }
  return out;
}

/** Serialises a finished document: optional declaration, indented element-only content, trailing newline. */
export function serialize(doc: Builder, declaration: boolean): string {
  const body = indentXml(doc.end({ headless: true, prettyPrint: false }));
  return (declaration ? DECLARATION : '') + body + '\n';
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
      const math = parent.ele(NS.mml, `mml:${local}`);
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
    if (namespace === NS.ali) child = parent.ele(NS.ali, `ali:${local}`);
    else if (target.jats.mode === 'inherit') child = parent.ele(renamed);
    else child = parent.ele(target.jats.namespace, `${target.jats.prefix}:${renamed}`);
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
    else if (namespaces[prefix]) element.att(namespaces[prefix], attr, xmlSafe(value));
  }
}
