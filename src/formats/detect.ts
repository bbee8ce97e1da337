// Which registered format a document is in, from its root element (a scan of the start tag,
// never a parse), for reading and for validation. Formats say what they recognise
// (descriptor.detect); nothing here names a format.
import { describeRootElement } from '../validate/xml-scan.js';
import type { FormatDescriptor, XmlRoot } from './descriptor.js';
import { FORMATS, type FormatList } from './registry.js';

const OAI_PMH_NS = 'http://www.openarchives.org/OAI/2.0/';
/** Schema id of a whole OAI-PMH response (a protocol document, not a format). */
export const OAI_PMH_SCHEMA_ID = 'oai-pmh';

/** OAI-PMH containers whose metadata part says the format (a whole response, one record, its metadata). */
const OAI_CONTAINERS = new Set(['OAI-PMH', 'record', 'metadata']);

export function documentRoot(xml: string | Uint8Array): XmlRoot | undefined {
  const root = describeRootElement(xml);
  return root && { name: root.local, namespace: root.namespace };
}

/** The first registered format (with a reader) that recognises the root. */
export function formatForRoot(root: XmlRoot, formats: FormatList = FORMATS): FormatDescriptor | undefined {
  return formats.find((format) => format.read !== undefined && format.detect?.(root) === true);
}

/**
 * The readable format of a document: by its root element, or, for an OAI-PMH response,
 * record or metadata element, by the first element inside <metadata>.
 */
export function detectXmlFormat(xml: string, formats: FormatList = FORMATS): FormatDescriptor | undefined {
  const root = documentRoot(xml);
  if (!root) return undefined;
  const direct = formatForRoot(root, formats);
  if (direct || !OAI_CONTAINERS.has(root.name)) return direct;
  const inner = metadataRoot(xml.slice(0, 2_000_000));
  return inner && formatForRoot(inner, formats);
}

/** The root of the metadata part: the first element after the first <metadata> start tag. */
function metadataRoot(xml: string): XmlRoot | undefined {
  const match = /<(?:[\w.-]+:)?metadata\b[^>]*>(?:\s|<!--[^]*?-->)*<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)([^>]*)>/.exec(xml);
  if (!match) return undefined;
  const prefix = match[1]?.slice(0, -1);
  const attributes = match[3] ?? '';
  const declaration = prefix === undefined ? 'xmlns' : `xmlns:${prefix}`;
  const declared = (source: string) => {
    const pattern = new RegExp(`\\s${declaration.replace(/[.-]/g, '\\$&')}\\s*=\\s*(["'])(.*?)\\1`, 'g');
    let last: string | undefined;
    for (const found of source.matchAll(pattern)) last = found[2];
    return last;
  };
  // Declared on the element itself, else (prefixed) on an ancestor: the last declaration before it.
  const namespace = declared(attributes) ?? (prefix === undefined ? '' : declared(xml.slice(0, match.index)) ?? '');
  return { name: match[2]!, namespace };
}

/**
 * The schema a document is validated against: OAI-PMH responses by their envelope, documents
 * in a registered format by the format's XSD (its version's, when the format says so).
 */
export function detectSchema(xml: string | Uint8Array, formats: FormatList = FORMATS): string | undefined {
  const root = documentRoot(xml);
  if (!root) return undefined;
  if (root.name === 'OAI-PMH' && root.namespace === OAI_PMH_NS) return OAI_PMH_SCHEMA_ID;
  for (const format of formats) {
    if (format.validation.kind !== 'xsd' || format.detect?.(root) !== true) continue;
    const schema = format.validation.schemaIdFor ? format.validation.schemaIdFor(root) : format.validation.schemaId;
    if (schema !== undefined) return schema;
  }
  return undefined;
}

/** What detectSchema recognises, for messages about documents it does not: "an OAI-PMH response, ...". */
export function describeKnownRoots(formats: FormatList = FORMATS): string {
  const labels = formats.filter((f) => f.validation.kind === 'xsd' && f.detect).map((f) => f.label);
  return ['an OAI-PMH response', ...labels].join(', ');
}
