// BibTeX: writer, round-trip check through Citation.js, and format descriptor.
import { defineFormat } from '../define.js';
import { checkBibtex } from './check.js';
import { toBibtex } from './write.js';

export { toBibtex, toBibtexBatch, bibtexKey } from './write.js';
export { checkBibtex } from './check.js';
export { parseBibtex } from './parse.js';
export { latexText, latexName } from './latex.js';

export const bibtexFormat = defineFormat({
  id: 'bibtex',
  label: 'BibTeX',
  extension: 'bib',
  mediaType: 'application/x-bibtex',
  write: (record) => toBibtex(record),
  validation: { kind: 'round-trip', check: checkBibtex },
});
