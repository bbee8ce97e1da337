// The import's byte-level pieces: the JSON value splitter (any chunking gives the same values,
// with their byte spans and lines), strict UTF-8 and UTF-16 decoding with byte offsets, and how
// a file's kind and encoding are told from its first bytes.
import { describe, expect, it } from 'vitest';
import { classifyImportFile as classify, decodeUtf8Strictly as decodeUtf8, JsonLayoutError, JsonSplitter, Utf16ChunkDecoder, Utf8ChunkDecoder, type JsonValueSlice } from '../src/import/index.js';

function split(text: string | Buffer, chunkSize: number): { values: JsonValueSlice[]; layout: string | undefined } {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  const splitter = new JsonSplitter();
  const values: JsonValueSlice[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) values.push(...splitter.push(Buffer.from(bytes.subarray(i, i + chunkSize))));
  values.push(...splitter.end());
  return { values, layout: splitter.layout };
}

const TRICKY = [
  { id: 'a', title: { en: 'quote " and backslash \\ and \\" together' } },
  { id: 'b', title: { en: 'brackets ] } [ { inside a string, ending in a backslash \\' } },
  { id: 'c', nested: [[1, 2], { x: [] }], empty: '', unicode: 'Ünïcødé 漢字 😀' },
  'a bare string',
  42,
  null,
];

