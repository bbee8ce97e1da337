// validateXmlMany: many documents parsed as one, each validated on its own. The results must be
// exactly validateXml's, document by document, valid or not.
import { describe, expect, it } from 'vitest';
import { toJats, toOaiDc } from '../src/formats/index.js';
import { generateSyntheticRecords } from '../src/model/index.js';
import { validateXml, validateXmlMany } from '../src/validate/index.js';
import { suffixIds } from '../src/validate/many.js';
import { JATS_ID_ATTRIBUTES } from '../src/validate/id-attributes.js';

const records = generateSyntheticRecords(40, 11);
const jats = records.map((r) => toJats(r));
const dc = records.map((r) => toOaiDc(r));

describe('validateXmlMany gives validateXml\'s result for every document', () => {
  it('valid JATS articles that all number their ids aff1, ref1 ... (ids are unique per document, not per batch)', () => {
    expect(jats.filter((x) => x.includes('id="aff1"')).length).toBeGreaterThan(10);
    expect(jats.filter((x) => x.includes('id="ref1"')).length).toBeGreaterThan(10);
    expect(validateXmlMany(jats, 'jats')).toEqual(jats.map(() => ({ valid: true, errors: [] })));
  });

  it('valid oai_dc records', () => {
    expect(validateXmlMany(dc, 'oai_dc')).toEqual(dc.map(() => ({ valid: true, errors: [] })));
  });

  it('names exactly the invalid documents, with their own lines and columns', () => {
    const broken = [...jats];
    broken[3] = broken[3]!.replace('id="ref2"', 'id="ref1"'); // duplicate id within one article
    broken[7] = broken[7]!.replace('<front>', '<front><bogus/>'); // element the schema does not allow
    broken[11] = broken[11]!.replace('id="ref1"', 'id="1ref"'); // not an NCName: a suffix must not make it one
    broken[12] = broken[12]!.replace('id="ref1"', 'id=""'); // empty: still invalid
    broken[20] = broken[20]!.replace('dtd-version="1.3"', 'dtd-version="9"');
    const results = validateXmlMany(broken, 'jats');
    const expected = broken.map((xml) => validateXml(xml, 'jats'));
    expect(results).toEqual(expected);
    expect(results.map((r, i) => (r.valid ? -1 : i)).filter((i) => i >= 0)).toEqual([3, 7, 11, 12, 20]);
    expect(results[7]!.errors[0]!.line).toBeGreaterThan(1);
  });

  it('ids are renamed in start tags only: text that looks like an attribute is left alone, and a ">" in a value before an id costs a re-check, not a wrong result', () => {
    const withAff = jats.find((x) => x.includes('<aff id="aff1">'))!;
    const tricky = withAff.replace('<aff id="aff1">', '<aff content-type="a>b" id="aff1">');
    const texty = withAff.replace(/<article-title>/, '<article-title> id="aff1" rid="x" ');
    const docs = [tricky, tricky, texty, texty, withAff];
    const results = validateXmlMany(docs, 'jats');
    expect(results).toEqual(docs.map((xml) => validateXml(xml, 'jats')));
    expect(results.every((r) => r.valid)).toBe(true);
  });

  it('suffixes id and idref values in start tags, every token, and nothing else', () => {
    const xml = '<a id="x"><b rid="x y" headers=\'h\'> id="text" rid="t" </b><c title="a>b" id="z"/><d custom-id="k" id=""/></a>';
    expect(suffixIds(xml, JATS_ID_ATTRIBUTES, '-v1')).toBe(
      '<a id="x-v1"><b rid="x-v1 y-v1" headers=\'h-v1\'> id="text" rid="t" </b><c title="a>b" id="z"/><d custom-id="k" id=""/></a>',
    );
  });

  it('a document that is not well-formed is reported on its own; the others stay valid', () => {
    const broken = [...dc];
    broken[5] = broken[5]!.replace('</dc:title>', '</dc:titel>');
    const results = validateXmlMany(broken, 'oai_dc');
    expect(results).toEqual(broken.map((xml) => validateXml(xml, 'oai_dc')));
    expect(results.filter((r) => !r.valid)).toHaveLength(1);
  });

  it('a document with a DOCTYPE, comment or processing instruction is validated alone (its prolog could change its meaning)', () => {
    const withDoctype = `<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY t "Title">]>\n${dc[0]!.slice(dc[0]!.indexOf('\n') + 1).replace('<dc:language>', '<dc:language>&t;')}`;
    const docs = [withDoctype, dc[1]!, `<!-- c -->${dc[2]!}`];
    expect(validateXmlMany(docs, 'oai_dc')).toEqual(docs.map((xml) => validateXml(xml, 'oai_dc')));
  });

  it('schemas without many-per-document support are validated one by one, with the same results', () => {
    const responses = ['<x/>', '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"/>'];
    expect(validateXmlMany(responses, 'oai-pmh')).toEqual(responses.map((xml) => validateXml(xml, 'oai-pmh')));
  });
});
