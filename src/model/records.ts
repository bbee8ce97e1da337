import type { ArticleRecord } from './types.js';
import { readPackageJson } from './package-files.js';
import { validateArticle, formatFieldErrors } from './validate-article.js';

/** The store key of a record: its local id, or else its DOI. */
export function recordLocalId(record: Pick<ArticleRecord, 'id' | 'doi'>): string {
  return record.id ?? record.doi;
}

export const SEED_SAMPLE_PATH = 'samples/seed-jdp-323.json';

/** The bundled seed article (samples/seed-jdp-323.json), validated and normalised. */
export function loadSeedSample(): ArticleRecord {
  const result = validateArticle(readPackageJson(SEED_SAMPLE_PATH));
  if (!result.ok) throw new Error(`bundled seed sample is invalid:\n${formatFieldErrors(SEED_SAMPLE_PATH, result.errors)}`);
  return result.record;
}
