import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { DAY_GRANULARITY, OAI_PMH_NAMESPACE, SECONDS_GRANULARITY, XSI_NAMESPACE, type Granularity } from '../oai-pmh/index.js';
import type { OaiErrorEntry } from './errors.js';
import { HarvestError } from './errors.js';
import { decodeXmlBytes, emptyRepair, repairChanged, type TextRepair } from './sanitize.js';
import { OaiResponseSplitter, localName, type ItemChild, type ScannedItem, type SplitterResult } from './scanner.js';


// Only the five XML entities; passing them as "htmlEntities" is what makes fast-xml-parser decode
// numeric character references without also accepting HTML's named entities.
const XML_ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const ALWAYS_ARRAYS = new Set(['error', 'setSpec', 'adminEmail', 'compression', 'description', 'metadataFormat', 'set', 'about']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  processEntities: true,
  htmlEntities: XML_ENTITIES as unknown as boolean,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  isArray: (name) => ALWAYS_ARRAYS.has(name),
});

type Node = Record<string, unknown>;

/** Parses a small, already sanitised fragment. Never sees a DOCTYPE (the caller refuses those). */
function parseFragment(xml: string): Node {
  if (/<!DOCTYPE/i.test(xml)) throw new Error('DOCTYPE declarations are not accepted in harvested XML');
  return parser.parse(xml) as Node;
}

/** Text content of a parsed element (string, or an object with attributes and #text). */
export function textOf(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return textOf(value[0]);
  if (typeof value === 'object') {
    const text = (value as Node)['#text'];
    return text === undefined ? '' : textOf(text);
  }
  return undefined;
}

function attributeOf(value: unknown, name: string): string | undefined {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const attr = (value as Node)[`@_${name}`];
    return typeof attr === 'string' ? attr : undefined;
  }
  return undefined;
}

function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

export interface ResumptionTokenInfo {
  /** The token; "" marks the last page of a list (OAI-PMH 2.0 §3.5). */
  value: string;
  cursor?: number;
  completeListSize?: number;
  expirationDate?: string;
}

export interface OaiEnvelope {
  responseDate: string | undefined;
  /** The <request> element: base URL and the arguments the server understood. */
  request: { url: string; arguments: Record<string, string> } | undefined;
  errors: OaiErrorEntry[];
  /** Local name of the verb element present (ListRecords, Identify ...), if any. */
  verbElement: string | undefined;
  /** Absent when the response had no resumptionToken element. */
  resumptionToken: ResumptionTokenInfo | undefined;
  /** The verb element, parsed (for Identify and other small responses). */
  verbContent: Node | undefined;
  /** Namespace declarations of the root element, inherited by metadata inside records. */
  namespaces: Record<string, string>;
  /** The root's default namespace (should be the OAI-PMH one). */
  rootNamespace: string | undefined;
}

const VERB_ELEMENTS = ['Identify', 'ListRecords', 'ListIdentifiers', 'ListSets', 'ListMetadataFormats', 'GetRecord'];

/** Namespace declarations (xmlns and xmlns:p) of one start tag. */
export function namespaceDeclarations(startTag: string): Record<string, string> {
  const declarations: Record<string, string> = {};
  const pattern = /\sxmlns(?::([^\s=/>]+))?\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
  for (let match = pattern.exec(startTag); match; match = pattern.exec(startTag)) {
    declarations[match[1] ?? ''] = match[2] ?? match[3] ?? '';
  }
  return declarations;
}

function optionalInteger(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d+\s*$/.test(value)) return undefined;
  return Number.parseInt(value, 10);
}

