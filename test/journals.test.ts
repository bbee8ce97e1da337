import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ExportError, toCrossref, toJats } from '../src/formats/index.js';
import {
  applyJournalProfile,
  expandUrlTemplate,
  explainRefusal,
  isOwnDoi,
  loadSeedJournalProfile,
  matchJournalProfile,
  ownershipProblem,
  profileCrossrefIdentity,
  profilePlaceholders,
  refusalHint,
  TEMPLATE_PLACEHOLDERS,
  urlTemplateProblems,
  validateJournalProfile,
  validateJournalProfileList,
  type JournalProfile,
} from '../src/journals/index.js';
import { loadSeedSample, type ArticleRecord } from '../src/model/index.js';
import { validateXml } from '../src/validate/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const seedNotes = readFileSync(join(root, '../shared/seed/NOTES.md'), 'utf8');

/** A record with only what the record model requires, under the 10.5555 example prefix. */
function record(overrides: Partial<ArticleRecord> = {}): ArticleRecord {
  return {
    language: 'en',
    title: { en: 'A test article' },
    contributors: [{ family: 'Tester' }],
    journal: { title: 'Journal of Profile Tests' },
    doi: '10.5555/jpt.2024.7',
    ...overrides,
  };
}

function profile(overrides: Partial<JournalProfile> = {}): JournalProfile {
  return { id: 'jpt', title: 'Journal of Profile Tests', doiPrefixes: ['10.5555'], ...overrides };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}

function errorsOf(value: unknown): Record<string, string[]> {
  const result = validateJournalProfile(value);
  expect(result.ok).toBe(false);
  const byPointer: Record<string, string[]> = {};
  if (!result.ok) for (const error of result.errors) (byPointer[error.pointer] ??= []).push(error.message);
  return byPointer;
}

