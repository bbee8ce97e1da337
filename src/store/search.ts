import type { ArticleRecord } from '../model/types.js';
import type { KeysetPosition, StoredRecord } from './types.js';

/**
 * The search box of the pages: records whose titles (every language), contributor names or DOI
 * contain every word of the query, case-insensitively. Both backends run the same scan: rows
 * newest first in chunks, narrowed in SQL by LIKE patterns on the stored JSON (a superset of
 * the matches), then matched here on the fields themselves, so SQLite and PostgreSQL agree.
 */

/** Most words of a query that count; the rest are ignored. */
const MAX_TERMS = 8;
/** Rows read per round trip. */
export const SEARCH_CHUNK = 200;

/** The words of a query, normalized; a DOI given as a URL or with "doi:" counts as the bare DOI. */
export function searchTerms(query: string): string[] {
  const words = normalize(query)
    .split(/\s+/)
    .map((word) => word.replace(/^(?:https?:\/\/(?:dx\.)?doi\.org\/|doi:)/, ''))
    .filter((word) => word.length > 0);
  return [...new Set(words)].slice(0, MAX_TERMS);
}

function normalize(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

/** The text a query is matched against: titles, subtitles, contributor names (both orders), DOI. */
function searchableText(record: ArticleRecord): string {
  const parts: string[] = [...Object.values(record.title), ...Object.values(record.subtitle ?? {}), record.doi ?? ''];
  for (const c of record.contributors) {
    parts.push([c.given, c.family].filter(Boolean).join(' '), [c.family, c.given].filter(Boolean).join(' '), c.name ?? '');
  }
  return normalize(parts.join('\n'));
}

export function recordMatchesTerms(record: ArticleRecord, terms: readonly string[]): boolean {
  if (terms.length === 0) return false;
  const text = searchableText(record);
  return terms.every((term) => text.includes(term));
}

/**
 * LIKE patterns (with \ as the escape character) every matching row's JSON contains. Only
 * printable ASCII words: SQLite's LIKE folds case for ASCII only, and JSON escapes " and \.
 */
export function searchLikePatterns(terms: readonly string[]): string[] {
  return terms.filter((term) => /^[\x20-\x7e]+$/.test(term) && !/["\\]/.test(term)).map((term) => `%${term.replace(/[%_\\]/g, (c) => `\\${c}`)}%`);
}

/** Reads rows (not deleted, newest first, before `before`) whose JSON contains every pattern. */
export type SearchChunkReader = (patterns: readonly string[], before: KeysetPosition | undefined, limit: number) => Promise<StoredRecord[]>;

/** The scan both backends run; bounded by the table (every chunk moves the keyset on). */
export async function scanSearch(read: SearchChunkReader, query: string, limit: number): Promise<StoredRecord[]> {
  const terms = searchTerms(query);
  if (terms.length === 0 || limit <= 0) return [];
  const patterns = searchLikePatterns(terms);
  const found: StoredRecord[] = [];
  let before: KeysetPosition | undefined;
  for (;;) {
    const rows = await read(patterns, before, SEARCH_CHUNK);
    for (const row of rows) {
      if (row.record && recordMatchesTerms(row.record, terms)) found.push(row);
      if (found.length >= limit) return found;
    }
    if (rows.length < SEARCH_CHUNK) return found;
    const last = rows.at(-1)!;
    before = { datestamp: last.datestamp, localId: last.localId };
  }
}
