// JATS reader: the publisher-style fixture (test/fixtures/publisher-article.jats.xml), the tagging
// variants of JATS 1.0 to 1.3 (JATS4R recommendations, Tag Library), namespaced JATS as PMC's
// OAI service serves it, and malformed or hostile input.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { JATS_OAI_NAMESPACE, JATS_OAI_SCHEMA_LOCATION, toJats } from '../src/formats/index.js';
import { ReaderError, readAnyXml, readJats } from '../src/formats/index.js';
import { generateSyntheticRecords, validateArticle, type ArticleRecord } from '../src/model/index.js';
import { BIG_REFS, writeBigJats } from './readers-helpers.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/publisher-article.jats.xml', import.meta.url));
const fixtureXml = readFileSync(FIXTURE, 'utf8');

/** A minimal JATS article around the given article-meta content. */
function jats(meta: string, options: { root?: string; back?: string; journalMeta?: string } = {}): string {
  const journalMeta =
    options.journalMeta ??
    '<journal-meta><journal-id>x</journal-id><journal-title-group><journal-title>Journal of Tests</journal-title></journal-title-group><issn pub-type="epub">2049-3630</issn></journal-meta>';
  return `<?xml version="1.0"?>
<${options.root ?? 'article xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:ali="http://www.niso.org/schemas/ali/1.0/" xml:lang="en"'}>
<front>${journalMeta}<article-meta><article-id pub-id-type="doi">10.5555/test.1</article-id>
<title-group><article-title>A title</article-title></title-group>${meta}</article-meta></front>${options.back ?? ''}</article>`;
}

function readOne(xml: string): { record: ArticleRecord; warnings: string[] } {
  const result = readJats(xml);
  expect(result.records).toHaveLength(1);
  return { record: result.records[0]!, warnings: result.warnings.map((w) => `${w.path}: ${w.message}`) };
}

