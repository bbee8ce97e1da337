import type { ArticleRecord, Galley, Issn } from '../model/types.js';
import { expandUrlTemplate, type TemplatePlaceholder } from './templates.js';
import type { JournalProfile, UrlTemplateField } from './types.js';

/** A URL template the record could not fill: which record field stayed empty and why. */
export interface UnfilledTemplate {
  /** The record field the template would have filled: "landingPage", "galleys.pdf", "galleys.xml". */
  field: string;
  template: UrlTemplateField;
  /** The placeholder the record has no value for (absent when the template itself is at fault). */
  placeholder?: TemplatePlaceholder;
  message: string;
}

export interface AppliedJournalProfile {
  /** A new record; the input is not changed. */
  record: ArticleRecord;
  /** Field paths filled from the profile, in a fixed order: "journal.id", "journal.issns.electronic", ... */
  filled: string[];
  /** Templates that gave nothing for this record (a value they need is unknown). */
  unfilled: UnfilledTemplate[];
}

/** Mime type of the galley made from a profile's pdfUrl. */
export const PDF_GALLEY_MIME_TYPE = 'application/pdf';
/**
 * Mime type of the galley made from a profile's xmlUrl. application/xml, not
 * application/jats+xml: Crossref's text-mining items take a mime_type from the enumeration in
 * common5.3.1.xsd (mime_type.atts), which has application/xml and text/xml but no jats+xml.
 */
export const XML_GALLEY_MIME_TYPE = 'application/xml';

const mimeOf = (galley: Galley): string => galley.mimeType.trim().toLowerCase();
const isPdfGalley = (galley: Galley): boolean => mimeOf(galley) === PDF_GALLEY_MIME_TYPE;
// Full-text XML already (XHTML, SVG and MathML are +xml types too, but not the article's XML).
const FULL_TEXT_XML = new Set(['application/xml', 'text/xml', 'application/jats+xml']);
const isXmlGalley = (galley: Galley): boolean => FULL_TEXT_XML.has(mimeOf(galley));

function fillIssns(journal: ArticleRecord['journal'], profile: JournalProfile, filled: string[]): void {
  const issns: Issn[] = journal.issns ?? [];
  const values = new Set(issns.map((issn) => issn.value));
  const added: Issn[] = [];
  for (const [media, value] of [['print', profile.issnPrint], ['electronic', profile.issnElectronic]] as const) {
    if (value === undefined || values.has(value) || issns.some((issn) => issn.media === media)) continue;
    added.push({ value, media });
    filled.push(`journal.issns.${media}`);
  }
  if (added.length > 0) journal.issns = [...issns, ...added];
}

/**
 * Fills what the record lacks from its journal's profile: journal.id, the ISSN of each medium
 * the record has none for, publisher, abbreviated title, landing page (landingUrl), PDF and
 * XML galleys (pdfUrl, xmlUrl) and licence. The record's own values always win, and nothing is
 * invented: a template needing a value the record lacks fills nothing and is listed in
 * `unfilled`. Depositor and registrant are not record fields (see profileCrossrefIdentity).
 * Throws when the record names another journal: match it first (matchJournalProfile).
 */
export function applyJournalProfile(record: ArticleRecord, profile: JournalProfile): AppliedJournalProfile {
  if (record.journal.id !== undefined && record.journal.id !== profile.id) {
    throw new Error(`${record.doi}: the record belongs to journal "${record.journal.id}", not "${profile.id}"`);
  }
  const out = structuredClone(record);
  const filled: string[] = [];
  const unfilled: UnfilledTemplate[] = [];
  const journal = out.journal;
  if (journal.id === undefined) {
    journal.id = profile.id;
    filled.push('journal.id');
  }
  fillIssns(journal, profile, filled);
  if (journal.publisher === undefined && profile.publisher !== undefined) {
    journal.publisher = { name: profile.publisher };
    filled.push('journal.publisher');
  }
  if (journal.abbrevTitle === undefined && profile.abbrevTitle !== undefined) {
    journal.abbrevTitle = profile.abbrevTitle;
    filled.push('journal.abbrevTitle');
  }
  const expand = (template: UrlTemplateField, field: string): string | undefined => {
    const result = expandUrlTemplate(profile[template]!, record);
    if (result.ok) return result.url;
    unfilled.push({ field, template, ...(result.placeholder ? { placeholder: result.placeholder } : {}), message: `journal ${profile.id} ${template}: ${result.message}` });
    return undefined;
  };
  if (out.landingPage === undefined && profile.landingUrl !== undefined) {
    const url = expand('landingUrl', 'landingPage');
    if (url !== undefined) {
      out.landingPage = url;
      filled.push('landingPage');
    }
  }
  const galleys = [...(out.galleys ?? [])];
  const addGalley = (template: UrlTemplateField, kind: 'pdf' | 'xml', mimeType: string, has: (g: Galley) => boolean): void => {
    if (profile[template] === undefined || galleys.some(has)) return;
    const url = expand(template, `galleys.${kind}`);
    if (url === undefined) return;
    galleys.push({ url, mimeType });
    filled.push(`galleys.${kind}`);
  };
  addGalley('pdfUrl', 'pdf', PDF_GALLEY_MIME_TYPE, isPdfGalley);
  addGalley('xmlUrl', 'xml', XML_GALLEY_MIME_TYPE, isXmlGalley);
  if (galleys.length > (out.galleys?.length ?? 0)) out.galleys = galleys;
  if (out.license === undefined && profile.license !== undefined) {
    out.license = { url: profile.license };
    filled.push('license');
  }
  return { record: out, filled, unfilled };
}

/** The doi_batch head a profile gives (depositor and registrant), when it gives both. */
export function profileCrossrefIdentity(profile: JournalProfile): { depositor: { name: string; email: string }; registrant: string } | undefined {
  if (!profile.depositor || profile.registrant === undefined) return undefined;
  return { depositor: { ...profile.depositor }, registrant: profile.registrant };
}

/**
 * Marks a profile value as a stand-in to be replaced, as the bundled seed profile does for
 * its depositor and registrant (no source gives them). E-mail stand-ins use the reserved
 * .invalid top-level domain (RFC 6761 §6.4), which no mail can reach.
 */
export const PLACEHOLDER_MARK = 'PLACEHOLDER';

/** Profile fields still holding stand-ins ("depositor.name", "depositor.email", "registrant"). */
export function profilePlaceholders(profile: JournalProfile): string[] {
  const marked = (value: string | undefined): boolean => value !== undefined && value.includes(PLACEHOLDER_MARK);
  const fields: string[] = [];
  if (marked(profile.depositor?.name)) fields.push('depositor.name');
  if (profile.depositor && (marked(profile.depositor.email) || /\.invalid$/i.test(profile.depositor.email.trim()))) fields.push('depositor.email');
  if (marked(profile.registrant)) fields.push('registrant');
  return fields;
}
