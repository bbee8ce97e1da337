// Public API of the spreadsheet capability (CSV/TSV <-> records); re-exported from src/index.ts.
export { COLUMNS as SHEET_COLUMNS, matchColumn as matchSheetColumn, columnName as sheetColumnName } from './columns.js';
export type { ColumnSpec as SheetColumnSpec, ColumnMatch as SheetColumnMatch, CellKind as SheetCellKind } from './columns.js';
export { suggestColumn as suggestSheetColumn } from './suggest.js';
export { readSpreadsheet, detectDelimiter as detectSheetDelimiter, SHEET_DELIMITERS, SpreadsheetError } from './read.js';
export type { SpreadsheetReadOptions, SpreadsheetEvent, SheetLayout, SheetEncoding } from './read.js';
export { readHeader as readSheetHeader, rowToRecord as sheetRowToRecord, formatSheetProblem, describeCell as describeSheetCell, columnLetter as sheetColumnLetter } from './to-record.js';
export type { SheetProblem, HeaderCell as SheetHeaderCell, RowResult as SheetRowResult, RowReadOptions as SheetRowReadOptions } from './to-record.js';
export { recordsToSheet, sheetToDelimitedText, SheetWriteError } from './to-row.js';
export type { Sheet, SheetWriteOptions, DelimitedTextOptions } from './to-row.js';
export { loadRichExample, templateRecord, templateSheet, RICH_EXAMPLE_PATH } from './template.js';
