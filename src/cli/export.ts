import { Option, type Command } from 'commander';
import { runExport, type ExportEvent, type ExportSummary } from '../export/index.js';
import { FORMATS, type DepositHead, type FormatDescriptor, type FormatList } from '../formats/index.js';
import { loadSeedSample, SEED_SAMPLE_PATH, type ArticleRecord } from '../model/index.js';
import { iterateRecordInputs } from './inputs.js';
import { existsSync } from 'node:fs';
import {
  loadSeedJournalProfile,
  profileCrossrefIdentity,
  profilePlaceholders,
  profileRecord,
  refusalHint,
  type JournalProfile,
  type RefusalHintContext,
} from '../journals/index.js';
import { describeStoreTarget, openStore, resolveStoreTarget } from '../store/index.js';

/** A record read from the command line, named by where it came from. */
interface RecordItem {
  record: ArticleRecord;
  label: string;
}

/** Never deliverable (RFC 2606 ".invalid"): marks a batch file that is not ready to deposit. */
const PLACEHOLDER_EMAIL = 'depositor@example.invalid';
/** Files listed one by one without --verbose. */
const LISTED_FILES = 10;

interface ExportCliOptions {
  format: string;
  out: string;
  depositorName?: string;
  depositorEmail?: string;
  registrant?: string;
  batchSize?: string;
  verbose?: boolean;
  journal?: string;
  db?: string;
}

/** Exit statuses (DESIGN: 2 usage, 4 environment). */
const EXIT_USAGE = 2;
const EXIT_ENVIRONMENT = 4;

/**
 * The journal profiles in effect: the store's (when the store exists; export never creates
 * one), plus the bundled seed journal when the seed is exported and the store has no "jdp".
 */
async function loadProfiles(options: ExportCliOptions, seed: boolean): Promise<JournalProfile[] | undefined> {
  const target = resolveStoreTarget(options.db);
  let profiles: JournalProfile[] = [];
  if (target.kind === 'postgres' || existsSync(target.path)) {
    try {
      const store = await openStore(target);
      try {
        profiles = await store.journals.list();
      } finally {
        await store.close();
      }
    } catch (error) {
      process.stderr.write(`pubmeta export: cannot read journal profiles from ${describeStoreTarget(target)}: ${(error as Error).message}\n`);
      process.exitCode = EXIT_ENVIRONMENT;
      return undefined;
    }
  }
  if (seed) {
    const bundled = loadSeedJournalProfile();
    if (!profiles.some((p) => p.id === bundled.id)) profiles.push(bundled);
  }
  return profiles;
}

function note(message: string): void {
  process.stderr.write(`pubmeta export: note: ${message}\n`);
}

function reportError(label: string, message: string): void {
  process.stderr.write(`${label}: error: ${message.replace(/\n/g, `\n${label}: `)}\n`);
}

/** What the export knows of each record's journal: the profile it joined, and hints for refusals. */
interface JournalContext {
  profiles: readonly JournalProfile[];
  journalId: string | undefined;
  /** By DOI: what a refusal of the record can suggest. */
  hints: Map<string, RefusalHintContext>;
  /** Profiles records joined (for the deposit head). */
  used: Map<string, JournalProfile>;
}

/** The record joined to its journal and filled from the profile; undefined (reported) when it cannot join. */
function withProfile(item: RecordItem, journals: JournalContext, counts: { invalid: number }): RecordItem | undefined {
  const profiled = profileRecord(item.record, journals.profiles, journals.journalId === undefined ? {} : { journalId: journals.journalId });
  if (!profiled.ok) {
    counts.invalid++;
    reportError(item.label, profiled.message);
    return undefined;
  }
  journals.hints.set(profiled.record.doi, profiled.hints);
  if (profiled.profile) journals.used.set(profiled.profile.id, profiled.profile);
  return { record: profiled.record, label: item.label };
}

/** The command line's records, valid ones as export items; invalid ones reported as they are read. */
async function* exportItems(inputs: string[], counts: { invalid: number; synthetic: number }, journals: JournalContext): AsyncGenerator<RecordItem> {
  if (inputs.length === 0) {
    note(`no input given: exporting the bundled seed sample (${SEED_SAMPLE_PATH}) with its journal profile`);
    const item = withProfile({ record: loadSeedSample(), label: SEED_SAMPLE_PATH }, journals, counts);
    if (item) yield item;
    return;
  }
  for await (const input of iterateRecordInputs(inputs)) {
    for (const warning of input.warnings) process.stderr.write(`${input.source}: warning: ${warning}\n`);
    if (!input.record) {
      if (input.errors.length > 0) {
        counts.invalid++;
        reportError(input.source, `invalid record, skipped:\n${input.errors.join('\n')}`);
      }
      continue;
    }
    if (input.record.synthetic) counts.synthetic++;
    const item = withProfile({ record: input.record, label: input.source }, journals, counts);
    if (item) yield item;
  }
}

