/**
 * A small, safe XML document layer for the readers: fast-xml-parser underneath, with
 * - well-formedness checked first (errors carry line:column),
 * - the DOCTYPE cut out before parsing: no entity from it is ever expanded and nothing it
 *   names (SYSTEM or PUBLIC identifiers) is ever fetched or read,
 * - only the five predefined entities and character references decoded,
 * - namespaces resolved, so readers can match JATS with or without a namespace.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { XmlPruner } from './prune.js';

export const XML_NS = 'http://www.w3.org/XML/1998/namespace';
export const XLINK_NS = 'http://www.w3.org/1999/xlink';
export const MATHML_NS = 'http://www.w3.org/1998/Math/MathML';

export interface XAttr {
  /** Qualified name as written. */
  readonly name: string;
  readonly local: string;
  /** Resolved namespace URI; '' for unprefixed attributes. */
  readonly ns: string;
  readonly value: string;
}

export interface XElement {
  readonly kind: 'element';
  /** Qualified name as written. */
  readonly name: string;
  readonly local: string;
  /** Resolved namespace URI; '' when the element is in no namespace. */
  readonly ns: string;
  readonly attrs: readonly XAttr[];
  readonly children: XNode[];
  readonly parent: XElement | undefined;
  /** True when the parser was told not to descend into this element (e.g. a JATS body). */
  readonly skipped?: boolean;
}

export interface XText {
  readonly kind: 'text';
  readonly text: string;
}

export type XNode = XElement | XText;

/** A reader could not produce any record: the input is not what it claims to be. */
export class ReaderError extends Error {
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly path: string | undefined;

  constructor(message: string, location: { line?: number; column?: number; path?: string } = {}) {
    const where = location.line !== undefined ? `${location.line}:${location.column ?? 0} ` : '';
    super(`${where}${message}`);
    this.name = 'ReaderError';
    this.line = location.line;
    this.column = location.column;
    this.path = location.path;
  }
}

export interface ReaderWarning {
  /** XPath-like location, for example /article/front/article-meta/contrib-group/contrib[2]. */
  path: string;
  message: string;
}

/**
 * Collects warnings, folding repeats of the same kind into one line with a count, so a file
 * with 300 dropped <role> elements yields one warning, not 300.
 */
export class WarningSink {
  private readonly byKey = new Map<string, { warning: ReaderWarning; count: number }>();

  add(path: string, message: string, key: string = message): void {
    const existing = this.byKey.get(key);
    if (existing) existing.count++;
    else this.byKey.set(key, { warning: { path, message }, count: 1 });
  }

  /** Warning about an element the model has no place for. */
  dropped(el: XElement, why?: string): void {
    const context = el.parent ? `${el.parent.local}/${el.local}` : el.local;
    this.add(elementPath(el), `<${el.local}> dropped${why ? `: ${why}` : ''}`, `dropped:${context}:${why ?? ''}`);
  }

  list(): ReaderWarning[] {
    return [...this.byKey.values()].map(({ warning, count }) =>
      count > 1 ? { path: warning.path, message: `${warning.message} (${count} times; first shown)` } : { ...warning },
    );
  }
}

export interface ReaderResult {
  records: import('../../model/types.js').ArticleRecord[];
  warnings: ReaderWarning[];
}

/** How a format's reader is called. */
export interface ReadOptions {
  /** The text was already checked well-formed (see ParseOptions.checked). */
  checked?: boolean;
}

export interface ParsedDocument {
  root: XElement;
  /** Warnings found while parsing (DOCTYPE, unknown entities). */
  warnings: WarningSink;
}

export interface ParseOptions {
  /** Local names of elements whose content is irrelevant and not parsed (e.g. JATS body). */
  skipElements?: readonly string[];
  /** Refuse inputs longer than this many characters (default 512 Mi characters). */
  maxLength?: number;
  /**
   * The caller has already checked the text well-formed (the harvester's splitter checks every
   * record as it cuts it): no second check, and a direct tree build instead of fast-xml-parser.
   */
  checked?: boolean;
}

