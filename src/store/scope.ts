import type { RecordRepository } from './types.js';

/**
 * The records as a publisher's view sees them (the OAI provider, pages): own records only, or
 * harvested ones too. Listings take the scope; `get` of a harvested record answers undefined
 * when harvested records are not included. Writes pass through.
 */
export function scopedRecords(records: RecordRepository, scope: { includeHarvested: boolean }): RecordRepository {
  const includeHarvested = scope.includeHarvested;
  return {
    upsert: (record, options) => records.upsert(record, options),
    upsertMany: (list, options) => records.upsertMany(list, options),
    delete: (localId, options) => records.delete(localId, options),
    get: async (localId) => {
      const stored = await records.get(localId);
      return stored && (includeHarvested || !stored.origin) ? stored : undefined;
    },
    list: (query, limit, options) => records.list({ ...query, includeHarvested }, limit, options),
    count: (query) => records.count({ ...query, includeHarvested }),
    earliestDatestamp: () => records.earliestDatestamp({ includeHarvested }),
    listSets: () => records.listSets({ includeHarvested }),
    hasSets: () => records.hasSets({ includeHarvested }),
    stats: () => records.stats(),
    conflicts: () => records.conflicts(),
    search: (query, limit) => records.search(query, limit),
    putFragments: (fragments) => records.putFragments(fragments),
    getFragment: (localId, metadataPrefix) => records.getFragment(localId, metadataPrefix),
    listUnrendered: (key, afterLocalId, limit, options) => records.listUnrendered(key, afterLocalId, limit, options),
    clearFragments: (options) => records.clearFragments(options),
  };
}
