// The formats pubmeta writes (and, where they have a reader, reads). Adding a format is its
// own folder plus one line here; nothing else names formats.
import type { FormatDescriptor } from './descriptor.js';
import { bibtexFormat } from './bibtex/index.js';
import { citationMetaFormat } from './citation_meta/index.js';
import { crossrefFormat } from './crossref/index.js';
import { cslFormat } from './csl/index.js';
import { dataciteFormat } from './datacite/index.js';
import { jatsFormat } from './jats/index.js';
import { oaiDcFormat } from './oai_dc/index.js';
import { oaiOpenaireFormat } from './oai_openaire/index.js';
import { risFormat } from './ris/index.js';
import { schemaorgFormat } from './schemaorg/index.js';

export const FORMATS = [
  oaiDcFormat,
  jatsFormat,
  crossrefFormat,
  dataciteFormat,
  oaiOpenaireFormat,
  cslFormat,
  bibtexFormat,
  risFormat,
  schemaorgFormat,
  citationMetaFormat,
] as const satisfies readonly FormatDescriptor[];

/** The id of a registered format: 'oai_dc' | 'jats' | 'crossref' | ... */
export type FormatId = (typeof FORMATS)[number]['id'];

/** A list of formats, as consumers take it (the registry by default; tests pass their own). */
export type FormatList = readonly FormatDescriptor[];

export function formatIds(formats: FormatList = FORMATS): string[] {
  return formats.map((format) => format.id);
}

export function findFormat(id: string, formats: FormatList = FORMATS): FormatDescriptor | undefined {
  return formats.find((format) => format.id === id);
}

/** Formats offered over OAI-PMH (those with `oai`). */
export function oaiFormats(formats: FormatList = FORMATS): (FormatDescriptor & { oai: NonNullable<FormatDescriptor['oai']> })[] {
  return formats.filter((format): format is FormatDescriptor & { oai: NonNullable<FormatDescriptor['oai']> } => format.oai !== undefined);
}
