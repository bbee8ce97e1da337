// BibTeX: writer, round-trip check through Citation.js, and format descriptor.
import type { FormatDescriptor } from '../descriptor.js';
import { checkBibtex } from './check.js';
import { toBibtex, toBibtexBatch } from './write.js';

export { toBibtex, toBibtexBatch, bibtexKey } from './write.js';
export { checkBibtex } from './check.js';
export { parseBibtex } from './parse.js';
export { latexText, latexName } from './latex.js';

export const bibtexFormat: FormatDescriptor = {
  id: 'bibtex',
  label: 'BibTeX',
  extension: 'bib',
  mediaType: 'application/x-bibtex',
  write: (record) => toBibtex(record),
  writeBatch: (records) => toBibtexBatch(records),
  validation: { kind: 'round-trip', check: checkBibtex },
};
