/**
 * One spreadsheet row -> one record, following the column table (columns.ts). Item numbers may
 * leave gaps (author1, author3): items keep their number order. Every problem is tied to the
 * cell it comes from, so an editor can find it: row, column letter and header name.
 */
import { validateArticle, type ArticleRecord, type FieldError } from '../model/index.js';
import { COLUMNS, columnName, matchColumn, nearestColumnForPath, pathOfColumn, pathTokens, type ColumnMatch, type PathToken } from './columns.js';
import { suggestColumn } from './suggest.js';

/** Where a problem is: the spreadsheet row (the header is row 1) and column. */
export interface SheetProblem {
  row: number;
  /** Column letter as spreadsheet programs show it (A, B ... AA), when the column exists. */
  column?: string;
  /** The header name, or the name the column would have. */
  header: string;
  message: string;
}

/** "column C (title.en): reason"; without a column letter "(journal.title): reason". */
export function describeCell(problem: Pick<SheetProblem, 'column' | 'header' | 'message'>): string {
  return `${problem.column ? `column ${problem.column} ` : ''}(${problem.header}): ${problem.message}`;
}

/** "5:C (title.en): reason": row:column with the header name. */
export function formatSheetProblem(problem: SheetProblem): string {
  return `${problem.row}${problem.column ? `:${problem.column}` : ''} (${problem.header}): ${problem.message}`;
}

/** A header cell: its position, letter, name and the column it names (if any). */
export interface HeaderCell {
  index: number;
  letter: string;
  name: string;
  match?: ColumnMatch;
  /** Why the column is not read: unknown name, duplicate, no name. */
  problem?: string;
}

/** A, B ... Z, AA, AB ...: the column letters spreadsheet programs show. */
export function columnLetter(index: number): string {
  let letters = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return letters;
}

/**
 * Reads the header row. Unknown names are not fatal: a row fails only when it has a value in
 * such a column. Names starting with "#" are the editor's own columns and are ignored.
 */
export function readHeader(names: readonly string[]): HeaderCell[] {
  const seen = new Map<string, string>();
  return names.map((raw, index) => {
    const name = raw.trim();
    const cell: HeaderCell = { index, letter: columnLetter(index), name };
    if (name === '') return { ...cell, problem: 'the column has no name in row 1' };
    if (name.startsWith('#')) return cell;
    const match = matchColumn(name);
    if (!match) {
      const suggestion = suggestColumn(name);
      return { ...cell, problem: `not a known column${suggestion ? `; did you mean ${suggestion}?` : ' (see pubmeta template --csv --full)'}` };
    }
    const canonical = columnName(match.spec, match.numbers, match.lang);
    const earlier = seen.get(canonical.toLowerCase());
    if (earlier !== undefined) return { ...cell, match, problem: `names the same field as column ${earlier}` };
    seen.set(canonical.toLowerCase(), cell.letter);
    return { ...cell, match };
  });
}


// ---------------------------------------------------------------------------------------------
// Building the record

type Leaf = { kind: 'leaf'; value: unknown; cell: HeaderCell };
type ObjectNode = { kind: 'object'; fields: Map<string, Node> };
type ListNode = { kind: 'list'; items: Map<number, Node> };
type Node = Leaf | ObjectNode | ListNode;

const TRUE_WORDS = new Set(['yes', 'y', 'true', '1', 'x', 'ja', 'wahr', 'ya', 'oui', 'si', 'sí']);
const FALSE_WORDS = new Set(['no', 'n', 'false', '0', 'nein', 'falsch', 'tidak', 'non']);

export interface RowReadOptions {
  /**
   * Primary language when the `language` cell is blank and this is one of the row's title
   * languages (a journal profile's language). Otherwise a blank `language` becomes the row's only
   * title language, or stays blank and is reported.
   */
  defaultLanguage?: string;
}

export type RowResult = { row: number; record: ArticleRecord; errors: [] } | { row: number; record?: undefined; errors: SheetProblem[] };

/** Cells of one row -> a validated record, or the problems, each at its cell. */
export function rowToRecord(header: readonly HeaderCell[], cells: readonly string[], row: number, options: RowReadOptions = {}): RowResult {
  const builder = new RecordBuilder(row);
  for (const cell of header) {
    const raw = cells[cell.index] ?? '';
    const value = raw.replace(/\r\n?/g, '\n').trim();
    if (value === '') continue;
    if (cell.problem) builder.problem(cell, cell.problem);
    else if (cell.match) builder.put(cell, value);
  }
  for (let index = header.length; index < cells.length; index++) {
    if ((cells[index] ?? '').trim() !== '') {
      builder.problem({ letter: columnLetter(index), name: '(no header)' }, 'a value beyond the last named column');
      break;
    }
  }
  if (builder.problems.length > 0) return { row, errors: builder.problems };
  const { json, cellAt, numbersAt } = builder.finish();
  fillLanguage(json, options.defaultLanguage);
  const result = validateArticle(json);
  if (result.ok) return { row, record: result.record, errors: [] };
  const locate = new ProblemLocator(header, cellAt, numbersAt, row);
  return { row, errors: result.errors.map((error) => withDateHint(locate.problem(error), header, cells)) };
}

