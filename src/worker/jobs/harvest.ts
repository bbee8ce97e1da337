import type { Logger } from '../../log.js';
import type { HarvestRunCounts, Store } from '../../store/types.js';
import { addHarvestSource, runHarvest, type HarvestRunSummary } from '../../harvest/index.js';
import type { HarvestSourceConfig } from '../config.js';

/** The harvest counts of every source added up (requests aside), plus how many sources ran and failed. */
export interface HarvestJobCounts extends Omit<HarvestRunCounts, 'requests'> {
  sources: number;
  failedSources: number;
  [key: string]: number;
}

/**
 * Harvests each configured source in turn (incrementally, continuing any interrupted list
 * sequence); valid records land in the record store. On stop, the page in progress is
 * committed with its resumption token and the remaining sources wait for the next run.
 */
export async function runHarvestJob(options: {
  store: Store;
  sources: HarvestSourceConfig[];
  signal?: AbortSignal;
  logger?: Logger;
  onProgress?: (counts: HarvestJobCounts) => void;
}): Promise<HarvestJobCounts> {
  const counts: HarvestJobCounts = { sources: 0, failedSources: 0, pages: 0, records: 0, created: 0, updated: 0, unchanged: 0, deleted: 0, invalid: 0, quarantined: 0 };
  const failures: string[] = [];
  for (const source of options.sources) {
    if (options.signal?.aborted) break;
    // The config is the truth for worker-managed sources; addSource resets the sequence only if the list changed.
    await addHarvestSource(
      options.store,
      { name: source.name, baseUrl: source.url, metadataPrefix: source.metadataPrefix ?? 'oai_dc', ...(source.set ? { set: source.set } : {}) },
      { replace: true },
    );
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

/**
 * One source, as a unit of the shared harvest job (the worker holds the unit's lease, so one
 * worker at a time works on the source; runHarvest also holds the source's own lease). The
 * config is the truth for worker-managed sources: addSource resets the sequence only if the
 * list changed. A failed harvest throws (the unit's run is recorded failed, with its counts).
 */
export async function runHarvestSource(options: {
  store: Store;
  source: HarvestSourceConfig;
  signal?: AbortSignal;
  logger?: Logger;
  leaseTtlMs?: number;
}): Promise<HarvestJobCounts> {
  const { store, source } = options;
  await addHarvestSource(
    store,
    { name: source.name, baseUrl: source.url, metadataPrefix: source.metadataPrefix ?? 'oai_dc', ...(source.set ? { set: source.set } : {}) },
    { replace: true },
  );
  const summary: HarvestRunSummary = await runHarvest(store, source.name, {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.leaseTtlMs ? { leaseTtlMs: options.leaseTtlMs } : {}),
  });
  const counts: HarvestJobCounts = { sources: 1, failedSources: summary.status === 'failed' ? 1 : 0, pages: 0, records: 0, created: 0, updated: 0, unchanged: 0, deleted: 0, invalid: 0, quarantined: 0 };
  for (const key of ['pages', 'records', 'created', 'updated', 'unchanged', 'deleted', 'invalid', 'quarantined'] as const) counts[key] += summary[key];
  if (summary.status === 'failed') {
    const error = new Error(`harvest of ${source.name} failed: ${summary.reason ?? 'failed'}`);
    (error as Error & { counts?: HarvestJobCounts }).counts = counts;
    throw error;
  }
  return counts;
}
