// Citation.js, loaded on first use: its plugins cost a tenth of a second at startup, and only
// the BibTeX and RIS round trips need them. Its packages are CommonJS, so a synchronous
// require keeps the parsers synchronous.
import { createRequire } from 'node:module';

type CitationPlugins = typeof import('@citation-js/core').plugins;

const require = createRequire(import.meta.url);
let loaded: CitationPlugins | undefined;

/** Citation.js's plugin registry with the BibTeX and RIS input plugins registered. */
export function citationPlugins(): CitationPlugins {
  if (!loaded) {
    const core = require('@citation-js/core') as typeof import('@citation-js/core');
    require('@citation-js/plugin-bibtex');
    require('@citation-js/plugin-ris');
    loaded = core.plugins;
  }
  return loaded;
}
