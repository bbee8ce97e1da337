// The schemas pubmeta validates against, compiled lazily, once per process, and kept.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import { XmlDocument, XmlLibError, XsdValidator } from 'libxml2-wasm';
import { JATS_ID_ATTRIBUTES } from './id-attributes.js';
import { OFFICIAL_SCHEMA_DIR, defineVirtualSchema, withSchemaLoading } from './resolver.js';

export type SchemaId = 'oai_dc' | 'jats' | 'crossref-5.3.1' | 'crossref-5.3.0' | 'oai-pmh' | 'datacite-4.7' | 'openaire-4' | 'oai-pmh-openaire';

export const SCHEMA_IDS: readonly SchemaId[] = ['oai_dc', 'jats', 'crossref-5.3.1', 'crossref-5.3.0', 'oai-pmh', 'datacite-4.7', 'openaire-4', 'oai-pmh-openaire'];

/** The namespace the OAI provider puts JATS in (PMC's OAI service does the same). */
const JATS_OAI_NS = 'https://jats.nlm.nih.gov/ns/archiving/1.3/';

const OAI_RESPONSE_WRAPPER = 'pubmeta-oai-pmh-response.xsd';
const JATS_NAMESPACED_WRAPPER = 'pubmeta-jats-oai-namespace.xsd';
const JATS_DRIVER = 'jats/JATS-journalpublishing1-3-mathml3.xsd';

interface SchemaDefinition {
  description: string;
  /** Entry document, relative to schemas/official/. */
  entry: string;
  /** In-memory schema documents (relative path -> source), never written to disk. */
  virtual?: Record<string, string>;
  /**
   * Documents for this schema may be validated many to one parsed document (validateXmlMany):
   * each root element on its own, as if it were its document. `idAttributes` are the
   * attributes of type ID, IDREF or IDREFS, whose values must stay unique per document.
   */
  manyPerDocument?: { idAttributes?: ReadonlySet<string> };
}



// JATS is a no-namespace vocabulary, but OAI-PMH.xsd only admits metadata from another
// namespace, strictly validated (<any namespace="##other" processContents="strict"/>).
// The provider therefore serves JATS in JATS_OAI_NS, and we validate it by chameleon-including
// the official no-namespace JATS 1.3 schema into a wrapper whose targetNamespace is
// JATS_OAI_NS (XSD 1.0 §4.2.1: included no-namespace components take the includer's
// namespace).
//
// libxml2 quirk this works around: while it parses a chameleon-included document, it also
// applies the namespace conversion to the schemas that document imports, so ALI's module
// (which refers to the no-namespace group "license-ref-model") would resolve that reference
// in the ALI namespace and fail to compile. Importing the no-namespace JATS driver first
// makes libxml2 parse ALI (and xlink, MathML) normally, once; the chameleon include's own
// imports of those namespaces are then skipped as already imported. The no-namespace JATS
// components are loaded as a side effect; ##other still rejects no-namespace metadata.
const OAI_RESPONSE_WRAPPER_SOURCE = `<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:pubmeta:validation:oai-pmh-response">
  <xs:import namespace="http://www.w3.org/XML/1998/namespace" schemaLocation="oai-pmh/xml.xsd"/>
  <xs:import schemaLocation="${JATS_DRIVER}"/>
  <xs:import namespace="http://www.openarchives.org/OAI/2.0/" schemaLocation="oai-pmh/OAI-PMH.xsd"/>
  <xs:import namespace="http://www.openarchives.org/OAI/2.0/oai_dc/" schemaLocation="oai-pmh/oai_dc.xsd"/>
  <xs:import namespace="http://www.openarchives.org/OAI/2.0/oai-identifier" schemaLocation="oai-pmh/oai-identifier.xsd"/>
  <xs:import namespace="http://www.openarchives.org/OAI/2.0/provenance" schemaLocation="oai-pmh/provenance.xsd"/>
  <xs:import namespace="${JATS_OAI_NS}" schemaLocation="${JATS_NAMESPACED_WRAPPER}"/>
</xs:schema>
`;

