/**
 * Identifier syntax, check digits and normal forms: DOI, ORCID iD, ISSN, ROR id.
 * Pure functions; the JSON Schema formats in schema.ts are built on them.
 */

const DOI_SYNTAX = /^10\.\d{4,9}\/\S+$/;
// Resolver and label forms people paste: https://doi.org/..., http://dx.doi.org/..., doi:...
const DOI_RESOLVER_PREFIX = /^(?:https?:\/\/)?(?:dx\.)?doi\.org\//i;
const DOI_LABEL_PREFIX = /^doi:\s*/i;

/**
 * Normal form of a DOI: no resolver URL or `doi:` label, lowercase (DOIs are
 * case-insensitive, so lowercase is the canonical stored form). Does not check syntax.
 */
export function normalizeDoi(s: string): string {
  let doi = s.trim();
  if (DOI_RESOLVER_PREFIX.test(doi)) {
    doi = doi.replace(DOI_RESOLVER_PREFIX, '');
    // In a URL the DOI may be percent-encoded (%2F, %3C ...).
    if (doi.includes('%')) {
      try {
        doi = decodeURIComponent(doi);
      } catch {
        // Not valid percent-encoding: keep it as written.
      }
    }
  } else {
    doi = doi.replace(DOI_LABEL_PREFIX, '');
  }
  return doi.toLowerCase();
}

/** True when `s` (after normalisation) has DOI syntax: "10." + 4-9 digit registrant + "/" + suffix. */
export function isValidDoi(s: string): boolean {
  return DOI_SYNTAX.test(normalizeDoi(s));
}

/** True when `s` is exactly in normal form and has DOI syntax. */
export function isNormalizedDoi(s: string): boolean {
  return DOI_SYNTAX.test(s) && s === s.toLowerCase();
}

const ORCID_SYNTAX = /^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$/;
const ORCID_URL_PREFIX = /^(?:https?:\/\/)?(?:www\.)?(?:sandbox\.)?orcid\.org\//i;

/** ISO 7064 MOD 11-2 check character over the first 15 digits of an ORCID iD. */
export function orcidCheckCharacter(digits15: string): string {
  let total = 0;
  for (const ch of digits15) total = (total + (ch.charCodeAt(0) - 48)) * 2;
  const result = (12 - (total % 11)) % 11;
  return result === 10 ? 'X' : String(result);
}

/** Bare ORCID iD form "0000-0002-1825-0097": URL prefix stripped, check character uppercased. */
export function normalizeOrcid(s: string): string {
  const bare = s.trim().replace(ORCID_URL_PREFIX, '');
  return /^\d{4}-\d{4}-\d{4}-\d{3}x$/.test(bare) ? bare.toUpperCase() : bare;
}

/** True for a syntactically correct ORCID iD in bare form (no URL) whose ISO 7064 11,2 check character matches. */
export function isValidOrcid(s: string): boolean {
  if (!ORCID_SYNTAX.test(s)) return false;
  const digits = s.replace(/-/g, '');
  return orcidCheckCharacter(digits.slice(0, 15)) === digits.slice(15);
}

/** True when the ORCID iD has the right shape (whatever its check character). */
export function hasOrcidSyntax(s: string): boolean {
  return ORCID_SYNTAX.test(s);
}

const ISSN_SYNTAX = /^\d{4}-\d{3}[\dX]$/;

/** Mod-11 check digit over the first seven digits of an ISSN (weights 8..2). */
export function issnCheckDigit(digits7: string): string {
  let sum = 0;
  for (let i = 0; i < 7; i++) sum += (digits7.charCodeAt(i) - 48) * (8 - i);
  const check = (11 - (sum % 11)) % 11;
  return check === 10 ? 'X' : String(check);
}

/** "NNNN-NNNC" with an uppercase check character; accepts "NNNNNNNC" and a lowercase x. */
export function normalizeIssn(s: string): string {
  const trimmed = s.trim();
  const upper = trimmed.toUpperCase();
  if (/^\d{7}[\dX]$/.test(upper)) return `${upper.slice(0, 4)}-${upper.slice(4)}`;
  return /^\d{4}-\d{3}[\dX]$/.test(upper) ? upper : trimmed;
}

/** True for "NNNN-NNNC" whose check digit is right. */
export function isValidIssn(s: string): boolean {
  if (!ISSN_SYNTAX.test(s)) return false;
  return issnCheckDigit(s.slice(0, 4) + s.slice(5, 8)) === s.slice(8);
}

export function hasIssnSyntax(s: string): boolean {
  return ISSN_SYNTAX.test(s);
}

