#!/usr/bin/env node
import { Command } from 'commander';
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { applyCliConventions, runCli } from './conventions.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/**
 * The module that registers each top-level command. Loading every command's module (formats,
 * validator, both stores, HTTP client and server) costs about a second and 100 MB, so a run
 * loads only its command's (test/cli-conventions.test.ts checks this table against the modules).
 */
export const COMMAND_MODULES: Readonly<Record<string, string>> = {
  export: './export.js',
  validate: './validate.js',
  sample: './sample.js',
  import: './store.js',
  rerender: './store.js',
  delete: './store.js',
  conflicts: './store.js',
  serve: './store.js',
  harvest: './harvest.js',
  oai: './oai.js',
  deposit: './deposit.js',
  worker: './worker.js',
  jobs: './worker.js',
  start: './start.js',
  template: './template.js',
  journal: './journal.js',
  migrate: './migrate.js',
};

/** The command modules in the order their commands are listed in the help. */
export const ALL_COMMAND_MODULES: readonly string[] = [...new Set(Object.values(COMMAND_MODULES))];

/**
 * The program with the commands `argv` needs: its command's module when it names a known command,
 * else every module (help, a typo's suggestion, no command).
 */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command();
  program
    .name('pubmeta')
    .description('Scholarly journal metadata: export (oai_dc, JATS 1.3, Crossref 5.3.1), OAI-PMH serve and harvest, Crossref deposit, scheduled worker.')
    .version(pkg.version);
  const name = argv.find((arg) => !arg.startsWith('-'));
  const versionOnly = name === undefined && argv.some((arg) => arg === '-V' || arg === '--version');
  const wanted = name !== undefined && Object.hasOwn(COMMAND_MODULES, name) ? [COMMAND_MODULES[name]!] : versionOnly ? [] : ALL_COMMAND_MODULES;
  for (const module of wanted) {
    const { register } = (await import(module)) as { register: (program: Command) => void };
    register(program);
  }
  return applyCliConventions(program);
}

/** Run only as the program (node dist/cli/main.js, npx, a linked bin), not when imported by tests. */
function isEntryPoint(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) await runCli(await buildProgram(process.argv.slice(2)));
