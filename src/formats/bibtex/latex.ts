// Text into BibTeX field values, so that every character reads back as written: LaTeX's
// special characters escaped, LaTeX ligatures broken, names braced where BibTeX would split them.
import type { CslName } from '../csl/write.js';

const LATEX_SPECIALS: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '{': '\\{',
  '}': '\\}',
  '&': '\\&',
  '%': '\\%',
  $: '\\$',
  '#': '\\#',
  _: '\\_',
  '~': '\\textasciitilde{}',
  '^': '\\textasciicircum{}',
};
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;
// TeX turns "--", "---", "``", "''", "?`", "!`", "<<", ">>" and ",," into other characters
// (dashes, curly quotes, inverted marks, guillemets): an empty group between them keeps them as typed.
const LIGATURE = /(?<=[-`'])(?=[-`'])|(?<=[?!])(?=`)|(?<=<)(?=<)|(?<=>)(?=>)|(?<=,)(?=,)/g;

/** Plain text as a BibTeX field value (inside braces). Unicode letters stay as they are (UTF-8). */
export function latexText(value: string): string {
  return value
    .replace(CONTROL, '')
    .replace(/[\\{}&%$#_~^]/g, (c) => LATEX_SPECIALS[c]!)
    .replace(LIGATURE, '{}')
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n\s*/)
    .map((paragraph) => paragraph.replace(/\s*\n\s*/g, ' '))
    .join('\n\n');
}

/**
 * A verbatim field (biblatex's doi and url): written as is, since biblatex and the url package
 * read it character for character; only braces and backslashes, which would unbalance the
 * field, and whitespace are percent-encoded (which URLs allow).
 */
export function verbatimUrl(value: string): string {
  return value.replace(/[{}\\\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** Whether a DOI can be written verbatim: balanced field content, no backslash, no whitespace. */
export function isVerbatimSafe(value: string): boolean {
  return !/[{}\\\s]/.test(value);
}

/**
 * One name in BibTeX's "Family, Suffix, Given" form. An organisation is one braced group, so
 * BibTeX never splits it; a family name of several words (or one with no given name) is braced,
 * so "Mendes da Silva" is not read as given name "Mendes"; parts holding " and " or a comma are
 * braced so they stay one name and one part.
 */
export function latexName(name: CslName): string {
  if (name.literal !== undefined) return `{${latexText(name.literal)}}`;
  const family = latexText(name.family ?? '');
  const needsBraces = /\s|,|^$/.test(family) || name.given === undefined;
  const parts = [needsBraces ? `{${family}}` : family];
  if (name.suffix !== undefined) parts.push(guard(latexText(name.suffix)));
  if (name.given !== undefined) parts.push(guard(latexText(name.given)));
  // "Family, Given" needs no suffix slot; with a suffix BibTeX reads "Family, Suffix, Given".
  return parts.join(', ');
}

function guard(part: string): string {
  return /,|\band\b/i.test(part) ? `{${part}}` : part;
}

export function latexNames(names: readonly CslName[]): string {
  return names.map(latexName).join(' and ');
}
