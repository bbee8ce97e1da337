// The XML writers' one escaping function (src/formats/xml/escape.ts), checked two ways:
// - against xmlbuilder2's DOM serialisation, which the writers used before they assembled
//   strings (their output must not change), and
// - by reading the escaped XML back with libxml2: the text and attribute values are the
//   original strings, less the characters XML 1.0 cannot carry (XML 1.0 §2.2 Char), with
//   attribute whitespace normalised as §3.3.3 says a parser must.
import { XmlDocument, XmlElement } from 'libxml2-wasm';
import { create } from 'xmlbuilder2';
import { describe, expect, it } from 'vitest';
import { escapeXml } from '../src/formats/xml/escape.js';

interface DomDocument {
  createElement(name: string): DomElement;
  createTextNode(data: string): unknown;
  appendChild(node: unknown): unknown;
}
interface DomElement {
  setAttribute(name: string, value: string): void;
  appendChild(node: unknown): unknown;
}

// eslint-disable-next-line no-control-regex
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** What XML can carry of a string: the characters outside XML 1.0's Char production removed. */
function carried(value: string): string {
  return value.replace(NOT_XML_CHAR, '');
}

/**
 * xmlbuilder2's serialisation of <a x="value">value</a> built through its DOM, as the writers
 * built documents. xmlbuilder2 takes "&name;" and "&#123;" in a text for references and leaves
 * them unescaped, so the writers escaped exactly those ampersands before handing text to it;
 * the same is done here.
 */
function xmlbuilder2Serialisation(value: string): { text: string; attribute: string } {
  const safe = carried(value).replace(/&(?=[A-Za-z]+;|#\d+;)/g, '&amp;');
  const document = create({ version: '1.0', encoding: 'UTF-8' });
  const dom = document.node as unknown as DomDocument;
  const element = dom.createElement('a');
  element.setAttribute('x', safe);
  element.appendChild(dom.createTextNode(safe));
  dom.appendChild(element);
  const xml = document.end({ headless: true, prettyPrint: false });
  const match = /^<a x="([^"]*)">([^]*)<\/a>$/.exec(xml);
  if (!match) throw new Error(`unexpected serialisation ${JSON.stringify(xml)}`);
  return { attribute: match[1]!, text: match[2]! };
}

/** Text content and attribute value of <a x="...">...</a>, read by libxml2. */
function readBack(xml: string): { text: string; attribute: string } {
  const document = XmlDocument.fromString(xml);
  try {
    const root = document.root as XmlElement;
    return { text: root.content, attribute: root.attr('x')?.value ?? '' };
  } finally {
    document.dispose();
  }
}

const ODD_CASES: [string, string][] = [
  ['plain text', 'Plain title'],
  ['an escaped-looking entity in a title', 'Salt &amp; Pepper'],
  ['a numeric reference look-alike', 'x &#123; y &#x41; z'],
  ['an unknown entity look-alike', 'AT&T &foo; &bar'],
  ['a CDATA end', 'a ]]> b'],
  ['markup characters', '<b>bold</b> 5 < 7 > 3'],
  ['both quotes', `"double" and 'single'`],
  ['C0 control characters', 'a\u0000b\u0001c\u0008d\u000Be\u000Cf\u001Fg'],
  ['non-characters U+FFFE and U+FFFF', 'a\uFFFEb\uFFFFc'],
  ['a lone high surrogate', 'a\uD800b'],
  ['a lone low surrogate', 'a\uDC00b'],
  ['a surrogate pair (kept)', 'emoji \uD83D\uDE00 ok'],
  ['a high surrogate at the end', 'end\uD83D'],
  ['reversed surrogates', '\uDE00\uD83D'],
  ['tab, line feed and carriage return', 'a\tb\nc\r\nd\re'],
  ['non-Latin scripts', 'Соль и перец «кавычки» 中文 العربية'],
  ['an empty string', ''],
  ['only illegal characters', '\u0001\uFFFF\uD800'],
];

describe('escapeXml: the writers\' one escaping function', () => {
  it.each(ODD_CASES)('%s: as xmlbuilder2 serialised it, in text and in attributes', (_label, value) => {
    const reference = xmlbuilder2Serialisation(value);
    expect(escapeXml(value)).toBe(reference.text);
    expect(escapeXml(value, true)).toBe(reference.attribute);
  });

  it.each(ODD_CASES)('%s: reads back as the original, less what XML cannot carry', (_label, value) => {
    const back = readBack(`<a x="${escapeXml(value, true)}">${escapeXml(value)}</a>`);
    const expected = carried(value);
    // XML 1.0 §2.11 normalises line ends in text; §3.3.3 turns tab, LF and CR in attributes into spaces.
    expect(back.text).toBe(expected.replace(/\r\n?/g, '\n'));
    expect(back.attribute).toBe(expected.replace(/\r\n?/g, '\n').replace(/[\t\n]/g, ' '));
  });

  it('agrees with xmlbuilder2 and reads back on 3,000 random strings of awkward characters', () => {
    const alphabet = ['&', '<', '>', '"', "'", ']', ';', '#', 'a', 'Z', '1', 'x', ' ', '\t', '\n', '\r', '\u0000', '\u0007', '\u001F',
      '\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\uD83D', '\uDE00', '\uFFFE', '\uFFFF', '\uFFFD', 'é', 'Ж', '中', 'amp', '&amp;', '&#9;'];
    let seed = 42;
    const random = () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    for (let i = 0; i < 3000; i++) {
      const length = Math.floor(random() * 12);
      let value = '';
      for (let k = 0; k < length; k++) value += alphabet[Math.floor(random() * alphabet.length)];
      const reference = xmlbuilder2Serialisation(value);
      expect(escapeXml(value), JSON.stringify(value)).toBe(reference.text);
      expect(escapeXml(value, true), JSON.stringify(value)).toBe(reference.attribute);
      const back = readBack(`<a x="${escapeXml(value, true)}">${escapeXml(value)}</a>`);
      expect(back.text, JSON.stringify(value)).toBe(carried(value).replace(/\r\n?/g, '\n'));
    }
  });

  it('returns the same string object when there is nothing to escape (no copy for most values)', () => {
    const value = 'A perfectly ordinary title';
    expect(escapeXml(value)).toBe(value);
    expect(escapeXml(`${value} "quoted"`)).toBe(`${value} "quoted"`);
    expect(escapeXml(`${value} "quoted"`, true)).toBe(`${value} &quot;quoted&quot;`);
  });
});
