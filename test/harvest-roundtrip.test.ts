import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHarvest } from '../src/harvest/harvester.js';
import { addHarvestSource, harvestedRecord } from '../src/harvest/index.js';
import { validateArticle } from '../src/model/index.js';
import { syntheticRecord } from '../src/model/synthetic.js';
import type { ArticleRecord } from '../src/model/types.js';
import { harvestedLocalId, openStore, type Store } from '../src/store/index.js';

/**
 * Round trip through the protocol: 10,000 synthetic articles are served by `pubmeta serve` (its
 * own process) as namespaced JATS, harvested, mapped back with readJats and validated. Every
 * harvested record must equal the original, except for these fields, which JATS output does
 * not carry: `id` (the store key of the serving repository; harvested records are keyed by
 * DOI), and `synthetic` and `notes` (pubmeta-internal). Also `references[].key`: the provider
 * prefixes every JATS id with a per-record token so ids stay unique across the articles of one
 * response (xs:ID, src/oai/jatsIds.ts), and a reference's key is its id. ISSNs are compared as
 * a set: JATS lists them in its own order.
 */
const NOT_IN_JATS: (keyof ArticleRecord)[] = ['id', 'synthetic', 'notes'];
const COUNT = 10_000;
const REPOSITORY = 'roundtrip.pubmeta.test';

const here = dirname(fileURLToPath(import.meta.url));
const CLI = join(here, '..', 'dist', 'cli', 'main.js');

let workDir: string;
let server: ChildProcess | undefined;
let url: string;
let harvestStore: Store;

function comparable(record: ArticleRecord): ArticleRecord {
  const copy = structuredClone(record);
  for (const field of NOT_IN_JATS) delete copy[field];
  copy.journal.issns?.sort((a, b) => a.media.localeCompare(b.media));
  for (const reference of copy.references ?? []) delete reference.key;
  return copy;
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'pubmeta-roundtrip-'));
  const servedFile = join(workDir, 'served.db');
  const served = await openStore(servedFile);
  for (let start = 0; start < COUNT; start += 1000) {
    await served.records.upsertMany(Array.from({ length: Math.min(1000, COUNT - start) }, (_, k) => syntheticRecord(start + k)));
  }
  await served.close();
  // A list holds records up to the second before it starts (records of the current second may
  // still change): let the second of the last upsert pass.
  await new Promise((resolve) => setTimeout(resolve, 1_050 - (Date.now() % 1_000)));
  server = spawn(
    process.execPath,
    [CLI, 'serve', '--db', servedFile, '--port', '0', '--page-size', '250', '--repository-identifier', REPOSITORY, '--admin-email', `admin@${REPOSITORY}`],
    { env: { ...process.env, PUBMETA_LOG_LEVEL: 'warn', PUBMETA_OAI_SECRET: 'round-trip-secret-0123456789' }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  url = await new Promise<string>((resolve, reject) => {
    let out = '';
    server!.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /OAI-PMH endpoint: (\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    server!.once('exit', (code) => reject(new Error(`pubmeta serve exited with ${code}: ${out}`)));
  });
  harvestStore = await openStore(join(workDir, 'harvest.db'));
}, 120_000);

afterAll(async () => {
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((resolve) => server!.once('exit', resolve));
  }
  await harvestStore?.close();
  rmSync(workDir, { recursive: true, force: true });
});

describe('harvesting pubmeta serve (JATS) gives back the original records', () => {
  it(`harvests ${COUNT} records and maps each back to the original`, async () => {
    await addHarvestSource(harvestStore, { name: 'self', baseUrl: url, metadataPrefix: 'jats' });
    const summary = await runHarvest(harvestStore, 'self');
    expect(summary).toMatchObject({ status: 'completed', records: COUNT, created: COUNT, invalid: 0, quarantined: 0, completeListSize: COUNT });
    expect(summary.pages).toBe(COUNT / 250);

    const harvested = harvestStore.records;
    expect(await harvested.count({ includeHarvested: true })).toBe(COUNT);
    expect(await harvested.count({})).toBe(0);
    const mismatches: string[] = [];
    for (let i = 0; i < COUNT; i++) {
      const original = validateArticle(syntheticRecord(i));
      if (!original.ok) throw new Error(`synthetic record ${i} is not valid`);
      const stored = await harvested.get(harvestedLocalId('self', `oai:${REPOSITORY}:${syntheticRecord(i).id}`));
      if (!stored?.record) {
        mismatches.push(`${i}: missing`);
        continue;
      }
      try {
        expect(comparable(stored.record)).toEqual(comparable(original.record));
      } catch (error) {
        mismatches.push(mismatches.length < 3 ? `${i}: ${(error as Error).message.slice(0, 2000)}` : `${i}`);
      }
    }
    expect(mismatches.slice(0, 3), `${mismatches.length} mismatches`).toEqual([]);
    // The raw JATS is kept beside the mapped record, under the OAI identifier it was served with.
    const raw = await harvestedRecord(harvestStore, 'self', `oai:${REPOSITORY}:${syntheticRecord(0).id}`);
    expect(raw?.metadataXml).toMatch(/^<article [^>]*xmlns="https:\/\/jats.nlm.nih.gov\/ns\/archiving\/1.3\/"/);
    expect(raw?.format).toBe('jats');
    expect(raw?.localId).toBe(`harvested:self:oai:${REPOSITORY}:${syntheticRecord(0).id}`);
  }, 240_000);
});
