import { readJats, readOaiDc } from '../formats/index.js';
import { validateArticle } from '../model/index.js';
import type { ArticleRecord } from '../model/types.js';

export type HarvestMetadataFormat = 'oai_dc' | 'jats';

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

const OAI_DC_NAMESPACE = 'http://www.openarchives.org/OAI/2.0/oai_dc/';

/** Decides the reader from the metadata root element, falling back to the metadataPrefix. */
export function detectMetadataFormat(metadataXml: string, metadataPrefix: string): HarvestMetadataFormat | undefined {
  const root = /^(?:\s|<!--[^]*?-->|<\?[^]*?\?>)*<([^\s/>!?]+)([^>]*)>/.exec(metadataXml);
  if (root) {
    const qname = root[1]!;
    const local = qname.includes(':') ? qname.slice(qname.indexOf(':') + 1) : qname;
    if (local === 'dc' && (root[2]!.includes(OAI_DC_NAMESPACE) || qname.startsWith('oai_dc:'))) return 'oai_dc';
    if (local === 'article') return 'jats';
  }
  if (metadataPrefix === 'oai_dc') return 'oai_dc';
  if (/^(jats|nlm|pmc|pmc_fm|jats_?1\.?\d?)$/i.test(metadataPrefix)) return 'jats';
  return undefined;
}

/**
 * Default mapper: oai_dc via readOaiDc (best effort: DOI from identifiers, creators, languages,
 * dates), JATS via readJats (front matter and references), then validateArticle.
 */
export const mapHarvestedMetadata: HarvestMapper = (metadataXml, metadataPrefix) => {
  const format = detectMetadataFormat(metadataXml, metadataPrefix);
  if (format === undefined) {
    return { format, record: undefined, valid: false, errors: [`no mapping to the article model for metadataPrefix "${metadataPrefix}"`], warnings: [] };
  }
  let result;
  try {
    result = format === 'oai_dc' ? readOaiDc(metadataXml) : readJats(metadataXml);
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