describe('validateJournalProfile', () => {
  it('accepts the bundled seed profile as it is', () => {
    const raw = JSON.parse(readFileSync(join(root, 'samples/journals/jdp.json'), 'utf8')) as unknown;
    const result = validateJournalProfile(raw);
    expect(result.ok && result.profile).toEqual(raw);
  });

  it('returns the normal form (NNNN-NNNC ISSNs, prefixes without a trailing "/", doiPrefixes present) and leaves the input alone', () => {
    const input = deepFreeze({ id: 'hr', title: 'Hearing Research', issnPrint: '03785955', issnElectronic: '1878-5891', doiPrefixes: ['10.1016/'] });
    const result = validateJournalProfile(input);
    expect(result.ok && result.profile).toEqual({ id: 'hr', title: 'Hearing Research', issnPrint: '0378-5955', issnElectronic: '1878-5891', doiPrefixes: ['10.1016'] });
    const bare = validateJournalProfile({ id: 'x', title: 'X' });
    expect(bare.ok && bare.profile.doiPrefixes).toEqual([]);
  });

  it('reports every problem at once, each at its JSON pointer', () => {
    const errors = errorsOf({
      id: 'JDP',
      title: ' ',
      issnPrint: '0378-5956',
      issnElectronic: 'ISSN 1878',
      doiPrefixes: ['10.123', '11.33172', '10.33172', '10.33172'],
      landingUrl: 'https://journal.example.org/article/{articleId}',
      pdfUrl: 'https://journal.example.org/files/article.pdf',
      xmlUrl: 'journal.example.org/{doi}',
      depositor: { name: 'Editor' },
      license: 'CC BY 4.0',
      language: 'Indonesian!',
      issn: '0378-5955',
    });
    expect(Object.keys(errors).sort()).toEqual(
      [
        '/id', '/title', '/issnPrint', '/issnElectronic', '/doiPrefixes/0', '/doiPrefixes/1', '/doiPrefixes/3',
        '/landingUrl', '/pdfUrl', '/xmlUrl', '/depositor/email', '/license', '/language', '/issn',
      ].sort(),
    );
    expect(errors['/id']![0]).toMatch(/lowercase letters, digits and hyphens.*"JDP"/);
    expect(errors['/issnPrint']).toEqual(['ISSN check digit is wrong ("0378-5956")']);
    expect(errors['/issnElectronic']![0]).toMatch(/^must be an ISSN such as/);
    expect(errors['/doiPrefixes/0']![0]).toMatch(/DOI prefix.*"10\.123"/);
    expect(errors['/doiPrefixes/3']).toEqual(['repeats "10.33172"']);
    expect(errors['/landingUrl']).toEqual([
      'unknown placeholder {articleId}; the placeholders are {doi} {doiSuffix} {manuscript} {localId} {volume} {issue} {year}',
    ]);
    expect(errors['/pdfUrl']![0]).toMatch(/no placeholder, so every article would get the same URL/);
    expect(errors['/xmlUrl']![0]).toMatch(/absolute http\(s\) URL/);
    expect(errors['/depositor/email']).toEqual(['is required']);
    expect(errors['/language']![0]).toMatch(/BCP 47/);
    expect(errors['/issn']![0]).toMatch(/not a journal profile field.*issnPrint, issnElectronic/);
  });

  it('accepts DOI prefixes with subdivisions and BCP 47 tags with scripts', () => {
    expect(validateJournalProfile(profile({ doiPrefixes: ['10.1000.10', '10.5555'], language: 'zh-Hans' })).ok).toBe(true);
  });

  it('requires id and title, and takes only lowercase ids of at most 64 characters', () => {
    expect(errorsOf({})).toEqual({ '/id': ['is required'], '/title': ['is required'] });
    expect(validateJournalProfile(profile({ id: 'a'.repeat(64) })).ok).toBe(true);
    expect(Object.keys(errorsOf(profile({ id: 'a'.repeat(65) })))).toEqual(['/id']);
    expect(Object.keys(errorsOf(profile({ id: '-jdp' })))).toEqual(['/id']);
  });

  it('refuses one ISSN for both media', () => {
    expect(errorsOf(profile({ issnPrint: '0378-5955', issnElectronic: '0378-5955' }))).toEqual({
      '/issnElectronic': ['is the same as issnPrint (0378-5955); each medium has its own ISSN'],
    });
  });

  it('names each bad placeholder of each template field', () => {
    const errors = errorsOf(profile({ landingUrl: 'https://j.example.org/{vol}/{manuscript}', pdfUrl: 'https://j.example.org/{+doi}.pdf' }));
    expect(errors['/landingUrl']![0]).toMatch(/^unknown placeholder \{vol\}/);
    expect(errors['/pdfUrl']![0]).toMatch(/^unknown placeholder \{\+doi\}/);
  });

  it('is not an object: says so at the root', () => {
    expect(validateJournalProfile(['jdp'])).toEqual({ ok: false, errors: [{ pointer: '', message: 'must be a JSON object (got an array)' }] });
  });
});

describe('validateJournalProfileList (the config file\'s journals)', () => {
  it('prefixes pointers and refuses an id twice and one ISSN in two journals', () => {
    const result = validateJournalProfileList(
      [profile(), profile({ issnElectronic: '1878-5891' }), profile({ id: 'other', title: 'Other', issnPrint: '1878-5891' }), { id: 'bad' }],
      '/journals',
    );
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors).toEqual([
        { pointer: '/journals/1/id', message: 'repeats the id "jpt" of /journals/0' },
        { pointer: '/journals/2/issnPrint', message: '1878-5891 is already the ISSN of journal "jpt"' },
        { pointer: '/journals/3/title', message: 'is required' },
      ]);
    }
  });

  it('returns the profiles in normal form', () => {
    const result = validateJournalProfileList([profile({ issnPrint: '03785955' })]);
    expect(result.ok && result.profiles[0]!.issnPrint).toBe('0378-5955');
  });
});

