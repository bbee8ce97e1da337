// Reading BibTeX back with Citation.js (@citation-js/plugin-bibtex), a maintained parser that
// decodes LaTeX to Unicode and maps entries to CSL-JSON.
import { citationPlugins } from '../citation-js.js';

/** CSL-JSON items for the entries of a BibTeX file, as Citation.js reads them (biblatex mapping). */
export function parseBibtex(text: string): Record<string, unknown>[] {
  return citationPlugins().input.chain(text, { forceType: '@biblatex/text', generateGraph: false }) as Record<string, unknown>[];
}
