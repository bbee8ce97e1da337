// Reading BibTeX back with Citation.js (@citation-js/plugin-bibtex), a maintained parser that
// decodes LaTeX to Unicode and maps entries to CSL-JSON.
import { createRequire } from 'node:module';

type CitationJs = typeof import('@citation-js/core');
let citationJs: CitationJs | undefined;

/** Citation.js with its BibTeX plugin, loaded on first use: most runs (a harvest, an export) never parse BibTeX. */
function citation(): CitationJs['plugins'] {
  if (citationJs === undefined) {
    const require = createRequire(import.meta.url);
    citationJs = require('@citation-js/core') as CitationJs;
    require('@citation-js/plugin-bibtex');
  }
  return citationJs.plugins;
}

/** CSL-JSON items for the entries of a BibTeX file, as Citation.js reads them (biblatex mapping). */
export function parseBibtex(text: string): Record<string, unknown>[] {
  return citation().input.chain(text, { forceType: '@biblatex/text', generateGraph: false }) as Record<string, unknown>[];
}
