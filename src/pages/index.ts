// Public API of the pages capability (server-side HTML for people); re-exported from src/index.ts.
export { createPagesHandler, type PagesOptions } from './handler.js';
export { escapeHtml, html, trustedHtml, jsonLdScript, metaTag, SafeHtml, type HtmlValue } from './html.js';
export { prefersHtml } from './negotiate.js';
export { textDirection, languageName } from './language.js';
export { recordPath, exportPath, parseRecordPath } from './paths.js';
export { checkAdminToken, type AdminAccess } from './admin.js';
export { PAGES_CSS } from './styles.js';
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
} from './types.js';
