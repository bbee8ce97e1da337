/**
 * oai-identifier syntax (OAI-PMH implementation guidelines, "Specification and XML Schema
 * for the OAI Identifier Format" §2.1): oai:<namespace-identifier>:<local-identifier>, where
 * the local identifier is 1*uric and every other character is %-escaped with uppercase hex.
 */

/** guidelines-oai-identifier §3 repositoryIdentifierType. */
export const REPOSITORY_IDENTIFIER_PATTERN = /^[a-zA-Z][a-zA-Z0-9-]*(\.[a-zA-Z][a-zA-Z0-9-]+)+$/;

// RFC 2396 unreserved and reserved characters: allowed unescaped in a local identifier.
const URIC_UNESCAPED = /[A-Za-z0-9\-_.!~*'();/?:@&=+$,]/;
/** A local id made only of such characters: returned as it is. */
const URIC_ONLY = new RegExp(`^${URIC_UNESCAPED.source}*$`);

/** Local id -> local-identifier: UTF-8 bytes outside uric (and "%" itself) as %XX. */
export function encodeLocalIdentifier(localId: string): string {
  if (URIC_ONLY.test(localId)) return localId;
  let out = '';
  for (const char of localId) {
    if (URIC_UNESCAPED.test(char)) {
      out += char;
    } else {
      for (const byte of Buffer.from(char, 'utf8')) out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
    }
  }
  return out;
}

export function oaiIdentifier(repositoryIdentifier: string, localId: string): string {
  return `oai:${repositoryIdentifier}:${encodeLocalIdentifier(localId)}`;
}

/**
 * The local id an identifier names in this repository, or undefined when it is not one of
 * ours or not in canonical form (equivalence is string identity, guidelines §2.3: "ab%3ccd"
 * is not "ab%3Ccd", and an escape of a character that needs none makes a different id).
 */
export function parseOaiIdentifier(repositoryIdentifier: string, identifier: string): string | undefined {
  const prefix = `oai:${repositoryIdentifier}:`;
  if (!identifier.startsWith(prefix) || identifier.length === prefix.length) return undefined;
  const local = identifier.slice(prefix.length);
  let decoded: string;
  try {
    decoded = decodeURIComponent(local);
  } catch {
    return undefined;
  }
  return encodeLocalIdentifier(decoded) === local ? decoded : undefined;
}