const DEFAULT_MAX_LENGTH = 512 * 1024 * 1024;
const MAX_DEPTH = 1000;

/** Parses an XML document with entity expansion off. Throws ReaderError with line:column. */
export function parseXmlDocument(xml: string, options: ParseOptions = {}): ParsedDocument {
  const warnings = new WarningSink();
  if (xml.length > (options.maxLength ?? DEFAULT_MAX_LENGTH)) {
    throw new ReaderError(`input is ${xml.length} characters, more than the limit of ${options.maxLength ?? DEFAULT_MAX_LENGTH}`);
  }
  let text = xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml;
  if (text.trim() === '') throw new ReaderError('the input is empty, not an XML document', { line: 1, column: 1 });
  text = blankDoctype(text, warnings);
  // Content the reader skips is dropped before the check and the parse (tags still balanced).
  if (options.skipElements?.length) text = XmlPruner.prune(text, new Set(options.skipElements));

  if (options.checked) return { root: checkedRoot(buildCheckedTree(text, new Set(options.skipElements ?? []), warnings)), warnings };
  const check = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (check !== true) {
    throw new ReaderError(`not well-formed XML: ${check.err.msg}`, { line: check.err.line, column: check.err.col });
  }

  const parser = parserFor(options.skipElements ?? []);
  let parsed: unknown;
  try {
    parsed = parser.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (/nested tags/i.test(reason)) throw new ReaderError(`elements are nested more than ${MAX_DEPTH} levels deep; not read`);
    throw new ReaderError(`cannot parse XML: ${reason}`);
  }

  const skip = new Set(options.skipElements ?? []);
  const roots = convertChildren(parsed as RawNode[], undefined, new Map([['xml', XML_NS]]), skip, warnings, true);
  return { root: checkedRoot(roots.filter((n): n is XElement => n.kind === 'element')), warnings };
}

/** The one root element of a document. */
function checkedRoot(elements: XElement[]): XElement {
  if (elements.length === 0) throw new ReaderError('no root element', { line: 1, column: 1 });
  if (elements.length > 1) throw new ReaderError(`not well-formed XML: ${elements.length} root elements (<${elements[0]!.name}>, <${elements[1]!.name}>); a document has exactly one`);
  return elements[0]!;
}

/**
 * The element tree of text already checked well-formed, built in one pass over the markup: the
 * same tree convertChildren makes from fast-xml-parser's output (comments and processing
 * instructions dropped, CDATA as literal text, adjacent texts merged, entities decoded by
 * decodeText), at a fraction of the cost. Anything it cannot read is a ReaderError.
 */
