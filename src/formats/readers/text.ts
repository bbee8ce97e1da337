/**
 * Text and markup extraction shared by the JATS and Crossref readers: plain text for the
 * record's text fields, JATS fragments for `markup` when the source has inline markup.
 *
 * Fragment conventions (what the writers embed): JATS elements unprefixed, MathML as `mml:`,
 * XLink attributes as `xlink:`, no namespace declarations, no `id`/`rid` (they would
 * collide with or dangle in the document the fragment is put into).
 */
import { escapeXml } from '../xml/escape.js';
import { MATHML_NS, XLINK_NS, XML_NS, collapse, type WarningSink, type XElement, type XNode } from './xml.js';

/** True for JATS in no namespace, PMC's OAI namespaces, and Crossref's `jats:` namespace. */
export function isJatsNamespace(ns: string): boolean {
  return ns === '' || /jats|nlm\.nih\.gov/i.test(ns);
}

/** JATS inline formatting kept in markup. Other inline elements are unwrapped (text kept). */
const JATS_FACE = new Set([
  'italic', 'bold', 'sub', 'sup', 'sc', 'monospace', 'underline', 'overline', 'roman', 'sans-serif',
  'strike', 'inline-formula', 'disp-formula', 'fixed-case', 'ruby', 'rb', 'rt',
]);
/** Inline elements whose whole content is dropped from titles and text (footnote markers, labels). */
const DROP_INLINE = new Set(['xref', 'fn', 'target', 'tex-math', 'inline-graphic', 'label', 'alt-text']);

/** Crossref face markup (common5.3.x `face_markup`) to JATS. */
const CROSSREF_FACE_TO_JATS: Record<string, string> = {
  i: 'italic', b: 'bold', u: 'underline', ovl: 'overline', sup: 'sup', sub: 'sub', scp: 'sc', tt: 'monospace',
};

export interface InlineResult {
  plain: string;
  /** JATS fragment, present only when the source had markup worth keeping. */
  markup?: string;
}

/** Plain text and (when non-trivial) the JATS fragment of an element's inline content. */
export function readInline(el: XElement, options: { crossrefFace?: boolean } = {}): InlineResult {
  const plain = collapse(plainInline(el.children));
  const parts: string[] = [];
  let marked = false;
  const serialize = (nodes: readonly XNode[]): void => {
    for (const node of nodes) {
      if (node.kind === 'text') {
        parts.push(escapeXml(node.text));
        continue;
      }
      if (node.ns === MATHML_NS) {
        if (node.local === 'annotation' || node.local === 'annotation-xml') continue;
        marked = true;
        parts.push(serializeElement(node, false));
        continue;
      }
      const faceInCrossref = options.crossrefFace === true && node.ns.startsWith('http://www.crossref.org/schema/');
      if (!isJatsNamespace(node.ns) && !faceInCrossref) {
        serialize(node.children);
        continue;
      }
      if (node.local === 'tex-math') {
        // TeX is the formula's only text when no MathML stands beside it.
        if (!hasMathSibling(node)) parts.push(escapeXml(plainInline(node.children)));
        continue;
      }
      if (DROP_INLINE.has(node.local)) continue;
      if ((node.local === 'inline-formula' || node.local === 'disp-formula') && !containsMathMl(node)) {
        serialize(node.children);
        continue;
      }
      if (node.local === 'break') {
        parts.push(' ');
        continue;
      }
      const jatsName = options.crossrefFace ? (CROSSREF_FACE_TO_JATS[node.local] ?? (JATS_FACE.has(node.local) ? node.local : undefined)) : JATS_FACE.has(node.local) ? node.local : undefined;
      if (!jatsName) {
        serialize(node.children);
        continue;
      }
      marked = true;
      parts.push(`<${jatsName}${serializeAttrs(node, false)}>`);
      serialize(node.children);
      parts.push(`</${jatsName}>`);
    }
  };
  serialize(el.children);
  if (!marked) return { plain };
  return { plain, markup: collapseMarkup(parts.join('')) };
}

