/**
 * Refusals that a journal profile could cure. An exporter refuses a record for a missing
 * field (ExportError: record, field, format); when the field is one a profile supplies, the
 * refusal gains the command that sets it, e.g.
 * "10.33172/jdp.v4i2.323: JATS 1.3 Journal Publishing requires at least one ISSN (journal.issns);
 *  set it in the journal profile: pubmeta journal set jdp --issn-electronic NNNN-NNNN".
 */
import type { UnfilledTemplate } from './apply.js';

/** What an exporter refusal carries (ExportError has these). */
export interface ExportRefusal {
  recordId: string;
  /** The missing field: "journal.issns", "landingPage", "depositor.email", ... */
  field: string;
  message: string;
}

export interface RefusalHintContext {
  /** The record's journal profile; absent when the record joined none. */
  journalId?: string;
  /** The record's journal title, for the `journal add` a profile-less record would need. */
  journalTitle?: string;
  /** applyJournalProfile's unfilled templates for the record. */
  unfilled?: readonly UnfilledTemplate[];
}

// More specific fields first: "depositor.name" before "depositor".
const SETTINGS: [field: string, options: string][] = [
  ['journal.issns', '--issn-electronic NNNN-NNNN (or --issn-print NNNN-NNNN)'],
  ['journal.publisher', '--publisher NAME'],
  ['landingPage', "--landing-url 'https://journal.example.org/article/view/{manuscript}'"],
  ['license', '--license URL'],
  ['depositor.name', '--depositor-name NAME'],
  ['depositor.email', '--depositor-email EMAIL'],
  ['depositor', '--depositor-name NAME --depositor-email EMAIL'],
  ['registrant', '--registrant NAME'],
];

function coversField(key: string, field: string): boolean {
  return field === key || field.startsWith(`${key}.`) || field.startsWith(`${key}/`);
}

/** The `pubmeta journal set|add` options that supply a field, or undefined when no profile setting does. */
export function profileOptionsFor(field: string): string | undefined {
  return SETTINGS.find(([key]) => coversField(key, field))?.[1];
}

/**
 * The sentence to append to a refusal: which profile setting fixes it (or, when the profile
 * has the template but the record lacks a value it needs, which value). Undefined when no
 * profile setting supplies the field.
 */
export function refusalHint(refusal: Pick<ExportRefusal, 'field'>, context: RefusalHintContext = {}): string | undefined {
  const options = profileOptionsFor(refusal.field);
  if (options === undefined) return undefined;
  const unfilled = context.unfilled?.find((u) => coversField(u.field, refusal.field));
  if (unfilled) return `the journal profile could not fill it: ${unfilled.message}`;
  if (context.journalId !== undefined) return `set it in the journal profile: pubmeta journal set ${context.journalId} ${options}`;
  const title = context.journalTitle === undefined ? 'TITLE' : JSON.stringify(context.journalTitle);
  return `the record belongs to no journal profile; add one: pubmeta journal add ID --title ${title} ${options}`;
}

/** The refusal's message, with the profile hint appended when there is one. */
export function explainRefusal(refusal: ExportRefusal, context: RefusalHintContext = {}): string {
  const hint = refusalHint(refusal, context);
  return hint === undefined ? refusal.message : `${refusal.message}; ${hint}`;
}
