/**
 * Issue 10's acceptance for the worker: `pubmeta export --format all` and the worker's export
 * job write every registered format for the samples, with the same layout, the same file names
 * and the same content (Crossref batch files apart from their batch id and timestamp, which
 * name the moment of each run), and every written file passes its format's check.
 * Needs dist/ (npm run build).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FORMATS as REGISTERED, type FormatDescriptor } from '../src/formats/index.js';

const FORMATS: readonly FormatDescriptor[] = REGISTERED;
import { checkOutputs, idFromFileStem } from '../src/export/index.js';
import { recordLocalId } from '../src/model/records.js';
import { openStore, type Store } from '../src/store/index.js';
import { ExportJobFailures, runExportJob } from '../src/worker/index.js';
import { childEnv, CLI, runCli } from './helpers/crossrefProcesses.js';
import { loadSample } from './helpers/oai.js';

const SAMPLES = ['seed-jdp-323.json', 'example-rich.json', 'synthetic-edge-cases-1.json', 'synthetic-edge-cases-2.json'];
const HEAD = { depositor: { name: 'Parity tests', email: 'parity@example.org' }, registrant: 'pubmeta parity' };

/** A Crossref batch without what names the moment it was made. */
function timeless(xml: string): string {
  return xml.replace(/<doi_batch_id>[^<]*<\/doi_batch_id>/, '<doi_batch_id/>').replace(/<timestamp>[^<]*<\/timestamp>/, '<timestamp/>');
}

function files(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((n) => !n.startsWith('.')).sort() : [];
}

describe('pubmeta export and the worker export job write the same files', () => {
  let dir: string;
  let store: Store;
  const cliOut = () => join(dir, 'cli');
  const workerOut = () => join(dir, 'worker');
  const records = SAMPLES.map(loadSample).sort((a, b) => (recordLocalId(a) < recordLocalId(b) ? -1 : 1));

  beforeAll(async () => {
    expect(existsSync(CLI), 'dist/cli/main.js is missing: run npm run build').toBe(true);
    dir = mkdtempSync(join(tmpdir(), 'pubmeta-parity-'));
    // The CLI reads the samples in store order (by local id), as the worker's job does.
    const inputs = records.map((r) => join('samples', SAMPLES[SAMPLES.map(loadSample).findIndex((s) => recordLocalId(s) === recordLocalId(r))]!));
    const cli = await runCli(['export', ...inputs, '--format', 'all', '--out', cliOut()], {
      env: childEnv({ PUBMETA_DEPOSITOR_NAME: HEAD.depositor.name, PUBMETA_DEPOSITOR_EMAIL: HEAD.depositor.email, PUBMETA_REGISTRANT: HEAD.registrant }),
      timeoutMs: 300_000,
    });
    // The seed has no ISSN, so no JATS: the one failure, in both.
    expect(cli.code, cli.stderr).toBe(1);
    expect(cli.stderr.split('\n').filter((l) => /: error: /.test(l))).toEqual([expect.stringMatching(/seed-jdp-323\.json: error: jats: .*ISSN/)]);
    store = await openStore(join(dir, 'store.db'));
    await store.records.upsertMany(records, { now: new Date('2026-01-01T00:00:00Z') });
    const failure = await runExportJob({ store, outDir: workerOut(), formats: REGISTERED.map((f) => f.id), crossrefHead: HEAD, durable: false }).then(
      () => undefined,
      (error: unknown) => error,
    );
    // Never "succeeded" with a failure: the job's run ends partial (records were written), with its counts.
    expect(failure).toBeInstanceOf(ExportJobFailures);
    expect((failure as ExportJobFailures).partial).toBe(true);
    expect((failure as ExportJobFailures).message).toMatch(/^1 record\/format pair\(s\) not exported, \d+ record\(s\) written/);
    expect((failure as ExportJobFailures).counts).toMatchObject({ scanned: records.length, written: records.length, failed: 1 });
  }, 600_000);

  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('every format, the same names, the same content', () => {
    for (const format of FORMATS) {
      const [fromCli, fromWorker] = [files(join(cliOut(), format.id)), files(join(workerOut(), format.id))];
      if (format.writeBatch) {
        expect(fromWorker.length, format.id).toBe(fromCli.length);
        expect(fromWorker.length, format.id).toBeGreaterThan(0);
        const contents = (root: string, names: string[]) => names.map((n) => timeless(readFileSync(join(root, format.id, n), 'utf8')));
        expect(contents(workerOut(), fromWorker), format.id).toEqual(contents(cliOut(), fromCli));
        for (const name of [...fromCli, ...fromWorker]) expect(name).toMatch(new RegExp(`^pubmeta-\\d{17}-[0-9a-f]{8}\\.${format.extension}$`));
        continue;
      }
      expect(fromWorker, format.id).toEqual(fromCli);
      // Every record that the format can represent (the seed has no ISSN: no JATS for it).
      expect(fromWorker.length, format.id).toBeGreaterThanOrEqual(records.length - 1);
      for (const name of fromWorker) {
        expect(readFileSync(join(workerOut(), format.id, name), 'utf8'), `${format.id}/${name}`).toBe(readFileSync(join(cliOut(), format.id, name), 'utf8'));
      }
    }
  });

  it('every written file passes its format check', () => {
    for (const root of [cliOut(), workerOut()]) {
      for (const format of FORMATS) {
        for (const name of files(join(root, format.id))) {
          const output = readFileSync(join(root, format.id, name), 'utf8');
          const record = format.writeBatch ? records[0]! : records.find((r) => recordLocalId(r) === idFromFileStem(name.slice(0, -(format.extension.length + 1))))!;
          expect(record, `${format.id}/${name}: no record`).toBeDefined();
          expect(checkOutputs(format, [{ output, record }])[0], `${root}/${format.id}/${name}`).toBeUndefined();
        }
      }
    }
  });
});
