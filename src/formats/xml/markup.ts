// JATS markup fragments (record.markup): parsed strictly, then written element by element
// into the target document so every element lands in the target's namespace (or Crossref's
// face markup), and MathML stays in the MathML namespace.
//
// Namespace prefixes and declarations follow the DOM Parsing serialisation algorithm as
// xmlbuilder2 implements it (the writers built a DOM before; the bytes must not change):
// an element in the inherited default namespace is written unprefixed; a prefixed one uses a
// prefix already bound to its namespace, else declares its own; an attribute whose namespace
// has no prefix in scope declares one, inventing ns1, ns2 ... (numbered per document) when
// its own prefix is taken.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { NS } from '../common.js';
import { ExportError } from '../errors.js';
import { escapeXml } from './escape.js';
import type { XmlWriter } from './writer.js';

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
export function parseRecordMarkup(markup: string, recordId: string, field: string, format: string): OrderedNode[] {
  try {
    return parseFragment(markup);
  } catch (error) {
    if (error instanceof MarkupError) {
      throw new ExportError(recordId, field, format, `${field} is not well-formed JATS markup (${error.message})`);
    }
    throw error;
  }
}

/** Whether a fragment contains MathML, so the root can declare xmlns:mml once. */
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

// ---------------------------------------------------------------------------------------------
// Namespace scope of the document being written.

/** prefix -> namespace bindings in scope, with the DOM Parsing "namespace prefix map" look-ups. */
export class PrefixMap {
  private constructor(private readonly byNamespace: Map<string, string[]>) {}

  /** The bindings declared on a document's root (plus xml, always bound). */
  static of(declarations: Record<string, string | undefined>): PrefixMap {
    const map = new PrefixMap(new Map([[NS.xml, ['xml']]]));
    for (const [prefix, namespace] of Object.entries(declarations)) {
      if (namespace !== undefined && !map.has(prefix, namespace)) map.byNamespace.set(namespace, [...(map.byNamespace.get(namespace) ?? []), prefix]);
    }
    return map;
  }

  /** The preferred prefix when bound to `namespace`, else the last prefix bound to it, else null. */
  get(preferred: string | null, namespace: string): string | null {
    const prefixes = this.byNamespace.get(namespace);
    if (!prefixes) return null;
    return prefixes.includes(preferred as string) ? preferred : prefixes[prefixes.length - 1]!;
  }

  has(prefix: string, namespace: string): boolean {
    return this.byNamespace.get(namespace)?.includes(prefix) ?? false;
  }

  hasPrefix(prefix: string): boolean {
    for (const prefixes of this.byNamespace.values()) if (prefixes.includes(prefix)) return true;
    return false;
  }

  /** A copy with one more binding (the original is in scope of the element's siblings). */
  with(prefix: string, namespace: string): PrefixMap {
    const copy = new Map(this.byNamespace);
    copy.set(namespace, [...(copy.get(namespace) ?? []), prefix]);
    return new PrefixMap(copy);
  }
}

/** Where a fragment is written: the namespaces in scope there, and the document's generated-prefix counter. */
export interface MarkupScope {
  /** Namespace unprefixed elements of the document are in at this point (null: none). */
  defaultNamespace: string | null;
  prefixes: PrefixMap;
  /** Next generated prefix number (ns1, ns2, ...), shared by the whole document. */
  generated: { value: number };
}

// ---------------------------------------------------------------------------------------------

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

interface Context {
  elementOnly: boolean;
  inMath: boolean;
  /** Prefixes the fragment itself declares (for resolving its own names). */
  namespaces: Record<string, string>;
}

const TOP: Context = { elementOnly: false, inMath: false, namespaces: KNOWN_PREFIXES };

function nodeName(node: OrderedNode): string | undefined {
  for (const key of Object.keys(node)) if (key !== ':@') return key;
  return undefined;
}

function splitQName(qname: string): { prefix: string | undefined; local: string } {
  const colon = qname.indexOf(':');
  return colon < 0 ? { prefix: undefined, local: qname } : { prefix: qname.slice(0, colon), local: qname.slice(colon + 1) };
}

