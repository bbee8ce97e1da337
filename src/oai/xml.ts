/**
 * XML 1.0 escaping for text and attribute values. Characters XML 1.0 cannot carry at all
 * (C0 controls other than tab/LF/CR, lone surrogates, U+FFFE/U+FFFF) become U+FFFD, so a
 * response stays well-formed whatever a request or a record contains.
 */

// eslint-disable-next-line no-control-regex
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const TEXT_SPECIAL = /[&<>]/g;
const ATTRIBUTE_SPECIAL = /[&<>"\t\n\r]/g;
const ENTITY: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

export function hasNonXmlChars(value: string): boolean {
  NOT_XML_CHAR.lastIndex = 0;
  return NOT_XML_CHAR.test(value);
}

// Plain text (the common case: identifiers, datestamps, setSpecs) passes one test, not two replaces.
const TEXT_PLAIN = /^[\t\n\r\u0020-\u0025\u0027-\u003B\u003D\u003F-\uD7FF\uE000-\uFFFD]*$/;

export function escapeText(value: string): string {
  if (TEXT_PLAIN.test(value)) return value;
  return value.replace(NOT_XML_CHAR, '\uFFFD').replace(TEXT_SPECIAL, (c) => ENTITY[c]!);
}

/** Attribute value, double-quoted; whitespace kept as character references (no normalisation). */
export function escapeAttribute(value: string): string {
  return value.replace(NOT_XML_CHAR, '\uFFFD').replace(ATTRIBUTE_SPECIAL, (c) => ENTITY[c]!);
}

/** A writer's fragment for embedding: its XML declaration, if any, removed. */
export function stripXmlDeclaration(xml: string): string {
  return xml.replace(/^\uFEFF?<\?xml[^?]*\?>\s*/, '');
}
