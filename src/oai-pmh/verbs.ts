/** The six OAI-PMH 2.0 verbs (spec §4) and the list element each response carries. */
export const OAI_VERBS = ['Identify', 'ListMetadataFormats', 'ListSets', 'GetRecord', 'ListIdentifiers', 'ListRecords'] as const;
export type OaiVerb = (typeof OAI_VERBS)[number];

/** Verbs whose responses may be incomplete lists continued by a resumptionToken (§3.5). */
export const LIST_VERBS = ['ListMetadataFormats', 'ListSets', 'ListIdentifiers', 'ListRecords'] as const satisfies readonly OaiVerb[];
export type OaiListVerb = (typeof LIST_VERBS)[number];

/**
 * Local name of the repeated child of each verb element: a ListRecords response holds <record>s,
 * ListIdentifiers <header>s, and so on (§4). Identify has no list.
 */
export const LIST_ITEM_ELEMENT: Readonly<Record<OaiVerb, string | undefined>> = {
  GetRecord: 'record',
  Identify: undefined,
  ListIdentifiers: 'header',
  ListMetadataFormats: 'metadataFormat',
  ListRecords: 'record',
  ListSets: 'set',
};

export function isOaiVerb(value: string): value is OaiVerb {
  return (OAI_VERBS as readonly string[]).includes(value);
}
