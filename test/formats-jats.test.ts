import { describe, expect, it } from 'vitest';
import { ExportError, JATS_OAI_NAMESPACE, JATS_OAI_SCHEMA_LOCATION, toJats } from '../src/formats/index.js';
import { loadSeedSample, type ArticleRecord } from '../src/model/index.js';
import { validateXml, formatXmlErrors } from '../src/validate/index.js';
import {
  at,
  attr,
  findOrdered,
  minimalRecord,
  one,
  orderedText,
  parseOrdered,
  parseXml,
  sampleRecord,
  seedReferencesAsPrinted,
  text,
  texts,
} from './formats-helpers.js';

function expectValid(xml: string): void {
  const result = validateXml(xml, 'jats');
  expect(result.valid, formatXmlErrors(result.errors)).toBe(true);
}

describe('toJats: seed article', () => {
  it('refuses the seed as it stands: Journal Publishing requires an ISSN the seed does not know', () => {
    const seed = loadSeedSample();
    expect(seed.journal.issns ?? []).toHaveLength(0);
    let error: unknown;
    try {
      toJats(seed);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ExportError);
    expect((error as ExportError).field).toBe('journal.issns');
    expect((error as ExportError).format).toBe('jats');
    expect((error as ExportError).message).toMatch(/^10\.33172\/jdp\.v4i2\.323: JATS .*ISSN/);
  });

  // With an ISSN supplied the rest of the seed must be complete and valid.
  const seed: ArticleRecord = { ...loadSeedSample() };
  seed.journal = { ...seed.journal, issns: [{ value: '2049-3630', media: 'electronic' }] };
  const xml = toJats(seed);
  const article = one(parseXml(xml), 'article');
  const meta = one(article, 'front/article-meta');

  it('validates against JATS 1.3 Journal Publishing', () => expectValid(xml));

  it('is JATS 1.3 with the article language', () => {
    expect(attr(article, 'dtd-version')).toBe('1.3');
    expect(attr(article, 'xml:lang')).toBe('id');
    expect(attr(article, 'article-type')).toBe('research-article');
    expect(attr(article, 'xmlns:xlink')).toBe('http://www.w3.org/1999/xlink');
  });

  it('has the DOI, the Indonesian title and the English trans-title', () => {
    expect(at(meta, 'article-id').map((id) => [attr(id, 'pub-id-type'), text(id)])).toEqual([['doi', '10.33172/jdp.v4i2.323'], ['publisher-id', '323']]);
    expect(texts(meta, 'title-group/article-title')).toEqual([seed.title.id]);
    const trans = one(meta, 'title-group/trans-title-group');
    expect(attr(trans, 'xml:lang')).toBe('en');
    expect(texts(trans, 'trans-title')).toEqual([seed.title.en]);
  });

  it('lists the authors in order, the corresponding one with e-mail, all linked to one shared aff', () => {
    const contribs = at(meta, 'contrib-group/contrib');
    expect(contribs.map((c) => texts(c, 'name/surname')[0])).toEqual(['Akhli', 'Gumilar', 'Halkis']);
    expect(contribs.map((c) => attr(c, 'corresp'))).toEqual(['yes', undefined, undefined]);
    expect(texts(contribs[0], 'email')).toEqual(['rangga.akhli@idu.ac.id']);
    const affs = at(meta, 'aff');
    expect(affs).toHaveLength(1);
    expect(texts(affs[0], 'institution')).toEqual(['Program Studi Diplomasi Pertahanan, Universitas Pertahanan']);
    for (const contrib of contribs) {
      expect(at(contrib, 'xref').map((x) => [attr(x, 'ref-type'), attr(x, 'rid')])).toEqual([['aff', attr(affs[0], 'id')]]);
    }
  });

  it('dates the article by its issue year only, with volume and issue', () => {
    const dates = at(meta, 'pub-date');
    expect(dates).toHaveLength(1);
    expect(attr(dates[0], 'date-type')).toBe('collection');
    expect(texts(dates[0], 'year')).toEqual(['2018']);
    expect(at(dates[0], 'month')).toHaveLength(0);
    expect(texts(meta, 'volume')).toEqual(['4']);
    expect(texts(meta, 'issue')).toEqual(['2']);
    expect(at(meta, 'fpage')).toHaveLength(0);
  });

  it('has the abstract in id, the trans-abstract in en, and keywords per language', () => {
    expect(attr(one(meta, 'abstract'), 'xml:lang')).toBeUndefined();
    expect(text(at(meta, 'abstract/p')[0])).toMatch(/^Tulisan ini/);
    expect(attr(one(meta, 'trans-abstract'), 'xml:lang')).toBe('en');
    const groups = at(meta, 'kwd-group');
    expect(groups.map((g) => attr(g, 'xml:lang'))).toEqual(['id', 'en']);
    expect(texts(groups[1], 'kwd')).toEqual(seed.keywords!.en);
  });

  it('states the licence with xlink:href and ali:license_ref', () => {
    const license = one(meta, 'permissions/license');
    expect(attr(license, 'xlink:href')).toBe('https://creativecommons.org/licenses/by/4.0/');
    expect(texts(license, 'ali:license_ref')).toEqual(['https://creativecommons.org/licenses/by/4.0/']);
    expect(attr(article, 'xmlns:ali')).toBe('http://www.niso.org/schemas/ali/1.0/');
  });

  it('has every printed reference as a mixed-citation', () => {
    const refs = at(article, 'back/ref-list/ref');
    expect(refs.map((r) => texts(r, 'mixed-citation')[0])).toEqual(seedReferencesAsPrinted());
    expect(new Set(refs.map((r) => attr(r, 'id'))).size).toBe(refs.length);
  });
});

