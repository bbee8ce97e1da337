// The one escaping function of the XML writers. Every text node and attribute value they
// write goes through it. It gives exactly what xmlbuilder2's DOM serialisation gave the
// writers before they assembled strings (test/xml-escape.test.ts compares the two).

// Characters XML 1.0 cannot carry at all (§2.2 Char): C0 controls other than tab, line feed
// and carriage return, U+FFFE, U+FFFF, and surrogates that are not part of a pair. The model
// should never hold them; a writer must not emit them, so they are dropped.
// eslint-disable-next-line no-control-regex
const ILLEGAL_SOURCE = '[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\uFFFE\\uFFFF]|[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]';
const ILLEGAL_ANY = new RegExp(ILLEGAL_SOURCE);
const ILLEGAL_ALL = new RegExp(ILLEGAL_SOURCE, 'g');

// One test settles most values: nothing to escape and nothing that could be illegal.
// eslint-disable-next-line no-control-regex
const TEXT_NEEDS_CARE = /[&<>\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;
// eslint-disable-next-line no-control-regex
const ATTRIBUTE_NEEDS_CARE = /[&<>"\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;

/**
 * `value` as XML character data (`inAttribute` false) or as a double-quoted attribute value
 * (true): characters XML cannot carry dropped, then "&", "<" and ">" escaped, and '"' in
 * attributes. Every "&" is escaped, including one that starts something like "&amp;" or
 * "&#123;": the text says "&amp;", so the XML must say "&amp;amp;". Tab, line feed and
 * carriage return are written as they are, also in attributes (as the DOM serialisation does).
 */
export function escapeXml(value: string, inAttribute = false): string {
  if (!(inAttribute ? ATTRIBUTE_NEEDS_CARE : TEXT_NEEDS_CARE).test(value)) return value;
  let out = ILLEGAL_ANY.test(value) ? value.replace(ILLEGAL_ALL, '') : value;
  if (out.includes('&')) out = out.replace(/&/g, '&amp;');
  if (out.includes('<')) out = out.replace(/</g, '&lt;');
  if (out.includes('>')) out = out.replace(/>/g, '&gt;');
  if (inAttribute && out.includes('"')) out = out.replace(/"/g, '&quot;');
  return out;
}
