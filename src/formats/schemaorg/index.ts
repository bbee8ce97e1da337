// schema.org JSON-LD (ScholarlyArticle): writer, check and format descriptor.
import { defineFormat } from '../define.js';
import { checkSchemaOrg } from './check.js';
import { toSchemaOrg } from './write.js';

export { toSchemaOrg, toSchemaOrgObject, displayName, type JsonLd } from './write.js';
export { checkSchemaOrg } from './check.js';

export const schemaorgFormat = defineFormat({
  id: 'schemaorg',
  label: 'schema.org JSON-LD (ScholarlyArticle)',
  extension: 'jsonld',
  mediaType: 'application/ld+json',
  write: (record) => toSchemaOrg(record),
  validation: { kind: 'round-trip', check: checkSchemaOrg },
});
