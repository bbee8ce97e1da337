// Every output is checked, as its format's descriptor says, before it is written.
import type { FormatDescriptor } from '../formats/index.js';
import type { ArticleRecord } from '../model/types.js';
import { formatXmlErrors, validateJsonText, validateXmlMany } from '../validate/index.js';

export interface OutputToCheck {
  output: string;
  /** The record it was written from (round-trip checks compare with it). */
  record: ArticleRecord;
}

/** Why an output fails its format's check, one text per output; undefined when it passes. */
export function checkOutputs(format: FormatDescriptor, items: readonly OutputToCheck[]): (string | undefined)[] {
  const validation = format.validation;
  switch (validation.kind) {
    case 'xsd':
      return validateXmlMany(
        items.map((item) => item.output),
        validation.schemaId,
      ).map((result) => (result.valid ? undefined : `not valid against ${validation.schemaId}:\n${formatXmlErrors(result.errors)}`));
    case 'json-schema':
      return items.map((item) => {
        const result = validateJsonText(item.output, validation.schemaId);
        return result.valid ? undefined : `not valid against ${validation.schemaId}:\n${result.errors.map((e) => `${e.pointer || '/'}: ${e.message}`).join('\n')}`;
      });
    case 'round-trip':
      return items.map((item) => {
        const problems = validation.check(item.output, item.record);
        return problems.length === 0 ? undefined : `does not read back as written:\n${problems.join('\n')}`;
      });
  }
}
