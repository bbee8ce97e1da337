import { describe, expect, it } from 'vitest';
import { toOaiDc } from '../src/formats/index.js';
import { loadSeedSample } from '../src/model/index.js';
import { validateXml, formatXmlErrors } from '../src/validate/index.js';
import { at, attr, minimalRecord, one, parseXml, sampleRecord, text, texts } from './formats-helpers.js';

function expectValid(xml: string): void {
  const result = validateXml(xml, 'oai_dc');
  expect(result.valid, formatXmlErrors(result.errors)).toBe(true);
}

function dcValues(xml: string, element: string): { value: string; lang: string | undefined }[] {
  return at(one(parseXml(xml), 'oai_dc:dc'), `dc:${element}`).map((n) => ({ value: text(n), lang: attr(n, 'xml:lang') }));
}

describe('toOaiDc: seed article', () => {
  const seed = loadSeedSample();
  const xml = toOaiDc(seed);

  it('validates against oai_dc.xsd and points xsi:schemaLocation at it', () => {
    expectValid(xml);
    const root = one(parseXml(xml), 'oai_dc:dc');
    expect(attr(root, 'xmlns:oai_dc')).toBe('http://www.openarchives.org/OAI/2.0/oai_dc/');
    expect(attr(root, 'xmlns:dc')).toBe('http://purl.org/dc/elements/1.1/');
    expect(attr(root, 'xsi:schemaLocation')).toBe(
      'http://www.openarchives.org/OAI/2.0/oai_dc/ http://www.openarchives.org/OAI/2.0/oai_dc.xsd',
    );
  });

  it('has a title per language with xml:lang, the primary language first', () => {
    expect(dcValues(xml, 'title')).toEqual([
      { value: seed.title.id, lang: 'id' },
      { value: seed.title.en, lang: 'en' },
    ]);
  });

  it('lists creators as "Family, Given" in seed order', () => {
    expect(dcValues(xml, 'creator').map((c) => c.value)).toEqual(['Akhli, Rangga Amalul', 'Gumilar, Nugraha', 'Halkis, Mhd']);
  });

  it('has subjects and descriptions per language', () => {
    const subjects = dcValues(xml, 'subject');
    expect(subjects.filter((s) => s.lang === 'id').map((s) => s.value)).toEqual(seed.keywords!.id);
    expect(subjects.filter((s) => s.lang === 'en').map((s) => s.value)).toEqual(seed.keywords!.en);
    expect(dcValues(xml, 'description').map((d) => d.lang)).toEqual(['id', 'en']);
  });

  it('identifies the article by DOI URL and landing page', () => {
    expect(dcValues(xml, 'identifier').map((i) => i.value)).toEqual([
      'https://doi.org/10.33172/jdp.v4i2.323',
      'https://jurnalprodi.idu.ac.id/index.php/DP/article/view/323',
    ]);
  });

  it('has publisher, date, type, source, language and rights', () => {
    expect(dcValues(xml, 'publisher').map((v) => v.value)).toEqual(['Universitas Pertahanan Press']);
    expect(dcValues(xml, 'date').map((v) => v.value)).toEqual(['2018']);
    expect(dcValues(xml, 'type').map((v) => v.value)).toContain('info:eu-repo/semantics/article');
    expect(dcValues(xml, 'source').map((v) => v.value)).toEqual(['Jurnal Diplomasi Pertahanan; Vol 4 No 2 (2018)']);
    expect(dcValues(xml, 'language').map((v) => v.value)).toEqual(['id']);
    expect(dcValues(xml, 'rights').map((v) => v.value)).toContain('https://creativecommons.org/licenses/by/4.0/');
    // No galleys, no contributors besides authors: nothing invented for them.
    expect(dcValues(xml, 'format')).toEqual([]);
    expect(dcValues(xml, 'relation')).toEqual([]);
    expect(dcValues(xml, 'contributor')).toEqual([]);
  });
});

