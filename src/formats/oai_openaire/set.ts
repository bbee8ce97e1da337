// The OAI-PMH set OpenAIRE harvests from literature repositories.
//
// OpenAIRE Guidelines for Literature Repositories 3.0, "Use of OAI-PMH": the set has setName
// "OpenAIRE" and setSpec "openaire" (lowercase), and "Publications to be inserted in the
// OpenAIRE set must conform to at least one of the following criteria: they are available in
// Open Access (full text with no access restrictions); they are the outcome of a funded research
// project identified by a project identifier ... regardless of their access status."
// Guidelines 4.0 keep that section (commented out, pending the Content Acquisition Policy,
// https://doi.org/10.5281/zenodo.1446407) and define the record format, oai_openaire.
import type { ArticleRecord } from '../../model/types.js';
import { isOpenLicense, present } from '../common.js';
import { ExportError } from '../errors.js';
import { openAireMandatory } from './write.js';

export const OPENAIRE_SET = { spec: 'openaire', name: 'OpenAIRE' } as const;

export interface OpenAireEligibility {
  eligible: boolean;
  /** Why the record is in the set, or why not. */
  reason: string;
}

/**
 * Whether a record belongs in the `openaire` set: it can be written as oai_openaire (every
 * mandatory element known), and it is open access (an open licence) or the outcome of a funded
 * project (a funder with an award number). Today the writer knows access only from an open
 * licence, so every exportable record is open access; the project criterion is kept because it
 * is the guidelines' rule and counts as soon as a record's access can be known otherwise.
 */
export function openAireEligibility(record: ArticleRecord): OpenAireEligibility {
  try {
    openAireMandatory(record);
  } catch (error) {
    if (error instanceof ExportError) return { eligible: false, reason: `cannot be written as oai_openaire: ${error.message}` };
    throw error;
  }
  const license = present(record.license?.url);
  if (license && isOpenLicense(license)) return { eligible: true, reason: `open access under ${license}` };
  const project = (record.funding ?? []).find((f) => f.awardIds?.some((a) => present(a) !== undefined));
  if (project) return { eligible: true, reason: `outcome of a funded project (${project.funderName}, award ${project.awardIds!.find((a) => present(a))})` };
  return { eligible: false, reason: 'neither open access nor the outcome of a funded project with an award number' };
}

export function isOpenAireEligible(record: ArticleRecord): boolean {
  return openAireEligibility(record).eligible;
}
