import { FORMATS, documentRoot, formatForRoot, type FormatDescriptor, type FormatList } from '../formats/index.js';
import { validateArticle } from '../model/index.js';
import type { ArticleRecord } from '../model/types.js';

/** The id of the registered format whose reader mapped a record ('oai_dc', 'jats', ...). */
export type HarvestMetadataFormat = string;

/** A harvested metadata record mapped to the article model. */
export interface HarvestMapping {
  /** Which reader mapped it; undefined when the format has no mapping (the raw XML is kept). */
  format: HarvestMetadataFormat | undefined;
  /** The mapped record: normalised when valid, the reader's best effort otherwise. */
  record: ArticleRecord | undefined;
  /** True when the record passed validateArticle (only then does it go to the store's records). */
  valid: boolean;
  /** Validation errors as "/pointer: message", or why nothing could be mapped. */
  errors: string[];
  /** Reader warnings as "path: message". */
  warnings: string[];
}

export type HarvestMapper = (metadataXml: string, metadataPrefix: string) => HarvestMapping;

/** Thrown by a mapper when the metadata cannot be read at all (the record is quarantined). */
export class HarvestMappingError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HarvestMappingError';
  }
}

/**
 * Decides the reader from the metadata root element (the registered formats' detect), falling
 * back to the metadataPrefix (a format's OAI prefix, or one it says it reads when harvesting).
 */
export function detectMetadataFormat(metadataXml: string, metadataPrefix: string, formats: FormatList = FORMATS): HarvestMetadataFormat | undefined {
  return readerFor(metadataXml, metadataPrefix, formats)?.id;
}

function readerFor(metadataXml: string, metadataPrefix: string, formats: FormatList): FormatDescriptor | undefined {
  const root = documentRoot(metadataXml);
  const byRoot = root && formatForRoot(root, formats);
  if (byRoot) return byRoot;
  return formats.find((f) => f.read && (f.oai?.prefix === metadataPrefix || f.oai?.harvestPrefixes?.test(metadataPrefix) === true));
}

/**
 * Default mapper: oai_dc via readOaiDc (best effort: DOI from identifiers, creators, languages,
 * dates), JATS via readJats (front matter and references), then validateArticle.
 */
export const mapHarvestedMetadata: HarvestMapper = (metadataXml, metadataPrefix) => {
  const reader = readerFor(metadataXml, metadataPrefix, FORMATS);
  const format = reader?.id;
  if (reader?.read === undefined || format === undefined) {
    return { format, record: undefined, valid: false, errors: [`no mapping to the article model for metadataPrefix "${metadataPrefix}"`], warnings: [] };
  }
  let result;
  try {
    // The splitter checked the record well-formed as it cut it (records it could not are quarantined).
    result = reader.read(metadataXml, { checked: true });
  } catch (error) {
    throw new HarvestMappingError(`the ${format} metadata cannot be read: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const warnings = result.warnings.map((w) => (w.path ? `${w.path}: ${w.message}` : w.message));
  const record = result.records[0];
  if (record === undefined) {
    return { format, record: undefined, valid: false, errors: [`the ${format} reader found no article in the metadata`], warnings };
  }
  if (result.records.length > 1) warnings.push(`the metadata holds ${result.records.length} articles; only the first is kept`);
  const validation = validateArticle(record);
  if (validation.ok) return { format, record: validation.record, valid: true, errors: [], warnings };
  return {
    format,
    record,
    valid: false,
    errors: validation.errors.map((e) => `${e.pointer || '/'}: ${e.message}`),
    warnings,
  };
};
