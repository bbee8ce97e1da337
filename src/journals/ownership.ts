/**
 * Deposits send only a journal's own DOIs: those under one of its DOI prefixes. A prefix owns
 * a DOI when the DOI starts with the prefix and then "/" (10.3317 owns nothing of 10.33172/...,
 * 10.5555 nothing of 10.5555.1/...); DOIs are case-insensitive, so the comparison is too.
 */
import type { ArticleRecord } from '../model/types.js';
import { normalizeDoi } from '../model/identifiers.js';
import type { JournalProfile } from './types.js';
import { matchJournalProfile } from './match.js';

/**
 * The profile's prefix that owns the DOI, or undefined. A DOI has one prefix, everything
 * before its first "/", so at most one of a profile's prefixes can own it.
 */
export function ownedPrefixOf(doi: string, profile: Pick<JournalProfile, 'doiPrefixes'>): string | undefined {
  const normal = normalizeDoi(doi);
  const slash = normal.indexOf('/');
  if (slash < 0 || slash === normal.length - 1) return undefined;
  const prefix = normal.slice(0, slash);
  return profile.doiPrefixes.find((owned) => owned.trim().toLowerCase() === prefix);
}

/** True when the DOI lies under one of the profile's DOI prefixes. */
export function isOwnDoi(doi: string, profile: Pick<JournalProfile, 'doiPrefixes'>): boolean {
  return ownedPrefixOf(doi, profile) !== undefined;
}

/**
 * Why a record may not be deposited for this journal, or undefined when its DOI is the
 * journal's own. A record with no journal profile (undefined) is never deposited.
 */
export function ownershipProblem(record: Pick<ArticleRecord, 'doi' | 'journal'>, profile: JournalProfile | undefined): string | undefined {
  if (!profile) {
    return `${record.doi}: not deposited: its journal "${record.journal.title}" has no journal profile, and only DOIs under a profile's DOI prefixes are deposited (pubmeta journal add ID --title TITLE --doi-prefix 10.NNNN)`;
  }
  if (profile.doiPrefixes.length === 0) {
    return `${record.doi}: not deposited: journal ${profile.id} (${profile.title}) has no DOI prefix; set it with pubmeta journal set ${profile.id} --doi-prefix 10.NNNN`;
  }
  if (isOwnDoi(record.doi, profile)) return undefined;
  const prefixes = profile.doiPrefixes.join(', ');
  return `${record.doi}: not deposited: the DOI is outside the DOI prefixes of journal ${profile.id} (${profile.title}): ${prefixes}`;
}

/** A record's standing for a deposit: its journal, or why it is not deposited. */
export type DepositStanding = { ok: true; profile: JournalProfile } | { ok: false; reason: string };

/**
 * Whether a record may be deposited: it must join one of your journals (matchJournalProfile)
 * and its DOI must lie under one of that journal's DOI prefixes.
 */
export function depositStanding(record: ArticleRecord, profiles: readonly JournalProfile[]): DepositStanding {
  const match = matchJournalProfile(record, profiles);
  if (match.status === 'error') return { ok: false, reason: `${match.message}; not deposited` };
  const profile = match.status === 'matched' ? match.profile : undefined;
  const problem = ownershipProblem(record, profile);
  return problem === undefined ? { ok: true, profile: profile! } : { ok: false, reason: problem };
}
