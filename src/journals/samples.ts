import { formatFieldErrors } from '../model/validate-article.js';
import { readPackageJson } from '../model/package-files.js';
import type { JournalProfile } from './types.js';
import { validateJournalProfile } from './validate.js';

/** The seed's journal, Jurnal Diplomasi Pertahanan; its depositor and registrant are placeholders. */
export const SEED_JOURNAL_PROFILE_PATH = 'samples/journals/jdp.json';

/** The bundled seed journal profile, validated. */
export function loadSeedJournalProfile(): JournalProfile {
  const result = validateJournalProfile(readPackageJson(SEED_JOURNAL_PROFILE_PATH));
  if (!result.ok) throw new Error(`bundled journal profile is invalid:\n${formatFieldErrors(SEED_JOURNAL_PROFILE_PATH, result.errors)}`);
  return result.profile;
}
