// Crossref deposit reader, against Crossref's own example deposits
// (../shared/testdata/crossref-examples, valid against schema 5.3.0 / 5.3.1). Expected values
// are read from each file with a plain XML parser here, not from the reader.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readCrossref } from '../src/formats/index.js';
import { validateArticle, type ArticleRecord } from '../src/model/index.js';
import { at, attr, one, parseXml, text, texts, type XNode } from './formats-helpers.js';

const EXAMPLES = fileURLToPath(new URL('../../shared/testdata/crossref-examples/', import.meta.url));
const JOURNAL_EXAMPLES = ['journal.article5.3.1.xml', 'journal.article5.3.0.xml', 'journal.vol.issue5.3.0.xml'];

const collapse = (s: string): string => s.replace(/\s+/g, ' ').trim();
const only = (node: XNode, path: string): string | undefined => {
  const found = texts(node, path);
  return found.length > 0 ? collapse(found[0]!) : undefined;
};

interface ExpectedArticle {
  doi: string;
  title: string;
  people: { given?: string; family: string; orcid?: string; rors: string[] }[];
  organizations: string[];
  anonymous: number;
  citations: { key: string; doi?: string; unstructured?: string; journal?: string; author?: string; year?: string; articleTitle?: string }[];
}

/** What a file says about its journal articles, read without the reader under test. */
function expectedArticles(xml: string): ExpectedArticle[] {
  const batch = parseXml(xml);
  return at(batch, 'doi_batch/body/journal/journal_article').map((article) => ({
    doi: texts(article, 'doi_data/doi')[0]!.trim(),
    title: collapse(texts(article, 'titles/title')[0]!),
    people: at(article, 'contributors/person_name').map((p) => ({
      given: only(p, 'given_name'),
      family: only(p, 'surname')!,
      orcid: only(p, 'ORCID')?.replace(/^https?:\/\/orcid\.org\//, ''),
      rors: at(p, 'affiliations/institution/institution_id').filter((i) => attr(i, 'type') === 'ror').map((i) => text(i).trim()),
    })),
    organizations: texts(article, 'contributors/organization').map(collapse),
    anonymous: at(article, 'contributors/anonymous').length,
    citations: at(article, 'citation_list/citation').map((c) => ({
      key: attr(c, 'key')!,
      doi: only(c, 'doi'),
      unstructured: only(c, 'unstructured_citation'),
      journal: only(c, 'journal_title'),
      author: only(c, 'author'),
      year: only(c, 'cYear'),
      articleTitle: only(c, 'article_title'),
    })),
  }));
}

function checkAgainstFile(records: ArticleRecord[], expected: ExpectedArticle[]): void {
  expect(records.map((r) => r.doi)).toEqual(expected.map((e) => e.doi.toLowerCase()));
  records.forEach((record, index) => {
    const want = expected[index]!;
    expect(record.title[record.language]).toBe(want.title);
    const people = record.contributors.filter((c) => c.type === 'person');
    expect(people.map((p) => ({ given: p.given, family: p.family, orcid: p.orcid, rors: (p.affiliations ?? []).map((a) => a.ror).filter(Boolean) }))).toEqual(want.people);
    expect(record.contributors.filter((c) => c.type === 'organization').map((c) => c.name)).toEqual(want.organizations);
    expect(record.references?.length ?? 0).toBe(want.citations.length);
    want.citations.forEach((citation, i) => {
      const ref = record.references![i]!;
      expect(ref.key).toBe(citation.key);
      expect(ref.doi).toBe(citation.doi?.toLowerCase());
      expect(ref.unstructured).toBe(citation.unstructured);
      expect(ref.structured?.source).toBe(citation.journal);
      expect(ref.structured?.author).toBe(citation.author);
      expect(ref.structured?.year).toBe(citation.year);
      expect(ref.structured?.articleTitle).toBe(citation.articleTitle);
    });
  });
}

describe("Crossref's example journal deposits", () => {
  for (const name of JOURNAL_EXAMPLES) {
    describe(name, () => {
      const xml = readFileSync(EXAMPLES + name, 'utf8');
      const expected = expectedArticles(xml);
      const result = readCrossref(xml);

      it('reads every journal_article with its DOI, title, contributors and citations', () => {
        checkAgainstFile(result.records, expected);
      });

      it('gives records that pass the model validation', () => {
        for (const record of result.records) {
          const checked = validateArticle(record);
          expect(checked.ok ? [] : checked.errors).toEqual([]);
        }
      });

      it('says what it could not keep', () => {
        if (expected.some((e) => e.anonymous > 0)) expect(result.warnings.some((w) => w.message.includes('anonymous contributor dropped'))).toBe(true);
        if (expected.length === 0) expect(result.warnings.some((w) => w.message.includes('no records'))).toBe(true);
      });
    });
  }

  it('reads the journal, issue, dates, licence, funding and article number of journal.article5.3.1.xml', () => {
    const xml = readFileSync(EXAMPLES + 'journal.article5.3.1.xml', 'utf8');
    const article = one(parseXml(xml), 'doi_batch/body/journal/journal_article');
    const record = readCrossref(xml).records[0]!;
    expect(record.language).toBe(attr(article, 'language'));
    expect(record.journal.title).toBe(texts(parseXml(xml), 'doi_batch/body/journal/journal_metadata/full_title')[0]);
    expect(record.journal.issns).toEqual([{ value: '1942-4027', media: 'electronic' }]);
    expect(record.dates).toEqual({ published: { online: '2021-07-07' }, accepted: '2021-07-07', received: '2012-07-24' });
    expect(record.articleNumber).toBe('ABC-123');
    expect(record.license).toEqual({ url: 'http://creativecommons.org/licenses/by/3.0/deed.en_US', startDate: '2008-08-13' });
    // fundref: the funder_identifier "100000001" is a Funder Registry id (10.13039 prefix).
    expect(record.funding).toEqual([{ funderName: 'National Science Foundation', funderId: '10.13039/100000001', awardIds: ['CHE-1152342'] }]);
    expect(Object.keys(record.abstract ?? {}).sort()).toEqual(['en', 'fr']);
    expect(record.landingPage).toBe('https://www.crossref.org/xml-samples');
  });

  it('journal.vol.issue5.3.0.xml (volume and issue DOIs only) gives no record', () => {
    const result = readCrossref(readFileSync(EXAMPLES + 'journal.vol.issue5.3.0.xml', 'utf8'));
    expect(result.records).toEqual([]);
  });

  const nonJournal = readdirSync(EXAMPLES).filter((f) => f.endsWith('.xml') && !f.startsWith('journal.'));
  it.each(nonJournal)('%s (not a journal deposit): no records and a warning naming its content type', (name) => {
    const xml = readFileSync(EXAMPLES + name, 'utf8');
    const result = readCrossref(xml);
    expect(result.records).toEqual([]);
    const contentType = Object.keys(one(parseXml(xml), 'doi_batch/body')).find((k) => !k.startsWith('#') && !k.startsWith('@'))!;
    expect(result.warnings.some((w) => w.message.includes(`<${contentType}>`) && w.message.includes('journal articles only'))).toBe(true);
  });
});

describe('Crossref markup, funding and versions', () => {
  const deposit = (article: string, version = '5.3.1') => `<?xml version="1.0"?>
<doi_batch version="${version}" xmlns="http://www.crossref.org/schema/${version}" xmlns:jats="http://www.ncbi.nlm.nih.gov/JATS1" xmlns:fr="http://www.crossref.org/fundref.xsd" xmlns:mml="http://www.w3.org/1998/Math/MathML">
<head><doi_batch_id>t</doi_batch_id><timestamp>1</timestamp><depositor><depositor_name>d</depositor_name><email_address>d@example.org</email_address></depositor><registrant>r</registrant></head>
<body><journal><journal_metadata language="fr"><full_title>Revue</full_title><issn>0378-5955</issn></journal_metadata>
<journal_issue><publication_date media_type="print"><month>05</month><year>2020</year></publication_date><journal_volume><volume>3</volume></journal_volume><issue>2</issue></journal_issue>
<journal_article>${article}<doi_data><doi>10.5555/Face.1</doi><resource>https://example.org/a/1</resource></doi_data></journal_article></journal></body></doi_batch>`;

  it('turns face markup and MathML in titles into JATS markup; the language falls back to the journal', () => {
    const result = readCrossref(deposit('<titles><title>The <i>in vivo</i> H<sub>2</sub>O <scp>dna</scp> <mml:math><mml:mi>x</mml:mi></mml:math></title><subtitle>Sub</subtitle></titles><publication_date><year>2020</year></publication_date>'));
    const record = result.records[0]!;
    expect(record.language).toBe('fr');
    expect(record.title).toEqual({ fr: 'The in vivo H2O dna x' });
    expect(record.subtitle).toEqual({ fr: 'Sub' });
    expect(record.markup?.title?.fr).toBe('The <italic>in vivo</italic> H<sub>2</sub>O <sc>dna</sc> <mml:math><mml:mi>x</mml:mi></mml:math>');
    expect(record.journal.issns).toEqual([{ value: '0378-5955', media: 'print' }]);
    expect(record.issue).toEqual({ volume: '3', number: '2', year: 2020, publicationDate: '2020-05' });
    expect(record.doi).toBe('10.5555/face.1');
  });

  it('reads fundgroups with the identifier beside the funder name, and several awards', () => {
    const record = readCrossref(
      deposit(`<titles><title>T</title></titles><publication_date><year>2020</year></publication_date>
        <fr:program name="fundref"><fr:assertion name="fundgroup"><fr:assertion name="funder_name">Wellcome Trust</fr:assertion><fr:assertion name="funder_identifier">http://dx.doi.org/10.13039/100004440</fr:assertion><fr:assertion name="award_number">A1</fr:assertion><fr:assertion name="award_number">A2</fr:assertion></fr:assertion></fr:program>`),
    ).records[0]!;
    expect(record.funding).toEqual([{ funderName: 'Wellcome Trust', funderId: '10.13039/100004440', awardIds: ['A1', 'A2'] }]);
  });

  it('reads structured abstracts into paragraphs and JATS markup', () => {
    const record = readCrossref(
      deposit('<titles><title>T</title></titles><jats:abstract xml:lang="en"><jats:sec><jats:title>Aim</jats:title><jats:p>To <jats:italic>test</jats:italic>.</jats:p></jats:sec></jats:abstract><publication_date><year>2020</year></publication_date>'),
    ).records[0]!;
    expect(record.abstract).toEqual({ en: 'Aim\n\nTo test.' });
    expect(record.markup?.abstract?.en).toBe('<sec><title>Aim</title><p>To <italic>test</italic>.</p></sec>');
  });

  it('reads a 4.x deposit as well as it can, and says so', () => {
    const result = readCrossref(deposit('<titles><title>Old</title></titles><publication_date><year>2010</year></publication_date>', '4.4.2'));
    expect(result.records[0]!.title).toEqual({ fr: 'Old' });
    expect(result.warnings.some((w) => w.message.includes('"4.4.2"'))).toBe(true);
  });

  it('a document that is not a deposit is an error', () => {
    expect(() => readCrossref('<article/>')).toThrow(/not a Crossref deposit/);
  });
});
