import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dataciteFormat, readDataCite, toDataCite } from '../src/formats/datacite/index.js';
import { ExportError } from '../src/formats/errors.js';
import { paragraphs } from '../src/formats/common.js';
import { ReaderError } from '../src/formats/readers/index.js';
import { generateSyntheticRecords, loadSeedSample, validateArticle, type ArticleRecord } from '../src/model/index.js';
import { schemaUrlMap } from '../src/validate/resolver.js';
import { formatXmlErrors, validateXml } from '../src/validate/index.js';
import { at, attr, minimalRecord, one, parseXml, sampleRecord, text, texts, type XNode } from './formats-helpers.js';

const EXAMPLES_DIR = new URL('../../shared/testdata/datacite-examples/', import.meta.url);
const example = (name: string): string => readFileSync(new URL(name, EXAMPLES_DIR), 'utf8');

function expectValid(xml: string): void {
  const result = validateXml(xml, 'datacite-4.7');
  expect(result.valid, formatXmlErrors(result.errors)).toBe(true);
}

function resource(xml: string): XNode {
  return one(parseXml(xml), 'resource');
}

describe('toDataCite: the seed article', () => {
  const seed = loadSeedSample();
  const xml = toDataCite(seed);
  const root = resource(xml);

  it('passes the official DataCite 4.7 XSD and names kernel-4', () => {
    expectValid(xml);
    expect(attr(root, 'xmlns')).toBe('http://datacite.org/schema/kernel-4');
    expect(attr(root, 'xsi:schemaLocation')).toBe('http://datacite.org/schema/kernel-4 https://schema.datacite.org/meta/kernel-4/metadata.xsd');
  });

  it('carries the mandatory properties (DataCite 4.7 §1-5, §10)', () => {
    const identifier = one(root, 'identifier');
    expect([text(identifier), attr(identifier, 'identifierType')]).toEqual(['10.33172/jdp.v4i2.323', 'DOI']);
    expect(texts(root, 'creators/creator/creatorName')).toEqual(['Akhli, Rangga Amalul', 'Gumilar, Nugraha', 'Halkis, Mhd']);
    expect(texts(root, 'creators/creator/givenName')).toEqual(['Rangga Amalul', 'Nugraha', 'Mhd']);
    expect(texts(root, 'publisher')).toEqual(['Universitas Pertahanan Press']);
    expect(texts(root, 'publicationYear')).toEqual(['2018']);
    expect(attr(one(root, 'resourceType'), 'resourceTypeGeneral')).toBe('JournalArticle');
  });

  it('gives the Indonesian title untyped and the English one as TranslatedTitle', () => {
    const titles = at(root, 'titles/title').map((t) => [text(t), attr(t, 'xml:lang'), attr(t, 'titleType')]);
    expect(titles).toEqual([
      [seed.title.id, 'id', undefined],
      [seed.title.en, 'en', 'TranslatedTitle'],
    ]);
  });

  it('says the 2018 it knows is the issue\'s date, not an article date', () => {
    const dates = at(root, 'dates/date').map((d) => [text(d), attr(d, 'dateType'), attr(d, 'dateInformation')]);
    expect(dates).toEqual([['2018', 'Issued', 'Date of the journal issue']]);
  });

  it('names the journal issue as a relatedItem (IsPublishedIn Journal) and the licence with its SPDX id', () => {
    const item = one(root, 'relatedItems/relatedItem');
    expect([attr(item, 'relatedItemType'), attr(item, 'relationType')]).toEqual(['Journal', 'IsPublishedIn']);
    expect(texts(item, 'titles/title')).toEqual(['Jurnal Diplomasi Pertahanan']);
    expect([texts(item, 'volume'), texts(item, 'issue')]).toEqual([['4'], ['2']]);
    const rights = one(root, 'rightsList/rights');
    expect(attr(rights, 'rightsURI')).toBe('https://creativecommons.org/licenses/by/4.0/');
    expect(attr(rights, 'rightsIdentifier')).toBe('CC-BY-4.0');
    expect(text(rights)).toBe('Creative Commons Attribution 4.0 International');
  });

  it('has an abstract per language and the keywords as subjects', () => {
    expect(at(root, 'descriptions/description').map((d) => [attr(d, 'xml:lang'), attr(d, 'descriptionType')])).toEqual([
      ['id', 'Abstract'],
      ['en', 'Abstract'],
    ]);
    expect(at(root, 'subjects/subject').filter((s) => attr(s, 'xml:lang') === 'en').map(text)).toEqual(seed.keywords!.en);
  });
});

