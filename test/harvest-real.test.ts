import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HarvestClient } from '../src/harvest/client.js';
import { HarvestError } from '../src/harvest/errors.js';
import { runHarvest } from '../src/harvest/harvester.js';
import { addHarvestSource, harvestSourceStatus, harvestedRecord, harvestedRecords } from '../src/harvest/index.js';
import type { Store } from '../src/store/index.js';
import { sqliteBackend, useTestStores } from './helpers/backends.js';
import { normaliseQuery, readMapping, startStaticOaiServer, type StaticOaiServer } from './helpers/harvest-static-server.js';

/**
 * Real OAI-PMH responses (HTTP::OAI's recordings of DSpace, citebase/EPrints and arXiv), served
 * from 127.0.0.1 exactly as recorded. Expected values are read from the files themselves.
 */
const here = dirname(fileURLToPath(import.meta.url));
const DATA = join(here, '..', '..', 'shared', 'testdata', 'oai-responses');
const file = (name: string) => readFileSync(join(DATA, name));

const TITLE_308 = 'Kijken in het brein: Over de mogelijkheden van neuromarketing';
const fastClient = { retries: 1, backoffBaseMs: 1, unavailableDelayMs: 1 };
const servers: StaticOaiServer[] = [];
// Parsing real responses does not depend on the store backend: SQLite only.
const stores = useTestStores(sqliteBackend);
async function serve(map: Map<string, Buffer>) {
  const server = await startStaticOaiServer(map);
  servers.push(server);
  return server;
}
async function storeWith(name: string, baseUrl: string): Promise<Store> {
  const store = await stores.store();
  await addHarvestSource(store, { name, baseUrl, metadataPrefix: 'oai_dc' });
  return store;
}
async function status(store: Store, name: string) {
  return harvestSourceStatus(store, (await store.harvest.getSource(name))!);
}
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

/** What a file says, found with plain string search (independent of the harvester's parser). */
function identifiersIn(xml: string): string[] {
  return [...xml.matchAll(/<header[^>]*><identifier>([^<]+)<\/identifier>/g)].map((m) => m[1]!);
}

describe('citebase (EPrints) Identify, GetRecord and the badbytes record', () => {
  let client: HarvestClient;
  beforeAll(async () => {
    const server = await serve(
      new Map([
        [normaliseQuery('verb=Identify'), file('identify.xml')],
        [normaliseQuery('verb=GetRecord&identifier=oai:arXiv.org:hep-th/0001001&metadataPrefix=oai_dc'), file('getrecord.xml')],
      ]),
    );
    client = new HarvestClient({ baseUrl: server.url, ...fastClient });
  });
  afterAll(() => client.close());

  it('reads Identify with a stylesheet PI before the root, day granularity (§4.2)', async () => {
    const identify = await client.identify();
    expect(identify).toMatchObject({
      repositoryName: 'citebase.eprints.org',
      baseURL: 'http://citebase.eprints.org/cgi-bin/oai2',
      protocolVersion: '2.0',
      adminEmails: ['mailto:tdb01r@ecs.soton.ac.uk'],
      earliestDatestamp: '0001-01-01',
      deletedRecord: 'transient',
      granularity: 'YYYY-MM-DD',
      responseDate: '2005-02-25T16:36:30Z',
    });
  });

  it('reads GetRecord (§4.1) and maps the oai_dc record', async () => {
    const record = await client.getRecord('oai:arXiv.org:hep-th/0001001', 'oai_dc');
    expect(record.header).toEqual({ identifier: 'oai:arXiv.org:hep-th/0001001', datestamp: '2004-06-22T19:46:16Z', setSpecs: [], deleted: false });
    expect(record.metadataXml).toMatch(/^<oai_dc:dc /);
    expect(record.mapping?.format).toBe('oai_dc');
    expect(Object.values(record.mapping?.record?.title ?? {})).toContain('Compactification, Geometry and Duality: N=2');
    expect(record.mapping?.record?.contributors[0]).toMatchObject({ family: 'Aspinwall', given: 'Paul S.' });
    // No DOI in the record: kept, but not valid for the article model.
    expect(record.mapping?.valid).toBe(false);
    expect(record.mapping?.errors.join('\n')).toMatch(/doi/i);
  });

  it('recovers the badbytes.xml record: invalid UTF-8 repaired, control characters removed', async () => {
    const raw = file('badbytes.xml');
    expect(raw.includes(Buffer.from([0x0a, 0xc2, 0x0a]))).toBe(true);
    expect(raw.includes(Buffer.from([0x06]))).toBe(true);
    const server = await serve(new Map([[normaliseQuery('verb=GetRecord&identifier=oai:arXiv.org:hep-th/0001001&metadataPrefix=oai_dc'), raw]]));
    const badClient = new HarvestClient({ baseUrl: server.url, ...fastClient });
    try {
      const record = await badClient.getRecord('oai:arXiv.org:hep-th/0001001', 'oai_dc');
      expect(record.repair.invalidUtf8).toBeGreaterThan(0);
      expect(record.repair.removedChars).toBeGreaterThan(0);
      expect(record.metadataXml).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
      expect(record.metadataXml).toContain('superstring compactification');
      expect(Object.values(record.mapping?.record?.title ?? {})).toContain('Compactification, Geometry and Duality: N=2');
      expect(record.rawBytes.equals(raw.subarray(raw.indexOf('<record>'), raw.indexOf('</record>') + '</record>'.length))).toBe(true);
    } finally {
      await badClient.close();
    }
  });

  it('harvests badbytes.xml as a list page: stored once, original bytes kept, next from at day granularity', async () => {
    const raw = file('badbytes.xml');
    const asList = Buffer.from(raw.toString('latin1').replace('<GetRecord>', '<ListRecords>').replace('</GetRecord>', '</ListRecords>'), 'latin1');
    const server = await serve(
      new Map([
        [normaliseQuery('verb=Identify'), file('identify.xml')],
        [normaliseQuery('verb=ListRecords&metadataPrefix=oai_dc'), asList],
      ]),
    );
    const store = await storeWith('citebase', server.url);
    const summary = await runHarvest(store, 'citebase', { client: fastClient });
    expect(summary).toMatchObject({ status: 'completed', records: 1, created: 1, quarantined: 0, nextFrom: '2005-02-25' });
    const stored = (await harvestedRecord(store, 'citebase', 'oai:arXiv.org:hep-th/0001001'))!;
    expect(stored.repairs).toMatch(/invalid UTF-8/);
    expect(stored.rawBytes?.equals(raw.subarray(raw.indexOf('<record>'), raw.indexOf('</record>') + 9))).toBe(true);
    expect(stored.recordXml).toContain('Calabi-Yau');
    expect(stored.valid).toBe(false); // no DOI: kept raw and flagged
    expect(await status(store, 'citebase')).toMatchObject({ records: 1, invalid: 1, quarantined: 0 });
  });
});

