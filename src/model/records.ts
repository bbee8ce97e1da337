import type { ArticleRecord } from './types.js';
import { readPackageJson } from './package-files.js';
import { validateArticle, formatFieldErrors } from './validate-article.js';

/** The store key of a record: its local id, or else its DOI. */
export function recordLocalId(record: Pick<ArticleRecord, 'id' | 'doi'>): string {
  return record.id ?? record.doi;
}

/**
 * A local id as a portable file name stem: anything outside [A-Za-z0-9._-] becomes "_" and
 * leading dots are replaced, so no id can name a path outside the output directory.
 */
export function localIdFileStem(localId: string): string {
  const safe = localId.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  return safe || '_';
}

export const SEED_SAMPLE_PATH = 'samples/seed-jdp-323.json';

/** The bundled seed article (samples/seed-jdp-323.json), validated and normalised. */
export function loadSeedSample(): ArticleRecord {
  const result = validateArticle(readPackageJson(SEED_SAMPLE_PATH));
  if (!result.ok) throw new Error(`bundled seed sample is invalid:\n${formatFieldErrors(SEED_SAMPLE_PATH, result.errors)}`);
  return result.record;
}
