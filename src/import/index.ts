// Public API of the import capability: record files (JSON, JSON Lines, XML, CSV/TSV) streamed
// into the store in bounded transactions, with strict text decoding.
export { importFiles, IMPORT_OUTCOMES, DEFAULT_BATCH_RECORDS, DEFAULT_BATCH_BYTES, emptyCounts } from './run.js';
export type { ImportOptions, ImportProgress, ImportSummary, ImportOutcome, OutcomeCounts } from './run.js';
export type { ImportItem, ReadOptions } from './read.js';
export { walkPaths, sniffFile, classify, WALKED_EXTENSIONS, type FileKind, type SniffedFile } from './sources.js';
export { JsonSplitter, JsonLayoutError, type JsonValueSlice } from './json-split.js';
export { decodeUtf8, Utf8ChunkDecoder, Utf16ChunkDecoder, describeProblem, type DecodeProblem } from './decode.js';
