import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../../src/store/index.js';
import { syntheticJournals, SYNTHETIC_DOI_PREFIX } from '../../src/model/index.js';
import type { JournalProfile } from '../../src/journals/index.js';
import { sqliteBackend, type Backend } from './backends.js';

export interface TempStore {
  /** A scratch directory for configs and outputs, removed on close. */
  dir: string;
  /** The store as --db / PUBMETA_DB name it: a SQLite file, or a PostgreSQL URL naming a fresh schema. */
  db: string;
  store: Store;
  close(): Promise<void>;
}

/** A fresh store of `backend` and a scratch directory beside it. */
export async function openTempStore(backend: Backend = sqliteBackend, prefix = 'pubmeta-crossref-'): Promise<TempStore> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const target = await backend.createTarget();
  const store = await target.open();
  // Synthetic records are yours to deposit: their journals have profiles owning 10.5555.
  for (const profile of syntheticJournalProfiles()) await store.journals.upsert(profile);
  return {
    dir,
    db: target.db,
    store,
    async close() {
      await store.close();
      await target.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const TEST_DEPOSITOR = { depositor: { name: 'pubmeta tests', email: 'deposits@example.org' }, registrant: 'pubmeta test registrant' };

/** Client pacing small enough for tests, still exercising the backoff paths. */
export const FAST_CLIENT = { minRetryDelayMs: 10, maxRetryDelayMs: 100, pollInitialDelayMs: 5, pollMaxDelayMs: 20, pollTimeoutMs: 10_000 };

/**
 * Profiles of the journals synthetic records belong to, each owning the synthetic DOI prefix
 * (records join them by ISSN), so deposits accept synthetic records.
 */
export function syntheticJournalProfiles(): JournalProfile[] {
  return syntheticJournals().map(({ code, journal }) => {
    const issn = (media: 'print' | 'electronic') => journal.issns?.find((i) => i.media === media)?.value;
    const print = issn('print');
    const electronic = issn('electronic');
    return {
      id: code,
      title: journal.title,
      ...(print ? { issnPrint: print } : {}),
      ...(electronic ? { issnElectronic: electronic } : {}),
      doiPrefixes: [SYNTHETIC_DOI_PREFIX],
    };
  });
}
