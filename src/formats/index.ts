// Public API of the formats capability; re-exported from src/index.ts.
// The readers (src/formats/readers/) are re-exported at the end.
export { ExportError, type ExportFormat } from './errors.js';
export { toOaiDc, OAI_DC_SCHEMA_LOCATION, type OaiDcOptions } from './oai-dc.js';
export { toJats, JATS_OAI_NAMESPACE, JATS_OAI_SCHEMA_LOCATION, type JatsOptions } from './jats.js';
export { toCrossref, assertCrossrefExportable, nextCrossrefTimestamp, CROSSREF_SCHEMA_LOCATION, type CrossrefHeadOptions } from './crossref.js';
export * from './readers/index.js';
