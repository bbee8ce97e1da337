#!/usr/bin/env node
import { Command } from 'commander';
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { applyCliConventions, runCli } from './conventions.js';
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
    .version(pkg.version);
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

if (isEntryPoint()) await runCli(buildProgram());
