// DataCite Metadata Schema 4.7 XML: writer, reader and format descriptor.
import { defineFormat } from '../define.js';
import { readDataCite } from './read.js';
import { DATACITE_NAMESPACE, toDataCite } from './write.js';

export { readDataCite } from './read.js';
export { toDataCite, DATACITE_NAMESPACE, DATACITE_SCHEMA_LOCATION, type DataCiteOptions } from './write.js';

export const dataciteFormat = defineFormat({
  id: 'datacite',
  label: 'DataCite Metadata Schema 4.7',
  extension: 'xml',
  mediaType: 'application/vnd.datacite.datacite+xml',
  write: (record, options?) => toDataCite(record, options),
  read: readDataCite,
  detect: (root) => localName(root.name) === 'resource' && root.namespace === DATACITE_NAMESPACE,
  validation: { kind: 'xsd', schemaId: 'datacite-4.7' },
});

function localName(name: string): string {
  return name.slice(name.indexOf(':') + 1);
}
