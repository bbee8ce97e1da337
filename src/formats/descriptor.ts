// The shape every export format's folder exports (DESIGN.md, "Format descriptor").
// A local copy of the lead's sketch for the new format folders; the `formats` helper writes
// the real one, and the two are reconciled when the branches meet.
import type { ArticleRecord } from '../model/types.js';
import type { ReaderResult } from './readers/index.js';

export interface FormatWriteOptions {
  /** XML formats: emit the XML declaration (default true; false for embedding in an OAI-PMH response). */
  declaration?: boolean;
}

export interface FormatDescriptor {
  readonly id: string;                 // 'oai_dc', 'datacite', ...
  readonly label: string;              // 'DataCite Metadata Schema 4.7'
  readonly extension: string;          // 'xml', 'json', 'bib', 'ris', 'jsonld', 'html'
  readonly mediaType: string;          // 'application/xml', 'application/vnd.citationstyles.csl+json', ...
  write(record: ArticleRecord, options?: FormatWriteOptions): string;           // throws ExportError naming record, field, format
  writeBatch?(records: readonly ArticleRecord[], options?: FormatWriteOptions): string;  // formats that batch (Crossref)
  read?(text: string): ReaderResult;   // text -> record + warnings
  detect?(root: { name: string; namespace: string | undefined }): boolean;      // XML root detection for read/validate
  validation:
    | { kind: 'xsd'; schemaId: string }                       // official XSD registered in src/validate
    | { kind: 'json-schema'; schemaId: string }               // official JSON Schema (schemas/official/...)
    | { kind: 'round-trip'; check(output: string, record: ArticleRecord): string[] };  // maintained parser reads it back; [] = valid
  oai?: { prefix: string; namespace: string; schema: string };
}
