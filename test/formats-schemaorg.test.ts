import { parse } from 'parse5';
import { describe, expect, it } from 'vitest';
import { checkSchemaOrg, schemaorgFormat, toSchemaOrg, toSchemaOrgObject, type JsonLd } from '../src/formats/schemaorg/index.js';
import { generateSyntheticRecords, loadSeedSample } from '../src/model/index.js';
import { minimalRecord, sampleRecord } from './formats-helpers.js';

interface HtmlNode {
  nodeName: string;
  value?: string;
  childNodes?: HtmlNode[];
}

/** The text of every <script type="application/ld+json"> in an HTML page, as a browser parses it. */
function jsonLdScripts(html: string): string[] {
  const out: string[] = [];
  const walk = (node: HtmlNode): void => {
    if (node.nodeName === 'script') out.push((node.childNodes ?? []).map((c) => c.value ?? '').join(''));
    for (const child of node.childNodes ?? []) walk(child);
  };
  walk(parse(html) as unknown as HtmlNode);
  return out;
}

describe('toSchemaOrg: the seed article', () => {
  const seed = loadSeedSample();
  const json = toSchemaOrg(seed);
  const data = JSON.parse(json) as JsonLd;

  it('is a ScholarlyArticle identified by its DOI, and passes the check', () => {
    expect(checkSchemaOrg(json, seed)).toEqual([]);
    expect(data).toMatchObject({
      '@context': 'https://schema.org',
      '@type': 'ScholarlyArticle',
      '@id': 'https://doi.org/10.33172/jdp.v4i2.323',
      headline: seed.title.id,
      alternateName: [seed.title.en],
      inLanguage: 'id',
      datePublished: '2018',
      license: 'https://creativecommons.org/licenses/by/4.0/',
      url: seed.landingPage,
      keywords: seed.keywords!.id,
      abstract: seed.abstract!.id,
    });
    expect(data.identifier).toEqual([
      { '@type': 'PropertyValue', propertyID: 'DOI', value: '10.33172/jdp.v4i2.323' },
      ...(seed.otherIds ?? []).map((o) => ({ '@type': 'PropertyValue', propertyID: o.type, value: o.value })),
    ]);
  });

  it('names the authors as Persons, in order, with their affiliation', () => {
    expect((data.author as JsonLd[]).map((a) => [a['@type'], a.name, (a.affiliation as JsonLd[])[0]!.name])).toEqual([
      ['Person', 'Rangga Amalul Akhli', 'Program Studi Diplomasi Pertahanan, Universitas Pertahanan'],
      ['Person', 'Nugraha Gumilar', 'Program Studi Diplomasi Pertahanan, Universitas Pertahanan'],
      ['Person', 'Mhd Halkis', 'Program Studi Diplomasi Pertahanan, Universitas Pertahanan'],
    ]);
  });

  it('is part of issue 2 of volume 4 of the Periodical, with the publisher', () => {
    expect(data.isPartOf).toEqual({
      '@type': 'PublicationIssue',
      issueNumber: '2',
      datePublished: '2018',
      isPartOf: {
        '@type': 'PublicationVolume',
        volumeNumber: '4',
        isPartOf: {
          '@type': 'Periodical',
          name: 'Jurnal Diplomasi Pertahanan',
          url: 'http://jurnalprodi.idu.ac.id/index.php/DP',
          publisher: { '@type': 'Organization', name: 'Universitas Pertahanan Press', location: 'Jakarta' },
        },
      },
    });
  });
});

