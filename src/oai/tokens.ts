import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Datestamp, KeysetPosition } from '../store/types.js';

/**
 * Stateless resumption tokens (OAI-PMH §3.5; guidelines-repository §5.1 "encoding state in
 * the resumptionToken"). A token carries the whole list request, the snapshot bound and the
 * keyset position, and is signed with HMAC-SHA256 so it cannot be altered or forged:
 *
 *   base64url(JSON payload) "." base64url(HMAC-SHA256(secret, "pubmeta-oai-v1." + payload part))
 *
 * The payload is a JSON array (compact): [version, verb, metadataPrefix, from, until, set,
 * afterDatestamp, afterLocalId, cursor, completeListSize, expiresAt (epoch seconds)].
 */

export type ListVerb = 'ListRecords' | 'ListIdentifiers';

export interface ResumptionState {
  verb: ListVerb;
  metadataPrefix: string;
  /** Inclusive lower bound, seconds granularity (absent: from the earliest datestamp). */
  from?: Datestamp;
  /** Inclusive upper bound of the snapshot: min(request until, one second before the first request). */
  until: Datestamp;
  set?: string;
  /** Resume strictly after this (datestamp, localId). */
  after: KeysetPosition;
  /** Elements delivered before the page this token asks for. */
  cursor: number;
  /** Estimate of the complete list size, as announced on earlier pages. */
  completeListSize: number;
  /** Epoch seconds after which the token is refused. */
  expiresAt: number;
}

const VERSION = 1;
const VERB_CODES: Record<ListVerb, string> = { ListRecords: 'R', ListIdentifiers: 'I' };
const SIGNING_CONTEXT = 'pubmeta-oai-v1.';

function sign(secret: string, payloadPart: string): Buffer {
  return createHmac('sha256', secret).update(SIGNING_CONTEXT).update(payloadPart).digest();
}

export function encodeResumptionToken(state: ResumptionState, secret: string): string {
  const payload = [
    VERSION,
    VERB_CODES[state.verb],
    state.metadataPrefix,
    state.from ?? null,
    state.until,
    state.set ?? null,
    state.after.datestamp,
    state.after.localId,
    state.cursor,
    state.completeListSize,
    state.expiresAt,
  ];
  const payloadPart = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  return `${payloadPart}.${sign(secret, payloadPart).toString('base64url')}`;
}

export type TokenDecodeResult =
  | { ok: true; state: ResumptionState }
  | { ok: false; reason: string };

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const DATESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** Checks signature, shape, verb and expiry; the reason is for the badResumptionToken text. */
export function decodeResumptionToken(token: string, verb: ListVerb, secret: string, now: Date): TokenDecodeResult {
  const parts = token.split('.');
  if (parts.length !== 2 || !BASE64URL.test(parts[0]!) || !BASE64URL.test(parts[1]!)) {
    return { ok: false, reason: 'The resumptionToken is not one this repository issued.' };
  }
  const [payloadPart, signaturePart] = parts as [string, string];
  const expected = sign(secret, payloadPart);
  const given = Buffer.from(signaturePart, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'The resumptionToken is not one this repository issued (signature mismatch).' };
  }
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(payloadPart, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'The resumptionToken is malformed.' };
  }
  const state = toState(payload);
  if (!state) return { ok: false, reason: 'The resumptionToken is malformed.' };
  if (state.verb !== verb) {
    return { ok: false, reason: `The resumptionToken belongs to a ${state.verb} request, not ${verb}.` };
  }
  if (Math.floor(now.getTime() / 1000) > state.expiresAt) {
    const expired = new Date(state.expiresAt * 1000).toISOString().slice(0, 19) + 'Z';
    return { ok: false, reason: `The resumptionToken expired at ${expired}; restart the list request.` };
  }
  return { ok: true, state };
}

function toState(payload: unknown): ResumptionState | undefined {
  if (!Array.isArray(payload) || payload.length !== 11 || payload[0] !== VERSION) return undefined;
  const [, verbCode, prefix, from, until, set, afterDatestamp, afterLocalId, cursor, size, expiresAt] = payload as unknown[];
  const verb = (Object.keys(VERB_CODES) as ListVerb[]).find((v) => VERB_CODES[v] === verbCode);
  const isStamp = (v: unknown): v is string => typeof v === 'string' && DATESTAMP.test(v);
  const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  if (
    !verb ||
    typeof prefix !== 'string' ||
    !(from === null || isStamp(from)) ||
    !isStamp(until) ||
    !(set === null || typeof set === 'string') ||
    !isStamp(afterDatestamp) ||
    typeof afterLocalId !== 'string' ||
    !isCount(cursor) ||
    !isCount(size) ||
    !isCount(expiresAt)
  ) {
    return undefined;
  }
  const state: ResumptionState = {
    verb,
    metadataPrefix: prefix,
    until,
    after: { datestamp: afterDatestamp, localId: afterLocalId },
    cursor,
    completeListSize: size,
    expiresAt,
  };
  if (from !== null) state.from = from;
  if (set !== null) state.set = set;
  return state;
}
