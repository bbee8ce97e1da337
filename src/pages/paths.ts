/**
 * URLs of the pages. Local ids may be DOIs ("10.33172/jdp.v4i2.323"), so an id is one
 * percent-encoded path segment. An export is the id plus ".<format id>"; when an id itself ends
 * in "." + a format id, that dot is written %2E so the page and the export never share a URL.
 */

export const RECORDS_PREFIX = '/records/';

function encodeSegment(localId: string, formatIds: readonly string[]): string {
  const encoded = encodeURIComponent(localId);
  const dot = encoded.lastIndexOf('.');
  if (dot > 0 && formatIds.includes(encoded.slice(dot + 1))) return `${encoded.slice(0, dot)}%2E${encoded.slice(dot + 1)}`;
  return encoded;
}

/** /records/<id>: the article landing page. */
export function recordPath(localId: string, formatIds: readonly string[]): string {
  return RECORDS_PREFIX + encodeSegment(localId, formatIds);
}

/** /records/<id>.<format>: the record in an export format. */
export function exportPath(localId: string, formatId: string, formatIds: readonly string[]): string {
  return `${RECORDS_PREFIX}${encodeSegment(localId, formatIds)}.${formatId}`;
}

export type RecordRoute = { localId: string; formatId?: string } | undefined;

/**
 * The record (and export format) a raw request path names; undefined for a malformed path.
 * The literal dot before a known format id separates it; an encoded dot (%2E) never does.
 */
export function parseRecordPath(rawPath: string, formatIds: readonly string[]): RecordRoute {
  if (!rawPath.startsWith(RECORDS_PREFIX)) return undefined;
  const segment = rawPath.slice(RECORDS_PREFIX.length);
  if (segment === '' || segment.includes('/')) return undefined;
  const dot = segment.lastIndexOf('.');
  const suffix = dot > 0 ? segment.slice(dot + 1) : '';
  const isExport = formatIds.includes(suffix);
  const localId = decodeSegment(isExport ? segment.slice(0, dot) : segment);
  if (localId === undefined || localId === '') return undefined;
  return isExport ? { localId, formatId: suffix } : { localId };
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** A path with query arguments (each value of a repeated key kept). */
export function withQuery(path: string, args: Readonly<Record<string, string | readonly string[] | undefined>>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(args)) {
    if (value === undefined) continue;
    for (const one of typeof value === 'string' ? [value] : value) params.append(key, one);
  }
  const query = params.toString();
  return query ? `${path}?${query}` : path;
}
