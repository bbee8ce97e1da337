import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { DEFAULT_SYNTHETIC_SEED, recordLocalId, syntheticRecord, SYNTHETIC_DOI_PREFIX } from '../model/index.js';
import { localIdFileStem } from '../model/records.js';
import { printJson } from './conventions.js';

function parseCount(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a whole number of records, e.g. 1000');
  const count = Number(value);
  if (!Number.isSafeInteger(count)) throw new InvalidArgumentError('is too large');
  return count;
}

function parseSeed(value: string): number {
  if (!/^-?\d+$/.test(value)) throw new InvalidArgumentError('must be an integer, e.g. 42');
  const seed = Number(value);
  if (!Number.isSafeInteger(seed)) throw new InvalidArgumentError('is too large');
  return seed;
}

interface SampleOptions {
  synthetic: number;
  out: string;
  seed: number;
  compact?: boolean;
  quiet?: boolean;
  json?: boolean;
}

function writeSyntheticSamples(options: SampleOptions): void {
  mkdirSync(options.out, { recursive: true });
  const started = performance.now();
  let bytes = 0;
  for (let index = 0; index < options.synthetic; index++) {
    const record = syntheticRecord(index, options.seed);
    const json = options.compact ? JSON.stringify(record) : JSON.stringify(record, null, 2);
    const text = `${json}\n`;
    writeFileSync(join(options.out, `${localIdFileStem(recordLocalId(record))}.json`), text);
    bytes += Buffer.byteLength(text);
  }
  const seconds = (performance.now() - started) / 1000;
  const rate = seconds > 0 ? Math.round(options.synthetic / seconds) : options.synthetic;
  if (options.json) printJson({ written: options.synthetic, seed: options.seed, out: options.out, bytes, seconds: Number(seconds.toFixed(3)), recordsPerSecond: rate });
  else if (!options.quiet) {
    process.stderr.write(
      `pubmeta sample: wrote ${options.synthetic} synthetic record(s) (seed ${options.seed}, ${(bytes / 1e6).toFixed(1)} MB) to ${options.out} in ${seconds.toFixed(2)} s (${rate} records/s)\n`,
    );
  }
}

/** Registers the `sample` command. */
export function register(program: Command): void {
  program
    .command('sample')
    .description('Write deterministic synthetic article records (one JSON file each) for load tests and benchmarks.')
    .requiredOption('--synthetic <count>', 'number of synthetic records to write', parseCount)
    .requiredOption('--out <dir>', 'output directory (created if missing; files with the same names are overwritten)')
    .option('--seed <seed>', 'generator seed: the same seed and count always give the same files', parseSeed, DEFAULT_SYNTHETIC_SEED)
    .option('--compact', 'write compact JSON instead of indented JSON')
    .option('--quiet', 'print nothing on success')
    .option('--json', 'one JSON document on stdout: records written, seed, bytes, time')
    .addHelpText(
      'after',
      `
Records are named after their local id (syn-<seed>-<index>.json) and are valid article records
marked "synthetic": true, with DOIs under ${SYNTHETIC_DOI_PREFIX}, the prefix Crossref reserves for examples.
Never deposit them.

Examples:
  pubmeta sample --synthetic 1000 --out /tmp/records
  pubmeta sample --synthetic 10 --out /tmp/records --seed 42 --compact`,
    )
    .action((options: SampleOptions) => {
      writeSyntheticSamples(options);
    });
}