describe('toOaiDc: edge cases', () => {
  const one1 = sampleRecord('synthetic-edge-cases-1.json');
  const two = sampleRecord('synthetic-edge-cases-2.json');

  it('validates both edge-case samples', () => {
    expectValid(toOaiDc(one1));
    expectValid(toOaiDc(two));
  });

  it('joins subtitles and escapes &, <, > and quotes (round trip through a parser)', () => {
    const titles = dcValues(toOaiDc(one1), 'title');
    expect(titles[0]).toEqual({ value: `${one1.title.en}: ${one1.subtitle!.en}`, lang: 'en' });
    expect(titles[1]).toEqual({ value: `${one1.title.ru}: ${one1.subtitle!.ru}`, lang: 'ru' });
    expect(toOaiDc(one1)).not.toMatch(/<b> Isn/);
  });

  it('keeps Arabic titles and names, family-name-only creators and group authors', () => {
    expect(dcValues(toOaiDc(two), 'title')[0]).toEqual({ value: two.title.ar, lang: 'ar' });
    expect(dcValues(toOaiDc(two), 'creator').map((c) => c.value)).toEqual(['الزهراء, فاطمة', "D'Artagnan, Jean-Luc", 'Madonna']);
    expect(dcValues(toOaiDc(one1), 'creator').map((c) => c.value)).toContain('The "Escaping & Encoding" Working Group');
  });

  it('puts editors in dc:contributor, galleys in dc:format and dc:relation, ISSNs in dc:source', () => {
    const xml = toOaiDc(one1);
    expect(dcValues(xml, 'contributor').map((c) => c.value)).toEqual(['Editor, Pat, Jr.']);
    expect(dcValues(xml, 'format').map((c) => c.value)).toEqual(['application/pdf', 'text/html']);
    expect(dcValues(xml, 'relation').map((c) => c.value)).toEqual(one1.galleys!.map((g) => g.url));
    expect(dcValues(xml, 'source').map((c) => c.value)).toEqual([
      'Journal of Synthetic Tests & <Edge> Cases; Vol 12 No 3 (2024); xii-xxiv',
      '2049-3630',
      '0378-5955',
    ]);
    expect(dcValues(xml, 'date').map((c) => c.value)).toEqual(['2024-09-15']);
    expect(dcValues(xml, 'rights').map((c) => c.value)).toContain('© 2024 The Authors');
  });

  it('omits dc:date when no date is known and the declaration on request', () => {
    const record = minimalRecord({ issue: { volume: '1' } });
    const xml = toOaiDc(record, { declaration: false });
    expectValid(xml);
    expect(xml.startsWith('<oai_dc:dc')).toBe(true);
    expect(dcValues(xml, 'date')).toEqual([]);
  });

  it('does not claim open access for a licence that is not open', () => {
    const record = minimalRecord({ license: { url: 'https://example.org/all-rights-reserved' } });
    const rights = dcValues(toOaiDc(record), 'rights').map((r) => r.value);
    expect(rights).toEqual(['https://example.org/all-rights-reserved']);
    expect(texts(one(parseXml(toOaiDc(minimalRecord())), 'oai_dc:dc'), 'dc:rights')).toEqual([]);
  });
});

describe('toOaiDc: DOIs in resolver URLs', () => {
  it('percent-encodes the characters the DOI Handbook (§2.5.2.4) lists, and the oai_dc reader decodes them back', async () => {
    const { readOaiDc } = await import('../src/formats/index.js');
    const sici = '10.1002/(sici)1097-4571(199806)49:8<693::aid-asi4>3.0.co;2-0';
    const record = { ...minimalRecord(), doi: sici };
    const xml = toOaiDc(record);
    expectValid(xml);
    const url = dcValues(xml, 'identifier').map((i) => i.value).find((v) => v.startsWith('https://doi.org/'));
    expect(url).toBe('https://doi.org/10.1002/(sici)1097-4571(199806)49:8%3C693::aid-asi4%3E3.0.co;2-0');
    expect(() => new URL(url!)).not.toThrow();
    expect(readOaiDc(xml).records[0]!.doi).toBe(sici);
  });
});