const JATS_NAMESPACED_WRAPPER_SOURCE = `<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="${JATS_OAI_NS}" xmlns="${JATS_OAI_NS}">
  <xs:include schemaLocation="${JATS_DRIVER}"/>
</xs:schema>
`;

// OAI-PMH responses carrying oai_openaire records. OpenAIRE brings its own Dublin Core schema
// (dc.xsd, with the abstract dc:any its dcterms.xsd substitutes for) for the namespace that
// oai_dc.xsd takes from simpledc20021212.xsd (which has no dc:any): libxml2 keeps the first
// schema imported for a namespace, so the two cannot share one compiled schema. A response
// carries one metadataPrefix, so oai_openaire responses are validated by this one.
const OAI_OPENAIRE_RESPONSE_WRAPPER = 'pubmeta-oai-pmh-openaire-response.xsd';
const OAI_OPENAIRE_RESPONSE_WRAPPER_SOURCE = `<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:pubmeta:validation:oai-pmh-openaire-response">
  <xs:import namespace="http://www.w3.org/XML/1998/namespace" schemaLocation="oai-pmh/xml.xsd"/>
  <xs:import namespace="http://www.openarchives.org/OAI/2.0/" schemaLocation="oai-pmh/OAI-PMH.xsd"/>
  <xs:import namespace="http://www.openarchives.org/OAI/2.0/oai-identifier" schemaLocation="oai-pmh/oai-identifier.xsd"/>
  <xs:import namespace="http://www.openarchives.org/OAI/2.0/provenance" schemaLocation="oai-pmh/provenance.xsd"/>
  <xs:import namespace="http://namespace.openaire.eu/schema/oaire/" schemaLocation="openaire/4.0/openaire.xsd"/>
</xs:schema>
`;

const DEFINITIONS: Record<SchemaId, SchemaDefinition> = {
  oai_dc: { description: 'OAI-PMH Dublin Core (oai_dc.xsd)', entry: 'oai-pmh/oai_dc.xsd', manyPerDocument: {} },
  jats: { description: 'JATS 1.3 Journal Publishing, MathML 3', entry: JATS_DRIVER, manyPerDocument: { idAttributes: JATS_ID_ATTRIBUTES } },
  'crossref-5.3.1': { description: 'Crossref deposit schema 5.3.1', entry: 'crossref/crossref5.3.1.xsd' },
  'crossref-5.3.0': { description: 'Crossref deposit schema 5.3.0', entry: 'crossref/crossref5.3.0.xsd' },
  'oai-pmh': {
    description: `OAI-PMH 2.0 response (OAI-PMH.xsd with oai_dc, oai-identifier, provenance and JATS 1.3 in ${JATS_OAI_NS})`,
    entry: OAI_RESPONSE_WRAPPER,
    virtual: {
      [OAI_RESPONSE_WRAPPER]: OAI_RESPONSE_WRAPPER_SOURCE,
      [JATS_NAMESPACED_WRAPPER]: JATS_NAMESPACED_WRAPPER_SOURCE,
    },
  },
  'datacite-4.7': { description: 'DataCite Metadata Schema 4.7 (kernel-4)', entry: 'datacite/kernel-4.7/metadata.xsd' },
  // OpenAIRE's application profile brings its own DataCite 4.1-based datacite-v4.xsd for the
  // kernel-4 namespace, so it is compiled on its own, never beside datacite-4.7.
  'openaire-4': { description: 'OpenAIRE Guidelines for Literature Repositories 4.0 (oai_openaire)', entry: 'openaire/4.0/openaire.xsd' },
  'oai-pmh-openaire': {
    description: 'OAI-PMH 2.0 response carrying oai_openaire records (OAI-PMH.xsd with oai-identifier, provenance and OpenAIRE 4.0)',
    entry: OAI_OPENAIRE_RESPONSE_WRAPPER,
    virtual: { [OAI_OPENAIRE_RESPONSE_WRAPPER]: OAI_OPENAIRE_RESPONSE_WRAPPER_SOURCE },
  },
};