describe('URL templates', () => {
  const full = record({
    id: 'local-7',
    issue: { volume: '12', number: '3', year: 2024 },
    otherIds: [{ type: 'pmid', value: '1' }, { type: 'publisher-id', value: 'e2024.07' }],
    articleNumber: 'e70',
  });

  it.each([
    ['doi', 'https://j.example.org/doi/10.5555/jpt.2024.7'],
    ['doiSuffix', 'https://j.example.org/doi/jpt.2024.7'],
    ['manuscript', 'https://j.example.org/doi/e2024.07'],
    ['localId', 'https://j.example.org/doi/local-7'],
    ['volume', 'https://j.example.org/doi/12'],
    ['issue', 'https://j.example.org/doi/3'],
    ['year', 'https://j.example.org/doi/2024'],
  ])('{%s}', (placeholder, url) => {
    expect(expandUrlTemplate(`https://j.example.org/doi/{${placeholder}}`, full)).toEqual({ ok: true, url });
  });

  it('covers every placeholder the module declares', () => {
    expect([...TEMPLATE_PLACEHOLDERS].sort()).toEqual(['doi', 'doiSuffix', 'issue', 'localId', 'manuscript', 'volume', 'year']);
  });

  it('{manuscript} is the publisher-id, else the article number (elocation-id), else the explicit local id', () => {
    const url = (r: ArticleRecord) => expandUrlTemplate('https://j.example.org/a/{manuscript}', r);
    expect(url({ ...full, otherIds: [{ type: 'pmid', value: '1' }] })).toEqual({ ok: true, url: 'https://j.example.org/a/e70' });
    expect(url({ ...full, otherIds: undefined, articleNumber: undefined })).toEqual({ ok: true, url: 'https://j.example.org/a/local-7' });
  });

  it('{manuscript} is refused, not made from the DOI, when the record has none of them', () => {
    const result = expandUrlTemplate('https://j.example.org/a/{manuscript}', record());
    expect(result).toMatchObject({ ok: false, placeholder: 'manuscript' });
    expect(!result.ok && result.message).toMatch(/publisher id \(otherIds type "publisher-id"\).*articleNumber.*\(id\), which 10\.5555\/jpt\.2024\.7 lacks/);
    // {localId} is the store key, which falls back to the DOI (as a single path segment).
    expect(expandUrlTemplate('https://j.example.org/a/{localId}', record())).toEqual({ ok: true, url: 'https://j.example.org/a/10.5555%2Fjpt.2024.7' });
  });

  it('{year} is the issue year, else the issue date, else the publication date (online, then print)', () => {
    const year = (r: ArticleRecord) => expandUrlTemplate('https://j.example.org/{year}/{doiSuffix}', r);
    expect(year(record({ issue: { publicationDate: '2023-05' } }))).toEqual({ ok: true, url: 'https://j.example.org/2023/jpt.2024.7' });
    expect(year(record({ dates: { published: { print: '2021-01-02', online: '2020-12-01' } } }))).toEqual({ ok: true, url: 'https://j.example.org/2020/jpt.2024.7' });
    expect(year(record({ dates: { published: { print: '2021-01-02' } } }))).toEqual({ ok: true, url: 'https://j.example.org/2021/jpt.2024.7' });
  });

  it('encodes each value as one path segment, as RFC 6570 §3.2.2 simple expansion does: all but unreserved characters, UTF-8', () => {
    // A SICI-style DOI: "(", ")", ":", "<", ">" and ";" in its suffix are all encoded.
    const sici = record({ doi: '10.1002/(sici)1097-4571(199806)49:8<693::aid-asi4>3.0.co;2-0' });
    expect(expandUrlTemplate('https://j.example.org/a/{doiSuffix}', sici)).toEqual({
      ok: true,
      url: 'https://j.example.org/a/%28sici%291097-4571%28199806%2949%3A8%3C693%3A%3Aaid-asi4%3E3.0.co%3B2-0',
    });
    // RFC 6570 §1.2's own level-1 example: {var} with "Hello World!" gives Hello%20World%21.
    expect(expandUrlTemplate('https://j.example.org/{manuscript}', record({ id: 'Hello World!' }))).toEqual({ ok: true, url: 'https://j.example.org/Hello%20World%21' });
    const slashed = record({ doi: '10.5555/jpt/2024/7', otherIds: [{ type: 'publisher-id', value: 'a b#c?d/é' }] });
    expect(expandUrlTemplate('https://j.example.org/a/{doiSuffix}/{manuscript}', slashed)).toEqual({
      ok: true,
      url: 'https://j.example.org/a/jpt%2F2024%2F7/a%20b%23c%3Fd%2F%C3%A9',
    });
    // {doi} keeps the one "/" between prefix and suffix, as resolver URLs do; the suffix's own are encoded.
    expect(expandUrlTemplate('https://j.example.org/doi/{doi}', slashed)).toEqual({ ok: true, url: 'https://j.example.org/doi/10.5555/jpt%2F2024%2F7' });
  });

  it('refuses a value the record lacks, naming the placeholder and the record field', () => {
    const result = expandUrlTemplate('https://j.example.org/{volume}/{issue}/{doiSuffix}', record({ issue: { volume: '4' } }));
    expect(result).toEqual({ ok: false, placeholder: 'issue', needs: 'issue.number', message: '{issue} needs issue.number, which 10.5555/jpt.2024.7 lacks' });
    expect(expandUrlTemplate('https://j.example.org/{volume}', record({ issue: { volume: '  ' } }))).toMatchObject({ ok: false, placeholder: 'volume' });
  });

  it('refuses an unknown placeholder or a template that is not an http(s) URL', () => {
    expect(expandUrlTemplate('https://j.example.org/{pages}', full)).toMatchObject({ ok: false, message: expect.stringMatching(/unknown placeholder \{pages\}/) });
    expect(expandUrlTemplate('ftp://j.example.org/{doi}', full)).toMatchObject({ ok: false, message: expect.stringMatching(/absolute http\(s\) URL/) });
    expect(expandUrlTemplate('{doi}', full)).toMatchObject({ ok: false });
    expect(expandUrlTemplate('https://{volume}.example.org/{doiSuffix}', record({ issue: { volume: 'a b' } }))).toMatchObject({ ok: false, message: expect.stringMatching(/not an absolute http\(s\) URL/) });
  });

  it('reports malformed braces by position', () => {
    expect(urlTemplateProblems('https://j.example.org/{doi')).toEqual(['has "{" without a matching "}" at character 23']);
    expect(urlTemplateProblems('https://j.example.org/doi}/{doi}')).toEqual(['has "}" without a matching "{" at character 26']);
    expect(urlTemplateProblems('https://j.example.org/a/{manuscript}')).toEqual([]);
  });
});

