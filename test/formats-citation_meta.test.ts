import { HtmlValidate } from 'html-validate';
import { describe, expect, it } from 'vitest';
import { checkCitationMeta, citationMetaFormat, citationMetaTags, toCitationMeta } from '../src/formats/citation_meta/index.js';
import { ExportError } from '../src/formats/errors.js';
import { generateSyntheticRecords, loadSeedSample } from '../src/model/index.js';
import { minimalRecord, sampleRecord } from './formats-helpers.js';

const metaLines = (html: string) => html.trimEnd().split('\n');

describe('toCitationMeta: the seed article', () => {
  const seed = loadSeedSample();
  const html = toCitationMeta(seed);

  it('carries what Google Scholar requires and what identifies the article, one <meta> per line', () => {
    expect(metaLines(html).slice(0, 11)).toEqual([
      `<meta name="citation_title" content="${seed.title.id}">`,
      '<meta name="citation_author" content="Akhli, Rangga Amalul">',
      '<meta name="citation_author_institution" content="Program Studi Diplomasi Pertahanan, Universitas Pertahanan">',
      '<meta name="citation_author" content="Gumilar, Nugraha">',
      '<meta name="citation_author_institution" content="Program Studi Diplomasi Pertahanan, Universitas Pertahanan">',
      '<meta name="citation_author" content="Halkis, Mhd">',
      '<meta name="citation_author_institution" content="Program Studi Diplomasi Pertahanan, Universitas Pertahanan">',
      '<meta name="citation_publication_date" content="2018">',
      '<meta name="citation_journal_title" content="Jurnal Diplomasi Pertahanan">',
      '<meta name="citation_publisher" content="Universitas Pertahanan Press">',
      '<meta name="citation_volume" content="4">',
    ]);
    expect(html).toContain('<meta name="citation_issue" content="2">\n<meta name="citation_doi" content="10.33172/jdp.v4i2.323">\n');
    expect(html).toContain(`<meta name="citation_abstract_html_url" content="${seed.landingPage}">`);
    expect(html).toContain('<meta name="citation_language" content="id">');
    expect(html).toContain('<meta name="citation_keywords" content="balancing theory" lang="en">');
    expect(metaLines(html).filter((l) => l.startsWith('<meta name="citation_reference"'))).toHaveLength(19);
    expect(html).not.toContain('citation_pdf_url');
  });

  it('reads back with parse5 as written, and a page carrying it passes html-validate', async () => {
    expect(checkCitationMeta(html, seed)).toEqual([]);
    const page = `<!DOCTYPE html><html lang="id"><head><title>x</title>${html}</head><body></body></html>`;
    const report = await new HtmlValidate({ extends: ['html-validate:recommended'] }).validateString(page);
    expect(report.results.flatMap((r) => r.messages.map((m) => m.message))).toEqual([]);
  });
});

describe('toCitationMeta: edge cases', () => {
  const edge = sampleRecord('synthetic-edge-cases-1.json');
  const html = toCitationMeta(edge);

  it('follows each author with their institutions and ORCID, in author order', () => {
    const authorTags = citationMetaTags(edge).filter((t) => t.name.startsWith('citation_author')).map((t) => [t.name.slice(9), t.content]);
    expect(authorTags).toEqual([
      ['author', 'Carberry, Josiah'],
      ['author_institution', 'Brown University, Department of Psychoceramics'],
      ['author_orcid', 'https://orcid.org/0000-0002-1825-0097'],
      ['author', "Иванова-О'Нил, Анна"],
      ['author_institution', 'Институт «Смирнов & Ко» <Лаборатория>'],
      ['author_institution', 'University College London'],
      ['author_orcid', 'https://orcid.org/0000-0001-5109-3700'],
      ['author', 'Sukarno'],
      ['author_institution', 'Example Institute of Mononyms'],
      ['author', 'The "Escaping & Encoding" Working Group'],
    ]);
  });

  it('escapes &, ", < and > in content, and the values read back exactly', () => {
    expect(html).toContain('content="Salt &amp; Pepper: When &lt;b&gt; Isn\'t Bold, &quot;Quoted&quot; \'Text\'');
    expect(html).toContain('<meta name="citation_author_institution" content="Институт «Смирнов &amp; Ко» &lt;Лаборатория&gt;">');
    expect(checkCitationMeta(html, edge)).toEqual([]);
  });

  it('gives the full date as YYYY/MM/DD, the PDF and HTML galleys, ISSNs and the abbreviation', () => {
    const tags = Object.fromEntries(citationMetaTags(edge).map((t) => [t.name, t.content]));
    expect(tags).toMatchObject({
      citation_publication_date: '2024/09/15',
      citation_pdf_url: 'https://journal.example.org/jste/article/download/1/pdf',
      citation_fulltext_html_url: 'https://journal.example.org/jste/article/view/1/html',
      citation_journal_abbrev: 'J. Synth. Tests Edge Cases',
      citation_firstpage: 'xii',
      citation_lastpage: 'xxiv',
    });
    expect(citationMetaTags(edge).filter((t) => t.name === 'citation_issn').map((t) => t.content)).toEqual(['2049-3630', '0378-5955']);
  });

  it('writes structured references as Highwire key=value pairs and others as printed', () => {
    const references = citationMetaTags(edge).filter((t) => t.name === 'citation_reference').map((t) => t.content);
    expect(references[0]).toBe('citation_author=Carberry; citation_title=Toward a unified theory of high-energy metaphysics: Silly string theory; citation_journal_title=Journal of Psychoceramics; citation_volume=5; citation_issue=11; citation_firstpage=1; citation_lastpage=3; citation_publication_date=2008; citation_issn=0378-5955; citation_doi=10.5555/12345678');
    expect(references[1]).toBe('Smith & Jones. "On <angle> brackets". In: \'Proceedings\', 2020.');
    expect(references[2]).toBe('citation_author=Петров; citation_title=Теория экранирования; citation_publisher=Наука; citation_publication_date=2019; citation_isbn=978-3-16-148410-0');
    expect(references[3]).toBe('citation_doi=10.5555/example.only.doi');
  });

  it('dates by medium: the print date is the publication date, the online date its own tag; a year-month is a year', () => {
    const both = citationMetaTags(minimalRecord({ dates: { published: { online: '2024-03-01', print: '2024-06-15' } } }));
    expect(both.filter((t) => t.name.endsWith('_date')).map((t) => [t.name, t.content])).toEqual([
      ['citation_publication_date', '2024/06/15'],
      ['citation_online_date', '2024/03/01'],
    ]);
    const month = citationMetaTags(minimalRecord({ dates: { published: { online: '2024-03' } } }));
    expect(month.find((t) => t.name === 'citation_publication_date')!.content).toBe('2024');
  });

  it('passes for the Arabic sample and 250 synthetic records', () => {
    const second = sampleRecord('synthetic-edge-cases-2.json');
    expect(checkCitationMeta(toCitationMeta(second), second)).toEqual([]);
    const failures = generateSyntheticRecords(250).flatMap((r) => checkCitationMeta(toCitationMeta(r), r).map((p) => `${r.id}: ${p}`));
    expect(failures).toEqual([]);
  });
});

