import type { Logger } from '../../log.js';
import type { HarvestRunCounts, Store } from '../../store/types.js';
import { addHarvestSource, runHarvest, type HarvestRunSummary } from '../../harvest/index.js';
import type { HarvestSourceConfig } from '../config.js';

/**
 * Puts the config file's sources into the store (added, or changed to match the config; a
 * changed list resets that source's sequence), so the harvest job finds them beside the sources
 * added with `pubmeta harvest add`. Sources only in the store are left alone.
 */
export async function upsertConfiguredSources(store: Store, sources: readonly HarvestSourceConfig[]): Promise<void> {
  for (const source of sources) {
    await addHarvestSource(
      store,
      { name: source.name, baseUrl: source.url, metadataPrefix: source.metadataPrefix ?? 'oai_dc', ...(source.set ? { set: source.set } : {}) },
      { replace: true },
    );
  }
}

/** The harvest counts of a source (requests aside), plus how many sources ran and failed. */
export interface HarvestJobCounts extends Omit<HarvestRunCounts, 'requests'> {
  sources: number;
  failedSources: number;
  [key: string]: number;
}

/**
 * One source of the store (added with `pubmeta harvest add`, or from the config file by
 * upsertConfiguredSources at start), as a unit of the shared harvest job: the worker holds the
 * unit's lease, so one worker at a time works on the source; runHarvest also holds the source's
 * own lease. A failed harvest throws (the unit's run is recorded failed, with its counts).
 */
export async function runHarvestSource(options: {
  store: Store;
  /** The source's name in the store. */
  source: string;
  signal?: AbortSignal;
  logger?: Logger;
  leaseTtlMs?: number;
}): Promise<HarvestJobCounts> {
  const { store, source } = options;
  const summary: HarvestRunSummary = await runHarvest(store, source, {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.leaseTtlMs ? { leaseTtlMs: options.leaseTtlMs } : {}),
  });
  const counts: HarvestJobCounts = { sources: 1, failedSources: summary.status === 'failed' ? 1 : 0, pages: 0, records: 0, created: 0, updated: 0, unchanged: 0, deleted: 0, invalid: 0, quarantined: 0 };
  for (const key of ['pages', 'records', 'created', 'updated', 'unchanged', 'deleted', 'invalid', 'quarantined'] as const) counts[key] += summary[key];
  if (summary.status === 'failed') {
    const error = new Error(`harvest of ${source} failed: ${summary.reason ?? 'failed'}`);
    (error as Error & { counts?: HarvestJobCounts }).counts = counts;
    throw error;
  }
  return counts;
}
