/**
 * The example behind `pubmeta template`: the rich example record (samples/example-rich.json) in
 * full, or cut down to the fields of the short template's columns.
 */
import { readFileSync } from 'node:fs';
import { packageFilePath, validateArticle, formatFieldErrors, type ArticleRecord } from '../model/index.js';
import { COLUMNS, columnName } from './columns.js';
import { recordsToSheet, type Sheet } from './to-row.js';
import { readHeader, rowToRecord } from './to-record.js';

export const RICH_EXAMPLE_PATH = 'samples/example-rich.json';

/** samples/example-rich.json, validated: the example that fills every field. */
export function loadRichExample(): ArticleRecord {
  const result = validateArticle(JSON.parse(readFileSync(packageFilePath(RICH_EXAMPLE_PATH), 'utf8')));
  if (!result.ok) throw new Error(`bundled example is invalid:\n${formatFieldErrors(RICH_EXAMPLE_PATH, result.errors)}`);
  return result.record;
}

/**
 * The template's example record: the rich example, or (short template) only what the basic
 * columns carry: authors (no groups or editors), the references as printed text.
 */
export function templateRecord(full: boolean): ArticleRecord {
  const rich = loadRichExample();
  if (full) return rich;
  const trimmed: ArticleRecord = {
    ...rich,
    contributors: rich.contributors.filter((c) => c.type !== 'organization' && (c.role ?? 'author') === 'author'),
    references: (rich.references ?? []).flatMap((ref) => (ref.unstructured ? [{ unstructured: ref.unstructured }] : [])),
  };
  const sheet = recordsToSheet([trimmed]);
  const basic = sheet.header.map((name) => readHeader([name])[0]!).map((cell) => cell.match?.spec.basic === true);
  const header = readHeader(sheet.header.map((name, index) => (basic[index] ? name : `#${name}`)));
  const result = rowToRecord(header, sheet.rows[0]!, 2);
  if (!result.record) throw new Error(`template example does not read back: ${JSON.stringify(result.errors)}`);
  return result.record;
}

/** The template sheet: the example as one row, plus every other column (empty) it may use. */
export function templateSheet(full: boolean): Sheet {
  const record = templateRecord(full);
  const firstLanguage = record.language;
  const include = COLUMNS.filter((column) => full || column.basic).map((column) => columnName(column, [1, 1], firstLanguage));
  return recordsToSheet([record], { include });
}
