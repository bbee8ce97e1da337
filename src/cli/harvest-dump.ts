// `pubmeta harvest dump NAME`: harvested records out as files (one per record) or a stream.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { writeFileAtomic } from '../export/atomicWrite.js';
import type { ExportItem } from '../export/index.js';
import { findFormat, formatIds } from '../formats/registry.js';
import type { FormatDescriptor } from '../formats/index.js';
import { dumpItems, dumpJson, type DumpItem } from '../harvest/dump.js';
import { recordLocalId } from '../model/index.js';
import { resolveStoreTarget } from '../store/index.js';
import { openCliStore, UsageError } from './conventions.js';

const PLACEHOLDER_EMAIL = 'depositor@example.invalid';

/** The export pipeline (and the XSD validator under it), loaded only by a dump that needs it: `harvest run` never does. */
const exportPipeline = () => import('../export/index.js');

interface DumpOptions {
  format: string;
  out: string;
  since?: string;
  deleted?: boolean;
  db?: string;
}

function note(message: string): void {
  process.stderr.write(`pubmeta: ${message}\n`);
}

/** raw and json: a file per record under <out>/<raw|json>/, or everything on stdout. */
async function dumpPlain(items: AsyncIterable<DumpItem>, options: DumpOptions): Promise<number> {
  const toStdout = options.out === '-';
  const dir = join(options.out, options.format);
  if (!toStdout) mkdirSync(dir, { recursive: true });
  const { fileStem } = await exportPipeline();
  let count = 0;
  for await (const item of items) {
    count++;
    const bytes = options.format === 'raw' ? item.raw : Buffer.from(`${JSON.stringify(dumpJson(item), null, toStdout ? undefined : 2)}\n`);
    if (toStdout) {
      // One record per write; raw records end with a newline between them.
      if (!process.stdout.write(options.format === 'raw' ? Buffer.concat([bytes, Buffer.from('\n')]) : bytes)) {
        await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
      }
    } else {
      writeFileAtomic(join(dir, `${fileStem(item.identifier)}.${options.format === 'raw' ? 'xml' : 'json'}`), bytes, { durable: false });
    }
  }
  return count;
}

async function* exportable(items: AsyncIterable<DumpItem>, skipped: { count: number }): AsyncGenerator<ExportItem> {
  for await (const item of items) {
    if (!item.article || !item.valid) {
      if (!item.deleted) skipped.count++;
      continue;
    }
    yield { record: item.article, label: item.identifier };
  }
}

/** An export format: through the export pipeline (files, validated), or rendered and checked one by one on stdout. */
async function dumpFormat(format: FormatDescriptor, items: AsyncIterable<DumpItem>, options: DumpOptions): Promise<{ failed: number }> {
  const { checkOutputs, runExport } = await exportPipeline();
  const skipped = { count: 0 };
  let failed = 0;
  if (options.out !== '-') {
    const name = process.env.PUBMETA_DEPOSITOR_NAME ?? 'pubmeta';
    const summary = await runExport(exportable(items, skipped), {
      outDir: options.out,
      formats: [format],
      durable: false,
      ...(format.writeBatch ? { deposit: { depositor: { name, email: process.env.PUBMETA_DEPOSITOR_EMAIL ?? PLACEHOLDER_EMAIL }, registrant: name } } : {}),
      onEvent: (event) => {
        if (event.type === 'failure') note(`${event.label}: ${event.message}`);
      },
    });
    failed = summary.failures;
  } else {
    for await (const item of exportable(items, skipped)) {
      if (!('record' in item)) continue;
      let output: string;
      try {
        output = format.write(item.record);
      } catch (error) {
        failed++;
        note(`${item.label ?? recordLocalId(item.record)}: ${error instanceof Error ? error.message : String(error)}`);
        continue;
      }
      const problem = checkOutputs(format, [{ output, record: item.record }])[0];
      if (problem !== undefined) {
        failed++;
        note(`${item.label ?? recordLocalId(item.record)}: ${problem}`);
        continue;
      }
      if (!process.stdout.write(output.endsWith('\n') ? output : `${output}\n`)) await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
    }
  }
  if (skipped.count > 0) note(`${skipped.count} record(s) not mapped or not valid were left out (--format raw has them)`);
  return { failed };
}

async function dumpCommand(name: string, options: DumpOptions): Promise<void> {
  const format = options.format === 'raw' || options.format === 'json' ? undefined : findFormat(options.format);
  if (options.format !== 'raw' && options.format !== 'json' && !format) {
    throw new UsageError(`unknown format "${options.format}": raw, json or one of ${formatIds().join(', ')}`);
  }
  const store = await openCliStore(resolveStoreTarget(options.db), { mustExist: true });
  try {
    if (!(await store.harvest.getSource(name))) throw new Error(`No harvest source named "${name}"`);
    const filter = { since: options.since, deleted: options.deleted };
    if (options.format !== 'raw') {
      const quarantined = (await store.harvest.listQuarantine(name)).length;
      if (quarantined > 0) note(`${quarantined} quarantined record(s) could not be read or mapped: --format raw has them`);
    }
    const items = dumpItems(store, name, filter, { quarantined: options.format === 'raw' });
    if (!format) {
      const count = await dumpPlain(items, options);
      if (options.out !== '-') process.stderr.write(`${count} record(s) written to ${join(options.out, options.format)}\n`);
      return;
    }
    const { failed } = await dumpFormat(format, items, options);
    if (failed > 0) process.exitCode = 1;
  } finally {
    await store.close();
  }
}

/** Registers `harvest dump` in the `harvest` command group. */
export function registerDump(harvest: Command, dbHelp: string): void {
  harvest
    .command('dump')
    .description(
      'Write a source\'s harvested records: raw (each record exactly as harvested, also those that could not be read or mapped), ' +
        'json (header, state and mapped article) or any export format; one file per record under OUT/<format>/, or a stream on stdout (--out -)',
    )
    .argument('<name>', 'source name')
    .option('--format <format>', `raw, json or an export format (${formatIds().join(', ')})`, 'raw')
    .option('--out <dir>', 'directory, or - for stdout', '-')
    .option('--since <datestamp>', 'only records with a datestamp from this one on')
    .option('--deleted', 'deleted records too')
    .option('--db <file>', dbHelp)
    .action(dumpCommand);
}
