import { describe, expect, it } from 'vitest';
import { ExportError, toCrossref, nextCrossrefTimestamp, type CrossrefHeadOptions } from '../src/formats/index.js';
import { loadSeedSample } from '../src/model/index.js';
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

const head: CrossrefHeadOptions = {
  depositor: { name: 'Universitas Pertahanan Press', email: 'deposits@example.org' },
  registrant: 'Universitas Pertahanan',
};

function expectValid(xml: string): void {
  const result = validateXml(xml, 'crossref-5.3.1');
  expect(result.valid, formatXmlErrors(result.errors)).toBe(true);
}

describe('toCrossref: the seed article (issue 2 acceptance)', () => {
  const seed = loadSeedSample();
  const xml = toCrossref([seed], head);
  const doc = parseXml(xml);
  const article = one(doc, 'doi_batch/body/journal/journal_article');

  it('validates against crossref5.3.1.xsd', () => expectValid(xml));

  it('declares the 5.3.1 namespace, the jats/ai/fr prefixes and the schema location', () => {
    const root = one(doc, 'doi_batch');
    expect(attr(root, 'xmlns')).toBe('http://www.crossref.org/schema/5.3.1');
    expect(attr(root, 'version')).toBe('5.3.1');
    expect(attr(root, 'xmlns:jats')).toBe('http://www.ncbi.nlm.nih.gov/JATS1');
    expect(attr(root, 'xmlns:ai')).toBe('http://www.crossref.org/AccessIndicators.xsd');
    expect(attr(root, 'xmlns:fr')).toBe('http://www.crossref.org/fundref.xsd');
    expect(attr(root, 'xsi:schemaLocation')).toMatch(/^http:\/\/www\.crossref\.org\/schema\/5\.3\.1 \S+crossref5\.3\.1\.xsd$/);
  });

  it('carries the DOI and the landing page in doi_data', () => {
    expect(texts(article, 'doi_data/doi')).toEqual(['10.33172/jdp.v4i2.323']);
    expect(texts(article, 'doi_data/resource')).toEqual(['https://jurnalprodi.idu.ac.id/index.php/DP/article/view/323']);
  });

  it('lists the three authors in seed order, first then additional', () => {
    // Order as printed in ../shared/seed/NOTES.md: Rangga Amalul Akhli; Nugraha Gumilar; Mhd Halkis.
    const people = at(article, 'contributors/person_name');
    expect(people.map((p) => `${text(one(p, 'given_name'))} ${text(one(p, 'surname'))}`)).toEqual([
      'Rangga Amalul Akhli',
      'Nugraha Gumilar',
      'Mhd Halkis',
    ]);
    expect(people.map((p) => attr(p, 'sequence'))).toEqual(['first', 'additional', 'additional']);
    expect(people.map((p) => attr(p, 'contributor_role'))).toEqual(['author', 'author', 'author']);
    for (const person of people) {
      expect(texts(person, 'affiliations/institution/institution_name')).toEqual([
        'Program Studi Diplomasi Pertahanan, Universitas Pertahanan',
      ]);
    }
  });

  it('has jats:abstract in id and en, primary language first, with jats:p paragraphs', () => {
    const abstracts = at(article, 'jats:abstract');
    expect(abstracts.map((a) => attr(a, 'xml:lang'))).toEqual(['id', 'en']);
    expect(text(at(abstracts[0], 'jats:p')[0])).toMatch(/^Tulisan ini berusaha memahami/);
    expect(text(at(abstracts[1], 'jats:p')[0])).toMatch(/^This article aims to understand/);
  });

  it('has one citation per reference printed in the seed, each with its unstructured text', () => {
    const printed = seedReferencesAsPrinted();
    const citations = at(article, 'citation_list/citation');
    expect(citations).toHaveLength(printed.length);
    expect(citations.map((c) => text(one(c, 'unstructured_citation')))).toEqual(printed);
    const keys = citations.map((c) => attr(c, 'key'));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('puts the Indonesian title first and the English title in its own titles element', () => {
    expect(at(article, 'titles').map((t) => text(one(t, 'title')))).toEqual([
      'Pola Perimbangan dan Regionalisasi Sektor Pertahanan di Shanghai Cooperation Organization',
      'Understanding the Pattern of Balancing and Defense Regionalization in Shanghai Cooperation Organization',
    ]);
    expect(attr(article, 'language')).toBe('id');
    expect(attr(article, 'publication_type')).toBe('full_text');
  });

  it('writes only the known date parts (year 2018) and volume 4 issue 2', () => {
    const issue = one(doc, 'doi_batch/body/journal/journal_issue');
    expect(texts(issue, 'journal_volume/volume')).toEqual(['4']);
    expect(texts(issue, 'issue')).toEqual(['2']);
    const date = one(article, 'publication_date');
    expect(texts(date, 'year')).toEqual(['2018']);
    expect(at(date, 'month')).toHaveLength(0);
    expect(at(date, 'day')).toHaveLength(0);
    // Nothing the seed does not know: no pages, ISSN or ORCID.
    expect(at(article, 'pages')).toHaveLength(0);
    expect(at(doc, 'doi_batch/body/journal/journal_metadata/issn')).toHaveLength(0);
    expect(at(article, 'contributors/person_name/ORCID')).toHaveLength(0);
  });

  it('states the CC BY licence for the version of record', () => {
    const licence = one(article, 'ai:program/ai:license_ref');
    expect(text(licence)).toBe('https://creativecommons.org/licenses/by/4.0/');
    expect(attr(licence, 'applies_to')).toBe('vor');
  });

  it('writes the head from the options', () => {
    const h = one(doc, 'doi_batch/head');
    expect(texts(h, 'depositor/depositor_name')).toEqual(['Universitas Pertahanan Press']);
    expect(texts(h, 'depositor/email_address')).toEqual(['deposits@example.org']);
    expect(texts(h, 'registrant')).toEqual(['Universitas Pertahanan']);
    expect(text(one(h, 'doi_batch_id')).length).toBeGreaterThanOrEqual(4);
    expect(text(one(h, 'timestamp'))).toMatch(/^\d+$/);
  });
});

describe('toCrossref: edge-case samples', () => {
  const one1 = sampleRecord('synthetic-edge-cases-1.json');
  const two = sampleRecord('synthetic-edge-cases-2.json');

  it('validates with ORCIDs, RORs, roman pages, an article number, funding and galleys', () => {
    expectValid(toCrossref([one1], head));
    expectValid(toCrossref([two], head));
  });

  it('escapes &, <, > and quotes and keeps Cyrillic and Arabic text intact', () => {
    const doc = parseXml(toCrossref([one1, two], head));
    const titles = at(doc, 'doi_batch/body/journal/journal_article/titles/title').map(text);
    expect(titles).toContain(one1.title.en);
    expect(titles).toContain(one1.title.ru);
    expect(titles).toContain(two.title.ar);
    const organizations = at(doc, 'doi_batch/body/journal/journal_article/contributors/organization').map(text);
    expect(organizations).toEqual(['The "Escaping & Encoding" Working Group']);
    const raw = toCrossref([one1], head);
    expect(raw).toContain('Salt &amp; Pepper: When &lt;b&gt; Isn');
    expect(raw).not.toContain('<b> Isn');
  });

  it('uses https://orcid.org/ ORCIDs and ROR institution ids', () => {
    const article = one(parseXml(toCrossref([one1], head)), 'doi_batch/body/journal/journal_article');
    const first = at(article, 'contributors/person_name')[0];
    expect(texts(first, 'ORCID')).toEqual(['https://orcid.org/0000-0002-1825-0097']);
    expect(at(first, 'affiliations/institution/institution_id').map((i) => [attr(i, 'type'), text(i)])).toEqual([
      ['ror', 'https://ror.org/05gq02987'],
    ]);
    // The family-name-only author has a surname and no given_name; the group author is an organization.
    const sukarno = at(article, 'contributors/person_name').find((p) => text(one(p, 'surname')) === 'Sukarno');
    expect(at(sukarno, 'given_name')).toHaveLength(0);
    const editor = at(article, 'contributors/person_name').find((p) => attr(p, 'contributor_role') === 'editor');
    expect(attr(editor, 'sequence')).toBe('first');
  });

  it('writes pages for page ranges and publisher_item for article numbers', () => {
    const a1 = one(parseXml(toCrossref([one1], head)), 'doi_batch/body/journal/journal_article');
    expect(texts(a1, 'pages/first_page')).toEqual(['xii']);
    expect(texts(a1, 'pages/last_page')).toEqual(['xxiv']);
    const a2 = one(parseXml(toCrossref([two], head)), 'doi_batch/body/journal/journal_article');
    expect(at(a2, 'pages')).toHaveLength(0);
    const item = one(a2, 'publisher_item/item_number');
    expect(text(item)).toBe('e2023007');
    expect(attr(item, 'item_number_type')).toBe('article_number');
  });

  it('adds Similarity Check and text-mining collections for the PDF galley', () => {
    const a1 = one(parseXml(toCrossref([one1], head)), 'doi_batch/body/journal/journal_article');
    const collections = at(a1, 'doi_data/collection');
    const crawler = collections.find((c) => attr(c, 'property') === 'crawler-based');
    expect(attr(one(crawler, 'item'), 'crawler')).toBe('iParadigms');
    expect(texts(crawler, 'item/resource')).toEqual(['https://journal.example.org/jste/article/download/1/pdf']);
    const mining = collections.find((c) => attr(c, 'property') === 'text-mining');
    const resources = at(mining, 'item/resource');
    expect(resources.map((r) => attr(r, 'mime_type'))).toContain('application/pdf');
  });

  it('writes funding as fr:program fundgroups with identifiers nested in funder_name', () => {
    const a1 = one(parseXml(toCrossref([one1], head)), 'doi_batch/body/journal/journal_article');
    const group = one(a1, 'fr:program/fr:assertion');
    expect(attr(group, 'name')).toBe('fundgroup');
    const assertions = at(group, 'fr:assertion');
    const funder = assertions.find((a) => attr(a, 'name') === 'funder_name');
    expect(text(funder)).toBe('National Science Foundation');
    expect(texts(funder, 'fr:assertion')).toEqual(['https://doi.org/10.13039/100000001']);
    expect(assertions.filter((a) => attr(a, 'name') === 'award_number').map(text)).toEqual(['ABC-1234567', 'DEF-7654321']);
  });

  it('writes structured citation fields where known, with the DOI', () => {
    const a1 = one(parseXml(toCrossref([one1], head)), 'doi_batch/body/journal/journal_article');
    const [ref1, , ref3, ref4] = at(a1, 'citation_list/citation');
    expect(texts(ref1, 'journal_title')).toEqual(['Journal of Psychoceramics']);
    expect(texts(ref1, 'author')).toEqual(['Carberry']);
    expect(texts(ref1, 'cYear')).toEqual(['2008']);
    expect(texts(ref1, 'first_page')).toEqual(['1']);
    expect(texts(ref1, 'doi')).toEqual(['10.5555/12345678']);
    expect(texts(ref3, 'volume_title')).toEqual(['Теория экранирования']);
    expect(texts(ref4, 'doi')).toEqual(['10.5555/example.only.doi']);
  });
});

describe('toCrossref: batches', () => {
  it('groups several articles by journal and issue, in first-appearance order', () => {
    const a = minimalRecord({ doi: '10.5555/group.a' });
    const b = minimalRecord({ doi: '10.5555/group.b', issue: { volume: '1', number: '2', year: 2024 } });
    const c = minimalRecord({ doi: '10.5555/group.c' });
    const d = minimalRecord({
      doi: '10.5555/group.d',
      journal: { title: 'Another Journal', issns: [{ value: '0378-5955', media: 'print' }] },
    });
    const xml = toCrossref([a, b, c, d], head);
    expectValid(xml);
    const journals = at(parseXml(xml), 'doi_batch/body/journal');
    expect(journals).toHaveLength(3);
    expect(journals.map((j) => texts(j, 'journal_article/doi_data/doi'))).toEqual([
      ['10.5555/group.a', '10.5555/group.c'],
      ['10.5555/group.b'],
      ['10.5555/group.d'],
    ]);
    expect(journals.map((j) => texts(j, 'journal_issue/issue'))).toEqual([['1'], ['2'], ['1']]);
    expect(texts(journals[2], 'journal_metadata/full_title')).toEqual(['Another Journal']);
  });

  it("puts issue 1 of different years in different journal_issue elements, each with its own year", () => {
    // A journal numbered by issue alone restarts at 1 every year (no volume): same number, different issues.
    const early = minimalRecord({ doi: '10.5555/issue.2019', issue: { number: '1', year: 2019 } });
    const late = minimalRecord({ doi: '10.5555/issue.2020', issue: { number: '1', year: 2020 } });
    const xml = toCrossref([early, late], head);
    expectValid(xml);
    const journals = at(parseXml(xml), 'doi_batch/body/journal');
    expect(journals.map((j) => texts(j, 'journal_article/doi_data/doi'))).toEqual([['10.5555/issue.2019'], ['10.5555/issue.2020']]);
    expect(journals.map((j) => texts(j, 'journal_issue/publication_date/year'))).toEqual([['2019'], ['2020']]);
  });

  it('gives every batch a unique doi_batch_id', () => {
    const record = minimalRecord();
    const ids = new Set<string>();
    for (let i = 0; i < 50; i++) ids.add(text(one(parseXml(toCrossref([record], head)), 'doi_batch/head/doi_batch_id')));
    expect(ids.size).toBe(50);
  });

  it('keeps timestamps strictly increasing across 1,000 calls with a frozen clock', () => {
    const frozen = new Date('2030-01-01T00:00:00.000Z');
    const clock = () => frozen;
    const record = minimalRecord();
    let previous = -1n;
    for (let i = 0; i < 1000; i++) {
      const stamp = BigInt(text(one(parseXml(toCrossref([record], { ...head, clock })), 'doi_batch/head/timestamp')));
      expect(stamp > previous).toBe(true);
      expect(stamp >= 20300101000000000n).toBe(true);
      previous = stamp;
    }
    // An explicit timestamp is used as given, and later automatic ones still come after it.
    const explicit = previous + 1_000_000n;
    expect(text(one(parseXml(toCrossref([record], { ...head, timestamp: explicit })), 'doi_batch/head/timestamp'))).toBe(String(explicit));
    expect(nextCrossrefTimestamp(clock) > explicit).toBe(true);
  });

  it('follows the clock when it moves forward: UTC yyyyMMddHHmmssSSS', () => {
    const later = new Date(Date.now() + 10 * 365 * 24 * 3600 * 1000);
    const pad = (n: number, width = 2) => String(n).padStart(width, '0');
    const expected =
      `${later.getUTCFullYear()}${pad(later.getUTCMonth() + 1)}${pad(later.getUTCDate())}` +
      `${pad(later.getUTCHours())}${pad(later.getUTCMinutes())}${pad(later.getUTCSeconds())}${pad(later.getUTCMilliseconds(), 3)}`;
    expect(nextCrossrefTimestamp(() => later)).toBe(BigInt(expected));
  });

  it('is greater than the timestamps other tools wrote for an earlier moment (Crossref compares them as numbers)', () => {
    const stamp = nextCrossrefTimestamp(() => new Date('2026-01-01T00:00:00.000Z'));
    // Crossref's own example (16 digits), OJS 3.4+ date('YmdHisv') (17), yyyyMMddHHmmss (14), epoch ms and seconds.
    for (const earlier of [2021010100000003n, 20251231235959999n, 20251231235959n, 1767225599999n, 1767225599n]) {
      expect(stamp > earlier, String(earlier)).toBe(true);
    }
  });
});

describe('toCrossref: what Crossref requires', () => {
  it('names record, field and format when no publication year is known', () => {
    const record = minimalRecord({ doi: '10.5555/no.year', issue: { volume: '3', number: '1' } });
    let error: unknown;
    try {
      toCrossref([record], head);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ExportError);
    const exportError = error as ExportError;
    expect(exportError.recordId).toBe('10.5555/no.year');
    expect(exportError.format).toBe('crossref');
    expect(exportError.field).toBe('issue.year');
    expect(exportError.message).toMatch(/^10\.5555\/no\.year: Crossref requires a publication year \(issue\.year/);
  });

  it('takes the year from dates.published when the issue has none', () => {
    const record = minimalRecord({ issue: { volume: '3' }, dates: { published: { online: '2021-05' } } });
    const xml = toCrossref([record], head);
    expectValid(xml);
    const date = one(parseXml(xml), 'doi_batch/body/journal/journal_article/publication_date');
    expect(texts(date, 'year')).toEqual(['2021']);
    expect(texts(date, 'month')).toEqual(['05']);
    expect(at(date, 'day')).toHaveLength(0);
  });

  it('requires a landing page for doi_data/resource', () => {
    const record = minimalRecord({ landingPage: undefined });
    expect(() => toCrossref([record], head)).toThrow(/Crossref requires the article landing page URL.*\(landingPage\)/);
  });

  it('requires a depositor e-mail and a registrant', () => {
    const record = minimalRecord();
    expect(() => toCrossref([record], { ...head, depositor: { name: 'X', email: '' } })).toThrow(ExportError);
    expect(() => toCrossref([record], { ...head, registrant: ' ' })).toThrow(/registrant/);
    expect(() => toCrossref([], head)).toThrow(ExportError);
  });

  it('reports over-long names against the schema limit instead of writing invalid XML', () => {
    const record = minimalRecord({ contributors: [{ given: 'A', family: 'B'.repeat(61) }] });
    expect(() => toCrossref([record], head)).toThrow(/contributors\/0\/family/);
  });

  it('maps BCP 47 tags to the ISO 639-1 codes Crossref accepts and omits unknown ones', () => {
    const zh = minimalRecord({ language: 'zh-Hans', title: { 'zh-Hans': '标题' } });
    const xml = toCrossref([zh], head);
    expectValid(xml);
    expect(attr(one(parseXml(xml), 'doi_batch/body/journal/journal_article'), 'language')).toBe('zh');
    const ast = minimalRecord({ language: 'ast', title: { ast: 'Títulu' } });
    const xml2 = toCrossref([ast], head);
    expectValid(xml2);
    expect(attr(one(parseXml(xml2), 'doi_batch/body/journal/journal_article'), 'language')).toBeUndefined();
  });
});

describe('toCrossref: markup', () => {
  const record = minimalRecord({
    title: { en: 'Water (H2O) in vivo: x' },
    abstract: { en: 'First.\n\nSecond.' },
    markup: {
      title: {
        en: 'Water (H<sub>2</sub>O) <italic>in vivo</italic>: <mml:math><mml:mi>x</mml:mi></mml:math>',
      },
      abstract: { en: '<p>First <bold>bold</bold>.</p>\n<p>Second.</p>' },
    },
  });
  const xml = toCrossref([record], head);

  it('stays valid with face markup, MathML and a JATS abstract', () => expectValid(xml));

  it('maps JATS inline markup to Crossref face markup and keeps MathML in its namespace', () => {
    const ordered = parseOrdered(xml);
    const title = findOrdered(ordered, 'title')!;
    expect(orderedText(title['title'])).toBe('Water (H2O) in vivo: x');
    expect(findOrdered(title['title'], 'sub')).toBeDefined();
    expect(findOrdered(title['title'], 'i')).toBeDefined();
    expect(findOrdered(title['title'], 'mml:math')).toBeDefined();
    expect(attr(one(parseXml(xml), 'doi_batch'), 'xmlns:mml')).toBe('http://www.w3.org/1998/Math/MathML');
  });

  it('puts abstract markup into Crossref\'s JATS namespace', () => {
    const abstract = one(parseXml(xml), 'doi_batch/body/journal/journal_article/jats:abstract');
    const paragraphs = at(abstract, 'jats:p');
    expect(paragraphs).toHaveLength(2);
    expect(texts(paragraphs[0], 'jats:bold')).toEqual(['bold']);
  });

  it('reports malformed markup with the field that holds it', () => {
    const bad = minimalRecord({ markup: { title: { en: 'Broken <italic>title' } } });
    expect(() => toCrossref([bad], head)).toThrow(/markup\.title\.en is not well-formed/);
  });
});
