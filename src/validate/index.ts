// Public API of the validate capability; re-exported from src/index.ts.
export { validateXml, formatXmlErrors } from './validate.js';
export { validateXmlMany } from './many.js';
export { ValidationThread } from './pool.js';
export { validateJson, validateJsonText, JSON_SCHEMA_IDS, type JsonSchemaId, type JsonValidationIssue, type JsonValidationResult } from './schemas.js';
export { describeRootElement } from './xml-scan.js';
export type { XmlValidationIssue, XmlValidationResult } from './validate.js';
export {
  SCHEMA_IDS,
  describeSchema,
  isSchemaId,
  precompileSchemas,
  releaseCompiledSchemas,
  xsdCompileCount,
  XsdCompileError,
} from './schemas.js';
export type { SchemaId } from './schemas.js';