/** Plain text of inline content: MathML as its text, footnote markers and TeX alternatives dropped. */
export function plainInline(nodes: readonly XNode[]): string {
  let out = '';
  for (const node of nodes) {
    if (node.kind === 'text') out += node.text;
    else if (node.ns === MATHML_NS) {
      if (node.local !== 'annotation' && node.local !== 'annotation-xml') out += plainInline(node.children);
    } else if (node.local === 'break') out += ' ';
    // <name> is element-only (surname, given-names ...): its parts print with a space between.
    else if (node.local === 'name' && isJatsNamespace(node.ns)) out += node.children.map((c) => collapse(plainInline([c]))).filter(Boolean).join(' ');
    else if (node.local === 'tex-math' && !hasMathSibling(node)) out += plainInline(node.children);
    else if (!DROP_INLINE.has(node.local) || !isJatsNamespace(node.ns)) out += plainInline(node.children);
  }
  return out;
}

/** True when a MathML element stands beside this one (JATS alternatives: MathML and TeX). */
function hasMathSibling(el: XElement): boolean {
  return el.parent?.children.some((c) => c.kind === 'element' && c.ns === MATHML_NS) ?? false;
}

function containsMathMl(el: XElement): boolean {
  return el.children.some((c) => c.kind === 'element' && (c.ns === MATHML_NS || containsMathMl(c)));
}

/** Block-level elements inside an abstract that become paragraphs of their own. */
const ABSTRACT_PARAGRAPH = new Set(['p', 'disp-formula', 'def', 'term', 'speech', 'statement', 'verse-line']);
const ABSTRACT_CONTAINER = new Set(['sec', 'list', 'list-item', 'def-list', 'def-item', 'disp-quote', 'boxed-text', 'verse-group', 'glossary']);
const ABSTRACT_DROPPED = new Set(['fig', 'table-wrap', 'graphic', 'media', 'supplementary-material', 'object-id', 'fn-group', 'ref-list', 'label', 'alternatives', 'array', 'chem-struct-wrap', 'code', 'preformat', 'table-wrap-group', 'fig-group']);

export interface BlockResult {
  /** Paragraphs joined by blank lines. */
  plain: string;
  /** JATS abstract body content, present when the source has sections, lists or inline markup. */
  markup?: string;
}

/**
 * Reads an abstract-like element (JATS abstract/trans-abstract, Crossref jats:abstract):
 * paragraphs as plain text joined by blank lines, section titles kept as paragraphs, and the
 * body content as a JATS fragment when it carries more than plain paragraphs.
 */
export function readBlocks(el: XElement, warnings: WarningSink): BlockResult {
  const paragraphs: string[] = [];
  let structured = false;
  const walk = (node: XElement, depth: number): void => {
    for (const c of node.children) {
      if (c.kind === 'text') {
        const loose = collapse(c.text);
        if (loose) paragraphs.push(loose);
        continue;
      }
      if (!isJatsNamespace(c.ns) && c.ns !== MATHML_NS) {
        warnings.dropped(c, 'not JATS content');
        continue;
      }
      if (c.local === 'title') {
        // The abstract's own heading ("Abstract") is not content; section titles are.
        if (depth > 0) {
          const title = collapse(plainInline(c.children));
          if (title) paragraphs.push(title);
        }
        continue;
      }
      if (ABSTRACT_DROPPED.has(c.local)) {
        warnings.dropped(c, 'abstracts are carried as text');
        continue;
      }
      if (ABSTRACT_CONTAINER.has(c.local)) {
        structured = true;
        walk(c, depth + 1);
        continue;
      }
      if (ABSTRACT_PARAGRAPH.has(c.local) || c.ns === MATHML_NS) {
        if (c.local !== 'p') structured = true;
        const para = collapse(plainInline(c.children));
        if (para) paragraphs.push(para);
        if (hasInlineMarkup(c)) structured = true;
        continue;
      }
      // Inline content straight inside the abstract (not valid JATS, but seen): keep its text.
      structured = true;
      const loose = collapse(plainInline([c]));
      if (loose) paragraphs.push(loose);
    }
  };
  walk(el, 0);
  const plain = paragraphs.join('\n\n');
  if (!structured) return { plain };
  return { plain, markup: serializeBlockContent(el) };
}

