import { describeStoreTarget } from '../target.js';
import type { Store } from '../types.js';
import { clientAccess, inClientTransaction, openPool, poolAccess, type PgAccess } from './connection.js';
import { PgDeposits } from './deposits.js';
import { PgHarvest } from './harvest.js';
import { PgJobs } from './jobs.js';
import { PgMeta } from './meta.js';
import { PgRecords } from './records.js';
import { PgJournals } from './journals.js';

export interface PgStoreOptions {
  /** Source of record datestamps (seconds are kept). Default: the system clock. */
  clock?: () => Date;
}

function repositories(access: PgAccess, clock: () => Date) {
  return {
    records: new PgRecords(access, clock),
    harvest: new PgHarvest(access),
    deposits: new PgDeposits(access),
    jobs: new PgJobs(access),
    journals: new PgJournals(access),
    meta: new PgMeta(access),
  };
}

/**
 * The store on PostgreSQL: a pg Pool; statements outside transactions run on any pooled client,
 * a transaction holds one client from BEGIN to COMMIT. The schema is migrated when it opens.
 */
export async function openPostgresStore(url: string, options: PgStoreOptions = {}): Promise<Store> {
  const clock = options.clock ?? (() => new Date());
  const pool = await openPool(url);
  const location = describeStoreTarget({ kind: 'postgres', url });
  let closing: Promise<void> | undefined;
  const store: Store = {
    kind: 'postgres',
    location,
    ...repositories(poolAccess(pool), clock),
    withTransaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
      if (closing) return Promise.reject(new Error(`the store ${location} is closed`));
      return inClientTransaction(pool, async (client) => {
        let open = true;
        const tx: Store = {
          kind: 'postgres',
          location,
          ...repositories(clientAccess(client, () => open), clock),
          withTransaction: (inner) => inner(tx),
          close: () => Promise.reject(new Error('close the store, not the transaction')),
        };
        try {
          return await fn(tx);
        } finally {
          open = false;
        }
      });
    },
    close(): Promise<void> {
      closing ??= pool.end();
      return closing;
    },
  };
  return store;
}
