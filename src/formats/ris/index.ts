// RIS: writer, round-trip check through Citation.js, and format descriptor.
import type { FormatDescriptor } from '../descriptor.js';
import { checkRis } from './check.js';
import { toRis, toRisBatch } from './write.js';

export { toRis, toRisBatch, risTags, risValue, risName, type RisTag } from './write.js';
export { checkRis } from './check.js';
export { parseRisRecords, parseRisToCsl } from './parse.js';

export const risFormat: FormatDescriptor = {
  id: 'ris',
  label: 'RIS',
  extension: 'ris',
  mediaType: 'application/x-research-info-systems',
  write: (record) => toRis(record),
  writeBatch: (records) => toRisBatch(records),
  validation: { kind: 'round-trip', check: checkRis },
};
