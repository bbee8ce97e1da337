import type { JournalProfile } from '../../journals/types.js';
import { canonicalJson } from '../canonical.js';
import type { JournalRepository, JournalUpsertOutcome } from '../types.js';
import { statement, type SqliteAccess } from './connection.js';

/** Journal profiles (table journals), each stored as its canonical JSON. */
export class SqliteJournals implements JournalRepository {
  constructor(private readonly access: SqliteAccess) {}

  get(id: string): Promise<JournalProfile | undefined> {
    return this.access.read((db) => {
      const row = statement<[string], { profile_json: string }>(db, 'SELECT profile_json FROM journals WHERE id = ?').get(id);
      return row ? (JSON.parse(row.profile_json) as JournalProfile) : undefined;
    });
  }

  list(): Promise<JournalProfile[]> {
    return this.access.read((db) =>
      statement<[], { profile_json: string }>(db, 'SELECT profile_json FROM journals ORDER BY id')
        .all()
        .map((row) => JSON.parse(row.profile_json) as JournalProfile),
    );
  }

  upsert(profile: JournalProfile, options: { now?: Date } = {}): Promise<JournalUpsertOutcome> {
    const json = canonicalJson(profile);
    const now = (options.now ?? new Date()).toISOString();
    return this.access.write((db) => {
      const found = statement<[string], { profile_json: string }>(db, 'SELECT profile_json FROM journals WHERE id = ?').get(profile.id);
      if (found?.profile_json === json) return 'unchanged';
      if (found) {
        statement(db, 'UPDATE journals SET profile_json = ?, updated_at = ? WHERE id = ?').run(json, now, profile.id);
        return 'updated';
      }
      statement(db, 'INSERT INTO journals (id, profile_json, created_at, updated_at) VALUES (?, ?, ?, ?)').run(profile.id, json, now, now);
      return 'created';
    });
  }

  remove(id: string): Promise<boolean> {
    return this.access.write((db) => statement(db, 'DELETE FROM journals WHERE id = ?').run(id).changes > 0);
  }
}
