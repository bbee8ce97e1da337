/**
 * OAI-PMH 2.0 conformance: every verb, every error condition of §3.6 in each case the
 * specification defines, over HTTP GET and POST (§3.1.1). Every response is validated against
 * OAI-PMH.xsd with oai_dc, oai-identifier and namespaced JATS loaded (strict wildcards), and
 * every JATS record against JATS 1.3.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JATS_OAI_NAMESPACE, JATS_OAI_SCHEMA_LOCATION } from '../src/formats/index.js';
import { startOaiServer, type RunningOaiServer } from '../src/oai/index.js';
import { buildFixture, clockedStore, expectValidOaiResponse, httpRequest, oai, oaiHttp, parseOai, testConfig, type ParsedOai } from './helpers/oai.js';
import { describeBackends, useTestStores } from './helpers/backends.js';

const REPO = 'journal.example.org';
const SEED = `oai:${REPO}:jdp-323`;
const SYNTHETIC = `oai:${REPO}:syn-11-000000`;
const DELETED = `oai:${REPO}:syn-11-000003`;

type Method = 'GET' | 'POST';
type Pairs = [string, string][];

interface Case {
  /** Spec section and what it requires. */
  name: string;
  args: Pairs;
  /** Expected error codes (sorted), or none for a normal response. */
  errors?: string[];
  check?: (response: ParsedOai) => void;
}

const v = (verb: string, ...rest: Pairs): Pairs => [['verb', verb], ...rest];

