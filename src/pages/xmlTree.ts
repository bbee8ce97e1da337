/**
 * A small element tree of an XML document, read with fast-xml-parser in document order, with
 * namespace prefixes removed (the OAI-PMH response, oai_dc and JATS use distinct local names
 * where the pages look). xml:lang arrives as the attribute "lang".
 */
import { XMLParser } from 'fast-xml-parser';

export interface XmlElement {
  name: string;
  attributes: Readonly<Record<string, string>>;
  children: XmlElement[];
  /** The element's own text (text nodes directly inside it, joined). */
  text: string;
  /** Text nodes and child elements in document order (mixed content). */
  content: (string | XmlElement)[];
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Character references (&#233;) are decoded too, not only the five XML entities.
  htmlEntities: true,
});

type OrderedNode = Record<string, unknown> & { ':@'?: Record<string, unknown> };

function toElement(name: string, node: OrderedNode): XmlElement {
  const element: XmlElement = { name, attributes: {}, children: [], text: '', content: [] };
  for (const [key, value] of Object.entries(node[':@'] ?? {})) (element.attributes as Record<string, string>)[key] = String(value);
  const texts: string[] = [];
  for (const child of (node[name] as OrderedNode[] | undefined) ?? []) {
    if ('#text' in child) {
      texts.push(String(child['#text']));
      element.content.push(String(child['#text']));
      continue;
    }
    const childName = Object.keys(child).find((key) => key !== ':@');
    if (childName === undefined) continue;
    const childElement = toElement(childName, child);
    element.children.push(childElement);
    element.content.push(childElement);
  }
  element.text = texts.join(' ');
  return element;
}

/** The document element. Throws when the text is not XML or has no element. */
export function parseXmlTree(xml: string): XmlElement {
  const nodes = parser.parse(xml) as OrderedNode[];
  for (const node of nodes) {
    const name = Object.keys(node).find((key) => key !== ':@' && !key.startsWith('?') && key !== '#text' && key !== '#comment');
    if (name !== undefined) return toElement(name, node);
  }
  throw new Error('no document element');
}

export function childElement(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return element?.children.find((child) => child.name === name);
}

export function childElements(element: XmlElement | undefined, name: string): XmlElement[] {
  return element?.children.filter((child) => child.name === name) ?? [];
}

export function childText(element: XmlElement | undefined, name: string): string | undefined {
  return childElement(element, name)?.text;
}

/** All text inside an element, descendants included, in document order. */
export function deepText(element: XmlElement): string {
  return element.content
    .map((part) => (typeof part === 'string' ? part : deepText(part)))
    .filter((t) => t !== '')
    .join(' ');
}

/** The first descendant (depth first, document order) with one of the names. */
export function findDescendant(element: XmlElement, names: readonly string[]): XmlElement | undefined {
  for (const child of element.children) {
    if (names.includes(child.name)) return child;
    const found = findDescendant(child, names);
    if (found) return found;
  }
  return undefined;
}
