// The BibTeX round trip: Citation.js reads the entry back, and every field must come back as
// the CSL item it was written from (text compared with BibTeX's whitespace rules: runs of
// whitespace are one space). [] means the output is valid.
import type { ArticleRecord } from '../../model/types.js';
import { toCslItem, type CslItem, type CslName } from '../csl/write.js';
import { parseBibtex } from './parse.js';
import { bibtexKey } from './write.js';

const TEXT_FIELDS = ['title', 'container-title', 'container-title-short', 'volume', 'issue', 'page', 'number', 'DOI', 'URL', 'ISSN', 'publisher', 'publisher-place', 'abstract', 'language'] as const;

/** Problems found reading `output` back, as "field: wrote …, read back …"; [] when it round-trips. */
export function checkBibtex(output: string, record: ArticleRecord): string[] {
  let entries: Record<string, unknown>[];
  try {
    entries = parseBibtex(output);
  } catch (error) {
    return [`Citation.js cannot parse the BibTeX: ${error instanceof Error ? error.message : String(error)}`];
  }
  if (entries.length !== 1) return [`expected one entry, Citation.js read ${entries.length}`];
  const parsed = entries[0]!;
  const expected = toCslItem(record);
  const problems: string[] = [];
  const compare = (field: string, wrote: unknown, read: unknown): void => {
    if (JSON.stringify(wrote) !== JSON.stringify(read)) problems.push(`${field}: wrote ${JSON.stringify(wrote)}, read back ${JSON.stringify(read)}`);
  };
  compare('type', 'article-journal', parsed.type);
  compare('key', bibtexKey(record), parsed.id);
  for (const field of TEXT_FIELDS) compare(field, normal(expected[field]), normal(parsed[field]));
  compare('keyword', keywordList(expected.keyword), keywordList(parsed.keyword));
  for (const role of ['author', 'editor', 'translator'] as const) {
    compare(role, (expected[role] ?? []).map(nameKey), asNames(parsed[role]).map(nameKey));
  }
  compare('issued', expected.issued?.['date-parts'][0], datePartsOf(parsed.issued));
  return problems;
}

/** Text as BibTeX keeps it: Unicode NFC, whitespace runs as one space. */
function normal(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return String(value).normalize('NFC').replace(/\s+/g, ' ').trim();
}

/** Keywords are comma-separated in both; compare the list with spacing ignored. */
function keywordList(value: unknown): string | undefined {
  return normal(value)?.replace(/\s*,\s*/g, ',');
}

function asNames(value: unknown): CslName[] {
  return Array.isArray(value) ? (value as CslName[]) : [];
}

/** A name as one comparable string; particles ("van der") belong to the family name. */
function nameKey(name: CslName & { 'non-dropping-particle'?: string; 'dropping-particle'?: string }): string {
  const family = name.literal ?? [name['dropping-particle'], name['non-dropping-particle'], name.family].filter(Boolean).join(' ');
  return [family, name.given ?? '', name.suffix ?? ''].map((part) => normal(part) ?? '').join(' | ');
}

function datePartsOf(value: unknown): number[] | undefined {
  const parts = (value as CslItem['issued'])?.['date-parts']?.[0];
  return parts?.map(Number);
}
