/**
 * Language tags on pages: every text from a record's language maps is marked with its BCP 47
 * tag and its writing direction, so screen readers pick the right voice and right-to-left
 * scripts are laid out right to left.
 */
import { html, type SafeHtml } from './html.js';

/** ISO 15924 codes of scripts written right to left (Unicode bidi class R or AL). */
const RTL_SCRIPTS = new Set([
  'Adlm', 'Arab', 'Aran', 'Armi', 'Avst', 'Chrs', 'Cprt', 'Elym', 'Hatr', 'Hebr', 'Hung', 'Khar',
  'Lydi', 'Mand', 'Mani', 'Mend', 'Merc', 'Mero', 'Narb', 'Nbat', 'Nkoo', 'Orkh', 'Ougr', 'Palm',
  'Phli', 'Phlp', 'Phnx', 'Prti', 'Rohg', 'Samr', 'Sarb', 'Sogd', 'Sogo', 'Syrc', 'Thaa', 'Yezi',
]);

/**
 * 'rtl' or 'ltr' from the tag's script: explicit (`az-Arab`) or the likely script of the
 * language (`ar` -> Arab, CLDR likely subtags via Intl.Locale#maximize). 'auto' when the tag
 * is not well-formed, so the browser decides from the text itself.
 */
export function textDirection(tag: string): 'rtl' | 'ltr' | 'auto' {
  let script: string | undefined;
  try {
    script = new Intl.Locale(tag).maximize().script;
  } catch {
    return 'auto';
  }
  if (!script) return 'auto';
  return RTL_SCRIPTS.has(script) ? 'rtl' : 'ltr';
}

/** `lang` and `dir` attributes for an element holding text in `tag`. */
export function langAttributes(tag: string): SafeHtml {
  return html` lang="${tag}" dir="${textDirection(tag)}"`;
}

const names = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'code' });

/** The language's English name ("Indonesian", "Arabic"), or the tag itself when unknown. */
export function languageName(tag: string): string {
  try {
    return names.of(tag) ?? tag;
  } catch {
    return tag;
  }
}