describe('toJats: edge-case samples', () => {
  const one1 = sampleRecord('synthetic-edge-cases-1.json');
  const two = sampleRecord('synthetic-edge-cases-2.json');

  it('validates both', () => {
    expectValid(toJats(one1));
    expectValid(toJats(two));
  });

  const meta1 = one(parseXml(toJats(one1)), 'article/front/article-meta');

  it('writes journal-meta with ISSNs by publication format and the publisher', () => {
    const journal = one(parseXml(toJats(one1)), 'article/front/journal-meta');
    expect(at(journal, 'issn').map((i) => [attr(i, 'publication-format'), text(i)])).toEqual([
      ['electronic', '2049-3630'],
      ['print', '0378-5955'],
    ]);
    expect(texts(journal, 'journal-title-group/journal-title')).toEqual(['Journal of Synthetic Tests & <Edge> Cases']);
    expect(texts(journal, 'journal-title-group/abbrev-journal-title')).toEqual(['J. Synth. Tests Edge Cases']);
    expect(texts(journal, 'publisher/publisher-name')).toEqual(['Example & Sons Publishing']);
    expect(texts(journal, 'publisher/publisher-loc')).toEqual(['Providence, RI']);
  });

  it('escapes markup-significant characters and keeps quotes and Cyrillic as written', () => {
    expect(texts(meta1, 'title-group/article-title')).toEqual([one1.title.en]);
    expect(texts(meta1, 'title-group/subtitle')).toEqual([one1.subtitle!.en]);
    expect(texts(meta1, 'title-group/trans-title-group/trans-title')).toEqual([one1.title.ru]);
    expect(texts(meta1, 'contrib-group/contrib/collab')).toEqual(['The "Escaping & Encoding" Working Group']);
  });

  it('writes ORCIDs as https://orcid.org/ contrib-ids and RORs as institution-ids', () => {
    const contribs = at(meta1, 'contrib-group/contrib');
    const orcid = one(contribs[0], 'contrib-id');
    expect(attr(orcid, 'contrib-id-type')).toBe('orcid');
    expect(text(orcid)).toBe('https://orcid.org/0000-0002-1825-0097');
    expect(attr(orcid, 'authenticated')).toBeUndefined();
    const affById = new Map(at(meta1, 'aff').map((a) => [attr(a, 'id'), a]));
    const firstAff = affById.get(attr(one(contribs[0], 'xref'), 'rid'));
    const id = one(firstAff, 'institution-wrap/institution-id');
    expect(attr(id, 'institution-id-type')).toBe('ror');
    expect(text(id)).toBe('https://ror.org/05gq02987');
    // Name variants become name-alternatives, the family-name-only author a bare surname.
    expect(at(contribs[1], 'name-alternatives/name').map((n) => attr(n, 'xml:lang'))).toEqual([undefined, 'en']);
    expect(at(contribs[2], 'name/given-names')).toHaveLength(0);
    expect(texts(contribs[2], 'name/surname')).toEqual(['Sukarno']);
  });

  it('puts the editor in its own contrib-group', () => {
    const groups = at(meta1, 'contrib-group');
    expect(groups).toHaveLength(2);
    expect(at(groups[1], 'contrib').map((c) => attr(c, 'contrib-type'))).toEqual(['editor']);
  });

  it('writes roman-numeral pages, history dates and a pub-date with all known parts', () => {
    expect(texts(meta1, 'fpage')).toEqual(['xii']);
    expect(texts(meta1, 'lpage')).toEqual(['xxiv']);
    const pub = at(meta1, 'pub-date').find((d) => attr(d, 'date-type') === 'pub');
    expect([texts(pub, 'day')[0], texts(pub, 'month')[0], texts(pub, 'year')[0]]).toEqual(['15', '09', '2024']);
    expect(attr(pub, 'publication-format')).toBe('electronic');
    expect(at(meta1, 'history/date').map((d) => attr(d, 'date-type'))).toEqual(['received', 'accepted']);
  });

  it('uses elocation-id for an article number', () => {
    const meta2 = one(parseXml(toJats(two)), 'article/front/article-meta');
    expect(texts(meta2, 'elocation-id')).toEqual(['e2023007']);
    expect(at(meta2, 'fpage')).toHaveLength(0);
  });

  it('splits abstract paragraphs into <p> and writes galleys as self-uri', () => {
    expect(at(meta1, 'abstract/p')).toHaveLength(2);
    const uris = at(meta1, 'self-uri');
    expect(uris.map((u) => attr(u, 'xlink:href'))).toContain('https://journal.example.org/jste/article/download/1/pdf');
    expect(uris.map((u) => attr(u, 'content-type'))).toContain('application/pdf');
  });

  it('writes funding with the Funder Registry DOI and every award id', () => {
    const group = one(meta1, 'funding-group/award-group');
    const id = one(group, 'funding-source/institution-wrap/institution-id');
    expect(attr(id, 'institution-id-type')).toBe('doi');
    expect(text(id)).toBe('10.13039/100000001');
    expect(texts(group, 'award-id')).toEqual(['ABC-1234567', 'DEF-7654321']);
  });

  it('tags reference DOIs with pub-id and uses element-citation for structured references', () => {
    const refs = at(one(parseXml(toJats(one1)), 'article'), 'back/ref-list/ref');
    expect(refs).toHaveLength(4);
    expect(texts(refs[0], 'citation-alternatives/element-citation/source')).toEqual(['Journal of Psychoceramics']);
    expect(texts(refs[0], 'citation-alternatives/mixed-citation/pub-id')).toEqual(['10.5555/12345678']);
    expect(texts(refs[1], 'mixed-citation')).toEqual([`Smith & Jones. "On <angle> brackets". In: 'Proceedings', 2020.`]);
    expect(texts(refs[3], 'element-citation/pub-id')).toEqual(['10.5555/example.only.doi']);
  });
});

