import Ajv2020Module, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { distance } from 'fastest-levenshtein';
import type { ArticleRecord } from './types.js';
import {
  hasIssnSyntax,
  hasOrcidSyntax,
  hasRorSyntax,
  isNormalizedDoi,
  isPageNumber,
  isPartialDate,
  isValidIssn,
  isValidOrcid,
  isValidRor,
  normalizeDoi,
  normalizeIssn,
  normalizeOrcid,
  normalizeRor,
  pageValue,
} from './identifiers.js';
import { readPackageJson } from './package-files.js';

/** One problem in a record: where (JSON pointer, "" for the root) and why. */
export interface FieldError {
  pointer: string;
  message: string;
}

export type ArticleValidationResult = { ok: true; record: ArticleRecord } | { ok: false; errors: FieldError[] };

export const ARTICLE_SCHEMA_PATH = 'schemas/article.schema.json';

// ajv and ajv-formats are CommonJS; under NodeNext the default import is module.exports.
type AjvClass = typeof Ajv2020Module.default;
const Ajv2020 = ((Ajv2020Module as unknown as { default?: AjvClass }).default ?? Ajv2020Module) as AjvClass;
type AddFormats = typeof addFormatsModule.default;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ?? addFormatsModule) as AddFormats;

let compiled: ValidateFunction | undefined;
let schemaJson: Record<string, unknown> | undefined;

/** The record JSON Schema (schemas/article.schema.json), parsed once. */
export function articleSchema(): Record<string, unknown> {
  schemaJson ??= readPackageJson(ARTICLE_SCHEMA_PATH) as Record<string, unknown>;
  return schemaJson;
}

function compileArticleSchema(): ValidateFunction {
  // verbose: errors carry the failing data and their schema, used to build readable messages.
  const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, strictRequired: false, allowUnionTypes: true });
  addFormats(ajv, ['email', 'uri']);
  ajv.addFormat('doi', { type: 'string', validate: isNormalizedDoi });
  ajv.addFormat('orcid', { type: 'string', validate: isValidOrcid });
  ajv.addFormat('issn', { type: 'string', validate: isValidIssn });
  ajv.addFormat('ror', { type: 'string', validate: isValidRor });
  ajv.addFormat('partial-date', { type: 'string', validate: isPartialDate });
  ajv.addFormat('page-number', { type: 'string', validate: isPageNumber });
  ajv.addKeyword({ keyword: 'x-messages', schemaType: 'object' });
  const languageKeyOf = (siblingName: string, data: string, _schema: unknown, ctx?: { parentData: unknown }): boolean => {
    const sibling = (ctx?.parentData as Record<string, unknown> | undefined)?.[siblingName];
    // A missing or malformed sibling is reported by its own rules.
    if (sibling === null || typeof sibling !== 'object' || Array.isArray(sibling)) return true;
    if (Object.hasOwn(sibling, data)) return true;
    languageKeyOf.errors = [{ keyword: 'x-languageKeyOf', message: '', params: { sibling: siblingName, languages: Object.keys(sibling) } }];
    return false;
  };
  languageKeyOf.errors = [] as Partial<ErrorObject>[];
  ajv.addKeyword({ keyword: 'x-languageKeyOf', type: 'string', schemaType: 'string', errors: true, validate: languageKeyOf });
  ajv.addKeyword({
    keyword: 'x-pageOrder',
    type: 'object',
    schemaType: 'boolean',
    validate: (enabled: boolean, pages: { first?: unknown; last?: unknown }) => {
      if (!enabled || typeof pages.first !== 'string' || typeof pages.last !== 'string') return true;
      const first = pageValue(pages.first);
      const last = pageValue(pages.last);
      if (!first || !last || first.kind !== last.kind) return true;
      return last.value >= first.value;
    },
  });
  return ajv.compile(articleSchema());
}

function validator(): ValidateFunction {
  compiled ??= compileArticleSchema();
  return compiled;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function eachObject(list: unknown, visit: (item: Json) => void): void {
  if (Array.isArray(list)) for (const item of list) if (isObject(item)) visit(item);
}

function normalizeField(target: Json, key: string, normalize: (s: string) => string): void {
  const value = target[key];
  if (typeof value === 'string') target[key] = normalize(value);
}

function normalizeFunderId(s: string): string {
  const trimmed = s.trim();
  if (/ror\.org\//i.test(trimmed)) return normalizeRor(trimmed);
  if (/^(?:doi:|https?:\/\/(?:dx\.)?doi\.org\/|10\.)/i.test(trimmed)) return normalizeDoi(trimmed);
  return trimmed;
}

/**
 * Deep copy of JSON data. Properties set to undefined are dropped, as JSON.stringify would;
 * anything JSON cannot hold (functions, Dates, Maps, class instances) is reported by pointer.
 * Several times faster than structuredClone, which dominated validation time.
 */
function cloneJson(value: unknown, path: string[], problems: FieldError[]): unknown {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') {
      problems.push({ pointer: toPointer(path), message: `must be JSON data (got a ${typeof value})` });
    }
    return value;
  }
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      path.push(String(i));
      out[i] = cloneJson(value[i], path, problems);
      path.pop();
    }
    return out;
  }
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) {
    const name = (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
    problems.push({ pointer: toPointer(path), message: `must be plain JSON data (got a ${name})` });
    return value;
  }
  const out: Json = {};
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const item = (value as Json)[key];
    if (item === undefined) continue;
    path.push(key);
    out[key] = cloneJson(item, path, problems);
    path.pop();
  }
  return out;
}

