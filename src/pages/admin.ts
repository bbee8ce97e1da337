/**
 * Admin access to the operators' pages. The token (PUBMETA_ADMIN_TOKEN) comes as
 * `Authorization: Bearer <token>` (scripts) or as a session cookie set by the login form
 * (browsers). The cookie holds no token: it is an expiry time and an HMAC of it keyed by the
 * token, so changing the token ends every session and a stolen cookie expires on its own.
 * Every comparison is constant-time over fixed-length digests.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface AdminAccess {
  token: string;
  /** Cookie lifetime. Default 12 hours. */
  sessionSeconds?: number;
  /** Secure cookie (HTTPS only, `__Host-` name). Default: true when the site URL is https. */
  secureCookie?: boolean;
}

const MIN_TOKEN_LENGTH = 16;

/** Problems with an admin token, reported before serving (a short token is guessable). */
export function checkAdminToken(token: string): string[] {
  return token.length < MIN_TOKEN_LENGTH ? [`the admin token must be at least ${MIN_TOKEN_LENGTH} characters`] : [];
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Constant-time string equality (lengths are hidden by hashing both sides first). */
export function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

function sessionMac(token: string, expiresAt: number): string {
  return createHmac('sha256', token).update(`pubmeta admin session ${expiresAt}`).digest('base64url');
}

export function cookieName(secure: boolean): string {
  return secure ? '__Host-pubmeta_admin' : 'pubmeta_admin';
}

/** The Set-Cookie value that signs a browser in until now + sessionSeconds. */
export function sessionCookie(access: AdminAccess, secure: boolean, now: Date): string {
  const seconds = access.sessionSeconds ?? 12 * 3600;
  const expiresAt = Math.floor(now.getTime() / 1000) + seconds;
  const value = `${expiresAt}.${sessionMac(access.token, expiresAt)}`;
  return `${cookieName(secure)}=${value}; Path=/; Max-Age=${seconds}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** The Set-Cookie value that signs a browser out. */
export function clearedSessionCookie(secure: boolean): string {
  return `${cookieName(secure)}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function validSession(value: string, token: string, now: Date): boolean {
  const match = /^(\d{1,12})\.([A-Za-z0-9_-]{1,100})$/.exec(value);
  if (!match) return false;
  const expiresAt = Number(match[1]);
  const macMatches = constantTimeEqual(match[2]!, sessionMac(token, expiresAt));
  return macMatches && expiresAt > now.getTime() / 1000;
}

/** Whether the request carries the admin token (bearer) or a live session cookie. */
export function isAdminRequest(
  headers: { authorization?: string | undefined; cookie?: string | undefined },
  access: AdminAccess,
  secure: boolean,
  now: Date,
): boolean {
  const bearer = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(headers.authorization ?? '');
  if (bearer && constantTimeEqual(bearer[1]!, access.token)) return true;
  const cookie = cookieValue(headers.cookie, cookieName(secure));
  return cookie !== undefined && validSession(cookie, access.token, now);
}
