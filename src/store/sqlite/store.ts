import type { Store } from '../types.js';
import { insideTransaction, Mutex, openReader, openWriter, outsideTransaction, type Db, type SqliteAccess } from './connection.js';
import { SqliteDeposits } from './deposits.js';
import { SqliteHarvest } from './harvest.js';
import { SqliteJobs } from './jobs.js';
import { SqliteMeta } from './meta.js';
import { SqliteRecords } from './records.js';
import { SqliteJournals } from './journals.js';

export interface SqliteStoreOptions {
  /** Source of record datestamps (seconds are kept). Default: the system clock. */
  clock?: () => Date;
}

/** The repositories over one way of reaching the database. */
function repositories(access: SqliteAccess, clock: () => Date) {
  return {
    records: new SqliteRecords(access, clock),
    harvest: new SqliteHarvest(access),
    deposits: new SqliteDeposits(access),
    jobs: new SqliteJobs(access),
    journals: new SqliteJournals(access),
    meta: new SqliteMeta(access),
  };
}

/**
 * better-sqlite3 is one synchronous connection, so an async transaction must keep other async
 * work out of it: transactions and writes outside them queue on one lock (the writer is never
 * shared while a transaction is open), and reads outside transactions use a second, read-only
 * connection that sees committed data only. An in-memory database (':memory:', tests) has no
 * second connection: its reads share the writer and can see an open transaction's writes.
 */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): Store {
  const clock = options.clock ?? (() => new Date());
  const writer = openWriter(path);
  let reader: Db;
  try {
    reader = path === ':memory:' ? writer : openReader(path);
  } catch (error) {
    writer.close();
    throw error;
  }
  const lock = new Mutex();
  let closed = false;

  const transactionStore = (isOpen: () => boolean): Store => {
    const tx: Store = {
      kind: 'sqlite',
      location: path,
      ...repositories(insideTransaction(writer, isOpen), clock),
      withTransaction: (fn) => fn(tx),
      close: () => Promise.reject(new Error('close the store, not the transaction')),
    };
    return tx;
  };

  const store: Store = {
    kind: 'sqlite',
    location: path,
    ...repositories(outsideTransaction(writer, reader, lock), clock),
    withTransaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
      return lock.run(async () => {
        if (closed) throw new Error(`the store ${path} is closed`);
        writer.exec('BEGIN IMMEDIATE');
        let open = true;
        try {
          const result = await fn(transactionStore(() => open));
          open = false;
          writer.exec('COMMIT');
          return result;
        } catch (error) {
          open = false;
          if (writer.inTransaction) writer.exec('ROLLBACK');
          throw error;
        }
      });
    },
    close(): Promise<void> {
      return lock.run(() => {
        if (closed) return;
        closed = true;
        if (reader !== writer) reader.close();
        writer.close();
      });
    },
  };
  return store;
}
