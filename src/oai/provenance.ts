import { OAI_PROVENANCE_NAMESPACE, OAI_PROVENANCE_SCHEMA, XSI_NAMESPACE } from '../oai-pmh/index.js';
import type { StoredRecord } from '../store/types.js';
import { escapeAttribute, escapeText } from './xml.js';

/**
 * The `<about>` of a re-exposed (harvested) record: the OAI-PMH provenance container
 * (guidelines-provenance, provenance.xsd) naming the source's baseURL, the record's identifier,
 * datestamp and metadata namespace there, when it was harvested, and altered="true" (the
 * metadata served is pubmeta's rendering of the mapped record, not the harvested bytes).
 * Empty for own records.
 */
export function provenanceAboutXml(stored: Pick<StoredRecord, 'origin'>): string {
  const origin = stored.origin;
  if (!origin) return '';
  return (
    `<about><provenance xmlns="${OAI_PROVENANCE_NAMESPACE}" xmlns:xsi="${XSI_NAMESPACE}" xsi:schemaLocation="${OAI_PROVENANCE_NAMESPACE} ${OAI_PROVENANCE_SCHEMA}">` +
    `<originDescription harvestDate="${escapeAttribute(origin.harvestedAt)}" altered="true">` +
    `<baseURL>${escapeText(origin.baseUrl)}</baseURL>` +
    `<identifier>${escapeText(origin.identifier)}</identifier>` +
    `<datestamp>${escapeText(origin.datestamp)}</datestamp>` +
    `<metadataNamespace>${escapeText(origin.metadataNamespace)}</metadataNamespace>` +
    '</originDescription></provenance></about>'
  );
}