function toPointer(path: string[]): string {
  return path.map((token) => `/${escapePointerToken(token)}`).join('');
}

/** Rewrites accepted input forms into normal form, in place, on a private copy. */
function normalizeInPlace(record: Json): void {
  normalizeField(record, 'doi', normalizeDoi);
  if (isObject(record.journal)) {
    normalizeField(record.journal, 'doi', normalizeDoi);
    eachObject(record.journal.issns, (issn) => normalizeField(issn, 'value', normalizeIssn));
  }
  eachObject(record.contributors, (contributor) => {
    normalizeField(contributor, 'orcid', normalizeOrcid);
    eachObject(contributor.affiliations, (affiliation) => normalizeField(affiliation, 'ror', normalizeRor));
  });
  eachObject(record.references, (reference) => normalizeField(reference, 'doi', normalizeDoi));
  eachObject(record.funding, (funding) => normalizeField(funding, 'funderId', normalizeFunderId));
  // Before dates by medium, `dates.published` was one partial date: read it as the online date.
  if (isObject(record.dates) && typeof record.dates.published === 'string') {
    record.dates.published = { online: record.dates.published };
  }
}

/**
 * Validates a record against schemas/article.schema.json and returns it in normal form
 * (DOIs lowercase without resolver prefix, bare ORCID iDs, ROR ids as full URLs).
 * All problems are reported at once; the input is never mutated.
 */
export function validateArticle(value: unknown): ArticleValidationResult {
  if (!isObject(value)) {
    return { ok: false, errors: [{ pointer: '', message: `must be a JSON object (got ${describeType(value)})` }] };
  }
  const problems: FieldError[] = [];
  const copy = cloneJson(value, [], problems) as Json;
  if (problems.length > 0) return { ok: false, errors: problems };
  normalizeInPlace(copy);
  const validate = validator();
  if (validate(copy)) return { ok: true, record: copy as unknown as ArticleRecord };
  return { ok: false, errors: toFieldErrors(validate.errors ?? []) };
}

/** One line per error: "label: /pointer: message". */
export function formatFieldErrors(label: string, errors: FieldError[]): string {
  return errors.map((error) => `${label}: ${error.pointer || '/'}: ${error.message}`).join('\n');
}

function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

function formatMessage(format: string, data: unknown): string {
  const value = quote(data);
  switch (format) {
    case 'doi':
      return `must be a DOI such as 10.1234/abc (got ${value})`;
    case 'orcid':
      return typeof data === 'string' && hasOrcidSyntax(data)
        ? `ORCID checksum is wrong (${value})`
        : `must be an ORCID iD such as 0000-0002-1825-0097 (got ${value})`;
    case 'issn':
      return typeof data === 'string' && hasIssnSyntax(data)
        ? `ISSN check digit is wrong (${value})`
        : `must be an ISSN such as 0378-5955 (got ${value})`;
    case 'ror':
      return typeof data === 'string' && hasRorSyntax(data)
        ? `ROR id checksum is wrong (${value})`
        : `must be a ROR id such as https://ror.org/05gq02987 (got ${value})`;
    case 'partial-date':
      return `must be a real date as YYYY, YYYY-MM or YYYY-MM-DD (got ${value})`;
    case 'page-number':
      return `must be a page number in arabic or roman numerals (got ${value})`;
    case 'email':
      return `must be an e-mail address (got ${value})`;
    case 'uri':
      return `must be an absolute URL (got ${value})`;
    default:
      return `must match format "${format}" (got ${value})`;
  }
}

function customMessage(error: ErrorObject): string | undefined {
  const messages = (error.parentSchema as Json | undefined)?.['x-messages'];
  if (!isObject(messages)) return undefined;
  const message = messages[error.keyword];
  return typeof message === 'string' ? message : undefined;
}

