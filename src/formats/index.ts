// Public API of the formats capability; re-exported from src/index.ts.
export type {
  FormatDescriptor,
  FormatWriteOptions,
  FormatValidation,
  FormatOaiInfo,
  FormatBatching,
  DepositHead,
  XmlRoot,
} from './descriptor.js';
export { defineFormat } from './define.js';
export { FORMATS, formatIds, findFormat, oaiFormats, type FormatId, type FormatList } from './registry.js';
export { detectSchema, detectXmlFormat, describeKnownRoots, formatForRoot, documentRoot, OAI_PMH_SCHEMA_ID } from './detect.js';
export { ExportError, type ExportFormat } from './errors.js';
export { oaiDcFormat, toOaiDc, OAI_DC_SCHEMA_LOCATION, type OaiDcOptions } from './oai_dc/index.js';
export { jatsFormat, toJats, JATS_OAI_NAMESPACE, JATS_OAI_SCHEMA_LOCATION, type JatsOptions } from './jats/index.js';
export {
  crossrefFormat,
  toCrossref,
  assertCrossrefExportable,
  nextCrossrefTimestamp,
  CROSSREF_SCHEMA_LOCATION,
  CROSSREF_MAX_DEPOSIT_BYTES,
  CROSSREF_DEFAULT_BATCH_RECORDS,
  type CrossrefHeadOptions,
} from './crossref/index.js';
export * from './readers/index.js';