describe('toDataCite: edge cases', () => {
  const edge = sampleRecord('synthetic-edge-cases-1.json');
  const xml = toDataCite(edge);
  const root = resource(xml);

  it('passes the XSD with markup characters, quotes and Cyrillic in every kind of field', () => {
    expectValid(xml);
    expect(texts(root, 'titles/title')[0]).toBe(edge.title.en);
    expect(texts(root, 'publisher')).toEqual([edge.journal.publisher!.name]);
    expect(at(root, 'creators/creator/affiliation').map(text)).toContain('Институт «Смирнов & Ко» <Лаборатория>');
  });

  it('keeps ORCID iDs, ROR affiliations, organisation authors and editors', () => {
    const carberry = at(root, 'creators/creator')[0]!;
    expect(text(one(carberry, 'nameIdentifier'))).toBe('https://orcid.org/0000-0002-1825-0097');
    expect(attr(one(carberry, 'nameIdentifier'), 'nameIdentifierScheme')).toBe('ORCID');
    expect(attr(one(carberry, 'affiliation'), 'affiliationIdentifier')).toBe('https://ror.org/05gq02987');
    const group = at(root, 'creators/creator')[3]!;
    expect(attr(one(group, 'creatorName'), 'nameType')).toBe('Organizational');
    expect(at(root, 'contributors/contributor').map((c) => attr(c, 'contributorType'))).toEqual(['Editor']);
  });

  it('gives one fundingReference per award and the print and electronic ISSNs', () => {
    expect(texts(root, 'fundingReferences/fundingReference/awardNumber')).toEqual(['ABC-1234567', 'DEF-7654321']);
    expect(texts(root, 'fundingReferences/fundingReference/funderIdentifier')[0]).toBe('https://doi.org/10.13039/100000001');
    const related = at(root, 'relatedIdentifiers/relatedIdentifier').map((r) => [attr(r, 'relatedIdentifierType'), attr(r, 'relationType'), text(r)]);
    expect(related).toContainEqual(['EISSN', 'IsPublishedIn', '2049-3630']);
    expect(related).toContainEqual(['ISSN', 'IsPublishedIn', '0378-5955']);
    expect(related).toContainEqual(['DOI', 'References', '10.5555/12345678']);
  });

  it('separates abstract paragraphs with <br/>', () => {
    expect(xml).toContain('survive metadata conversion.<br/>A second paragraph');
  });

  it('passes the XSD for the Arabic-first sample with an article number and a ROR funder', () => {
    const second = toDataCite(sampleRecord('synthetic-edge-cases-2.json'));
    expectValid(second);
    const item = one(resource(second), 'relatedItems/relatedItem');
    expect(text(one(item, 'number'))).toBe('e2023007');
    expect(attr(one(item, 'number'), 'numberType')).toBe('Article');
    const funder = at(resource(second), 'fundingReferences/fundingReference/funderIdentifier')[0]!;
    expect([attr(funder, 'funderIdentifierType'), text(funder)]).toEqual(['ROR', 'https://ror.org/0472cxd90']);
  });
});

describe('toDataCite: synthetic records', () => {
  it('writes 250 synthetic records that all pass the official XSD', () => {
    const failures: string[] = [];
    for (const record of generateSyntheticRecords(250)) {
      const result = validateXml(toDataCite(record), 'datacite-4.7');
      if (!result.valid) failures.push(`${record.id}: ${formatXmlErrors(result.errors)}`);
    }
    expect(failures).toEqual([]);
  });
});

