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

/** The harvest counts of every source added up (requests aside), plus how many sources ran and failed. */
export interface HarvestJobCounts extends Omit<HarvestRunCounts, 'requests'> {
  sources: number;
  failedSources: number;
  [key: string]: number;
}

/**
 * Harvests every source in the store in turn (from the config or `pubmeta harvest add`) (incrementally, continuing any interrupted list
 * sequence); valid records land in the record store. On stop, the page in progress is
 * committed with its resumption token and the remaining sources wait for the next run.
 */
export async function runHarvestJob(options: {
  store: Store;
  signal?: AbortSignal;
  logger?: Logger;
  onProgress?: (counts: HarvestJobCounts) => void;
}): Promise<HarvestJobCounts> {
  const counts: HarvestJobCounts = { sources: 0, failedSources: 0, pages: 0, records: 0, created: 0, updated: 0, unchanged: 0, deleted: 0, invalid: 0, quarantined: 0 };
  const failures: string[] = [];
  for (const source of await options.store.harvest.listSources()) {
    if (options.signal?.aborted) break;
    const summary: HarvestRunSummary = await runHarvest(options.store, source.name, {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    });
    counts.sources++;
    for (const key of ['pages', 'records', 'created', 'updated', 'unchanged', 'deleted', 'invalid', 'quarantined'] as const) counts[key] += summary[key];
    if (summary.status === 'failed') {
      counts.failedSources++;
      failures.push(`${source.name}: ${summary.reason ?? 'failed'}`);
    }
    options.onProgress?.({ ...counts });
  }
  if (failures.length > 0) {
    const error = new Error(`harvest failed for ${failures.join('; ')}`);
    (error as Error & { counts?: HarvestJobCounts }).counts = counts;
    throw error;
  }
  return counts;
}
