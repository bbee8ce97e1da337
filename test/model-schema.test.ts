import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020Module from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { articleSchema, formatFieldErrors, validateArticle, type ArticleRecord, type FieldError } from '../src/model/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const seedJson = readFileSync(join(root, 'samples/seed-jdp-323.json'), 'utf8');

/** A fresh, mutable copy of the seed sample as it is on disk. */
function seed(): ArticleRecord & Record<string, unknown> {
  return JSON.parse(seedJson) as ArticleRecord & Record<string, unknown>;
}

function errorsOf(value: unknown): FieldError[] {
  const result = validateArticle(value);
  if (result.ok) throw new Error('expected the record to be rejected');
  return result.errors;
}

/** Asserts exactly one error, at `pointer`, whose message matches. */
function expectSingleError(value: unknown, pointer: string, message: RegExp): void {
  const errors = errorsOf(value);
  expect(errors, JSON.stringify(errors)).toHaveLength(1);
  expect(errors[0]!.pointer).toBe(pointer);
  expect(errors[0]!.message).toMatch(message);
}

describe('the article JSON Schema document', () => {
  it('is a valid JSON Schema 2020-12 document with an $id', () => {
    const schema = articleSchema();
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(typeof schema.$id).toBe('string');
    type AjvClass = typeof Ajv2020Module.default;
    const Ajv2020 = ((Ajv2020Module as unknown as { default?: AjvClass }).default ?? Ajv2020Module) as AjvClass;
    // Validated against the 2020-12 meta-schema by a plain ajv that knows nothing of our extensions.
    const plain = new Ajv2020({ strict: false, validateFormats: false });
    expect(plain.validateSchema(schema), JSON.stringify(plain.errors)).toBe(true);
  });

  it('forbids unknown fields on every object it defines', () => {
    const objects: string[] = [];
    const visit = (node: unknown, path: string): void => {
      if (node === null || typeof node !== 'object') return;
      const schemaNode = node as Record<string, unknown>;
      if (schemaNode.type === 'object' && schemaNode.properties && schemaNode.additionalProperties !== false) objects.push(path);
      for (const [key, child] of Object.entries(schemaNode)) visit(child, `${path}/${key}`);
    };
    visit(articleSchema(), '#');
    expect(objects).toEqual([]);
  });
});

describe('validateArticle accepts and normalises', () => {
  it('accepts the seed sample unchanged', () => {
    const result = validateArticle(seed());
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.record).toEqual(seed());
  });

  it('normalises DOI, ORCID and ROR input forms without mutating the input', () => {
    const input = seed();
    input.doi = 'https://doi.org/10.33172/JDP.v4i2.323';
    input.contributors[0]!.orcid = 'https://orcid.org/0000-0002-1694-233x';
    input.contributors[0]!.affiliations![0]!.ror = '05GQ02987';
    input.references![0]!.doi = 'doi:10.1000/ABC';
    input.journal.issns = [{ value: '03785955', media: 'print' }];
    const before = JSON.stringify(input);
    const result = validateArticle(input);
    expect(JSON.stringify(input)).toBe(before);
    expect(result.ok, JSON.stringify(!result.ok && result.errors)).toBe(true);
    if (!result.ok) return;
    expect(result.record.doi).toBe('10.33172/jdp.v4i2.323');
    expect(result.record.contributors[0]!.orcid).toBe('0000-0002-1694-233X');
    expect(result.record.contributors[0]!.affiliations![0]!.ror).toBe('https://ror.org/05gq02987');
    expect(result.record.references![0]!.doi).toBe('10.1000/abc');
    expect(result.record.journal.issns![0]!.value).toBe('0378-5955');
  });

  it('reads a single dates.published string (the form before dates by medium) as the online date', () => {
    const result = validateArticle({ ...seed(), dates: { received: '2018-01', published: '2018-12-01' } });
    expect(result.ok && result.record.dates).toEqual({ received: '2018-01', published: { online: '2018-12-01' } });
    const unknownMedium = validateArticle({ ...seed(), dates: { published: { web: '2018-12-01' } } });
    expect(unknownMedium.ok ? [] : unknownMedium.errors.map((e) => e.pointer)).toEqual(['/dates/published/web']);
  });

  it('accepts roman-numeral pages, partial dates and an article number alone', () => {
    const withPages = seed();
    withPages.pages = { first: 'xii', last: 'xxiv' };
    withPages.dates = { received: '2018', accepted: '2018-02', published: { online: '2020-02-29' } };
    expect(validateArticle(withPages).ok).toBe(true);
    const withNumber = seed();
    withNumber.articleNumber = 'e323';
    expect(validateArticle(withNumber).ok).toBe(true);
  });
});

