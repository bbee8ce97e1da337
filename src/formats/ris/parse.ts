// Reading RIS back with Citation.js (@citation-js/plugin-ris), a maintained parser that reads
// RIS tags and maps them to CSL-JSON by the RIS specification's per-type tag tables.
import { createRequire } from 'node:module';

type CitationJs = typeof import('@citation-js/core');
let citationJs: CitationJs | undefined;

/** Citation.js with its RIS plugin, loaded on first use: most runs (a harvest, an export) never parse RIS. */
function citation(): CitationJs['plugins'] {
  if (citationJs === undefined) {
    const require = createRequire(import.meta.url);
    citationJs = require('@citation-js/core') as CitationJs;
    require('@citation-js/plugin-ris');
  }
  return citationJs.plugins;
}

/** The records of a RIS file as Citation.js reads them: tag -> value, or values when repeated. */
export function parseRisRecords(text: string): Record<string, string | string[]>[] {
  return citation().input.data(text, '@ris/file') as Record<string, string | string[]>[];
}

/** The records of a RIS file as CSL-JSON items. */
export function parseRisToCsl(text: string): Record<string, unknown>[] {
  return citation().input.chain(text, { forceType: '@ris/file', generateGraph: false }) as Record<string, unknown>[];
}
