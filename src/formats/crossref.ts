import type { ArticleRecord } from '../model/types.js';

export interface CrossrefHeadOptions {
  depositor: { name: string; email: string };
  registrant: string;
  batchId?: string;
  timestamp?: number;
  clock?: () => Date;
}

export function toCrossref(records: ArticleRecord[], options: CrossrefHeadOptions): string {
  void records;
  void options;
  throw new Error('toCrossref: not implemented yet');
}
