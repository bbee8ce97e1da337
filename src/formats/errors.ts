/** A format id (registry key); the registry derives the precise union, FormatId. */
export type ExportFormat = string;

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
