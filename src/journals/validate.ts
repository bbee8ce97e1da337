import Ajv2020Module, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { hasIssnSyntax, isValidIssn, normalizeIssn } from '../model/identifiers.js';
import { readPackageJson } from '../model/package-files.js';
import { articleSchema, type FieldError } from '../model/validate-article.js';
import { urlTemplateProblems } from './templates.js';
import type { JournalProfile } from './types.js';

export const JOURNAL_SCHEMA_PATH = 'schemas/journal.schema.json';

export type JournalProfileValidation = { ok: true; profile: JournalProfile } | { ok: false; errors: FieldError[] };
export type JournalProfileListValidation = { ok: true; profiles: JournalProfile[] } | { ok: false; errors: FieldError[] };

// ajv and ajv-formats are CommonJS; under NodeNext the default import is module.exports.
type AjvClass = typeof Ajv2020Module.default;
const Ajv2020 = ((Ajv2020Module as unknown as { default?: AjvClass }).default ?? Ajv2020Module) as AjvClass;
type AddFormats = typeof addFormatsModule.default;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ?? addFormatsModule) as AddFormats;

let schemaJson: Record<string, unknown> | undefined;
let compiled: ValidateFunction | undefined;

/** The journal profile JSON Schema (schemas/journal.schema.json), parsed once. */
export function journalSchema(): Record<string, unknown> {
  schemaJson ??= readPackageJson(JOURNAL_SCHEMA_PATH) as Record<string, unknown>;
  return schemaJson;
}

/** The record schema's BCP 47 pattern: a profile's language must be one a record accepts. */
function languageTagPattern(): RegExp {
  const defs = articleSchema().$defs as Record<string, { pattern: string }>;
  return new RegExp(defs.languageTag!.pattern, 'u');
}

function compile(): ValidateFunction {
  const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
  addFormats(ajv, ['email', 'uri']);
  ajv.addFormat('issn', { type: 'string', validate: isValidIssn });
  ajv.addFormat('language-tag', { type: 'string', validate: languageTagPattern() });
  const urlTemplate = (_enabled: boolean, template: string): boolean => {
    const problems = urlTemplateProblems(template);
    urlTemplate.errors = problems.map((message) => ({ keyword: 'x-urlTemplate', message, params: {} }));
    return problems.length === 0;
  };
  urlTemplate.errors = [] as Partial<ErrorObject>[];
  ajv.addKeyword({ keyword: 'x-urlTemplate', type: 'string', schemaType: 'boolean', errors: true, validate: urlTemplate });
  return ajv.compile(journalSchema());
}

const profileFields = (): string => Object.keys(journalSchema().properties as object).join(', ');

function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function patternMessage(pointer: string, data: unknown): string {
  if (pointer === '/id') return `must be lowercase letters, digits and hyphens, at most 64, starting with a letter or digit, such as "jdp" (got ${quote(data)})`;
  if (pointer.startsWith('/doiPrefixes/')) return `must be a DOI prefix: "10." and 4 to 9 digits, optionally with ".N" subdivisions, such as "10.33172" (got ${quote(data)})`;
  if (pointer === '/license') return `must be an absolute http(s) URL (got ${quote(data)})`;
  return 'must contain non-whitespace text';
}

function formatMessage(format: string, data: unknown): string {
  switch (format) {
    case 'issn':
      return typeof data === 'string' && hasIssnSyntax(data)
        ? `ISSN check digit is wrong (${quote(data)})`
        : `must be an ISSN such as 0378-5955 (got ${quote(data)})`;
    case 'language-tag':
      return `must be a BCP 47 language tag such as "id", "en" or "zh-Hans" (got ${quote(data)})`;
    case 'email':
      return `must be an e-mail address (got ${quote(data)})`;
    default:
      return `must be an absolute http(s) URL (got ${quote(data)})`;
  }
}

