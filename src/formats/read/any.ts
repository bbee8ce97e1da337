/** Picks the reader from the document's root element and namespace, not from a file name. */
import { readCrossref } from '../crossref/reader.js';
import { readJats } from '../jats/reader.js';
import { OAI_DC_NS, readOaiDc } from '../oai_dc/reader.js';
import { ReaderError, sniffRootElement, type ReaderResult } from './xml.js';

export type ReadableXmlFormat = 'jats' | 'crossref' | 'oai_dc';

/**
 * The XML format of a document from its first element: `article` (any namespace) or
 * `pmc-articleset` is JATS, `doi_batch` is a Crossref deposit, `oai_dc:dc` is Dublin Core.
 * An OAI-PMH response is classified by the metadata it carries.
 */
export function detectXmlFormat(xml: string): ReadableXmlFormat | undefined {
  const root = sniffRootElement(xml);
  if (!root) return undefined;
  if (root.local === 'article' || root.local === 'pmc-articleset') return 'jats';
  if (root.local === 'doi_batch') return 'crossref';
  if (root.local === 'dc' && (root.ns === OAI_DC_NS || root.ns === '')) return 'oai_dc';
  if (root.local === 'OAI-PMH' || root.local === 'record' || root.local === 'metadata') {
    const sample = xml.slice(0, 2_000_000);
    if (/<(?:[\w.-]+:)?metadata\b[^>]*>\s*<(?:[\w.-]+:)?article\b/.test(sample)) return 'jats';
    if (sample.includes(OAI_DC_NS)) return 'oai_dc';
  }
  return undefined;
}

export function readAnyXml(xml: string): ReaderResult & { format: ReadableXmlFormat } {
  const format = detectXmlFormat(xml);
  if (!format) {
    const root = sniffRootElement(xml);
    throw new ReaderError(
      root
        ? `unrecognised XML: root element <${root.name}>${root.ns ? ` in namespace ${root.ns}` : ''} is not JATS <article>, Crossref <doi_batch> or <oai_dc:dc>`
        : 'not an XML document: no root element found',
    );
  }
  const result = format === 'jats' ? readJats(xml) : format === 'crossref' ? readCrossref(xml) : readOaiDc(xml);
  return { ...result, format };
}
