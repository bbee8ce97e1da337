// Public API of the validate capability; re-exported from src/index.ts.
export { validateXml, formatXmlErrors, detectSchema, describeRootElement } from './validate.js';
export type { XmlValidationIssue, XmlValidationResult } from './validate.js';
export {
  SCHEMA_IDS,
  describeSchema,
  precompileSchemas,
  releaseCompiledSchemas,
  xsdCompileCount,
  XsdCompileError,
} from './schemas.js';
export type { SchemaId } from './schemas.js';
