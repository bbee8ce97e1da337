import type { ArticleRecord } from '../model/types.js';
import { applyJournalProfile, type UnfilledTemplate } from './apply.js';
import type { RefusalHintContext } from './hints.js';
import { matchJournalProfile, type JournalMatchOptions } from './match.js';
import type { JournalProfile } from './types.js';

/** A record after joining its journal: filled from the profile, with what refusals need to explain themselves. */
export type ProfiledRecord =
  | { ok: true; record: ArticleRecord; profile: JournalProfile | undefined; filled: string[]; hints: RefusalHintContext }
  /** The record names (or --journal forces) a journal that is not there, or fits two alike. */
  | { ok: false; message: string };

/**
 * Matches the record to its journal profile (matchJournalProfile) and fills what it lacks
 * (applyJournalProfile). A record of no profile passes unchanged. `journalId` (`--journal ID`)
 * forces the profile.
 */
export function profileRecord(record: ArticleRecord, profiles: readonly JournalProfile[], options: JournalMatchOptions = {}): ProfiledRecord {
  const match = matchJournalProfile(record, profiles, options);
  if (match.status === 'error') return { ok: false, message: match.message };
  if (match.status === 'unmatched') {
    return { ok: true, record, profile: undefined, filled: [], hints: { journalTitle: record.journal.title } };
  }
  const applied = applyJournalProfile(record, match.profile);
  const unfilled: UnfilledTemplate[] = applied.unfilled;
  return { ok: true, record: applied.record, profile: match.profile, filled: applied.filled, hints: { journalId: match.profile.id, unfilled } };
}