function buildCheckedTree(xml: string, skip: Set<string>, warnings: WarningSink): XElement[] {
  const roots: XElement[] = [];
  const scopes: Map<string, string>[] = [new Map([['xml', XML_NS]])];
  const stack: XElement[] = [];
  /** Depth inside a skipped element (its content is not kept). */
  let skipping = 0;
  const fail = (reason: string): never => {
    throw new ReaderError(`not well-formed XML: ${reason}`);
  };
  const addText = (value: string, raw: boolean) => {
    const parent = stack[stack.length - 1];
    if (parent === undefined || skipping > 0 || value === '') return;
    const text = raw ? value : decodeText(value, parent, warnings);
    const last = parent.children[parent.children.length - 1];
    if (last?.kind === 'text') parent.children[parent.children.length - 1] = { kind: 'text', text: last.text + text };
    else parent.children.push({ kind: 'text', text });
  };
  let pos = 0;
  for (;;) {
    const lt = xml.indexOf('<', pos);
    addText(xml.slice(pos, lt < 0 ? xml.length : lt), false);
    if (lt < 0) break;
    if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt + 4);
      if (end < 0) fail('unterminated comment');
      pos = end + 3;
    } else if (xml.startsWith('<![CDATA[', lt)) {
      const end = xml.indexOf(']]>', lt + 9);
      if (end < 0) fail('unterminated CDATA section');
      addText(xml.slice(lt + 9, end), true);
      pos = end + 3;
    } else if (xml[lt + 1] === '?' || xml[lt + 1] === '!') {
      const end = xml.indexOf('>', lt + 2);
      if (end < 0) fail('unterminated markup');
      pos = end + 1;
    } else if (xml[lt + 1] === '/') {
      const end = xml.indexOf('>', lt + 2);
      if (end < 0) fail('unterminated end tag');
      const name = xml.slice(lt + 2, end).trimEnd();
      const open = stack.pop();
      if (open === undefined || open.name !== name) fail(`end tag </${name}> does not match`);
      scopes.pop();
      if (skipping > 0) skipping--;
      pos = end + 1;
    } else {
      pos = startTag(xml, lt);
    }
  }
  if (stack.length > 0) fail(`<${stack[stack.length - 1]!.name}> is not closed`);
  return roots;

  function startTag(text: string, lt: number): number {
    let i = lt + 1;
    while (i < text.length && !isTagDelimiter(text.charCodeAt(i))) i++;
    const name = text.slice(lt + 1, i);
    const attrs: [string, string][] = [];
    for (;;) {
      while (i < text.length && isXmlSpace(text.charCodeAt(i))) i++;
      const c = text[i];
      if (c === undefined) fail(`unterminated start tag <${name}`);
      if (c === '>' || (c === '/' && text[i + 1] === '>')) break;
      const eq = text.indexOf('=', i);
      if (eq < 0) fail(`malformed attribute in <${name}>`);
      const attrName = text.slice(i, eq).trimEnd();
      let q = eq + 1;
      while (isXmlSpace(text.charCodeAt(q))) q++;
      const quote = text[q];
      const close = quote === '"' || quote === "'" ? text.indexOf(quote, q + 1) : -1;
      if (close < 0) fail(`malformed attribute ${attrName} in <${name}>`);
      attrs.push([attrName, text.slice(q + 1, close)]);
      i = close + 1;
    }
    const selfClosing = text[i] === '/';
    const end = selfClosing ? i + 2 : i + 1;
    if (skipping > 0) {
      if (!selfClosing) {
        skipping++;
        stack.push({ kind: 'element', name, local: name, ns: '', attrs: [], children: [], parent: undefined });
        scopes.push(scopes[scopes.length - 1]!);
      }
      return end;
    }
    if (stack.length >= MAX_DEPTH) throw new ReaderError(`elements are nested more than ${MAX_DEPTH} levels deep; not read`);
    const parent = stack[stack.length - 1];
    const { element, scope } = makeElement(name, attrs, parent, scopes[scopes.length - 1]!, skip, warnings);
    if (parent) parent.children.push(element);
    else roots.push(element);
    if (!selfClosing) {
      stack.push(element);
      scopes.push(scope);
      if (element.skipped) skipping = 1;
    }
    return end;
  }
}

function isXmlSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

function isTagDelimiter(c: number): boolean {
  return isXmlSpace(c) || c === 0x3e /* > */ || c === 0x2f /* / */;
}

const parsers = new Map<string, XMLParser>();

/** One parser per set of skipped elements: building a parser costs more than parsing a small record. */
function parserFor(skipElements: readonly string[]): XMLParser {
  const key = skipElements.join(' ');
  let parser = parsers.get(key);
  if (!parser) {
    parser = new XMLParser({
      preserveOrder: true,
      ignoreAttributes: false,
      attributeNamePrefix: '',
      parseTagValue: false,
      parseAttributeValue: false,
      trimValues: false,
      processEntities: false,
      htmlEntities: false,
      cdataPropName: '#cdata',
      ignoreDeclaration: true,
      ignorePiTags: true,
      maxNestedTags: MAX_DEPTH,
      stopNodes: skipElements.map((name) => `*.${name}`),
    });
    parsers.set(key, parser);
  }
  return parser;
}

type RawNode = Record<string, unknown>;

