// samples/example-rich.json: the example that exercises every field of the record model. It must
// be a valid record in normal form, fill every field the JSON Schema defines, and export to
// oai_dc, JATS and Crossref documents that the official XSDs accept.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toCrossref, toJats, toOaiDc } from '../src/formats/index.js';
import { articleSchema, isValidIssn, isValidOrcid, isValidRor, validateArticle, type ArticleRecord } from '../src/model/index.js';
import { formatXmlErrors, validateXml, type SchemaId } from '../src/validate/index.js';

const raw = JSON.parse(readFileSync(new URL('../samples/example-rich.json', import.meta.url), 'utf8')) as ArticleRecord;

function expectValid(xml: string, schema: SchemaId): void {
  const result = validateXml(xml, schema);
  expect(result.valid, formatXmlErrors(result.errors)).toBe(true);
}

type Json = Record<string, unknown>;

/** Every object field path the JSON Schema defines ("contributors[].affiliations[].ror"), $refs followed. */
function schemaFieldPaths(): string[] {
  const schema = articleSchema() as Json;
  const defs = schema.$defs as Record<string, Json>;
  const resolve = (node: Json): Json => (typeof node.$ref === 'string' ? resolve(defs[node.$ref.replace('#/$defs/', '')]!) : node);
  const out: string[] = [];
  const walk = (node: Json, path: string, depth: number): void => {
    const resolved = resolve(node);
    if (depth > 6) return;
    if (resolved.items) return walk(resolved.items as Json, `${path}[]`, depth + 1);
    if (resolved.properties) {
      for (const [key, child] of Object.entries(resolved.properties as Record<string, Json>)) {
        out.push(path ? `${path}.${key}` : key);
        walk(child, path ? `${path}.${key}` : key, depth + 1);
      }
    }
  };
  walk(schema, '', 0);
  return out;
}

function recordFieldPaths(value: unknown, path = '', out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) recordFieldPaths(item, `${path}[]`, out);
  else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      // Language maps: the key is a language, not a field.
      const languageMap = /^(title|subtitle|abstract|keywords|markup\.title|markup\.abstract|contributors\[\]\.nameVariants)$/.test(path);
      const next = languageMap ? path : path ? `${path}.${key}` : key;
      if (!languageMap) out.add(next);
      recordFieldPaths(child, next, out);
    }
  }
  return out;
}

describe('samples/example-rich.json', () => {
  const result = validateArticle(raw);
  const record = result.ok ? result.record : raw;

  it('is a valid record already in normal form, marked as an example, not the seed', () => {
    expect(result.ok, JSON.stringify(!result.ok && result.errors)).toBe(true);
    expect(record).toEqual(raw);
    expect(record.id).toBe('example-rich-1');
    expect(record.notes?.[0]).toMatch(/^EXAMPLE RECORD, not the seed/);
    expect(record.doi).toMatch(/^10\.5555\//);
  });

  it('fills every field the record schema defines, but synthetic and articleNumber', () => {
    // synthetic marks generated test records (this one is hand-written); articleNumber stands in
    // for pages, and a record has one or the other (the edge-case samples carry articleNumber).
    const present = recordFieldPaths(record);
    const missing = schemaFieldPaths().filter((path) => !present.has(path) && path !== 'synthetic' && path !== 'articleNumber');
    expect(missing).toEqual([]);
  });

  it('has check-digit-valid identifiers, both publication media, and a right-to-left language', () => {
    expect(record.contributors.filter((c) => c.orcid).every((c) => isValidOrcid(c.orcid!))).toBe(true);
    const rors = record.contributors.flatMap((c) => c.affiliations ?? []).flatMap((a) => (a.ror ? [a.ror] : []));
    expect(rors.length).toBeGreaterThanOrEqual(3);
    expect(rors.every(isValidRor)).toBe(true);
    expect(record.journal.issns?.map((i) => i.media)).toEqual(['print', 'electronic']);
    expect(record.journal.issns?.every((i) => isValidIssn(i.value))).toBe(true);
    expect(record.dates?.published).toEqual({ online: '2024-07-15', print: '2024-09-30' });
    expect(record.title.ar).toMatch(/\p{Script=Arabic}/u);
    expect(record.abstract?.ar).toMatch(/\p{Script=Arabic}/u);
    expect(record.keywords?.ar?.join(' ')).toMatch(/\p{Script=Arabic}/u);
    expect(record.funding?.filter((f) => f.funderId?.startsWith('10.13039/') && f.awardIds?.length)).not.toEqual([]);
    expect(record.references?.filter((r) => r.doi && r.structured)).not.toEqual([]);
  });

  it('exports to oai_dc, JATS and Crossref documents valid against the official XSDs', () => {
    expectValid(toOaiDc(record), 'oai_dc');
    expectValid(toJats(record), 'jats');
    const crossref = toCrossref([record], { depositor: { name: 'Example Depositor', email: 'deposits@example.org' }, registrant: 'Example University Press', batchId: 'example-rich-1', timestamp: 1 });
    expectValid(crossref, 'crossref-5.3.1');
    // Both media reach Crossref, and the Arabic title survives.
    expect(crossref).toContain('media_type="online"');
    expect(crossref).toContain('media_type="print"');
    expect(toJats(record)).toContain(record.title.ar);
  });
});
