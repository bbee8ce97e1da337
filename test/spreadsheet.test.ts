// The spreadsheet core (src/spreadsheet): rows <-> records without the CLI. Files are built here
// byte for byte as spreadsheet programs write them; the reader gets them whole or in small chunks.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ArticleRecord } from '../src/model/index.js';
import {
  SHEET_COLUMNS,
  SheetWriteError,
  readSpreadsheet,
  recordsToSheet,
  sheetToDelimitedText,
  suggestSheetColumn,
  type SheetProblem,
  type SpreadsheetEvent,
  type SpreadsheetReadOptions,
} from '../src/spreadsheet/index.js';

const rich = JSON.parse(readFileSync(new URL('../samples/example-rich.json', import.meta.url), 'utf8')) as ArticleRecord;
const seed = JSON.parse(readFileSync(new URL('../samples/seed-jdp-323.json', import.meta.url), 'utf8')) as ArticleRecord;

async function read(input: Uint8Array | Uint8Array[], options: SpreadsheetReadOptions = {}): Promise<SpreadsheetEvent[]> {
  const events: SpreadsheetEvent[] = [];
  for await (const event of readSpreadsheet(Array.isArray(input) ? input : input, options)) events.push(event);
  return events;
}

function records(events: SpreadsheetEvent[]): ArticleRecord[] {
  return events.flatMap((e) => (e.kind === 'row' && e.result.record ? [e.result.record] : []));
}

function problems(events: SpreadsheetEvent[]): SheetProblem[] {
  return events.flatMap((e) => (e.kind === 'row' ? e.result.errors : e.kind === 'error' || e.kind === 'warning' ? [e.problem] : []));
}

/** A minimal valid row, as header -> cell. */
const BASE: Record<string, string> = { doi: '10.5555/core-1', 'title.en': 'A title', 'author1.family': 'Smith', 'journal.title': 'J' };

