import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import {
  ExportError,
  assertCrossrefExportable,
  toCrossref,
  toJats,
  toOaiDc,
  type CrossrefHeadOptions,
} from '../formats/index.js';
import { loadSeedSample, recordLocalId, SEED_SAMPLE_PATH, type ArticleRecord } from '../model/index.js';
import { localIdFileStem } from '../model/records.js';
import { formatXmlErrors, validateXml, type SchemaId } from '../validate/index.js';
import { loadRecordInputs } from './inputs.js';

type FormatName = 'oai_dc' | 'jats' | 'crossref';
const FORMATS: readonly FormatName[] = ['oai_dc', 'jats', 'crossref'];

const SCHEMA_OF: Record<FormatName, SchemaId> = { oai_dc: 'oai_dc', jats: 'jats', crossref: 'crossref-5.3.1' };

/** Never deliverable (RFC 2606 ".invalid"): marks a batch file that is not ready to deposit. */
const PLACEHOLDER_EMAIL = 'depositor@example.invalid';

interface ExportOptions {
  format: FormatName | 'all';
  out: string;
  depositorName?: string;
  depositorEmail?: string;
  registrant?: string;
  verbose?: boolean;
}

interface Source {
  label: string;
  record: ArticleRecord;
}

class ExportRun {
  failures = 0;
  written: string[] = [];
  counts: Record<FormatName, number> = { oai_dc: 0, jats: 0, crossref: 0 };

  /** List every file written (set once the number of records is known). */
  listFiles = false;

  constructor(private readonly out: string) {}

  fail(label: string, message: string): void {
    this.failures++;
    process.stderr.write(`${label}: error: ${message.replace(/\n/g, `\n${label}: `)}\n`);
  }

  note(message: string): void {
    process.stderr.write(`pubmeta export: note: ${message}\n`);
  }

  /** Validates against the official XSD, then writes atomically (temp file + rename); invalid output is never written. */
  writeValidated(label: string, format: FormatName, fileName: string, xml: string): boolean {
    const result = validateXml(xml, SCHEMA_OF[format]);
    if (!result.valid) {
      this.fail(label, `${format} output is not valid against ${SCHEMA_OF[format]}, not written:\n${formatXmlErrors(result.errors)}`);
      return false;
    }
    return this.write(label, fileName, xml);
  }

