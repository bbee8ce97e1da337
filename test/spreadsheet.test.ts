import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateArticle, type ArticleRecord } from '../src/model/index.js';
import { readSpreadsheet, recordsToSheet, sheetToDelimitedText, type SpreadsheetEvent } from '../src/spreadsheet/index.js';

const rich = JSON.parse(readFileSync(new URL('../samples/example-rich.json', import.meta.url), 'utf8')) as ArticleRecord;

async function collect(bytes: Uint8Array, options = {}): Promise<SpreadsheetEvent[]> {
  const out: SpreadsheetEvent[] = [];
  for await (const event of readSpreadsheet(bytes, options)) out.push(event);
  return out;
}

describe('round trip', () => {
  it('rich', async () => {
    const sheet = recordsToSheet([rich]);
    const text = sheetToDelimitedText(sheet);
    console.log(sheet.header.join('\n'));
    const events = await collect(Buffer.from(text));
    console.log(JSON.stringify(events.filter((e) => e.kind !== 'layout'), null, 1).slice(0, 3000));
    const rows = events.filter((e) => e.kind === 'row');
    expect(rows[0]!.kind === 'row' && rows[0]!.result.record).toEqual(rich);
  });
});