describe('matchJournalProfile', () => {
  const byId = profile({ id: 'by-id', title: 'Named Journal', doiPrefixes: [] });
  const byIssn = profile({ id: 'by-issn', title: 'ISSN Journal', issnElectronic: '1878-5891', doiPrefixes: ['10.1016'] });
  const byPrefix = profile({ id: 'by-prefix', title: 'Journal of Profile Tests', abbrevTitle: 'J. Prof. Tests', doiPrefixes: ['10.5555'] });
  const byTitle = profile({ id: 'by-title', title: 'Title Journal', doiPrefixes: ['10.9999'] });
  const profiles = [byId, byIssn, byPrefix, byTitle];

  it('takes the override, then journal.id, then ISSN, then DOI prefix, then title', () => {
    const r = record({ journal: { id: 'by-id', title: 'Journal of Profile Tests', issns: [{ value: '1878-5891', media: 'electronic' }] } });
    expect(matchJournalProfile(r, profiles, { journalId: 'by-id' })).toMatchObject({ status: 'matched', by: 'override', profile: { id: 'by-id' } });
    expect(matchJournalProfile(r, profiles)).toMatchObject({ status: 'matched', by: 'journal.id', profile: { id: 'by-id' } });
    const noId = { ...r, journal: { ...r.journal, id: undefined } };
    expect(matchJournalProfile(noId, profiles)).toMatchObject({ status: 'matched', by: 'issn', profile: { id: 'by-issn' } });
    const noIssn = { ...noId, journal: { title: 'Journal of Profile Tests' } };
    expect(matchJournalProfile(noIssn, profiles)).toMatchObject({ status: 'matched', by: 'doiPrefix', profile: { id: 'by-prefix' } });
    const otherPrefix = { ...noIssn, doi: '10.7777/x', journal: { title: 'Title Journal' } };
    expect(matchJournalProfile(otherPrefix, profiles)).toMatchObject({ status: 'matched', by: 'title', profile: { id: 'by-title' } });
    expect(matchJournalProfile({ ...otherPrefix, journal: { title: 'Unknown Journal' } }, profiles)).toEqual({
      status: 'unmatched',
      reason: '10.7777/x: no journal profile matches its journal "Unknown Journal" by journal.id, ISSN, DOI prefix or title',
    });
  });

  it('matches an ISSN whatever medium the record files it under', () => {
    const r = record({ doi: '10.7777/x', journal: { title: 'x', issns: [{ value: '1878-5891', media: 'print' }] } });
    expect(matchJournalProfile(r, profiles)).toMatchObject({ status: 'matched', by: 'issn', profile: { id: 'by-issn' } });
  });

  it('an explicit journal.id or --journal naming no profile is an error, as is --journal against the record\'s journal.id', () => {
    expect(matchJournalProfile(record({ journal: { id: 'gone', title: 'x' } }), profiles)).toEqual({
      status: 'error',
      message: '10.5555/jpt.2024.7: journal.id "gone" names no journal profile (profiles: "by-id", "by-issn", "by-prefix", "by-title"); add it with pubmeta journal add gone --title TITLE',
    });
    expect(matchJournalProfile(record(), profiles, { journalId: 'gone' })).toMatchObject({ status: 'error', message: expect.stringMatching(/^--journal gone: there is no journal profile "gone"/) });
    expect(matchJournalProfile(record({ journal: { id: 'by-title', title: 'x' } }), profiles, { journalId: 'by-id' })).toMatchObject({
      status: 'error',
      message: expect.stringMatching(/journal\.id is "by-title", not "by-id" as --journal says/),
    });
    // The override joins a record that matches nothing else.
    expect(matchJournalProfile(record({ doi: '10.7777/x', journal: { title: 'Unknown' } }), profiles, { journalId: 'by-title' })).toMatchObject({ status: 'matched', by: 'override' });
  });

  it('a DOI prefix needs the journal title to agree: a sister journal under a shared prefix stays unmatched, with the reason', () => {
    const sister = record({ doi: '10.5555/sister.1', journal: { title: 'Sister Journal' } });
    expect(matchJournalProfile(sister, profiles)).toEqual({
      status: 'unmatched',
      reason:
        '10.5555/sister.1: no journal profile matches its journal "Sister Journal" by journal.id, ISSN, DOI prefix or title: its DOI prefix 10.5555 is registered by journal "by-prefix", but its journal title "Sister Journal" is not that journal\'s; set journal.id or use --journal ID if it belongs there',
    });
    const sharing = profile({ id: 'sharing', title: 'Sharing Journal', doiPrefixes: ['10.5555'] });
    expect(matchJournalProfile(sister, [...profiles, sharing])).toMatchObject({
      reason: expect.stringContaining('registered by journals "by-prefix", "sharing", but its journal title "Sister Journal" is not theirs'),
    });
    // Two journals under one prefix: the title tells them apart, the abbreviated title counts.
    const twin = profile({ id: 'twin', title: 'Twin Journal', doiPrefixes: ['10.5555'] });
    expect(matchJournalProfile(record({ journal: { title: 'Twin Journal' } }), [...profiles, twin])).toMatchObject({ status: 'matched', by: 'doiPrefix', profile: { id: 'twin' } });
    expect(matchJournalProfile(record({ journal: { title: 'J. Prof. Tests' } }), [...profiles, twin])).toMatchObject({ status: 'matched', by: 'doiPrefix', profile: { id: 'by-prefix' } });
  });

  it('a prefix owns a DOI only up to the "/": 10.555 and 10.5555.1 own nothing of 10.5555/...', () => {
    const near = [profile({ id: 'near', doiPrefixes: ['10.555', '10.5555.1'], title: 'Other' })];
    expect(matchJournalProfile(record({ journal: { title: 'x' } }), near).status).toBe('unmatched');
  });

  it('titles match with whitespace collapsed and case ignored, but accents count', () => {
    const r = (title: string) => record({ doi: '10.7777/x', journal: { title } });
    expect(matchJournalProfile(r('  TITLE\u00a0 journal '), profiles)).toMatchObject({ status: 'matched', by: 'title', profile: { id: 'by-title' } });
    expect(matchJournalProfile(r('Títle Journal'), profiles).status).toBe('unmatched');
    // NFC: a decomposed accent equals the composed one.
    const accented = profile({ id: 'acc', title: 'Revista Econômica', doiPrefixes: [] });
    expect(matchJournalProfile(r('Revista Econo\u0302mica'), [accented])).toMatchObject({ status: 'matched', profile: { id: 'acc' } });
  });

  it('two journals alike by ISSN or title is an error naming both', () => {
    const r = record({ doi: '10.7777/x', journal: { title: 'Same', issns: [{ value: '1878-5891', media: 'electronic' }, { value: '0378-5955', media: 'print' }] } });
    const a = profile({ id: 'a', title: 'Same', issnElectronic: '1878-5891' });
    const b = profile({ id: 'b', title: 'Same', issnPrint: '0378-5955' });
    expect(matchJournalProfile(r, [a, b])).toMatchObject({ status: 'error', message: expect.stringMatching(/belong to journals "a", "b"/) });
    const noIssn = { ...r, journal: { title: 'Same' } };
    expect(matchJournalProfile(noIssn, [a, b])).toMatchObject({ status: 'error', message: expect.stringMatching(/is the title of journals "a", "b"/) });
  });
});

