/**
 * Spreadsheets, templates and JSON record validation as an editor runs them: the built CLI
 * (dist/cli/main.js) spawned on real files, imports checked in a real SQLite store.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArticleRecord } from '../src/model/index.js';
import { formatIds } from '../src/formats/registry.js';
import { openStore } from '../src/store/index.js';
import { runNode } from './helpers/run-node.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist/cli/main.js');
let dir: string;

async function pubmeta(...args: string[]) {
  const run = await runNode([CLI, ...args], { cwd: dir, env: { ...process.env, PUBMETA_DB: '' }, timeoutMs: 120_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

async function storedRecords(db: string): Promise<Map<string, ArticleRecord>> {
  const store = await openStore(join(dir, db));
  try {
    const out = new Map<string, ArticleRecord>();
    for (const row of await store.records.list({}, 1000)) if (row.record) out.set(row.localId, row.record);
    return out;
  } finally {
    await store.close();
  }
}

/** Spreadsheet column letters, counted independently of the code under test. */
function letterOf(index: number): string {
  return index < 26 ? String.fromCharCode(65 + index) : String.fromCharCode(64 + Math.floor(index / 26)) + String.fromCharCode(65 + (index % 26));
}

/** One CSV line, quoted as spreadsheet programs quote (only cells that need it). */
function csvLine(cells: string[], delimiter = ','): string {
  return cells.map((c) => (c.includes(delimiter) || /["\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(delimiter);
}

beforeAll(() => {
  expect(existsSync(CLI), 'dist/cli/main.js is missing: run npm run build').toBe(true);
  dir = mkdtempSync(join(tmpdir(), 'pubmeta-sheet-cli-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('pubmeta import of the bundled example spreadsheet', () => {
  it('imports samples/example-issue.csv as the three records it describes', async () => {
    const run = await pubmeta('import', join(ROOT, 'samples/example-issue.csv'), '--db', 'example.db');
    // Nothing on stderr but the progress lines a slow (loaded) machine may get every 10 s.
    const progressLine = (line: string) => /"msg":"import progress"/.test(line);
    expect(run.stderr.split('\n').filter((line) => line !== '' && !progressLine(line))).toEqual([]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/example-issue\.csv: 3 created\n/);
    const expected = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/spreadsheet/example-issue.records.json'), 'utf8')) as ArticleRecord[];
    const stored = await storedRecords('example.db');
    expect(stored.size).toBe(3);
    for (const record of expected) expect(stored.get(record.id!)).toEqual(record);
  });
});

describe('pubmeta export of a spreadsheet', () => {
  it('exports every row of samples/example-issue.csv to every registered format, each file valid', async () => {
    const run = await pubmeta('export', join(ROOT, 'samples/example-issue.csv'), '--format', 'all', '--out', 'exported');
    expect(run.status, run.stderr).toBe(0);
    // Layout <out>/<format>/<id>.<ext>; Crossref goes out as deposit batches instead.
    const formats = readdirSync(join(dir, 'exported')).sort();
    expect(formats).toEqual(formatIds().sort());
    for (const format of formats.filter((f) => f !== 'crossref')) {
      const names = readdirSync(join(dir, 'exported', format)).map((f) => f.replace(/\.[^.]+$/, '')).sort();
      expect(names, format).toEqual(['example-issue-1', 'example-issue-2', 'example-issue-3']);
    }
    const batches = readdirSync(join(dir, 'exported', 'crossref'));
    expect(batches).toHaveLength(1);
    const batch = readFileSync(join(dir, 'exported', 'crossref', batches[0]!), 'utf8');
    for (const n of [1, 2, 3]) expect(batch).toContain(`<doi>10.5555/example-issue-${n}</doi>`);
    const validated = await pubmeta('validate', 'exported');
    expect(validated.status, validated.stdout + validated.stderr).toBe(0);
    expect(validated.stdout).not.toMatch(/invalid/);
  });
});

describe('pubmeta import: 3 bad rows among 20', () => {
  const header = ['id', 'doi', 'language', 'title.en', 'author1.given', 'author1.family', 'author1.orcid', 'journal.id', 'journal.title', 'issue.volume', 'dates.published.online', 'references'];
  const row = (n: number): string[] => [
    `row-${n}`,
    `10.5555/sheet-test-${n}`,
    'en',
    `Article number ${n}`,
    'Josiah',
    'Carberry',
    '0000-0002-1825-0097',
    'example-journal',
    'Example Journal of Scholarly Metadata',
    '12',
    '2024-07-15',
    `First citation of ${n}\nSecond citation of ${n}`,
  ];
  const col = (name: string) => letterOf(header.indexOf(name));

  it('imports the 17 good rows, reports each bad row as FILE:ROW with column letter and header name, exits 1', async () => {
    const rows = Array.from({ length: 20 }, (_, i) => row(i + 1));
    rows[3]![header.indexOf('author1.orcid')] = '0000-0002-1825-0098'; // spreadsheet row 5: checksum
    rows[9]![header.indexOf('dates.published.online')] = '15.07.2024'; // row 11: a locale date
    rows[15]![header.indexOf('journal.title')] = ''; // row 17: required, empty
    writeFileSync(join(dir, 'rows.csv'), `${[header, ...rows].map((cells) => csvLine(cells)).join('\r\n')}\r\n`);

    const run = await pubmeta('import', 'rows.csv', '--db', 'rows.db');
    expect(run.status).toBe(1);
    const errors = run.stderr.trim().split('\n');
    expect(errors).toEqual([
      expect.stringMatching(new RegExp(`^rows\\.csv:5: column ${col('author1.orcid')} \\(author1\\.orcid\\): ORCID checksum is wrong`)),
      expect.stringMatching(new RegExp(`^rows\\.csv:11: column ${col('dates.published.online')} \\(dates\\.published\\.online\\): must be a real date as YYYY, YYYY-MM or YYYY-MM-DD \\(got 15\\.07\\.2024\\); spreadsheet programs rewrite dates in the local format: format the column as text`)),
      `rows.csv:17: column ${col('journal.title')} (journal.title): is required`,
    ]);
    expect(run.stdout).toMatch(/^rows\.csv: 17 created, 3 invalid$/m);
    const stored = await storedRecords('rows.db');
    expect([...stored.keys()].sort()).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1)
        .filter((n) => ![4, 10, 16].includes(n))
        .map((n) => `row-${n}`)
        .sort(),
    );
    // The references cell, one citation per line, became two references.
    expect(stored.get('row-1')!.references).toEqual([{ unstructured: 'First citation of 1' }, { unstructured: 'Second citation of 1' }]);
  });
});

describe('pubmeta import: files as spreadsheet programs write them', () => {
  // Excel / LibreOffice in a German or Indonesian locale: "CSV UTF-8" with a byte-order mark,
  // ";" between cells (the comma is the decimal separator there), CRLF rows, LF inside cells,
  // quotes only where a cell needs them, and booleans in the locale's words.
  const header = ['id', 'doi', 'title.de', 'title.id', 'language', 'author1.given', 'author1.family', 'author1.corresponding', 'author1.affiliation1.name', 'journal.title', 'pages.first', 'pages.last', 'references'];
  const cells = [
    'locale-1',
    '10.5555/locale-1',
    'Größenordnungen; eine Übersicht',
    'Besaran: sebuah tinjauan',
    'de',
    'Jürgen',
    'Müller-Lüdenscheidt',
    'WAHR',
    'Universität Beispiel, Fakultät für Ökonomie',
    'Beispiel-Zeitschrift für Metadaten',
    '7',
    '19',
    'Müller, J. (2020). Über Metadaten. Beispiel-Verlag.\n"Quoted" source, 2021.',
  ];
  const expected = {
    id: 'locale-1',
    doi: '10.5555/locale-1',
    language: 'de',
    title: { de: 'Größenordnungen; eine Übersicht', id: 'Besaran: sebuah tinjauan' },
    contributors: [{ given: 'Jürgen', family: 'Müller-Lüdenscheidt', corresponding: true, affiliations: [{ name: 'Universität Beispiel, Fakultät für Ökonomie' }] }],
    journal: { title: 'Beispiel-Zeitschrift für Metadaten' },
    pages: { first: '7', last: '19' },
    references: [{ unstructured: 'Müller, J. (2020). Über Metadaten. Beispiel-Verlag.' }, { unstructured: '"Quoted" source, 2021.' }],
  };

  it('reads a ;-delimited UTF-8 file with a byte-order mark', async () => {
    const text = `\uFEFF${csvLine(header, ';')}\r\n${csvLine(cells, ';')}\r\n`;
    writeFileSync(join(dir, 'locale.csv'), text, 'utf8');
    expect(readFileSync(join(dir, 'locale.csv')).subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const run = await pubmeta('import', 'locale.csv', '--db', 'locale.db');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect((await storedRecords('locale.db')).get('locale-1')).toEqual(expected);
  });

  it('reads UTF-16 LE "Unicode text" (tab-delimited, as Excel saves it) and UTF-16 BE, each with a byte-order mark', async () => {
    const text = `\uFEFF${csvLine(header, '\t')}\r\n${csvLine(cells, '\t')}\r\n`;
    const le = Buffer.from(text, 'utf16le');
    const be = Buffer.from(le).swap16();
    expect(le.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xfe]));
    expect(be.subarray(0, 2)).toEqual(Buffer.from([0xfe, 0xff]));
    writeFileSync(join(dir, 'unicode-le.txt'), le);
    writeFileSync(join(dir, 'unicode-be.tsv'), be);
    for (const [file, db] of [['unicode-le.txt', 'le.db'], ['unicode-be.tsv', 'be.db']] as const) {
      const run = await pubmeta('import', file, '--db', db);
      expect(run.stderr, file).toBe('');
      expect(run.status, file).toBe(0);
      expect((await storedRecords(db)).get('locale-1'), file).toEqual(expected);
    }
  });

  it('takes --delimiter over the detected one', async () => {
    writeFileSync(join(dir, 'forced.csv'), 'doi;title.en;author1.family;journal.title\r\n10.5555/forced-1;A title, with a comma;Smith;J\r\n');
    // Forced to ",", the header is one unknown column and the row's cells split at the comma.
    const wrong = await pubmeta('import', 'forced.csv', '--db', 'forced.db', '--delimiter', ',');
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/^forced\.csv:2: column A \(doi;title\.en;author1\.family;journal\.title\): not a known column/m);
    const right = await pubmeta('import', 'forced.csv', '--db', 'forced.db', '--delimiter', ';');
    expect(right.stderr).toBe('');
    expect((await storedRecords('forced.db')).get('10.5555/forced-1')?.title).toEqual({ en: 'A title, with a comma' });
    expect((await pubmeta('import', 'forced.csv', '--delimiter', '|')).status).not.toBe(0);
  });

  it('a Windows-1252 file (legacy "CSV" save) fails at the cells with undecodable bytes, naming the fix', async () => {
    const header1252 = 'id,doi,language,title.en,journal.title,author1.family\r\n';
    const rows = 'ok-1,10.5555/ok-1,en,Plain ASCII title,Journal,Smith\r\nbad-1,10.5555/bad-1,en,Caf\xe9 society,Journal,M\xfcller\r\n';
    writeFileSync(join(dir, 'legacy.csv'), Buffer.from(header1252 + rows, 'latin1'));
    const run = await pubmeta('import', 'legacy.csv', '--db', 'legacy.db');
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^legacy\.csv:3: column D \(title\.en\): holds bytes that are not text in the file encoding .*CSV UTF-8/m);
    expect(run.stderr).toMatch(/^legacy\.csv:3: column F \(author1\.family\): holds bytes/m);
    expect([...(await storedRecords('legacy.db')).keys()]).toEqual(['ok-1']);
  });

  it('an unknown column with values fails those rows with a did-you-mean; an empty one is a warning', async () => {
    writeFileSync(join(dir, 'typo.csv'), 'doi,titel.en,language,journal.title,author1.family,notes for me\r\n10.5555/t1,Title one,en,J,Smith,\r\n10.5555/t2,,en,J,Smith,\r\n');
    const run = await pubmeta('import', 'typo.csv', '--db', 'typo.db');
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^typo\.csv:2: column B \(titel\.en\): not a known column; did you mean title\.en\?$/m);
    expect(run.stderr).toMatch(/^warning: typo\.csv:1: column F \(notes for me\): not a known column .*the column is empty and ignored$/m);
  });
});

