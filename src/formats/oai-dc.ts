import type { ArticleRecord } from '../model/types.js';

export interface OaiDcOptions {
  /** Emit the XML declaration (default true). */
  declaration?: boolean;
}

export function toOaiDc(record: ArticleRecord, options: OaiDcOptions = {}): string {
  void record;
  void options;
  throw new Error('toOaiDc: not implemented yet');
}
