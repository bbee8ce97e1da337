/** Identifier, date and language normalisation shared by the readers. */

/** The DOI in a string (bare, doi:, info:doi/, resolver URL), lowercase, or undefined. */
export function extractDoi(value: string | undefined): string | undefined {
  if (!value) return undefined;
  let s = value.trim();
  try {
    // A resolver URL carries the DOI percent-encoded (DOI Handbook §2.5.2.4); a bare DOI may hold a literal "%".
    if (/%2F/i.test(s) || (/^https?:\/\//i.test(s) && /%[0-9a-f]{2}/i.test(s))) s = decodeURIComponent(s);
  } catch {
    // Not percent-encoded after all; read it as it is.
  }
  const match = /(?:^|[\s/:(])?(10\.\d{4,9}\/\S+)/.exec(s);
  if (!match) return undefined;
  const doi = match[1]!.replace(/[.,;)\]}>"']+$/, '');
  return doi.toLowerCase();
}

/** True when the string is a DOI or a DOI resolver URL (not merely a URL containing "10."). */
export function looksLikeDoi(value: string): boolean {
  let s = value.trim();
  try {
    if (s.includes('%')) s = decodeURIComponent(s);
  } catch {
    // Not percent-encoding: read it as written.
  }
  return /^(?:doi:\s*|info:doi\/|https?:\/\/(?:dx\.)?doi\.org\/|https?:\/\/hdl\.handle\.net\/)?10\.\d{4,9}\/\S+$/i.test(s);
}

/** Bare ORCID iD (0000-0002-1825-0097) from any of its forms, or undefined. */
export function extractOrcid(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const match = /(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dXx])/.exec(value);
  if (!match) return undefined;
  return `${match[1]}-${match[2]}-${match[3]}-${match[4]!.toUpperCase()}`;
}

/** ROR id as a full https URL, lowercase, or undefined. */
export function extractRor(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const match = /(?:ror\.org\/)?(0[a-hj-km-np-tv-z0-9]{6}\d{2})\s*$/i.exec(value.trim());
  return match ? `https://ror.org/${match[1]!.toLowerCase()}` : undefined;
}

/** Funder id: Funder Registry DOI (10.13039/...) from a DOI, URL or bare registry number; or a ROR URL. */
export function normalizeFunderId(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const s = value.trim();
  if (/ror\.org\//i.test(s)) return extractRor(s);
  const doi = extractDoi(s);
  if (doi) return doi;
  if (/^\d{6,12}$/.test(s)) return `10.13039/${s}`;
  return undefined;
}

/** "YYYY", "YYYY-MM" or "YYYY-MM-DD" from parts, dropping what is missing or out of range. */
export function partialDate(year: string | undefined, month?: string, day?: string): string | undefined {
  const y = year?.trim();
  if (!y || !/^\d{4}$/.test(y)) return undefined;
  const m = month !== undefined ? monthNumber(month) : undefined;
  if (m === undefined) return y;
  const mm = String(m).padStart(2, '0');
  const d = day !== undefined && /^\d{1,2}$/.test(day.trim()) ? Number(day.trim()) : undefined;
  if (d === undefined || d < 1 || d > daysInMonth(Number(y), m)) return `${y}-${mm}`;
  return `${y}-${mm}-${String(d).padStart(2, '0')}`;
}

/** An ISO 8601 date or date-time to a partial date, or undefined. */
export function isoPartialDate(value: string | undefined): string | undefined {
  const match = /^\s*(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/.exec(value ?? '');
  if (!match) return undefined;
  return partialDate(match[1], match[2], match[3]);
}

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

function monthNumber(value: string): number | undefined {
  const s = value.trim().toLowerCase();
  if (/^\d{1,2}$/.test(s)) {
    const n = Number(s);
    return n >= 1 && n <= 12 ? n : undefined;
  }
  const index = MONTH_NAMES.indexOf(s.slice(0, 3));
  return index >= 0 && /^[a-z]+\.?$/.test(s) ? index + 1 : undefined;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Number of components of a partial date: 1 (year), 2 (year-month) or 3. */
export function datePrecision(date: string): number {
  return date.split('-').length;
}

const ISO639_2_TO_1: Record<string, string> = {
  eng: 'en', ind: 'id', fre: 'fr', fra: 'fr', ger: 'de', deu: 'de', spa: 'es', por: 'pt', ita: 'it', rus: 'ru',
  ara: 'ar', chi: 'zh', zho: 'zh', jpn: 'ja', kor: 'ko', dut: 'nl', nld: 'nl', pol: 'pl', tur: 'tr', ukr: 'uk',
  cze: 'cs', ces: 'cs', slo: 'sk', slk: 'sk', hun: 'hu', rum: 'ro', ron: 'ro', gre: 'el', ell: 'el', swe: 'sv',
  nor: 'no', nob: 'nb', nno: 'nn', dan: 'da', fin: 'fi', est: 'et', lav: 'lv', lit: 'lt', hrv: 'hr', srp: 'sr',
  slv: 'sl', bul: 'bg', mac: 'mk', mkd: 'mk', per: 'fa', fas: 'fa', heb: 'he', hin: 'hi', ben: 'bn', urd: 'ur',
  tha: 'th', vie: 'vi', may: 'ms', msa: 'ms', tgl: 'tl', swa: 'sw', afr: 'af', cat: 'ca', baq: 'eu', eus: 'eu',
  glg: 'gl', wel: 'cy', cym: 'cy', gle: 'ga', ice: 'is', isl: 'is', lat: 'la', epo: 'eo', geo: 'ka', kat: 'ka',
  arm: 'hy', hye: 'hy', aze: 'az', kaz: 'kk', uzb: 'uz', mon: 'mn', jav: 'jv', sun: 'su', tam: 'ta', tel: 'te',
  mar: 'mr', guj: 'gu', pan: 'pa', kan: 'kn', mal: 'ml', sin: 'si', nep: 'ne', amh: 'am', hau: 'ha', yor: 'yo',
  ibo: 'ig', zul: 'zu', xho: 'xh', som: 'so', bos: 'bs', alb: 'sq', sqi: 'sq', bel: 'be',
};

/** A language value (BCP 47, ISO 639-1 or 639-2/B or /T, "en_US") to a BCP 47 tag, or undefined. */
export function normalizeLanguage(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const s = value.trim().replace(/_/g, '-');
  if (!s) return undefined;
  const [primary, ...rest] = s.split('-');
  const lower = primary!.toLowerCase();
  if (/^[a-z]{3}$/.test(lower) && ISO639_2_TO_1[lower]) return [ISO639_2_TO_1[lower], ...rest].join('-');
  if (!/^[a-z]{2,3}$/.test(lower)) return undefined;
  return [lower, ...rest.map((part) => (part.length === 2 ? part.toUpperCase() : part.length === 4 ? part[0]!.toUpperCase() + part.slice(1).toLowerCase() : part))].join('-');
}

/** Country names as publishers print them in affiliations, to ISO 3166-1 alpha-2. */
const COUNTRY_CODES: Record<string, string> = {
  'united states': 'US', 'united states of america': 'US', usa: 'US', 'u.s.a.': 'US', us: 'US',
  'united kingdom': 'GB', uk: 'GB', 'great britain': 'GB', england: 'GB', scotland: 'GB', wales: 'GB',
  canada: 'CA', australia: 'AU', 'new zealand': 'NZ', ireland: 'IE', germany: 'DE', france: 'FR',
  spain: 'ES', portugal: 'PT', italy: 'IT', netherlands: 'NL', 'the netherlands': 'NL', belgium: 'BE',
  switzerland: 'CH', austria: 'AT', sweden: 'SE', norway: 'NO', denmark: 'DK', finland: 'FI', iceland: 'IS',
  poland: 'PL', 'czech republic': 'CZ', czechia: 'CZ', slovakia: 'SK', hungary: 'HU', romania: 'RO',
  bulgaria: 'BG', greece: 'GR', turkey: 'TR', türkiye: 'TR', russia: 'RU', 'russian federation': 'RU',
  ukraine: 'UA', china: 'CN', "people's republic of china": 'CN', 'p.r. china': 'CN', japan: 'JP',
  'south korea': 'KR', 'republic of korea': 'KR', korea: 'KR', india: 'IN', pakistan: 'PK', bangladesh: 'BD',
  indonesia: 'ID', malaysia: 'MY', singapore: 'SG', thailand: 'TH', vietnam: 'VN', 'viet nam': 'VN',
  philippines: 'PH', taiwan: 'TW', 'hong kong': 'HK', israel: 'IL', iran: 'IR', iraq: 'IQ',
  'saudi arabia': 'SA', 'united arab emirates': 'AE', egypt: 'EG', nigeria: 'NG', kenya: 'KE',
  'south africa': 'ZA', ethiopia: 'ET', ghana: 'GH', morocco: 'MA', brazil: 'BR', argentina: 'AR',
  chile: 'CL', colombia: 'CO', mexico: 'MX', peru: 'PE', venezuela: 'VE', uruguay: 'UY', ecuador: 'EC',
  cuba: 'CU', estonia: 'EE', latvia: 'LV', lithuania: 'LT', croatia: 'HR', serbia: 'RS', slovenia: 'SI',
  luxembourg: 'LU', cyprus: 'CY', malta: 'MT', kazakhstan: 'KZ', uzbekistan: 'UZ', nepal: 'NP',
  'sri lanka': 'LK', qatar: 'QA', kuwait: 'KW', jordan: 'JO', lebanon: 'LB', tunisia: 'TN', algeria: 'DZ',
};

/** ISO 3166-1 alpha-2 code from a code or a common English country name, or undefined. */
export function countryCode(code: string | undefined, name: string | undefined): string | undefined {
  const c = code?.trim();
  if (c && /^[A-Za-z]{2}$/.test(c)) return c.toUpperCase();
  const n = name?.trim().replace(/\.$/, '').toLowerCase();
  if (!n) return undefined;
  if (/^[a-z]{2}$/.test(n) && n !== 'us' && n !== 'uk') return undefined;
  return COUNTRY_CODES[n];
}

/** MIME type from a JATS self-uri content-type, a Crossref mime_type or a file extension. */
export function mimeTypeFor(contentType: string | undefined, url: string): string | undefined {
  const ct = contentType?.trim().toLowerCase();
  if (ct && /^[a-z]+\/[\w.+-]+$/.test(ct)) return ct;
  const byName: Record<string, string> = {
    pdf: 'application/pdf', html: 'text/html', htm: 'text/html', xml: 'application/xml', 'jats-xml': 'application/xml',
    epub: 'application/epub+zip', txt: 'text/plain', docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  };
  if (ct) {
    const key = ct.replace(/^.*[-_ ](?=pdf|html|xml|epub$)/, '');
    if (byName[key]) return byName[key];
    if (byName[ct]) return byName[ct];
  }
  const ext = /\.([a-z0-9]+)(?:[?#].*)?$/i.exec(url)?.[1]?.toLowerCase();
  return ext ? byName[ext] : undefined;
}

/** Sets a key only when the value is present, so records carry no `undefined` members. */
export function put<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value === undefined) return;
  if (typeof value === 'string' && value === '') return;
  if (Array.isArray(value) && value.length === 0) return;
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0) return;
  target[key] = value;
}