// ROR ids: "0" + 6 Crockford base32 characters + 2-digit ISO 7064 MOD 97-10 checksum.
const CROCKFORD_BASE32 = '0123456789abcdefghjkmnpqrstvwxyz';
const ROR_URL_SYNTAX = /^https:\/\/ror\.org\/0[0-9a-hjkmnp-tv-z]{6}\d{2}$/;
const ROR_PREFIX = /^(?:https?:\/\/)?(?:www\.)?ror\.org\//i;
const BARE_ROR = /^0[0-9a-hjkmnp-tv-z]{6}\d{2}$/i;

/** ISO 7064 MOD 97-10 checksum (two digits) over the base32 body of a ROR id. */
export function rorChecksum(body7: string): string {
  // 7 base32 characters fit in 35 bits: plain numbers stay exact below 2^53.
  let n = 0;
  for (const ch of body7) n = n * 32 + CROCKFORD_BASE32.indexOf(ch);
  return String(98 - ((n * 100) % 97)).padStart(2, '0');
}

/** Full-URL ROR form "https://ror.org/05gq02987"; accepts a bare id or http/ror.org forms. */
export function normalizeRor(s: string): string {
  const trimmed = s.trim();
  const id = trimmed.replace(ROR_PREFIX, '');
  if (id !== trimmed || BARE_ROR.test(id)) return `https://ror.org/${id.toLowerCase()}`;
  return trimmed;
}

export function hasRorSyntax(s: string): boolean {
  return ROR_URL_SYNTAX.test(s);
}

/** True for "https://ror.org/0xxxxxxNN" with a correct checksum. */
export function isValidRor(s: string): boolean {
  if (!ROR_URL_SYNTAX.test(s)) return false;
  const id = s.slice('https://ror.org/'.length);
  return rorChecksum(id.slice(0, 7)) === id.slice(7);
}

const ROMAN = /^M{0,4}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})$/;
const ROMAN_VALUES: Record<string, number> = { I: 1, V: 5, X: 10, L: 50, C: 100, D: 500, M: 1000 };

/** True for a well-formed roman numeral (either case, not mixed) such as "xii" or "XXIV". */
export function isRomanNumeral(s: string): boolean {
  if (s === '' || (s !== s.toLowerCase() && s !== s.toUpperCase())) return false;
  return ROMAN.test(s.toUpperCase());
}

export function romanToNumber(s: string): number {
  const upper = s.toUpperCase();
  let total = 0;
  for (let i = 0; i < upper.length; i++) {
    const value = ROMAN_VALUES[upper[i]!]!;
    const next = ROMAN_VALUES[upper[i + 1] ?? ''] ?? 0;
    total += value < next ? -value : value;
  }
  return total;
}

const ROMAN_TABLE: [number, string][] = [
  [1000, 'm'], [900, 'cm'], [500, 'd'], [400, 'cd'], [100, 'c'], [90, 'xc'],
  [50, 'l'], [40, 'xl'], [10, 'x'], [9, 'ix'], [5, 'v'], [4, 'iv'], [1, 'i'],
];

/** Lowercase roman numeral for 1..4999. */
export function numberToRoman(n: number): string {
  let out = '';
  for (const [value, symbol] of ROMAN_TABLE) {
    while (n >= value) {
      out += symbol;
      n -= value;
    }
  }
  return out;
}

/** A page number: arabic digits ("117") or a roman numeral ("xii"). */
export function isPageNumber(s: string): boolean {
  return /^\d{1,9}$/.test(s) || isRomanNumeral(s);
}

/** Numeric value and numbering kind of a page number, or undefined when it is not one. */
export function pageValue(s: string): { kind: 'arabic' | 'roman'; value: number } | undefined {
  if (/^\d{1,9}$/.test(s)) return { kind: 'arabic', value: Number(s) };
  if (isRomanNumeral(s)) return { kind: 'roman', value: romanToNumber(s) };
  return undefined;
}

const PARTIAL_DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!;
}

/** "YYYY", "YYYY-MM" or "YYYY-MM-DD" with a real month and day (leap years included). */
export function isPartialDate(s: string): boolean {
  const match = PARTIAL_DATE.exec(s);
  if (!match) return false;
  const year = Number(match[1]);
  if (match[2] === undefined) return true;
  const month = Number(match[2]);
  if (month < 1 || month > 12) return false;
  if (match[3] === undefined) return true;
  const day = Number(match[3]);
  return day >= 1 && day <= daysInMonth(year, month);
}
