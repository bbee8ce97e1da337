import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Ajv2020Module, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { Cron } from 'croner';
import { packageFilePath } from '../model/index.js';
import type { CrossrefConfigSection } from '../crossref/index.js';
import { FORMATS, formatIds, type FormatId, type FormatList } from '../formats/index.js';
import { validateJournalProfileList, type JournalProfile } from '../journals/index.js';

export const WORKER_CONFIG_SCHEMA_PATH = 'schemas/config.schema.json';

/** A registered format id (src/formats/registry.ts). */
export type ExportFormatName = FormatId;

export interface WorkerJobConfig {
  schedule?: string;
  enabled?: boolean;
}

export interface HarvestSourceConfig {
  name: string;
  url: string;
  metadataPrefix?: 'oai_dc' | 'jats';
  set?: string;
}

/** The config file, as validated by schemas/config.schema.json. */
export interface WorkerConfig {
  db?: string;
  timezone?: string;
  leaseSeconds?: number;
  /** Journal profiles (schemas/journal.schema.json), in normal form once validated. */
  journals?: JournalProfile[];
  sources?: HarvestSourceConfig[];
  jobs?: {
    harvest?: WorkerJobConfig;
    export?: WorkerJobConfig & { outDir?: string; formats?: ExportFormatName[] };
    deposit?: WorkerJobConfig;
  };
  crossref?: CrossrefConfigSection;
}

/** A config file that does not match the schema: every problem, by JSON pointer. */
export class WorkerConfigError extends Error {
  readonly problems: { pointer: string; message: string }[];
  constructor(source: string, problems: { pointer: string; message: string }[]) {
    super(`${source}: invalid configuration\n${problems.map((p) => `  ${p.pointer || '/'}: ${p.message}`).join('\n')}`);
    this.name = 'WorkerConfigError';
    this.problems = problems;
  }
}

type AjvClass = typeof Ajv2020Module.default;
const Ajv2020 = ((Ajv2020Module as unknown as { default?: AjvClass }).default ?? Ajv2020Module) as AjvClass;
type AddFormats = typeof addFormatsModule.default;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ?? addFormatsModule) as AddFormats;

/** True when croner accepts the pattern (5 fields, or 6 with seconds). */
export function isValidCronPattern(pattern: string): boolean {
  try {
    const job = new Cron(pattern, { paused: true });
    job.stop();
    return true;
  } catch {
    return false;
  }
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The config JSON Schema with the export job's format enum taken from `formats`. The copy in
 * schemas/config.schema.json lists the registry's ids too (a test keeps them equal), for editors
 * that read the file.
 */
export function workerConfigSchema(formats: FormatList = FORMATS): Record<string, unknown> {
  const schema = JSON.parse(readFileSync(packageFilePath(WORKER_CONFIG_SCHEMA_PATH), 'utf8')) as Record<string, unknown>;
  exportFormatItems(schema).enum = formatIds(formats);
  return schema;
}

/** The `items` of jobs.export.formats in the config schema. */
export function exportFormatItems(schema: Record<string, unknown>): { enum: string[] } {
  type Node = { properties: Record<string, Node>; items: { enum: string[] } };
  const root = schema as unknown as Node;
  return root.properties['jobs']!.properties['export']!.properties['formats']!.items;
}

const validators = new WeakMap<FormatList, ValidateFunction>();

function compile(formats: FormatList): ValidateFunction {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats(ajv, ['uri', 'email']);
  ajv.addFormat('cron', { type: 'string', validate: isValidCronPattern });
  ajv.addFormat('timezone', { type: 'string', validate: isTimeZone });
  return ajv.compile(workerConfigSchema(formats));
}

function describe(error: ErrorObject): { pointer: string; message: string } {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return { pointer: error.instancePath, message: `unknown property "${String(params['additionalProperty'])}"` };
    case 'unevaluatedProperties':
      return { pointer: error.instancePath, message: `unknown property "${String(params['unevaluatedProperty'])}"` };
    case 'required':
      return { pointer: error.instancePath, message: `missing required property "${String(params['missingProperty'])}"` };
    case 'enum':
      return { pointer: error.instancePath, message: `must be one of ${(params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    case 'format':
      if (params['format'] === 'cron') return { pointer: error.instancePath, message: 'is not a valid cron expression (5 fields, or 6 with seconds first)' };
      if (params['format'] === 'timezone') return { pointer: error.instancePath, message: 'is not an IANA time zone (e.g. "Europe/Berlin")' };
      return { pointer: error.instancePath, message: `must be a valid ${String(params['format'])}` };
    default:
      return { pointer: error.instancePath, message: error.message ?? 'is invalid' };
  }
}

/** The config's `journals`, each checked against the journal profile schema and against the others. */
function journalsOf(value: unknown): { profiles?: JournalProfile[]; problems: { pointer: string; message: string }[] } {
  if (value === null || typeof value !== 'object' || !('journals' in value)) return { problems: [] };
  const list = (value as { journals: unknown }).journals;
  if (!Array.isArray(list)) return { problems: [] }; // the config schema reports the type
  const result = validateJournalProfileList(list, '/journals');
  return result.ok ? { profiles: result.profiles, problems: [] } : { problems: result.errors };
}

/** Validates a parsed config object; throws WorkerConfigError listing every problem. */
export function validateWorkerConfig(value: unknown, source = 'config', formats: FormatList = FORMATS): WorkerConfig {
  let validator = validators.get(formats);
  if (!validator) {
    validator = compile(formats);
    validators.set(formats, validator);
  }
  const journals = journalsOf(value);
  if (validator(value) && journals.problems.length === 0) {
    const config = value as WorkerConfig;
    return journals.profiles ? { ...config, journals: journals.profiles } : config;
  }
  const seen = new Set<string>();
  const problems: { pointer: string; message: string }[] = [...journals.problems];
  for (const error of validator.errors ?? []) {
    // allOf/$ref branches repeat the same failure; one line per pointer and message.
    const problem = describe(error);
    const key = `${problem.pointer}\u0000${problem.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      problems.push(problem);
    }
  }
  throw new WorkerConfigError(source, problems);
}

export interface LoadedWorkerConfig {
  config: WorkerConfig;
  /** Directory relative paths in the config are resolved from. */
  baseDir: string;
  source: string;
}

/** Reads and validates a config file. JSON syntax errors are reported with line and column. */
export function loadWorkerConfig(file: string): LoadedWorkerConfig {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read config file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message);
    if (position) {
      const offset = Number(position[1]);
      const before = text.slice(0, offset);
      const line = before.split('\n').length;
      const column = offset - before.lastIndexOf('\n');
      throw new Error(`${file}:${line}:${column}: invalid JSON: ${message.replace(/ in JSON at position \d+.*$/, '')}`);
    }
    throw new Error(`${file}: invalid JSON: ${message}`);
  }
  return { config: validateWorkerConfig(value, file), baseDir: dirname(path), source: file };
}
