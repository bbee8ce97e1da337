// Public API of the store capability; re-exported from src/index.ts. Drivers, SQL and
// migrations stay inside src/store/sqlite and src/store/postgres.
import { openSqliteStore } from './sqlite/store.js';
import { parseStoreTarget, type StoreTarget } from './target.js';
import type { Store } from './types.js';

export * from './types.js';
export { parseStoreTarget, resolveStoreTarget, describeStoreTarget, isPostgresUrl, type StoreTarget } from './target.js';
export { recordSetSpecs, recordSets, journalSetSpec, slugifySetSpecPart, SET_SPEC_PATTERN } from './setSpecs.js';
export { scopedRecords } from './scope.js';
export { HARVESTED_PREFIX, harvestedLocalId, isHarvestedLocalId, ownProvenance, harvestedProvenance } from './provenance.js';
export { contentHash as recordContentHash, toDatestamp as toOaiDatestamp } from './canonical.js';

export interface OpenStoreOptions {
  /** Source of record datestamps (seconds are kept). Default: the system clock. */
  clock?: () => Date;
}

/**
 * Opens the store `target` names: a PostgreSQL URL (postgres:// or postgresql://) or a SQLite
 * file (created when missing), with every migration applied. Close it when done.
 */
export function openStore(target: StoreTarget | string, options: OpenStoreOptions = {}): Promise<Store> {
  const resolved = typeof target === 'string' ? parseStoreTarget(target) : target;
  // The PostgreSQL driver is loaded only for a PostgreSQL store (a SQLite run never needs it).
  if (resolved.kind === 'postgres') return import('./postgres/store.js').then(({ openPostgresStore }) => openPostgresStore(resolved.url, options));
  try {
    return Promise.resolve(openSqliteStore(resolved.path, options));
  } catch (error) {
    return Promise.reject(error as Error);
  }
}
export { migrateStore, type MigrationReport, type TableDump } from './migrate.js';
