// RIS: writer, round-trip check through Citation.js, and format descriptor.
import { defineFormat } from '../define.js';
import { checkRis } from './check.js';
import { toRis } from './write.js';

export { toRis, toRisBatch, risTags, risValue, risName, type RisTag } from './write.js';
export { checkRis } from './check.js';
export { parseRisRecords, parseRisToCsl } from './parse.js';

export const risFormat = defineFormat({
  id: 'ris',
  label: 'RIS',
  extension: 'ris',
  mediaType: 'application/x-research-info-systems',
  write: (record) => toRis(record),
  validation: { kind: 'round-trip', check: checkRis },
});
