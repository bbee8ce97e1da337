/**
 * A request URL for the HTTP GET binding (spec §3.1.1): the base URL plus the verb and its
 * arguments, every value percent-encoded (a resumptionToken is opaque and may hold any
 * character, §3.5; guidelines-harvester §6.1).
 */
export function buildRequestUrl(baseUrl: string, args: Record<string, string | undefined>): string {
  const query = Object.entries(args)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .join('&');
  const hashless = baseUrl.split('#')[0]!;
  if (!hashless.includes('?')) return `${hashless}?${query}`;
  return hashless.endsWith('?') || hashless.endsWith('&') ? `${hashless}${query}` : `${hashless}&${query}`;
}
