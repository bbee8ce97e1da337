// Test helpers for the writer tests: read samples, parse XML output with fast-xml-parser and
// walk it by element path. Not a test file itself.
import { readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import { validateArticle, type ArticleRecord } from '../src/model/index.js';

export type XNode = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  alwaysCreateTextNode: true,
  textNodeName: '#text',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: false,
  isArray: (_name, _jpath, _isLeaf, isAttribute) => !isAttribute,
});

// Mixed content in document order (for titles with inline markup).
const orderedParser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  trimValues: false,
});

export function parseXml(xml: string): XNode {
  return parser.parse(xml) as XNode;
}

export function parseOrdered(xml: string): unknown[] {
  return orderedParser.parse(xml) as unknown[];
}

/** Elements at a slash-separated path of element names, e.g. "doi_batch/body/journal". */
export function at(node: XNode | undefined, path: string): XNode[] {
  let current: XNode[] = node ? [node] : [];
  for (const step of path.split('/')) {
    const next: XNode[] = [];
    for (const n of current) {
      const value = n[step];
      if (Array.isArray(value)) next.push(...(value as XNode[]));
    }
    current = next;
  }
  return current;
}

export function one(node: XNode | undefined, path: string): XNode {
  const found = at(node, path);
  if (found.length !== 1) throw new Error(`expected exactly one ${path}, found ${found.length}`);
  return found[0]!;
}

/** Text of an element without child elements. */
export function text(node: XNode | undefined): string {
  const value = node?.['#text'];
  return typeof value === 'string' ? value : '';
}

export function texts(node: XNode | undefined, path: string): string[] {
  return at(node, path).map(text);
}

export function attr(node: XNode | undefined, name: string): string | undefined {
  const value = node?.[`@${name}`];
  return typeof value === 'string' ? value : undefined;
}

/** Concatenated text of an ordered (preserveOrder) node list, markup stripped. */
export function orderedText(nodes: unknown): string {
  if (!Array.isArray(nodes)) return '';
  let out = '';
  for (const node of nodes as Record<string, unknown>[]) {
    for (const [key, value] of Object.entries(node)) {
      if (key === '#text') out += String(value);
      else if (key !== ':@') out += orderedText(value);
    }
  }
  return out;
}

/** First ordered node named `name`, searched depth-first. */
export function findOrdered(nodes: unknown, name: string): Record<string, unknown> | undefined {
  if (!Array.isArray(nodes)) return undefined;
  for (const node of nodes as Record<string, unknown>[]) {
    if (name in node) return node;
    for (const [key, value] of Object.entries(node)) {
      if (key === ':@' || key === '#text') continue;
      const found = findOrdered(value, name);
      if (found) return found;
    }
  }
  return undefined;
}

export function sampleRecord(name: string): ArticleRecord {
  const raw: unknown = JSON.parse(readFileSync(new URL(`../samples/${name}`, import.meta.url), 'utf8'));
  const result = validateArticle(raw);
  if (!result.ok) throw new Error(`${name} is invalid: ${JSON.stringify(result.errors)}`);
  return result.record;
}

/** A small valid record built in the test, for cases the samples do not cover. */
export function minimalRecord(overrides: Partial<ArticleRecord> = {}): ArticleRecord {
  const record: ArticleRecord = {
    language: 'en',
    title: { en: 'A minimal article' },
    contributors: [{ given: 'Ada', family: 'Lovelace' }],
    journal: {
      title: 'Journal of Minimal Examples',
      issns: [{ value: '2049-3630', media: 'electronic' }],
      publisher: { name: 'Minimal Press' },
    },
    issue: { volume: '1', number: '1', year: 2024 },
    doi: '10.5555/minimal.1',
    landingPage: 'https://example.org/article/1',
    ...overrides,
  };
  const result = validateArticle(record);
  if (!result.ok) throw new Error(`test record is invalid: ${JSON.stringify(result.errors)}`);
  return result.record;
}

/** The seed article's reference list as printed on its landing page (../shared/seed). */
export function seedReferencesAsPrinted(): string[] {
  const seed = readFileSync(new URL('../../shared/seed/000_a63bd5d5638fbb1a.txt', import.meta.url), 'utf8');
  const start = seed.indexOf('Daftar Pustaka');
  const end = seed.indexOf('DOI: https://doi.org/', start);
  return seed
    .slice(start + 'Daftar Pustaka'.length, end)
    .split(/\n\s*\n/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
