/** The OAI-PMH 2.0 error codes (spec §3.6), each with the verbs that may return it. */
export const OAI_ERROR_CODES = [
  'badArgument',
  'badResumptionToken',
  'badVerb',
  'cannotDisseminateFormat',
  'idDoesNotExist',
  'noRecordsMatch',
  'noMetadataFormats',
  'noSetHierarchy',
] as const;
export type OaiErrorCode = (typeof OAI_ERROR_CODES)[number];

/** One <error> element of a response. */
export interface OaiError {
  code: OaiErrorCode;
  message: string;
}

export function isOaiErrorCode(value: string): value is OaiErrorCode {
  return (OAI_ERROR_CODES as readonly string[]).includes(value);
}

/**
 * Whether an error means "the answer is empty" rather than "the request failed" for this verb
 * (§3.6): a list request with no match (noRecordsMatch), ListSets at a repository without sets
 * (noSetHierarchy), ListMetadataFormats for an item with none (noMetadataFormats).
 */
export function isEmptyListError(verb: string, code: string): boolean {
  switch (code) {
    case 'noRecordsMatch':
      return verb === 'ListRecords' || verb === 'ListIdentifiers';
    case 'noSetHierarchy':
      return verb === 'ListSets';
    case 'noMetadataFormats':
      return verb === 'ListMetadataFormats';
    default:
      return false;
  }
}