const errorCases: Case[] = [
  // badVerb (§3.6): missing, illegal, repeated.
  { name: '§3.6 badVerb: verb missing', args: [], errors: ['badVerb'] },
  { name: '§3.6 badVerb: verb missing, other arguments present', args: [['metadataPrefix', 'oai_dc']], errors: ['badVerb'] },
  { name: '§3.6 badVerb: illegal verb', args: v('nastyVerb'), errors: ['badVerb'] },
  { name: '§3.6 badVerb: verbs are case-sensitive', args: v('identify'), errors: ['badVerb'] },
  { name: '§3.6 badVerb: empty verb', args: v(''), errors: ['badVerb'] },
  { name: '§3.6 badVerb: repeated verb', args: [['verb', 'Identify'], ['verb', 'Identify']], errors: ['badVerb'] },

  // badArgument (§3.6): illegal, missing, repeated arguments, illegal syntax.
  { name: '§4.2 badArgument: Identify takes no arguments', args: v('Identify', ['metadataPrefix', 'oai_dc']), errors: ['badArgument'] },
  { name: '§4.2 badArgument: unknown argument', args: v('Identify', ['foo', 'bar']), errors: ['badArgument'] },
  { name: '§4.4 badArgument: ListMetadataFormats with metadataPrefix', args: v('ListMetadataFormats', ['metadataPrefix', 'oai_dc']), errors: ['badArgument'] },
  { name: '§4.6 badArgument: ListSets with set', args: v('ListSets', ['set', 'x']), errors: ['badArgument'] },
  { name: '§4.6 badArgument: resumptionToken is exclusive in ListSets', args: v('ListSets', ['resumptionToken', 'abc'], ['foo', 'x']), errors: ['badArgument', 'badArgument'] },
  { name: '§4.1 badArgument: GetRecord without identifier', args: v('GetRecord', ['metadataPrefix', 'oai_dc']), errors: ['badArgument'] },
  { name: '§4.1 badArgument: GetRecord without metadataPrefix', args: v('GetRecord', ['identifier', SEED]), errors: ['badArgument'] },
  { name: '§4.1 badArgument: GetRecord without any argument (each reported)', args: v('GetRecord'), errors: ['badArgument', 'badArgument'] },
  { name: '§4.1 badArgument: GetRecord with from', args: v('GetRecord', ['identifier', SEED], ['metadataPrefix', 'oai_dc'], ['from', '2024-01-01']), errors: ['badArgument'] },
  { name: '§4.1 badArgument: repeated identifier', args: v('GetRecord', ['identifier', SEED], ['identifier', SYNTHETIC], ['metadataPrefix', 'oai_dc']), errors: ['badArgument'] },
  { name: '§4.1 badArgument: repeated identical argument', args: v('GetRecord', ['identifier', SEED], ['metadataPrefix', 'oai_dc'], ['metadataPrefix', 'oai_dc']), errors: ['badArgument'] },
  { name: '§2.4 badArgument: identifier that is not a URI (bad escape)', args: v('GetRecord', ['identifier', `oai:${REPO}:a%zz`], ['metadataPrefix', 'oai_dc']), errors: ['badArgument'] },
  { name: '§4.5 badArgument: ListRecords without metadataPrefix', args: v('ListRecords'), errors: ['badArgument'] },
  { name: '§4.3 badArgument: ListIdentifiers without metadataPrefix', args: v('ListIdentifiers', ['from', '2024-01-01']), errors: ['badArgument'] },
  { name: '§4.5 badArgument: ListRecords with identifier', args: v('ListRecords', ['metadataPrefix', 'oai_dc'], ['identifier', SEED]), errors: ['badArgument'] },
  { name: '§4.5 badArgument: repeated set', args: v('ListRecords', ['metadataPrefix', 'oai_dc'], ['set', 'a'], ['set', 'b']), errors: ['badArgument'] },
  { name: '§4.5 badArgument: resumptionToken is exclusive (with metadataPrefix)', args: v('ListRecords', ['metadataPrefix', 'oai_dc'], ['resumptionToken', 'abc']), errors: ['badArgument'] },
  { name: '§4.3 badArgument: resumptionToken is exclusive (with from)', args: v('ListIdentifiers', ['resumptionToken', 'abc'], ['from', '2024-01-01']), errors: ['badArgument'] },
  { name: '§3.4 badArgument: metadataPrefix with illegal characters', args: v('ListRecords', ['metadataPrefix', 'oai dc']), errors: ['badArgument'] },
  { name: '§3.4 badArgument: empty metadataPrefix', args: v('ListRecords', ['metadataPrefix', '']), errors: ['badArgument'] },
  { name: '§2.6 badArgument: setSpec with illegal characters', args: v('ListRecords', ['metadataPrefix', 'oai_dc'], ['set', 'a b']), errors: ['badArgument'] },
  { name: '§2.6 badArgument: setSpec with an empty level', args: v('ListIdentifiers', ['metadataPrefix', 'oai_dc'], ['set', 'a::b']), errors: ['badArgument'] },
  { name: '§3.3.1 badArgument: month 13', args: v('ListRecords', ['metadataPrefix', 'oai_dc'], ['from', '2024-13-01']), errors: ['badArgument'] },
  { name: '§3.3.1 badArgument: 30 February', args: v('ListRecords', ['metadataPrefix', 'oai_dc'], ['until', '2024-02-30']), errors: ['badArgument'] },
  { name: '§3.3.1 badArgument: year only', args: v('ListRecords', ['metadataPrefix', 'oai_dc'], ['from', '2024']), errors: ['badArgument'] },
  { name: '§3.3.1 badArgument: time without Z', args: v('ListRecords', ['metadataPrefix', 'oai_dc'], ['from', '2024-03-01T10:00:00']), errors: ['badArgument'] },
  { name: '§3.3.1 badArgument: offset instead of Z', args: v('ListRecords', ['metadataPrefix', 'oai_dc'], ['from', '2024-03-01T10:00:00+00:00']), errors: ['badArgument'] },
  { name: '§3.3.1 badArgument: minutes granularity', args: v('ListRecords', ['metadataPrefix', 'oai_dc'], ['from', '2024-03-01T10:00Z']), errors: ['badArgument'] },
  { name: '§3.3.1 badArgument: finer than the repository granularity', args: v('ListIdentifiers', ['metadataPrefix', 'oai_dc'], ['until', '2024-03-01T10:00:00.5Z']), errors: ['badArgument'] },
  { name: '§3.3.1 badArgument: hour 24', args: v('ListIdentifiers', ['metadataPrefix', 'oai_dc'], ['until', '2024-03-01T24:00:00Z']), errors: ['badArgument'] },
  { name: '§3.3.1 badArgument: mixed granularities', args: v('ListRecords', ['metadataPrefix', 'oai_dc'], ['from', '2024-03-01'], ['until', '2024-03-02T00:00:00Z']), errors: ['badArgument'] },
  { name: '§2.7.1 badArgument: from later than until (days)', args: v('ListRecords', ['metadataPrefix', 'oai_dc'], ['from', '2024-03-02'], ['until', '2024-03-01']), errors: ['badArgument'] },
  { name: '§2.7.1 badArgument: from later than until (seconds)', args: v('ListIdentifiers', ['metadataPrefix', 'oai_dc'], ['from', '2024-03-01T10:00:01Z'], ['until', '2024-03-01T10:00:00Z']), errors: ['badArgument'] },
  { name: '§3.6 badArgument: several problems, each reported', args: v('ListRecords', ['from', 'yesterday'], ['bogus', '1']), errors: ['badArgument', 'badArgument', 'badArgument'] },
  { name: '§3.2 badArgument: control character in a value', args: v('GetRecord', ['identifier', 'oai:x.org:\u0001'], ['metadataPrefix', 'oai_dc']), errors: ['badArgument'] },

  // badResumptionToken (§3.6: ListIdentifiers, ListRecords, ListSets).
  { name: '§3.5 badResumptionToken: ListRecords with a token never issued', args: v('ListRecords', ['resumptionToken', 'not-a-token']), errors: ['badResumptionToken'] },
  { name: '§3.5 badResumptionToken: ListIdentifiers with an empty token', args: v('ListIdentifiers', ['resumptionToken', '']), errors: ['badResumptionToken'] },
  { name: '§4.6 badResumptionToken: ListSets (no token is ever issued for sets)', args: v('ListSets', ['resumptionToken', 'abc']), errors: ['badResumptionToken'] },

  // cannotDisseminateFormat (§3.6: GetRecord, ListIdentifiers, ListRecords).
  { name: '§4.5 cannotDisseminateFormat: ListRecords, unknown format', args: v('ListRecords', ['metadataPrefix', 'marc21']), errors: ['cannotDisseminateFormat'] },
  { name: '§4.3 cannotDisseminateFormat: ListIdentifiers, unknown format', args: v('ListIdentifiers', ['metadataPrefix', 'oai_marc'], ['from', '2024-03-01']), errors: ['cannotDisseminateFormat'] },
  { name: '§3.4 cannotDisseminateFormat: prefix "all" is reserved, not supported', args: v('ListRecords', ['metadataPrefix', 'all']), errors: ['cannotDisseminateFormat'] },
  { name: '§4.1 cannotDisseminateFormat: GetRecord, unknown format', args: v('GetRecord', ['identifier', SEED], ['metadataPrefix', 'marc21']), errors: ['cannotDisseminateFormat'] },
  {
    name: '§4.1 cannotDisseminateFormat: the item cannot be expressed in the format (seed has no ISSN, JATS needs one)',
    args: v('GetRecord', ['identifier', SEED], ['metadataPrefix', 'jats']),
    errors: ['cannotDisseminateFormat'],
    check: (r) => expect(r.errors[0]!.message).toMatch(/ISSN/),
  },

  // idDoesNotExist (§3.6: GetRecord, ListMetadataFormats).
  { name: '§4.1 idDoesNotExist: unknown local id', args: v('GetRecord', ['identifier', `oai:${REPO}:nope`], ['metadataPrefix', 'oai_dc']), errors: ['idDoesNotExist'] },
  { name: '§4.1 idDoesNotExist: identifier of another repository', args: v('GetRecord', ['identifier', 'oai:other.example.org:jdp-323'], ['metadataPrefix', 'oai_dc']), errors: ['idDoesNotExist'] },
  { name: '§4.1 idDoesNotExist: illegal in this repository (not an oai-identifier)', args: v('GetRecord', ['identifier', 'jdp-323'], ['metadataPrefix', 'oai_dc']), errors: ['idDoesNotExist'] },
  { name: 'oai-identifier §2.3: escapes are exact (lowercase hex is another identifier)', args: v('GetRecord', ['identifier', `oai:${REPO}:jdp%2d323`], ['metadataPrefix', 'oai_dc']), errors: ['idDoesNotExist'] },
  { name: '§4.1 idDoesNotExist and cannotDisseminateFormat together', args: v('GetRecord', ['identifier', `oai:${REPO}:nope`], ['metadataPrefix', 'marc21']), errors: ['cannotDisseminateFormat', 'idDoesNotExist'] },
  { name: '§4.4 idDoesNotExist: ListMetadataFormats for an unknown item', args: v('ListMetadataFormats', ['identifier', `oai:${REPO}:nope`]), errors: ['idDoesNotExist'] },
  {
    name: '§3.2 request echoes what was asked, escaped, when the error is not badVerb/badArgument',
    args: v('GetRecord', ['identifier', `oai:${REPO}:a&b<c>"d'e`], ['metadataPrefix', 'oai_dc']),
    errors: ['idDoesNotExist'],
  },

  // noRecordsMatch (§3.6: ListIdentifiers, ListRecords).
  { name: '§4.5 noRecordsMatch: from after the newest datestamp', args: v('ListRecords', ['metadataPrefix', 'oai_dc'], ['from', '2030-01-01']), errors: ['noRecordsMatch'] },
  { name: '§4.3 noRecordsMatch: until before the earliest datestamp', args: v('ListIdentifiers', ['metadataPrefix', 'oai_dc'], ['until', '2024-03-01T09:59:59Z']), errors: ['noRecordsMatch'] },
  { name: '§4.5 noRecordsMatch: a set that does not exist', args: v('ListRecords', ['metadataPrefix', 'oai_dc'], ['set', 'no-such-journal']), errors: ['noRecordsMatch'] },
  { name: '§4.3 noRecordsMatch: set and date range that do not meet', args: v('ListIdentifiers', ['metadataPrefix', 'oai_dc'], ['set', 'jurnal-diplomasi-pertahanan'], ['from', '2024-03-02']), errors: ['noRecordsMatch'] },
];