  /** Writes output already validated, atomically (temp file + rename). */
  write(label: string, fileName: string, xml: string): boolean {
    const target = join(this.out, fileName);
    const temporary = join(this.out, `.${fileName}.${process.pid}.tmp`);
    try {
      writeFileSync(temporary, xml);
      renameSync(temporary, target);
    } catch (error) {
      rmSync(temporary, { force: true });
      this.fail(label, `cannot write ${target}: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    }
    this.written.push(target);
    if (this.listFiles) process.stdout.write(`wrote ${target}\n`);
    return true;
  }
}

async function collectSources(inputs: string[], run: ExportRun): Promise<Source[]> {
  if (inputs.length === 0) {
    run.note(`no input given: exporting the bundled seed sample (${SEED_SAMPLE_PATH})`);
    return [{ label: SEED_SAMPLE_PATH, record: loadSeedSample() }];
  }
  const sources: Source[] = [];
  const exportedFrom = new Map<string, string>();
  const doiFrom = new Map<string, string>();
  for (const input of await loadRecordInputs(inputs)) {
    for (const warning of input.warnings) process.stderr.write(`${input.source}: warning: ${warning}\n`);
    if (!input.record) {
      if (input.errors.length > 0) run.fail(input.source, `invalid record, skipped:\n${input.errors.join('\n')}`);
      continue;
    }
    const id = recordLocalId(input.record);
    const stem = localIdFileStem(id);
    const earlier = exportedFrom.get(stem);
    if (earlier !== undefined) {
      run.fail(input.source, `skipped: its local id ${JSON.stringify(id)} names the same output files as ${earlier}`);
      continue;
    }
    // One DOI, one record: a batch carrying a DOI twice registers whichever Crossref reads last.
    const sameDoi = doiFrom.get(input.record.doi);
    if (sameDoi !== undefined) {
      run.fail(input.source, `skipped: DOI ${input.record.doi} is already exported from ${sameDoi}`);
      continue;
    }
    exportedFrom.set(stem, input.source);
    doiFrom.set(input.record.doi, input.source);
    sources.push({ label: input.source, record: input.record });
  }
  return sources;
}

/** Depositor and registrant from flags, then environment, then the first record's publisher. */
function crossrefHead(options: ExportOptions, sources: Source[], run: ExportRun): CrossrefHeadOptions {
  const publisher = sources[0]?.record.journal.publisher?.name?.trim() || sources[0]?.record.journal.title.trim() || 'unknown';
  let name = options.depositorName ?? process.env.PUBMETA_DEPOSITOR_NAME;
  let email = options.depositorEmail ?? process.env.PUBMETA_DEPOSITOR_EMAIL;
  let registrant = options.registrant ?? process.env.PUBMETA_REGISTRANT;
  if (!name?.trim()) {
    name = publisher;
    run.note(`depositor name defaults to the publisher "${name}" (set --depositor-name or PUBMETA_DEPOSITOR_NAME)`);
  }
  if (!registrant?.trim()) {
    registrant = publisher;
    run.note(`registrant defaults to the publisher "${registrant}" (set --registrant or PUBMETA_REGISTRANT)`);
  }
  if (!email?.trim()) {
    email = PLACEHOLDER_EMAIL;
    run.note(
      `no depositor e-mail: the batch carries the placeholder ${PLACEHOLDER_EMAIL}; set --depositor-email or PUBMETA_DEPOSITOR_EMAIL before depositing it`,
    );
  }
  return { depositor: { name, email }, registrant };
}

function exportSingle(run: ExportRun, source: Source, format: 'oai_dc' | 'jats'): void {
  const stem = localIdFileStem(recordLocalId(source.record));
  let xml: string;
  try {
    xml = format === 'oai_dc' ? toOaiDc(source.record) : toJats(source.record);
  } catch (error) {
    if (!(error instanceof ExportError)) throw error;
    run.fail(source.label, error.message);
    return;
  }
  if (run.writeValidated(source.label, format, `${stem}.${format}.xml`, xml)) run.counts[format]++;
}

/** One batch for every record Crossref can take; records it cannot are reported and left out. */
function exportCrossrefBatch(run: ExportRun, sources: Source[], head: CrossrefHeadOptions): void {
  let batch = sources.filter((source) => {
    try {
      assertCrossrefExportable(source.record);
      return true;
    } catch (error) {
      if (!(error instanceof ExportError)) throw error;
      run.fail(source.label, error.message);
      return false;
    }
  });
  // Problems found only while building (malformed markup) drop that record; the loop is bounded by the batch size.
  let xml: string | undefined;
  while (batch.length > 0 && xml === undefined) {
    try {
      xml = toCrossref(batch.map((s) => s.record), head);
    } catch (error) {
      if (!(error instanceof ExportError)) throw error;
      const culprit = batch.find((s) => s.record.doi === error.recordId);
      if (!culprit) {
        run.fail('crossref', error.message);
        return;
      }
      run.fail(culprit.label, error.message);
      batch = batch.filter((s) => s !== culprit);
    }
  }
  if (xml === undefined) return;

  const result = validateXml(xml, 'crossref-5.3.1');
  if (!result.valid) {
    // Find the records that make the batch invalid, report them, and deposit the rest.
    const good = batch.filter((source) => {
      const single = validateXml(toCrossref([source.record], { ...head, batchId: 'validation-check', timestamp: 0 }), 'crossref-5.3.1');
      if (!single.valid) run.fail(source.label, `Crossref output is not valid against crossref-5.3.1, left out of the batch:\n${formatXmlErrors(single.errors)}`);
      return single.valid;
    });
    if (good.length === 0 || good.length === batch.length) {
      if (good.length > 0) run.fail('crossref', `batch is not valid against crossref-5.3.1, not written:\n${formatXmlErrors(result.errors)}`);
      return;
    }
    batch = good;
    xml = toCrossref(batch.map((s) => s.record), head);
  }
  const batchId = /<doi_batch_id>([^<]*)<\/doi_batch_id>/.exec(xml)?.[1] ?? 'batch';
  const fileName = `crossref-${localIdFileStem(batchId)}.xml`;
  // The whole batch was validated above; only a batch rebuilt without its invalid records needs it again.
  if (result.valid ? run.write('crossref', fileName, xml) : run.writeValidated('crossref', 'crossref', fileName, xml)) {
    run.counts.crossref = batch.length;
    const synthetic = batch.filter((s) => s.record.synthetic).length;
    if (synthetic > 0) run.note(`the Crossref batch holds ${synthetic} synthetic record(s): never deposit it`);
  }
}

async function runExport(inputs: string[], options: ExportOptions): Promise<void> {
  const formats = options.format === 'all' ? FORMATS : [options.format];
  mkdirSync(options.out, { recursive: true });
  const started = performance.now();
  const run = new ExportRun(options.out);
  const sources = await collectSources(inputs, run);
  run.listFiles = options.verbose === true || sources.length <= 10;

  for (const source of sources) {
    if (formats.includes('oai_dc')) exportSingle(run, source, 'oai_dc');
    if (formats.includes('jats')) exportSingle(run, source, 'jats');
  }
  if (formats.includes('crossref') && sources.length > 0) {
    exportCrossrefBatch(run, sources, crossrefHead(options, sources, run));
  }

  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  const parts = formats.map((f) => (f === 'crossref' ? `crossref ${run.counts.crossref} in ${run.counts.crossref > 0 ? 1 : 0} batch` : `${f} ${run.counts[f]}`));
  process.stdout.write(
    `pubmeta export: ${sources.length} record(s) read; wrote ${parts.join(', ')} to ${options.out} in ${seconds} s` +
      (run.failures > 0 ? `; ${run.failures} problem(s) reported above` : '') +
      '\n',
  );
  if (run.failures > 0 || sources.length === 0) process.exitCode = 1;
}

/** Registers the `export` command. */
export function register(program: Command): void {
  program
    .command('export')
    .description(
      'Export article records as Dublin Core (oai_dc), JATS 1.3 and Crossref 5.3.1 deposit XML. Every output is validated against the official XSD before it is written.',
    )
    .argument('[inputs...]', 'record JSON files or directories (walked, sorted); none: the bundled seed sample')
    .addOption(new Option('--format <format>', 'output format').choices(['oai_dc', 'jats', 'crossref', 'all']).default('all'))
    .requiredOption('--out <dir>', 'output directory (created if missing)')
    .option('--depositor-name <name>', 'Crossref depositor name (env PUBMETA_DEPOSITOR_NAME; default: the publisher)')
    .option('--depositor-email <email>', 'Crossref depositor e-mail for batch results (env PUBMETA_DEPOSITOR_EMAIL)')
    .option('--registrant <name>', 'Crossref registrant (env PUBMETA_REGISTRANT; default: the publisher)')
    .option('--verbose', 'list every file written (always listed for up to 10 records)')
    .addHelpText(
      'after',
      `
Files: <localId>.oai_dc.xml and <localId>.jats.xml per record, and one Crossref batch per
run, crossref-<doi_batch_id>.xml, holding every record Crossref can take (grouped by journal
and issue). The local id is the record's "id", else its DOI, with characters outside
[A-Za-z0-9._-] replaced by "_".

Invalid records are reported with their JSON pointers and skipped; a record a format cannot
represent (for example no publication year for Crossref, no ISSN for JATS) is reported with
the missing field; output that fails XSD validation is not written. The other records still
export. Exit status 1 if anything was not exported.

Examples:
  pubmeta export --out /tmp/o                      # the bundled seed sample, all formats
  pubmeta export records/ --format crossref --out out --depositor-email me@example.org
  PUBMETA_REGISTRANT="Example Press" pubmeta export a.json b.json --format jats --out out`,
    )
    .action(async (inputs: string[], options: ExportOptions) => {
      await runExport(inputs, options);
    });
}