describe('publisher-style fixture', () => {
  const { record, warnings } = readOne(fixtureXml);

  it('gives a record that passes the model validation', () => {
    const checked = validateArticle(record);
    expect(checked.ok ? [] : checked.errors).toEqual([]);
  });

  it('reads identifiers, section and journal metadata', () => {
    expect(record.doi).toBe('10.5555/jcb.2024.0117');
    expect(record.otherIds).toEqual([
      { type: 'publisher-id', value: 'JCB-2024-0117' },
      { type: 'manuscript', value: 'MS-23-0456-R2' },
    ]);
    expect(record.section).toBe('Research Article');
    expect(record.articleType).toBe('research-article');
    expect(record.language).toBe('en');
    expect(record.journal).toEqual({
      title: 'Journal of Computational Botany',
      abbrevTitle: 'J. Comput. Bot.',
      issns: [
        { value: '1478-9027', media: 'print' },
        { value: '2398-3116', media: 'electronic' },
      ],
      publisher: { name: 'Meridian Scientific Publishing', place: 'Cambridge, United Kingdom' },
    });
  });

  it('keeps MathML and italics of the title as JATS markup, with plain text beside it', () => {
    expect(record.title.en).toBe('Light-driven O2 evolution in Chlamydomonas reinhardtii under fluctuating irradiance');
    expect(record.subtitle).toEqual({ en: 'A multi-site quantitative study' });
    expect(record.title.fr).toBe('Dégagement d’oxygène photo-induit chez Chlamydomonas reinhardtii sous éclairement fluctuant');
    const markup = record.markup?.title?.en ?? '';
    expect(markup).toContain('<inline-formula><mml:math alttext="O_2"><mml:msub><mml:mi mathvariant="normal">O</mml:mi><mml:mn>2</mml:mn></mml:msub></mml:math></inline-formula>');
    expect(markup).toContain('<italic>Chlamydomonas reinhardtii</italic>');
    // IDs would collide in the document a fragment is written into.
    expect(markup).not.toContain('id=');
    expect(record.markup?.title?.fr).toBe('Dégagement d’oxygène photo-induit chez <italic>Chlamydomonas reinhardtii</italic> sous éclairement fluctuant');
  });

  it('resolves affiliations through xref, nesting and ROR institution-ids, and ORCIDs in contrib-id, uri or bare', () => {
    const people = record.contributors.filter((c) => c.type === 'person' && c.role === 'author');
    expect(people.map((c) => c.family)).toEqual(['Okonkwo', 'Lindqvist', 'van der Berg', 'Zhou', 'Haddad', 'Mensah']);
    expect(people.map((c) => c.orcid)).toEqual(['0000-0002-1234-5677', '0000-0001-8765-432X', '0000-0003-0011-2232', '0000-0002-4455-6671', undefined, '0000-0001-9988-7761']);
    const oxford = { name: 'Department of Biology, University of Oxford', ror: 'https://ror.org/052gg0110', country: 'GB' };
    const ucl = { name: 'University College London', ror: 'https://ror.org/02jx3x895', country: 'GB' };
    const stanford = { name: 'Department of Biology, Stanford University', ror: 'https://ror.org/00f54p054', country: 'US' };
    const lyon = { name: 'Laboratoire de Biologie Végétale, Université d’Exemple, 69000 Lyon', country: 'FR' };
    const brown = { name: 'Brown University', ror: 'https://ror.org/05gq02987', country: 'US' };
    expect(people[0]!.affiliations).toEqual([oxford, stanford]);
    expect(people[1]!.affiliations).toEqual([ucl]);
    expect(people[2]!.affiliations).toEqual([oxford, ucl, lyon]);
    expect(people[3]!.affiliations).toEqual([brown, stanford]);
    expect(people[4]!.affiliations).toEqual([{ name: 'Sainsbury Laboratory, University of Cambridge', ror: 'https://ror.org/013meh722', country: 'GB' }]);
    expect(people[5]!.affiliations).toEqual([lyon]);
    expect(people[2]!.suffix).toBe('Jr');
  });

  it('reads the corresponding author and the e-mail of its corresp note', () => {
    const first = record.contributors[0]!;
    expect(first.corresponding).toBe(true);
    expect(first.email).toBe('adaeze.okonkwo@biology.example.ac.uk');
    expect(record.contributors.filter((c) => c.corresponding)).toHaveLength(1);
  });

  it('keeps name alternatives by language, a collab as an organization, and the editor with its role', () => {
    const zhou = record.contributors.find((c) => c.family === 'Zhou')!;
    expect(zhou.given).toBe('Xiaomei');
    expect(zhou.nameVariants).toEqual({ zh: { given: '晓梅', family: '周' } });
    expect(record.contributors).toContainEqual({ type: 'organization', name: 'The Fluctuating Light Consortium', role: 'author' });
    // The consortium's members are not authors of the article themselves.
    expect(record.contributors.some((c) => c.family === 'Rahman' || c.family === 'Petrov')).toBe(false);
    const editor = record.contributors.find((c) => c.role === 'editor')!;
    expect(editor).toMatchObject({ family: 'Carberry', orcid: '0000-0002-1825-0097' });
    expect(warnings.some((w) => w.includes('on-behalf-of') && w.includes('Northern Algal Phenotyping Network'))).toBe(true);
  });

  it('reads one publication date per medium, the history dates, and the issue year from the collection date', () => {
    // publication-format="electronic|print" with date-type="pub" (JATS 1.1+); history rev-recd is the revised date.
    expect(record.dates).toEqual({ published: { online: '2024-03-12', print: '2024-04' }, received: '2023-09-04', revised: '2023-12-17', accepted: '2024-02-20' });
    expect(record.issue).toEqual({ year: 2024, volume: '12', number: '4' });
    expect(record.articleNumber).toBe('e0117');
    expect(record.pages).toBeUndefined();
    expect(warnings.some((w) => w.includes('season "Spring"'))).toBe(true);
    expect(warnings.some((w) => w.includes('rev-recd'))).toBe(false);
  });

  it('reads licence, copyright, landing page and the PDF galley', () => {
    expect(record.license).toEqual({ url: 'https://creativecommons.org/licenses/by/4.0/' });
    expect(record.copyright).toEqual({ statement: '© 2024 Okonkwo et al.', year: 2024, holder: 'Okonkwo et al.' });
    expect(record.landingPage).toBe('https://journals.example.org/jcb/article/10.5555/jcb.2024.0117');
    expect(record.galleys).toEqual([
      { url: 'https://journals.example.org/jcb/article/10.5555/jcb.2024.0117/pdf', mimeType: 'application/pdf', label: 'Full text (PDF)' },
    ]);
  });

  it('reads the structured abstract as paragraphs with section titles, and keeps its sections as markup', () => {
    const paragraphs = record.abstract!.en!.split('\n\n');
    expect(paragraphs[0]).toBe('Background');
    expect(paragraphs[2]).toBe('Methods');
    expect(paragraphs[3]).toContain('net O2 exchange');
    expect(paragraphs[3]).toContain('m−2 s−1');
    expect(paragraphs).toHaveLength(8);
    expect(record.abstract!.en).toContain('(P < 0.001)');
    expect(record.abstract!.en).toContain('productivity & should');
    expect(record.abstract!.fr!.split('\n\n')).toHaveLength(2);
    const markup = record.markup!.abstract!.en!;
    expect(markup.startsWith('<sec sec-type="background"><title>Background</title><p>')).toBe(true);
    expect(markup).toContain('<sup>−2</sup>');
    expect(markup).toContain('(<italic>P</italic> &lt; 0.001)');
    expect(markup).not.toMatch(/<xref|rid=|id="abs/);
    expect(record.markup!.abstract!.fr).toBeUndefined();
    expect(warnings.some((w) => w.includes('abstract of type "graphical" dropped'))).toBe(true);
  });

  it('reads keywords per language and funding with Funder Registry and ROR ids', () => {
    expect(record.keywords).toEqual({
      en: ['photosynthesis', 'fluctuating light', 'Chlamydomonas', 'oxygen evolution'],
      fr: ['photosynthèse', 'lumière fluctuante'],
    });
    expect(record.funding).toEqual([
      { funderName: 'Biotechnology and Biological Sciences Research Council', funderId: '10.13039/501100000268', awardIds: ['BB/T000117/1', 'BB/T000118/1'] },
      { funderName: 'European Research Council', funderId: 'https://ror.org/0472cxd90', awardIds: ['101000117'] },
      { funderName: 'Meridian Early Career Fund' },
    ]);
  });

  it('reads every reference, in both citation styles, with DOIs from pub-id and doi.org links', () => {
    const refs = record.references!;
    const refElements = fixtureXml.match(/<ref id="/g)!;
    expect(refs).toHaveLength(refElements.length);
    expect(refs.length).toBeGreaterThanOrEqual(50);
    // Every ref whose XML names a DOI (pub-id or doi.org link) has it, and no other ref has one.
    for (const ref of refs) {
      const xml = new RegExp(`<ref id="${ref.key}">([\\s\\S]*?)</ref>`).exec(fixtureXml)![1]!;
      const doi = /pub-id-type="doi">([^<]+)</.exec(xml)?.[1] ?? /https:\/\/doi\.org\/([^"<\s]+)/.exec(xml)?.[1];
      expect(ref.doi, ref.key).toBe(doi?.toLowerCase());
    }
    const bib1 = refs[0]!;
    expect(bib1.publicationType).toBe('journal');
    expect(bib1.unstructured).toMatch(/^Fujita H, Ivanova EV\. State transitions .* doi:10\.5555\/jcb\.ref\.2001\.07919$/);
    expect(bib1.structured).toMatchObject({ author: 'Fujita', articleTitle: 'State transitions and the redistribution of excitation energy', source: 'New Phytol', year: '1992', volume: '23', issue: '2', firstPage: '38', lastPage: '44' });
    const elementCitation = refs.find((r) => r.key === 'bib3')!;
    expect(elementCitation.unstructured).toBeUndefined();
    expect(elementCitation.structured?.author).toBe('Lindqvist');
    const alternatives = refs.find((r) => r.key === 'bib7')!;
    expect(alternatives.unstructured).toContain('doi:10.5555/jcb.ref.2007');
    expect(alternatives.structured?.source).toBe('Front Plant Sci');
    const book = refs.find((r) => r.key === 'bib57')!;
    expect(book).toMatchObject({ publicationType: 'book', structured: { author: 'Falkowski', source: 'Aquatic Photosynthesis', publisher: 'Princeton University Press', isbn: '978-0-691-11551-5', edition: '2nd', year: '2007' } });
    expect(refs.find((r) => r.key === 'bib61')!.structured?.author).toBe('R Core Team');
  });

  it('says what it dropped, once per kind', () => {
    for (const expected of ['alt-title', 'ringgold', '<role>', '<counts>', '<custom-meta-group>', '<related-article>', 'group members listed inside <collab>']) {
      expect(warnings.some((w) => w.includes(expected)), expected).toBe(true);
    }
    expect(warnings.filter((w) => w.includes('ringgold'))).toHaveLength(1);
  });
});

describe('JATS tagging variants', () => {
  it('JATS 1.0 / NLM: pub-type dates, issn pub-type, ORCID in uri, licence in xlink:href, journal-title without group', () => {
    const xml = jats(
      `<contrib-group><contrib contrib-type="author"><name><surname>Doe</surname><given-names>Jane</given-names></name><uri content-type="orcid">http://orcid.org/0000-0002-1825-0097</uri></contrib>
       <aff>Faculty of Tests, University of Examples, Springfield</aff></contrib-group>
       <pub-date pub-type="ppub"><month>6</month><year>2019</year></pub-date>
       <pub-date pub-type="epub"><day>3</day><month>5</month><year>2019</year></pub-date>
       <volume>7</volume><issue>2</issue><fpage>117</fpage><lpage>130</lpage>
       <permissions><license license-type="open-access" xlink:href="http://creativecommons.org/licenses/by/3.0/"><license-p>Open access.</license-p></license></permissions>`,
      { journalMeta: '<journal-meta><journal-id journal-id-type="nlm-ta">J Tests</journal-id><journal-title>Journal of Tests</journal-title><issn pub-type="ppub">0378-5955</issn><issn pub-type="epub">2049-3630</issn></journal-meta>' },
    );
    const { record } = readOne(xml);
    expect(record.journal.title).toBe('Journal of Tests');
    expect(record.journal.issns).toEqual([
      { value: '0378-5955', media: 'print' },
      { value: '2049-3630', media: 'electronic' },
    ]);
    expect(record.contributors[0]).toMatchObject({ family: 'Doe', given: 'Jane', orcid: '0000-0002-1825-0097', affiliations: [{ name: 'Faculty of Tests, University of Examples, Springfield' }] });
    // NLM pub-type: epub is the online date, ppub the print date.
    expect(record.dates?.published).toEqual({ online: '2019-05-03', print: '2019-06' });
    expect(record.pages).toEqual({ first: '117', last: '130' });
    expect(record.license).toEqual({ url: 'http://creativecommons.org/licenses/by/3.0/' });
  });

  it('JATS 1.3: date-type and publication-format, iso-8601-date, ali:license_ref with start_date, contrib-id, aff-alternatives', () => {
    const xml = jats(
      `<contrib-group><contrib contrib-type="author"><contrib-id contrib-id-type="orcid">https://orcid.org/0000-0002-1825-0097</contrib-id><name><surname>Doe</surname><given-names>Jane</given-names></name><xref ref-type="aff" rid="a1"/></contrib>
       <aff-alternatives id="a1"><aff xml:lang="ru"><institution>Университет</institution></aff><aff xml:lang="en"><institution>The University</institution><country country="RU">Russia</country></aff></aff-alternatives></contrib-group>
       <pub-date publication-format="print" date-type="pub"><year>2021</year></pub-date>
       <pub-date publication-format="electronic" date-type="pub" iso-8601-date="2020-12-30"><year>2020</year></pub-date>
       <pub-date date-type="collection" publication-format="electronic"><month>01</month><year>2021</year></pub-date>
       <permissions><license><ali:license_ref start_date="2020-12-30">https://creativecommons.org/licenses/by-nc/4.0/</ali:license_ref></license></permissions>`,
    );
    const { record } = readOne(xml);
    expect(record.dates?.published).toEqual({ online: '2020-12-30', print: '2021' });
    expect(record.issue).toEqual({ year: 2021, publicationDate: '2021-01' });
    expect(record.license).toEqual({ url: 'https://creativecommons.org/licenses/by-nc/4.0/', startDate: '2020-12-30' });
    expect(record.contributors[0]!.affiliations).toEqual([{ name: 'The University', country: 'RU' }]);
  });

  it('affs in a contrib-group without xrefs belong to every contributor of the group', () => {
    const { record } = readOne(
      jats(`<contrib-group><contrib><name><surname>A</surname></name></contrib><contrib><name><surname>B</surname></name></contrib>
            <aff id="x1"><institution>Shared Institute</institution></aff></contrib-group>`),
    );
    expect(record.contributors.map((c) => c.affiliations)).toEqual([[{ name: 'Shared Institute' }], [{ name: 'Shared Institute' }]]);
  });

  it('maps contrib-type roles and warns for unknown ones', () => {
    const result = readJats(
      jats(`<contrib-group><contrib contrib-type="guest-editor"><name><surname>G</surname></name></contrib><contrib contrib-type="translator"><name><surname>T</surname></name></contrib><contrib contrib-type="compiler"><name><surname>C</surname></name></contrib></contrib-group>`),
    );
    expect(result.records[0]!.contributors.map((c) => c.role)).toEqual(['editor', 'translator', 'author']);
    expect(result.warnings.some((w) => w.message.includes('contrib-type "compiler"'))).toBe(true);
  });

  it('pub-id-type="custom" keeps its custom-type as the identifier type', () => {
    const { record } = readOne(jats('<article-id pub-id-type="custom" custom-type="ojs-submission">323</article-id>'));
    expect(record.otherIds).toEqual([{ type: 'ojs-submission', value: '323' }]);
  });

  it('reads DOIs of references from ext-link ext-link-type="doi" and from resolver links', () => {
    const { record } = readOne(
      jats('', {
        back: `<back><ref-list>
          <ref id="r1"><mixed-citation>A. B. 2001. Title. <ext-link ext-link-type="doi" xlink:href="10.5555/ABC">10.5555/ABC</ext-link></mixed-citation></ref>
          <ref id="r2"><mixed-citation>C. D. 2002. Title. <ext-link ext-link-type="uri" xlink:href="http://dx.doi.org/10.5555/def">link</ext-link></mixed-citation></ref>
          <ref id="r3"><mixed-citation>E. F. 2003. Title. Available at https://doi.org/10.5555/ghi.</mixed-citation></ref>
          <ref id="r4"><mixed-citation>G. H. 2004. Title. <ext-link ext-link-type="uri" xlink:href="https://example.org/10.5555/not-a-doi">site</ext-link></mixed-citation></ref>
        </ref-list></back>`,
      }),
    );
    expect(record.references!.map((r) => r.doi)).toEqual(['10.5555/abc', '10.5555/def', '10.5555/ghi', undefined]);
  });

  it('an article without xml:lang is read in the JATS default language, with a warning', () => {
    const result = readJats(jats('', { root: 'article' }));
    expect(result.records[0]!.language).toBe('en');
    expect(result.warnings.some((w) => w.message.includes('no xml:lang'))).toBe(true);
  });
});

describe('namespaced JATS (PMC OAI style) reads exactly like plain JATS', () => {
  const records = generateSyntheticRecords(20, 5);
  it('as a document in the JATS archiving namespace', () => {
    for (const record of records) {
      const plain = readJats(toJats(record)).records[0];
      const namespaced = readJats(toJats(record, { namespace: JATS_OAI_NAMESPACE, schemaLocation: JATS_OAI_SCHEMA_LOCATION })).records[0];
      expect(namespaced).toEqual(plain);
    }
  });

  it('inside an OAI-PMH GetRecord response', () => {
    const record = records[0]!;
    const metadata = toJats(record, { declaration: false, namespace: JATS_OAI_NAMESPACE, schemaLocation: JATS_OAI_SCHEMA_LOCATION });
    const response = `<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2024-01-01T00:00:00Z</responseDate>
<request verb="GetRecord">https://example.org/oai</request><GetRecord><record><header><identifier>oai:example.org:1</identifier><datestamp>2024-01-01</datestamp></header>
<metadata>${metadata}</metadata></record></GetRecord></OAI-PMH>`;
    const read = readAnyXml(response);
    expect(read.format).toBe('jats');
    expect(read.records).toEqual(readJats(toJats(record)).records);
  });
});

describe('malformed and hostile JATS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pubmeta-readers-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('not well-formed: a ReaderError with line and column', () => {
    const xml = '<?xml version="1.0"?>\n<article>\n  <front>\n    <article-meta>\n  </front>\n</article>';
    let error: unknown;
    try {
      readJats(xml);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ReaderError);
    expect((error as ReaderError).line).toBe(5);
    expect((error as ReaderError).column).toBeGreaterThan(0);
    expect((error as Error).message).toMatch(/^5:\d+ not well-formed XML: .*article-meta/);
  });

  it('empty input, text, and two roots are errors', () => {
    expect(() => readJats('')).toThrow(/empty/);
    expect(() => readJats('just text')).toThrow(ReaderError);
    expect(() => readJats('<article/><article/>')).toThrow(/2 root elements/);
  });

  it('a DTD with external entities: warned about, never read', () => {
    const secretFile = join(dir, 'secret.txt');
    const secret = `TOP-SECRET-${Date.now()}`;
    writeFileSync(secretFile, secret);
    const xml = `<?xml version="1.0"?>
<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Publishing DTD v1.3 20210610//EN" "file://${secretFile}" [
  <!ENTITY leak SYSTEM "file://${secretFile}">
  <!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd">
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
]>
<article xml:lang="en"><front><journal-meta><journal-title>J</journal-title></journal-meta><article-meta>
<article-id pub-id-type="doi">10.5555/xxe</article-id>
<title-group><article-title>Leak: &leak; &lol2;</article-title></title-group></article-meta></front></article>`;
    const result = readJats(xml);
    const json = JSON.stringify(result);
    expect(json).not.toContain(secret);
    expect(json).not.toContain('lollol');
    expect(result.records[0]!.title.en).toBe('Leak: &leak; &lol2;');
    const messages = result.warnings.map((w) => w.message).join('\n');
    expect(messages).toMatch(/external entities \(leak, %remote\).*not resolved.*no file or URL was read/);
    expect(messages).toMatch(/&leak; not expanded/);
  });

  it('missing article-meta or front: a clear error', () => {
    expect(() => readJats('<article><front><journal-meta/></front></article>')).toThrow(/no <front>\/<article-meta>/);
    expect(() => readJats('<article><body><p>x</p></body></article>')).toThrow(/no <front>/);
    expect(() => readJats('<book><front/></book>')).toThrow(/no JATS <article> element/);
  });

  it('a 50 MB article is read in bounded time', () => {
    const path = join(dir, 'big.jats.xml');
    writeBigJats(path, 50 * 1024 * 1024);
    const xml = readFileSync(path, 'utf8');
    expect(xml.length).toBeGreaterThan(50 * 1024 * 1024);
    const started = performance.now();
    const { records } = readJats(xml);
    const seconds = (performance.now() - started) / 1000;
    expect(records[0]!.doi).toBe('10.5555/big.1');
    expect(records[0]!.references).toHaveLength(BIG_REFS);
    // Generous: the body is skipped unparsed; the reference list is the real work.
    expect(seconds).toBeLessThan(60);
  });
});

describe('formulas', () => {
  it('TeX stands in for the formula when no MathML is given, and is dropped beside MathML', () => {
    const xml = jats('', {}).replace(
      '<article-title>A title</article-title>',
      '<article-title>Growth as <inline-formula><tex-math>e^{rt}</tex-math></inline-formula> and <inline-formula><alternatives><mml:math xmlns:mml="http://www.w3.org/1998/Math/MathML"><mml:mi>x</mml:mi></mml:math><tex-math>x</tex-math></alternatives></inline-formula></article-title>',
    );
    const { record } = readOne(xml);
    expect(record.title.en).toBe('Growth as e^{rt} and x');
    expect(record.markup?.title?.en).toBe('Growth as e^{rt} and <inline-formula><mml:math><mml:mi>x</mml:mi></mml:math></inline-formula>');
  });
});