function csv(rows: Record<string, string>[], delimiter = ','): Buffer {
  const header = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const quote = (c: string) => (c.includes(delimiter) || /["\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c);
  return Buffer.from([header, ...rows.map((r) => header.map((h) => r[h] ?? ''))].map((cells) => cells.map(quote).join(delimiter)).join('\r\n') + '\r\n');
}

describe('records -> rows -> records', () => {
  it('gives the rich example back identical, through every column it uses, in CSV, ;-CSV and TSV', async () => {
    for (const delimiter of [',', ';', '\t']) {
      const text = sheetToDelimitedText(recordsToSheet([rich]), { delimiter, bom: delimiter === ';' });
      const events = await read(Buffer.from(text));
      expect(problems(events)).toEqual([]);
      expect(records(events)).toEqual([rich]);
    }
  });

  it('gives the seed back identical: its 19 printed references travel in the one references cell', async () => {
    const sheet = recordsToSheet([seed]);
    expect(sheet.header).toContain('references');
    expect(sheet.header.some((h) => h.startsWith('reference1.'))).toBe(false);
    expect(sheet.rows[0]![sheet.header.indexOf('references')]!.split('\n')).toHaveLength(19);
    expect(records(await read(Buffer.from(sheetToDelimitedText(sheet))))).toEqual([seed]);
  });

  it('writes several records under one header, each row only its own cells', async () => {
    const sheet = recordsToSheet([seed, rich]);
    expect(sheet.rows[0]![sheet.header.indexOf('author5.family')]).toBe('');
    expect(records(await read(Buffer.from(sheetToDelimitedText(sheet))))).toEqual([seed, rich]);
  });

  it('refuses, by record and field, what a row cannot carry (two print ISSNs)', () => {
    const twoPrint = { ...rich, journal: { ...rich.journal, issns: [{ value: '5555-0010', media: 'print' as const }, { value: '5555-0029', media: 'print' as const }] } };
    expect(() => recordsToSheet([twoPrint])).toThrow(SheetWriteError);
    expect(() => recordsToSheet([twoPrint])).toThrow(/example-rich-1: .*\/journal\/issns\/1 has no free column/);
  });
});

describe('rows -> records', () => {
  it('keeps item numbers in order across gaps, and reports problems under the numbers the sheet used', async () => {
    const row = { ...BASE, 'author3.family': 'Third', 'author3.orcid': '0000-0002-1825-0098', 'keyword2.en': 'b', 'keyword5.en': 'e' };
    const events = await read(csv([row]));
    expect(problems(events)).toEqual([{ row: 2, column: 'F', header: 'author3.orcid', message: 'ORCID checksum is wrong (0000-0002-1825-0098)' }]);
    const fixed = await read(csv([{ ...row, 'author3.orcid': '0000-0002-1825-0097' }]));
    expect(records(fixed)[0]!.contributors.map((c) => c.family)).toEqual(['Smith', 'Third']);
    expect(records(fixed)[0]!.keywords).toEqual({ en: ['b', 'e'] });
  });

  it('names a missing required field by the column it belongs in, with the letter when the column exists', async () => {
    const events = await read(csv([{ ...BASE, 'journal.title': '', 'author2.given': 'Only given', 'author2.family': '' }]));
    expect(problems(events)).toEqual([
      { row: 2, column: 'D', header: 'journal.title', message: 'is required' },
      { row: 2, column: 'F', header: 'author2.family', message: 'is required: a person needs a family name (a given name alone is not enough)' },
    ]);
    const noTitle = await read(csv([{ doi: '10.5555/x', 'author1.family': 'Smith', 'journal.title': 'J' }]));
    expect(problems(noTitle).map((p) => `${p.column ?? '-'} ${p.header}: ${p.message}`)).toEqual(['- language: is required', '- title.{lang}: is required']);
  });

  it('converts whole numbers and yes/no cells, and reports cells that are neither', async () => {
    const good = await read(csv([{ ...BASE, 'issue.year': '2024', 'author1.corresponding': 'Ya' }]));
    expect(records(good)[0]).toMatchObject({ issue: { year: 2024 }, contributors: [{ family: 'Smith', corresponding: true }] });
    const bad = await read(csv([{ ...BASE, 'issue.year': '2024.0', 'author1.corresponding': 'maybe' }]));
    expect(problems(bad).map((p) => `${p.column} ${p.message}`)).toEqual(['E must be a whole number such as 2021 (got "2024.0")', 'F must be yes or no (got "maybe")']);
  });

  it('refuses a row that gives references both ways, at the second column', async () => {
    const events = await read(csv([{ ...BASE, references: 'A citation', 'reference1.doi': '10.5555/ref' }]));
    expect(problems(events)).toEqual([
      { row: 2, column: 'F', header: 'reference1.doi', message: 'gives the same field as column E (references); use one of them (references: either the references cell or reference{n}.* columns)' },
    ]);
  });

  it('fills a blank language from the only title language, or from the default when it is a title language', async () => {
    expect(records(await read(csv([BASE])))[0]!.language).toBe('en');
    const two = { ...BASE, 'title.id': 'Judul' };
    expect(problems(await read(csv([two])))).toEqual([{ row: 2, header: 'language', message: 'is required' }]);
    expect(records(await read(csv([two]), { defaultLanguage: 'id' }))[0]!.language).toBe('id');
  });

  it('ignores blank rows and "#" columns, and counts rows as spreadsheet programs do', async () => {
    const text = 'doi,title.en,author1.family,journal.title,# editor notes\r\n,,,,\r\n\r\n10.5555/r4,T,S,J,check later\r\n10.5555/r5,,S,J,\r\n';
    const events = await read(Buffer.from(text));
    expect(records(events).map((r) => r.doi)).toEqual(['10.5555/r4']);
    expect(problems(events).map((p) => `${p.row} ${p.header}`)).toEqual(['5 language', '5 title.{lang}']);
  });

  it('reports a broken quote as a file problem at its row, keeping the rows before it', async () => {
    const text = 'doi,title.en,author1.family,journal.title\r\n10.5555/r2,T,S,J\r\n10.5555/r3,"T"x,S,J\r\n10.5555/r4,T,S,J\r\n';
    const events = await read(Buffer.from(text));
    expect(records(events).map((r) => r.doi)).toEqual(['10.5555/r2']);
    const last = events.at(-1)!;
    expect(last.kind).toBe('error');
    expect(last.kind === 'error' && last.problem.row).toBe(3);
    expect(last.kind === 'error' && last.problem.message).toMatch(/line 3 .*rows from here on were not read/);
  });
});

describe('streaming', () => {
  const ROWS = 3000;
  async function* sheetChunks(): AsyncGenerator<Uint8Array> {
    yield Buffer.from('doi,title.en,author1.family,journal.title\r\n');
    let text = '';
    for (let n = 1; n <= ROWS; n++) {
      text += `10.5555/stream-${n},"Title ${n}, streamed",Smith,J\r\n`;
      if (text.length > 4096) {
        yield Buffer.from(text);
        text = '';
      }
    }
    yield Buffer.from(text);
  }

  it('reads a sheet given as chunks, row by row, every row in order', async () => {
    let count = 0;
    for await (const event of readSpreadsheet(sheetChunks())) {
      if (event.kind !== 'row') continue;
      count++;
      expect(event.result.record?.doi).toBe(`10.5555/stream-${count}`);
      expect(event.result.row).toBe(count + 1);
    }
    expect(count).toBe(ROWS);
  });

  it('stops cleanly when the caller stops reading', async () => {
    let count = 0;
    for await (const event of readSpreadsheet(sheetChunks())) {
      if (event.kind === 'row' && ++count === 10) break;
    }
    expect(count).toBe(10);
  });
});

describe('encodings and delimiters', () => {
  const text = '\uFEFFdoi;title.ar;language;author1.family;journal.title\r\n10.5555/ar-1;عنوان المقال;ar;حداد;مجلة\r\n';

  it('reads UTF-8 and UTF-16 byte by byte (chunk borders inside characters and marks)', async () => {
    const utf8 = Buffer.from(text, 'utf8');
    const utf16le = Buffer.from(text, 'utf16le');
    const utf16be = Buffer.from(utf16le).swap16();
    for (const [bytes, encoding] of [[utf8, 'utf-8'], [utf16le, 'utf-16le'], [utf16be, 'utf-16be']] as const) {
      const chunks = [...bytes].map((b) => Uint8Array.of(b));
      const events = await read(chunks);
      const layout = events.find((e) => e.kind === 'layout');
      expect(layout?.kind === 'layout' && [layout.layout.encoding, layout.layout.bom, layout.layout.delimiter]).toEqual([encoding, true, ';']);
      expect(records(events)).toEqual([{ doi: '10.5555/ar-1', title: { ar: 'عنوان المقال' }, language: 'ar', contributors: [{ family: 'حداد' }], journal: { title: 'مجلة' } }]);
    }
  });

  it("detects the delimiter from the header row, honours Excel's sep= line and a .tsv name", async () => {
    const layoutOf = async (input: string, options: SpreadsheetReadOptions = {}) => {
      const event = (await read(Buffer.from(input), options)).find((e) => e.kind === 'layout');
      return event?.kind === 'layout' ? event.layout.delimiter : undefined;
    };
    expect(await layoutOf('doi,title.en\r\n')).toBe(',');
    expect(await layoutOf('doi;title.en;journal.title\r\n')).toBe(';');
    expect(await layoutOf('doi\ttitle.en\r\n')).toBe('\t');
    expect(await layoutOf('sep=;\r\ndoi,x;title.en\r\n')).toBe(';');
    expect(await layoutOf('doi\r\n', { fileName: 'issue.TSV' })).toBe('\t');
    expect(await layoutOf('doi,title.en\r\n', { delimiter: ';' })).toBe(';');
  });

  it('refuses UTF-16 without a byte-order mark and an empty file, by name', async () => {
    const noBom = Buffer.from('doi,title.en\r\n', 'utf16le');
    expect(problems(await read(noBom))[0]!.message).toMatch(/UTF-16 without a byte-order mark/);
    expect(problems(await read(Buffer.alloc(0)))[0]!.message).toMatch(/the file is empty/);
  });
});

describe('the column table', () => {
  it('has one distinct name per column, every repeated field numbered the same way', () => {
    const names = SHEET_COLUMNS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const column of SHEET_COLUMNS) {
      if (column.path.includes('{n}')) expect(column.name, column.name).toMatch(/^[a-z][A-Za-z]*\{n\}/);
      if (column.path.includes('{m}')) expect(column.name, column.name).toMatch(/\.[a-z][A-Za-z]*\{m\}/);
    }
  });

  it('suggests the column an unknown header meant', () => {
    expect(suggestSheetColumn('titel.en')).toBe('title.en');
    expect(suggestSheetColumn('autor2.family')).toBe('author2.family');
    expect(suggestSheetColumn('dates.published.onlin')).toBe('dates.published.online');
    expect(suggestSheetColumn('volume')).toBe('issue.volume');
    expect(suggestSheetColumn('Title')).toBe('title.en');
    expect(suggestSheetColumn('keywords')).toBe('keyword1.en');
    expect(suggestSheetColumn('titel.ar')).toBe('title.ar');
    expect(suggestSheetColumn('qqqqqqqqqqqq')).toBeUndefined();
  });

  it('is documented column by column in the README', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const column of SHEET_COLUMNS) expect(readme, column.name).toContain(`\`${column.name}\``);
  });
});
