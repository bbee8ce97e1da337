import type { MetaRepository } from '../types.js';
import { statement, type SqliteAccess } from './connection.js';

/** Small values kept with the store (table store_meta of the 'records' namespace). */
export class SqliteMeta implements MetaRepository {
  constructor(private readonly access: SqliteAccess) {}

  get(key: string): Promise<string | undefined> {
    return this.access.read((db) => statement<[string], { value: string }>(db, 'SELECT value FROM store_meta WHERE key = ?').get(key)?.value);
  }

  set(key: string, value: string): Promise<void> {
    return this.access.write((db) => {
      statement(db, 'INSERT INTO store_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
    });
  }

  getOrCreate(key: string, create: () => string): Promise<string> {
    return this.access.write((db) => {
      const select = statement<[string], { value: string }>(db, 'SELECT value FROM store_meta WHERE key = ?');
      const found = select.get(key);
      if (found) return found.value;
      statement(db, 'INSERT INTO store_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING').run(key, create());
      return select.get(key)!.value;
    });
  }
}
