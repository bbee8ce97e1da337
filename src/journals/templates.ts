/**
 * URL templates of journal profiles: "https://journal.example.org/article/view/{manuscript}".
 * Placeholders are RFC 6570 level-1 expressions `{name}` (no operators), expanded as RFC 6570
 * §3.2.2 simple string expansion: every character outside RFC 3986's unreserved set is
 * percent-encoded (UTF-8), so each value is one path segment and a DOI suffix with "/" or "<"
 * cannot change the URL's structure. {doi} alone keeps the "/" between its prefix and suffix.
 * A value the record does not have is refused, never guessed.
 */
import type { ArticleRecord } from '../model/types.js';
import { recordLocalId } from '../model/records.js';

export const TEMPLATE_PLACEHOLDERS = ['doi', 'doiSuffix', 'manuscript', 'localId', 'volume', 'issue', 'year'] as const;
export type TemplatePlaceholder = (typeof TEMPLATE_PLACEHOLDERS)[number];

interface PlaceholderSource {
  /** Where the value comes from, for messages. */
  from: string;
  value(record: ArticleRecord): string | undefined;
}

const present = (value: string | number | undefined): string | undefined => {
  const text = value === undefined ? undefined : String(value).trim();
  return text ? text : undefined;
};

const yearOf = (date: string | undefined): string | undefined => present(date)?.slice(0, 4);

function doiSuffix(doi: string): string | undefined {
  const slash = doi.indexOf('/');
  return slash < 0 ? undefined : present(doi.slice(slash + 1));
}

const SOURCES: Record<TemplatePlaceholder, PlaceholderSource> = {
  doi: { from: 'doi', value: (r) => present(r.doi) },
  doiSuffix: { from: 'doi (the part after the prefix\'s "/")', value: (r) => doiSuffix(r.doi) },
  // The publisher's own article id. The DOI-derived local id is not one: a record without an
  // explicit id has no manuscript number, and a URL built from its DOI would be made up.
  manuscript: {
    from: 'a publisher id (otherIds type "publisher-id"), an article number (articleNumber) or a local id (id)',
    value: (r) => present(r.otherIds?.find((id) => id.type === 'publisher-id')?.value) ?? present(r.articleNumber) ?? present(r.id),
  },
  localId: { from: 'id', value: (r) => present(recordLocalId(r)) },
  volume: { from: 'issue.volume', value: (r) => present(r.issue?.volume) },
  issue: { from: 'issue.number', value: (r) => present(r.issue?.number) },
  // The issue's year first: that is what journal URL schemes mean by a year.
  year: {
    from: 'issue.year (or issue.publicationDate, dates.published)',
    value: (r) =>
      present(r.issue?.year) ??
      yearOf(r.issue?.publicationDate) ??
      yearOf(r.dates?.published?.online) ??
      yearOf(r.dates?.published?.print),
  },
};

type Token = { literal: string } | { placeholder: string };

function isKnownPlaceholder(name: string): name is TemplatePlaceholder {
  return (TEMPLATE_PLACEHOLDERS as readonly string[]).includes(name);
}

const KNOWN = TEMPLATE_PLACEHOLDERS.map((name) => `{${name}}`).join(' ');

/** Splits a template into literal text and placeholders, reporting malformed braces. */
function parseTemplate(template: string): { tokens: Token[]; problems: string[] } {
  const tokens: Token[] = [];
  const problems: string[] = [];
  let at = 0;
  while (at < template.length) {
    const open = template.indexOf('{', at);
    const close = template.indexOf('}', at);
    if (close >= 0 && (open < 0 || close < open)) {
      problems.push(`has "}" without a matching "{" at character ${close + 1}`);
      tokens.push({ literal: template.slice(at, close + 1) });
      at = close + 1;
      continue;
    }
    if (open < 0) {
      tokens.push({ literal: template.slice(at) });
      break;
    }
    tokens.push({ literal: template.slice(at, open) });
    const nextOpen = template.indexOf('{', open + 1);
    if (close < 0 || (nextOpen >= 0 && nextOpen < close)) {
      problems.push(`has "{" without a matching "}" at character ${open + 1}`);
      at = open + 1;
      continue;
    }
    tokens.push({ placeholder: template.slice(open + 1, close) });
    at = close + 1;
  }
  return { tokens, problems };
}

