// The export pipeline (src/export/): batches by count and bytes, every output checked before
// it is written, culprits named, the file layout, atomic writes, run status.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runExport, recordFilePath, fileStem, idFromFileStem, type ExportEvent, type ExportItem } from '../src/export/index.js';
import { FORMATS, crossrefFormat, jatsFormat, oaiDcFormat, CROSSREF_MAX_DEPOSIT_BYTES } from '../src/formats/index.js';
import { generateSyntheticRecords, syntheticRecord, type ArticleRecord } from '../src/model/index.js';
import { validateXml, formatXmlErrors } from '../src/validate/index.js';
import { toyFormat } from './fixtures/toy-format/index.js';
import { runNode } from './helpers/run-node.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'pubmeta-pipeline-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const DEPOSIT = { depositor: { name: 'Pipeline Press', email: 'deposits@example.org' }, registrant: 'Pipeline Press' };

async function* stream(records: Iterable<ArticleRecord>): AsyncGenerator<ExportItem> {
  for (const record of records) yield { record };
}

function collect(): { events: ExportEvent[]; onEvent: (e: ExportEvent) => void } {
  const events: ExportEvent[] = [];
  return { events, onEvent: (e) => events.push(e) };
}

const failures = (events: ExportEvent[]) => events.filter((e): e is Extract<ExportEvent, { type: 'failure' }> => e.type === 'failure');

function crossrefBatches(out: string): { file: string; xml: string; dois: string[] }[] {
  const dir = join(out, 'crossref');
  return readdirSync(dir)
    .sort()
    .map((file) => {
      const xml = readFileSync(join(dir, file), 'utf8');
      return { file, xml, dois: [...xml.matchAll(/<journal_article[^]*?<doi_data>\s*<doi>([^<]+)<\/doi>/g)].map((m) => m[1]!) };
    });
}

describe('Crossref deposits of 10,000 synthetic records', () => {
  const out = join(work, 'ten-thousand');
  const count = 10_000;
  let summary: Awaited<ReturnType<typeof runExport>>;
  let events: ExportEvent[];

  it('exports every record in batches of at most 100 records and 10 MB', async () => {
    const collected = collect();
    events = collected.events;
    // Records are generated as they are read: nothing holds all 10,000.
    const records = (function* () {
      for (let i = 0; i < count; i++) yield syntheticRecord(i, 7);
    })();
    summary = await runExport(stream(records), { outDir: out, formats: [crossrefFormat], deposit: DEPOSIT, durable: false, onEvent: collected.onEvent });
    expect(failures(events)).toEqual([]);
    expect(summary).toMatchObject({ status: 'succeeded', records: count, failures: 0 });
    expect(summary.written['crossref']).toBe(count);

    const batches = crossrefBatches(out);
    expect(batches.length).toBe(count / 100);
    expect(summary.files['crossref']).toBe(batches.length);
    for (const batch of batches) {
      expect(batch.dois.length).toBeLessThanOrEqual(100);
      expect(Buffer.byteLength(batch.xml)).toBeLessThanOrEqual(10_000_000);
    }
    const all = batches.flatMap((b) => b.dois);
    expect(new Set(all).size).toBe(count);
  }, 600_000);

  it('names each file by its doi_batch_id, and the files are valid deposits (first and last checked here; the pipeline checked all)', () => {
    const batches = crossrefBatches(out);
    for (const batch of [batches[0]!, batches[batches.length - 1]!]) {
      const id = /<doi_batch_id>([^<]+)<\/doi_batch_id>/.exec(batch.xml)![1]!;
      expect(batch.file).toBe(`${id}.xml`);
      const result = validateXml(batch.xml, 'crossref-5.3.1');
      expect(result.valid, formatXmlErrors(result.errors)).toBe(true);
    }
    // Timestamps increase from batch to batch (Crossref ignores a deposit whose timestamp is not newer).
    const stamps = batches.map((b) => BigInt(/<timestamp>(\d+)<\/timestamp>/.exec(b.xml)![1]!));
    for (let i = 1; i < stamps.length; i++) expect(stamps[i]! > stamps[i - 1]!).toBe(true);
  });
});