describe('pubmeta template', () => {
  it('--csv prints a header and one example row that imports as a valid record', async () => {
    const run = await pubmeta('template', '--csv');
    expect(run.status).toBe(0);
    const [headerLine] = run.stdout.split('\r\n');
    for (const column of ['doi', 'title.en', 'author1.given', 'author1.family', 'author1.orcid', 'author1.affiliation1.ror', 'journal.id', 'dates.published.online', 'dates.published.print', 'funder1.id', 'funder1.award1', 'references']) {
      expect(headerLine!.split(',')).toContain(column);
    }
    writeFileSync(join(dir, 'template.csv'), run.stdout);
    const imported = await pubmeta('import', 'template.csv', '--db', 'template.db');
    expect(imported.stderr).toBe('');
    expect(imported.status).toBe(0);
    expect((await storedRecords('template.db')).get('example-rich-1')!.references!.length).toBeGreaterThan(0);
  });

  it('--csv --full --delimiter ";" --bom carries the whole rich example back, field for field', async () => {
    const run = await pubmeta('template', '--csv', '--full', '--delimiter', ';', '--bom');
    expect(run.status).toBe(0);
    expect(run.stdout.startsWith('\uFEFFid;doi;')).toBe(true);
    writeFileSync(join(dir, 'full.csv'), run.stdout);
    const imported = await pubmeta('import', 'full.csv', '--db', 'full.db');
    expect(imported.stderr).toBe('');
    const rich = JSON.parse(readFileSync(join(ROOT, 'samples/example-rich.json'), 'utf8')) as ArticleRecord;
    expect((await storedRecords('full.db')).get('example-rich-1')).toEqual(rich);
  });

  it('--json prints a record that pubmeta validate accepts; --json --csv is a usage error', async () => {
    const run = await pubmeta('template', '--json');
    expect(run.status).toBe(0);
    writeFileSync(join(dir, 'skeleton.json'), run.stdout);
    expect(await pubmeta('validate', 'skeleton.json')).toMatchObject({ status: 0, stdout: 'skeleton.json: valid (record)\n' });
    const both = await pubmeta('template', '--json', '--csv');
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/--json or --csv/);
  });
});

