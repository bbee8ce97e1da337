// Public API of the worker capability; re-exported from src/index.ts.
export { PubmetaWorker, type WorkerJob, type JobContext, type WorkerOptions, type WorkerRunOutcome } from './worker.js';
export { JobLeases, keepLease, leaseOwnerName, ownerIsDeadHere, type HeldLease } from './leases.js';
export { JobRunLog } from './runs.js';
export {
  loadWorkerConfig,
  validateWorkerConfig,
  isValidCronPattern,
  WorkerConfigError,
  WORKER_CONFIG_SCHEMA_PATH,
  type WorkerConfig,
  type WorkerJobConfig,
  type HarvestSourceConfig,
  type ExportFormatName,
  type LoadedWorkerConfig,
} from './config.js';
export { createConfiguredWorker, loadCliWorkerConfig, resolveWorkerStoreTarget, DEFAULT_JOB_SCHEDULES, DEFAULT_START_CONFIG, type ConfiguredWorker } from './setup.js';
export { runExportJob, ExportJobFailures, type ExportJobOptions, type ExportCounts } from './jobs/export.js';
export { runHarvestJob, runHarvestSource, type HarvestJobCounts } from './jobs/harvest.js';
export { runDepositJob, depositCounts, type DepositJobCounts } from './jobs/deposit.js';
export { writeFileAtomic, AtomicFileBatch, sweepTempFiles, exportFileName } from './atomicWrite.js';