describe('Crossref batches split by bytes', () => {
  it('keeps every file under the byte limit, splitting batches that would be over it', async () => {
    const out = join(work, 'bytes');
    const records = generateSyntheticRecords(120, 9);
    const limit = 250_000;
    const { events, onEvent } = collect();
    const summary = await runExport(stream(records), { outDir: out, formats: [crossrefFormat], deposit: DEPOSIT, maxBatchBytes: limit, durable: false, onEvent });
    expect(failures(events)).toEqual([]);
    const batches = crossrefBatches(out);
    expect(batches.length).toBeGreaterThan(2);
    for (const batch of batches) expect(Buffer.byteLength(batch.xml)).toBeLessThanOrEqual(limit);
    expect(batches.flatMap((b) => b.dois).sort()).toEqual(records.map((r) => r.doi).sort());
    expect(summary.status).toBe('succeeded');
  });

  it('a byte limit above the format\'s maximum is lowered to it', async () => {
    expect(CROSSREF_MAX_DEPOSIT_BYTES).toBe(10_000_000);
    const out = join(work, 'huge-limit');
    const record = syntheticRecord(0, 9);
    record.references = Array.from({ length: 40_000 }, (_, i) => ({ key: `r${i}`, unstructured: `Reference ${i}: ${'a long citation text '.repeat(12)}` }));
    const { events, onEvent } = collect();
    const summary = await runExport(stream([record]), { outDir: out, formats: [crossrefFormat], deposit: DEPOSIT, maxBatchBytes: 1e12, durable: false, onEvent });
    expect(summary.status).toBe('failed');
    expect(failures(events)).toHaveLength(1);
    expect(failures(events)[0]!.message).toMatch(/the record alone makes a \d+-byte file, over the limit of 10000000 bytes/);
    expect(existsSync(join(out, 'crossref')) ? readdirSync(join(out, 'crossref')) : []).toEqual([]);
  });
});

describe('every output is checked before it is written', () => {
  it('a record whose output fails the XSD is named and not written; the rest of its group and its batch are written', async () => {
    const out = join(work, 'invalid');
    const records = generateSyntheticRecords(12, 21);
    // xml:lang is xs:language in every schema; the abstract's language becomes an xml:lang in
    // all three formats, so this record's output is invalid in each.
    records[4]!.abstract = { 'not a language!': 'An abstract in no language.' };
    const { events, onEvent } = collect();
    const summary = await runExport(stream(records), { outDir: out, formats: [oaiDcFormat, jatsFormat, crossrefFormat], deposit: DEPOSIT, durable: false, onEvent });
    // Groups are written as they fill (by count or size), so the formats report in no fixed order.
    const failed = failures(events).sort((a, b) => FORMATS.findIndex((f) => f.id === a.format) - FORMATS.findIndex((f) => f.id === b.format));
    expect(failed.map((f) => [f.format, f.label])).toEqual([
      ['oai_dc', records[4]!.id],
      ['jats', records[4]!.id],
      ['crossref', records[4]!.id],
    ]);
    expect(failed[0]!.message).toMatch(/^oai_dc output not valid against oai_dc:\n\d+:\d+ Element '{http:\/\/purl.org\/dc\/elements\/1.1\/}description', attribute .*lang.*'not a language!'/);
    expect(failed[2]!.message).toMatch(/left out of the batch/);
    expect(summary.status).toBe('partial');
    expect(summary.written).toEqual({ oai_dc: 11, jats: 11, crossref: 11 });
    expect(existsSync(recordFilePath(out, oaiDcFormat, records[4]!.id!))).toBe(false);
    expect(existsSync(recordFilePath(out, oaiDcFormat, records[5]!.id!))).toBe(true);
    expect(crossrefBatches(out).flatMap((b) => b.dois)).not.toContain(records[4]!.doi);
  });

  it('a record the format cannot represent is reported with its field; a stale file from an earlier run is removed', async () => {
    const out = join(work, 'stale');
    const record = syntheticRecord(3, 21);
    const stale = recordFilePath(out, jatsFormat, record.id!);
    mkdirSync(join(out, 'jats'), { recursive: true });
    writeFileSync(stale, '<article/>');
    record.journal.issns = [];
    const { events, onEvent } = collect();
    const summary = await runExport(stream([record]), { outDir: out, formats: [jatsFormat], durable: false, onEvent });
    expect(summary.status).toBe('failed');
    expect(failures(events)).toEqual([
      expect.objectContaining({ format: 'jats', field: 'journal.issns', recordId: record.doi, message: expect.stringMatching(/requires at least one ISSN/) }),
    ]);
    expect(existsSync(stale)).toBe(false);
  });

  it('a format checked by a round trip (the toy format) writes what passes, with its own extension', async () => {
    const out = join(work, 'toy');
    const records = generateSyntheticRecords(3, 5);
    const summary = await runExport(stream(records), { outDir: out, formats: [toyFormat], durable: false });
    expect(summary.status).toBe('succeeded');
    expect(readdirSync(join(out, 'toy')).sort()).toEqual(records.map((r) => `${fileStem(r.id!)}.toy`).sort());
  });
});

