// OpenAIRE Guidelines for Literature Repositories 4.0 (oai_openaire): writer, set rule and descriptor.
import { defineFormat } from '../define.js';
import { OPENAIRE_NAMESPACE, OPENAIRE_SCHEMA, toOpenAire } from './write.js';

export { toOpenAire, openAireMandatory, OPENAIRE_NAMESPACE, OPENAIRE_SCHEMA, OPENAIRE_SCHEMA_LOCATION, type OpenAireOptions } from './write.js';
export { OPENAIRE_SET, openAireEligibility, isOpenAireEligible, type OpenAireEligibility } from './set.js';

export const oaiOpenaireFormat = defineFormat({
  id: 'oai_openaire',
  label: 'OpenAIRE Guidelines for Literature Repositories 4.0',
  extension: 'xml',
  mediaType: 'application/xml',
  write: (record, options?) => toOpenAire(record, options),
  detect: (root) => root.name.slice(root.name.indexOf(':') + 1) === 'resource' && root.namespace === OPENAIRE_NAMESPACE,
  validation: { kind: 'xsd', schemaId: 'openaire-4' },
  oai: { prefix: 'oai_openaire', namespace: OPENAIRE_NAMESPACE, schema: OPENAIRE_SCHEMA },
});