describe('toJats: markup passthrough', () => {
  const record = minimalRecord({
    title: { en: 'CO2 uptake in vivo: x squared' },
    abstract: { en: 'Plain abstract.' },
    markup: {
      title: { en: 'CO<sub>2</sub> uptake <italic>in vivo</italic>: <mml:math><mml:msup><mml:mi>x</mml:mi><mml:mn>2</mml:mn></mml:msup></mml:math>' },
      abstract: { en: '<p>Rich <bold>abstract</bold> &amp; more.</p>' },
    },
  });

  it('inserts the fragment as elements, MathML namespaced, without changing the text', () => {
    const xml = toJats(record);
    expectValid(xml);
    const title = findOrdered(parseOrdered(xml), 'article-title')!;
    expect(orderedText(title['article-title'])).toBe('CO2 uptake in vivo: x2');
    expect(findOrdered(title['article-title'], 'italic')).toBeDefined();
    expect(findOrdered(title['article-title'], 'mml:msup')).toBeDefined();
    expect(attr(one(parseXml(xml), 'article'), 'xmlns:mml')).toBe('http://www.w3.org/1998/Math/MathML');
    expect(texts(one(parseXml(xml), 'article/front/article-meta/abstract/p'), 'bold')).toEqual(['abstract']);
  });

  it('wraps inline-only abstract markup in a paragraph', () => {
    const inline = minimalRecord({ abstract: { en: 'x' }, markup: { abstract: { en: 'Only <italic>inline</italic> text' } } });
    const xml = toJats(inline);
    expectValid(xml);
    expect(at(parseXml(xml), 'article/front/article-meta/abstract/p')).toHaveLength(1);
  });

  it('reports malformed markup naming the field', () => {
    const bad = minimalRecord({ markup: { abstract: { en: '<p>unclosed' } }, abstract: { en: 'x' } });
    expect(() => toJats(bad)).toThrow(/markup\.abstract\.en is not well-formed/);
  });
});