/** Parses the response without its list items. */
export function parseEnvelope(result: SplitterResult): OaiEnvelope {
  const repair = emptyRepair();
  const text = decodeXmlBytes(result.envelope, repair, result.declaredEncoding);
  const invalid = XMLValidator.validate(text);
  if (invalid !== true) {
    throw new HarvestError('malformedXml', `Malformed OAI-PMH response: ${invalid.err.msg}`, {});
  }
  const doc = parseFragment(text);
  const root = doc['OAI-PMH'] as Node | undefined;
  if (root === undefined || typeof root !== 'object') {
    throw new HarvestError('notOaiPmh', 'The response has no OAI-PMH root element');
  }
  const namespaces = namespaceDeclarations(result.rootStartTag);
  const requestNode = root['request'];
  const requestArguments: Record<string, string> = {};
  if (requestNode && typeof requestNode === 'object') {
    for (const [key, value] of Object.entries(requestNode as Node)) {
      if (key.startsWith('@_') && typeof value === 'string') requestArguments[key.slice(2)] = value;
    }
  }
  const errors: OaiErrorEntry[] = asArray(root['error']).map((entry) => ({
    code: attributeOf(entry, 'code') ?? 'unknown',
    message: (textOf(entry) ?? '').trim(),
  }));
  let verbElement: string | undefined;
  let verbContent: Node | undefined;
  for (const name of VERB_ELEMENTS) {
    if (name in root) {
      verbElement = name;
      const content = root[name];
      verbContent = content && typeof content === 'object' ? (content as Node) : {};
      break;
    }
  }
  let resumptionToken: ResumptionTokenInfo | undefined;
  if (verbContent && 'resumptionToken' in verbContent) {
    const node = verbContent['resumptionToken'];
    const token: ResumptionTokenInfo = { value: (textOf(node) ?? '').trim() };
    const cursor = optionalInteger(attributeOf(node, 'cursor'));
    const size = optionalInteger(attributeOf(node, 'completeListSize'));
    const expiration = attributeOf(node, 'expirationDate');
    if (cursor !== undefined) token.cursor = cursor;
    if (size !== undefined) token.completeListSize = size;
    if (expiration !== undefined) token.expirationDate = expiration;
    resumptionToken = token;
  }
  return {
    responseDate: textOf(root['responseDate'])?.trim() || undefined,
    request: requestNode === undefined ? undefined : { url: (textOf(requestNode) ?? '').trim(), arguments: requestArguments },
    errors,
    verbElement,
    resumptionToken,
    verbContent,
    namespaces,
    rootNamespace: namespaces[''],
  };
}

export interface OaiHeader {
  identifier: string;
  datestamp: string;
  setSpecs: string[];
  /** status="deleted" (OAI-PMH 2.0 §2.5.1). */
  deleted: boolean;
}

/** One item of a ListRecords / GetRecord / ListIdentifiers response, decoded and split. */
export interface HarvestedItem {
  header: OaiHeader;
  /**
   * The whole <record> (or <header>) element as repaired text, with the namespace declarations
   * it inherited added to its start tag: what is stored as the raw XML.
   */
  xml: string;
  /**
   * The metadata element (the single child of <metadata>) as a standalone document fragment,
   * with the namespace declarations it inherited from enclosing elements added to it.
   */
  metadataXml: string | undefined;
  aboutXml: string[];
  /** What repairing the bytes changed (nothing, for a clean record). */
  repair: TextRepair;
  /** The bytes exactly as received. */
  rawBytes: Buffer;
  /**
   * Whether `recordAsHarvested(xml)` gives back the bytes as received (no repair, UTF-8, only
   * the usual OAI-PMH declarations added): when not, the bytes must be kept beside the text.
   */
  recoverable: boolean;
}

/** An item that cannot be read: quarantined with the reason and the raw bytes. */
export interface UnreadableItem {
  problem: string;
  /** What could be recovered from the header, for the quarantine row. */
  identifier: string | undefined;
  datestamp: string | undefined;
  rawBytes: Buffer;
}

export interface ItemContext {
  declaredEncoding: string | undefined;
  /** Namespace declarations in scope at the list element (from the root start tag). */
  namespaces: Record<string, string>;
}

function parseHeaderNode(node: unknown): { header?: OaiHeader; problem?: string; identifier?: string; datestamp?: string } {
  if (!node || typeof node !== 'object') return { problem: 'the <header> element is empty' };
  const identifier = textOf((node as Node)['identifier'])?.trim();
  const datestamp = textOf((node as Node)['datestamp'])?.trim();
  const base: { identifier?: string; datestamp?: string } = {};
  if (identifier) base.identifier = identifier;
  if (datestamp) base.datestamp = datestamp;
  if (!identifier) return { ...base, problem: 'the header has no <identifier>' };
  if (!datestamp) return { ...base, problem: 'the header has no <datestamp>' };
  const setSpecs = asArray((node as Node)['setSpec'])
    .map((s) => textOf(s)?.trim() ?? '')
    .filter((s) => s !== '');
  return {
    ...base,
    header: {
      identifier,
      datestamp,
      setSpecs: [...new Set(setSpecs)],
      deleted: attributeOf(node, 'status') === 'deleted',
    },
  };
}

