// The format registry: one descriptor per format, and everything that offers a choice of
// formats iterates it. Acceptance (issue 10): a toy format from a test-only folder
// (test/fixtures/toy-format/), added with one line, `[...FORMATS, toyFormat]`, shows up in the
// CLI's choices and help, in the worker config's JSON Schema, and in OAI-PMH ListMetadataFormats.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, type Option } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { register as registerExport } from '../src/cli/export.js';
import { FORMATS, formatIds, detectSchema, describeKnownRoots, readAnyXml, type FormatId, type FormatList } from '../src/formats/index.js';
import { DEFAULT_METADATA_FORMATS, oaiMetadataFormats, startOaiServer } from '../src/oai/index.js';
import { SCHEMA_IDS, isSchemaId } from '../src/validate/index.js';
import { WorkerConfigError, exportFormatItems, validateWorkerConfig, workerConfigSchema } from '../src/worker/config.js';
import { BACKENDS, useTestStores } from './helpers/backends.js';
import { oaiHttp, parseOai, testConfig } from './helpers/oai.js';
import { toyFormat } from './fixtures/toy-format/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const WITH_TOY: FormatList = [...FORMATS, toyFormat];
const stores = useTestStores(BACKENDS.find((b) => b.name === 'sqlite')!);
const work = mkdtempSync(join(tmpdir(), 'pubmeta-registry-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function exportCommand(formats: FormatList = WITH_TOY): Command {
  const program = new Command().exitOverride();
  registerExport(program, formats);
  return program.commands.find((c) => c.name() === 'export')!;
}

describe('a format added with one registry line', () => {
  it('is a choice of pubmeta export --format, and its files are in the help', () => {
    const command = exportCommand();
    const option = command.options.find((o: Option) => o.long === '--format')!;
    expect(option.argChoices).toEqual([...formatIds(FORMATS), 'toy', 'all']);
    let text = '';
    command.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
    command.outputHelp();
    expect(text).toMatch(/<out>\/toy\/<local id>\.toy\s+Toy format \(tests only\)/);
    expect(text).toContain('Toy format (tests only)');
    // Without the line, no toy.
    expect(exportCommand(FORMATS).options.find((o: Option) => o.long === '--format')!.argChoices).not.toContain('toy');
  });

  it('is exported by pubmeta export --format toy, into its own folder', async () => {
    const program = new Command().exitOverride();
    registerExport(program, WITH_TOY);
    const out = join(work, 'cli-toy');
    const previous = process.exitCode;
    const stdout = process.stdout.write;
    process.stdout.write = (() => true) as typeof process.stdout.write;
    try {
      await program.parseAsync(['node', 'pubmeta', 'export', join(root, 'samples/synthetic-edge-cases-1.json'), '--format', 'toy', '--out', out]);
    } finally {
      process.stdout.write = stdout;
    }
    expect(process.exitCode ?? 0).toBe(0);
    process.exitCode = previous;
    expect(readdirSync(join(out, 'toy'))).toEqual(['synthetic-edge-1.toy']);
    expect(readFileSync(join(out, 'toy', 'synthetic-edge-1.toy'), 'utf8')).toMatch(/^TOY 10\.5555\/synthetic\.edge\.1 /);
  });

  it('is a value the worker config schema allows for jobs.export.formats', () => {
    const config = { jobs: { export: { formats: ['oai_dc', 'toy'] } } };
    expect(validateWorkerConfig(config, 'toy.json', WITH_TOY)).toEqual(config);
    expect(exportFormatItems(workerConfigSchema(WITH_TOY)).enum).toEqual([...formatIds(FORMATS), 'toy']);
    expect(() => validateWorkerConfig(config, 'toy.json')).toThrow(WorkerConfigError);
    try {
      validateWorkerConfig(config, 'toy.json');
    } catch (error) {
      expect((error as WorkerConfigError).problems).toEqual([
        { pointer: '/jobs/export/formats/1', message: `must be one of ${formatIds(FORMATS).map((id) => JSON.stringify(id)).join(', ')}` },
      ]);
    }
  });

  it('is listed by OAI-PMH ListMetadataFormats with its prefix, schema and namespace (§4.4)', async () => {
    const store = (await stores.store()).records;
    const server = await startOaiServer({ store, config: testConfig({ metadataFormats: oaiMetadataFormats(WITH_TOY) }), clock: () => new Date('2024-05-01T00:00:00Z') });
    try {
      const xml = (await oaiHttp(server.url, 'GET', [['verb', 'ListMetadataFormats']])).text();
      expect(parseOai(xml).errors).toEqual([]);
      const listed = [...xml.matchAll(/<metadataPrefix>([^<]+)<\/metadataPrefix>\s*<schema>([^<]+)<\/schema>\s*<metadataNamespace>([^<]+)<\/metadataNamespace>/g)].map((m) => m.slice(1));
      expect(listed).toContainEqual(['toy', 'https://example.org/pubmeta/toy.xsd', 'urn:pubmeta:test:toy']);
      expect(listed.map((l) => l[0])).toEqual([...FORMATS.filter((f) => 'oai' in f).map((f) => (f as { oai: { prefix: string } }).oai.prefix), 'toy']);
    } finally {
      await server.close();
    }
  });
});

describe('the registry itself', () => {
  it('has unique ids, plain extensions and media types', () => {
    expect(new Set(formatIds()).size).toBe(FORMATS.length);
    for (const format of FORMATS) {
      expect(format.id).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(format.extension).toMatch(/^[a-z0-9]+$/);
      expect(format.mediaType).toMatch(/^[a-z]+\/[a-z0-9.+-]+$/);
    }
    const id: FormatId = 'crossref';
    expect(formatIds()).toContain(id);
  });

  it('names only schemas that src/validate has', () => {
    for (const format of FORMATS) {
      if (format.validation.kind === 'xsd') expect(isSchemaId(format.validation.schemaId), format.id).toBe(true);
    }
    expect(SCHEMA_IDS).toContain('oai-pmh');
  });

  it('schemas/config.schema.json lists exactly the registered formats (the worker validates with the registry; the file is for editors)', () => {
    const onDisk = JSON.parse(readFileSync(join(root, 'schemas/config.schema.json'), 'utf8')) as Record<string, unknown>;
    expect(exportFormatItems(onDisk).enum).toEqual(formatIds());
  });

  it('gives OAI-PMH the formats that have an oai section, oai_dc first (§3.4 requires it)', () => {
    expect(DEFAULT_METADATA_FORMATS.map((f) => f.metadataPrefix)).toEqual(['oai_dc', ...FORMATS.filter((f) => 'oai' in f && f.id !== 'oai_dc').map((f) => (f as { oai: { prefix: string } }).oai.prefix)]);
    expect(DEFAULT_METADATA_FORMATS.map((f) => f.metadataPrefix)).toEqual(['oai_dc', 'jats', 'oai_openaire']);
  });

  it('detects documents by root element for validation and reading', () => {
    expect(detectSchema('<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"/>')).toBe('oai_dc');
    expect(detectSchema('<article/>')).toBe('jats');
    expect(detectSchema('<doi_batch xmlns="http://www.crossref.org/schema/5.3.0"/>')).toBe('crossref-5.3.0');
    expect(describeKnownRoots()).toBe(`an OAI-PMH response, ${FORMATS.filter((f) => f.validation.kind === 'xsd' && 'detect' in f).map((f) => f.label).join(', ')}`);
    expect(() => readAnyXml('<toy/>')).toThrow(/is not in a format pubmeta reads \(Dublin Core/);
  });
});