/** Whether `id` names a schema registered here (format descriptors name theirs by string). */
export function isSchemaId(id: string): id is SchemaId {
  return Object.hasOwn(DEFINITIONS, id);
}

export function describeSchema(id: SchemaId): string {
  return DEFINITIONS[id].description;
}

/** Thrown when an official schema cannot be compiled (missing files, a refused URL, a schema error). */
export class XsdCompileError extends Error {
  constructor(
    message: string,
    readonly refusedResources: string[] = [],
  ) {
    super(message);
    this.name = 'XsdCompileError';
  }
}

export interface CompiledXsd {
  validator: XsdValidator;
  /** libxml2's compiled schema may point into its source tree, so the tree lives as long. */
  document: XmlDocument;
}

/**
 * Compiles one schema document. `path` is where it is (or pretends to be, for in-memory
 * `source`) under schemas/official/, so relative schemaLocations resolve there.
 */
export function compileXsdDocument(path: string, source?: string): CompiledXsd {
  const { result, error, refused } = withSchemaLoading(() => {
    const document = XmlDocument.fromBuffer(source === undefined ? readFileSync(path) : new TextEncoder().encode(source), { url: path });
    try {
      return { document, validator: XsdValidator.fromDoc(document) };
    } catch (compileError) {
      document.dispose();
      throw compileError;
    }
  });
  if (refused.length > 0) {
    if (result) {
      result.validator.dispose();
      result.document.dispose();
    }
    const missingLocal = refused.filter((r) => r.startsWith(OFFICIAL_SCHEMA_DIR));
    const hint = missingLocal.length > 0 ? ' (schemas/official/ is incomplete: run `npm run fetch-schemas`)' : '';
    throw new XsdCompileError(
      `${path}: the schema needs resources that are not mapped to local files, and validation never uses the network: ${refused.join(', ')}${hint}`,
      refused,
    );
  }
  if (error !== undefined || !result) {
    const details = error instanceof XmlLibError
      ? error.details.filter((d) => d.level >= 2).map((d) => `${d.file ?? path}:${d.line}: ${d.message.trim()}`)
      : [error instanceof Error ? error.message : String(error)];
    throw new XsdCompileError(`${path}: schema does not compile:\n${details.join('\n')}`);
  }
  return result;
}

const compiled = new Map<SchemaId, CompiledXsd>();
let compileCount = 0;

/** The compiled schema for `id`, compiling it on first use. */
export function compiledSchema(id: string): XsdValidator {
  const cached = compiled.get(id as SchemaId);
  if (cached) return cached.validator;
  if (!isSchemaId(id)) throw new Error(`unknown schema id ${JSON.stringify(id)}; expected one of ${SCHEMA_IDS.join(', ')}`);
  const definition = DEFINITIONS[id];
  for (const [file, source] of Object.entries(definition.virtual ?? {})) {
    defineVirtualSchema(join(OFFICIAL_SCHEMA_DIR, file), source);
  }
  const entryPath = join(OFFICIAL_SCHEMA_DIR, definition.entry);
  const entrySource = definition.virtual?.[definition.entry];
  if (entrySource === undefined && !existsSync(entryPath)) {
    throw new XsdCompileError(`${entryPath} not found: the official XSDs are not installed (run \`npm run fetch-schemas\`)`);
  }
  const result = compileXsdDocument(entryPath, entrySource);
  compiled.set(id, result);
  compileCount++;
  return result.validator;
}

/** How documents for a schema may be validated many at a time; undefined: one by one. */
export function manyPerDocument(id: string): SchemaDefinition['manyPerDocument'] {
  return isSchemaId(id) ? DEFINITIONS[id].manyPerDocument : undefined;
}

