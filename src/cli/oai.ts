import { InvalidArgumentError, type Command } from 'commander';
import { HarvestClient, type HarvestClientOptions, type HarvestRecord } from '../harvest/client.js';
import { createLogger } from '../log.js';

/**
 * `pubmeta oai identify | formats | sets | get`: look at an OAI-PMH endpoint before harvesting
 * it. Each prints a readable summary, or with --json one JSON document on stdout; warnings and
 * retries are logged on stderr.
 */

interface CommonOptions {
  json?: boolean;
  timeout?: number;
  retries?: number;
  contact?: string;
}

function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be a number >= 0');
  return n;
}

async function withClient<T>(url: string, options: CommonOptions, action: (client: HarvestClient) => Promise<T>): Promise<T> {
  const log = createLogger('oai');
  const controller = new AbortController();
  const clientOptions: HarvestClientOptions = {
    baseUrl: url,
    signal: controller.signal,
    // An inspection is interactive: a few quick retries, not the harvester's patience.
    retries: options.retries ?? 2,
    maxRetryAfterMs: 60_000,
    onEvent: (event) => {
      if (event.type === 'retry') log.warn({ url: event.url, attempt: event.attempt, delayMs: event.delayMs, code: event.code }, `retrying: ${event.message}`);
      else if (event.type === 'warning') log.warn({ code: event.code, url: event.url }, event.message);
    },
  };
  if (options.timeout !== undefined) {
    const ms = options.timeout * 1000;
    Object.assign(clientOptions, { headersTimeoutMs: ms, bodyTimeoutMs: ms, connectTimeoutMs: Math.min(ms, 30_000) });
  }
  if (options.contact !== undefined) clientOptions.contactEmail = options.contact;
  const client = new HarvestClient(clientOptions);
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return await action(client);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await client.close();
  }
}

function print(options: CommonOptions, value: unknown, text: () => string): void {
  process.stdout.write(options.json ? `${JSON.stringify(value, null, 2)}\n` : `${text()}\n`);
}

function rows(pairs: [string, string | undefined][]): string {
  const shown = pairs.filter(([, value]) => value !== undefined && value !== '');
  const width = Math.max(...shown.map(([label]) => label.length));
  return shown.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n');
}

function recordJson(record: HarvestRecord) {
  const mapping = record.mapping;
  return {
    header: record.header,
    metadataXml: record.metadataXml ?? null,
    about: record.aboutXml,
    recordXml: record.xml,
    mapping: mapping ? { format: mapping.format ?? null, valid: mapping.valid, errors: mapping.errors, warnings: mapping.warnings, record: mapping.record ?? null } : null,
  };
}

function withCommon(command: Command): Command {
  return command
    .option('--json', 'one JSON document on stdout')
    .option('--timeout <seconds>', 'headers and body inactivity timeout (default 120)', nonNegativeNumber)
    .option('--retries <n>', 'retries per request (default 2)', nonNegativeNumber)
    .option('--contact <email>', 'e-mail address sent in the From header');
}

/** Registers the `oai` command group. */
export function register(program: Command): void {
  const oai = program.command('oai').description('Look at an OAI-PMH 2.0 endpoint: Identify, metadata formats, sets, one record');

  withCommon(oai.command('identify').description('Identify (OAI-PMH 2.0 §4.2): name, granularity, earliest datestamp, deleted-record policy').argument('<url>', 'the OAI-PMH base URL')).action(
    async (url: string, options: CommonOptions) => {
      const identify = await withClient(url, options, (client) => client.identify());
      print(options, identify, () =>
        rows([
          ['Repository', identify.repositoryName],
          ['Base URL', identify.baseURL],
          ['Protocol', identify.protocolVersion],
          ['Granularity', identify.declaredGranularity === identify.granularity ? identify.granularity : `${identify.granularity} (declared "${identify.declaredGranularity}")`],
          ['Earliest datestamp', identify.earliestDatestamp],
          ['Deleted records', identify.deletedRecord],
          ['Admin e-mail', identify.adminEmails.join(', ')],
          ['Compression', identify.compression.join(', ')],
          ['Response date', identify.responseDate],
        ]),
      );
    },
  );

  withCommon(
    oai
      .command('formats')
      .description('ListMetadataFormats (§4.4): the metadata prefixes on offer, for the repository or one item')
      .argument('<url>', 'the OAI-PMH base URL')
      .option('--identifier <id>', 'formats of this item only'),
  ).action(async (url: string, options: CommonOptions & { identifier?: string }) => {
    const formats = await withClient(url, options, (client) => client.listMetadataFormats(options.identifier));
    print(options, formats, () =>
      formats.length === 0 ? '(no metadata formats)' : rows(formats.map((f) => [f.metadataPrefix, `${f.metadataNamespace}  ${f.schema}`])),
    );
  });

  withCommon(oai.command('sets').description('ListSets (§4.6): setSpec and name of every set (none when the repository has no sets)').argument('<url>', 'the OAI-PMH base URL')).action(
    async (url: string, options: CommonOptions) => {
      const sets = await withClient(url, options, async (client) => {
        const all = [];
        for await (const set of client.listSets()) all.push(set);
        return all;
      });
      print(options, sets, () => (sets.length === 0 ? '(no sets)' : rows(sets.map((s) => [s.setSpec, s.setName]))));
    },
  );

  withCommon(
    oai
      .command('get')
      .description('GetRecord (§4.1): one record, its header and metadata (and how it maps to an article record)')
      .argument('<url>', 'the OAI-PMH base URL')
      .argument('<identifier>', 'the item identifier')
      .requiredOption('--prefix <metadataPrefix>', 'metadata format'),
  ).action(async (url: string, identifier: string, options: CommonOptions & { prefix: string }) => {
    const record = await withClient(url, options, (client) => client.getRecord(identifier, options.prefix));
    print(options, recordJson(record), () => {
      const header = record.header;
      const mapping = record.mapping;
      const lines = [
        rows([
          ['Identifier', header.identifier],
          ['Datestamp', header.datestamp],
          ['Sets', header.setSpecs.join(', ')],
          ['Status', header.deleted ? 'deleted' : undefined],
          ['Maps to', mapping?.format === undefined ? 'nothing (no mapping for this format)' : `${mapping.format}: ${mapping.valid ? 'a valid article record' : `an invalid article record (${mapping.errors.join('; ')})`}`],
        ]),
      ];
      if (record.metadataXml !== undefined) lines.push('', record.metadataXml);
      return lines.join('\n');
    });
  });
}
