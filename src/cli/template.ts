import type { Command } from 'commander';
import { parseSheetDelimiter } from './inputs.js';
import { sheetToDelimitedText, templateRecord, templateSheet } from '../spreadsheet/index.js';

interface TemplateOptions {
  json?: boolean;
  csv?: boolean;
  full?: boolean;
  delimiter: string;
  bom?: boolean;
}


export function register(program: Command): void {
  program
    .command('template')
    .description('Print a record skeleton (JSON, the default) or a spreadsheet header with one example row (--csv). The columns and fields are described in the README ("Spreadsheet columns").')
    .option('--json', 'a JSON record (the default)')
    .option('--csv', 'a spreadsheet: the header row and one example row')
    .option('--full', 'every field and column, not only the common ones')
    .option('--delimiter <char>', 'with --csv: , (default), ; or tab', parseSheetDelimiter, ',')
    .option('--bom', 'with --csv: start with a UTF-8 byte-order mark, so that Excel opens the file as UTF-8')
    .addHelpText('after', `
The example values come from samples/example-rich.json (an example, not a real article).
Examples:
  pubmeta template --csv > issue.csv
  pubmeta template --csv --delimiter ';' --bom > issue.csv   # Excel in a decimal-comma locale
  pubmeta template --json --full > record.json`)
    .action((options: TemplateOptions, command: Command) => {
      if (options.json && options.csv) command.error('error: give --json or --csv, not both', { exitCode: 2 });
      const full = options.full === true;
      if (options.csv) {
        process.stdout.write(sheetToDelimitedText(templateSheet(full), { delimiter: options.delimiter, bom: options.bom === true }));
        return;
      }
      process.stdout.write(`${JSON.stringify(templateRecord(full), null, 2)}\n`);
    });
}
