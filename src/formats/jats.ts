import type { ArticleRecord } from '../model/types.js';

/** The namespace PMC's OAI service puts on JATS articles served over OAI-PMH. */
export const JATS_OAI_NAMESPACE = 'https://jats.nlm.nih.gov/ns/archiving/1.3/';
export const JATS_OAI_SCHEMA_LOCATION = 'https://jats.nlm.nih.gov/archiving/1.3/xsd/JATS-archivearticle1-3.xsd';

export interface JatsOptions {
  /** Emit the XML declaration (default true). */
  declaration?: boolean;
  /** Default namespace for every JATS element (for OAI-PMH serving: JATS_OAI_NAMESPACE). */
  namespace?: string;
  /** Value of xsi:schemaLocation's location part for `namespace`. */
  schemaLocation?: string;
}

export function toJats(record: ArticleRecord, options: JatsOptions = {}): string {
  void record;
  void options;
  throw new Error('toJats: not implemented yet');
}
