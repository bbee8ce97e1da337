// Public API of the export capability; re-exported from src/index.ts.
export { runExport, type ExportItem, type ExportEvent, type ExportOptions, type ExportSummary } from './pipeline.js';
export { fileStem, idFromFileStem, formatDirectory, recordFilePath, batchFilePath } from './layout.js';
export { batchIdFor } from './batches.js';
export { checkOutputs, type OutputToCheck } from './check.js';
