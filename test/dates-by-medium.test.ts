// Dates by medium (issue 9 item 7): an online and a print publication date each keep their
// medium in Crossref (publication_date/@media_type, crossref5.3.1.xsd date_t) and JATS
// (pub-date/@publication-format with date-type="pub", JATS4R "Publication dates"), history dates
// (received, rev-recd, accepted) go to JATS, oai_dc carries the earliest, and the readers fill
// the same fields back.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readCrossref, readJats, readOaiDc, toCrossref, toJats, toOaiDc } from '../src/formats/index.js';
import { validateArticle, type ArticleRecord } from '../src/model/index.js';
import { formatXmlErrors, validateXml } from '../src/validate/index.js';
import { at, attr, one, parseXml, text, texts } from './formats-helpers.js';

const HEAD = { depositor: { name: 'Example Press', email: 'deposits@example.org' }, registrant: 'Example Press' };

function sample(dates: unknown, changes: (record: Record<string, unknown>) => void = () => {}): ArticleRecord {
  const value = JSON.parse(readFileSync(new URL('../samples/synthetic-edge-cases-1.json', import.meta.url), 'utf8')) as Record<string, unknown>;
  value['dates'] = dates;
  changes(value);
  const result = validateArticle(value);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.record;
}

function expectValid(xml: string, schema: string): void {
  const result = validateXml(xml, schema);
  expect(result.valid, formatXmlErrors(result.errors)).toBe(true);
}

const BOTH = { received: '2024-01-10', revised: '2024-03-02', accepted: '2024-06-02', published: { online: '2024-09-15', print: '2024-10' } };

describe('an article published online and in print', () => {
  const record = sample(BOTH);

  it('Crossref: one publication_date per medium, valid against the 5.3.1 schema, and reads back equal', () => {
    const xml = toCrossref([record], HEAD);
    expectValid(xml, 'crossref-5.3.1');
    const article = one(parseXml(xml), 'doi_batch/body/journal/journal_article');
    const dates = at(article, 'publication_date').map((d) => ({ media: attr(d, 'media_type'), month: texts(d, 'month')[0], day: texts(d, 'day')[0], year: text(one(d, 'year')) }));
    expect(dates).toEqual([
      { media: 'online', month: '09', day: '15', year: '2024' },
      { media: 'print', month: '10', day: undefined, year: '2024' },
    ]);
    const back = readCrossref(xml).records[0]!;
    expect(back.dates?.published).toEqual(BOTH.published);
    expect(back.dates?.accepted).toBe(BOTH.accepted);
  });

  it('JATS: pub-date per publication-format with date-type="pub", history with rev-recd, valid JATS 1.3, and reads back equal', () => {
    const xml = toJats(record);
    expectValid(xml, 'jats');
    const meta = one(parseXml(xml), 'article/front/article-meta');
    const pubDates = at(meta, 'pub-date').map((d) => [attr(d, 'publication-format'), attr(d, 'date-type'), attr(d, 'iso-8601-date')]);
    expect(pubDates).toEqual([
      ['electronic', 'pub', '2024-09-15'],
      ['print', 'pub', '2024-10'],
      // The date: the print issue when the article appeared in print.
      ['print', 'collection', '2024-09'],
    ]);
    expect(at(meta, 'history/date').map((d) => [attr(d, 'date-type'), attr(d, 'iso-8601-date')])).toEqual([
      ['received', '2024-01-10'],
      ['rev-recd', '2024-03-02'],
      ['accepted', '2024-06-02'],
    ]);
    expect(readJats(xml).records[0]!.dates).toEqual(BOTH);
  });

  it('oai_dc: the earliest date as dc:date (read back as the one date Dublin Core has)', () => {
    const dc = (r: ArticleRecord) => texts(one(parseXml(toOaiDc(r)), 'oai_dc:dc'), 'dc:date');
    expect(dc(record)).toEqual(['2024-09-15']);
    expect(dc(sample({ published: { online: '2024-09-15', print: '2024-08' } }))).toEqual(['2024-08']);
    // A year alone and a full date in that year: the full date (the year says no more).
    expect(dc(sample({ published: { online: '2024-09-15', print: '2024' } }))).toEqual(['2024-09-15']);
    expect(readOaiDc(toOaiDc(record)).records[0]!.dates?.published).toEqual({ online: '2024-09-15' });
  });
});

describe('one medium only', () => {
  it('a print date alone is print in Crossref and JATS, whatever the journal', () => {
    const record = sample({ published: { print: '2023-05-01' } });
    const article = one(parseXml(toCrossref([record], HEAD)), 'doi_batch/body/journal/journal_article');
    expect(at(article, 'publication_date').map((d) => attr(d, 'media_type'))).toEqual(['print']);
    const jats = toJats(record);
    expectValid(jats, 'jats');
    expect(at(one(parseXml(jats), 'article/front/article-meta'), 'pub-date').map((d) => [attr(d, 'publication-format'), attr(d, 'date-type')])).toEqual([
      ['print', 'pub'],
      ['print', 'collection'],
    ]);
    expect(readJats(jats).records[0]!.dates?.published).toEqual({ print: '2023-05-01' });
  });

  it('a single legacy date keeps the old rule: print for a print-only journal without any web address', () => {
    const record = sample({ published: '2023-05-01' }, (value) => {
      (value['journal'] as Record<string, unknown>)['issns'] = [{ value: '0378-5955', media: 'print' }];
      delete value['landingPage'];
      delete value['galleys'];
    });
    expect(record.dates?.published).toEqual({ online: '2023-05-01' });
    const meta = one(parseXml(toJats(record)), 'article/front/article-meta');
    expect(at(meta, 'pub-date').map((d) => attr(d, 'publication-format'))).toEqual(['print', 'print']);
  });

  it('an online date on a journal with a web presence is electronic', () => {
    const record = sample({ published: { online: '2023-05-01' } });
    const meta = one(parseXml(toJats(record)), 'article/front/article-meta');
    expect(at(meta, 'pub-date').map((d) => attr(d, 'publication-format'))).toEqual(['electronic', 'electronic']);
  });
});

describe('Crossref deposits read by medium', () => {
  it('a publication_date without media_type is print (the schema default)', () => {
    const xml = toCrossref([sample({ published: { online: '2024-09-15' } })], HEAD).replace(/<journal_issue>[^]*?<\/journal_issue>/, '').replace(' media_type="online"', '');
    expect(readCrossref(xml).records[0]!.dates?.published).toEqual({ print: '2024-09-15' });
  });
});