describe('applyJournalProfile', () => {
  const full = profile({
    abbrevTitle: 'J. Prof. Tests',
    issnPrint: '0378-5955',
    issnElectronic: '1878-5891',
    publisher: 'Profile Press',
    landingUrl: 'https://j.example.org/article/view/{manuscript}',
    pdfUrl: 'https://j.example.org/article/download/{manuscript}/pdf',
    xmlUrl: 'https://j.example.org/article/download/{manuscript}/xml',
    license: 'https://creativecommons.org/licenses/by/4.0/',
  });

  it('fills what the record lacks and lists the filled fields', () => {
    const input = deepFreeze(record({ articleNumber: 'e7' }));
    const { record: out, filled, unfilled } = applyJournalProfile(input, full);
    expect(filled).toEqual(['journal.id', 'journal.issns.print', 'journal.issns.electronic', 'journal.publisher', 'journal.abbrevTitle', 'landingPage', 'galleys.pdf', 'galleys.xml', 'license']);
    expect(unfilled).toEqual([]);
    expect(out.journal).toEqual({
      id: 'jpt',
      title: 'Journal of Profile Tests',
      abbrevTitle: 'J. Prof. Tests',
      issns: [{ value: '0378-5955', media: 'print' }, { value: '1878-5891', media: 'electronic' }],
      publisher: { name: 'Profile Press' },
    });
    expect(out.landingPage).toBe('https://j.example.org/article/view/e7');
    expect(out.galleys).toEqual([
      { url: 'https://j.example.org/article/download/e7/pdf', mimeType: 'application/pdf' },
      { url: 'https://j.example.org/article/download/e7/xml', mimeType: 'application/xml' },
    ]);
    expect(out.license).toEqual({ url: 'https://creativecommons.org/licenses/by/4.0/' });
    expect(input).toEqual(record({ articleNumber: 'e7' }));
  });

  it('the record\'s own values win', () => {
    const own = record({
      articleNumber: 'e7',
      journal: { id: 'jpt', title: 'Journal of Profile Tests', abbrevTitle: 'JPT', issns: [{ value: '2049-3630', media: 'electronic' }], publisher: { name: 'Own Press', place: 'Leiden' } },
      landingPage: 'https://own.example.org/e7',
      galleys: [{ url: 'https://own.example.org/e7.pdf', mimeType: 'Application/PDF' }, { url: 'https://own.example.org/e7.xml', mimeType: 'application/jats+xml' }],
      license: { url: 'https://creativecommons.org/licenses/by-nc/4.0/' },
    });
    const { record: out, filled } = applyJournalProfile(own, full);
    // Only the print ISSN was missing; the record's electronic ISSN stays.
    expect(filled).toEqual(['journal.issns.print']);
    expect(out).toEqual({ ...own, journal: { ...own.journal, issns: [{ value: '2049-3630', media: 'electronic' }, { value: '0378-5955', media: 'print' }] } });
  });

  it('does not add an ISSN the record already has under the other medium', () => {
    const r = record({ articleNumber: 'e7', journal: { title: 'x', issns: [{ value: '1878-5891', media: 'print' }] } });
    const { filled, record: out } = applyJournalProfile(r, full);
    expect(filled).not.toContain('journal.issns.electronic');
    expect(out.journal.issns).toEqual([{ value: '1878-5891', media: 'print' }]);
  });

  it('a template needing a value the record lacks fills nothing and says why', () => {
    const { record: out, filled, unfilled } = applyJournalProfile(record(), full);
    expect(out.landingPage).toBeUndefined();
    expect(out.galleys).toBeUndefined();
    expect(filled).not.toContain('landingPage');
    expect(unfilled.map((u) => [u.field, u.template, u.placeholder])).toEqual([
      ['landingPage', 'landingUrl', 'manuscript'],
      ['galleys.pdf', 'pdfUrl', 'manuscript'],
      ['galleys.xml', 'xmlUrl', 'manuscript'],
    ]);
    expect(unfilled[0]!.message).toMatch(/^journal jpt landingUrl: \{manuscript\} needs a publisher id/);
  });

  it('refuses a record of another journal', () => {
    expect(() => applyJournalProfile(record({ journal: { id: 'other', title: 'x' } }), full)).toThrow(/belongs to journal "other", not "jpt"/);
  });
});

