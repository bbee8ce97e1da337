// Public API of the oai capability; re-exported from src/index.ts.
export {
  handleOaiRequest,
  oaiErrorResponse,
  OAI_VERBS,
  OAI_PMH_NAMESPACE,
  type OaiArguments,
  type OaiVerb,
  type OaiError,
  type OaiErrorCode,
} from './engine.js';
export {
  checkOaiConfig,
  defaultStylesheetHref,
  DEFAULT_METADATA_FORMATS,
  oaiMetadataFormat,
  oaiMetadataFormats,
  DEFAULT_PAGE_SIZES,
  DEFAULT_TOKEN_TTL_SECONDS,
  OAI_DC_FORMAT,
  JATS_FORMAT,
  type OaiConfig,
  type OaiMetadataFormat,
} from './config.js';
export {
  createOaiRequestHandler,
  startOaiServer,
  negotiateEncoding as negotiateOaiContentEncoding,
  parseOaiArguments,
  type OaiRequestHandlerOptions,
  type StartOaiServerOptions,
  type RunningOaiServer,
} from './http.js';
export { oaiIdentifier, parseOaiIdentifier, encodeLocalIdentifier, REPOSITORY_IDENTIFIER_PATTERN } from './identifiers.js';
export { encodeResumptionToken, decodeResumptionToken, type ResumptionState, type ListVerb } from './tokens.js';
export { parseUtcDatetime as parseOaiUtcDatetime, type ParsedDate as OaiParsedDate, type Granularity as OaiGranularity } from './dates.js';
export { OAI_STYLESHEET } from './stylesheet.js';