/**
 * Problems of a template itself, whatever the record: malformed braces, unknown placeholders
 * (each named), no placeholder at all (every article would get the same URL), and anything
 * that does not make an absolute http(s) URL. Empty when the template is usable.
 */
export function urlTemplateProblems(template: string): string[] {
  const { tokens, problems } = parseTemplate(template);
  const placeholders = tokens.flatMap((token) => ('placeholder' in token ? [token.placeholder] : []));
  for (const name of placeholders) {
    if (!isKnownPlaceholder(name)) problems.push(`unknown placeholder {${name}}; the placeholders are ${KNOWN}`);
  }
  if (problems.length > 0) return problems;
  if (placeholders.length === 0) problems.push(`has no placeholder, so every article would get the same URL; use one of ${KNOWN}`);
  // Any value is one encoded path segment; "x" stands for all of them.
  const sample = tokens.map((token) => ('literal' in token ? token.literal : 'x')).join('');
  if (!isHttpUrl(sample)) problems.push(`must be an absolute http(s) URL such as https://journal.example.org/article/view/{manuscript} (got ${JSON.stringify(template)})`);
  return problems;
}

/** Placeholder names used in a template, in order, known or not. */
export function templatePlaceholders(template: string): string[] {
  return parseTemplate(template).tokens.flatMap((token) => ('placeholder' in token ? [token.placeholder] : []));
}

export type TemplateExpansion =
  | { ok: true; url: string }
  | {
      ok: false;
      /** The placeholder whose value the record lacks; absent when the template itself is at fault. */
      placeholder?: TemplatePlaceholder;
      /** Where that value would come from in the record. */
      needs?: string;
      message: string;
    };

function isHttpUrl(text: string): boolean {
  if (!/^https?:\/\//i.test(text)) return false;
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/**
 * Everything but RFC 3986 unreserved characters (ALPHA DIGIT - . _ ~) percent-encoded as UTF-8;
 * undefined for text that is not valid Unicode (lone surrogates).
 */
function encodeSegment(value: string): string | undefined {
  try {
    // encodeURIComponent leaves ! ' ( ) * as they are; RFC 6570 simple expansion encodes them.
    return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  } catch {
    return undefined;
  }
}

function encodedValue(name: TemplatePlaceholder, value: string): string | undefined {
  if (name !== 'doi') return encodeSegment(value);
  // The DOI keeps its prefix/suffix "/" as a path separator, as resolver URLs do
  // (https://doi.org/10.33172/jdp.v4i2.323); each side is encoded on its own.
  const slash = value.indexOf('/');
  if (slash < 0) return encodeSegment(value);
  const prefix = encodeSegment(value.slice(0, slash));
  const suffix = encodeSegment(value.slice(slash + 1));
  return prefix === undefined || suffix === undefined ? undefined : `${prefix}/${suffix}`;
}

/**
 * Fills a URL template from a record. Refuses (ok: false, naming the placeholder and the
 * record field) when the record lacks a value; nothing is invented. The result is always an
 * absolute http(s) URL.
 */
export function expandUrlTemplate(template: string, record: ArticleRecord): TemplateExpansion {
  const problems = urlTemplateProblems(template);
  if (problems.length > 0) return { ok: false, message: `the template ${problems.join('; ')}` };
  const parts: string[] = [];
  for (const token of parseTemplate(template).tokens) {
    if ('literal' in token) {
      parts.push(token.literal);
      continue;
    }
    const name = token.placeholder as TemplatePlaceholder;
    const source = SOURCES[name];
    const value = source.value(record);
    if (value === undefined) {
      return { ok: false, placeholder: name, needs: source.from, message: `{${name}} needs ${source.from}, which ${record.doi} lacks` };
    }
    const encoded = encodedValue(name, value);
    if (encoded === undefined) {
      return { ok: false, placeholder: name, needs: source.from, message: `{${name}}: ${source.from} of ${record.doi} is not valid Unicode text` };
    }
    parts.push(encoded);
  }
  const url = parts.join('');
  if (!isHttpUrl(url)) return { ok: false, message: `the template gives ${JSON.stringify(url)} for ${record.doi}, which is not an absolute http(s) URL` };
  return { ok: true, url };
}
