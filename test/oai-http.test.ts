/**
 * The HTTP embedding (OAI-PMH §3.1): GET and POST, Content-Type, status codes, compression by
 * Accept-Encoding (§3.1.3), 503 + Retry-After flow control (guidelines-repository §6.1),
 * HEAD, the stylesheet, mounting the handler under a prefix.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync, inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSyntheticRecords, loadSeedSample } from '../src/model/index.js';
import { createOaiRequestHandler, handleOaiRequest, negotiateOaiContentEncoding, startOaiServer, withPrerendering, type RunningOaiServer } from '../src/oai/index.js';
import { buildFixture, clockedStore, expectValidOaiResponse, httpRequest, parseOai, testConfig } from './helpers/oai.js';
import { sqliteBackend, useTestStores } from './helpers/backends.js';

/** Every OAI-PMH document the tests receive is validated, compressed or not. */
async function raw(...args: Parameters<typeof httpRequest>) {
  const response = await httpRequest(...args);
  if (response.status === 200 && String(response.headers['content-type']).startsWith('text/xml') && response.body.length > 0) {
    const coding = response.headers['content-encoding'];
    const body = coding === 'gzip' ? gunzipSync(response.body) : coding === 'deflate' ? inflateSync(response.body) : response.body;
    expectValidOaiResponse(body.toString('utf8'));
  }
  return response;
}

// The HTTP layer does not depend on the store backend: SQLite only (conformance runs on both).
const stores = useTestStores(sqliteBackend, 'suite');
let fixture: Awaited<ReturnType<typeof buildFixture>>;
let server: RunningOaiServer;
beforeAll(async () => {
  fixture = await buildFixture(stores);
  const { baseUrl: _b, ...config } = testConfig();
  server = await startOaiServer({ store: fixture.store.records, config, clock: () => fixture.now, maxInFlight: 2, retryAfterSeconds: 7 });
});
afterAll(async () => {
  await server?.close();
});

describe('§3.1 requests and responses', () => {
  it('§3.1.2.1 answers text/xml in UTF-8; OAI errors are HTTP 200 (§3.1.2.2)', async () => {
    const r = await raw(`${server.url}?verb=Bogus`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/xml; charset=utf-8');
    expect(r.headers['vary']).toBe('Accept-Encoding');
    const xml = r.body.toString('utf8');
    expectValidOaiResponse(xml);
    expect(parseOai(xml).errors[0]!.code).toBe('badVerb');
  });

  it('§3.1.1.1 decodes percent-encoded arguments (identifier escaped twice, oai-identifier §2.5)', async () => {
    const record = { ...loadSeedSample(), id: 'ab<cd ef' };
    await fixture.store.records.upsert(record, { now: new Date('2024-03-02T09:00:00Z') });
    // The oai-identifier escapes "<" and " ", and the URL escapes its "%" again.
    const identifier = 'oai:journal.example.org:ab%3Ccd%20ef';
    const r = await raw(`${server.url}?verb=GetRecord&metadataPrefix=oai_dc&identifier=${encodeURIComponent(identifier)}`);
    const parsed = parseOai(r.body.toString('utf8'));
    expectValidOaiResponse(parsed.xml);
    expect(parsed.records[0]!.header.identifier).toBe(identifier);
    await fixture.store.records.delete('ab<cd ef', { now: new Date('2024-03-02T09:00:00Z') });
  });

  it('§3.1.1.2 POST: form-encoded arguments; other content types are badArgument', async () => {
    const ok = await raw(server.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8' },
      body: 'verb=GetRecord&identifier=oai%3Ajournal.example.org%3Ajdp-323&metadataPrefix=oai_dc',
    });
    const parsed = parseOai(ok.body.toString('utf8'));
    expectValidOaiResponse(parsed.xml);
    expect(parsed.records[0]!.header.identifier).toBe('oai:journal.example.org:jdp-323');

    for (const contentType of ['text/plain', 'application/json', 'multipart/form-data; boundary=x', undefined]) {
      const headers: Record<string, string> = contentType ? { 'Content-Type': contentType } : {};
      const r = await raw(server.url, { method: 'POST', headers, body: 'verb=Identify' });
      expect(r.status).toBe(200);
      const xml = r.body.toString('utf8');
      expectValidOaiResponse(xml);
      const bad = parseOai(xml);
      expect(bad.errors.map((e) => e.code)).toEqual(['badArgument']);
      expect(bad.request.attributes).toEqual({});
    }
  });

  it('counts arguments given both in the POST URL and body (a repeat is a repeat)', async () => {
    const r = await raw(`${server.url}?verb=Identify`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'verb=Identify',
    });
    expect(parseOai(r.body.toString('utf8')).errors.map((e) => e.code)).toEqual(['badVerb']);
  });

  it('refuses oversized POST bodies (413), other methods (405) and other paths (404)', async () => {
    const big = await raw(server.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `verb=Identify&x=${'a'.repeat(70_000)}`,
    });
    expect(big.status).toBe(413);
    const put = await raw(server.url, { method: 'PUT', body: 'verb=Identify' });
    expect(put.status).toBe(405);
    expect(put.headers['allow']).toBe('GET, HEAD, POST');
    const other = await raw(server.url.replace(/\/oai$/, '/elsewhere'));
    expect(other.status).toBe(404);
  });

  it('HEAD answers the headers of GET without a body', async () => {
    const get = await raw(`${server.url}?verb=Identify`);
    const head = await raw(`${server.url}?verb=Identify`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(head.headers['content-type']).toBe(get.headers['content-type']);
    expect(head.headers['content-length']).toBe(String(get.body.length));
  });
});