describe('toJats: namespaced for OAI-PMH', () => {
  const record = sampleRecord('synthetic-edge-cases-1.json');
  record.markup = { title: { en: 'Salt &amp; <italic>Pepper</italic>' } };
  const xml = toJats(record, { declaration: false, namespace: JATS_OAI_NAMESPACE, schemaLocation: JATS_OAI_SCHEMA_LOCATION });

  it('puts the article, its descendants and inserted markup in the namespace', () => {
    expect(xml.startsWith('<article ')).toBe(true);
    const article = one(parseXml(xml), 'article');
    expect(attr(article, 'xmlns')).toBe(JATS_OAI_NAMESPACE);
    expect(attr(article, 'xsi:schemaLocation')).toBe(`${JATS_OAI_NAMESPACE} ${JATS_OAI_SCHEMA_LOCATION}`);
    // No element redeclares a different default namespace.
    expect(xml.match(/xmlns="/g)).toHaveLength(1);
  });

  it('validates inside an OAI-PMH GetRecord response', () => {
    const response = `<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">
<responseDate>2024-01-01T00:00:00Z</responseDate>
<request verb="GetRecord" identifier="oai:example.org:1" metadataPrefix="jats">http://127.0.0.1/oai</request>
<GetRecord><record><header><identifier>oai:example.org:1</identifier><datestamp>2024-01-01</datestamp></header>
<metadata>${xml}</metadata></record></GetRecord>
</OAI-PMH>`;
    const result = validateXml(response, 'oai-pmh');
    expect(result.valid, formatXmlErrors(result.errors)).toBe(true);
  });
});

describe('toJats: unknown facts stay absent', () => {
  it('writes pub-date-not-available rather than inventing a date', () => {
    const record = minimalRecord({ issue: { volume: '2' } });
    const xml = toJats(record);
    expectValid(xml);
    const meta = one(parseXml(xml), 'article/front/article-meta');
    expect(at(meta, 'pub-date')).toHaveLength(0);
    expect(at(meta, 'pub-date-not-available')).toHaveLength(1);
    expect(at(meta, 'permissions')).toHaveLength(0);
    expect(at(one(parseXml(xml), 'article'), 'back')).toHaveLength(0);
  });
});
