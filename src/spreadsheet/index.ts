// Public API of the spreadsheet capability (CSV/TSV <-> records); re-exported from src/index.ts.
export { COLUMNS, matchColumn, columnName } from './columns.js';
export type { ColumnSpec, ColumnMatch, CellKind } from './columns.js';
export { suggestColumn } from './suggest.js';
export { readSpreadsheet, detectDelimiter, SHEET_DELIMITERS, SpreadsheetError } from './read.js';
export type { SpreadsheetReadOptions, SpreadsheetEvent, SheetLayout, SheetEncoding } from './read.js';
export { readHeader, rowToRecord, formatSheetProblem, describeCell, columnLetter } from './to-record.js';
export type { SheetProblem, HeaderCell, RowResult, RowReadOptions } from './to-record.js';
export { recordsToSheet, sheetToDelimitedText, SheetWriteError } from './to-row.js';
export type { Sheet, SheetWriteOptions, DelimitedTextOptions } from './to-row.js';
