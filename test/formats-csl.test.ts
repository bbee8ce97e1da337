import { describe, expect, it } from 'vitest';
import { cslFormat, toCsl, toCslBatch, toCslItem } from '../src/formats/csl/index.js';
import { generateSyntheticRecords, loadSeedSample } from '../src/model/index.js';
import { validateJson, validateJsonText } from '../src/validate/schemas.js';
import { minimalRecord, sampleRecord } from './formats-helpers.js';

function expectValid(json: string): void {
  const result = validateJsonText(json, 'csl-data');
  expect(result.valid, JSON.stringify(result.errors)).toBe(true);
}

describe('toCsl: the seed article', () => {
  const seed = loadSeedSample();
  const json = toCsl(seed);

  it('is an array of one item that passes the official csl-data.json schema', () => {
    expectValid(json);
    expect(JSON.parse(json)).toHaveLength(1);
  });

  it('carries the article as a citation: Indonesian title, three authors, journal issue, DOI, URL, year', () => {
    expect(JSON.parse(json)[0]).toEqual({
      id: 'jdp-323',
      type: 'article-journal',
      title: seed.title.id,
      author: [
        { family: 'Akhli', given: 'Rangga Amalul' },
        { family: 'Gumilar', given: 'Nugraha' },
        { family: 'Halkis', given: 'Mhd' },
      ],
      'container-title': 'Jurnal Diplomasi Pertahanan',
      publisher: 'Universitas Pertahanan Press',
      'publisher-place': 'Jakarta',
      volume: '4',
      issue: '2',
      issued: { 'date-parts': [[2018]] },
      DOI: '10.33172/jdp.v4i2.323',
      URL: 'https://jurnalprodi.idu.ac.id/index.php/DP/article/view/323',
      abstract: seed.abstract!.id,
      keyword: 'Teori Perimbangan, Regionalisasi sektor Pertahanan, Shanghai Cooperation Organization',
      language: 'id',
    });
  });
});

describe('toCsl: edge cases', () => {
  it('keeps markup characters and Cyrillic as text, organisations as literal names, editors apart', () => {
    const edge = sampleRecord('synthetic-edge-cases-1.json');
    const json = toCsl(edge);
    expectValid(json);
    const item = JSON.parse(json)[0];
    expect(item.title).toBe(`${edge.title.en}: ${edge.subtitle!.en}`);
    expect(item.author).toEqual([
      { family: 'Carberry', given: 'Josiah' },
      { family: 'Иванова-О\'Нил', given: 'Анна' },
      { family: 'Sukarno' },
      { literal: 'The "Escaping & Encoding" Working Group' },
    ]);
    expect(item.editor).toEqual([{ family: 'Editor', given: 'Pat', suffix: 'Jr.' }]);
    expect(item).toMatchObject({
      'container-title-short': 'J. Synth. Tests Edge Cases',
      ISSN: '2049-3630, 0378-5955',
      page: 'xii-xxiv',
      'page-first': 'xii',
      issued: { 'date-parts': [[2024, 9, 15]] },
      submitted: { 'date-parts': [[2024, 1, 10]] },
      keyword: 'escaping, XML & JSON, <metadata>',
      section: 'Editorial & Methods',
    });
  });

  it('gives the article number as number when there are no pages, and the Arabic title of an Arabic article', () => {
    const edge = sampleRecord('synthetic-edge-cases-2.json');
    const item = JSON.parse(toCsl(edge))[0];
    expect(item.number).toBe('e2023007');
    expect(item.page).toBeUndefined();
    expect(item.title).toBe(edge.title.ar);
    expect(item.language).toBe('ar');
  });
});

describe('toCsl: synthetic records', () => {
  it('writes 250 synthetic records, one by one and as one batch, that pass the schema', () => {
    const records = generateSyntheticRecords(250);
    const failures = records.flatMap((r) => {
      const result = validateJsonText(toCsl(r), 'csl-data');
      return result.valid ? [] : [`${r.id}: ${JSON.stringify(result.errors)}`];
    });
    expect(failures).toEqual([]);
    const batch = toCslBatch(records);
    expectValid(batch);
    expect(JSON.parse(batch)).toHaveLength(250);
  });
});

describe('the CSL schema catches broken output', () => {
  it('rejects an unknown type, a string author and a malformed date, naming where', () => {
    const item = toCslItem(loadSeedSample());
    const badType = validateJson([{ ...item, type: 'journal-article' }], 'csl-data');
    expect(badType.valid).toBe(false);
    expect(badType.errors).toContainEqual(expect.objectContaining({ pointer: '/0/type' }));
    expect(validateJson([{ ...item, author: 'Akhli, Rangga' }], 'csl-data').valid).toBe(false);
    expect(validateJson([{ ...item, issued: { 'date-parts': [[2018, 1, 2, 3]] } }], 'csl-data').valid).toBe(false);
    expect(validateJson(item, 'csl-data').valid).toBe(false);
  });

  it('reports text that is not JSON', () => {
    const result = validateJsonText('[{"id": "x", ', 'csl-data');
    expect(result.valid).toBe(false);
    expect(result.errors[0]!.message).toMatch(/^not JSON/);
  });

  it('leaves unknown facts absent instead of writing empty values', () => {
    const item = toCslItem(minimalRecord({ issue: undefined, landingPage: undefined, journal: { title: 'J' } }));
    expect(Object.keys(item).sort()).toEqual(['DOI', 'author', 'container-title', 'id', 'language', 'title', 'type']);
  });
});

describe('cslFormat descriptor', () => {
  it('is JSON validated against csl-data, written singly or in batches', () => {
    expect(cslFormat).toMatchObject({ id: 'csl', extension: 'json', mediaType: 'application/vnd.citationstyles.csl+json', validation: { kind: 'json-schema', schemaId: 'csl-data' } });
    const seed = loadSeedSample();
    expect(cslFormat.write(seed)).toBe(toCsl(seed));
    expect(JSON.parse(toCslBatch([seed, seed]))).toHaveLength(2);
  });
});