const FIRST_START_TAG = /^(?:\s|<!--[^]*?-->|<\?[^]*?\?>)*<([^\s/>!?]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/;

/**
 * Adds to the first element the prefixed namespace declarations it inherits (from the OAI-PMH
 * root, <record> or <metadata>) and uses, so the fragment stands alone. For metadata the
 * OAI-PMH default namespace is not inherited (metadata always names its own); for a stored
 * <record> it is (`inheritOaiDefault`), since the record element is in it.
 */
export function withInheritedNamespaces(metadataXml: string, inScope: Record<string, string>, options: { inheritOaiDefault?: boolean } = {}): string {
  const match = FIRST_START_TAG.exec(metadataXml);
  if (!match) return metadataXml;
  const own = namespaceDeclarations(match[0]);
  let added = '';
  for (const [prefix, uri] of Object.entries(inScope)) {
    if (prefix in own) continue;
    if (prefix === '') {
      if ((uri === OAI_PMH_NAMESPACE && !options.inheritOaiDefault) || match[1]!.includes(':')) continue;
      added += ` xmlns="${uri.replace(/"/g, '&quot;')}"`;
    } else if (metadataXml.includes(`${prefix}:`)) {
      added += ` xmlns:${prefix}="${uri.replace(/"/g, '&quot;')}"`;
    }
  }
  if (added === '') return metadataXml;
  const insertAt = match.index + match[0].indexOf(match[1]!) + match[1]!.length;
  return metadataXml.slice(0, insertAt) + added + metadataXml.slice(insertAt);
}

/** The declarations withInheritedNamespaces usually adds to a stored <record> (the OAI-PMH root's). */
const USUAL_RECORD_DECLARATIONS = [` xmlns="${OAI_PMH_NAMESPACE}"`, ` xmlns:xsi="${XSI_NAMESPACE}"`];

/**
 * A stored record as it was harvested: without the usual declarations added to its start tag
 * (exact when the record was stored `recoverable`; otherwise its raw bytes were kept).
 */
export function recordAsHarvested(storedXml: string): string {
  const match = FIRST_START_TAG.exec(storedXml);
  if (!match) return storedXml;
  let at = match.index + match[0].indexOf(match[1]!) + match[1]!.length;
  const start = at;
  for (const declaration of USUAL_RECORD_DECLARATIONS) {
    if (storedXml.startsWith(declaration, at)) at += declaration.length;
  }
  return at === start ? storedXml : storedXml.slice(0, start) + storedXml.slice(at);
}

function decodeSlice(item: ScannedItem, start: number, end: number, ctx: ItemContext): string {
  return decodeXmlBytes(item.bytes.subarray(start, end), emptyRepair(), ctx.declaredEncoding);
}

/**
 * Splits a <record> (ListRecords, GetRecord) or <header> (ListIdentifiers) into its parts. The
 * splitter has already checked the item's markup (nesting, names, attributes; `item.malformed`),
 * so nothing here parses the metadata again: the record is decoded (and repaired) in three
 * regions, before, inside and after the metadata element, and the header read from its own slice.
 */
export function readRecordItem(item: ScannedItem, ctx: ItemContext): HarvestedItem | UnreadableItem {
  if (item.abandoned !== undefined) return abandonedItem(item, ctx);
  const repair = emptyRepair();
  const bytes = item.bytes;
  const decode = (from: number, to: number) => (to > from ? decodeXmlBytes(bytes.subarray(from, to), repair, ctx.declaredEncoding) : '');
  let header: ItemChild | undefined;
  let metadata: ItemChild | undefined;
  const about: ItemChild[] = [];
  for (const child of item.children) {
    const name = localName(child.name);
    if (name === 'header') header ??= child;
    else if (name === 'metadata') metadata ??= child;
    else if (name === 'about') about.push(child);
  }
  const unreadable = (problem: string, identifier?: string, datestamp?: string): UnreadableItem => ({ problem, identifier, datestamp, rawBytes: bytes });
  const isBareHeader = header === undefined && localName(FIRST_START_TAG.exec(bytes.toString('latin1', 0, Math.min(bytes.length, 256)))?.[1] ?? '') === 'header';
  let xml: string;
  let metadataStartTag = '';
  let metadataInner: string | undefined;
  if (metadata !== undefined) {
    const before = decode(0, metadata.contentStart);
    metadataInner = decode(metadata.contentStart, metadata.contentEnd);
    xml = before + metadataInner + decode(metadata.contentEnd, bytes.length);
    metadataStartTag = before.slice(before.lastIndexOf('<'));
    metadataInner = metadataInner.trim();
  } else {
    xml = decode(0, bytes.length);
  }
  const headerXml = isBareHeader ? xml : header === undefined ? undefined : decodeXmlBytes(bytes.subarray(header.start, header.end), emptyRepair(), ctx.declaredEncoding);
  if (headerXml === undefined) return unreadable('the record has no <header>');
  const parsedHeader = readHeader(headerXml);
  if (item.malformed !== undefined) {
    return unreadable(`the record is not well-formed XML: ${item.malformed}`, parsedHeader.identifier, parsedHeader.datestamp);
  }
  if (!parsedHeader.header) return unreadable(parsedHeader.problem!, parsedHeader.identifier, parsedHeader.datestamp);
  const parsed = parsedHeader.header;
  const aboutXml = about.map((child) => decodeXmlBytes(bytes.subarray(child.contentStart, child.contentEnd), emptyRepair(), ctx.declaredEncoding).trim());

  let metadataXml: string | undefined;
  if (!isBareHeader) {
    if (metadataInner !== undefined && metadataInner !== '') {
      const recordTag = FIRST_START_TAG.exec(xml);
      const inScope = { ...ctx.namespaces, ...(recordTag ? namespaceDeclarations(recordTag[0]) : {}), ...namespaceDeclarations(metadataStartTag) };
      metadataXml = withInheritedNamespaces(metadataInner, inScope);
    }
    if (!parsed.deleted && metadataXml === undefined) {
      return unreadable('the record has no metadata (and is not marked deleted)', parsed.identifier, parsed.datestamp);
    }
  }
  // Stored standalone: the namespace declarations the record relied on go onto <record>.
  const standalone = isBareHeader ? xml : withInheritedNamespaces(xml, ctx.namespaces, { inheritOaiDefault: true });
  const utf8 = ctx.declaredEncoding === undefined || /^utf-?8$/i.test(ctx.declaredEncoding);
  const recoverable = utf8 && !repairChanged(repair) && (standalone === xml || recordAsHarvested(standalone) === xml);
  return { header: parsed, xml: standalone, metadataXml, aboutXml, repair, rawBytes: bytes, recoverable };
}

// A header holds simple elements only (§2.5): <identifier>, <datestamp>, <setSpec>*.
const HEADER_ELEMENT = /<(?:[^\s/>:]+:)?(identifier|datestamp|setSpec)(?:\s[^>]*)?(?:\/>|>([^<]*)<\/(?:[^\s/>:]+:)?\1\s*>)/g;
const HEADER_STATUS = /^<(?:[^\s/>:]+:)?header\b[^>]*?\sstatus\s*=\s*(["'])deleted\1/;

/**
 * Reads a header (already checked well-formed by the splitter) without a general XML parser;
 * a header with comments or CDATA sections goes to the parser instead.
 */
function readHeader(headerXml: string): ReturnType<typeof parseHeaderNode> {
  if (headerXml.includes('<!') || headerXml.includes('<?')) {
    try {
      return parseHeaderNode(parseFragment(headerXml)['header']);
    } catch (error) {
      return { problem: `the record header cannot be read: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
  let identifier: string | undefined;
  let datestamp: string | undefined;
  const setSpecs: string[] = [];
  HEADER_ELEMENT.lastIndex = 0;
  for (let match = HEADER_ELEMENT.exec(headerXml); match; match = HEADER_ELEMENT.exec(headerXml)) {
    const text = decodeReferences(match[2] ?? '').trim();
    if (match[1] === 'identifier') identifier ??= text;
    else if (match[1] === 'datestamp') datestamp ??= text;
    else if (text !== '' && !setSpecs.includes(text)) setSpecs.push(text);
  }
  const base: { identifier?: string; datestamp?: string } = {};
  if (identifier) base.identifier = identifier;
  if (datestamp) base.datestamp = datestamp;
  if (!identifier) return { ...base, problem: 'the header has no <identifier>' };
  if (!datestamp) return { ...base, problem: 'the header has no <datestamp>' };
  return { ...base, header: { identifier, datestamp, setSpecs, deleted: HEADER_STATUS.test(headerXml) } };
}

const REFERENCE = /&(?:(amp|lt|gt|quot|apos)|#([0-9]+)|#x([0-9a-fA-F]+));/g;
const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Replaces the five predefined entities and character references (the text is repaired: no others remain meaningful). */
function decodeReferences(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(REFERENCE, (_, name: string | undefined, decimal: string | undefined, hex: string | undefined) =>
    name !== undefined ? PREDEFINED[name]! : String.fromCodePoint(Number.parseInt(decimal ?? hex!, decimal !== undefined ? 10 : 16)),
  );
}

/** An item the splitter gave up on (too large, nested too deep): quarantined with what its header says. */
function abandonedItem(item: ScannedItem, ctx: ItemContext): UnreadableItem {
  const unreadable: UnreadableItem = { problem: item.abandoned!, identifier: undefined, datestamp: undefined, rawBytes: item.bytes };
  const header = item.children.find((c) => localName(c.name) === 'header');
  if (header === undefined) return unreadable;
  try {
    const parsed = parseHeaderNode(parseFragment(decodeSlice(item, header.start, header.end, ctx))['header']);
    return { ...unreadable, identifier: parsed.identifier, datestamp: parsed.datestamp };
  } catch {
    return unreadable;
  }
}

/** The metadata and about parts of a stored (standalone) <record>, as readRecordItem gives them. */
export function splitStoredRecord(recordXml: string): { metadataXml: string | undefined; aboutXml: string[] } {
  const splitter = new OaiResponseSplitter('record');
  const items = [
    ...splitter.feed(Buffer.from('<OAI-PMH><GetRecord>')),
    ...splitter.feed(Buffer.from(recordXml)),
    ...splitter.feed(Buffer.from('</GetRecord></OAI-PMH>')),
  ];
  const item = items[0];
  if (!item) return { metadataXml: undefined, aboutXml: [] };
  const read = readRecordItem(item, { declaredEncoding: undefined, namespaces: {} });
  return isUnreadable(read) ? { metadataXml: undefined, aboutXml: [] } : { metadataXml: read.metadataXml, aboutXml: read.aboutXml };
}

export function isUnreadable(item: HarvestedItem | UnreadableItem): item is UnreadableItem {
  return 'problem' in item;
}

export interface OaiSet {
  setSpec: string;
  setName: string;
  /** <setDescription> contents as XML strings. */
  descriptions: string[];
}

export function readSetItem(item: ScannedItem, ctx: ItemContext): OaiSet {
  const xml = decodeXmlBytes(item.bytes, emptyRepair(), ctx.declaredEncoding);
  const parsed = parseFragment(xml)['set'];
  const node = (Array.isArray(parsed) ? parsed[0] : parsed) as Node | undefined;
  const descriptions: string[] = [];
  for (const child of item.children) {
    if (localName(child.name) === 'setDescription') descriptions.push(decodeSlice(item, child.contentStart, child.contentEnd, ctx).trim());
  }
  return {
    setSpec: textOf(node?.['setSpec'])?.trim() ?? '',
    setName: textOf(node?.['setName'])?.trim() ?? '',
    descriptions,
  };
}

export interface OaiMetadataFormat {
  metadataPrefix: string;
  schema: string;
  metadataNamespace: string;
}

export function readMetadataFormatItem(item: ScannedItem, ctx: ItemContext): OaiMetadataFormat {
  const xml = decodeXmlBytes(item.bytes, emptyRepair(), ctx.declaredEncoding);
  const node = parseFragment(xml)['metadataFormat'];
  const first = (Array.isArray(node) ? node[0] : node) as Node | undefined;
  return {
    metadataPrefix: textOf(first?.['metadataPrefix'])?.trim() ?? '',
    schema: textOf(first?.['schema'])?.trim() ?? '',
    metadataNamespace: textOf(first?.['metadataNamespace'])?.trim() ?? '',
  };
}

// Harvester modules (store.ts, harvester.ts) name the granularity type from here.
export type { Granularity } from '../oai-pmh/index.js';

export interface OaiIdentify {
  repositoryName: string;
  baseURL: string;
  protocolVersion: string;
  adminEmails: string[];
  earliestDatestamp: string;
  deletedRecord: string;
  /** As declared; day granularity when missing or unrecognised (every repository supports it). */
  granularity: Granularity;
  /** The granularity text as the repository wrote it. */
  declaredGranularity: string;
  compression: string[];
  responseDate: string | undefined;
}

export function readIdentify(envelope: OaiEnvelope): OaiIdentify {
  const node = envelope.verbContent ?? {};
  const declared = textOf(node['granularity'])?.trim() ?? '';
  return {
    repositoryName: textOf(node['repositoryName'])?.trim() ?? '',
    baseURL: textOf(node['baseURL'])?.trim() ?? '',
    protocolVersion: textOf(node['protocolVersion'])?.trim() ?? '',
    adminEmails: asArray(node['adminEmail']).map((e) => textOf(e)?.trim() ?? ''),
    earliestDatestamp: textOf(node['earliestDatestamp'])?.trim() ?? '',
    deletedRecord: textOf(node['deletedRecord'])?.trim() ?? '',
    granularity: declared === SECONDS_GRANULARITY ? SECONDS_GRANULARITY : DAY_GRANULARITY,
    declaredGranularity: declared,
    compression: asArray(node['compression']).map((e) => textOf(e)?.trim() ?? ''),
    responseDate: envelope.responseDate,
  };
}
