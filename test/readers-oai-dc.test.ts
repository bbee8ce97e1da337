// oai_dc reader (best effort): real responses from ../shared/testdata/oai-responses, pubmeta's own
// oai_dc for the samples, and the identifier, creator and dc:source forms repositories use.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { toOaiDc } from '../src/formats/index.js';
import { readAnyXml, readOaiDc } from '../src/formats/index.js';
import type { ArticleRecord } from '../src/model/index.js';
import { at, parseXml, sampleRecord, texts } from './formats-helpers.js';

const RESPONSES = fileURLToPath(new URL('../../shared/testdata/oai-responses/', import.meta.url));

const dc = (elements: string) => `<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/">${elements}</oai_dc:dc>`;

describe('real OAI-PMH responses', () => {
  it('arXiv GetRecord (getrecord.xml): creator, title, first description, dates, landing page', () => {
    const xml = readFileSync(RESPONSES + 'getrecord.xml', 'utf8');
    const metadata = at(parseXml(xml), 'OAI-PMH/GetRecord/record/metadata/oai_dc:dc')[0];
    const result = readAnyXml(xml);
    expect(result.format).toBe('oai_dc');
    const record = result.records[0]!;
    expect(record.title).toEqual({ und: texts(metadata, 'dc:title')[0] });
    expect(record.contributors).toEqual([{ type: 'person', family: 'Aspinwall', given: 'Paul S.', role: 'author' }]);
    expect(record.abstract!.und!.startsWith('These are notes based on lectures given at TASI99.')).toBe(true);
    expect(record.dates).toEqual({ published: { online: texts(metadata, 'dc:date')[0] } });
    expect(record.landingPage).toBe(texts(metadata, 'dc:identifier')[0]);
    const messages = result.warnings.map((w) => w.message);
    expect(messages).toContain('no dc:language: the language is undetermined ("und")');
    expect(messages).toContain('no DOI among the dc:identifier values');
    expect(messages.some((m) => m.startsWith('a further dc:description'))).toBe(true);
  });

  it('DSpace GetRecord (dspace-erasmus-listrecords/00004.xml): language, subjects, handle, dropped fields named', () => {
    const xml = readFileSync(RESPONSES + 'dspace-erasmus-listrecords/00004.xml', 'utf8');
    const metadata = at(parseXml(xml), 'OAI-PMH/GetRecord/record/metadata/oai_dc:dc')[0];
    const result = readOaiDc(xml);
    const record = result.records[0]!;
    expect(record.language).toBe(texts(metadata, 'dc:language')[0]);
    expect(record.keywords?.[record.language]).toEqual(texts(metadata, 'dc:subject').map((s) => s.replace(/\s+/g, ' ').trim()));
    expect(record.landingPage).toBe('http://hdl.handle.net/1765/315');
    const messages = result.warnings.map((w) => w.message).join('\n');
    expect(messages).toMatch(/dc:contributor "Edwards, A\.R\." dropped/);
    expect(messages).toMatch(/dc:identifier "90-9014980-5" dropped/);
  });

  it('reads every record of a ListRecords response', () => {
    const xml = readFileSync(RESPONSES + 'dspace-erasmus-listrecords/00005.xml', 'utf8');
    const expected = at(parseXml(xml), 'OAI-PMH/ListRecords/record/metadata/oai_dc:dc').length;
    expect(expected).toBeGreaterThan(0);
    expect(readOaiDc(xml).records).toHaveLength(expected);
  });
});

describe("pubmeta's own oai_dc reads back", () => {
  for (const name of ['seed-jdp-323.json', 'synthetic-edge-cases-1.json', 'synthetic-edge-cases-2.json']) {
    it(name, () => {
      const original = sampleRecord(name);
      const record = readOaiDc(toOaiDc(original)).records[0]!;
      expect(record.doi).toBe(original.doi);
      expect(record.language).toBe(original.language);
      expect(record.landingPage).toBe(original.landingPage);
      expect(record.journal.title).toBe(original.journal.title);
      expect(record.journal.publisher?.name).toBe(original.journal.publisher?.name);
      expect(record.issue?.volume).toBe(original.issue?.volume);
      expect(record.issue?.number).toBe(original.issue?.number);
      expect(record.issue?.year).toBe(original.issue?.year);
      expect(record.pages).toEqual(original.pages);
      expect(record.articleNumber).toBe(original.articleNumber);
      expect(record.license?.url).toBe(original.license?.url);
      expect(record.abstract).toEqual(original.abstract);
      expect(record.keywords).toEqual(original.keywords);
      // oai_dc joins title and subtitle; DC creators are the authors only.
      for (const [lang, title] of Object.entries(original.title)) {
        const subtitle = original.subtitle?.[lang];
        expect(record.title[lang]).toBe(subtitle ? `${title}: ${subtitle}` : title);
      }
      const authors = original.contributors.filter((c) => (c.role ?? 'author') === 'author');
      expect(record.contributors.map(nameOf)).toEqual(authors.map(nameOf));
    });
  }
});

