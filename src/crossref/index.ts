// Public API of the crossref capability; re-exported from src/index.ts.
export { CrossrefClient, CROSSREF_TEST_URL, CROSSREF_PRODUCTION_URL, isCrossrefProduction } from './client.js';
export type { CrossrefClientOptions, CrossrefCredentials } from './client.js';
export { CrossrefDepositError, redactSecrets } from './errors.js';
export type { CrossrefErrorKind } from './errors.js';
export { parseRetryAfter } from '../http/retryAfter.js';
export { parseDepositAcknowledgement, parseBatchDiagnostic } from './responses.js';
export type { DepositAcknowledgement, BatchDiagnostic, BatchDiagnosticStatus, RecordDiagnostic, RecordDiagnosticStatus } from './responses.js';
export { CrossrefDepositState, depositTarget } from './state.js';
export { runCrossrefDeposit, checkCrossrefRecord } from './deposit.js';
export type {
  CrossrefDepositSettings,
  CrossrefDepositorIdentity,
  CrossrefDepositRunOptions,
  CrossrefDepositReport,
  DepositBatchReport,
  LocalDepositFailure,
} from './deposit.js';
export { resolveCrossrefSettings, resolveCrossrefIdentity, crossrefBaseUrl } from './settings.js';
export type { CrossrefConfigSection, ResolvedCrossrefSettings } from './settings.js';
