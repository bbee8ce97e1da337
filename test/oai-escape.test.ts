/**
 * The provider's escaping: plain text takes a fast path (returned as it is), and must come out
 * exactly as the full escaping would have it, whatever it contains.
 */
import { describe, expect, it } from 'vitest';
import { encodeLocalIdentifier } from '../src/oai/identifiers.js';
import { escapeText } from '../src/oai/xml.js';

// eslint-disable-next-line no-control-regex
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
const fullEscape = (value: string) => value.replace(NOT_XML_CHAR, '\uFFFD').replace(/[&<>]/g, (c) => ENTITY[c]!);

const SAMPLES = [
  '',
  'oai:journal.example.org:10.1234/abc-1',
  '2024-03-01T10:00:00Z',
  'jdp:articles',
  'a & b',
  '<tag>',
  'x > y',
  'quote " and apostrophe \' stay',
  'tab\tnewline\ncr\r',
  'bell\u0007 and nul\u0000',
  'lone \uD800 surrogate',
  'astral \u{1F600} pair',
  'not characters \uFFFE \uFFFF',
  'private \uE000 and \uFFFD',
  'Łódź – Ærø, 東京',
  '%;=?@',
];

describe('escaping fast paths', () => {
  it('escapeText returns what the full escaping returns', () => {
    for (const sample of SAMPLES) expect(escapeText(sample), JSON.stringify(sample)).toBe(fullEscape(sample));
  });

  it('encodeLocalIdentifier keeps uric-only ids and escapes the rest byte by byte', () => {
    expect(encodeLocalIdentifier("10.1234/a-b_c.d!~*'();/?:@&=+$,")).toBe("10.1234/a-b_c.d!~*'();/?:@&=+$,");
    expect(encodeLocalIdentifier('a%b')).toBe('a%25b');
    expect(encodeLocalIdentifier('a b<c>')).toBe('a%20b%3Cc%3E');
    expect(encodeLocalIdentifier('Łódź')).toBe('%C5%81%C3%B3d%C5%BA');
    expect(encodeLocalIdentifier('')).toBe('');
  });
});