describe('toDataCite: what it refuses and what the XSD catches', () => {
  it('throws ExportError naming the record, field and format when the publisher is unknown', () => {
    const record = minimalRecord({ id: 'no-publisher', journal: { title: 'J' } });
    const error = catchError(() => toDataCite(record));
    expect(error).toBeInstanceOf(ExportError);
    expect(error).toMatchObject({ recordId: 'no-publisher', field: 'journal.publisher.name', format: 'datacite' });
    expect((error as Error).message).toMatch(/^no-publisher: DataCite needs a publisher/);
  });

  it('throws when no publication year is known and when there is no author', () => {
    expect(catchError(() => toDataCite(minimalRecord({ issue: { volume: '1' } })))).toMatchObject({ field: 'dates.published', format: 'datacite' });
    const editorsOnly = minimalRecord({ contributors: [{ given: 'Ed', family: 'Itor', role: 'editor' }] });
    expect(catchError(() => toDataCite(editorsOnly))).toMatchObject({ field: 'contributors', format: 'datacite' });
  });

  it('the XSD rejects a broken output: a missing publicationYear or an unknown resourceTypeGeneral', () => {
    const xml = toDataCite(loadSeedSample());
    const noYear = validateXml(xml.replace(/\s*<publicationYear>2018<\/publicationYear>/, ''), 'datacite-4.7');
    expect(noYear.valid).toBe(false);
    expect(formatXmlErrors(noYear.errors)).toMatch(/publicationYear/);
    const badType = validateXml(xml.replace('resourceTypeGeneral="JournalArticle"', 'resourceTypeGeneral="Article"'), 'datacite-4.7');
    expect(badType.valid).toBe(false);
    expect(formatXmlErrors(badType.errors)).toMatch(/resourceTypeGeneral/);
  });

  it('drops characters XML cannot carry instead of writing an unparseable file', () => {
    const record = minimalRecord({ title: { en: 'Bell\u0007 and form feed\u000c in a title' } });
    const xml = toDataCite(record);
    expectValid(xml);
    expect(texts(resource(xml), 'titles/title')).toEqual(['Bell and form feed in a title']);
  });

  it('escapes attribute values so quotes, tabs, line breaks and markup characters read back exactly', () => {
    const type = 'local "id"\tof <Smith & Co>\nline two';
    const record = minimalRecord({ otherIds: [{ type, value: 'v&1' }] });
    const xml = toDataCite(record);
    expectValid(xml);
    expect(xml).toContain('alternateIdentifierType="local &quot;id&quot;&#9;of &lt;Smith &amp; Co&gt;&#10;line two"');
    expect(readDataCite(xml).records[0]!.otherIds).toEqual([{ type, value: 'v&1' }]);
  });

  it('dates the article by medium: online as Issued, print as Other "Published in print"', () => {
    const both = minimalRecord({ dates: { published: { online: '2024-03-01', print: '2024-06' } } });
    const dates = at(resource(toDataCite(both)), 'dates/date').map((d) => [attr(d, 'dateType'), text(d), attr(d, 'dateInformation')]);
    expect(dates).toEqual([
      ['Issued', '2024-03-01', undefined],
      ['Other', '2024-06', 'Published in print'],
    ]);
    const printOnly = minimalRecord({ dates: { published: { print: '2024-06' } } });
    expect(at(resource(toDataCite(printOnly)), 'dates/date').map((d) => [attr(d, 'dateType'), attr(d, 'dateInformation')])).toEqual([['Issued', 'Published in print']]);
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('readDataCite: DataCite\'s own examples', () => {
  const names = readdirSync(EXAMPLES_DIR).filter((n) => n.endsWith('.xml')).sort();

  it('has all eight examples, each valid against the 4.7 XSD', () => {
    expect(names).toHaveLength(8);
    for (const name of names) expectValid(example(name));
  });

  it('reads the journal article example: DOI, creator with ORCID and ROR, journal issue and pages', () => {
    const { records, warnings } = readDataCite(example('datacite-example-relateditem1-v4.xml'));
    expect(records).toHaveLength(1);
    const record = records[0]!;
    expect(validateArticle(record).ok).toBe(true);
    expect(record).toMatchObject({
      doi: '10.82433/q54d-pf76',
      language: 'en',
      title: { en: 'Example Article Title' },
      contributors: [{ type: 'person', family: 'Garcia', given: 'Sofia', orcid: '0000-0001-5727-2427', affiliations: [{ name: 'Arizona State University', ror: 'https://ror.org/03efmqc40' }] }],
      journal: { title: 'Journal of Metadata Examples', publisher: { name: 'Example Publisher' } },
      issue: { volume: '3', number: '4', year: 2022 },
      pages: { first: '20', last: '35' },
      dates: { published: { online: '2022' } },
    });
    // 1234-5678 is the example's placeholder ISSN: its check digit is wrong, so the record does not take it.
    expect(record.journal.issns).toBeUndefined();
    expect(warnings.map((w) => w.message)).toEqual(expect.arrayContaining([
      expect.stringMatching(/ISSN "1234-5678" dropped: its check digit is wrong/),
      expect.stringMatching(/no <language>/),
    ]));
  });

  const refusals: [string, RegExp][] = [
    ['datacite-example-affiliation-v4.xml', /^10\.5072\/example-full: resourceTypeGeneral "Software" is not a journal article/],
    ['datacite-example-dataset-v4.xml', /resourceTypeGeneral "Dataset" is not a journal article/],
    ['datacite-example-full-v4.xml', /resourceTypeGeneral "Dataset" is not a journal article/],
    ['datacite-example-fundingReference-v4.xml', /resourceTypeGeneral "Dataset" is not a journal article/],
    ['datacite-example-complicated-v4.xml', /^10\.5072\/testpub: no journal/],
    ['datacite-example-multilingual-v4.xml', /no journal: an article record needs the journal it was published in/],
    ['datacite-example-translation-translated-v4.xml', /no journal/],
  ];
  for (const [name, reason] of refusals) {
    it(`refuses ${name} with the reason`, () => {
      const error = catchError(() => readDataCite(example(name)));
      expect(error).toBeInstanceOf(ReaderError);
      expect((error as Error).message).toMatch(reason);
    });
  }

  it('reads a text resource given a journal, and warns about what it could not place', () => {
    // The multilingual example (a BookChapter) with a journal added: it reads, with its three languages.
    const xml = example('datacite-example-multilingual-v4.xml').replace('</resource>', `
      <relatedItems><relatedItem relatedItemType="Journal" relationType="IsPublishedIn"><titles><title>Chemistry Letters</title></titles></relatedItem></relatedItems>
    </resource>`);
    const { records, warnings } = readDataCite(xml);
    const record = records[0]!;
    expect(validateArticle(record).ok).toBe(true);
    expect(record.title).toEqual({ en: 'Advances in Chemistry', es: 'Avances en Química', zh: '化学进展' });
    expect(record.keywords).toEqual({ en: ['Chemistry'], es: ['Químicas'], zh: ['化学'] });
    expect(Object.keys(record.abstract!)).toEqual(['en', 'es', 'zh']);
    expect(record.contributors).toEqual([
      { type: 'person', family: 'Zou', given: 'Jing', orcid: '0000-0002-4553-2743', role: 'author' },
      { type: 'organization', name: 'DataCite', role: 'author' },
    ]);
    expect(record.license).toEqual({ url: 'https://creativecommons.org/licenses/by/4.0/' });
    const messages = warnings.map((w) => w.message).join('\n');
    expect(messages).toMatch(/resourceTypeGeneral "BookChapter" read as a journal article/);
    expect(messages).toMatch(/name identifier "https:\/\/ror.org\/04wxnsj81" \(ROR\) dropped/);
    expect(messages).toMatch(/related identifier arXiv "arXiv:0706.0001" \(IsPartOf\) dropped/);
    expect(messages).toMatch(/date 2024-01-01 \(Available\) dropped/);
  });

  it('refuses documents that are not DataCite, and identifiers that are not DOIs', () => {
    expect(() => readDataCite('<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"/>')).toThrow(/no DataCite <resource>.*root is <oai_dc:dc>/);
    const handle = example('datacite-example-relateditem1-v4.xml').replace('identifierType="DOI">10.82433/Q54D-PF76', 'identifierType="Handle">20.500.12345/1');
    expect(() => readDataCite(handle)).toThrow(/identifier is of type "Handle", not a DOI/);
    expect(() => readDataCite('<resource xmlns="http://datacite.org/schema/kernel-4"><identifier')).toThrow(ReaderError);
  });

  it('reads every resource in a wrapper and reports the ones that cannot be articles', () => {
    const strip = (xml: string) => xml.replace(/^\uFEFF?<\?xml[^>]*>\s*/, '').replace(/<!--[\s\S]*?-->/g, '');
    const wrapper = `<records>${strip(example('datacite-example-relateditem1-v4.xml'))}${strip(example('datacite-example-dataset-v4.xml'))}</records>`;
    const { records, warnings } = readDataCite(wrapper);
    expect(records.map((r) => r.doi)).toEqual(['10.82433/q54d-pf76']);
    expect(warnings.map((w) => w.message)).toContainEqual(expect.stringMatching(/record not read: 10.82433\/9184-DY35: resourceTypeGeneral "Dataset"/));
  });
});

/** What DataCite carries of a record, as the writer puts it and the reader should give it back. */
function carried(record: ArticleRecord): unknown {
  return {
    doi: record.doi,
    language: record.language,
    title: record.title,
    subtitle: record.subtitle,
    abstract: Object.fromEntries(Object.entries(record.abstract ?? {}).map(([lang, text]) => [lang, paragraphs(text).join('\n\n')])),
    keywords: record.keywords,
    authors: record.contributors.filter((c) => (c.role ?? 'author') === 'author').map((c) => ({
      name: c.name, family: c.family, given: c.given, orcid: c.orcid,
      affiliations: c.affiliations?.map((a) => ({ name: a.name, ror: a.ror })),
    })),
    editors: record.contributors.filter((c) => c.role === 'editor' || c.role === 'translator').map((c) => [c.role, c.family]),
    journal: { title: record.journal.title, issns: [...(record.journal.issns ?? [])].sort((a, b) => a.value.localeCompare(b.value)), publisher: record.journal.publisher?.name },
    volume: record.issue?.volume,
    number: record.issue?.number,
    pages: record.pages,
    articleNumber: record.articleNumber,
    landingPage: record.landingPage,
    license: record.license?.url,
    funding: record.funding?.map((f) => ({ funderName: f.funderName, funderId: f.funderId, awardIds: f.awardIds })),
    received: record.dates?.received,
    accepted: record.dates?.accepted,
    published: record.dates?.published,
    referenceDois: [...new Set(record.references?.flatMap((r) => (r.doi ? [r.doi] : [])))],
  };
}

describe('toDataCite then readDataCite', () => {
  it('gives back what DataCite carries, for the samples and 200 synthetic records, as valid records', () => {
    const records = [loadSeedSample(), sampleRecord('synthetic-edge-cases-1.json'), sampleRecord('synthetic-edge-cases-2.json'), ...generateSyntheticRecords(200, 7)];
    for (const record of records) {
      const back = readDataCite(toDataCite(record)).records;
      expect(back).toHaveLength(1);
      const validation = validateArticle(back[0]);
      expect(validation.ok, `${record.id}: ${JSON.stringify(validation.ok ? [] : validation.errors)}`).toBe(true);
      expect(carried(back[0]!), String(record.id)).toEqual(carried(record));
    }
  });

  it('gives back online and print dates by medium', () => {
    const both = minimalRecord({ dates: { published: { online: '2024-03-01', print: '2024-06' }, received: '2023-11', revised: '2024-01-15' } });
    expect(readDataCite(toDataCite(both)).records[0]!.dates).toEqual(both.dates);
    const printOnly = minimalRecord({ dates: { published: { print: '2024-06' } } });
    expect(readDataCite(toDataCite(printOnly)).records[0]!.dates).toEqual({ published: { print: '2024-06' } });
  });
});

describe('dataciteFormat descriptor', () => {
  it('describes the format, validates with the registered XSD and detects kernel-4 roots', () => {
    expect(dataciteFormat).toMatchObject({ id: 'datacite', extension: 'xml', validation: { kind: 'xsd', schemaId: 'datacite-4.7' } });
    expect(dataciteFormat.detect!({ name: 'resource', namespace: 'http://datacite.org/schema/kernel-4' })).toBe(true);
    expect(dataciteFormat.detect!({ name: 'resource', namespace: 'http://namespace.openaire.eu/schema/oaire/' })).toBe(false);
    const seed = loadSeedSample();
    expect(dataciteFormat.write(seed)).toBe(toDataCite(seed));
    expect(dataciteFormat.read!(toDataCite(seed)).records[0]!.doi).toBe(seed.doi);
  });

  it('maps the unversioned kernel-4 schema URLs DataCite documents name to the local 4.7 files', () => {
    const map = schemaUrlMap();
    expect(map.get('https://schema.datacite.org/meta/kernel-4/metadata.xsd')).toBe('datacite/kernel-4.7/metadata.xsd');
    expect(map.get('http://schema.datacite.org/meta/kernel-4/include/datacite-titleType-v4.xsd')).toBe('datacite/kernel-4.7/include/datacite-titleType-v4.xsd');
  });
});
