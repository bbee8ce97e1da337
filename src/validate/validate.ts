import { ParseOption, XmlDocument, XmlError, XmlLibError, XmlValidateError, type ErrorDetail } from 'libxml2-wasm';
import { ensureDocumentLoadsRefused } from './resolver.js';
import { compiledSchema, type SchemaId } from './schemas.js';
import { SourcePositions, findExternalEntityReferences, indexElementPaths, sourceText, type ScannedStartTag } from './xml-scan.js';

export interface XmlValidationIssue {
  line: number;
  column: number;
  message: string;
}

export interface XmlValidationResult {
  valid: boolean;
  errors: XmlValidationIssue[];
}

// NOENT substitutes internal entities (libxml2's schema validator refuses entity reference
// nodes) under libxml2's default amplification limits; NO_XXE and NONET keep external
// entities and DTDs unloaded (and the input provider refuses them anyway). No DTDLOAD, no
// DTDVALID, no XINCLUDE. BIG_LINES: line numbers past 65535 in large harvest responses.
const DOCUMENT_PARSE_OPTIONS =
  ParseOption.XML_PARSE_NOENT | ParseOption.XML_PARSE_NONET | ParseOption.XML_PARSE_NO_XXE | ParseOption.XML_PARSE_BIG_LINES | ParseOption.XML_PARSE_COMPACT;

const XML_ERR_ERROR = 2;


function mayDeclareEntities(xml: string | Uint8Array): boolean {
  return typeof xml === 'string' ? xml.includes('<!ENTITY') : Buffer.from(xml.buffer, xml.byteOffset, xml.byteLength).includes('<!ENTITY');
}

function cleanMessage(message: string): string {
  return message.trim().replace(/\s*\n\s*/g, ' ');
}

function parseIssues(error: unknown, xml: string | Uint8Array): XmlValidationIssue[] {
  const details = error instanceof XmlLibError ? error.details.filter((d) => d.level >= XML_ERR_ERROR) : [];
  if (details.length === 0) {
    const empty = sourceText(xml).trim() === '';
    return [{ line: 1, column: 1, message: empty ? 'Document is empty' : `Not well-formed: ${error instanceof Error ? error.message.trim() : String(error)}` }];
  }
  return details.map((d) => ({ line: Math.max(d.line, 1), column: Math.max(d.col, 1), message: cleanMessage(d.message) }));
}

/** Pins libxml2's schema errors (line of the node, no column) to the start tag they are about. */
class ErrorLocator {
  private text: string | undefined;
  private positions: SourcePositions | undefined;
  private paths: Map<string, ScannedStartTag> | undefined;

  constructor(private readonly xml: string | Uint8Array) {}

  private source(): string {
    this.text ??= sourceText(this.xml);
    return this.text;
  }

  locate(detail: ErrorDetail): XmlValidationIssue {
    const message = cleanMessage(detail.message);
    const found = detail.xpath ? this.findNode(detail.xpath, message) : undefined;
    if (found !== undefined) return { ...this.sourcePositions().position(found), message };
    return { line: Math.max(detail.line, 1), column: Math.max(detail.col, 1), message };
  }

  private sourcePositions(): SourcePositions {
    this.positions ??= new SourcePositions(this.source());
    return this.positions;
  }

  private findNode(xpath: string, message: string): number | undefined {
    this.paths ??= indexElementPaths(this.source());
    const tag = this.paths.get(xpath.replace(/\/(?:@[^/]+|text\(\)(?:\[\d+\])?)$/, ''));
    if (!tag) return undefined;
    // libxml2 reports attribute errors on the element, naming the attribute in the message.
    const named = /^Element '[^']*', attribute '(?:\{([^}]*)\})?([^']+)'/.exec(message) ?? /\/@(?:[^:/]+:)?([^/:]+)$/.exec(xpath);
    const attributeLocal = named ? named[named.length - 1] : undefined;
    if (attributeLocal) {
      const attribute = tag.attributes.find((a) => a.name === attributeLocal)
        ?? tag.attributes.find((a) => a.name.slice(a.name.indexOf(':') + 1) === attributeLocal);
      if (attribute) return attribute.offset;
    }
    return tag.offset;
  }
}

/**
 * Validates an XML document against one of the official schemas. Never throws for bad
 * input: a document that is not well-formed is reported like a schema error, with line and
 * column. Throws only when the schema itself cannot be compiled (for example when
 * schemas/official/ has not been filled). `xml` may be a string or the raw bytes of a file
 * (then its XML declaration's encoding is honoured).
 */
export function validateXml(xml: string | Uint8Array, schema: SchemaId | string): XmlValidationResult {
  const validator = compiledSchema(schema);
  ensureDocumentLoadsRefused();

  const errors: XmlValidationIssue[] = [];
  if (mayDeclareEntities(xml)) {
    const text = sourceText(xml);
    const positions = new SourcePositions(text);
    for (const use of findExternalEntityReferences(text)) {
      errors.push({
        ...positions.position(use.offset),
        message: `Reference to external entity '${use.name}' (${JSON.stringify(use.systemId)}): external entities are never loaded, so the document cannot be validated as written`,
      });
    }
  }

  let document: XmlDocument;
  try {
    document = typeof xml === 'string'
      ? // Encoded by Node, not by the wasm glue's JavaScript loop: parsing is ~1.5x faster this way.
        XmlDocument.fromBuffer(Buffer.from(xml, 'utf8'), { option: DOCUMENT_PARSE_OPTIONS, encoding: 'utf-8' })
      : XmlDocument.fromBuffer(xml, { option: DOCUMENT_PARSE_OPTIONS });
  } catch (error) {
    if (!(error instanceof XmlError)) throw error;
    return { valid: false, errors: [...errors, ...parseIssues(error, xml)] };
  }

  try {
    validator.validate(document);
  } catch (error) {
    if (error instanceof XmlValidateError) {
      const locator = new ErrorLocator(xml);
      const seen = new Set<string>();
      for (const detail of error.details) {
        if (detail.level < XML_ERR_ERROR) continue;
        const issue = locator.locate(detail);
        const key = `${issue.line}:${issue.column}:${issue.message}`;
        if (!seen.has(key)) {
          seen.add(key);
          errors.push(issue);
        }
      }
      if (errors.length === 0) errors.push({ line: 1, column: 1, message: cleanMessage(error.message) || 'Document is not valid' });
    } else if (error instanceof XmlError) {
      errors.push({ line: 1, column: 1, message: `libxml2 could not validate the document: ${error.message}` });
    } else {
      throw error;
    }
  } finally {
    document.dispose();
  }
  return { valid: errors.length === 0, errors };
}

/** One line per error: `line:column message`. */
export function formatXmlErrors(errors: readonly XmlValidationIssue[]): string {
  return errors.map((e) => `${e.line}:${e.column} ${e.message}`).join('\n');
}
