import type { ArticleRecord } from '../model/types.js';
import { isOwnDoi, ownedPrefixOf } from './ownership.js';
import type { JournalProfile } from './types.js';

/** How a record joined its journal. */
export type JournalMatchBasis = 'override' | 'journal.id' | 'issn' | 'doiPrefix' | 'title';

export type JournalMatch =
  | { status: 'matched'; profile: JournalProfile; by: JournalMatchBasis }
  /** No profile fits: an own record without a journal profile (served and exported, never deposited). */
  | { status: 'unmatched'; reason: string }
  /** The record or the override names a journal that is not there, or fits two journals alike. */
  | { status: 'error'; message: string };

export interface JournalMatchOptions {
  /** `--journal ID`: the record belongs to this profile, whatever else it says. */
  journalId?: string;
}

/**
 * Journal titles compare in Unicode NFC with whitespace runs collapsed and case ignored:
 * sources capitalise one journal's title differently ("JURNAL DIPLOMASI PERTAHANAN" in an OAI
 * feed, title case in JATS), while two journals whose titles differ only in case are not
 * plausible. Accents and punctuation count.
 */
export function journalTitleKey(title: string): string {
  return title.normalize('NFC').replace(/\s+/gu, ' ').trim().toLowerCase();
}

function titlesOf(names: { title?: string; abbrevTitle?: string }): Set<string> {
  return new Set([names.title, names.abbrevTitle].filter((t): t is string => typeof t === 'string' && t.trim() !== '').map(journalTitleKey));
}

function sameTitle(record: ArticleRecord, profile: JournalProfile): boolean {
  const profileTitles = titlesOf(profile);
  return [...titlesOf(record.journal)].some((title) => profileTitles.has(title));
}

const idList = (profiles: readonly JournalProfile[]): string => profiles.map((p) => `"${p.id}"`).join(', ') || '(none)';

function byId(profiles: readonly JournalProfile[], id: string): JournalProfile | undefined {
  return profiles.find((profile) => profile.id === id);
}

function byIssn(record: ArticleRecord, profiles: readonly JournalProfile[]): JournalMatch | undefined {
  // The ISSN names the journal whatever medium the record files it under.
  const issns = new Set((record.journal.issns ?? []).map((issn) => issn.value));
  if (issns.size === 0) return undefined;
  const found = profiles.filter((p) => (p.issnPrint && issns.has(p.issnPrint)) || (p.issnElectronic && issns.has(p.issnElectronic)));
  if (found.length === 1) return { status: 'matched', profile: found[0]!, by: 'issn' };
  if (found.length > 1) return { status: 'error', message: `${record.doi}: its ISSNs (${[...issns].join(', ')}) belong to journals ${idList(found)}; set journal.id or use --journal ID` };
  return undefined;
}

/**
 * The profiles owning the record's DOI prefix, confirmed by the journal title. A prefix alone
 * does not decide: publishers register several journals under one prefix (the seed's suffix
 * "jdp.v4i2.323" carries its journal's code, the usual sign of that), and a record of an
 * unprofiled sister journal must not take another journal's ISSN and landing pages. A DOI has
 * one prefix (before its first "/"), so "the longest owned prefix" is that prefix itself.
 */
function byDoiPrefix(record: ArticleRecord, profiles: readonly JournalProfile[]): { match?: JournalMatch; reason?: string } {
  const owners = profiles.filter((profile) => isOwnDoi(record.doi, profile));
  if (owners.length === 0) return {};
  const confirmed = owners.filter((profile) => sameTitle(record, profile));
  if (confirmed.length === 1) return { match: { status: 'matched', profile: confirmed[0]!, by: 'doiPrefix' } };
  // Two owners with the record's title: the title step reports them.
  if (confirmed.length > 1) return {};
  const prefix = ownedPrefixOf(record.doi, owners[0]!);
  return {
    reason: `its DOI prefix ${prefix} is registered by journal${owners.length === 1 ? '' : 's'} ${idList(owners)}, but its journal title "${record.journal.title}" is not ${owners.length === 1 ? "that journal's" : 'theirs'}; set journal.id or use --journal ID if it belongs there`,
  };
}

function byTitle(record: ArticleRecord, profiles: readonly JournalProfile[]): JournalMatch | undefined {
  const found = profiles.filter((profile) => sameTitle(record, profile));
  if (found.length === 1) return { status: 'matched', profile: found[0]!, by: 'title' };
  if (found.length > 1) return { status: 'error', message: `${record.doi}: the journal title "${record.journal.title}" is the title of journals ${idList(found)}; set journal.id or use --journal ID` };
  return undefined;
}

/**
 * The journal profile a record belongs to: the `--journal` override, else the record's
 * journal.id, else its ISSN (either medium), else its DOI prefix (confirmed by the title),
 * else its exact journal title (see journalTitleKey).
 * An override or journal.id naming no profile is an error (a journal.id when no profile exists at
 * all leaves the record unmatched), as is an override contradicting the record's journal.id.
 */
export function matchJournalProfile(record: ArticleRecord, profiles: readonly JournalProfile[], options: JournalMatchOptions = {}): JournalMatch {
  const own = record.journal.id;
  if (options.journalId !== undefined) {
    const profile = byId(profiles, options.journalId);
    if (!profile) return { status: 'error', message: `--journal ${options.journalId}: there is no journal profile "${options.journalId}" (profiles: ${idList(profiles)})` };
    if (own !== undefined && own !== options.journalId) {
      return { status: 'error', message: `${record.doi}: the record's journal.id is "${own}", not "${options.journalId}" as --journal says; change one of them` };
    }
    return { status: 'matched', profile, by: 'override' };
  }
  if (own !== undefined) {
    const profile = byId(profiles, own);
    // With no profile at all, journal.id is just the record's journal code (a spreadsheet exported
    // before any profile exists); once profiles exist, one it does not name is a mistake to report.
    if (!profile && profiles.length === 0) return { status: 'unmatched', reason: `${record.doi}: journal.id "${own}": no journal profiles are defined (pubmeta journal add ${own} --title TITLE)` };
    if (!profile) return { status: 'error', message: `${record.doi}: journal.id "${own}" names no journal profile (profiles: ${idList(profiles)}); add it with pubmeta journal add ${own} --title TITLE` };
    return { status: 'matched', profile, by: 'journal.id' };
  }
  const issn = byIssn(record, profiles);
  if (issn) return issn;
  const prefix = byDoiPrefix(record, profiles);
  if (prefix.match) return prefix.match;
  const title = byTitle(record, profiles);
  if (title) return title;
  return {
    status: 'unmatched',
    reason: `${record.doi}: no journal profile matches its journal "${record.journal.title}" by journal.id, ISSN, DOI prefix or title${prefix.reason ? `: ${prefix.reason}` : ''}`,
  };
}