function nameOf(c: ArticleRecord['contributors'][number]): string {
  return c.type === 'organization' ? `org:${c.name}` : `${c.family}|${c.given ?? ''}`;
}

describe('identifier, creator and source forms', () => {
  it.each([
    ['doi:10.1234/ABC.1', '10.1234/abc.1'],
    ['info:doi/10.1234/abc.2', '10.1234/abc.2'],
    ['https://dx.doi.org/10.1234/abc.3', '10.1234/abc.3'],
    ['http://doi.org/10.1234%2Fabc.4', '10.1234/abc.4'],
    ['10.1234/abc.5', '10.1234/abc.5'],
  ])('DOI from %s', (identifier, doi) => {
    const record = readOaiDc(dc(`<dc:identifier>${identifier}</dc:identifier><dc:language>en</dc:language>`)).records[0]!;
    expect(record.doi).toBe(doi);
  });

  it('creators: "Family, Given", "Family, Given, Suffix", a mononym, "Given Family", and a group', () => {
    const result = readOaiDc(
      dc('<dc:creator>Lovelace, Ada</dc:creator><dc:creator>King, Martin Luther, Jr.</dc:creator><dc:creator>Sukarno</dc:creator><dc:creator>Grace Hopper</dc:creator><dc:creator>Metadata Standards Working Group</dc:creator><dc:language>eng</dc:language>'),
    );
    expect(result.records[0]!.contributors).toEqual([
      { type: 'person', family: 'Lovelace', given: 'Ada', role: 'author' },
      { type: 'person', family: 'King', given: 'Martin Luther', suffix: 'Jr.', role: 'author' },
      { type: 'person', family: 'Sukarno', role: 'author' },
      { type: 'person', given: 'Grace', family: 'Hopper', role: 'author' },
      { type: 'organization', name: 'Metadata Standards Working Group', role: 'author' },
    ]);
    expect(result.records[0]!.language).toBe('en');
    expect(result.warnings.some((w) => w.message.includes('"Grace Hopper" is not "Family, Given"'))).toBe(true);
  });

  it.each([
    ['Jurnal Diplomasi Pertahanan; Vol 4 No 2 (2018); 117-130', { title: 'Jurnal Diplomasi Pertahanan', volume: '4', number: '2', year: 2018, pages: { first: '117', last: '130' } }],
    ['Journal of Examples, Vol. 12, No. 3 (2020), pp. 45-67', { title: 'Journal of Examples', volume: '12', number: '3', year: 2020, pages: { first: '45', last: '67' } }],
    ['Revista Ejemplo; Vol. 7 Núm. 1 (2021): Número especial; e2021001', { title: 'Revista Ejemplo', volume: '7', number: '1', year: 2021, issueTitle: 'Número especial', articleNumber: 'e2021001' }],
  ])('dc:source %s', (source, want) => {
    const record = readOaiDc(dc(`<dc:source>${source}</dc:source><dc:language>en</dc:language>`)).records[0]!;
    expect(record.journal.title).toBe(want.title);
    expect(record.issue?.volume).toBe(want.volume);
    expect(record.issue?.number).toBe(want.number);
    expect(record.issue?.year).toBe(want.year);
    if ('pages' in want) expect(record.pages).toEqual(want.pages);
    if ('articleNumber' in want) expect(record.articleNumber).toBe(want.articleNumber);
    if ('issueTitle' in want) expect(record.issue?.title).toBe(want.issueTitle);
  });

  it('an ISSN in dc:source is named and dropped: DC does not say print or electronic', () => {
    const result = readOaiDc(dc('<dc:source>2049-3630</dc:source><dc:language>en</dc:language>'));
    expect(result.records[0]!.journal.issns).toBeUndefined();
    expect(result.warnings.some((w) => w.message.includes('ISSN 2049-3630'))).toBe(true);
  });

  it('a document without oai_dc is an error', () => {
    expect(() => readOaiDc('<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><Identify/></OAI-PMH>')).toThrow(/no oai_dc:dc element/);
  });
});
