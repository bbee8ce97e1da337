// CSL-JSON: writer and format descriptor, validated against the official csl-data.json.
import { defineFormat } from '../define.js';
import { toCsl } from './write.js';

export { toCsl, toCslBatch, toCslItem, cslName, keywordsOf, type CslItem, type CslName, type CslDate } from './write.js';

export const cslFormat = defineFormat({
  id: 'csl',
  label: 'CSL-JSON (Citation Style Language 1.0 input data)',
  extension: 'json',
  mediaType: 'application/vnd.citationstyles.csl+json',
  write: (record) => toCsl(record),
  validation: { kind: 'json-schema', schemaId: 'csl-data' },
});