function cdataText(node: OrderedNode): string {
  const inner = node['#cdata'] as OrderedNode[] | undefined;
  return (inner ?? []).map((n) => String(n['#text'] ?? '')).join('');
}

/** An element as the target document gets it, before its namespace is serialised. */
interface PlannedElement {
  kind: 'element';
  namespace: string | null;
  prefix: string | null;
  local: string;
  attributes: { namespace: string | null; prefix: string | null; local: string; value: string }[];
  children: OrderedNode[];
  context: Context;
  /** Namespace unprefixed JATS children take (the Builder's default namespace before). */
  defaultNamespace: string | null;
}

type Planned = PlannedElement | { kind: 'text'; text: string } | { kind: 'unwrap'; children: OrderedNode[]; context: Context };

/** What one fragment node becomes in the target. */
function plan(node: OrderedNode, target: MarkupTarget, context: Context, defaultNamespace: string | null): Planned | undefined {
  const name = nodeName(node);
  if (name === undefined || name === '#comment') return undefined;
  if (name === '#text' || name === '#cdata') {
    const text = name === '#text' ? String(node['#text']) : cdataText(node);
    if (context.elementOnly && text.trim() === '') return undefined;
    return { kind: 'text', text };
  }
  const attributes = node[':@'] ?? {};
  let namespaces = context.namespaces;
  for (const [attribute, value] of Object.entries(attributes)) {
    if (attribute.startsWith('xmlns:')) namespaces = { ...namespaces, [attribute.slice(6)]: value };
  }
  const { prefix, local } = splitQName(name);
  const namespace = prefix === undefined ? attributes['xmlns'] : namespaces[prefix];
  const children = (node[name] as OrderedNode[] | undefined) ?? [];
  const element = (ns: string | null, elementPrefix: string | null, elementLocal: string, childContext: Context, keep: boolean): PlannedElement => ({
    kind: 'element',
    namespace: ns,
    prefix: elementPrefix,
    local: elementLocal,
    attributes: keep ? plannedAttributes(attributes, namespaces) : [],
    children,
    context: childContext,
    // A prefixed element leaves the default namespace of its children as it was.
    defaultNamespace: elementPrefix === null ? ns : defaultNamespace,
  });

  if (namespace === NS.mml || (context.inMath && prefix === undefined)) {
    return element(NS.mml, 'mml', local, { elementOnly: !MATHML_TOKEN.has(local), inMath: true, namespaces }, true);
  }
  if (prefix !== undefined && namespace !== NS.ali) {
    // An element from a vocabulary the target cannot carry: keep its text.
    return { kind: 'unwrap', children, context: { ...context, namespaces } };
  }
  const renamed = target.rename ? target.rename(local) : local;
  if (renamed === null) return { kind: 'unwrap', children, context: { ...context, namespaces } };
  const childContext: Context = { elementOnly: JATS_ELEMENT_ONLY.has(local), inMath: false, namespaces };
  if (namespace === NS.ali) return element(NS.ali, 'ali', local, childContext, target.keepAttributes);
  if (target.jats.mode === 'inherit') return element(defaultNamespace, null, renamed, childContext, target.keepAttributes);
  return element(target.jats.namespace, target.jats.prefix, renamed, childContext, target.keepAttributes);
}

function plannedAttributes(attributes: Record<string, string>, namespaces: Record<string, string>): PlannedElement['attributes'] {
  const out: PlannedElement['attributes'] = [];
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
    const { prefix, local } = splitQName(name);
    if (prefix === undefined) out.push({ namespace: null, prefix: null, local, value });
    else if (namespaces[prefix]) out.push({ namespace: namespaces[prefix]!, prefix, local, value });
  }
  return out;
}

