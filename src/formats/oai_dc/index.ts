// Dublin Core in the OAI-PMH oai_dc container: the format every OAI-PMH repository must offer.
import { defineFormat } from '../define.js';
import { rootNamespace } from '../descriptor.js';
import { OAI_DC_NS, readOaiDc } from './reader.js';
import { toOaiDc } from './writer.js';

export { toOaiDc, sourceCitation, OAI_DC_SCHEMA_LOCATION, type OaiDcOptions } from './writer.js';
export { readOaiDc, readDcElement, OAI_DC_NS, DC_NS } from './reader.js';

export const OAI_DC_SCHEMA_URL = 'http://www.openarchives.org/OAI/2.0/oai_dc.xsd';

export const oaiDcFormat = defineFormat({
  id: 'oai_dc',
  label: 'Dublin Core (OAI-PMH oai_dc)',
  extension: 'xml',
  mediaType: 'application/xml',
  write: (record, options) => toOaiDc(record, { declaration: options?.declaration ?? true }),
  read: readOaiDc,
  // Repositories sometimes leave the container in no namespace; the reader still takes it.
  detect: (root) => root.name === 'dc' && (rootNamespace(root) === OAI_DC_NS || rootNamespace(root) === ''),
  validation: {
    kind: 'xsd',
    schemaId: 'oai_dc',
    schemaIdFor: (root) => (rootNamespace(root) === OAI_DC_NS ? 'oai_dc' : undefined),
  },
  oai: {
    prefix: 'oai_dc',
    namespace: OAI_DC_NS,
    schema: OAI_DC_SCHEMA_URL,
    alwaysAvailable: true,
    harvestPrefixes: /^oai_dc$/,
  },
});
