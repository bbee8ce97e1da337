/** XML namespaces and schema locations of OAI-PMH 2.0 (spec §3.2 and the Identify description schemas). */

/** The OAI-PMH 2.0 namespace: the root element and every protocol element are in it. */
export const OAI_PMH_NAMESPACE = 'http://www.openarchives.org/OAI/2.0/';
/** The schema location of OAI-PMH 2.0 responses. */
export const OAI_PMH_SCHEMA = 'http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd';
/** XML Schema instance namespace (xsi:schemaLocation). */
export const XSI_NAMESPACE = 'http://www.w3.org/2001/XMLSchema-instance';
/** The provenance container of re-exposed (harvested) records (guidelines-provenance). */
export const OAI_PROVENANCE_NAMESPACE = 'http://www.openarchives.org/OAI/2.0/provenance';
export const OAI_PROVENANCE_SCHEMA = 'http://www.openarchives.org/OAI/2.0/provenance.xsd';
