import { createHash } from 'node:crypto';
import type { ArticleRecord } from '../model/types.js';
import type { SetInfo } from './types.js';

/**
 * The set organisation of a pubmeta repository (OAI-PMH 2.0 §2.6):
 *   <journal>            one set per journal
 *   <journal>:<section>  one set per journal section, below its journal
 * Each setSpec element uses only lowercase a-z, 0-9 and "-" (a subset of the URI unreserved
 * characters the protocol allows) so specs are stable, URL-safe and never contain ":".
 */

const MAX_SLUG_LENGTH = 64;

/** Lowercase ASCII slug: accents folded, every other run of characters becomes "-". */
export function slugifySetSpecPart(text: string): string {
  const slug = text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug.length <= MAX_SLUG_LENGTH ? slug : slug.slice(0, MAX_SLUG_LENGTH).replace(/-+$/, '');
}

function shortHash(text: string): string {
  return createHash('sha256').update(text.normalize('NFC')).digest('hex').slice(0, 10);
}

/**
 * The journal's set element. Titles in non-Latin scripts slug to nothing; then the ISSN (stable
 * and meaningful) is used, and failing that a short hash of the title (stable, if opaque).
 */
export function journalSetSpec(journal: ArticleRecord['journal']): string {
  const fromTitle = slugifySetSpecPart(journal.abbrevTitle ?? '') || slugifySetSpecPart(journal.title);
  if (fromTitle) return fromTitle;
  const issn = journal.issns?.find((i) => i.media === 'electronic') ?? journal.issns?.[0];
  if (issn) return `issn-${issn.value.toLowerCase()}`;
  return `journal-${shortHash(journal.title)}`;
}

function sectionSetPart(section: string): string {
  return slugifySetSpecPart(section) || `section-${shortHash(section)}`;
}

/**
 * The setSpecs that go into a record's header: only the most specific set (§2.6: "the list
 * of setSpec elements should include only the minimum number ... required"), since
 * `journal:section` implies `journal`.
 */
export function recordSetSpecs(record: ArticleRecord): string[] {
  const journal = journalSetSpec(record.journal);
  const section = record.section?.trim();
  return section ? [`${journal}:${sectionSetPart(section)}`] : [journal];
}

/**
 * Every set the record belongs to, ancestors included, with human-readable names. The store
 * indexes membership in all of them so `set=journal` finds records of all its sections (§2.7.2).
 */
export function recordSets(record: ArticleRecord): SetInfo[] {
  const journal = journalSetSpec(record.journal);
  const journalName = record.journal.title.trim();
  const sets: SetInfo[] = [{ setSpec: journal, setName: journalName }];
  const section = record.section?.trim();
  if (section) sets.push({ setSpec: `${journal}:${sectionSetPart(section)}`, setName: `${journalName}: ${section}` });
  return sets;
}

/** OAI-PMH 2.0 §3.2.1 setSpecType. */
export const SET_SPEC_PATTERN = /^[A-Za-z0-9\-_.!~*'()]+(?::[A-Za-z0-9\-_.!~*'()]+)*$/;