/** The first item, read ahead (the Crossref head defaults to its publisher), then all of them. */
async function peekFirst<T>(items: AsyncGenerator<T>): Promise<{ first: T | undefined; all: AsyncGenerator<T> }> {
  const head = await items.next();
  async function* all(): AsyncGenerator<T> {
    if (head.done) return;
    yield head.value;
    yield* items;
  }
  return { first: head.done ? undefined : head.value, all: all() };
}

/**
 * Depositor and registrant from flags, then environment, then the first record's journal
 * profile, then the first record's publisher.
 */
function depositHead(options: ExportCliOptions, first: ArticleRecord | undefined, profile: JournalProfile | undefined): DepositHead {
  const publisher = first?.journal.publisher?.name?.trim() || first?.journal.title.trim() || 'unknown';
  const fromProfile = profile ? profileCrossrefIdentity(profile) : undefined;
  // An empty environment variable counts as unset.
  const env = (name: string): string | undefined => (process.env[name]?.trim() ? process.env[name] : undefined);
  const given = {
    name: options.depositorName ?? env('PUBMETA_DEPOSITOR_NAME'),
    email: options.depositorEmail ?? env('PUBMETA_DEPOSITOR_EMAIL'),
    registrant: options.registrant ?? env('PUBMETA_REGISTRANT'),
  };
  let name = given.name ?? fromProfile?.depositor.name;
  let email = given.email ?? fromProfile?.depositor.email;
  let registrant = given.registrant ?? fromProfile?.registrant;
  const placeholders = profile ? profilePlaceholders(profile) : [];
  const flagged = [
    ['depositor.name', given.name],
    ['depositor.email', given.email],
    ['registrant', given.registrant],
  ].filter(([field, given]) => given === undefined && placeholders.includes(field!));
  if (profile && flagged.length > 0) {
    note(
      `journal ${profile.id}'s ${flagged.map(([f]) => f).join(', ')} ${flagged.length === 1 ? 'is a placeholder' : 'are placeholders'}: ` +
        `the batch files are not ready to deposit until you run pubmeta journal set ${profile.id} --depositor-name NAME --depositor-email EMAIL --registrant NAME`,
    );
  }
  if (!name?.trim()) {
    name = publisher;
    note(`depositor name defaults to the publisher "${name}" (set --depositor-name or PUBMETA_DEPOSITOR_NAME)`);
  }
  if (!registrant?.trim()) {
    registrant = publisher;
    note(`registrant defaults to the publisher "${registrant}" (set --registrant or PUBMETA_REGISTRANT)`);
  }
  if (!email?.trim()) {
    email = PLACEHOLDER_EMAIL;
    note(`no depositor e-mail: the batch carries the placeholder ${PLACEHOLDER_EMAIL}; set --depositor-email or PUBMETA_DEPOSITOR_EMAIL before depositing it`);
  }
  return { depositor: { name, email }, registrant };
}

/** A refusal's message, with the journal profile setting that would cure it. */
function explained(event: Extract<ExportEvent, { type: 'failure' }>, hints: Map<string, RefusalHintContext>): string {
  if (event.field === undefined || event.recordId === undefined) return event.message;
  const hint = refusalHint({ field: event.field }, hints.get(event.recordId) ?? {});
  return hint === undefined ? event.message : `${event.message}; ${hint}`;
}

function printer(verbose: boolean, hints: Map<string, RefusalHintContext>): (event: ExportEvent) => void {
  let listed = 0;
  return (event) => {
    if (event.type === 'failure') {
      const message = explained(event, hints);
      reportError(event.label, event.format ? `${event.format}: ${message}` : message);
    }
    else if (event.type === 'note') note(event.message);
    else if (verbose || listed < LISTED_FILES) {
      listed++;
      process.stdout.write(`wrote ${event.path}\n`);
    } else if (listed++ === LISTED_FILES) {
      process.stdout.write('... (--verbose lists every file)\n');
    }
  };
}

function summaryLine(summary: ExportSummary, formats: FormatList, out: string, seconds: string, invalid: number): string {
  const parts = formats.map((f) =>
    f.writeBatch ? `${f.id} ${summary.written[f.id]} in ${summary.files[f.id]} batch file(s)` : `${f.id} ${summary.written[f.id]}`,
  );
  const problems = summary.failures + invalid;
  return `pubmeta export: ${summary.records + invalid} record(s) read; wrote ${parts.join(', ')} to ${out} in ${seconds} s` +
    (problems > 0 ? `; ${problems} problem(s) reported above` : '');
}