function hasInlineMarkup(el: XElement): boolean {
  for (const c of el.children) {
    if (c.kind !== 'element') continue;
    if (c.ns === MATHML_NS) return true;
    if (isJatsNamespace(c.ns) && JATS_FACE.has(c.local)) return true;
    if (hasInlineMarkup(c)) return true;
  }
  return false;
}

/** JATS fragment of an abstract's content, without its own top-level title. */
function serializeBlockContent(el: XElement): string {
  const parts: string[] = [];
  for (const c of el.children) {
    if (c.kind === 'text') {
      if (c.text.trim()) parts.push(escapeXml(collapse(c.text)));
      continue;
    }
    if (c.local === 'title' && isJatsNamespace(c.ns)) continue;
    if (ABSTRACT_DROPPED.has(c.local) && isJatsNamespace(c.ns)) continue;
    parts.push(serializeElement(c, true));
  }
  return parts.join('');
}

/**
 * Serializes an element with the fragment conventions. In block context, whitespace-only text
 * between elements is dropped and other text collapsed.
 */
function serializeElement(el: XElement, block: boolean): string {
  const isMath = el.ns === MATHML_NS;
  if (!isMath && !isJatsNamespace(el.ns)) {
    return el.children.map((c) => (c.kind === 'text' ? escapeXml(c.text) : serializeElement(c, false))).join('');
  }
  if (!isMath && (el.local === 'xref' || el.local === 'target')) {
    return el.children.map((c) => (c.kind === 'text' ? escapeXml(c.text) : serializeElement(c, false))).join('');
  }
  if (!isMath && el.local === 'tex-math' && !hasMathSibling(el)) return escapeXml(collapse(plainInline(el.children)));
  if (!isMath && DROP_INLINE.has(el.local)) return '';
  if (!isMath && (el.local === 'inline-formula' || el.local === 'disp-formula') && !containsMathMl(el)) {
    return el.children.map((c) => (c.kind === 'text' ? escapeXml(c.text) : serializeElement(c, false))).join('');
  }
  const name = isMath ? `mml:${el.local}` : el.local;
  const childBlock = block && !isMath && BLOCK_WITH_BLOCK_CHILDREN.has(el.local);
  let inner = '';
  for (const c of el.children) {
    if (c.kind === 'text') {
      if (childBlock || isMath) {
        if (c.text.trim()) inner += escapeXml(isMath ? c.text.trim() : collapse(c.text));
      } else {
        inner += escapeXml(c.text.replace(/\s+/g, ' '));
      }
    } else {
      inner += serializeElement(c, childBlock);
    }
  }
  if (!childBlock && !isMath) inner = inner.replace(/^ +/, block ? '' : ' ').replace(/ +$/, block ? '' : ' ');
  if (!isMath && block) inner = inner.trim();
  const attrs = serializeAttrs(el, isMath);
  return inner === '' ? `<${name}${attrs}/>` : `<${name}${attrs}>${inner}</${name}>`;
}

const BLOCK_WITH_BLOCK_CHILDREN = new Set(['sec', 'list', 'list-item', 'def-list', 'def-item', 'disp-quote', 'boxed-text', 'verse-group', 'glossary']);

function serializeAttrs(el: XElement, isMath: boolean): string {
  let out = '';
  for (const a of el.attrs) {
    let name: string | undefined;
    if (a.ns === '') name = a.local === 'id' || a.local === 'rid' ? undefined : a.local;
    else if (a.ns === XML_NS) name = `xml:${a.local}`;
    else if (a.ns === XLINK_NS && !isMath) name = `xlink:${a.local}`;
    if (name) out += ` ${name}="${escapeXml(a.value, true)}"`;
  }
  return out;
}

/** Removes leading/trailing whitespace and collapses runs of spaces in a fragment's text. */
function collapseMarkup(fragment: string): string {
  return fragment.replace(/\s+/g, ' ').replace(/^\s+|\s+$/g, '');
}
