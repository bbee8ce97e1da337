/**
 * Journal profiles kept in the store: saving one (validated alone and against the others),
 * and bringing the config file's `journals` in. The store's journals repository persists;
 * what may be stored is decided here.
 */
import type { FieldError } from '../model/validate-article.js';
import type { JournalRepository, JournalUpsertOutcome } from '../store/types.js';
import type { JournalProfile } from './types.js';
import { validateJournalProfile, validateJournalProfileList } from './validate.js';

export type JournalSaveResult =
  | { ok: true; profile: JournalProfile; outcome: JournalUpsertOutcome }
  | { ok: false; errors: FieldError[] };

/**
 * Problems the profile has beside the other stored profiles: an ISSN another journal already
 * has (a record could then join either). Pointers are the profile's own ("/issnPrint").
 */
export function conflictsWithOthers(profile: JournalProfile, others: readonly JournalProfile[]): FieldError[] {
  const rest = others.filter((other) => other.id !== profile.id);
  const result = validateJournalProfileList([...rest, profile]);
  if (result.ok) return [];
  const own = `/${rest.length}/`;
  return result.errors.filter((e) => e.pointer.startsWith(own)).map((e) => ({ pointer: e.pointer.slice(own.length - 1), message: e.message }));
}

/** Validates `value` as a journal profile and stores it (replacing the profile of its id). */
export async function saveJournalProfile(journals: JournalRepository, value: unknown): Promise<JournalSaveResult> {
  const validation = validateJournalProfile(value);
  if (!validation.ok) return validation;
  const profile = validation.profile;
  const errors = conflictsWithOthers(profile, await journals.list());
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, profile, outcome: await journals.upsert(profile) };
}

export interface ConfigJournalsResult {
  created: string[];
  updated: string[];
  unchanged: string[];
}

/**
 * Upserts the config file's profiles (already validated as a list, so no id twice) into the
 * store. Profiles added by `pubmeta journal add` stay; one of them sharing an ISSN with a
 * config profile is an error, reported before anything is written.
 */
export async function upsertConfigJournals(journals: JournalRepository, profiles: readonly JournalProfile[]): Promise<ConfigJournalsResult> {
  const stored = await journals.list();
  const configIds = new Set(profiles.map((p) => p.id));
  const all = [...stored.filter((p) => !configIds.has(p.id)), ...profiles];
  const check = validateJournalProfileList(all);
  if (!check.ok) {
    const lines = check.errors.map((e) => {
      const index = Number(/^\/(\d+)/.exec(e.pointer)?.[1]);
      const id = all[index]?.id ?? '?';
      return `journal "${id}"${e.pointer.replace(/^\/\d+/, '')}: ${e.message}`;
    });
    throw new Error(`the config's journals disagree with the profiles in the store:\n  ${lines.join('\n  ')}`);
  }
  const result: ConfigJournalsResult = { created: [], updated: [], unchanged: [] };
  for (const profile of profiles) result[await journals.upsert(profile)].push(profile.id);
  return result;
}