async function exportCommand(inputs: string[], options: ExportCliOptions, available: FormatList): Promise<void> {
  const formats: FormatDescriptor[] = options.format === 'all' ? [...available] : available.filter((f) => f.id === options.format);
  const started = performance.now();
  const counts = { invalid: 0, synthetic: 0 };
  const profiles = await loadProfiles(options, inputs.length === 0);
  if (!profiles) return;
  if (options.journal !== undefined && !profiles.some((p) => p.id === options.journal)) {
    process.stderr.write(
      `pubmeta export: --journal ${options.journal}: there is no journal profile "${options.journal}" (profiles: ${profiles.map((p) => p.id).join(', ') || 'none'}); add it with pubmeta journal add ${options.journal} --title TITLE\n`,
    );
    process.exitCode = EXIT_USAGE;
    return;
  }
  const journals: JournalContext = { profiles, journalId: options.journal, hints: new Map(), used: new Map() };
  const { first, all } = await peekFirst(exportItems(inputs, counts, journals));
  if (!first) {
    process.stdout.write(`pubmeta export: ${counts.invalid} record(s) read; nothing to export${counts.invalid > 0 ? `; ${counts.invalid} problem(s) reported above` : ''}\n`);
    process.exitCode = 1;
    return;
  }
  const firstProfile = first.record.journal.id === undefined ? undefined : journals.used.get(first.record.journal.id);
  const deposit = formats.some((f) => f.writeBatch) ? depositHead(options, first.record, firstProfile) : undefined;
  const batchSize = options.batchSize === undefined ? undefined : Number(options.batchSize);
  const summary = await runExport(all, {
    outDir: options.out,
    formats,
    ...(deposit ? { deposit } : {}),
    ...(batchSize !== undefined ? { maxBatchRecords: batchSize } : {}),
    onEvent: printer(options.verbose === true, journals.hints),
  });
  if (counts.synthetic > 0 && formats.some((f) => f.writeBatch && summary.written[f.id]! > 0)) {
    note(`the deposit batches hold ${counts.synthetic} synthetic record(s): never deposit them`);
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  process.stdout.write(`${summaryLine(summary, formats, options.out, seconds, counts.invalid)}\n`);
  if (summary.status !== 'succeeded' || counts.invalid > 0 || summary.records === 0) process.exitCode = 1;
}

function layoutHelp(formats: FormatList): string {
  const rows = formats.map((f) =>
    `  <out>/${f.id}/${f.writeBatch ? '<batch id>' : '<local id>'}.${f.extension}`.padEnd(44) + f.label +
    (f.batching ? ` (at most ${f.batching.defaultMaxRecords} records and ${f.batching.maxBytes / 1_000_000} MB per file)` : ''),
  );
  return rows.join('\n');
}

/** Registers the `export` command; `formats` are the choices (the registry by default). */
export function register(program: Command, formats: FormatList = FORMATS): void {
  const ids = formats.map((f) => f.id);
  program
    .command('export')
    .description(
      `Export article records as ${formats.map((f) => f.label).join(', ')}. Every output is checked against its official schema before it is written.`,
    )
    .argument('[inputs...]', 'record JSON files, XML files (JATS, Crossref, oai_dc) or directories (walked, sorted); none: the bundled seed sample')
    .addOption(new Option('--format <format>', 'output format').choices([...ids, 'all']).default('all'))
    .requiredOption('--out <dir>', 'output directory (created if missing)')
    .option('--depositor-name <name>', 'Crossref depositor name (env PUBMETA_DEPOSITOR_NAME; default: the publisher)')
    .option('--depositor-email <email>', 'Crossref depositor e-mail for batch results (env PUBMETA_DEPOSITOR_EMAIL)')
    .option('--registrant <name>', 'Crossref registrant (env PUBMETA_REGISTRANT; default: the publisher)')
    .addOption(new Option('--batch-size <n>', 'records per deposit batch file (default 100; files also stay under the format\'s byte limit)').argParser((value) => {
      if (!/^[1-9]\d*$/.test(value)) throw new Error('--batch-size must be a positive integer');
      return value;
    }))
    .option('--verbose', `list every file written (the first ${LISTED_FILES} are always listed)`)
    .option('--journal <id>', 'the records belong to this journal profile (default: each joins its journal by journal.id, ISSN, DOI prefix or title)')
    .option('--db <file>', 'the store holding the journal profiles (default: $PUBMETA_DB, else ./pubmeta.db; never created by export)')
    .addHelpText(
      'after',
      `
Files, one folder per format:
${layoutHelp(formats)}
The local id is the record's "id", else its DOI, with every character outside A-Z a-z 0-9
_ ~ - . written as %XX (UTF-8), so each record has its own file and the name decodes back to
the id. A batch id is "pubmeta-<UTC time, yyyyMMddHHmmssSSS>-<8 hex digits of the sha256 of its
DOIs>", also the deposit's doi_batch_id.

Invalid records are reported with their JSON pointers and skipped; a record a format cannot
represent (for example no publication year for Crossref, no ISSN for JATS) is reported with
the missing field; output that fails its schema is not written (a record that makes a batch
invalid is named and left out of it). The other records still export. Exit status 1 if
anything was not exported.

Examples:
  pubmeta export --out /tmp/o                      # the bundled seed sample, all formats
  pubmeta export records/ --format crossref --out out --depositor-email me@example.org
  PUBMETA_REGISTRANT="Example Press" pubmeta export a.json b.json --format jats --out out`,
    )
    .action(async (inputs: string[], options: ExportCliOptions) => {
      await exportCommand(inputs, options, formats);
    });
}
