import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { loadRecordInputs, recordFileKind } from './inputs.js';
import { EXIT, noSuchFile } from './conventions.js';
import { describeKnownRoots, detectSchema } from '../formats/index.js';
import { SCHEMA_IDS, describeRootElement, validateXml, type SchemaId, type XmlValidationIssue } from '../validate/index.js';

interface FileReport {
  file: string;
  schema?: string;
  valid: boolean;
  errors: (XmlValidationIssue | RecordIssue)[];
  /** Why the file could not be validated at all (unreadable, unknown root element). */
  problem?: string;
}

/** The documents whose schema is found from the root element: OAI-PMH responses and every registered XML format. */
const KNOWN_ROOTS = describeKnownRoots();

/** Files named on the command line; a directory stands for the .xml files under it, sorted. */
function expandInputs(inputs: string[]): { file: string; problem?: string }[] {
  const out: { file: string; problem?: string }[] = [];
  for (const input of inputs) {
    let isDirectory = false;
    try {
      isDirectory = statSync(input).isDirectory();
    } catch {
      // reported when the file is read
    }
    if (!isDirectory) {
      out.push({ file: input });
      continue;
    }
    const found = (readdirSync(input, { recursive: true }) as string[])
      .filter((name) => name.toLowerCase().endsWith('.xml'))
      .sort()
      .map((name) => join(input, name));
    if (found.length === 0) out.push({ file: input, problem: 'directory contains no .xml files' });
    else out.push(...found.map((file) => ({ file })));
  }
  return out;
}

function validateFile(file: string, forced: string | undefined): FileReport {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if ((error as { code?: unknown }).code === 'ENOENT') return { file, valid: false, errors: [], problem: noSuchFile(file) };
    return { file, valid: false, errors: [], problem: `cannot read file (${reason})` };
  }
  const schema = forced ?? detectSchema(bytes);
  if (!schema) {
    const root = describeRootElement(bytes);
    const found = root ? `root element ${root.namespace ? `{${root.namespace}}` : ''}${root.local}` : 'no root element found';
    return { file, valid: false, errors: [], problem: `unknown document type (${found}); expected ${KNOWN_ROOTS}, or name one with --schema` };
  }
  const result = validateXml(bytes, schema);
  return { file, schema, valid: result.valid, errors: result.errors };
}

/** A problem in a JSON record or a spreadsheet row: where ("rec.json#/2", "issue.csv:5") and why. */
interface RecordIssue {
  source: string;
  message: string;
}

/**
 * JSON records and spreadsheets are checked as `pubmeta import` reads them (validateArticle, one
 * result per record or row); undefined for XML files, which go to the XSDs.
 */
async function validateRecordFile(file: string, forced: SchemaId | undefined): Promise<FileReport | undefined> {
  if (forced) return undefined;
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined; // reported by validateFile
  }
  const kind = recordFileKind(file, bytes);
  if (kind !== 'json' && kind !== 'spreadsheet') return undefined;
  const inputs = await loadRecordInputs([file]);
  const errors = inputs.flatMap((input) => input.errors.map((message) => ({ source: input.source, message })));
  const valid = errors.length === 0 && inputs.some((input) => input.record);
  const problem = !valid && errors.length === 0 ? inputs.flatMap((input) => input.warnings).join('; ') || 'no records' : undefined;
  return problem ? { file, schema: 'record', valid, errors, problem } : { file, schema: 'record', valid, errors };
}

function formatIssue(file: string, issue: XmlValidationIssue | RecordIssue): string {
  return 'source' in issue ? `${issue.source}: ${issue.message}` : `${file}:${issue.line}:${issue.column}: ${issue.message}`;
}

export function register(program: Command): void {
  program
    .command('validate')
    .description(`Validate XML files against the official XSDs, and JSON records and spreadsheets (CSV/TSV, one article per row) against the record model. The XSD is chosen from the root element and its namespace: ${KNOWN_ROOTS}. Exits 1 if any file is invalid or cannot be validated.`)
    .argument('<files...>', 'XML, JSON or CSV/TSV files; a directory means every .xml file under it')
    .addOption(new Option('--schema <id>', 'validate every file against this schema instead of detecting it').choices([...SCHEMA_IDS]))
    .option('--json', 'print a JSON report on stdout instead of text')
    .addHelpText('after', `
Output (text): "FILE: valid (SCHEMA)", or "FILE: invalid (SCHEMA)" followed by one
"FILE:LINE:COLUMN: message" line per error. Unreadable files and unknown document types
are reported on stderr. Schemas are read from schemas/official/ only, never the network.

Examples:
  pubmeta validate out/*.xml
  pubmeta validate --json response.xml
  pubmeta validate --schema jats article.xml`)
    .action(async (inputs: string[], options: { schema?: SchemaId; json?: boolean }) => {
      const reports: FileReport[] = [];
      for (const { file, problem } of expandInputs(inputs)) {
        reports.push(problem ? { file, valid: false, errors: [], problem } : ((await validateRecordFile(file, options.schema)) ?? validateFile(file, options.schema)));
      }
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ valid: reports.every((r) => r.valid), files: reports }, null, 2)}\n`);
      } else {
        for (const report of reports) {
          if (report.problem) {
            process.stderr.write(report.problem === noSuchFile(report.file) ? `pubmeta validate: ${report.problem}\n` : `${report.file}: error: ${report.problem}\n`);
            continue;
          }
          const lines = [`${report.file}: ${report.valid ? 'valid' : 'invalid'} (${report.schema})`];
          for (const e of report.errors) lines.push(formatIssue(report.file, e));
          process.stdout.write(`${lines.join('\n')}\n`);
        }
        if (reports.length > 1) {
          const valid = reports.filter((r) => r.valid).length;
          const failed = reports.filter((r) => r.problem).length;
          process.stderr.write(`${reports.length} files: ${valid} valid, ${reports.length - valid - failed} invalid${failed ? `, ${failed} not validated` : ''}\n`);
        }
      }
      if (reports.some((r) => !r.valid)) process.exitCode = EXIT.failed;
    });
}
