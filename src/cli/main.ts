#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { register as registerExport } from './export.js';
import { register as registerValidate } from './validate.js';
import { register as registerSample } from './sample.js';
import { register as registerStore } from './store.js';
import { register as registerHarvest } from './harvest.js';
import { register as registerOai } from './oai.js';
import { register as registerDeposit } from './deposit.js';
import { register as registerWorker } from './worker.js';
import { register as registerStart } from './start.js';
import { register as registerTemplate } from './template.js';
import { register as registerJournal } from './journal.js';
import { register as registerMigrate } from './migrate.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('pubmeta')
    .description('Scholarly journal metadata: export (oai_dc, JATS 1.3, Crossref 5.3.1), OAI-PMH serve and harvest, Crossref deposit, scheduled worker.')
    .version(pkg.version)
    .showHelpAfterError()
    .showSuggestionAfterError();
  for (const register of [
    registerExport,
    registerValidate,
    registerSample,
    registerStore,
    registerHarvest,
    registerOai,
    registerDeposit,
    registerWorker,
    registerStart,
    registerTemplate,
    registerJournal,
    registerMigrate,
  ]) {
    register(program);
  }
  return program;
}

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  console.error(`pubmeta: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
