/**
 * HTML building without a framework: one escaping function and a tagged template that applies
 * it to every interpolated value unless the value is already markup (SafeHtml). A page can
 * therefore only carry unescaped text where code says so explicitly with `trustedHtml`.
 */

/**
 * Characters an HTML document must not contain (WHATWG HTML §13.2.3.5 parse errors): controls
 * other than tab/LF/FF/CR, lone surrogates and noncharacters. They become U+FFFD.
 */
// eslint-disable-next-line no-control-regex
const NOT_HTML_CHAR = /[\u0000-\u0008\u000B\u000E-\u001F\u007F-\u009F\uFDD0-\uFDEF\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const SPECIAL = /[&<>"']/g;
const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** The one escaping function: text or a double- or single-quoted attribute value. */
export function escapeHtml(value: string): string {
  return value.replace(NOT_HTML_CHAR, '\uFFFD').replace(SPECIAL, (c) => ENTITY[c]!);
}

/** Markup that is already safe to emit as is. Only `html` and `trustedHtml` make one. */
export class SafeHtml {
  readonly #markup: string;
  constructor(markup: string) {
    this.#markup = markup;
  }
  toString(): string {
    return this.#markup;
  }
}

/** What may be interpolated: text (escaped), markup, lists of either, or nothing. */
export type HtmlValue = SafeHtml | string | number | undefined | null | false | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === undefined || value === null || value === false) return '';
  if (value instanceof SafeHtml) return value.toString();
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/** Template tag: `html\`<p>${text}</p>\`` escapes `text`; nested `html` results pass through. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new SafeHtml(out);
}

/** Markup from a trusted producer (the formats' meta tags), emitted unchanged. */
export function trustedHtml(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/** Joins values with a separator (escaped like any other value). */
export function joinHtml(values: readonly HtmlValue[], separator: HtmlValue): SafeHtml {
  const parts: HtmlValue[] = [];
  values.forEach((value, index) => {
    if (index > 0) parts.push(separator);
    parts.push(value);
  });
  return new SafeHtml(render(parts));
}

/**
 * A JSON-LD data block. Inside <script> nothing is escaped by the parser, so "<" is written as
 * \u003c (still the same JSON string) and "</script>" or "<!--" in a value cannot end the block.
 */
export function jsonLdScript(json: string): SafeHtml {
  const inert = json.replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  return new SafeHtml(`<script type="application/ld+json">${inert}</script>`);
}

/** One `<meta name content>` element (void element, no self-closing slash). */
export function metaTag(name: string, content: string): SafeHtml {
  return html`<meta name="${name}" content="${content}">`;
}