function toFieldError(error: ErrorObject): FieldError {
  let pointer = error.instancePath;
  const params = error.params as Record<string, unknown>;
  const custom = customMessage(error);
  if (typeof error.propertyName === 'string') {
    // A propertyNames failure: point at the offending key itself.
    return { pointer: `${pointer}/${escapePointerToken(error.propertyName)}`, message: `key ${JSON.stringify(error.propertyName)} is not a BCP 47 language tag such as "en" or "zh-Hans"` };
  }
  switch (error.keyword) {
    case 'required':
      pointer += `/${escapePointerToken(String(params.missingProperty))}`;
      return { pointer, message: custom ? `is required: ${custom}` : 'is required' };
    case 'additionalProperties':
      pointer += `/${escapePointerToken(String(params.additionalProperty))}`;
      return { pointer, message: unknownFieldMessage(String(params.additionalProperty), error.parentSchema as Json | undefined) };
    case 'type':
      return { pointer, message: `must be ${TYPE_NAMES[String(params.type)] ?? String(params.type)} (got ${describeType(error.data)})` };
    case 'enum':
      return { pointer, message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')} (got ${quote(error.data)})` };
    case 'format':
      return { pointer, message: custom ?? formatMessage(String(params.format), error.data) };
    case 'x-languageKeyOf': {
      const languages = Array.isArray(params.languages) ? (params.languages as string[]) : [];
      const listed = languages.length > 0 ? `: ${languages.join(', ')}` : '';
      return { pointer, message: `must be one of the languages of /${String(params.sibling ?? error.schema)}${listed} (got ${quote(error.data)})` };
    }
    case 'x-pageOrder':
      return { pointer: `${pointer}/last`, message: 'last page comes before the first page' };
    case 'minItems':
      return { pointer, message: custom ?? `must have at least ${String(params.limit)} item(s)` };
    case 'minProperties':
      return { pointer, message: custom ?? `must have at least ${String(params.limit)} field(s)` };
    default:
      return { pointer, message: custom ?? error.message ?? `fails ${error.keyword}` };
  }
}

/** A schema node with its $ref (to #/$defs/...) followed. */
function resolveRef(node: Json): Json {
  const ref = node.$ref;
  if (typeof ref !== 'string' || !ref.startsWith('#/$defs/')) return node;
  const defs = articleSchema().$defs as Record<string, Json> | undefined;
  const target = defs?.[ref.slice('#/$defs/'.length)];
  return target ? resolveRef(target) : node;
}

/**
 * The field names allowed in an object, and the dotted paths of the fields of its object fields
 * ("published.online" in dates, "dates.published.online" at the top), two levels down.
 */
function allowedFieldNames(schema: Json, depth = 0): string[] {
  const properties = resolveRef(schema).properties;
  if (!isObject(properties)) return [];
  const names: string[] = [];
  for (const [name, child] of Object.entries(properties)) {
    names.push(name);
    if (depth < 2 && isObject(child)) names.push(...allowedFieldNames(child, depth + 1).map((inner) => `${name}.${inner}`));
  }
  return names;
}

/**
 * "is not a field of this record model; did you mean `published.online`?" with the closest
 * allowed name (edit distance, or a nested field of that name), or the list of allowed fields.
 */
function unknownFieldMessage(field: string, parentSchema: Json | undefined): string {
  const base = 'is not a field of this record model';
  if (!parentSchema) return base;
  const allowed = allowedFieldNames(parentSchema);
  const direct = Object.keys((resolveRef(parentSchema).properties as Json | undefined) ?? {});
  if (allowed.length === 0) return base;
  const wanted = field.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of allowed) {
    const lower = name.toLowerCase();
    // The whole path, the path without dots ("publishedonline"), or its last field ("publishd").
    const d = Math.min(distance(wanted, lower), distance(wanted, lower.replace(/\./g, '')), distance(wanted, lower.slice(lower.lastIndexOf('.') + 1)));
    if (d < bestDistance || (d === bestDistance && best !== undefined && name.length < best.length)) {
      best = name;
      bestDistance = d;
    }
  }
  const close = best !== undefined && bestDistance <= Math.max(2, Math.floor(field.length / 3));
  const suggestion = close ? best : undefined;
  if (suggestion) return `${base}; did you mean \`${suggestion}\`?`;
  return `${base}; allowed here: ${direct.join(', ')}`;
}

/** Maps ajv errors to field errors, dropping the redundant ones ajv reports alongside. */
function toFieldErrors(errors: ErrorObject[]): FieldError[] {
  // The failing branches of an anyOf are noise once the anyOf itself is reported.
  const anyOfPaths = errors.filter((e) => e.keyword === 'anyOf').map((e) => `${e.instancePath}\u0000${e.schemaPath}/`);
  const seen = new Set<string>();
  const result: FieldError[] = [];
  for (const error of errors) {
    if (error.keyword === 'if' || error.keyword === 'propertyNames') continue;
    if (anyOfPaths.some((prefix) => `${error.instancePath}\u0000${error.schemaPath}`.startsWith(prefix))) continue;
    const fieldError = toFieldError(error);
    const key = `${fieldError.pointer}\u0000${fieldError.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    result.push(fieldError);
  }
  return result;
}
