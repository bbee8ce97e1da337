import type { JournalProfile } from '../../journals/types.js';
import { canonicalJson } from '../canonical.js';
import type { JournalRepository, JournalUpsertOutcome } from '../types.js';
import type { PgAccess } from './connection.js';

/** Journal profiles (table journals), each stored as its canonical JSON. */
export class PgJournals implements JournalRepository {
  constructor(private readonly access: PgAccess) {}

  async get(id: string): Promise<JournalProfile | undefined> {
    const [row] = await this.access.query<{ profile_json: string }>('SELECT profile_json FROM journals WHERE id = $1', [id]);
    return row ? (JSON.parse(row.profile_json) as JournalProfile) : undefined;
  }

  async list(): Promise<JournalProfile[]> {
    const rows = await this.access.query<{ profile_json: string }>('SELECT profile_json FROM journals ORDER BY id');
    return rows.map((row) => JSON.parse(row.profile_json) as JournalProfile);
  }

  upsert(profile: JournalProfile, options: { now?: Date } = {}): Promise<JournalUpsertOutcome> {
    const json = canonicalJson(profile);
    const now = (options.now ?? new Date()).toISOString();
    return this.access.atomic(async (access) => {
      // The row lock keeps two concurrent upserts of one id from both reporting "created".
      const [found] = await access.query<{ profile_json: string }>('SELECT profile_json FROM journals WHERE id = $1 FOR UPDATE', [profile.id]);
      if (found?.profile_json === json) return 'unchanged';
      if (found) {
        await access.run('UPDATE journals SET profile_json = $1, updated_at = $2 WHERE id = $3', [json, now, profile.id]);
        return 'updated';
      }
      const inserted = await access.run(
        'INSERT INTO journals (id, profile_json, created_at, updated_at) VALUES ($1, $2, $3, $3) ON CONFLICT (id) DO UPDATE SET profile_json = excluded.profile_json, updated_at = excluded.updated_at',
        [profile.id, json, now],
      );
      return inserted > 0 ? 'created' : 'updated';
    });
  }

  async remove(id: string): Promise<boolean> {
    return (await this.access.run('DELETE FROM journals WHERE id = $1', [id])) > 0;
  }
}