function convertChildren(
  raw: RawNode[],
  parent: XElement | undefined,
  scope: Map<string, string>,
  skip: Set<string>,
  warnings: WarningSink,
  topLevel = false,
): XNode[] {
  const out: XNode[] = [];
  for (const node of raw) {
    for (const key of Object.keys(node)) {
      if (key === ':@') continue;
      const value = node[key];
      if (key === '#text') {
        if (!topLevel) out.push({ kind: 'text', text: decodeText(String(value), parent, warnings) });
        continue;
      }
      if (key === '#cdata') {
        // CDATA content is literal: no entity decoding.
        const inner = (value as RawNode[]).map((t) => String(t['#text'] ?? '')).join('');
        if (!topLevel) out.push({ kind: 'text', text: inner });
        continue;
      }
      out.push(convertElement(key, (value as RawNode[]) ?? [], (node[':@'] as Record<string, unknown>) ?? {}, parent, scope, skip, warnings));
    }
  }
  return mergeTexts(out);
}

function convertElement(
  name: string,
  rawChildren: RawNode[],
  rawAttrs: Record<string, unknown>,
  parent: XElement | undefined,
  parentScope: Map<string, string>,
  skip: Set<string>,
  warnings: WarningSink,
): XElement {
  const attrEntries = Object.entries(rawAttrs).map(([attrName, attrValue]): [string, string] => [attrName, String(attrValue ?? '')]);
  const { element, scope } = makeElement(name, attrEntries, parent, parentScope, skip, warnings);
  if (!element.skipped) {
    // A loop, not push(...spread): an element may have hundreds of thousands of children.
    for (const c of convertChildren(rawChildren, element, scope, skip, warnings)) element.children.push(c);
  }
  return element;
}

/** An element (without its children) and the namespace scope its children see. */
function makeElement(
  name: string,
  attrEntries: readonly [string, string][],
  parent: XElement | undefined,
  parentScope: Map<string, string>,
  skip: Set<string>,
  warnings: WarningSink,
): { element: XElement; scope: Map<string, string> } {
  let scope = parentScope;
  for (const [attrName, attrValue] of attrEntries) {
    if (attrName === 'xmlns' || attrName.startsWith('xmlns:')) {
      if (scope === parentScope) scope = new Map(parentScope);
      scope.set(attrName === 'xmlns' ? '' : attrName.slice(6), decodeText(String(attrValue), parent, warnings));
    }
  }
  const [prefix, local] = splitName(name);
  const ns = scope.get(prefix) ?? '';
  if (prefix !== '' && !scope.has(prefix)) {
    warnings.add(`/${name}`, `namespace prefix "${prefix}" is not declared`, `undeclared:${prefix}`);
  }
  const attrs: XAttr[] = [];
  for (const [attrName, attrValue] of attrEntries) {
    if (attrName === 'xmlns' || attrName.startsWith('xmlns:')) continue;
    const [attrPrefix, attrLocal] = splitName(attrName);
    attrs.push({
      name: attrName,
      local: attrLocal,
      ns: attrPrefix === '' ? '' : (scope.get(attrPrefix) ?? wellKnownPrefix(attrPrefix)),
      value: decodeText(String(attrValue ?? ''), parent, warnings),
    });
  }
  const element: XElement = {
    kind: 'element',
    name,
    local,
    ns,
    attrs,
    children: [],
    parent,
    ...(skip.has(local) ? { skipped: true } : {}),
  };
  return { element, scope };
}

/** Prefixes so common that an undeclared use still means the obvious namespace. */
function wellKnownPrefix(prefix: string): string {
  if (prefix === 'xlink') return XLINK_NS;
  if (prefix === 'xml') return XML_NS;
  return '';
}

function splitName(name: string): [string, string] {
  const colon = name.indexOf(':');
  return colon < 0 ? ['', name] : [name.slice(0, colon), name.slice(colon + 1)];
}

