// Public API of the import capability: record files (JSON, JSON Lines, XML, CSV/TSV) streamed
// into the store in bounded transactions, with strict text decoding; re-exported from src/index.ts.
export { importFiles, IMPORT_OUTCOMES, DEFAULT_BATCH_RECORDS as DEFAULT_IMPORT_BATCH_RECORDS, DEFAULT_BATCH_BYTES as DEFAULT_IMPORT_BATCH_BYTES } from './run.js';
export type { ImportOptions, ImportProgress, ImportSummary, ImportOutcome, OutcomeCounts as ImportOutcomeCounts } from './run.js';
export type { ImportItem, ReadOptions as ImportReadOptions } from './read.js';
export { classify as classifyImportFile, WALKED_EXTENSIONS as IMPORT_WALKED_EXTENSIONS, type FileKind as ImportFileKind } from './sources.js';
export { JsonSplitter, JsonLayoutError, type JsonValueSlice } from './json-split.js';
export { decodeUtf8 as decodeUtf8Strictly, Utf8ChunkDecoder, Utf16ChunkDecoder, describeProblem as describeDecodeProblem, type DecodeProblem } from './decode.js';
