import { createHash } from 'node:crypto';
import { JATS_ID_ATTRIBUTES } from '../../validate/id-attributes.js';

export { JATS_ID_ATTRIBUTES };

/**
 * JATS ids (xs:ID) must be unique in the whole XML document, and a ListRecords response holds
 * many articles that each number their ids from 1 ("aff1", "ref1"). Prefixing every id and
 * every reference to one with a per-record token keeps a page valid against OAI-PMH.xsd with
 * JATS loaded (strict wildcard), and each article valid on its own.
 */


// A start tag with well-formed quoted attributes (values may hold ">"), so ids are only ever
// rewritten inside markup, never in text.
const START_TAG = /<[A-Za-z_][^\s/>]*(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*\/?>/g;
const ATTRIBUTE = /(\s)([^\s=/>]+)(\s*=\s*)("([^"]*)"|'([^']*)')/g;

/** A prefix that is an NCName start and depends only on the record's local id. */
export function jatsIdPrefix(localId: string): string {
  return `r${createHash('sha256').update(localId).digest('hex').slice(0, 12)}-`;
}

export function prefixJatsIds(xml: string, prefix: string): string {
  return xml.replace(START_TAG, (tag) =>
    tag.replace(ATTRIBUTE, (whole, space: string, name: string, equals: string, _quoted: string, double?: string, single?: string) => {
      if (!JATS_ID_ATTRIBUTES.has(name)) return whole;
      const value = double ?? single ?? '';
      const prefixed = value
        .split(/(\s+)/)
        .map((part) => (part.trim() ? prefix + part : part))
        .join('');
      const quote = double !== undefined ? '"' : "'";
      return `${space}${name}${equals}${quote}${prefixed}${quote}`;
    }),
  );
}
