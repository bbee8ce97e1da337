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
const START_TAG = /<[A-Za-z_][^\s/>]*(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*\/?>/;
const ATTRIBUTE = /(\s)([^\s=/>]+)(\s*=\s*)("([^"]*)"|'([^']*)')/g;
const WHITESPACE = /\s/;

/** A prefix that is an NCName start and depends only on the record's local id. */
export function jatsIdPrefix(localId: string): string {
  return `r${createHash('sha256').update(localId).digest('hex').slice(0, 12)}-`;
}

// Where an id attribute may be: its name after whitespace, then "=". Candidates only; each is
// confirmed inside a start tag before anything is rewritten.
const ID_ATTRIBUTE_NAME = new RegExp(`\\s(?:${[...JATS_ID_ATTRIBUTES].map((name) => name.replace(/[-]/g, '\\$&')).join('|')})\\s*=`, 'g');
const START_TAG_AT = new RegExp(START_TAG.source, 'y');

/**
 * Prefixes every token of every id attribute in the start tags of `xml`. Only the start tags
 * holding an id attribute are rewritten (a few per article), not every tag: "<" never appears
 * unescaped in text or attribute values, so the last "<" before a candidate opens the tag it
 * may be in, and the start-tag pattern from there says whether it is.
 */
export function prefixJatsIds(xml: string, prefix: string): string {
  let out = '';
  let copied = 0;
  ID_ATTRIBUTE_NAME.lastIndex = 0;
  for (let match = ID_ATTRIBUTE_NAME.exec(xml); match; match = ID_ATTRIBUTE_NAME.exec(xml)) {
    const open = xml.lastIndexOf('<', match.index);
    // Before what is already copied: text after a rewritten tag.
    if (open < copied) continue;
    START_TAG_AT.lastIndex = open;
    const tag = START_TAG_AT.exec(xml);
    if (!tag || open + tag[0].length <= match.index) continue;
    out += xml.slice(copied, open) + prefixTagIds(tag[0], prefix);
    copied = open + tag[0].length;
    ID_ATTRIBUTE_NAME.lastIndex = copied;
  }
  return copied === 0 ? xml : out + xml.slice(copied);
}

function prefixTagIds(tag: string, prefix: string): string {
  let out = '';
  let copied = 0;
  ATTRIBUTE.lastIndex = 0;
  for (let match = ATTRIBUTE.exec(tag); match; match = ATTRIBUTE.exec(tag)) {
    if (!JATS_ID_ATTRIBUTES.has(match[2]!)) continue;
    const value = match[5] ?? match[6] ?? '';
    const valueStart = match.index + match[0].length - value.length - 1;
    out += tag.slice(copied, valueStart) + prefixTokens(value, prefix);
    copied = valueStart + value.length;
  }
  return out + tag.slice(copied);
}

/** Every whitespace-separated token of an ID, IDREF or IDREFS value, prefixed. */
function prefixTokens(value: string, prefix: string): string {
  return WHITESPACE.test(value) ? value.replace(/\S+/g, (token) => prefix + token) : value === '' ? '' : prefix + value;
}
