/**
 * A journal profile: one of your journals, the facts its records share and the URL patterns
 * of its article pages. schemas/journal.schema.json is the normative form.
 */
export interface JournalProfile {
  /** Short name, ^[a-z0-9][a-z0-9-]{0,63}$; records point to it in journal.id. */
  id: string;
  title: string;
  abbrevTitle?: string;
  /** "NNNN-NNNC" with a valid check digit. */
  issnPrint?: string;
  issnElectronic?: string;
  publisher?: string;
  /** "10.33172": deposits only ever send DOIs under these. Empty: the journal deposits nothing. */
  doiPrefixes: string[];
  /** URL templates; placeholders in TEMPLATE_PLACEHOLDERS (src/journals/templates.ts). */
  landingUrl?: string;
  pdfUrl?: string;
  xmlUrl?: string;
  /** doi_batch head of the journal's Crossref deposits. */
  depositor?: { name: string; email: string };
  registrant?: string;
  /** Licence URL. */
  license?: string;
  /** BCP 47: the journal's main language (default for spreadsheet rows). */
  language?: string;
}

/** The profile fields that hold URL templates. */
export type UrlTemplateField = 'landingUrl' | 'pdfUrl' | 'xmlUrl';