describe('§3.1.3 response compression', () => {
  const url = () => `${server.url}?verb=ListRecords&metadataPrefix=oai_dc`;

  it('identity without Accept-Encoding; gzip and deflate when asked, same document', async () => {
    const plain = await raw(url());
    expect(plain.headers['content-encoding']).toBeUndefined();
    const gz = await raw(url(), { headers: { 'Accept-Encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).equals(plain.body)).toBe(true);
    expect(gz.body.length).toBeLessThan(plain.body.length);
    expect(gz.headers['content-length']).toBe(String(gz.body.length));
    const deflated = await raw(url(), { headers: { 'Accept-Encoding': 'deflate' } });
    expect(deflated.headers['content-encoding']).toBe('deflate');
    // HTTP "deflate" is the zlib format (RFC 9110 §8.4.1.2).
    expect(inflateSync(deflated.body).equals(plain.body)).toBe(true);
    expectValidOaiResponse(plain.body.toString('utf8'));
  });

  it('respects q-values, and falls back to identity (always available)', async () => {
    const cases: [string, string | undefined][] = [
      ['gzip;q=1.0, identity;q=0.5', 'gzip'],
      ['gzip;q=0, deflate', 'deflate'],
      ['gzip;q=0.4, deflate;q=0.8', 'deflate'],
      ['deflate;q=0.5, identity;q=1', undefined],
      ['br', undefined],
      ['*', 'gzip'],
      ['*;q=0, identity', undefined],
      ['gzip;q=0, deflate;q=0, identity;q=0', undefined],
      ['x-gzip', 'gzip'],
      ['GZIP;Q=0.9', 'gzip'],
    ];
    for (const [accept, coding] of cases) {
      const r = await raw(`${server.url}?verb=Identify`, { headers: { 'Accept-Encoding': accept } });
      expect(r.headers['content-encoding'], accept).toBe(coding);
    }
    expect(negotiateOaiContentEncoding(undefined)).toBe('identity');
  });

  it('a page of stored parts larger than 64 KB: identity with a Content-Length, gzip and deflate streamed, all the engine document', async () => {
    const { store, clock } = await clockedStore(stores);
    await withPrerendering(store).records.upsertMany([loadSeedSample(), ...generateSyntheticRecords(40, 3)]);
    const now = clock.set('2024-03-05T00:00:00Z');
    const { baseUrl: _b, ...config } = testConfig();
    const big = await startOaiServer({ store: store.records, config, clock: () => now });
    try {
      const url = `${big.url}?verb=ListRecords&metadataPrefix=oai_dc`;
      const expected = Buffer.from(await handleOaiRequest({ verb: ['ListRecords'], metadataPrefix: ['oai_dc'] }, store.records, big.config, now), 'utf8');
      expect(expected.length).toBeGreaterThan(64 * 1024);
      // Stored parts with characters beyond ASCII pass as their bytes, unchanged.
      expect(expected.length).toBeGreaterThan(expected.toString('utf8').length);
      const plain = await raw(url);
      expect(plain.headers['content-length']).toBe(String(expected.length));
      expect(plain.body.equals(expected)).toBe(true);
      const gz = await raw(url, { headers: { 'Accept-Encoding': 'gzip' } });
      expect(gz.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(gz.body).equals(expected)).toBe(true);
      const deflated = await raw(url, { headers: { 'Accept-Encoding': 'deflate' } });
      expect(inflateSync(deflated.body).equals(expected)).toBe(true);
      const head = await raw(url, { method: 'HEAD' });
      expect(head.body.length).toBe(0);
    } finally {
      await big.close();
    }
  });
});

describe('flow control: 503 Retry-After when overloaded (guidelines-repository §6.1)', () => {
  it('answers 503 with Retry-After while more list requests than allowed are being worked on, then recovers', async () => {
    // Work that stays in flight: list requests whose store reads wait on a gate. (Connections
    // that have not finished sending their request are not work and never count; see
    // test/oai-overload.test.ts.)
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let waiting = 0;
    let bothWaiting!: () => void;
    const bothArrived = new Promise<void>((resolve) => (bothWaiting = resolve));
    const records = fixture.store.records;
    const gated = Object.create(records) as typeof records;
    gated.count = async (query) => {
      if (++waiting === 2) bothWaiting();
      await gate;
      return records.count(query);
    };
    const { baseUrl: _b, ...config } = testConfig();
    const guarded = await startOaiServer({ store: gated, config, clock: () => fixture.now, maxInFlight: 2, retryAfterSeconds: 7 });
    try {
      const list = `${guarded.url}?verb=ListRecords&metadataPrefix=oai_dc`;
      const held = [raw(list), raw(list)];
      await bothArrived;
      const busy = await raw(list);
      expect(busy.status).toBe(503);
      expect(busy.headers['retry-after']).toBe('7');
      // Cheap verbs keep a reserve of their own while lists fill their share.
      expect((await raw(`${guarded.url}?verb=Identify`)).status).toBe(200);
      open();
      for (const reply of await Promise.all(held)) expect(reply.status).toBe(200);
      expect((await raw(list)).status).toBe(200);
    } finally {
      open();
      await guarded.close();
    }
  });
});

describe('browser view support', () => {
  it('every response points at the stylesheet, which is served as XSLT', async () => {
    const r = await raw(`${server.url}?verb=Identify`);
    expect(r.body.toString('utf8')).toContain('<?xml-stylesheet type="text/xsl" href="/oai/oai2.xsl"?>');
    const xsl = await raw(`${server.url}/oai2.xsl`);
    expect(xsl.status).toBe(200);
    expect(xsl.headers['content-type']).toBe('text/xsl; charset=utf-8');
    expect(xsl.body.toString('utf8')).toContain('<xsl:stylesheet version="1.0"');
  });
});

describe('mounting the handler in an existing server', () => {
  let host: Server;
  let base: string;
  beforeAll(async () => {
    // As Express does with app.use('/repository/oai', handler): the prefix is stripped from req.url.
    const handler = createOaiRequestHandler({
      store: fixture.store.records,
      config: testConfig({ baseUrl: 'https://journal.example.org/repository/oai', stylesheetHref: '/repository/oai/oai2.xsl' }),
      path: false,
    });
    host = createServer((req, res) => {
      if (req.url?.startsWith('/repository/oai')) {
        req.url = req.url.slice('/repository/oai'.length) || '/';
        return handler(req, res);
      }
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('the journal site');
    });
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => host.close(() => resolve())));

  it('serves OAI-PMH and the stylesheet under the prefix, leaving other paths to the host', async () => {
    const r = await raw(`${base}/repository/oai?verb=Identify`);
    const xml = r.body.toString('utf8');
    expectValidOaiResponse(xml);
    expect(parseOai(xml).body.baseURL).toBe('https://journal.example.org/repository/oai');
    expect(xml).toContain('href="/repository/oai/oai2.xsl"');
    expect((await raw(`${base}/repository/oai/oai2.xsl`)).headers['content-type']).toBe('text/xsl; charset=utf-8');
    expect((await raw(`${base}/`)).body.toString()).toBe('the journal site');
  });

  it('refuses an invalid configuration up front', () => {
    expect(() => createOaiRequestHandler({ store: fixture.store.records, config: testConfig({ repositoryIdentifier: '127.0.0.1' }) })).toThrow(/repositoryIdentifier/);
    expect(() => createOaiRequestHandler({ store: fixture.store.records, config: testConfig({ adminEmails: [] }) })).toThrow(/adminEmail/);
  });
});