describe('file layout and run bookkeeping', () => {
  it('file stems are reversible and never hidden', () => {
    for (const id of ['10.5555/jcb.2024.0117', '.hidden', 'ü/ñ %20 a b', 'jdp-323']) {
      const stem = fileStem(id);
      expect(stem).toMatch(/^[A-Za-z0-9_~%-][A-Za-z0-9_~.%-]*$/);
      expect(idFromFileStem(stem)).toBe(id);
    }
    expect(fileStem('10.5555/a')).toBe('10.5555%2Fa');
  });

  it('refuses a second record with the same local id or DOI by name, and leaves no temp files', async () => {
    const out = join(work, 'duplicates');
    const a = syntheticRecord(1, 3);
    const b = { ...syntheticRecord(2, 3), id: a.id };
    const c = { ...syntheticRecord(3, 3), doi: a.doi };
    const { events, onEvent } = collect();
    const summary = await runExport(
      [{ record: a, label: 'a.json' }, { record: b, label: 'b.json' }, { record: c, label: 'c.json' }],
      { outDir: out, formats: [oaiDcFormat, crossrefFormat], deposit: DEPOSIT, onEvent },
    );
    expect(failures(events).map((f) => [f.label, f.format, f.message])).toEqual([
      ['b.json', undefined, `skipped: its local id "${a.id}" names the same output files as a.json`],
      ['c.json', undefined, `skipped: DOI ${a.doi} is already exported from a.json`],
    ]);
    expect(summary).toMatchObject({ status: 'partial', records: 3, failures: 2, written: { oai_dc: 1, crossref: 1 } });
    expect((readdirSync(out, { recursive: true }) as string[]).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('says which records each file holds, and removes the files of a record that is gone (what the worker needs)', async () => {
    const out = join(work, 'removals');
    const [a, b] = generateSyntheticRecords(2, 12);
    const first = collect();
    await runExport([{ record: a! }, { record: b! }], { outDir: out, formats: [oaiDcFormat, crossrefFormat], deposit: DEPOSIT, durable: false, onEvent: first.onEvent });
    const files = first.events.filter((e): e is Extract<ExportEvent, { type: 'file' }> => e.type === 'file');
    expect(files.map((f) => [f.format, f.localIds])).toEqual([
      ['oai_dc', [a!.id]],
      ['oai_dc', [b!.id]],
      ['crossref', [a!.id, b!.id]],
    ]);
    expect(files[2]!.path).toMatch(/crossref\/pubmeta-\d{17}-[0-9a-f]{8}\.xml$/);

    const second = collect();
    const summary = await runExport([{ remove: a!.id! }], { outDir: out, formats: [oaiDcFormat, crossrefFormat], deposit: DEPOSIT, durable: false, onEvent: second.onEvent });
    expect(second.events).toEqual([{ type: 'removed', format: 'oai_dc', path: recordFilePath(out, oaiDcFormat, a!.id!), localId: a!.id }]);
    expect(existsSync(recordFilePath(out, oaiDcFormat, a!.id!))).toBe(false);
    expect(existsSync(recordFilePath(out, oaiDcFormat, b!.id!))).toBe(true);
    expect(readdirSync(join(out, 'crossref'))).toHaveLength(1);
    expect(summary).toMatchObject({ status: 'succeeded', records: 0 });
  });

  it('a batch format without a deposit head is refused before anything is read', async () => {
    await expect(runExport([], { outDir: join(work, 'no-head'), formats: [crossrefFormat] })).rejects.toThrow(/needs a depositor and a registrant/);
  });

  it('an aborted run stops reading and says so', async () => {
    const controller = new AbortController();
    const records = (function* () {
      for (let i = 0; i < 1000; i++) {
        if (i === 5) controller.abort();
        yield { record: syntheticRecord(i, 4) };
      }
    })();
    const summary = await runExport(records, { outDir: join(work, 'aborted'), formats: [oaiDcFormat], signal: controller.signal, durable: false });
    expect(summary.aborted).toBe(true);
    expect(summary.records).toBe(5);
  });

  it('every registered format has a folder of its own', async () => {
    const out = join(work, 'all');
    const summary = await runExport(stream(generateSyntheticRecords(2, 8)), { outDir: out, formats: FORMATS, deposit: DEPOSIT, durable: false });
    expect(summary.status).toBe('succeeded');
    expect(readdirSync(out).sort()).toEqual(FORMATS.map((f) => f.id).sort());
  });
});

describe('validation on a second thread (built package only: the thread runs dist/validate/pool-worker.js)', () => {
  it('gives the same files and the same named failures as validating on one thread', async () => {
    const script = (thread: boolean, out: string) => `
      import { runExport } from ${JSON.stringify(join(root, 'dist/export/index.js'))};
      import { FORMATS } from ${JSON.stringify(join(root, 'dist/formats/index.js'))};
      import { generateSyntheticRecords } from ${JSON.stringify(join(root, 'dist/model/index.js'))};
      const records = generateSyntheticRecords(300, 31);
      records[17].abstract = { 'not a language!': 'x' };
      records[250].abstract = { 'not a language!': 'x' };
      const failures = [];
      const summary = await runExport(records.map((record) => ({ record })), {
        outDir: ${JSON.stringify(out)}, formats: FORMATS.filter((f) => ['oai_dc', 'jats', 'crossref'].includes(f.id)), validationThread: ${thread}, durable: false,
        deposit: { depositor: { name: 'T', email: 't@example.org' }, registrant: 'T', timestamp: 20260101000000000n, clock: () => new Date('2026-01-01T00:00:00Z') },
        onEvent: (e) => { if (e.type === 'failure') failures.push([e.format, e.label]); },
      });
      console.log(JSON.stringify({ summary, failures }));`;
    const results: { summary: unknown; failures: unknown[]; files: string[][] }[] = [];
    for (const thread of [true, false]) {
      const out = join(work, `thread-${thread}`);
      const run = await runNode(['--input-type=module', '-e', script(thread, out)], { timeoutMs: 300_000 });
      expect(run.status, run.stderr).toBe(0);
      const files = (readdirSync(out, { recursive: true }) as string[])
        .filter((f) => f.endsWith('.xml'))
        .sort()
        .map((f) => [f, readFileSync(join(out, f), 'utf8')]);
      results.push({ ...(JSON.parse(run.stdout) as { summary: unknown; failures: unknown[] }), files });
    }
    expect(results[0]).toEqual(results[1]);
    expect(results[0]!.failures).toHaveLength(6);
    expect(results[0]!.files.length).toBe(2 * 298 + 3);
  }, 600_000);
});