function mergeTexts(nodes: XNode[]): XNode[] {
  const out: XNode[] = [];
  for (const node of nodes) {
    const last = out[out.length - 1];
    if (node.kind === 'text' && last?.kind === 'text') out[out.length - 1] = { kind: 'text', text: last.text + node.text };
    else out.push(node);
  }
  return out;
}

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes the predefined entities and character references; anything else stays literal. */
function decodeText(text: string, parent: XElement | undefined, warnings: WarningSink): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z_][\w.-]*);/g, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
      if (isXmlChar(code)) return String.fromCodePoint(code);
      warnings.add(parent ? elementPath(parent) : '/', `character reference ${whole} is not an XML character; kept as written`, `charref:${whole}`);
      return whole;
    }
    const predefined = PREDEFINED[ref];
    if (predefined !== undefined) return predefined;
    warnings.add(
      parent ? elementPath(parent) : '/',
      `entity reference ${whole} not expanded (entity expansion is off); kept as written`,
      `entity:${ref}`,
    );
    return whole;
  });
}

function isXmlChar(code: number): boolean {
  return (
    code === 0x9 || code === 0xa || code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff)
  );
}

/**
 * Replaces the DOCTYPE declaration with spaces (newlines kept, so line:column of later errors
 * stay true) after noting what it declared. The DTD is never read and no entity is expanded.
 */
function blankDoctype(xml: string, warnings: WarningSink): string {
  const start = findDoctype(xml);
  if (start < 0) return xml;
  const end = doctypeEnd(xml, start);
  if (end < 0) {
    const { line, column } = lineColumn(xml, start);
    throw new ReaderError('not well-formed XML: unterminated DOCTYPE declaration', { line, column });
  }
  const decl = xml.slice(start, end + 1);
  const external = /<!DOCTYPE\s+[^\s[>]+\s+(?:SYSTEM|PUBLIC)\b/.test(decl);
  const subsetStart = decl.indexOf('[');
  const subset = subsetStart >= 0 ? decl.slice(subsetStart) : '';
  const entityDecls = [...subset.matchAll(/<!ENTITY\s+(%\s+)?([^\s]+)\s+(SYSTEM|PUBLIC)?/g)];
  const externalEntities = entityDecls.filter((m) => m[3] !== undefined).map((m) => `${m[1] ? '%' : ''}${m[2]}`);
  const internalEntities = entityDecls.filter((m) => m[3] === undefined).map((m) => `${m[1] ? '%' : ''}${m[2]}`);
  if (externalEntities.length > 0) {
    warnings.add('/', `DOCTYPE declares external entities (${externalEntities.join(', ')}); they were not resolved and no file or URL was read`);
  }
  if (internalEntities.length > 0) {
    warnings.add('/', `DOCTYPE declares entities (${internalEntities.join(', ')}); entity expansion is off, references to them stay literal`);
  }
  if (external && entityDecls.length === 0) {
    // The ordinary case for publisher JATS: a PUBLIC identifier naming the DTD. Nothing to report.
  }
  return xml.slice(0, start) + decl.replace(/[^\n\r]/g, ' ') + xml.slice(end + 1);
}

/** Index of `<!DOCTYPE` in the prolog, or -1. Only the prolog is searched. */
function findDoctype(xml: string): number {
  let i = 0;
  const n = xml.length;
  while (i < n) {
    while (i < n && /\s/.test(xml[i]!)) i++;
    if (xml.startsWith('<?', i)) {
      const close = xml.indexOf('?>', i + 2);
      if (close < 0) return -1;
      i = close + 2;
    } else if (xml.startsWith('<!--', i)) {
      const close = xml.indexOf('-->', i + 4);
      if (close < 0) return -1;
      i = close + 3;
    } else if (xml.startsWith('<!DOCTYPE', i)) {
      return i;
    } else {
      return -1;
    }
  }
  return -1;
}

function doctypeEnd(xml: string, start: number): number {
  let inSubset = false;
  let quote: string | null = null;
  for (let i = start + 9; i < xml.length; i++) {
    const c = xml[i]!;
    if (quote !== null) {
      if (c === quote) quote = null;
      continue;
    }
    if (inSubset && xml.startsWith('<!--', i)) {
      const close = xml.indexOf('-->', i + 4);
      if (close < 0) return -1;
      i = close + 2;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '[') inSubset = true;
    else if (c === ']') inSubset = false;
    else if (c === '>' && !inSubset) return i;
  }
  return -1;
}

export function lineColumn(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: index - lineStart + 1 };
}