describe('DSpace (Erasmus) recorded session', () => {
  const dir = join(DATA, 'dspace-erasmus-listrecords');
  let server: StaticOaiServer;
  let client: HarvestClient;
  beforeAll(async () => {
    server = await serve(readMapping(dir));
    client = new HarvestClient({ baseUrl: server.url, ...fastClient });
  });
  afterAll(() => client.close());

  it('Identify: seconds granularity', async () => {
    expect(await client.identify()).toMatchObject({ repositoryName: 'Erasmus University : Research Online', granularity: 'YYYY-MM-DDThh:mm:ssZ', compression: ['gzip', 'compress', 'deflate'] });
  });

  it('ListSets (§4.6) and ListMetadataFormats (§4.4)', async () => {
    const sets = [];
    for await (const set of client.listSets()) sets.push(set);
    expect(sets.map((s) => s.setSpec)).toEqual(['3', '3:5', '1', '1:2', '1:4', '1:1', '2', '2:6', '2:7', '2:3']);
    expect(sets[0]!.setName).toBe('Erasmus MC (University Medical Center Rotterdam)');
    expect(await client.listMetadataFormats()).toEqual([
      { metadataPrefix: 'oai_dc', schema: 'http://www.openarchives.org/OAI/2.0/oai_dc.xsd', metadataNamespace: 'http://www.openarchives.org/OAI/2.0/oai_dc/' },
    ]);
  });

  it('ListIdentifiers (§4.3)', async () => {
    const headers = [];
    for await (const header of client.listIdentifiers({ metadataPrefix: 'oai_dc', from: '2003-04-10T00:00:00Z' })) headers.push(header);
    expect(headers.map((h) => h.identifier)).toEqual(identifiersIn(file('dspace-erasmus-listrecords/00003.xml').toString()));
    expect(headers[0]).toEqual({ identifier: 'hdl:1765/308', datestamp: '2003-04-15T10:18:51Z', setSpecs: ['1:2'], deleted: false });
  });

  it('ListRecords as an async iterator yields every record of the page', async () => {
    const expected = identifiersIn(file('dspace-erasmus-listrecords/00005.xml').toString());
    const seen: string[] = [];
    for await (const record of client.listRecords({ metadataPrefix: 'oai_dc', from: '2003-04-10T00:00:00Z' })) {
      seen.push(record.header.identifier);
      expect(record.metadataXml).toMatch(/^<oai_dc:dc /);
      expect(record.mapping?.format).toBe('oai_dc');
    }
    expect(seen).toEqual(expected);
    expect(seen.length).toBe(16);
  });

  it('names a non-OAI-PMH response (the recorded GetMetadata answer is a bare oai_dc document)', async () => {
    await expect(client.fetchPage('GetMetadata', { identifier: 'hdl:1765/315', metadataPrefix: 'oai_dc' })).rejects.toMatchObject({ code: 'notOaiPmh' });
  });

  it('names a 404 as httpStatus and does not retry it (guidelines §2: unexpected replies need a human)', async () => {
    const before = server.requests.length;
    const error = await client.fetchPage('ListRecords', { metadataPrefix: 'marc21' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HarvestError);
    expect(error).toMatchObject({ code: 'httpStatus', status: 404 });
    expect(server.requests.length - before).toBe(1);
  });

  it('harvests the session into the store; a second run stores nothing twice', async () => {
    const store = await storeWith('erasmus', server.url);
    const expected = identifiersIn(file('dspace-erasmus-listrecords/00005.xml').toString());
    const first = await runHarvest(store, 'erasmus', { from: '2003-04-10T00:00:00Z', client: fastClient });
    expect(first).toMatchObject({ status: 'completed', records: expected.length, created: expected.length, quarantined: 0 });
    const second = await runHarvest(store, 'erasmus', { from: '2003-04-10T00:00:00Z', client: fastClient });
    expect(second).toMatchObject({ status: 'completed', created: 0, unchanged: expected.length });
    const stored = [];
    for await (const record of harvestedRecords(store, 'erasmus')) stored.push(record);
    expect(stored.map((r) => r.identifier).sort()).toEqual([...expected].sort());
    // The raw XML is kept beside the mapped record.
    const r308 = (await harvestedRecord(store, 'erasmus', 'hdl:1765/308'))!;
    expect(r308.recordXml).toContain('neuro-imaging');
    // Stored standalone: the OAI-PMH namespace the record was in is declared on it.
    expect(r308.recordXml).toMatch(/^<record xmlns="http:\/\/www.openarchives.org\/OAI\/2.0\/"[ >]/);
    expect(r308.metadataXml).toMatch(/^<oai_dc:dc [^>]*xmlns:dc="http:\/\/purl.org\/dc\/elements\/1.1\/"/);
    expect(r308.format).toBe('oai_dc');
    expect(Object.values(r308.mapped?.title ?? {})).toContain(TITLE_308);
    expect(first.nextFrom).toBe('2003-04-30T16:08:02Z');
  });
});

describe('DSpace (Erasmus) session with deleted records', () => {
  const dir = join(DATA, 'dspace-erasmus-deleted');
  let server: StaticOaiServer;
  beforeAll(async () => {
    const map = readMapping(dir);
    // The same repository's recorded Identify (this session did not record one).
    map.set(normaliseQuery('verb=Identify'), file('dspace-erasmus-listrecords/00001.xml'));
    server = await serve(map);
  });

  it('GetRecord of a deleted record has status="deleted" and no metadata (§2.5.1)', async () => {
    const client = new HarvestClient({ baseUrl: server.url, ...fastClient });
    try {
      const deleted = await client.getRecord('hdl:1765/1160', 'oai_dc');
      expect(deleted.header).toEqual({ identifier: 'hdl:1765/1160', datestamp: '2004-02-16T13:29:54Z', setSpecs: ['1:1'], deleted: true });
      expect(deleted.metadataXml).toBeUndefined();
      const live = await client.getRecord('hdl:1765/1162', 'oai_dc');
      expect(Object.values(live.mapping?.record?.title ?? {})).toContain('Has the tradeoff between productivity gains and job growth disappeared?');
    } finally {
      await client.close();
    }
  });

  it('harvests 81 records, 2 of them deleted, each stored once', async () => {
    const xml = file('dspace-erasmus-deleted/00002.xml').toString();
    const identifiers = identifiersIn(xml);
    const deletedCount = (xml.match(/<header status="deleted">/g) ?? []).length;
    expect(new Set(identifiers).size).toBe(identifiers.length);
    const store = await storeWith('erasmus', server.url);
    const summary = await runHarvest(store, 'erasmus', { from: '2004-01-01T00:00:00Z', client: fastClient });
    expect(summary).toMatchObject({ status: 'completed', records: identifiers.length, deleted: deletedCount, quarantined: 0 });
    expect(await status(store, 'erasmus')).toMatchObject({ records: identifiers.length - deletedCount, deleted: deletedCount });
    // None of these oai_dc records has a DOI: nothing reached the store's records, all kept raw and flagged.
    expect(await store.records.count({ includeHarvested: true })).toBe(0);
  });
});