describe('the seed journal profile (samples/journals/jdp.json) and the seed', () => {
  const jdp = loadSeedJournalProfile();
  const seed = loadSeedSample();

  it('states what the sources state: title, prefix of the seed DOI, publisher, licence, and no ISSN', () => {
    expect(seedNotes).toContain(`Journal: ${jdp.title} (`);
    expect(seedNotes).toContain(`Publisher: ${jdp.publisher} (`);
    expect(seedNotes).toContain(`(${jdp.license})`);
    expect(jdp.doiPrefixes).toEqual([seed.doi.slice(0, seed.doi.indexOf('/'))]);
    expect(seedNotes).toMatch(/Not known from any source here: the ISSN/);
    expect(jdp.issnPrint).toBeUndefined();
    expect(jdp.issnElectronic).toBeUndefined();
  });

  it('the seed carries its OJS article id from the landing-page URL, and says so in its notes', () => {
    expect(seedNotes).toContain('article id 323 in the journal\'s site');
    expect(seed.otherIds).toEqual([{ type: 'publisher-id', value: seed.landingPage!.split('/').pop() }]);
    expect(seed.notes!.some((note) => note.startsWith('otherIds publisher-id 323 '))).toBe(true);
  });

  it('builds the seed\'s exact landing page for the seed without one', () => {
    const { landingPage: _dropped, ...withoutLanding } = seed;
    const { record: out, filled } = applyJournalProfile(withoutLanding, jdp);
    expect(out.landingPage).toBe('https://jurnalprodi.idu.ac.id/index.php/DP/article/view/323');
    expect(out.landingPage).toBe(seed.landingPage);
    expect(filled).toEqual(['journal.id', 'landingPage']);
    expect(matchJournalProfile(withoutLanding, [jdp])).toMatchObject({ status: 'matched', by: 'doiPrefix', profile: { id: 'jdp' } });
  });

  it('invents no ISSN: JATS stays refused, and the refusal names the profile setting that fixes it', () => {
    const { record: out } = applyJournalProfile(seed, jdp);
    let refusal: unknown;
    try {
      toJats(out);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(ExportError);
    expect(explainRefusal(refusal as ExportError, { journalId: out.journal.id })).toBe(
      '10.33172/jdp.v4i2.323: JATS 1.3 Journal Publishing requires at least one ISSN (journal.issns); set it in the journal profile: pubmeta journal set jdp --issn-electronic NNNN-NNNN (or --issn-print NNNN-NNNN)',
    );
  });

  it('gives a Crossref head whose placeholders are named, and the deposit it makes validates against crossref5.3.1.xsd', () => {
    expect(profilePlaceholders(jdp)).toEqual(['depositor.name', 'depositor.email', 'registrant']);
    const identity = profileCrossrefIdentity(jdp)!;
    const { landingPage: _dropped, ...withoutLanding } = seed;
    const xml = toCrossref([applyJournalProfile(withoutLanding, jdp).record], { ...identity, timestamp: 20240101000000000n });
    expect(validateXml(xml, 'crossref-5.3.1')).toMatchObject({ valid: true });
    expect(xml).toContain('<resource>https://jurnalprodi.idu.ac.id/index.php/DP/article/view/323</resource>');
    expect(profilePlaceholders({ ...jdp, depositor: { name: 'Editor', email: 'editor@example.org' }, registrant: 'Press' })).toEqual([]);
  });
});

describe('refusal hints', () => {
  const refusal = (field: string) => ({ recordId: '10.5555/x', field, message: `10.5555/x: needs ${field}` });

  it.each([
    ['journal.issns', '--issn-electronic NNNN-NNNN (or --issn-print NNNN-NNNN)'],
    ['journal.publisher', '--publisher NAME'],
    ['journal.publisher.name', '--publisher NAME'],
    ['landingPage', "--landing-url 'https://journal.example.org/article/view/{manuscript}'"],
    ['license', '--license URL'],
    ['license.url', '--license URL'],
    ['depositor.name', '--depositor-name NAME'],
    ['depositor.email', '--depositor-email EMAIL'],
    ['registrant', '--registrant NAME'],
  ])('%s -> pubmeta journal set ID %s', (field, options) => {
    expect(explainRefusal(refusal(field), { journalId: 'jpt' })).toBe(`10.5555/x: needs ${field}; set it in the journal profile: pubmeta journal set jpt ${options}`);
  });

  it('a record without a profile is told to add one', () => {
    expect(refusalHint(refusal('journal.issns'), { journalTitle: 'Journal of Profile Tests' })).toBe(
      'the record belongs to no journal profile; add one: pubmeta journal add ID --title "Journal of Profile Tests" --issn-electronic NNNN-NNNN (or --issn-print NNNN-NNNN)',
    );
  });

  it('a landing-page template the record could not fill says which value is missing', () => {
    const unfilled = applyJournalProfile(record(), profile({ landingUrl: 'https://j.example.org/{volume}/{doiSuffix}' })).unfilled;
    expect(refusalHint(refusal('landingPage'), { journalId: 'jpt', unfilled })).toBe(
      'the journal profile could not fill it: journal jpt landingUrl: {volume} needs issue.volume, which 10.5555/jpt.2024.7 lacks',
    );
  });

  it('fields no profile supplies get no hint', () => {
    expect(refusalHint(refusal('issue.year'), { journalId: 'jpt' })).toBeUndefined();
    expect(explainRefusal(refusal('contributors/0/family'), { journalId: 'jpt' })).toBe('10.5555/x: needs contributors/0/family');
  });
});

describe('deposit ownership', () => {
  const jdp = loadSeedJournalProfile();

  it('a DOI is the journal\'s own when it starts with one of its prefixes and "/", in any case or resolver form', () => {
    expect(isOwnDoi('10.33172/jdp.v4i2.323', jdp)).toBe(true);
    expect(isOwnDoi('10.33172/JDP.V4I2.323', jdp)).toBe(true);
    expect(isOwnDoi('https://doi.org/10.33172/jdp.v4i2.323', jdp)).toBe(true);
    expect(isOwnDoi('10.331720/jdp.1', jdp)).toBe(false);
    expect(isOwnDoi('10.3317/jdp.1', jdp)).toBe(false);
    expect(isOwnDoi('10.33172.1/jdp.1', jdp)).toBe(false);
    expect(isOwnDoi('10.33172/', jdp)).toBe(false);
    expect(isOwnDoi('10.33172', jdp)).toBe(false);
  });

  it('a DOI outside every prefix is refused with the journal and its prefixes named', () => {
    const seed = loadSeedSample();
    expect(ownershipProblem(seed, jdp)).toBeUndefined();
    expect(ownershipProblem({ ...seed, doi: '10.5555/harvested.1' }, jdp)).toBe(
      '10.5555/harvested.1: not deposited: the DOI is outside the DOI prefixes of journal jdp (Jurnal Diplomasi Pertahanan): 10.33172',
    );
    expect(ownershipProblem({ ...seed, doi: '10.5555/x' }, { ...jdp, doiPrefixes: ['10.33172', '10.1234'] })).toMatch(/: 10\.33172, 10\.1234$/);
  });

  it('a journal without prefixes, or a record without a journal profile, deposits nothing', () => {
    const seed = loadSeedSample();
    expect(ownershipProblem(seed, { ...jdp, doiPrefixes: [] })).toBe(
      '10.33172/jdp.v4i2.323: not deposited: journal jdp (Jurnal Diplomasi Pertahanan) has no DOI prefix; set it with pubmeta journal set jdp --doi-prefix 10.NNNN',
    );
    expect(ownershipProblem(seed, undefined)).toMatch(/^10\.33172\/jdp\.v4i2\.323: not deposited: its journal "Jurnal Diplomasi Pertahanan" has no journal profile/);
  });
});
