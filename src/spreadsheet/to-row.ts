/**
 * Records -> spreadsheet rows, following the column table (columns.ts). The written sheet reads
 * back (rows -> records) as the same records: every field has a column, and a record that holds
 * something no column can carry is refused by name rather than written short.
 */
import type { ArticleRecord } from '../model/index.js';
import { COLUMNS, columnName, matchColumn, pathOfColumn, type ColumnSpec } from './columns.js';

/** Column names in order, then one row of cells per record ('' for an empty cell). */
export interface Sheet {
  header: string[];
  rows: string[][];
}

/** A record that cannot be written as a row, with the fields that have no column. */
export class SheetWriteError extends Error {
  constructor(
    readonly recordLabel: string,
    readonly problems: string[],
  ) {
    super(`${recordLabel}: cannot be written as a spreadsheet row: ${problems.join('; ')}`);
    this.name = 'SheetWriteError';
  }
}

// The column table as a tree of paths, children in table order, so that a record is written
// author by author (author1.given, author1.family ... author2.given) and language by language.
interface TrieNode {
  children: Map<string, TrieNode>;
  /** The column whose value sits exactly here. */
  column?: ColumnSpec;
}

function buildTrie(): TrieNode {
  const root: TrieNode = { children: new Map() };
  for (const column of COLUMNS) {
    let node = root;
    for (const part of column.path.split('/')) {
      let child = node.children.get(part);
      if (!child) {
        child = { children: new Map() };
        node.children.set(part, child);
      }
      node = child;
    }
    node.column = column;
  }
  return root;
}

const TRIE = buildTrie();

interface Emitted {
  name: string;
  value: string;
  /** Sort key: trie positions, item numbers and language ranks from the root down. */
  key: number[];
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

class RowWriter {
  readonly emitted: Emitted[] = [];
  readonly problems: string[] = [];

  constructor(
    private readonly languageRank: (lang: string) => number,
    private readonly shorthandReferences: boolean,
  ) {}

  visit(node: TrieNode, value: unknown, path: string, numbers: number[], lang: string | undefined, key: number[]): void {
    if (node.column && node.column.kind === 'lines') {
      if (Array.isArray(value) && this.shorthandReferences && value.every(isShorthandReference)) {
        if (value.length > 0) this.emit(node.column, value.map((ref) => (ref as { unstructured: string }).unstructured).join('\n'), numbers, lang, key);
        return;
      }
    } else if (node.column) {
      this.emitScalar(node.column, value, path, numbers, lang, key);
      return;
    }
    const childParts = [...node.children.keys()];
    if (childParts.includes('{n}') || childParts.includes('{m}')) {
      this.visitList(node, value, path, numbers, lang, key);
    } else if (childParts.some((part) => part.startsWith('#'))) {
      this.visitFixedList(node, value, path, numbers, lang, key);
    } else if (childParts.includes('{lang}')) {
      this.visitLanguages(node, value, path, numbers, key);
    } else {
      this.visitObject(node, value, path, numbers, lang, key);
    }
  }

  private visitObject(node: TrieNode, value: unknown, path: string, numbers: number[], lang: string | undefined, key: number[]): void {
    if (!isObject(value)) return this.fail(path, 'is not an object');
    const parts = [...node.children.keys()];
    for (const field of Object.keys(value)) {
      if (value[field] === undefined) continue;
      const position = parts.indexOf(field);
      if (position < 0) {
        this.fail(`${path}/${field}`, 'has no spreadsheet column');
        continue;
      }
      this.visit(node.children.get(field)!, value[field], `${path}/${field}`, numbers, lang, [...key, position]);
    }
  }

  private visitList(node: TrieNode, value: unknown, path: string, numbers: number[], lang: string | undefined, key: number[]): void {
    if (!Array.isArray(value)) return this.fail(path, 'is not a list');
    const part = node.children.has('{n}') ? '{n}' : '{m}';
    const position = [...node.children.keys()].indexOf(part);
    value.forEach((item, index) => {
      this.visit(node.children.get(part)!, item, `${path}/${index}`, [...numbers, index + 1], lang, [...key, position, index + 1]);
    });
  }

  /** A list written into fixed columns chosen by a constant (ISSNs: print, then electronic). */
  private visitFixedList(node: TrieNode, value: unknown, path: string, numbers: number[], lang: string | undefined, key: number[]): void {
    if (!Array.isArray(value)) return this.fail(path, 'is not a list');
    const taken = new Set<string>();
    value.forEach((item, index) => {
      const slot = [...node.children.entries()].find(([part, child]) => !taken.has(part) && matchesConstants(child, item));
      if (!slot) {
        this.fail(`${path}/${index}`, 'has no free column (one print and one electronic ISSN fit in a row)');
        return;
      }
      taken.add(slot[0]);
      const [part, child] = slot;
      const constantKeys = new Set(Object.keys(constantsOf(child)));
      const rest = Object.fromEntries(Object.entries(item as Json).filter(([field]) => !constantKeys.has(field)));
      this.visit(child, rest, `${path}/${index}`, numbers, lang, [...key, [...node.children.keys()].indexOf(part)]);
    });
  }

  private visitLanguages(node: TrieNode, value: unknown, path: string, numbers: number[], key: number[]): void {
    if (!isObject(value)) return this.fail(path, 'is not an object keyed by language');
    for (const [tag, item] of Object.entries(value)) {
      if (item === undefined) continue;
      this.visit(node.children.get('{lang}')!, item, `${path}/${tag}`, numbers, tag, [...key, 0, this.languageRank(tag)]);
    }
  }

