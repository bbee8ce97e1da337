// Public API of the formats capability; re-exported from src/index.ts.
export { ExportError, type ExportFormat } from './errors.js';
export { toOaiDc, type OaiDcOptions } from './oai-dc.js';
export { toJats, JATS_OAI_NAMESPACE, JATS_OAI_SCHEMA_LOCATION, type JatsOptions } from './jats.js';
export { toCrossref, type CrossrefHeadOptions } from './crossref.js';