describe('pubmeta validate on JSON records', () => {
  it('exits 0 for a good record and 1 for a bad one, naming the field and the closest allowed name', async () => {
    const seed = JSON.parse(readFileSync(join(ROOT, 'samples/seed-jdp-323.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'good.json'), JSON.stringify(seed));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ ...seed, dates: { publishedOnline: '2018-12-01' }, doi: 'not-a-doi' }));

    const good = await pubmeta('validate', 'good.json');
    expect(good).toMatchObject({ status: 0, stdout: 'good.json: valid (record)\n', stderr: '' });

    const bad = await pubmeta('validate', 'bad.json');
    expect(bad.status).toBe(1);
    expect(bad.stdout).toBe(
      [
        'bad.json: invalid (record)',
        'bad.json: /doi: must be a DOI such as 10.1234/abc (got not-a-doi)',
        'bad.json: /dates/publishedOnline: is not a field of this record model; did you mean `published.online`?',
        '',
      ].join('\n'),
    );

    const json = await pubmeta('validate', '--json', 'good.json', 'bad.json');
    expect(json.status).toBe(1);
    const report = JSON.parse(json.stdout) as { valid: boolean; files: { file: string; valid: boolean; errors: { source: string; message: string }[] }[] };
    expect(report.valid).toBe(false);
    expect(report.files.map((f) => [f.file, f.valid])).toEqual([
      ['good.json', true],
      ['bad.json', false],
    ]);
  });

  it('lists the allowed fields when no name is close', async () => {
    const seed = JSON.parse(readFileSync(join(ROOT, 'samples/seed-jdp-323.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'odd.json'), JSON.stringify({ ...seed, journal: { title: 'J', xyzzy: 1 } }));
    const run = await pubmeta('validate', 'odd.json');
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('odd.json: /journal/xyzzy: is not a field of this record model; allowed here: id, title, abbrevTitle, issns, publisher, url, doi');
  });

  it('checks a spreadsheet row by row, as import reads it', async () => {
    const run = await pubmeta('validate', 'rows.csv', join(ROOT, 'samples/example-issue.csv'));
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^rows\.csv: invalid \(record\)$/m);
    expect(run.stdout).toMatch(/^rows\.csv:17: column I \(journal\.title\): is required$/m);
    expect(run.stdout).toContain(`${join(ROOT, 'samples/example-issue.csv')}: valid (record)`);
  });
});
