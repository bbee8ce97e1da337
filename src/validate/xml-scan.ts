// A small markup scanner over XML text. It is not a parser: it finds start tags (skipping
// comments, CDATA, PIs and the DOCTYPE) so that format detection can read the root element
// without parsing the document, and so that libxml2's schema errors, which carry a line but
// no column, can be pinned to the exact start tag they are about.

export interface ScannedAttribute {
  name: string;
  value: string;
  /** Offset of the attribute name in the source. */
  offset: number;
}

export interface ScannedStartTag {
  /** Qualified name as written, for example "oai_dc:dc". */
  qname: string;
  prefix: string | undefined;
  local: string;
  /** Offset of '<'. */
  offset: number;
  attributes: ScannedAttribute[];
  selfClosing: boolean;
}

type ScanEvent = { kind: 'start'; tag: ScannedStartTag } | { kind: 'end' };

const NAME_END = /[\s/>=]/;

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

/** Skips a DOCTYPE declaration, whose internal subset may hold quoted '>' and comments. */
function skipDoctype(xml: string, from: number): number {
  let i = from + '<!DOCTYPE'.length;
  let depth = 0;
  while (i < xml.length) {
    const ch = xml[i];
    if (ch === '"' || ch === "'") {
      const close = xml.indexOf(ch, i + 1);
      if (close < 0) return xml.length;
      i = close + 1;
    } else if (xml.startsWith('<!--', i)) {
      const close = xml.indexOf('-->', i + 4);
      if (close < 0) return xml.length;
      i = close + 3;
    } else if (ch === '[') {
      depth++;
      i++;
    } else if (ch === ']') {
      depth--;
      i++;
    } else if (ch === '>' && depth <= 0) {
      return i + 1;
    } else {
      i++;
    }
  }
  return xml.length;
}

/** Parses the start tag at `from` (xml[from] === '<'); returns undefined if it is broken. */
function readStartTag(xml: string, from: number): { tag: ScannedStartTag; next: number } | undefined {
  let i = from + 1;
  const nameStart = i;
  while (i < xml.length && !NAME_END.test(xml[i]!)) i++;
  const qname = xml.slice(nameStart, i);
  if (qname.length === 0) return undefined;
  const colon = qname.indexOf(':');
  const attributes: ScannedAttribute[] = [];
  for (;;) {
    while (i < xml.length && isSpace(xml.charCodeAt(i))) i++;
    if (i >= xml.length) return undefined;
    if (xml[i] === '>') {
      i++;
      break;
    }
    if (xml.startsWith('/>', i)) {
      i += 2;
      return { tag: makeTag(qname, colon, from, attributes, true), next: i };
    }
    const attrStart = i;
    while (i < xml.length && !NAME_END.test(xml[i]!)) i++;
    const name = xml.slice(attrStart, i);
    if (name.length === 0) return undefined;
    while (i < xml.length && isSpace(xml.charCodeAt(i))) i++;
    if (xml[i] !== '=') return undefined;
    i++;
    while (i < xml.length && isSpace(xml.charCodeAt(i))) i++;
    const quote = xml[i];
    if (quote !== '"' && quote !== "'") return undefined;
    const close = xml.indexOf(quote, i + 1);
    if (close < 0) return undefined;
    attributes.push({ name, value: xml.slice(i + 1, close), offset: attrStart });
    i = close + 1;
  }
  return { tag: makeTag(qname, colon, from, attributes, false), next: i };
}

function makeTag(qname: string, colon: number, offset: number, attributes: ScannedAttribute[], selfClosing: boolean): ScannedStartTag {
  return {
    qname,
    prefix: colon > 0 ? qname.slice(0, colon) : undefined,
    local: colon > 0 ? qname.slice(colon + 1) : qname,
    offset,
    attributes,
    selfClosing,
  };
}

/**
 * Walks the markup of `xml`, calling `visit` for each start and end tag in document order.
 * `visit` returns false to stop. Stops quietly at the first thing it cannot read.
 */