/** How many times a schema has been compiled in this process (each id at most once while cached). */
export function xsdCompileCount(): number {
  return compileCount;
}

/** Compiles schemas ahead of first use, for servers and benchmarks that should not pay it later. */
export function precompileSchemas(ids: readonly SchemaId[] = SCHEMA_IDS): void {
  for (const id of ids) compiledSchema(id);
}

/** Frees compiled schemas (all by default); they are compiled again on next use. */
export function releaseCompiledSchemas(ids: readonly SchemaId[] = [...compiled.keys()]): void {
  for (const id of ids) {
    const entry = compiled.get(id);
    if (!entry) continue;
    entry.validator.dispose();
    entry.document.dispose();
    compiled.delete(id);
  }
}

// Official JSON Schemas (draft-07), from schemas/official/ through the same manifest and fetch
// step as the XSDs, validated with ajv. Used as published: strict mode would reject their
// annotation keywords ("examples").
export type JsonSchemaId = 'csl-data';

export const JSON_SCHEMA_IDS: readonly JsonSchemaId[] = ['csl-data'];

const JSON_DEFINITIONS: Record<JsonSchemaId, SchemaDefinition> = {
  'csl-data': { description: 'CSL-JSON input data 1.0 (csl-data.json)', entry: 'csl/csl-data.json' },
};

export interface JsonValidationIssue {
  /** JSON pointer of the offending value ("" for the document). */
  pointer: string;
  message: string;
}

export interface JsonValidationResult {
  valid: boolean;
  errors: JsonValidationIssue[];
}

// ajv is CommonJS; under NodeNext the default import is module.exports.
type AjvClass = typeof AjvModule.default;
const Ajv = ((AjvModule as unknown as { default?: AjvClass }).default ?? AjvModule) as AjvClass;
const compiledJson = new Map<string, ValidateFunction>();

export function describeJsonSchema(id: JsonSchemaId): string {
  return JSON_DEFINITIONS[id].description;
}

function compiledJsonSchema(id: string): ValidateFunction {
  const cached = compiledJson.get(id);
  if (cached) return cached;
  const definition = (JSON_DEFINITIONS as Record<string, SchemaDefinition | undefined>)[id];
  if (!definition) throw new Error(`unknown JSON schema id ${JSON.stringify(id)}; expected one of ${JSON_SCHEMA_IDS.join(', ')}`);
  const path = join(OFFICIAL_SCHEMA_DIR, definition.entry);
  if (!existsSync(path)) throw new XsdCompileError(`${path} not found: the official schemas are not installed (run \`npm run fetch-schemas\`)`);
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(JSON.parse(readFileSync(path, 'utf8')) as object);
  compiledJson.set(id, validate);
  return validate;
}

function jsonIssue(error: ErrorObject): JsonValidationIssue {
  const detail = error.params && 'allowedValues' in error.params ? `: ${(error.params.allowedValues as unknown[]).join(', ')}` : '';
  const property = error.params && 'additionalProperty' in error.params ? ` (${String(error.params.additionalProperty)})` : '';
  return { pointer: error.instancePath, message: `${error.message ?? 'is invalid'}${property}${detail}` };
}

/** Validates a parsed JSON value against an official JSON Schema. */
export function validateJson(value: unknown, id: JsonSchemaId | (string & {})): JsonValidationResult {
  const validate = compiledJsonSchema(id);
  if (validate(value)) return { valid: true, errors: [] };
  return { valid: false, errors: (validate.errors ?? []).map(jsonIssue) };
}

/** Validates JSON text: a syntax error is reported like a schema error, at the document. */
export function validateJsonText(text: string, id: JsonSchemaId | (string & {})): JsonValidationResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { valid: false, errors: [{ pointer: '', message: `not JSON: ${error instanceof Error ? error.message : String(error)}` }] };
  }
  return validateJson(value, id);
}