function toFieldError(error: ErrorObject): FieldError {
  const pointer = error.instancePath;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { pointer: `${pointer}/${String(params.missingProperty)}`, message: 'is required' };
    case 'additionalProperties':
      return {
        pointer: `${pointer}/${String(params.additionalProperty).replace(/~/g, '~0').replace(/\//g, '~1')}`,
        message: pointer === '' ? `is not a journal profile field (the fields are ${profileFields()})` : 'is not a field here',
      };
    case 'type':
      return { pointer, message: `must be ${params.type === 'array' ? 'an array' : params.type === 'object' ? 'an object' : `a ${String(params.type)}`} (got ${describeType(error.data)})` };
    case 'pattern':
      return { pointer, message: patternMessage(pointer, error.data) };
    case 'format':
      return { pointer, message: formatMessage(String(params.format), error.data) };
    case 'uniqueItems': {
      // ajv names both copies (i, j); the pointer goes to the later one, the repeat.
      const repeat = Math.max(Number(params.i), Number(params.j));
      return { pointer: `${pointer}/${repeat}`, message: `repeats ${quote((error.data as unknown[])[repeat])}` };
    }
    case 'maxLength':
      return { pointer, message: `must be at most ${String(params.limit)} characters` };
    case 'minLength':
      return { pointer, message: `must be at least ${String(params.limit)} characters` };
    default:
      return { pointer, message: error.message ?? `fails ${error.keyword}` };
  }
}

/** Accepted input forms: "03785955" and a lowercase x for ISSNs, a trailing "/" after a DOI prefix. */
function normalizeInPlace(profile: Record<string, unknown>): void {
  for (const key of ['issnPrint', 'issnElectronic']) {
    if (typeof profile[key] === 'string') profile[key] = normalizeIssn(profile[key]);
  }
  if (Array.isArray(profile.doiPrefixes)) {
    profile.doiPrefixes = profile.doiPrefixes.map((prefix: unknown) => (typeof prefix === 'string' ? prefix.trim().replace(/\/$/, '') : prefix));
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Validates one journal profile against schemas/journal.schema.json plus what a schema cannot
 * say (two media with one ISSN). Reports every problem by JSON pointer; returns the profile in
 * normal form (ISSNs as NNNN-NNNC, doiPrefixes present). The input is never mutated.
 */
export function validateJournalProfile(value: unknown): JournalProfileValidation {
  if (!isObject(value)) return { ok: false, errors: [{ pointer: '', message: `must be a JSON object (got ${describeType(value)})` }] };
  let copy: Record<string, unknown>;
  try {
    copy = structuredClone(value);
  } catch {
    return { ok: false, errors: [{ pointer: '', message: 'must be plain JSON data' }] };
  }
  normalizeInPlace(copy);
  compiled ??= compile();
  const errors: FieldError[] = [];
  if (!compiled(copy)) {
    const seen = new Set<string>();
    for (const error of compiled.errors ?? []) {
      const fieldError = toFieldError(error);
      const key = `${fieldError.pointer}\u0000${fieldError.message}`;
      if (!seen.has(key)) errors.push(fieldError);
      seen.add(key);
    }
  }
  if (typeof copy.issnPrint === 'string' && copy.issnPrint === copy.issnElectronic) {
    errors.push({ pointer: '/issnElectronic', message: `is the same as issnPrint (${copy.issnPrint}); each medium has its own ISSN` });
  }
  if (errors.length > 0) return { ok: false, errors };
  copy.doiPrefixes ??= [];
  return { ok: true, profile: copy as unknown as JournalProfile };
}

/**
 * Validates a list of profiles (the config file's `journals`), each as validateJournalProfile
 * does, with pointers under `basePointer` ("/journals"), and across the list: no id twice, no
 * ISSN in two profiles (a record could then join either).
 */
export function validateJournalProfileList(value: unknown, basePointer = ''): JournalProfileListValidation {
  if (!Array.isArray(value)) return { ok: false, errors: [{ pointer: basePointer, message: `must be an array of journal profiles (got ${describeType(value)})` }] };
  const errors: FieldError[] = [];
  const profiles: JournalProfile[] = [];
  const ids = new Map<string, number>();
  const issns = new Map<string, string>();
  value.forEach((item, index) => {
    const at = `${basePointer}/${index}`;
    const result = validateJournalProfile(item);
    if (!result.ok) {
      errors.push(...result.errors.map((e) => ({ pointer: `${at}${e.pointer}`, message: e.message })));
      return;
    }
    const profile = result.profile;
    const first = ids.get(profile.id);
    if (first !== undefined) errors.push({ pointer: `${at}/id`, message: `repeats the id "${profile.id}" of ${basePointer}/${first}` });
    else ids.set(profile.id, index);
    for (const key of ['issnPrint', 'issnElectronic'] as const) {
      const issn = profile[key];
      if (issn === undefined) continue;
      const owner = issns.get(issn);
      if (owner !== undefined) errors.push({ pointer: `${at}/${key}`, message: `${issn} is already the ISSN of journal "${owner}"` });
      else issns.set(issn, profile.id);
    }
    profiles.push(profile);
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, profiles };
}