const LOCALE_DATE = /^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$/;

/** "15.07.2024" in a date column: the spreadsheet program rewrote the date; say so. */
function withDateHint(problem: SheetProblem, header: readonly HeaderCell[], cells: readonly string[]): SheetProblem {
  if (!problem.message.startsWith('must be a real date')) return problem;
  const cell = header.find((h) => h.letter === problem.column);
  if (!cell || !LOCALE_DATE.test((cells[cell.index] ?? '').trim())) return problem;
  return { ...problem, message: `${problem.message}; spreadsheet programs rewrite dates in the local format: format the column as text and type 2024-07-15` };
}

function fillLanguage(json: Record<string, unknown>, defaultLanguage: string | undefined): void {
  if (json.language !== undefined) return;
  const title = json.title;
  if (title === null || typeof title !== 'object') return;
  const languages = Object.keys(title);
  if (defaultLanguage !== undefined && languages.includes(defaultLanguage)) json.language = defaultLanguage;
  else if (languages.length === 1) json.language = languages[0];
}

class RecordBuilder {
  readonly problems: SheetProblem[] = [];
  private readonly root: ObjectNode = { kind: 'object', fields: new Map() };

  constructor(private readonly row: number) {}

  problem(cell: Pick<HeaderCell, 'letter' | 'name'>, message: string): void {
    this.problems.push({ row: this.row, column: cell.letter, header: cell.name, message });
  }

  put(cell: HeaderCell, text: string): void {
    const match = cell.match!;
    if (text.includes('\uFFFD')) {
      return this.problem(cell, 'holds bytes that are not text in the file encoding (shown as \uFFFD): save the sheet as "CSV UTF-8" (or UTF-16 "Unicode text")');
    }
    const value = this.convert(cell, match, text);
    if (value === undefined) return;
    this.set(pathOfColumn(match), { kind: 'leaf', value, cell }, cell);
    for (const [path, constant] of Object.entries(match.spec.constants ?? {})) {
      this.set(pathTokens(path, match), { kind: 'leaf', value: constant, cell }, cell);
    }
  }

  private convert(cell: HeaderCell, match: ColumnMatch, text: string): unknown {
    switch (match.spec.kind) {
      case 'integer':
        if (/^\d+$/.test(text)) return Number(text);
        return this.problem(cell, `must be a whole number such as 2021 (got ${JSON.stringify(text)})`);
      case 'boolean': {
        const word = text.toLowerCase();
        if (TRUE_WORDS.has(word)) return true;
        if (FALSE_WORDS.has(word)) return false;
        return this.problem(cell, `must be yes or no (got ${JSON.stringify(text)})`);
      }
      case 'lines':
        return text
          .split('\n')
          .map((line) => line.trim())
          .filter((line) => line !== '')
          .map((line) => ({ unstructured: line }));
      default:
        return text;
    }
  }

  private set(tokens: PathToken[], leaf: Leaf, cell: HeaderCell): void {
    let node: ObjectNode | ListNode = this.root;
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i]!;
      const last = i === tokens.length - 1;
      const next = tokens[i + 1];
      const child: Node | undefined = node.kind === 'object' ? node.fields.get(String(token)) : node.items.get(Number(token));
      let target: Node;
      if (last) {
        if (child) return this.conflict(cell, child);
        target = leaf;
      } else if (!child) {
        target = typeof next === 'number' ? { kind: 'list', items: new Map() } : { kind: 'object', fields: new Map() };
      } else if (child.kind === 'leaf' || (child.kind === 'list') !== (typeof next === 'number')) {
        return this.conflict(cell, child);
      } else {
        target = child;
      }
      if (node.kind === 'object') node.fields.set(String(token), target);
      else node.items.set(Number(token), target);
      if (target.kind === 'leaf') return;
      node = target;
    }
  }

  private conflict(cell: HeaderCell, existing: Node): void {
    const other = firstLeaf(existing);
    const otherName = other ? `column ${other.cell.letter} (${other.cell.name})` : 'another column';
    this.problem(cell, `gives the same field as ${otherName}; use one of them (references: either the references cell or reference{n}.* columns)`);
  }

  /** The JSON record, where each value came from, and which item number each list position had. */
  finish(): { json: Record<string, unknown>; cellAt: Map<string, HeaderCell>; numbersAt: Map<string, number[]> } {
    const cellAt = new Map<string, HeaderCell>();
    const numbersAt = new Map<string, number[]>();
    const build = (node: Node, pointer: string): unknown => {
      if (node.kind === 'leaf') {
        cellAt.set(pointer, node.cell);
        return node.value;
      }
      if (node.kind === 'list') {
        const numbers = [...node.items.keys()].sort((a, b) => a - b);
        numbersAt.set(pointer, numbers);
        return numbers.map((number, index) => build(node.items.get(number)!, `${pointer}/${index}`));
      }
      const out: Record<string, unknown> = {};
      for (const [key, child] of node.fields) out[key] = build(child, `${pointer}/${escapeToken(key)}`);
      return out;
    };
    const json = build(this.root, '') as Record<string, unknown>;
    return { json, cellAt, numbersAt };
  }
}