function scanMarkup(xml: string, visit: (event: ScanEvent) => boolean | void): void {
  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    if (lt < 0) return;
    if (xml.startsWith('<!--', lt)) {
      const close = xml.indexOf('-->', lt + 4);
      if (close < 0) return;
      i = close + 3;
    } else if (xml.startsWith('<![CDATA[', lt)) {
      const close = xml.indexOf(']]>', lt + 9);
      if (close < 0) return;
      i = close + 3;
    } else if (xml.startsWith('<?', lt)) {
      const close = xml.indexOf('?>', lt + 2);
      if (close < 0) return;
      i = close + 2;
    } else if (xml.startsWith('<!DOCTYPE', lt)) {
      i = skipDoctype(xml, lt);
    } else if (xml.startsWith('</', lt)) {
      const close = xml.indexOf('>', lt + 2);
      if (close < 0) return;
      i = close + 1;
      if (visit({ kind: 'end' }) === false) return;
    } else {
      const read = readStartTag(xml, lt);
      if (!read) return;
      i = read.next;
      if (visit({ kind: 'start', tag: read.tag }) === false) return;
      if (read.tag.selfClosing && visit({ kind: 'end' }) === false) return;
    }
  }
}

export interface RootElementInfo {
  local: string;
  prefix: string | undefined;
  /** Namespace URI of the root element; '' when it has none. */
  namespace: string;
}

/** The root element's name and namespace, read from its start tag alone. */
export function scanRootElement(xml: string): RootElementInfo | undefined {
  let root: RootElementInfo | undefined;
  scanMarkup(xml, (event) => {
    if (event.kind !== 'start') return false;
    const { tag } = event;
    const declaration = tag.prefix === undefined ? 'xmlns' : `xmlns:${tag.prefix}`;
    const namespace = tag.attributes.find((a) => a.name === declaration)?.value ?? '';
    root = { local: tag.local, prefix: tag.prefix, namespace };
    return false;
  });
  return root;
}

/** Line/column lookup for offsets of one source text (lines as libxml2 counts them). */
export class SourcePositions {
  private readonly lineStarts: number[] = [0];

  constructor(private readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code === 0x0a) this.lineStarts.push(i + 1);
      else if (code === 0x0d && text.charCodeAt(i + 1) !== 0x0a) this.lineStarts.push(i + 1);
    }
  }

  position(offset: number): { line: number; column: number } {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - this.lineStarts[low]! + 1 };
  }

  lineCount(): number {
    return this.lineStarts.length;
  }

  lineText(line: number): string {
    const start = this.lineStarts[line - 1];
    if (start === undefined) return '';
    const end = this.lineStarts[line] ?? this.text.length;
    return this.text.slice(start, end).replace(/\r?\n$|\r$/, '');
  }
}

interface ScannedElement {
  tag: ScannedStartTag;
  /** Path step name as libxml2's xmlGetNodePath writes it: "p:name", "name" or "*". */
  step: string;
  /** Elements in the default namespace match every element sibling when numbered ("*[n]"). */
  generic: boolean;
  siblingKey: string;
  children: ScannedElement[];
}

/**
 * Maps each element's path, in the exact form libxml2's xmlGetNodePath produces (which
 * libxml2-wasm reports with every validation error), to its start tag. Call only on
 * well-formed XML.
 */
