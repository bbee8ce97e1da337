import { distance } from 'fastest-levenshtein';
import { COLUMNS, columnName } from './columns.js';

/**
 * The known column an unknown header most likely meant ("titel.en" -> "title.en",
 * "autor2.family" -> "author2.family", "volume" -> "issue.volume"), or undefined.
 * The header's own item numbers and language are kept in the suggestion.
 */
export function suggestColumn(header: string): string | undefined {
  const name = header.trim();
  const lower = name.toLowerCase();
  const numbers = [...name.matchAll(/\d+/g)].map((m) => Number(m[0]));
  const lastPart = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1) : undefined;
  const candidates = COLUMNS.map((column) => {
    const numbered = numbers.length > 0 ? numbers : [1, 1];
    const lang = column.name.endsWith('{lang}') && lastPart && /^[A-Za-z]{2,3}(?:-[A-Za-z0-9]+)*$/.test(lastPart) ? lastPart : 'en';
    return columnName(column, numbered, lang);
  });
  // A language-keyed or numbered field named without its language or number ("title", "keywords").
  const bare = COLUMNS.findIndex((column) => {
    const stripped = column.name.replace(/\{[nm]\}/g, '').replace(/\.\{lang\}$/, '').toLowerCase();
    return stripped !== column.name.toLowerCase() && (lower === stripped || lower === `${stripped}s`);
  });
  if (bare >= 0) return candidates[bare];
  // A bare field name that ends a known column ("orcid", "volume", "online").
  const bySuffix = candidates.find((candidate) => candidate.toLowerCase().endsWith(`.${lower}`));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = distance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  if (best !== undefined && bestDistance <= Math.max(2, Math.floor(lower.length / 4))) return best;
  return bySuffix;
}
