// Reading RIS back with Citation.js (@citation-js/plugin-ris), a maintained parser that reads
// RIS tags and maps them to CSL-JSON by the RIS specification's per-type tag tables.
import { citationPlugins } from '../citation-js.js';

/** The records of a RIS file as Citation.js reads them: tag -> value, or values when repeated. */
export function parseRisRecords(text: string): Record<string, string | string[]>[] {
  return citationPlugins().input.data(text, '@ris/file') as Record<string, string | string[]>[];
}

/** The records of a RIS file as CSL-JSON items. */
export function parseRisToCsl(text: string): Record<string, unknown>[] {
  return citationPlugins().input.chain(text, { forceType: '@ris/file', generateGraph: false }) as Record<string, unknown>[];
}
