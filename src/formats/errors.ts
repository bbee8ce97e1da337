export type ExportFormat =
  | 'oai_dc'
  | 'jats'
  | 'crossref'
  | 'datacite'
  | 'oai_openaire'
  | 'csl'
  | 'bibtex'
  | 'ris'
  | 'schemaorg'
  | 'citation_meta';

/** A record lacks something a target format requires. Names the record, the field and the format. */
export class ExportError extends Error {
  readonly recordId: string;
  readonly field: string;
  readonly format: ExportFormat;

  constructor(recordId: string, field: string, format: ExportFormat, requirement: string) {
    super(`${recordId}: ${requirement}`);
    this.name = 'ExportError';
    this.recordId = recordId;
    this.field = field;
    this.format = format;
  }
}
