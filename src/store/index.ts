// Public API of the store capability; re-exported from src/index.ts.
export * from './db.js';
export * from './types.js';
export { SqliteRecordStore, RECORD_STORE_MIGRATIONS, type SqliteRecordStoreOptions, type ListOptions } from './sqliteRecordStore.js';
export { recordSetSpecs, recordSets, journalSetSpec, slugifySetSpecPart, SET_SPEC_PATTERN } from './setSpecs.js';
export { contentHash as recordContentHash, toDatestamp as toOaiDatestamp } from './canonical.js';