/** Whether text lands directly in the element these nodes are written into (through unwrapped elements). */
function writesText(nodes: OrderedNode[], target: MarkupTarget, context: Context, defaultNamespace: string | null): boolean {
  for (const node of nodes) {
    const planned = plan(node, target, context, defaultNamespace);
    if (!planned) continue;
    if (planned.kind === 'text' && escapeXml(planned.text) !== '') return true;
    if (planned.kind === 'unwrap' && writesText(planned.children, target, planned.context, defaultNamespace)) return true;
  }
  return false;
}

/**
 * Writes parsed fragment nodes into the element `out` has open, which sits at `scope`.
 * `elementOnly`: the container's content is element-only (an abstract): whitespace between
 * block elements is layout, not text.
 */
export function writeFragment(out: XmlWriter, nodes: OrderedNode[], target: MarkupTarget, scope: MarkupScope, elementOnly = false): void {
  writeNodes(out, nodes, target, elementOnly ? { ...TOP, elementOnly: true } : TOP, scope, scope.defaultNamespace);
}

/** Whether writeFragment puts text directly into the container (then the container is inline content). */
export function fragmentWritesText(nodes: OrderedNode[], target: MarkupTarget, defaultNamespace: string | null, elementOnly = false): boolean {
  return writesText(nodes, target, elementOnly ? { ...TOP, elementOnly: true } : TOP, defaultNamespace);
}

function writeNodes(out: XmlWriter, nodes: OrderedNode[], target: MarkupTarget, context: Context, scope: MarkupScope, defaultNamespace: string | null): void {
  for (const node of nodes) {
    const planned = plan(node, target, context, defaultNamespace);
    if (!planned) continue;
    if (planned.kind === 'text') out.text(planned.text);
    else if (planned.kind === 'unwrap') writeNodes(out, planned.children, target, planned.context, scope, defaultNamespace);
    else writeElement(out, planned, target, scope);
  }
}

function writeElement(out: XmlWriter, element: PlannedElement, target: MarkupTarget, scope: MarkupScope): void {
  let prefixes = scope.prefixes;
  let inherited = scope.defaultNamespace;
  let declarations = '';
  let qualifiedName: string;
  if (element.namespace === inherited) {
    qualifiedName = element.local;
  } else {
    const candidate = element.prefix !== null || element.namespace !== null ? prefixes.get(element.prefix, element.namespace ?? '') : null;
    if (candidate !== null) {
      qualifiedName = `${candidate}:${element.local}`;
    } else if (element.prefix !== null) {
      prefixes = prefixes.with(element.prefix, element.namespace ?? '');
      qualifiedName = `${element.prefix}:${element.local}`;
      declarations += ` xmlns:${element.prefix}="${escapeXml(element.namespace ?? '', true)}"`;
    } else {
      qualifiedName = element.local;
      inherited = element.namespace;
      declarations += ` xmlns="${escapeXml(element.namespace ?? '', true)}"`;
    }
  }
  let attributes = '';
  for (const attribute of element.attributes) {
    if (attribute.namespace === null) {
      attributes += ` ${attribute.local}="${escapeXml(attribute.value, true)}"`;
      continue;
    }
    let candidate = prefixes.get(attribute.prefix, attribute.namespace);
    if (candidate === null) {
      if (attribute.prefix !== null && (!prefixes.hasPrefix(attribute.prefix) || prefixes.has(attribute.prefix, attribute.namespace))) {
        candidate = attribute.prefix;
      } else {
        candidate = `ns${scope.generated.value++}`;
        prefixes = prefixes.with(candidate, attribute.namespace);
      }
      attributes += ` xmlns:${candidate}="${escapeXml(attribute.namespace, true)}"`;
    }
    attributes += ` ${candidate}:${attribute.local}="${escapeXml(attribute.value, true)}"`;
  }
  const childScope: MarkupScope = { defaultNamespace: inherited, prefixes, generated: scope.generated };
  const inline = writesText(element.children, target, element.context, element.defaultNamespace);
  if (inline) out.startInline(qualifiedName, declarations + attributes);
  else out.start(qualifiedName, declarations + attributes);
  writeNodes(out, element.children, target, element.context, childScope, element.defaultNamespace);
  out.end();
}
