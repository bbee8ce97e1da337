// Every output is checked, as its format's descriptor says, before it is written.
import type { FormatDescriptor } from '../formats/index.js';
import type { ArticleRecord } from '../model/types.js';
import { formatXmlErrors, validateJsonText, validateXmlMany, type ValidationThread, type XmlValidationResult } from '../validate/index.js';

export interface OutputToCheck {
  output: string;
  /** The record it was written from (round-trip checks compare with it). */
  record: ArticleRecord;
}

/** Why an output fails its format's check, one text per output; undefined when it passes. */
export function checkOutputs(format: FormatDescriptor, items: readonly OutputToCheck[]): (string | undefined)[] {
  return checkOutputsWith(undefined, format, items) as (string | undefined)[];
}

/**
 * checkOutputs, with XSD validation on `thread` when it is idle: then the result is a promise
 * and the caller can go on writing meanwhile. Otherwise the result is there at once.
 */
export function checkOutputsWith(
  thread: ValidationThread | undefined,
  format: FormatDescriptor,
  items: readonly OutputToCheck[],
): (string | undefined)[] | Promise<(string | undefined)[]> {
  const validation = format.validation;
  switch (validation.kind) {
    case 'xsd': {
      const describe = (results: XmlValidationResult[]) =>
        results.map((result) => (result.valid ? undefined : `not valid against ${validation.schemaId}:\n${formatXmlErrors(result.errors)}`));
      const documents = items.map((item) => item.output);
      // The thread when it is idle; else here and now, which keeps both cores busy without a queue.
      if (thread && !thread.busy) {
        // A thread that fails (it should not) costs time, never a check: its work is redone here.
        return thread.validateMany(documents, validation.schemaId).catch(() => validateXmlMany(documents, validation.schemaId)).then(describe);
      }
      return describe(validateXmlMany(documents, validation.schemaId));
    }
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