// ---------------------------------------------------------------------------
// Navigation helpers. Matching is by local name: JATS arrives with no namespace, with
// PMC's OAI namespace, or as Crossref's jats: prefix, and must read the same.
// ---------------------------------------------------------------------------

export function elements(el: XElement | undefined): XElement[] {
  if (!el) return [];
  return el.children.filter((c): c is XElement => c.kind === 'element');
}

export function childrenNamed(el: XElement | undefined, ...locals: string[]): XElement[] {
  if (!el) return [];
  return el.children.filter((c): c is XElement => c.kind === 'element' && locals.includes(c.local));
}

export function child(el: XElement | undefined, ...locals: string[]): XElement | undefined {
  if (!el) return undefined;
  for (const c of el.children) if (c.kind === 'element' && locals.includes(c.local)) return c;
  return undefined;
}

/** Descendants with one of the local names, in document order; does not descend into matches. */
export function descendants(el: XElement | undefined, locals: readonly string[], maxDepth = 64): XElement[] {
  const out: XElement[] = [];
  const visit = (node: XElement, depth: number): void => {
    if (depth > maxDepth) return;
    for (const c of node.children) {
      if (c.kind !== 'element') continue;
      if (locals.includes(c.local)) out.push(c);
      else visit(c, depth + 1);
    }
  };
  if (el) visit(el, 0);
  return out;
}

/** Attribute value by local name; `ns` selects a namespace ('' = unprefixed, the default). */
export function attr(el: XElement | undefined, local: string, ns = ''): string | undefined {
  if (!el) return undefined;
  for (const a of el.attrs) if (a.local === local && a.ns === ns) return a.value;
  return undefined;
}

export function xmlLang(el: XElement | undefined): string | undefined {
  const value = attr(el, 'lang', XML_NS)?.trim();
  return value ? value : undefined;
}

export function xlinkHref(el: XElement | undefined): string | undefined {
  const value = attr(el, 'href', XLINK_NS)?.trim();
  return value ? value : undefined;
}

/** All text content, as written (no whitespace changes). */
export function rawText(node: XNode | undefined): string {
  if (!node) return '';
  if (node.kind === 'text') return node.text;
  let out = '';
  for (const c of node.children) out += rawText(c);
  return out;
}

/** Text content with whitespace runs collapsed to one space and trimmed. */
export function text(node: XNode | undefined): string {
  return collapse(rawText(node));
}

export function collapse(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** Trimmed text of the first child with that local name, or undefined when absent or empty. */
export function childText(el: XElement | undefined, ...locals: string[]): string | undefined {
  const found = child(el, ...locals);
  if (!found) return undefined;
  const value = text(found);
  return value === '' ? undefined : value;
}

/** XPath-like location: /article/front/article-meta/contrib-group/contrib[2]. */
export function elementPath(el: XElement): string {
  const steps: string[] = [];
  for (let node: XElement | undefined = el; node; node = node.parent) {
    const parent: XElement | undefined = node.parent;
    let step = node.local;
    if (parent) {
      const same = parent.children.filter((c) => c.kind === 'element' && c.local === node!.local);
      if (same.length > 1) step += `[${same.indexOf(node) + 1}]`;
    }
    steps.push(step);
  }
  return '/' + steps.reverse().join('/');
}

/**
 * Decodes file bytes to a string honouring a BOM or the encoding named in the XML declaration
 * (UTF-8 when neither says otherwise).
 */
export function decodeXmlFileBytes(bytes: Uint8Array): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return new TextDecoder('utf-8').decode(bytes.subarray(3));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 200));
  const declared = /^<\?xml[^>]*\sencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head)?.[1];
  if (declared && !/^utf-?8$/i.test(declared)) {
    try {
      return new TextDecoder(declared).decode(bytes);
    } catch {
      // Unknown label: fall through to UTF-8, which is what most mislabelled files really are.
    }
  }
  return new TextDecoder('utf-8').decode(bytes);
}
