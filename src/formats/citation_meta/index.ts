// Citation meta tags (Highwire citation_*, for Google Scholar): writer, check and format descriptor.
import { defineFormat } from '../define.js';
import { checkCitationMeta } from './check.js';
import { toCitationMeta } from './write.js';

export { toCitationMeta, citationMetaTags, scholarDate, escapeHtmlAttribute, type CitationTag } from './write.js';
export { checkCitationMeta } from './check.js';

export const citationMetaFormat = defineFormat({
  id: 'citation_meta',
  label: 'Citation meta tags (Highwire citation_*, Google Scholar)',
  extension: 'html',
  mediaType: 'text/html',
  write: (record) => toCitationMeta(record),
  validation: { kind: 'round-trip', check: checkCitationMeta },
});