describe('checkCitationMeta catches broken output', () => {
  const edge = sampleRecord('synthetic-edge-cases-1.json');
  const html = toCitationMeta(edge);

  it('an unescaped quote: the content is cut and the rest becomes other attributes', () => {
    const broken = html.replace('&quot;Quoted&quot;', '"Quoted"');
    expect(checkCitationMeta(broken, edge)).toContainEqual(expect.stringMatching(/^tag 1: wrote .*read back .*"content":"Salt & Pepper: When <b> Isn't Bold, "/));
  });

  it('an unescaped "<" or stray text: content falls out of <head>', () => {
    const stray = html.replace('<meta name="citation_volume"', 'Volume: <meta name="citation_volume"');
    expect(checkCitationMeta(stray, edge)).toContainEqual('part of the fragment ended up in <body>: it is not head content');
    const tag = html.replace('<meta name="citation_doi"', '<p><meta name="citation_doi"');
    expect(checkCitationMeta(tag, edge)).toContainEqual('part of the fragment ended up in <body>: it is not head content');
  });

  it('a missing required tag, a second title, a date in another form', () => {
    expect(checkCitationMeta(html.replace(/<meta name="citation_publication_date"[^>]*>\n/, ''), edge)).toContainEqual('Google Scholar requires citation_publication_date');
    expect(checkCitationMeta(html.replace(/<meta name="citation_author" [^>]*>\n/g, ''), edge)).toContainEqual('Google Scholar requires at least one citation_author');
    expect(checkCitationMeta(`<meta name="citation_title" content="x">\n${html}`, edge)).toContainEqual('Google Scholar requires one citation_title; found 2');
    expect(checkCitationMeta(html.replace('content="2024/09/15"', 'content="15.09.2024"'), edge)).toContainEqual('citation_publication_date "15.09.2024" is neither YYYY/MM/DD nor a year');
  });
});

describe('toCitationMeta: what it refuses', () => {
  it('throws ExportError when Google Scholar\'s required author or date cannot be given', () => {
    const noAuthor = minimalRecord({ id: 'anon', contributors: [] });
    expect(() => toCitationMeta(noAuthor)).toThrow(ExportError);
    expect(() => toCitationMeta(noAuthor)).toThrow(expect.objectContaining({ recordId: 'anon', field: 'contributors', format: 'citation_meta' }));
    expect(() => toCitationMeta(minimalRecord({ issue: { volume: '1' } }))).toThrow(expect.objectContaining({ field: 'dates.published' }));
  });

  it('drops control characters rather than writing text HTML may not hold', () => {
    const record = minimalRecord({ title: { en: 'Bell\u0007 and escape\u001b here' } });
    expect(citationMetaTags(record)[0]).toEqual({ name: 'citation_title', content: 'Bell and escape here' });
    expect(checkCitationMeta(toCitationMeta(record), record)).toEqual([]);
  });
});

describe('citationMetaFormat descriptor', () => {
  it('is an HTML fragment checked by parsing it back', () => {
    expect(citationMetaFormat).toMatchObject({ id: 'citation_meta', extension: 'html', mediaType: 'text/html' });
    const seed = loadSeedSample();
    const check = citationMetaFormat.validation.kind === 'round-trip' ? citationMetaFormat.validation.check : undefined;
    expect(check!(citationMetaFormat.write(seed), seed)).toEqual([]);
  });
});
