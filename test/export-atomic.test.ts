// Atomic file batches (src/export/atomicWrite.ts) and the pipeline's durability batches: temp
// files are written at once, targets appear only on commit, a file is reported only once it is
// in place, and nothing is left behind when a run fails or a batch is discarded.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AtomicFileBatch, sweepTempFiles } from '../src/export/atomicWrite.js';
import { runExport, type ExportEvent } from '../src/export/index.js';
import { crossrefFormat, oaiDcFormat } from '../src/formats/index.js';
import { generateSyntheticRecords } from '../src/model/index.js';

const work = mkdtempSync(join(tmpdir(), 'pubmeta-atomic-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const temps = (dir: string) => readdirSync(dir).filter((name) => name.endsWith('.tmp'));

describe('AtomicFileBatch', () => {
  it('writes temp files at once and puts them in place only on commit, old content kept until then', async () => {
    const dir = join(work, 'commit');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a.xml'), 'old');
    const files = new AtomicFileBatch();
    files.write(join(dir, 'a.xml'), 'new a');
    files.write(join(dir, 'b.xml'), Buffer.from('new b ü', 'utf8'));
    expect(files.size).toBe(2);
    expect(files.bytes).toBe(5 + 8);
    expect(temps(dir)).toHaveLength(2);
    expect(readFileSync(join(dir, 'a.xml'), 'utf8')).toBe('old');
    expect(existsSync(join(dir, 'b.xml'))).toBe(false);
    await files.commit();
    expect(readFileSync(join(dir, 'a.xml'), 'utf8')).toBe('new a');
    expect(readFileSync(join(dir, 'b.xml'), 'utf8')).toBe('new b ü');
    expect(temps(dir)).toEqual([]);
    expect(files.size).toBe(0);
  });

  it('discard removes the temp files and leaves the targets as they were', () => {
    const dir = join(work, 'discard');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a.xml'), 'old');
    const files = new AtomicFileBatch({ durable: false });
    files.write(join(dir, 'a.xml'), 'new');
    files.discard();
    expect(readdirSync(dir)).toEqual(['a.xml']);
    expect(readFileSync(join(dir, 'a.xml'), 'utf8')).toBe('old');
  });

  it('temp files of a writer killed before commit are hidden and swept', () => {
    const dir = join(work, 'killed');
    mkdirSync(dir);
    const files = new AtomicFileBatch();
    files.write(join(dir, 'a.xml'), 'half');
    files.write(join(dir, 'b.xml'), 'done');
    // (No commit: as if the process died here.)
    expect(readdirSync(dir).every((name) => name.startsWith('.pubmeta-'))).toBe(true);
    expect(sweepTempFiles(dir)).toBe(2);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('the pipeline commits files in batches', () => {
  it('every file is in place, complete, when its event is sent; none is left as a temp file', async () => {
    const out = join(work, 'events');
    const records = generateSyntheticRecords(600, 5);
    const seen: string[] = [];
    const onEvent = (event: ExportEvent) => {
      if (event.type !== 'file') return;
      expect(existsSync(event.path)).toBe(true);
      expect(readFileSync(event.path, 'utf8')).toMatch(/<\/(oai_dc:dc|doi_batch)>\n$/);
      seen.push(event.path);
    };
    const summary = await runExport(records.map((record) => ({ record })), {
      outDir: out,
      formats: [oaiDcFormat, crossrefFormat],
      deposit: { depositor: { name: 'Atomic Press', email: 'a@example.org' }, registrant: 'Atomic Press' },
      onEvent,
    });
    expect(summary).toMatchObject({ status: 'succeeded', written: { oai_dc: 600, crossref: 600 }, files: { oai_dc: 600, crossref: 6 } });
    expect(new Set(seen).size).toBe(606);
    expect(temps(join(out, 'oai_dc'))).toEqual([]);
    expect(temps(join(out, 'crossref'))).toEqual([]);
  });

  it('a run whose input fails leaves no temp files and reports no uncommitted file', async () => {
    const out = join(work, 'failing');
    const records = generateSyntheticRecords(30, 6);
    const reported: string[] = [];
    async function* failing() {
      for (const record of records) yield { record };
      throw new Error('input broke');
    }
    await expect(
      runExport(failing(), { outDir: out, formats: [oaiDcFormat], checkGroup: 10, onEvent: (e) => e.type === 'file' && reported.push(e.path) }),
    ).rejects.toThrow('input broke');
    expect(temps(join(out, 'oai_dc'))).toEqual([]);
    for (const path of reported) expect(existsSync(path)).toBe(true);
  });
});
