/**
 * Pre-rendered metadata (issue 11 item 1): each record's metadata is rendered once per OAI
 * format, validated, and kept in the store with the content hash it was rendered from; list and
 * GetRecord responses concatenate stored parts, and a missing or stale part is rendered on
 * demand and stored. Responses are the same document whichever path produced the metadata.
 */
import { describe, expect, it } from 'vitest';
import { generateSyntheticRecords, loadSeedSample, type ArticleRecord } from '../src/model/index.js';
import {
  DEFAULT_METADATA_FORMATS,
  OAI_DC_FORMAT,
  fragmentKey,
  handleOaiRequest,
  runRerenderJob,
  withPrerendering,
  type OaiMetadataFormat,
} from '../src/oai/index.js';
import { recordContentHash } from '../src/store/index.js';
import { describeBackends, useTestStores } from './helpers/backends.js';
import { clockedStore, expectValidOaiResponse, parseOai, testConfig } from './helpers/oai.js';

const NOW = new Date('2024-06-01T00:00:00Z');
const SEED_ID = 'oai:journal.example.org:jdp-323';

describeBackends('pre-rendered metadata', (backend) => {
  const stores = useTestStores(backend);
  it('a write through withPrerendering stores one validated part per OAI format, keyed by content hash', async () => {
    const { store } = await clockedStore(stores);
    const seed = loadSeedSample();
    await withPrerendering(store).records.upsert(seed);
    const hash = recordContentHash(seed);
    for (const format of DEFAULT_METADATA_FORMATS) {
      const part = await store.records.getFragment('jdp-323', format.metadataPrefix);
      expect(part, format.metadataPrefix).toBeDefined();
      expect(part!.contentHash).toBe(hash);
      expect(part!.renderKey).toBe(fragmentKey(format)!.renderKey);
    }
    const dc = await store.records.getFragment('jdp-323', 'oai_dc');
    expect(dc!.xml).toMatch(/^<oai_dc:dc /);
    expect(dc!.error).toBeNull();
    // The seed journal has no ISSN: JATS cannot be written, so the part says why and is not served.
    const jats = await store.records.getFragment('jdp-323', 'jats');
    expect(jats!.xml).toBeNull();
    expect(jats!.error).toMatch(/ISSN/i);
    const r = parseOai(await handleOaiRequest({ verb: ['GetRecord'], identifier: [SEED_ID], metadataPrefix: ['jats'] }, store.records, testConfig(), NOW));
    expect(r.errors.map((e) => e.code)).toEqual(['cannotDisseminateFormat']);
  });

  it('a list answers the same document from stored parts as from rendering on demand', async () => {
    const records = [loadSeedSample(), ...generateSyntheticRecords(30, 5)];
    const plain = await clockedStore(stores);
    await plain.store.records.upsertMany(records);
    const rendered = await clockedStore(stores);
    await withPrerendering(rendered.store).records.upsertMany(records);
    const config = testConfig({ pageSize: { records: 7, identifiers: 9 } });
    for (const verb of ['ListRecords', 'ListIdentifiers']) {
      for (const prefix of ['oai_dc', 'jats', 'oai_openaire']) {
        let args: Record<string, string[]> = { verb: [verb], metadataPrefix: [prefix] };
        for (let page = 0; page < 20; page++) {
          // The first request to the plain store renders on demand (and stores the parts); the second reads them.
          const cold = await handleOaiRequest(args, plain.store.records, config, NOW);
          const warm = await handleOaiRequest(args, plain.store.records, config, NOW);
          const stored = await handleOaiRequest(args, rendered.store.records, config, NOW);
          expect(warm).toBe(cold);
          expect(stored).toBe(cold);
          // (The test schema set has no OpenAIRE schema for the strict wildcard.)
          if (prefix !== 'oai_openaire') expectValidOaiResponse(stored);
          const token = parseOai(stored).token?.value;
          if (!token) break;
          args = { verb: [verb], resumptionToken: [token] };
        }
      }
    }
    // On-demand rendering stored what it rendered.
    expect(await plain.store.records.listUnrendered(fragmentKey(OAI_DC_FORMAT)!, '', 10)).toEqual([]);
  }, 240_000);

  it('a record changed without prerendering is served in its new version (the stale part is rendered again)', async () => {
    const { store, clock } = await clockedStore(stores);
    const seed = loadSeedSample();
    await withPrerendering(store).records.upsert(seed);
    clock.advance(60);
    const changed: ArticleRecord = { ...seed, title: { ...seed.title, text: 'A title changed behind the provider’s back' } };
    await store.records.upsert(changed);
    const r = await handleOaiRequest({ verb: ['GetRecord'], identifier: [SEED_ID], metadataPrefix: ['oai_dc'] }, store.records, testConfig(), NOW);
    expect(r).toContain('A title changed behind the provider’s back');
    const list = await handleOaiRequest({ verb: ['ListRecords'], metadataPrefix: ['oai_dc'] }, store.records, testConfig(), NOW);
    expect(list).toContain('A title changed behind the provider’s back');
    expect((await store.records.getFragment('jdp-323', 'oai_dc'))!.contentHash).toBe(recordContentHash(changed));
  });

  it('a record whose rendering fails validation is not disseminated in that format', async () => {
    const { store } = await clockedStore(stores);
    const records = generateSyntheticRecords(4, 9);
    await store.records.upsertMany(records);
    const rejected = records[1]!.id!;
    const strict: OaiMetadataFormat = {
      ...OAI_DC_FORMAT,
      metadataPrefix: 'strict_dc',
      render: (record) => OAI_DC_FORMAT.render(record),
      check: (items) => items.map((item) => (item.record.id === rejected ? 'fails the strict check' : undefined)),
      renderKey: 'strict_dc@test-1',
    };
    const config = testConfig({ metadataFormats: [OAI_DC_FORMAT, strict] });
    for (let round = 0; round < 2; round++) {
      // Round 0 renders on demand, round 1 reads the stored parts: the same answer.
      const list = parseOai(await handleOaiRequest({ verb: ['ListRecords'], metadataPrefix: ['strict_dc'] }, store.records, config, NOW));
      expect(list.records.map((rec) => rec.header.identifier)).not.toContain(`oai:journal.example.org:${rejected}`);
      expect(list.records).toHaveLength(3);
      const get = parseOai(
        await handleOaiRequest({ verb: ['GetRecord'], identifier: [`oai:journal.example.org:${rejected}`], metadataPrefix: ['strict_dc'] }, store.records, config, NOW),
      );
      expect(get.errors.map((e) => e.code)).toEqual(['cannotDisseminateFormat']);
    }
    expect((await store.records.getFragment(rejected, 'strict_dc'))!.error).toBe('fails the strict check');
  });

  it('the rerender job renders what is missing, and with force re-renders the records of one set (a journal profile edit)', async () => {
    const { store } = await clockedStore(stores);
    const records = generateSyntheticRecords(25, 3);
    await store.records.upsertMany(records);
    const first = await runRerenderJob(store, 'test', { batchSize: 10 });
    const formats = DEFAULT_METADATA_FORMATS.length;
    expect(first.rendered + first.failed).toBe(records.length * formats);
    // Nothing left to do: a second run renders nothing.
    expect(await runRerenderJob(store, 'test')).toEqual({ rendered: 0, failed: 0, cleared: 0 });
    const journalSet = (await store.records.listSets()).find((s) => !s.setSpec.includes(':'))!.setSpec;
    const inJournal = await store.records.count({ set: journalSet });
    const forced = await runRerenderJob(store, 'test', { set: journalSet, force: true, metadataPrefixes: ['oai_dc'] });
    expect(forced.cleared).toBe(inJournal);
    expect(forced.rendered).toBe(inJournal);
    const runs = await store.jobs.recentRuns({ limit: 5, job: 'rerender' });
    expect(runs).toHaveLength(3);
    expect(runs.every((run) => run.status === 'succeeded')).toBe(true);
    expect(runs[0]!.counts).toEqual({ rendered: inJournal, failed: 0, cleared: inJournal });
  });
});

describe('render keys', () => {
  it('a copy of a registered format with another render function is not served from parts stored for the original', () => {
    expect(fragmentKey(OAI_DC_FORMAT)).toBeDefined();
    expect(fragmentKey({ ...OAI_DC_FORMAT, render: () => '<x/>' })).toBeUndefined();
  });
});