describe('JsonSplitter', () => {
  const text = `[\n  ${TRICKY.map((v) => JSON.stringify(v)).join(',\n  ')}\n]\n`;
  const bytes = Buffer.from(text);

  it.each([1, 2, 3, 5, 64, bytes.length])('splits an array into its elements whatever the chunk size (%i bytes)', (size) => {
    const { values, layout } = split(bytes, size);
    expect(layout).toBe('array');
    expect(values.map((v) => JSON.parse(v.bytes.toString('utf8')))).toEqual(TRICKY);
    // Spans point at the element's bytes in the stream, lines and columns at its first byte.
    for (const value of values) expect(bytes.subarray(value.start, value.start + value.bytes.length).equals(value.bytes)).toBe(true);
    expect(values.map((v) => [v.line, v.column, v.index])).toEqual(TRICKY.map((_, i) => [i + 2, 3, i]));
  });

  it('reads JSON Lines and a single object as a sequence of values', () => {
    const lines = TRICKY.slice(0, 3).map((v) => JSON.stringify(v)).join('\n');
    for (const size of [1, 4, 1000]) {
      const { values, layout } = split(lines, size);
      expect(layout).toBe('sequence');
      expect(values.map((v) => v.line)).toEqual([1, 2, 3]);
      expect(values.map((v) => JSON.parse(v.bytes.toString()))).toEqual(TRICKY.slice(0, 3));
    }
    expect(split('  {"id": "x"}  \n', 3).values.map((v) => v.bytes.toString())).toEqual(['{"id": "x"}']);
  });

  it('hands a broken element over whole, so its own parse names the problem', () => {
    const { values } = split('[{"id": "a"}, {"id": "b",}, {"id": "c"}]', 4);
    expect(values.map((v) => v.bytes.toString())).toEqual(['{"id": "a"}', '{"id": "b",}', '{"id": "c"}']);
  });

  it.each([
    ['[{"a":1} {"b":2}]', /expected ',' or '\]' after element 0, found "\{"/, 1, 10],
    ['[{"a":1}]\nx', /unexpected content after the closing '\]'/, 2, 1],
    ['[{"a":1},]', /expected a value, found "\]"/, 1, 10],
    ['[{"a":"1}]', /unterminated string/, 1, 11],
    ['[{"a":1}', /the array is not closed/, 1, 9],
    ['  \n ', /the file is empty/, 2, 2],
  ])('reports a layout error with its line and column: %s', (input, message, line, column) => {
    let error: unknown;
    try {
      split(input, 2);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(JsonLayoutError);
    expect((error as JsonLayoutError).message).toMatch(message);
    expect([(error as JsonLayoutError).line, (error as JsonLayoutError).column]).toEqual([line, column]);
  });
});

describe('strict UTF-8', () => {
  it('passes valid text through and finds each invalid stretch at its byte offset', () => {
    expect(decodeUtf8(Buffer.from('Ünïcødé 😀'), 100)).toEqual({ text: 'Ünïcødé 😀', problems: [] });
    // 0xE9 alone (Latin-1 é), an overlong "/" (0xC0 0xAF), a UTF-8-encoded surrogate (0xED 0xA0 0x80).
    const bytes = Buffer.concat([Buffer.from('Caf'), Buffer.from([0xe9]), Buffer.from(' / '), Buffer.from([0xc0, 0xaf]), Buffer.from(' x'), Buffer.from([0xed, 0xa0, 0x80])]);
    const { text, problems } = decodeUtf8(bytes, 1000);
    expect(problems.map((p) => [p.offset, p.bytes])).toEqual([
      [1003, '0xE9'],
      [1007, '0xC0 0xAF'],
      [1011, '0xED 0xA0 0x80'],
    ]);
    expect(text.startsWith('Café / ')).toBe(true);
  });

  it('keeps sequences split between chunks, and counts offsets across chunks', () => {
    const text = 'ab漢字😀cd';
    const bytes = Buffer.from(text);
    for (let cut = 1; cut < bytes.length; cut++) {
      const decoder = new Utf8ChunkDecoder(3);
      const out = decoder.decode(bytes.subarray(0, cut), { stream: true }) + decoder.decode(bytes.subarray(cut), { stream: true }) + decoder.decode();
      expect(out).toBe(text);
      expect(decoder.problems).toEqual([]);
    }
    const decoder = new Utf8ChunkDecoder(3);
    decoder.decode(Buffer.from('abc'), { stream: true });
    decoder.decode(Buffer.from([0x64, 0xe6, 0xbc]), { stream: true }); // a truncated 漢 ...
    decoder.decode(Buffer.from('x'), { stream: true }); // ... never completed
    decoder.decode();
    expect(decoder.problems.map((p) => [p.offset, p.bytes])).toEqual([[7, '0xE6 0xBC']]);
  });
});

describe('strict UTF-16', () => {
  const text = 'a漢😀z';
  const le = Buffer.from(text, 'utf16le');
  const be = Buffer.from(le).swap16();

  it('decodes LE and BE whatever the chunking (surrogate pairs and code units split)', () => {
    for (const [bytes, bigEndian] of [[le, false], [be, true]] as const) {
      for (let cut = 1; cut < bytes.length; cut++) {
        const decoder = new Utf16ChunkDecoder(bigEndian, 2);
        const out = decoder.decode(bytes.subarray(0, cut), { stream: true }) + decoder.decode(bytes.subarray(cut), { stream: true }) + decoder.decode();
        expect(out).toBe(text);
        expect(decoder.problems).toEqual([]);
      }
    }
  });

  it('reports a lone surrogate at its byte offset, and where it lands in the UTF-8 re-encoding', () => {
    const bytes = Buffer.concat([Buffer.from('ab', 'utf16le'), Buffer.from([0x00, 0xd8]), Buffer.from('c', 'utf16le')]);
    const decoder = new Utf16ChunkDecoder(false, 2);
    expect(decoder.decode(bytes, { stream: true }) + decoder.decode()).toBe('ab\uFFFDc');
    expect(decoder.problems.map((p) => [p.offset, p.bytes, p.at])).toEqual([[6, 'U+D800', 2]]);
  });
});

describe('file kind and encoding', () => {
  const u16 = (s: string, bigEndian: boolean) => (bigEndian ? Buffer.from(s, 'utf16le').swap16() : Buffer.from(s, 'utf16le'));
  it.each([
    ['a.xml', Buffer.from('<?xml version="1.0"?><article/>'), 'xml', 'utf-8', 0],
    ['a.xml', u16('<?xml version="1.0" encoding="UTF-16"?><a/>', false), 'xml', 'utf-16le', 0],
    ['a.xml', u16('<?xml version="1.0" encoding="UTF-16"?><a/>', true), 'xml', 'utf-16be', 0],
    ['a.xml', Buffer.concat([Buffer.from([0xfe, 0xff]), u16('<a/>', true)]), 'xml', 'utf-16be', 2],
    ['a.json', Buffer.concat([Buffer.from([0xff, 0xfe]), u16('[{"id":1}]', false)]), 'json', 'utf-16le', 2],
    ['a.json', Buffer.from('\uFEFF{"id":1}'), 'json', 'utf-8', 3],
    ['a.txt', Buffer.from('doi,title.en\n10.1/x,T\n'), 'spreadsheet', 'utf-8', 0],
    ['a.csv', Buffer.from('anything'), 'spreadsheet', 'utf-8', 0],
  ])('%s %#', (name, head, kind, label, bom) => {
    expect(classify(name, head)).toEqual({ kind, encoding: { label, bom } });
  });

  it('does not take an ASCII declaration of UTF-16 at its word (no BOM, no zero bytes)', () => {
    expect(classify('a.xml', Buffer.from('<?xml version="1.0" encoding="UTF-16"?><a/>')).encoding).toEqual({ label: 'utf-8', bom: 0 });
  });
});