  private emitScalar(column: ColumnSpec, value: unknown, path: string, numbers: number[], lang: string | undefined, key: number[]): void {
    if (column.kind === 'boolean') {
      if (typeof value !== 'boolean') return this.fail(path, 'is not true or false');
      return this.emit(column, value ? 'yes' : 'no', numbers, lang, key);
    }
    if (column.kind === 'integer') {
      if (typeof value !== 'number' || !Number.isInteger(value)) return this.fail(path, 'is not a whole number');
      return this.emit(column, String(value), numbers, lang, key);
    }
    if (typeof value !== 'string') return this.fail(path, 'is not text');
    this.emit(column, value, numbers, lang, key);
  }

  private emit(column: ColumnSpec, value: string, numbers: number[], lang: string | undefined, key: number[]): void {
    this.emitted.push({ name: columnName(column, numbers, lang), value, key });
  }

  private fail(path: string, reason: string): void {
    this.problems.push(`${path} ${reason}`);
  }
}

/** The constants a fixed list slot requires, found on the column specs below it. */
function constantsOf(node: TrieNode): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (n: TrieNode): void => {
    for (const [path, value] of Object.entries(n.column?.constants ?? {})) out[path.split('/').at(-1)!] = value;
    for (const child of n.children.values()) visit(child);
  };
  visit(node);
  return out;
}

function matchesConstants(node: TrieNode, item: unknown): boolean {
  if (!isObject(item)) return false;
  return Object.entries(constantsOf(node)).every(([field, value]) => item[field] === value);
}

/** A reference the `references` cell can hold: only its text, on one line. */
function isShorthandReference(ref: unknown): boolean {
  return isObject(ref) && Object.keys(ref).length === 1 && typeof ref.unstructured === 'string' && !/[\r\n]/.test(ref.unstructured) && ref.unstructured.trim() === ref.unstructured;
}

function compareKeys(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/**
 * The sort key of a column that no record filled, computed the way RowWriter builds keys while
 * it walks a record: trie positions, item numbers, language ranks.
 */
function columnSortKey(name: string, languageRank: (lang: string) => number): number[] | undefined {
  const match = matchColumn(name);
  if (!match) return undefined;
  const key: number[] = [];
  let node = TRIE;
  for (const token of pathOfColumn(match)) {
    const parts = [...node.children.keys()];
    let part: string;
    if (typeof token === 'number') {
      part = parts.find((p) => p === `#${token}`) ?? (parts.includes('{n}') ? '{n}' : '{m}');
      key.push(parts.indexOf(part));
      if (!part.startsWith('#')) key.push(token);
    } else if (parts.includes('{lang}')) {
      part = '{lang}';
      key.push(0, languageRank(token));
    } else {
      part = token;
      key.push(parts.indexOf(part));
    }
    node = node.children.get(part)!;
  }
  return key;
}

export interface SheetWriteOptions {
  /**
   * Write reference lists that are plain citations into the one `references` cell (default
   * true); false, or a reference with a DOI or fields, uses reference{n}.* columns.
   */
  shorthandReferences?: boolean;
  /** Columns the header has even when no record fills them (the template's empty columns). */
  include?: readonly string[];
}

/**
 * Records as one sheet: the header is every column some record fills, in table order. Throws a
 * SheetWriteError naming the first record (by id or DOI) that holds a field without a column.
 */
export function recordsToSheet(records: readonly ArticleRecord[], options: SheetWriteOptions = {}): Sheet {
  const languages = new Map<string, number>();
  const rank = (tag: string): number => {
    if (!languages.has(tag)) languages.set(tag, languages.size);
    return languages.get(tag)!;
  };
  const perRecord: Emitted[][] = records.map((record) => {
    const writer = new RowWriter(rank, options.shorthandReferences ?? true);
    writer.visit(TRIE, record, '', [], undefined, []);
    if (writer.problems.length > 0) throw new SheetWriteError(record.id ?? record.doi ?? 'a record', writer.problems);
    return writer.emitted;
  });
  const keyOf = new Map<string, number[]>();
  for (const cells of perRecord) for (const cell of cells) if (!keyOf.has(cell.name)) keyOf.set(cell.name, cell.key);
  for (const name of options.include ?? []) {
    const key = keyOf.has(name) ? undefined : columnSortKey(name, rank);
    if (key) keyOf.set(name, key);
  }
  const header = [...keyOf.keys()].sort((a, b) => compareKeys(keyOf.get(a)!, keyOf.get(b)!));
  const position = new Map(header.map((name, index) => [name, index]));
  const rows = perRecord.map((cells) => {
    const row = new Array<string>(header.length).fill('');
    for (const cell of cells) row[position.get(cell.name)!] = cell.value;
    return row;
  });
  return { header, rows };
}

export interface DelimitedTextOptions {
  /** ',' (default), ';' or '\t'. */
  delimiter?: string;
  /** Start with a UTF-8 byte-order mark, which spreadsheet programs read as "this is UTF-8". */
  bom?: boolean;
}

/** A sheet as CSV/TSV text (RFC 4180 quoting, CRLF between rows, LF inside cells). */
export function sheetToDelimitedText(sheet: Sheet, options: DelimitedTextOptions = {}): string {
  const delimiter = options.delimiter ?? ',';
  const quote = (cell: string): string =>
    cell.includes(delimiter) || /["\r\n]/.test(cell) || cell !== cell.trim() ? `"${cell.replace(/"/g, '""')}"` : cell;
  const lines = [sheet.header, ...sheet.rows].map((row) => row.map(quote).join(delimiter));
  return `${options.bom ? '\uFEFF' : ''}${lines.join('\r\n')}\r\n`;
}
