import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every level, so two records that differ only in key order
 * hash the same and an idempotent re-import keeps its datestamp. Undefined members are dropped
 * exactly as JSON.stringify drops them.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const member = (value as Record<string, unknown>)[key];
      if (member !== undefined) sorted[key] = sortKeys(member);
    }
    return sorted;
  }
  return value;
}

export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

/** UTC datestamp at seconds granularity, the repository granularity. */
export function toDatestamp(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new RangeError('invalid date for a datestamp');
  return date.toISOString().slice(0, 19) + 'Z';
}
