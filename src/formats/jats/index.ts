// JATS 1.3 Journal Publishing: front matter and reference list of one article.
import { recordLocalId } from '../../model/records.js';
import { defineFormat } from '../define.js';
import { rootNamespace } from '../descriptor.js';
import { jatsIdPrefix, prefixJatsIds } from './ids.js';
import { JATS_SKIPPED, readJats } from './reader.js';
import { JATS_OAI_NAMESPACE, JATS_OAI_SCHEMA_LOCATION, toJats } from './writer.js';

export { toJats, JATS_OAI_NAMESPACE, JATS_OAI_SCHEMA_LOCATION, type JatsOptions } from './writer.js';
export { readJats, readJatsArticle } from './reader.js';
export { jatsIdPrefix, prefixJatsIds, JATS_ID_ATTRIBUTES } from './ids.js';

export const jatsFormat = defineFormat({
  id: 'jats',
  label: 'JATS 1.3 Journal Publishing',
  extension: 'xml',
  mediaType: 'application/jats+xml',
  write: (record, options) => toJats(record, { declaration: options?.declaration ?? true }),
  read: readJats,
  readSkips: JATS_SKIPPED,
  // Any namespace: PMC's OAI service and pubmeta's provider put JATS in one; pmc-articleset holds several.
  detect: (root) => root.name === 'article' || root.name === 'pmc-articleset',
  validation: {
    kind: 'xsd',
    schemaId: 'jats',
    schemaIdFor: (root) => (root.name === 'article' && rootNamespace(root) === '' ? 'jats' : undefined),
  },
  oai: {
    prefix: 'jats',
    namespace: JATS_OAI_NAMESPACE,
    schema: JATS_OAI_SCHEMA_LOCATION,
    /**
     * JATS has no namespace, but OAI-PMH's metadata wildcard is namespace="##other" strict, so
     * JATS is served in the namespace PMC's OAI service uses for JATS articles. Ids get a
     * per-record prefix so they stay unique across the articles of one response.
     */
    write: (record) =>
      prefixJatsIds(
        toJats(record, { declaration: false, namespace: JATS_OAI_NAMESPACE, schemaLocation: JATS_OAI_SCHEMA_LOCATION }),
        jatsIdPrefix(recordLocalId(record)),
      ),
    harvestPrefixes: /^(jats|nlm|pmc|pmc_fm|jats_?1\.?\d?)$/i,
  },
});
