// Types for the parts of Citation.js (@citation-js/core 0.7, with its BibTeX and RIS plugins)
// that the BibTeX and RIS round-trip checks use; the packages ship no declarations.
declare module '@citation-js/core' {
  interface ChainOptions {
    /** Parse as exactly this input type (e.g. "@biblatex/text", "@ris/file"). */
    forceType?: string;
    /** Keep a parse history on each item (off: it is not needed and costs memory). */
    generateGraph?: boolean;
  }
  export const plugins: {
    input: {
      /** Parses input through registered parsers, by default down to CSL-JSON items. */
      chain(input: unknown, options?: ChainOptions): unknown[];
      /** Runs the one parser registered for `type` (e.g. "@ris/file" to RIS records). */
      data(input: unknown, type: string): unknown;
    };
    /** Names of the registered plugins, e.g. ["@else", "@bibtex", "@ris"]. */
    list(): string[];
  };
}
declare module '@citation-js/plugin-bibtex';
declare module '@citation-js/plugin-ris';
