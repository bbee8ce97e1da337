// Public API of the oai capability; re-exported from src/index.ts.
export { handleOaiRequest, answerOaiRequest, oaiErrorResponse, type OaiArguments, type OaiPart } from './engine.js';
export {
  fragmentKey,
  prerenderedFormats,
  renderFragments,
  prerenderRecords,
  prerenderingRecords,
  withPrerendering,
  rerenderFragments,
  runRerenderJob,
  type RenderItem,
  type RerenderOptions,
  type RerenderCounts,
} from './fragments.js';
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
export { OAI_STYLESHEET } from './stylesheet.js';