function firstLeaf(node: Node): Leaf | undefined {
  if (node.kind === 'leaf') return node;
  const children = node.kind === 'object' ? [...node.fields.values()] : [...node.items.values()];
  for (const child of children) {
    const leaf = firstLeaf(child);
    if (leaf) return leaf;
  }
  return undefined;
}

function escapeToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

function unescapeToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** A required object that a row leaves out entirely is missing its one required column. */
const REQUIRED_INSIDE: Record<string, string> = { '/journal': 'journal.title' };

/** Maps validateArticle's JSON pointers back to the cells (or the columns) they concern. */
class ProblemLocator {
  private readonly byName = new Map<string, HeaderCell>();

  constructor(
    header: readonly HeaderCell[],
    private readonly cellAt: Map<string, HeaderCell>,
    private readonly numbersAt: Map<string, number[]>,
    private readonly row: number,
  ) {
    for (const cell of header) if (cell.match) this.byName.set(columnName(cell.match.spec, cell.match.numbers, cell.match.lang).toLowerCase(), cell);
  }

  problem(error: FieldError): SheetProblem {
    const message = error.message;
    // The value itself, or the cell that holds the value this pointer is inside of.
    const tokens = error.pointer.split('/').slice(1).map(unescapeToken);
    for (let length = tokens.length; length >= 1; length--) {
      const cell = this.cellAt.get(`/${tokens.slice(0, length).map(escapeToken).join('/')}`);
      if (cell) return this.at(cell.letter, cell.name, message);
    }
    // A missing or collective field: name the column it belongs in.
    const needed = REQUIRED_INSIDE[error.pointer];
    if (needed) return this.named(needed, message);
    const path = this.itemNumbers(tokens);
    const exact = nearestColumnForPath(path);
    if (exact && pathOfColumn(exact).length === path.length) return this.named(columnName(exact.spec, exact.numbers, exact.lang), message);
    const below = columnsBelow(path);
    if (below) return this.named(below, message);
    if (exact) return this.named(columnName(exact.spec, exact.numbers, exact.lang), message);
    return { row: this.row, header: 'row', message: `${error.pointer || '/'}: ${message}` };
  }

  private named(name: string, message: string): SheetProblem {
    const cell = this.byName.get(name.toLowerCase());
    return cell ? this.at(cell.letter, cell.name, message) : { row: this.row, header: name, message };
  }

  private at(letter: string, header: string, message: string): SheetProblem {
    return { row: this.row, column: letter, header, message };
  }

  /** Pointer tokens with list positions turned back into the item numbers the columns used. */
  private itemNumbers(tokens: string[]): PathToken[] {
    let pointer = '';
    return tokens.map((token) => {
      const numbers = this.numbersAt.get(pointer);
      pointer += `/${escapeToken(token)}`;
      if (/^\d+$/.test(token)) return numbers?.[Number(token)] ?? Number(token) + 1;
      return token;
    });
  }
}

/** For a path above the columns (/title, /contributors/0): "title.{lang}", "author1.*". */
function columnsBelow(path: readonly PathToken[]): string | undefined {
  const names: string[] = [];
  for (const column of COLUMNS) {
    const parts = column.path.split('/');
    if (parts.length <= path.length) continue;
    const numbers: number[] = [];
    let lang: string | undefined;
    const fits = parts.slice(0, path.length).every((part, i) => {
      const token = path[i]!;
      if (part === '{n}' || part === '{m}') {
        if (typeof token !== 'number') return false;
        numbers.push(token);
        return true;
      }
      if (part === '{lang}') {
        if (typeof token !== 'string') return false;
        lang = token;
        return true;
      }
      if (part.startsWith('#')) return token === Number(part.slice(1));
      return part === token;
    });
    if (fits) names.push(columnName(column, numbers, lang));
  }
  if (names.length === 0) return undefined;
  if (names.length === 1) return names[0];
  let prefix = names[0]!;
  for (const name of names) while (!name.startsWith(prefix)) prefix = prefix.slice(0, -1);
  const cut = prefix.lastIndexOf('.');
  return cut > 0 ? `${prefix.slice(0, cut)}.*` : `${prefix}*`;
}
