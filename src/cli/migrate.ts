import type { Command } from 'commander';
import { describeStoreTarget, isPostgresUrl, migrateStore, parseStoreTarget, type StoreTarget } from '../store/index.js';

function sourceTarget(value: string): StoreTarget | undefined {
  const path = value.startsWith('sqlite:') ? value.slice('sqlite:'.length) : value;
  if (path === '' || isPostgresUrl(path)) return undefined;
  return parseStoreTarget(path);
}

async function migrateCommand(options: { from: string; to: string }): Promise<void> {
  const from = sourceTarget(options.from);
  if (!from) {
    process.stderr.write(`pubmeta migrate: --from must name a SQLite store (sqlite:FILE), not ${JSON.stringify(options.from)}\n`);
    process.exitCode = 2;
    return;
  }
  if (!isPostgresUrl(options.to)) {
    process.stderr.write('pubmeta migrate: --to must be a PostgreSQL URL (postgres://...)\n');
    process.exitCode = 2;
    return;
  }
  const to = parseStoreTarget(options.to);
  const started = performance.now();
  process.stdout.write(`copying ${describeStoreTarget(from)} to ${describeStoreTarget(to)}\n`);
  try {
    const report = await migrateStore(from, to, (table, rows) => process.stdout.write(`  ${table}: ${rows} row(s)\n`));
    const total = report.tables.reduce((sum, t) => sum + t.target, 0);
    process.stdout.write(`pubmeta migrate: ${report.tables.length} table(s), ${total} row(s) copied; counts match the source (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
  } catch (error) {
    process.stderr.write(`pubmeta migrate: ${(error as Error).message}\n`);
    process.exitCode = /ECONNREFUSED|ENOENT|does not exist|not empty/.test((error as Error).message) ? 4 : 1;
  }
}

export function register(program: Command): void {
  program
    .command('migrate')
    .description('Copy a whole SQLite store (records, harvest state, deposits, jobs, meta: every table) into a new or empty PostgreSQL database; row counts are checked before the copy commits.')
    .requiredOption('--from <sqlite:FILE>', 'the SQLite store to copy (sqlite:FILE, or a file path)')
    .requiredOption('--to <postgres://...>', 'the PostgreSQL store to fill (migrated first; every table must be empty)')
    .addHelpText('after', '\nExample:\n  pubmeta migrate --from sqlite:pubmeta.db --to postgres://pubmeta@db.example.org/pubmeta')
    .action(migrateCommand);
}
