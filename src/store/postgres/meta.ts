import type { MetaRepository } from '../types.js';
import type { PgAccess } from './connection.js';

/** Small values kept with the store (table store_meta). */
export class PgMeta implements MetaRepository {
  constructor(private readonly access: PgAccess) {}

  async get(key: string): Promise<string | undefined> {
    const [row] = await this.access.query<{ value: string }>('SELECT value FROM store_meta WHERE key = $1', [key]);
    return row?.value;
  }

  async set(key: string, value: string): Promise<void> {
    await this.access.run('INSERT INTO store_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
  }

  async getOrCreate(key: string, create: () => string): Promise<string> {
    const found = await this.get(key);
    if (found !== undefined) return found;
    // Concurrent first uses: one insert wins, every caller reads the winner.
    await this.access.run('INSERT INTO store_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, create()]);
    return (await this.get(key))!;
  }
}
