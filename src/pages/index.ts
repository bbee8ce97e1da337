// Public API of the pages capability (server-side HTML for people); re-exported from src/index.ts.
export { createPagesHandler, type PagesOptions } from './handler.js';
export { escapeHtml, jsonLdScript, metaTag, type SafeHtml } from './html.js';
export { prefersHtml } from './negotiate.js';
export { textDirection } from './language.js';
export { recordPath, exportPath, parseRecordPath } from './paths.js';
export { checkAdminToken, type AdminAccess } from './admin.js';
export { storePagesDeps, repositoryDescription, recordHead, formatAvailability, type StorePagesOptions } from './storeDeps.js';
export type {
  PagesDeps,
  PageRecord,
  SearchHit,
  ExportFormatInfo,
  ExportResult,
  OaiFormatInfo,
  RepositoryDescription,
  RepositoryStats,
  HarvestSourceView,
  DepositView,
  DepositStateView,
  JobRunView,
  StatusFilters,
  StatusData,
  OaiRequestArguments,
  FormatAvailability,
} from './types.js';