export function indexElementPaths(xml: string): Map<string, ScannedStartTag> {
  const top: ScannedElement[] = [];
  const stack: { element: ScannedElement; defaultNamespace: string }[] = [];
  scanMarkup(xml, (event) => {
    if (event.kind === 'end') {
      stack.pop();
      return;
    }
    const { tag } = event;
    const inherited = stack.at(-1)?.defaultNamespace ?? '';
    const declared = tag.attributes.find((a) => a.name === 'xmlns');
    const defaultNamespace = declared ? declared.value : inherited;
    let step: string;
    let generic = false;
    let siblingKey: string;
    if (tag.prefix !== undefined) {
      step = tag.qname;
      siblingKey = `p:${tag.qname}`;
    } else if (defaultNamespace !== '') {
      step = '*';
      generic = true;
      siblingKey = `d:${tag.local}`;
    } else {
      step = tag.local;
      siblingKey = `n:${tag.local}`;
    }
    const element: ScannedElement = { tag, step, generic, siblingKey, children: [] };
    (stack.at(-1)?.element.children ?? top).push(element);
    stack.push({ element, defaultNamespace });
  });

  const paths = new Map<string, ScannedStartTag>();
  const visit = (siblings: ScannedElement[], parentPath: string): void => {
    siblings.forEach((element, index) => {
      const matches = (other: ScannedElement) => element.generic || other.siblingKey === element.siblingKey;
      let occurrence = 0;
      for (let k = 0; k < index; k++) if (matches(siblings[k]!)) occurrence++;
      if (occurrence > 0) occurrence++;
      else if (siblings.some((other, k) => k > index && matches(other))) occurrence = 1;
      const path = `${parentPath}/${element.step}${occurrence > 0 ? `[${occurrence}]` : ''}`;
      paths.set(path, element.tag);
      visit(element.children, path);
    });
  };
  visit(top, '');
  return paths;
}

export interface ExternalEntityUse {
  name: string;
  /** Offset of the reference (&name; or %name;). */
  offset: number;
  systemId: string;
}

/**
 * External entities declared in the internal DTD subset and referenced in the document.
 * They are never loaded; a document using one cannot be validated as written.
 */
export function findExternalEntityReferences(xml: string): ExternalEntityUse[] {
  if (!xml.includes('<!ENTITY')) return [];
  const declaration = /<!ENTITY\s+(%\s+)?([^\s%;&<>"']+)\s+(?:SYSTEM\s+(["'])(.*?)\3|PUBLIC\s+(["'])(?:.*?)\5\s+(["'])(.*?)\6)(\s+NDATA\s+[^\s>]+)?\s*>/gs;
  const uses: ExternalEntityUse[] = [];
  for (const match of xml.matchAll(declaration)) {
    if (match[8]) continue; // unparsed (NDATA) entities are never expanded
    const parameter = Boolean(match[1]);
    const name = match[2]!;
    const systemId = match[4] ?? match[7] ?? '';
    const reference = `${parameter ? '%' : '&'}${name};`;
    const offset = xml.indexOf(reference, match.index + match[0].length);
    if (offset >= 0) uses.push({ name, offset, systemId });
  }
  return uses;
}

/** Text of an XML input; bytes are decoded by their BOM (UTF-8 when there is none). */
export function sourceText(xml: string | Uint8Array): string {
  if (typeof xml === 'string') return xml;
  if (xml[0] === 0xfe && xml[1] === 0xff) return new TextDecoder('utf-16be').decode(xml);
  if (xml[0] === 0xff && xml[1] === 0xfe) return new TextDecoder('utf-16le').decode(xml);
  return new TextDecoder('utf-8').decode(xml);
}

/** Root element `{namespace}local` of a document, from its start tag alone (undefined when there is none). */
export function describeRootElement(xml: string | Uint8Array): { local: string; namespace: string } | undefined {
  // The root start tag sits near the top; 64 KiB covers any prolog short of a huge DTD subset.
  const HEAD = 65_536;
  const text = (end?: number) => {
    const decoded = typeof xml === 'string' ? xml.slice(0, end) : sourceText(xml.subarray(0, end));
    return decoded.charCodeAt(0) === 0xfeff ? decoded.slice(1) : decoded;
  };
  const root = scanRootElement(text(HEAD)) ?? (xml.length > HEAD ? scanRootElement(text()) : undefined);
  return root && { local: root.local, namespace: root.namespace };
}
