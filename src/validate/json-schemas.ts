// Official JSON Schemas, from schemas/official/ like the XSDs (manifest + sha256 fetch step,
// never committed), validated with ajv. The table is filled by the formats that need it (CSL-JSON).
// NOTE for the merge with the `newformats` branch: it adds the same function
// (validateJsonText(text, id)) with the csl-data entry to schemas.ts; keep one of the two.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import { OFFICIAL_SCHEMA_DIR } from './resolver.js';

/** Schema id -> file under schemas/official/. */
const JSON_SCHEMAS: Record<string, { description: string; entry: string }> = {
  'csl-data': { description: 'CSL-JSON input data 1.0 (csl-data.json)', entry: 'csl/csl-data.json' },
};

export interface JsonValidationIssue {
  /** JSON pointer of the offending value ("" for the document). */
  pointer: string;
  message: string;
}

export interface JsonValidationResult {
  valid: boolean;
  errors: JsonValidationIssue[];
}

type AjvClass = typeof AjvModule.default;
const Ajv = ((AjvModule as unknown as { default?: AjvClass }).default ?? AjvModule) as AjvClass;
const compiled = new Map<string, ValidateFunction>();

function compiledJsonSchema(id: string): ValidateFunction {
  const cached = compiled.get(id);
  if (cached) return cached;
  const definition = JSON_SCHEMAS[id];
  if (!definition) throw new Error(`unknown JSON schema id ${JSON.stringify(id)}; expected one of ${Object.keys(JSON_SCHEMAS).join(', ')}`);
  const path = join(OFFICIAL_SCHEMA_DIR, definition.entry);
  if (!existsSync(path)) throw new Error(`${path} not found: the official schemas are not installed (run \`npm run fetch-schemas\`)`);
  // Used as published: strict mode would reject annotation keywords such as "examples".
  const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(path, 'utf8')) as object);
  compiled.set(id, validate);
  return validate;
}

function issue(error: ErrorObject): JsonValidationIssue {
  return { pointer: error.instancePath, message: error.message ?? 'is invalid' };
}

/** Validates JSON text against an official JSON Schema; a syntax error is reported at the document. */
export function validateJsonText(text: string, id: string): JsonValidationResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { valid: false, errors: [{ pointer: '', message: `not JSON: ${error instanceof Error ? error.message : String(error)}` }] };
  }
  const validate = compiledJsonSchema(id);
  if (validate(value)) return { valid: true, errors: [] };
  return { valid: false, errors: (validate.errors ?? []).map(issue) };
}
