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

const PARSE_OPTIONS = ParseOption.XML_PARSE_NONET | ParseOption.XML_PARSE_NO_XXE | ParseOption.XML_PARSE_BIG_LINES;

// What qualifies: an optional XML declaration, then the root element and nothing but whitespace after it.
const DECLARATION = /^<\?xml\s[^?]*\?>\s*/;
const PROLOG_OR_MARKUP = /<[!?]/;
// A start tag: its quoted attribute values may hold ">" but never "<" (always escaped in XML).
const START_TAG = /<[A-Za-z_][^\s/>]*(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*\/?>/g;
const ATTRIBUTE = /(\s)([^\s=/>]+)(\s*=\s*)(?:"([^"]*)"|'([^']*)')/g;

/** The document without its declaration, or undefined when it has anything else before or around its element. */
function bareElement(xml: string): string | undefined {
  const declaration = DECLARATION.exec(xml);
  const body = declaration ? xml.slice(declaration[0].length) : xml.trimStart();
  // "<!" and "<?" start every comment, CDATA section, DOCTYPE and processing instruction: one scan finds any.
  if (!body.startsWith('<') || PROLOG_OR_MARKUP.test(body)) return undefined;
  return body.trimEnd();
}

function suffixIds(xml: string, idAttributes: ReadonlySet<string>, suffix: string): string {
  return xml.replace(START_TAG, (tag) =>
    tag.replace(ATTRIBUTE, (whole, space: string, name: string, equals: string, double?: string, single?: string) => {
      if (!idAttributes.has(name)) return whole;
      const value = (double ?? single ?? '').replace(/\S+/g, (token) => token + suffix);
      const quote = double !== undefined ? '"' : "'";
      return `${space}${name}${equals}${quote}${value}${quote}`;
    }),
  );
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
