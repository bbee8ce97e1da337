import type { ArticleRecord } from '../model/types.js';
import type { RecordOrigin, SetInfo } from './types.js';

/**
 * Provenance: every record is either yours (`own`, or `own:<journal>` when it names one of your
 * journal profiles in journal.id) or harvested (`harvested:<source>`). Harvested records live
 * apart, under local ids of their own, `harvested:<source>:<OAI identifier at the source>`, so
 * a harvested record can never replace, shadow or merge into an own record, whatever its DOI;
 * own records may not take a local id in that space.
 */

export const HARVESTED_PREFIX = 'harvested:';

/** The local id of a harvested record: one per (source, OAI identifier). */
export function harvestedLocalId(source: string, identifier: string): string {
  return `${HARVESTED_PREFIX}${source}:${identifier}`;
}

export function isHarvestedLocalId(localId: string): boolean {
  return localId.startsWith(HARVESTED_PREFIX);
}

export function ownProvenance(record: Pick<ArticleRecord, 'journal'>): string {
  const journal = record.journal?.id;
  return journal ? `own:${journal}` : 'own';
}

export function harvestedProvenance(source: string): string {
  return `${HARVESTED_PREFIX}${source}`;
}

/**
 * The sets of a harvested record: one per source, `harvested:<source>` below `harvested` (not
 * the journal sets of own records, so a set never mixes your records with harvested ones).
 */
export function harvestedSets(origin: Pick<RecordOrigin, 'source' | 'baseUrl'>): { setSpecs: string[]; sets: SetInfo[] } {
  const setSpec = `harvested:${origin.source}`;
  return {
    setSpecs: [setSpec],
    sets: [
      { setSpec: 'harvested', setName: 'Harvested from other repositories' },
      { setSpec, setName: `Harvested from ${origin.source} (${origin.baseUrl})` },
    ],
  };
}