describe('validateArticle rejects each violation at its field', () => {
  it('missing DOI', () => {
    const record = seed();
    delete (record as Partial<ArticleRecord>).doi;
    expectSingleError(record, '/doi', /is required/);
  });

  it('malformed DOI', () => {
    expectSingleError({ ...seed(), doi: '10.12/abc' }, '/doi', /must be a DOI/);
    expectSingleError({ ...seed(), doi: 'https://example.org/10.1000/x' }, '/doi', /must be a DOI/);
  });

  it('bad ORCID checksum, with the iD in the message', () => {
    const record = seed();
    record.contributors[1]!.orcid = '0000-0002-1825-0096';
    expectSingleError(record, '/contributors/1/orcid', /^ORCID checksum is wrong \(0000-0002-1825-0096\)$/);
  });

  it('malformed ORCID', () => {
    const record = seed();
    record.contributors[2]!.orcid = '1825-0097';
    expectSingleError(record, '/contributors/2/orcid', /must be an ORCID iD/);
  });

  it('bad ISSN check digit and bad media type', () => {
    const record = seed();
    record.journal.issns = [{ value: '0378-5954', media: 'print' }];
    expectSingleError(record, '/journal/issns/0/value', /ISSN check digit is wrong \(0378-5954\)/);
    record.journal.issns = [{ value: '0378-5955', media: 'online' as 'print' }];
    expectSingleError(record, '/journal/issns/0/media', /must be one of "print", "electronic"/);
  });

  it('bad ROR checksum', () => {
    const record = seed();
    record.contributors[0]!.affiliations![0]!.ror = 'https://ror.org/05gq02988';
    expectSingleError(record, '/contributors/0/affiliations/0/ror', /ROR id checksum is wrong/);
  });

  it('whitespace-only title (spaces, newlines, no-break spaces)', () => {
    const record = seed();
    record.title.en = ' \n\t\u00a0';
    expectSingleError(record, '/title/en', /^must contain non-whitespace text$/);
  });

  it('empty title map and missing title', () => {
    // The primary language then has no title either: both are reported.
    const empty = errorsOf({ ...seed(), title: {} });
    expect(empty.find((e) => e.pointer === '/title')?.message).toMatch(/at least one language/);
    expect(empty.map((e) => e.pointer).sort()).toEqual(['/language', '/title']);
    const record = seed();
    delete (record as Partial<ArticleRecord>).title;
    const errors = errorsOf(record);
    expect(errors.map((e) => e.pointer)).toContain('/title');
  });

  it('wrong types', () => {
    expectSingleError({ ...seed(), issue: { volume: '4', number: '2', year: '2018' } }, '/issue/year', /must be an integer \(got a string\)/);
    expectSingleError({ ...seed(), contributors: {} }, '/contributors', /must be an array/);
    expectSingleError({ ...seed(), title: 'Pola Perimbangan' }, '/title', /must be an object \(got a string\)/);
    expectSingleError({ ...seed(), synthetic: 'yes' }, '/synthetic', /must be true or false/);
    expectSingleError({ ...seed(), references: [{ unstructured: 42 }] }, '/references/0/unstructured', /must be a string/);
  });

  it('both pages and an article number', () => {
    expectSingleError({ ...seed(), pages: { first: '1', last: '9' }, articleNumber: 'e1' }, '/pages', /either pages or articleNumber, not both/);
  });

  it('page numbers that are neither arabic nor roman, and a range that runs backwards', () => {
    expectSingleError({ ...seed(), pages: { first: '12a' } }, '/pages/first', /arabic or roman/);
    expectSingleError({ ...seed(), pages: { first: 'xiiii' } }, '/pages/first', /arabic or roman/);
    expectSingleError({ ...seed(), pages: { first: '120', last: '117' } }, '/pages/last', /before the first page/);
    expectSingleError({ ...seed(), pages: { first: 'xxiv', last: 'xii' } }, '/pages/last', /before the first page/);
  });

  it('a person without a family name and an organization without a name', () => {
    const record = seed();
    record.contributors.push({ given: 'Rangga' });
    expectSingleError(record, '/contributors/3/family', /person needs a family name/);
    const group = seed();
    group.contributors.push({ type: 'organization' });
    expectSingleError(group, '/contributors/3/name', /organization needs a name/);
  });

  it('accepts a family-name-only person and a named organization', () => {
    const record = seed();
    record.contributors.push({ family: 'Sukarno' }, { type: 'organization', name: 'SCO Study Group' });
    expect(validateArticle(record).ok).toBe(true);
  });

  it('a reference with neither text, fields nor DOI', () => {
    const record = seed();
    record.references![4] = { key: 'ref5' };
    expectSingleError(record, '/references/4', /needs unstructured text, structured fields or a DOI/);
  });

  it('language keys that are not BCP 47 tags', () => {
    const record = seed();
    (record.keywords as Record<string, string[]>)['en_US'] = ['balancing'];
    expectSingleError(record, '/keywords/en_US', /not a BCP 47 language tag/);
  });

  it('a primary language that has no title', () => {
    expectSingleError({ ...seed(), language: 'ru' }, '/language', /languages of \/title/);
  });

  it('impossible dates', () => {
    expectSingleError({ ...seed(), dates: { published: { print: '2019-02-29' } } }, '/dates/published/print', /real date/);
    // The form before dates by medium (one string) is read as the online date, and checked as one.
    expectSingleError({ ...seed(), dates: { published: '2019-02-29' } }, '/dates/published/online', /real date/);
    expectSingleError({ ...seed(), dates: { received: '2018-13' } }, '/dates/received', /real date/);
  });

  it('bad e-mail and non-http URLs', () => {
    const record = seed();
    record.contributors[0]!.email = 'rangga.akhli at idu.ac.id';
    expectSingleError(record, '/contributors/0/email', /e-mail address/);
    expectSingleError({ ...seed(), landingPage: 'jurnalprodi.idu.ac.id/index.php/DP/article/view/323' }, '/landingPage', /http\(s\) URL/);
    expectSingleError({ ...seed(), license: { url: 'ftp://example.org/licence' } }, '/license/url', /http\(s\) URL/);
  });

  it('unknown fields, with JSON-pointer escaping of "/" and "~"', () => {
    expectSingleError({ ...seed(), 'a/b~c': 1 }, '/a~1b~0c', /not a field/);
    const record = seed();
    (record.contributors[0] as Record<string, unknown>).orcId = '0000-0002-1825-0097';
    expectSingleError(record, '/contributors/0/orcId', /not a field/);
  });

  it('a value that is not an object at all', () => {
    for (const value of [null, [], 'record', 42]) {
      const errors = errorsOf(value);
      expect(errors).toHaveLength(1);
      expect(errors[0]!.pointer).toBe('');
    }
  });

  it('values JSON cannot hold, by pointer; properties set to undefined count as absent', () => {
    const record = seed();
    (record.dates as unknown) = { published: new Date('2018-12-01') };
    expectSingleError(record, '/dates/published', /plain JSON data \(got a Date\)/);
    const withUndefined = { ...seed(), pages: undefined, articleNumber: 'e1' };
    const result = validateArticle(withUndefined);
    expect(result.ok).toBe(true);
    if (result.ok) expect('pages' in result.record).toBe(false);
  });

  it('reports all problems at once', () => {
    const record = seed();
    delete (record as Partial<ArticleRecord>).doi;
    record.title.en = '   ';
    record.contributors[1]!.orcid = '0000-0002-1825-0096';
    record.journal.issns = [{ value: '0378-5954', media: 'print' }];
    const pointers = errorsOf(record).map((e) => e.pointer);
    expect(pointers.sort()).toEqual(['/contributors/1/orcid', '/doi', '/journal/issns/0/value', '/title/en']);
  });
});

describe('formatFieldErrors', () => {
  it('gives one "label: /pointer: message" line per error', () => {
    const text = formatFieldErrors('jdp-323.json', [
      { pointer: '/doi', message: 'is required' },
      { pointer: '', message: 'must be a JSON object (got null)' },
    ]);
    expect(text.split('\n')).toEqual(['jdp-323.json: /doi: is required', 'jdp-323.json: /: must be a JSON object (got null)']);
  });
});