describe('toSchemaOrg: edge cases', () => {
  const edge = sampleRecord('synthetic-edge-cases-1.json');
  const json = toSchemaOrg(edge);
  const data = JSON.parse(json) as JsonLd;

  it('gives ORCID iDs as @id and sameAs, ROR ids for affiliations, and organisations as Organization', () => {
    expect(checkSchemaOrg(json, edge)).toEqual([]);
    const [carberry, ivanova, , group] = data.author as JsonLd[];
    expect(carberry).toMatchObject({ '@type': 'Person', '@id': 'https://orcid.org/0000-0002-1825-0097', sameAs: 'https://orcid.org/0000-0002-1825-0097', givenName: 'Josiah', familyName: 'Carberry' });
    expect((carberry!.affiliation as JsonLd[])[0]).toEqual({
      '@type': 'Organization', '@id': 'https://ror.org/05gq02987', name: 'Brown University, Department of Psychoceramics', sameAs: 'https://ror.org/05gq02987',
      address: { '@type': 'PostalAddress', addressCountry: 'US' },
    });
    expect(ivanova!.name).toBe("Анна Иванова-О'Нил");
    expect(group).toEqual({ '@type': 'Organization', name: 'The "Escaping & Encoding" Working Group' });
    expect(data.editor).toEqual([{ '@type': 'Person', name: 'Pat Editor Jr.', givenName: 'Pat', familyName: 'Editor' }]);
  });

  it('carries pages, ISSNs, funding grants and cited DOIs', () => {
    expect(data).toMatchObject({ pageStart: 'xii', pageEnd: 'xxiv', pagination: 'xii-xxiv', alternativeHeadline: edge.subtitle!.en });
    expect(((data.isPartOf as JsonLd).isPartOf as JsonLd).isPartOf).toMatchObject({ '@type': 'Periodical', issn: ['2049-3630', '0378-5955'] });
    expect(data.funding).toEqual([
      { '@type': 'Grant', identifier: 'ABC-1234567', funder: { '@type': 'Organization', '@id': 'https://doi.org/10.13039/100000001', name: 'National Science Foundation' } },
      { '@type': 'Grant', identifier: 'DEF-7654321', funder: { '@type': 'Organization', '@id': 'https://doi.org/10.13039/100000001', name: 'National Science Foundation' } },
    ]);
    expect((data.citation as JsonLd[])[0]).toMatchObject({ '@type': 'CreativeWork', '@id': 'https://doi.org/10.5555/12345678' });
  });

  it('escapes "<", ">" and "&" so it can sit in a <script> element, and a browser reads the same object back', () => {
    expect(json).not.toMatch(/[<>&]/);
    expect(data.headline).toBe(edge.title.en);
    const hostile = minimalRecord({ title: { en: 'Ends </script><script>alert(1)</script> and <!-- opens a comment' } });
    const page = `<!DOCTYPE html><html><head><script type="application/ld+json">${toSchemaOrg(hostile)}</script></head><body><p>after</p></body></html>`;
    const scripts = jsonLdScripts(page);
    expect(scripts).toHaveLength(1);
    expect(JSON.parse(scripts[0]!)).toEqual(toSchemaOrgObject(hostile));
  });

  it('skips the levels of isPartOf the record does not know (no issue number: volume, then periodical)', () => {
    const second = sampleRecord('synthetic-edge-cases-2.json');
    const data2 = JSON.parse(toSchemaOrg(second)) as JsonLd;
    expect((data2.isPartOf as JsonLd)['@type']).toBe('PublicationVolume');
    expect(((data2.isPartOf as JsonLd).isPartOf as JsonLd)['@type']).toBe('Periodical');
    expect(checkSchemaOrg(toSchemaOrg(second), second)).toEqual([]);
    const bare = minimalRecord({ issue: undefined, dates: { published: { online: '2024' } } });
    expect((JSON.parse(toSchemaOrg(bare)) as JsonLd).isPartOf).toMatchObject({ '@type': 'Periodical', name: bare.journal.title });
  });

  it('passes the check for 250 synthetic records', () => {
    const failures = generateSyntheticRecords(250).flatMap((r) => checkSchemaOrg(toSchemaOrg(r), r).map((p) => `${r.id}: ${p}`));
    expect(failures).toEqual([]);
  });
});

describe('checkSchemaOrg catches broken output', () => {
  const edge = sampleRecord('synthetic-edge-cases-1.json');
  const object = toSchemaOrgObject(edge);
  const reserialise = (change: (o: JsonLd) => void): string => {
    const copy = JSON.parse(JSON.stringify(object)) as JsonLd;
    change(copy);
    return JSON.stringify(copy).replace(/</g, '\\u003c').replace(/>/g, '\\u003e');
  };

  it('text that is not JSON, or JSON with a raw "</script>"', () => {
    expect(checkSchemaOrg(toSchemaOrg(edge).slice(0, -3), edge)[0]).toMatch(/^not JSON/);
    expect(checkSchemaOrg(JSON.stringify(object), edge)).toContainEqual(expect.stringMatching(/cannot be embedded in a <script>/));
  });

  it('a wrong type, a lost DOI, headline or author, an ORCID iD missing', () => {
    expect(checkSchemaOrg(reserialise((o) => { o['@type'] = 'Article'; }), edge)).toContainEqual(expect.stringMatching(/^@type/));
    expect(checkSchemaOrg(reserialise((o) => { o.identifier = []; }), edge)).toContainEqual(expect.stringMatching(/no DOI PropertyValue/));
    expect(checkSchemaOrg(reserialise((o) => { o.headline = 'Salt  Pepper'; }), edge)).toContainEqual(expect.stringMatching(/^headline/));
    expect(checkSchemaOrg(reserialise((o) => { (o.author as JsonLd[]).pop(); }), edge)).toContainEqual(expect.stringMatching(/author has 3 entries; the record has 4/));
    expect(checkSchemaOrg(reserialise((o) => { delete (o.author as JsonLd[])[0]!['@id']; }), edge)).toContainEqual(expect.stringMatching(/ORCID/));
    expect(checkSchemaOrg(reserialise((o) => { (o.author as JsonLd[])[1]!['@type'] = 'Thing'; }), edge)).toContainEqual(expect.stringMatching(/author\[1\] @type/));
  });

  it('a date not in ISO 8601, and an isPartOf chain out of order', () => {
    expect(checkSchemaOrg(reserialise((o) => { o.datePublished = '15/09/2024'; }), edge)).toContainEqual('datePublished is not an ISO 8601 date');
    const outOfOrder = reserialise((o) => {
      const issue = o.isPartOf as JsonLd;
      o.isPartOf = { '@type': 'PublicationVolume', volumeNumber: '12', isPartOf: { ...issue, isPartOf: (issue.isPartOf as JsonLd).isPartOf as JsonLd } };
    });
    expect(checkSchemaOrg(outOfOrder, edge)).toContainEqual(expect.stringMatching(/isPartOf holds a PublicationIssue where Periodical belongs/));
  });
});

describe('schemaorgFormat descriptor', () => {
  it('is JSON-LD checked by parsing it back', () => {
    expect(schemaorgFormat).toMatchObject({ id: 'schemaorg', extension: 'jsonld', mediaType: 'application/ld+json' });
    const seed = loadSeedSample();
    const check = schemaorgFormat.validation.kind === 'round-trip' ? schemaorgFormat.validation.check : undefined;
    expect(check!(schemaorgFormat.write(seed), seed)).toEqual([]);
  });
});
