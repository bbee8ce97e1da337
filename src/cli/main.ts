#!/usr/bin/env node
import { Command } from 'commander';
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { applyCliConventions, runCli } from './conventions.js';

type CommandModule = { register(program: Command): void };

/**
 * Each command module with the top-level commands it registers, loaded on demand: a run loads
 * only its own command's code (a harvest needs neither the XSD validator nor the OAI server), so
 * it starts faster and in less memory. Help and unknown commands load them all.
 */
const COMMAND_MODULES: { names: readonly string[]; load: () => Promise<CommandModule> }[] = [
  { names: ['export'], load: () => import('./export.js') },
  { names: ['validate'], load: () => import('./validate.js') },
  { names: ['sample'], load: () => import('./sample.js') },
  { names: ['import', 'rerender', 'delete', 'conflicts', 'serve'], load: () => import('./store.js') },
  { names: ['harvest'], load: () => import('./harvest.js') },
  { names: ['oai'], load: () => import('./oai.js') },
  { names: ['deposit'], load: () => import('./deposit.js') },
  { names: ['worker', 'jobs'], load: () => import('./worker.js') },
  { names: ['start'], load: () => import('./start.js') },
  { names: ['template'], load: () => import('./template.js') },
  { names: ['journal'], load: () => import('./journal.js') },
  { names: ['migrate'], load: () => import('./migrate.js') },
];

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/**
 * The program. With `argv` (process.argv) naming a command, only that command's module is
 * loaded and registered; without, or for anything else (help, a typo), every command is.
 */
export async function buildProgram(argv?: readonly string[]): Promise<Command> {
  const word = argv?.[2];
  const named = word === undefined ? undefined : COMMAND_MODULES.find((m) => m.names.includes(word));
  const modules = await Promise.all((named ? [named] : COMMAND_MODULES).map((m) => m.load()));
  const program = new Command();
  program
    .name('pubmeta')
    .description('Scholarly journal metadata: export (oai_dc, JATS 1.3, Crossref 5.3.1), OAI-PMH serve and harvest, Crossref deposit, scheduled worker.')
    .version(pkg.version);
  for (const module of modules) module.register(program);
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

if (isEntryPoint()) await runCli(await buildProgram(process.argv));
