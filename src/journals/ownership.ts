/**
 * Deposits send only a journal's own DOIs: those under one of its DOI prefixes. A prefix owns
 * a DOI when the DOI starts with the prefix and then "/" (10.3317 owns nothing of 10.33172/...);
 * DOIs are case-insensitive (DOI Handbook §2.4), so the comparison is too.
 */
import type { ArticleRecord } from '../model/types.js';
import { normalizeDoi } from '../model/identifiers.js';
import type { JournalProfile } from './types.js';

/** The profile's prefix that owns the DOI (the longest, should two nest), or undefined. */
export function ownedPrefixOf(doi: string, profile: Pick<JournalProfile, 'doiPrefixes'>): string | undefined {
  const normal = normalizeDoi(doi);
  let owner: string | undefined;
  for (const prefix of profile.doiPrefixes) {
    const key = `${prefix.trim().toLowerCase()}/`;
    if (normal.startsWith(key) && normal.length > key.length && (owner === undefined || prefix.length > owner.length)) owner = prefix;
  }
  return owner;
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
