// Escaped string assembly for the DataCite and OpenAIRE writers: no DOM per record.
// The `formats` helper is writing the shared escaping function for all XML writers
// (src/formats/xml.ts, issue 10 item 3); when the branches meet, escapeXmlText and
// escapeXmlAttribute should become that one function.

/** Characters XML 1.0 cannot carry at all (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF). */
// eslint-disable-next-line no-control-regex
const XML_ILLEGAL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// eslint-disable-next-line no-control-regex
const TEXT_NEEDS_CARE = /[&<>\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;
// eslint-disable-next-line no-control-regex
const ATTRIBUTE_NEEDS_CARE = /[&<>"\t\n\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;

const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
// Tab, LF and CR as character references: attribute-value normalisation would turn them into spaces.
const ATTRIBUTE_ESCAPES: Record<string, string> = { ...TEXT_ESCAPES, '"': '&quot;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' };

/** Character data: markup characters escaped (">" too, so "]]>" cannot occur), illegal characters dropped. */
export function escapeXmlText(value: string): string {
  if (!TEXT_NEEDS_CARE.test(value)) return value;
  return value.replace(XML_ILLEGAL, '').replace(/[&<>]/g, (c) => TEXT_ESCAPES[c]!);
}

/** A double-quoted attribute value that reads back exactly (whitespace characters kept as references). */
export function escapeXmlAttribute(value: string): string {
  if (!ATTRIBUTE_NEEDS_CARE.test(value)) return value;
  return value.replace(XML_ILLEGAL, '').replace(/[&<>"\t\n\r]/g, (c) => ATTRIBUTE_ESCAPES[c]!);
}

export type XmlAttributes = Record<string, string | undefined>;

const INDENT = '  ';

/** Builds an indented XML document as a string, element by element. */
export class XmlWriter {
  private readonly parts: string[] = [];
  private depth = 0;

  constructor(declaration: boolean) {
    if (declaration) this.parts.push('<?xml version="1.0" encoding="UTF-8"?>\n');
  }

  /** Start tag of an element with element children. */
  open(name: string, attributes?: XmlAttributes): this {
    this.parts.push(INDENT.repeat(this.depth), '<', name, attributeList(attributes), '>\n');
    this.depth++;
    return this;
  }

  close(name: string): this {
    this.depth--;
    this.parts.push(INDENT.repeat(this.depth), '</', name, '>\n');
    return this;
  }

  /** An element holding text; nothing at all when the text is undefined. */
  text(name: string, value: string | undefined, attributes?: XmlAttributes): this {
    if (value === undefined) return this;
    this.parts.push(INDENT.repeat(this.depth), '<', name, attributeList(attributes));
    this.parts.push(value === '' ? '/>\n' : `>${escapeXmlText(value)}</${name}>\n`);
    return this;
  }

  /** An element holding text runs separated by an empty element (DataCite's <br/> in descriptions). */
  textWithBreaks(name: string, runs: readonly string[], breakElement: string, attributes?: XmlAttributes): this {
    const body = runs.map(escapeXmlText).join(`<${breakElement}/>`);
    this.parts.push(INDENT.repeat(this.depth), '<', name, attributeList(attributes), '>', body, '</', name, '>\n');
    return this;
  }

  toString(): string {
    return this.parts.join('');
  }
}

function attributeList(attributes: XmlAttributes | undefined): string {
  if (!attributes) return '';
  let out = '';
  for (const name in attributes) {
    const value = attributes[name];
    if (value !== undefined) out += ` ${name}="${escapeXmlAttribute(value)}"`;
  }
  return out;
}
