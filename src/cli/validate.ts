import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { describeKnownRoots, detectSchema } from '../formats/index.js';
import { SCHEMA_IDS, describeRootElement, validateXml, type SchemaId, type XmlValidationIssue } from '../validate/index.js';

interface FileReport {
  file: string;
  schema?: string;
  valid: boolean;
  errors: XmlValidationIssue[];
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

export function register(program: Command): void {
  program
    .command('validate')
    .description(`Validate XML files against the official XSDs. The schema is chosen from the root element and its namespace: ${KNOWN_ROOTS}. Exits 1 if any file is invalid or cannot be validated.`)
    .argument('<files...>', 'XML files; a directory means every .xml file under it')
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
    .action((inputs: string[], options: { schema?: SchemaId; json?: boolean }) => {
      const reports = expandInputs(inputs).map(({ file, problem }) =>
        problem ? { file, valid: false, errors: [], problem } : validateFile(file, options.schema),
      );
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ valid: reports.every((r) => r.valid), files: reports }, null, 2)}\n`);
      } else {
        for (const report of reports) {
          if (report.problem) {
            process.stderr.write(`${report.file}: error: ${report.problem}\n`);
            continue;
          }
          const lines = [`${report.file}: ${report.valid ? 'valid' : 'invalid'} (${report.schema})`];
          for (const e of report.errors) lines.push(`${report.file}:${e.line}:${e.column}: ${e.message}`);
          process.stdout.write(`${lines.join('\n')}\n`);
        }
        if (reports.length > 1) {
          const valid = reports.filter((r) => r.valid).length;
          const failed = reports.filter((r) => r.problem).length;
          process.stderr.write(`${reports.length} files: ${valid} valid, ${reports.length - valid - failed} invalid${failed ? `, ${failed} not validated` : ''}\n`);
        }
      }
      if (reports.some((r) => !r.valid)) process.exitCode = 1;
    });
}
