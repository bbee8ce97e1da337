// Public API of the model capability; re-exported from src/index.ts.
export type * from './types.js';
export * from './identifiers.js';
export { validateArticle, formatFieldErrors, articleSchema, ARTICLE_SCHEMA_PATH } from './validate-article.js';
export type { FieldError, ArticleValidationResult } from './validate-article.js';
export { recordLocalId, loadSeedSample, SEED_SAMPLE_PATH } from './records.js';
export { packageFilePath } from './package-files.js';
export { syntheticRecord, generateSyntheticRecords, syntheticJournals, DEFAULT_SYNTHETIC_SEED, SYNTHETIC_DOI_PREFIX } from './synthetic.js';
export { locateJsonSyntaxError } from './json-syntax.js';
export type { JsonSyntaxProblem } from './json-syntax.js';