function expectedEcho(pairs: Pairs): Record<string, string> {
  return Object.fromEntries(pairs);
}

describeBackends('OAI-PMH 2.0 conformance', (backend) => {
  const stores = useTestStores(backend, 'suite');
  let server: RunningOaiServer;
  let fixture: Awaited<ReturnType<typeof buildFixture>>;

  beforeAll(async () => {
    fixture = await buildFixture(stores);
    const { baseUrl: _ignored, ...config } = testConfig();
    server = await startOaiServer({ store: fixture.store.records, config, clock: () => fixture.now });
  });
  afterAll(async () => {
    await server?.close();
  });

  async function call(method: Method, pairs: Pairs): Promise<ParsedOai> {
    const response = await oaiHttp(server.url, method, pairs);
    // §3.1.2: OAI-PMH errors are not HTTP errors; §3.1.2.1 Content-Type text/xml.
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/xml; charset=utf-8');
    const xml = response.text();
    expectValidOaiResponse(xml);
    return parseOai(xml);
  }

  describe.each<Method>(['GET', 'POST'])('errors and exceptions over %s (§3.6)', (method) => {
    it.each(errorCases.map((c) => [c.name, c] as const))('%s', async (_name, testCase) => {
      const response = await call(method, testCase.args);
      expect(response.verbElement).toBeUndefined();
      expect(response.errors.map((e) => e.code).sort()).toEqual(testCase.errors);
      for (const error of response.errors) expect(error.message.length).toBeGreaterThan(0);
      expect(response.request.baseUrl).toBe(server.config.baseUrl);
      // §3.2: attributes only when there is no badVerb/badArgument, and then exactly the arguments.
      const bare = testCase.errors!.some((code) => code === 'badVerb' || code === 'badArgument');
      expect(response.request.attributes).toEqual(bare ? {} : expectedEcho(testCase.args));
      testCase.check?.(response);
    });
  });

  describe.each<Method>(['GET', 'POST'])('verbs over %s (§4)', (method) => {
    it('§4.2 Identify: required elements, true earliestDatestamp, persistent deletions, seconds granularity, compression, oai-identifier', async () => {
      const r = await call(method, v('Identify'));
      expect(r.request.attributes).toEqual({ verb: 'Identify' });
      const id = r.body;
      expect(id.repositoryName).toBe('Test Journal Repository');
      expect(id.baseURL).toBe(server.config.baseUrl);
      expect(id.protocolVersion).toBe('2.0');
      expect(id.adminEmail).toEqual(['oai-admin@journal.example.org']);
      expect(id.earliestDatestamp).toBe('2024-03-01T10:00:00Z');
      expect(id.deletedRecord).toBe('persistent');
      expect(id.granularity).toBe('YYYY-MM-DDThh:mm:ssZ');
      expect(id.compression).toEqual(['gzip', 'deflate']);
      const oaiId = id.description[0]['oai-identifier'];
      expect(oaiId).toMatchObject({ scheme: 'oai', repositoryIdentifier: REPO, delimiter: ':' });
      // The sample identifier is a real one.
      const sample = await call(method, v('GetRecord', ['identifier', oaiId.sampleIdentifier], ['metadataPrefix', 'oai_dc']));
      expect(sample.errors).toEqual([]);
      // §4.2: no datestamp is lower than earliestDatestamp, and it is one of them (truly the earliest).
      const all = await call(method, v('ListIdentifiers', ['metadataPrefix', 'oai_dc']));
      const stamps = all.headers.map((h) => h.datestamp).sort();
      expect(stamps[0]).toBe(id.earliestDatestamp);
    });

    it('§3.2 responseDate is the response time in UTC at seconds', async () => {
      const r = await call(method, v('Identify'));
      expect(r.responseDate).toBe('2024-03-03T00:00:00Z');
    });

    it('§4.4 ListMetadataFormats: oai_dc and namespaced JATS with schema and namespace', async () => {
      const r = await call(method, v('ListMetadataFormats'));
      expect(r.body.metadataFormat).toEqual([
        { metadataPrefix: 'oai_dc', schema: 'http://www.openarchives.org/OAI/2.0/oai_dc.xsd', metadataNamespace: 'http://www.openarchives.org/OAI/2.0/oai_dc/' },
        { metadataPrefix: 'jats', schema: JATS_OAI_SCHEMA_LOCATION, metadataNamespace: JATS_OAI_NAMESPACE },
        // OpenAIRE Guidelines for Literature Repositories 4, "OAI-PMH" section: prefix, namespace and schema as published.
        { metadataPrefix: 'oai_openaire', schema: 'https://www.openaire.eu/schema/repo-lit/4.0/openaire.xsd', metadataNamespace: 'http://namespace.openaire.eu/schema/oaire/' },
      ]);
    });

    it('§4.4 ListMetadataFormats for an item lists the formats that item can be disseminated in', async () => {
      const seed = await call(method, v('ListMetadataFormats', ['identifier', SEED]));
      expect(seed.request.attributes).toEqual({ verb: 'ListMetadataFormats', identifier: SEED });
      expect(seed.body.metadataFormat.map((f: any) => f.metadataPrefix)).toEqual(['oai_dc', 'oai_openaire']);
      const synthetic = await call(method, v('ListMetadataFormats', ['identifier', SYNTHETIC]));
      expect(synthetic.body.metadataFormat.map((f: any) => f.metadataPrefix)).toEqual(['oai_dc', 'jats', 'oai_openaire']);
      const deleted = await call(method, v('ListMetadataFormats', ['identifier', DELETED]));
      expect(deleted.body.metadataFormat.map((f: any) => f.metadataPrefix)).toEqual(['oai_dc', 'jats', 'oai_openaire']);
    });

    it('§4.6 ListSets: journal sets and journal:section sets with readable names', async () => {
      const r = await call(method, v('ListSets'));
      const sets = r.body.set.map((s: any) => [s.setSpec[0], s.setName]);
      expect(sets).toContainEqual(['jurnal-diplomasi-pertahanan', 'Jurnal Diplomasi Pertahanan']);
      expect(sets).toContainEqual(['j-synth-tests-edge-cases', 'Journal of Synthetic Tests & <Edge> Cases']);
      expect(sets).toContainEqual(['j-synth-tests-edge-cases:editorial-methods', 'Journal of Synthetic Tests & <Edge> Cases: Editorial & Methods']);
      // Every section set sits below a listed journal set (§2.6 hierarchy).
      const specs = new Set(sets.map(([spec]: string[]) => spec));
      for (const spec of specs) if ((spec as string).includes(':')) expect(specs.has((spec as string).split(':')[0])).toBe(true);
      expect(r.token).toBeUndefined();
    });

    it('§4.1 GetRecord oai_dc: header with identifier, datestamp, setSpec; Dublin Core metadata', async () => {
      const r = await call(method, v('GetRecord', ['identifier', SEED], ['metadataPrefix', 'oai_dc']));
      expect(r.request.attributes).toEqual({ verb: 'GetRecord', identifier: SEED, metadataPrefix: 'oai_dc' });
      const [record] = r.records;
      expect(record!.header).toEqual({ identifier: SEED, datestamp: '2024-03-01T10:00:00Z', setSpecs: ['jurnal-diplomasi-pertahanan'], deleted: false });
      expect(record!.metadata.dc.title.map((t: any) => t['#text'])).toContain(
        'Pola Perimbangan dan Regionalisasi Sektor Pertahanan di Shanghai Cooperation Organization',
      );
    });

    it('§4.1 GetRecord jats: the article is namespace-qualified, with the schema location listed by ListMetadataFormats (§3.4)', async () => {
      const r = await call(method, v('GetRecord', ['identifier', SYNTHETIC], ['metadataPrefix', 'jats']));
      expect(r.errors).toEqual([]);
      expect(r.xml).toContain(`<article xmlns="${JATS_OAI_NAMESPACE}"`);
      expect(r.xml).toContain(`xsi:schemaLocation="${JATS_OAI_NAMESPACE} ${JATS_OAI_SCHEMA_LOCATION}"`);
    });

    it('§2.5.1 GetRecord of a deleted record: header status="deleted", no metadata', async () => {
      for (const prefix of ['oai_dc', 'jats']) {
        const r = await call(method, v('GetRecord', ['identifier', DELETED], ['metadataPrefix', prefix]));
        expect(r.records).toHaveLength(1);
        expect(r.records[0]!.header).toMatchObject({ identifier: DELETED, deleted: true, datestamp: '2024-03-02T08:00:00Z', setSpecs: ['rev-estud-metadatos:notas'] });
        expect(r.records[0]!.metadata).toBeUndefined();
      }
    });

    it('§2.7.1 ListRecords: from/until bounds are inclusive at seconds granularity', async () => {
      const r = await call(method, v('ListRecords', ['metadataPrefix', 'oai_dc'], ['from', '2024-03-01T23:59:59Z'], ['until', '2024-03-02T00:00:00Z']));
      expect(r.request.attributes).toEqual({ verb: 'ListRecords', metadataPrefix: 'oai_dc', from: '2024-03-01T23:59:59Z', until: '2024-03-02T00:00:00Z' });
      expect(r.records.map((x) => x.header.identifier)).toEqual([`oai:${REPO}:synthetic-edge-1`, `oai:${REPO}:synthetic-edge-2`]);
    });

    it('§3.3.1 day granularity: until=day includes the whole day, from=day starts at midnight UTC', async () => {
      const until = await call(method, v('ListIdentifiers', ['metadataPrefix', 'oai_dc'], ['until', '2024-03-01']));
      expect(until.headers.map((h) => h.datestamp).every((d) => d <= '2024-03-01T23:59:59Z')).toBe(true);
      expect(until.headers.map((h) => h.identifier)).toContain(`oai:${REPO}:synthetic-edge-1`);
      expect(until.headers).toHaveLength(8 - 1);
      const from = await call(method, v('ListIdentifiers', ['metadataPrefix', 'oai_dc'], ['from', '2024-03-02'], ['until', '2024-03-02']));
      expect(from.headers.map((h) => h.identifier)).toEqual([`oai:${REPO}:synthetic-edge-2`, DELETED]);
    });

    it('§2.7.2 set=journal includes records of its sections; headers carry setSpecs; deleted records are included', async () => {
      const r = await call(method, v('ListIdentifiers', ['metadataPrefix', 'oai_dc'], ['set', 'rev-estud-metadatos']));
      const sets = r.headers.map((h) => h.setSpecs[0]);
      expect(new Set(sets)).toEqual(new Set(['rev-estud-metadatos:articulos', 'rev-estud-metadatos:notas']));
      expect(r.headers.find((h) => h.identifier === DELETED)?.deleted).toBe(true);
      const section = await call(method, v('ListRecords', ['metadataPrefix', 'oai_dc'], ['set', 'rev-estud-metadatos:notas']));
      expect(section.records).toEqual([{ header: { identifier: DELETED, datestamp: '2024-03-02T08:00:00Z', setSpecs: ['rev-estud-metadatos:notas'], deleted: true }, metadata: undefined }]);
    });

    it('§4.5 ListRecords jats leaves out records that cannot be expressed as JATS, and includes deleted ones', async () => {
      const r = await call(method, v('ListRecords', ['metadataPrefix', 'jats']));
      const ids = r.records.map((x) => x.header.identifier);
      expect(ids).not.toContain(SEED);
      expect(ids).toContain(DELETED);
      expect(ids).toHaveLength(8);
      const headers = await call(method, v('ListIdentifiers', ['metadataPrefix', 'jats']));
      expect(headers.headers.map((h) => h.identifier)).toEqual(ids);
    });

    it('§3.5 a list that fits in one page carries no resumptionToken', async () => {
      const r = await call(method, v('ListRecords', ['metadataPrefix', 'oai_dc']));
      expect(r.records).toHaveLength(9);
      expect(r.token).toBeUndefined();
    });
  });

  describe('noSetHierarchy and noMetadataFormats', () => {
    it('§4.6/§4.5/§4.3 noSetHierarchy when the repository has no sets', async () => {
      const { store } = await clockedStore(stores);
      const empty = await startOaiServer({ store: store.records, config: testConfig(), clock: () => new Date('2024-05-01T00:00:00Z') });
      try {
        for (const [method, pairs, codes] of [
          ['GET', v('ListSets'), ['noSetHierarchy']],
          ['POST', v('ListSets'), ['noSetHierarchy']],
          ['GET', v('ListRecords', ['metadataPrefix', 'oai_dc'], ['set', 'a']), ['noSetHierarchy']],
          ['POST', v('ListIdentifiers', ['metadataPrefix', 'oai_dc'], ['set', 'a']), ['noSetHierarchy']],
          ['GET', v('ListIdentifiers', ['metadataPrefix', 'marc'], ['set', 'a']), ['cannotDisseminateFormat', 'noSetHierarchy']],
          ['GET', v('ListRecords', ['metadataPrefix', 'oai_dc']), ['noRecordsMatch']],
        ] as [Method, Pairs, string[]][]) {
          const xml = (await oaiHttp(empty.url, method, pairs)).text();
          expectValidOaiResponse(xml);
          const parsed = parseOai(xml);
          expect(parsed.errors.map((e) => e.code).sort()).toEqual(codes);
          expect(parsed.request.attributes).toEqual(expectedEcho(pairs));
        }
        // An empty repository still states a valid earliestDatestamp (no later datestamp can be lower).
        const identify = parseOai((await httpRequest(`${empty.url}?verb=Identify`)).text());
        expect(identify.body.earliestDatestamp).toBe('2024-05-01T00:00:00Z');
      } finally {
        await empty.close();
      }
    });

    it('§4.4 noMetadataFormats when no format can be disseminated for the item', async () => {
      const { OAI_DC_FORMAT, JATS_FORMAT } = await import('../src/oai/index.js');
      const pickyDc = { ...OAI_DC_FORMAT, render: (record: any) => { if (record.id === 'jdp-323') throw new Error('no'); return OAI_DC_FORMAT.render(record); } };
      const config = testConfig({ metadataFormats: [pickyDc, JATS_FORMAT] });
      const r = await oai(fixture.store, config, fixture.now, { verb: 'ListMetadataFormats', identifier: SEED });
      expect(r.errors.map((e) => e.code)).toEqual(['noMetadataFormats']);
      expect(r.request.attributes).toEqual({ verb: 'ListMetadataFormats', identifier: SEED });
    });
  });
});
