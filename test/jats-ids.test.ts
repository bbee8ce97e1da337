// JATS ids (xs:ID/IDREF/IDREFS) get a per-record prefix when articles share one OAI-PMH response.
// prefixJatsIds rewrites only the start tags that hold an id attribute; these tests hold it to
// the plain definition (every start tag, every attribute), on hand-made edge cases and on the
// OAI variant of synthetic articles.
import { describe, expect, it } from 'vitest';
import { JATS_ID_ATTRIBUTES, JATS_OAI_NAMESPACE, JATS_OAI_SCHEMA_LOCATION, jatsIdPrefix, prefixJatsIds, toJats } from '../src/formats/jats/index.js';
import { syntheticRecord } from '../src/model/index.js';

/** The definition: in every well-formed start tag, every token of every ID-typed attribute. */
function prefixEveryTag(xml: string, prefix: string): string {
  const startTag = /<[A-Za-z_][^\s/>]*(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*\/?>/g;
  const attribute = /(\s)([^\s=/>]+)(\s*=\s*)("([^"]*)"|'([^']*)')/g;
  return xml.replace(startTag, (tag) =>
    tag.replace(attribute, (whole, space: string, name: string, equals: string, _quoted: string, double?: string, single?: string) => {
      if (!JATS_ID_ATTRIBUTES.has(name)) return whole;
      const value = (double ?? single ?? '').split(/(\s+)/).map((part) => (part.trim() ? prefix + part : part)).join('');
      const quote = double !== undefined ? '"' : "'";
      return `${space}${name}${equals}${quote}${value}${quote}`;
    }),
  );
}

describe('prefixJatsIds', () => {
  it('prefixes ids and references in start tags, each IDREFS token, and leaves text alone', () => {
    const xml = `<ref-list><ref id="ref1"><xref ref-type="bibr" rid='ref1 ref2'/> see id="ref9" in text</ref><td headers=" h1  h2 ">x</td></ref-list>`;
    expect(prefixJatsIds(xml, 'p-')).toBe(
      `<ref-list><ref id="p-ref1"><xref ref-type="bibr" rid='p-ref1 p-ref2'/> see id="ref9" in text</ref><td headers=" p-h1  p-h2 ">x</td></ref-list>`,
    );
  });

  it('agrees with the every-tag definition on edge cases', () => {
    const cases = [
      `<a title="1 &gt; 2 id=&quot;x&quot;" id="x"><c headers=" h1  h2 "/></a> id="text"`,
      `<a title='he said id="q"' rid="r"/>`,
      `<a xml:id="k" xlink:id="j" idx="1" id="" rid=''/>`,
      `<a\nid="x"\n rid = "y"></a><b continued-from="c" glyph-data="g" pointer-to-explained="p" pointer-to-question="q"/>`,
      `plain text id="x" without tags`,
      `id="x"><b id="y">`,
      `<a id="x" id2="y"><b/><c rid="x"></c></a>`,
    ];
    for (const xml of cases) expect(prefixJatsIds(xml, 'P-'), xml).toBe(prefixEveryTag(xml, 'P-'));
  });

  it('agrees with the every-tag definition on 300 synthetic articles as served over OAI-PMH', () => {
    let compared = 0;
    for (let i = 0; i < 300; i++) {
      const record = syntheticRecord(i, 11);
      if (!record.journal.issns?.length) continue;
      const xml = toJats(record, { declaration: false, namespace: JATS_OAI_NAMESPACE, schemaLocation: JATS_OAI_SCHEMA_LOCATION });
      const prefix = jatsIdPrefix(`record-${i}`);
      const prefixed = prefixJatsIds(xml, prefix);
      expect(prefixed).toBe(prefixEveryTag(xml, prefix));
      if (prefixed !== xml) compared++;
    }
    // The comparison means something only if ids were there to prefix.
    expect(compared).toBeGreaterThan(200);
  });
});
