// Public API of the formats capability; re-exported from src/index.ts.
// The readers (src/formats/read/) are re-exported at the end.
export { ExportError, type ExportFormat } from './errors.js';
export { toOaiDc, OAI_DC_SCHEMA_LOCATION, type OaiDcOptions } from './oai_dc/writer.js';
export { toJats, JATS_OAI_NAMESPACE, JATS_OAI_SCHEMA_LOCATION, type JatsOptions } from './jats/writer.js';
export { toCrossref, assertCrossrefExportable, nextCrossrefTimestamp, CROSSREF_SCHEMA_LOCATION, type CrossrefHeadOptions } from './crossref/writer.js';
export * from './read/index.js';
