// Validating many documents against one schema at the price of few: libxml2 (as WebAssembly)
// spends much of a small document's validation on parsing and per-document set-up, so the
// documents are parsed together, as the children of one wrapper element, and each is then
// validated on its own against the schema's global element declarations
// (xmlSchemaValidateOneElement), exactly as if it were its document. Every document is still
// checked in full; only a document that fails is validated again alone, so its errors carry
// its own lines and columns and name it.
//
// Soundness, for the schemas that allow it (manyPerDocument in schemas.ts):
// - only documents that are a plain XML declaration plus one element qualify (no DOCTYPE,
//   comments or processing instructions whose meaning could change); others go one by one;
// - the wrapper declares no namespace, so the documents inherit none;
// - ID/IDREF(S) values, unique per document, get a per-document suffix in start tags only.
//   Appending NCName characters keeps a valid value valid and an invalid one invalid (the
//   first character is untouched; empty values are left empty), and keeps distinct values
//   distinct, so uniqueness within a document is judged as before. libxml2 does not check
//   that IDREFs resolve, in either mode.
import { ParseOption, XmlDocument, XmlElement, XmlError, XmlValidateError } from 'libxml2-wasm';
import { ensureDocumentLoadsRefused } from './resolver.js';
import { compiledSchema, manyPerDocument } from './schemas.js';
import { validateXml, type XmlValidationResult } from './validate.js';

const PARSE_OPTIONS = ParseOption.XML_PARSE_NONET | ParseOption.XML_PARSE_NO_XXE | ParseOption.XML_PARSE_BIG_LINES | ParseOption.XML_PARSE_COMPACT;

// What qualifies: an optional XML declaration, then the root element and nothing but whitespace after it.
const DECLARATION = /^<\?xml\s[^?]*\?>\s*/;
const PROLOG_OR_MARKUP = /<[!?]/;

/** The document without its declaration, or undefined when it has anything else before or around its element. */
function bareElement(xml: string): string | undefined {
  const declaration = DECLARATION.exec(xml);
  const body = declaration ? xml.slice(declaration[0].length) : xml.trimStart();
  // "<!" and "<?" start every comment, CDATA section, DOCTYPE and processing instruction: one scan finds any.
  if (!body.startsWith('<') || PROLOG_OR_MARKUP.test(body)) return undefined;
  return body.trimEnd();
}

const idAttributePatterns = new Map<ReadonlySet<string>, RegExp>();

/** ` name="` or ` name='` for any of the attributes, as one pattern (cached per set). */
function idAttributePattern(names: ReadonlySet<string>): RegExp {
  let pattern = idAttributePatterns.get(names);
  if (!pattern) {
    const alternatives = [...names].map((name) => name.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')).join('|');
    pattern = new RegExp(`\\s(?:${alternatives})\\s*=\\s*(["'])`, 'g');
    idAttributePatterns.set(names, pattern);
  }
  return pattern;
}

/**
 * Appends `suffix` to every token of the id attributes. Only inside start tags: a match is in
 * one when the last "<" before it comes after the last ">" ("<" never appears unescaped in
 * text or attribute values). A ">" inside a quoted value of the same tag can hide a match;
 * it then keeps its value, which at worst reports a duplicate id that the re-validation of
 * that document alone clears. Text is never changed.
 */
export function suffixIds(xml: string, idAttributes: ReadonlySet<string>, suffix: string): string {
  const pattern = idAttributePattern(idAttributes);
  pattern.lastIndex = 0;
  let out = '';
  let copied = 0;
  for (let match = pattern.exec(xml); match; match = pattern.exec(xml)) {
    if (xml.lastIndexOf('<', match.index) < xml.lastIndexOf('>', match.index)) continue;
    const valueStart = match.index + match[0].length;
    const valueEnd = xml.indexOf(match[1]!, valueStart);
    if (valueEnd < 0) break;
    out += xml.slice(copied, valueStart) + xml.slice(valueStart, valueEnd).replace(/\S+/g, (token) => token + suffix);
    copied = valueEnd;
    pattern.lastIndex = valueEnd;
  }
  return copied === 0 ? xml : out + xml.slice(copied);
}

/**
 * Validates each document against `schema`; the results are in the order of the documents and
 * identical to validateXml's for each. Documents are validated together when the schema allows
 * it, else one by one.
 */
export function validateXmlMany(documents: readonly string[], schema: string): XmlValidationResult[] {
  const many = manyPerDocument(schema);
  const bodies = documents.map(bareElement);
  if (!many || documents.length < 2 || bodies.some((b) => b === undefined)) return documents.map((xml) => validateXml(xml, schema));

  const validator = compiledSchema(schema);
  ensureDocumentLoadsRefused();
  const idAttributes = many.idAttributes;
  let wrapped = '<pubmeta-validation-batch>';
  bodies.forEach((body, index) => {
    wrapped += '\n' + (idAttributes ? suffixIds(body!, idAttributes, `-v${index}`) : body!);
  });
  wrapped += '\n</pubmeta-validation-batch>';

  let document: XmlDocument;
  try {
    document = XmlDocument.fromBuffer(Buffer.from(wrapped, 'utf8'), { option: PARSE_OPTIONS, encoding: 'utf-8' });
  } catch (error) {
    if (!(error instanceof XmlError)) throw error;
    // Some document is not well-formed: find out which, one by one.
    return documents.map((xml) => validateXml(xml, schema));
  }
  const results: (XmlValidationResult | undefined)[] = [];
  try {
    let node = document.root.firstChild;
    while (node) {
      if (node instanceof XmlElement) {
        const index = results.length;
        try {
          validator.validate(node);
          results.push({ valid: true, errors: [] });
        } catch (error) {
          if (!(error instanceof XmlValidateError) && !(error instanceof XmlError)) throw error;
          // Its own errors, with its own lines and columns.
          results.push(validateXml(documents[index]!, schema));
        }
      }
      node = node.next;
    }
  } finally {
    document.dispose();
  }
  if (results.length !== documents.length) return documents.map((xml) => validateXml(xml, schema));
  return results as XmlValidationResult[];
}
