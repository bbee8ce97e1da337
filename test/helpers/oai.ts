import { readFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';
import { expect } from 'vitest';
import { JATS_OAI_NAMESPACE } from '../../src/formats/index.js';
import { generateSyntheticRecords, loadSeedSample, validateArticle, type ArticleRecord } from '../../src/model/index.js';
import { formatXmlErrors, validateXml } from '../../src/validate/index.js';
import type { Store } from '../../src/store/index.js';
import { handleOaiRequest, type OaiConfig } from '../../src/oai/index.js';
import type { useTestStores } from './backends.js';

type TestStores = ReturnType<typeof useTestStores>;

/** A fresh store of the backend under test, with a clock the test moves. */
export async function clockedStore(stores: TestStores, start = '2024-03-01T10:00:00Z'): Promise<{ store: Store; clock: TestClock }> {
  const clock = new TestClock(start);
  const store = await stores.store({ clock: () => clock.now() });
  return { store, clock };
}

export class TestClock {
  private time: number;
  constructor(start: string) {
    this.time = Date.parse(start);
  }
  now(): Date {
    return new Date(this.time);
  }
  advance(seconds: number): Date {
    this.time += seconds * 1000;
    return this.now();
  }
  set(iso: string): Date {
    this.time = Date.parse(iso);
    return this.now();
  }
}

export function testConfig(overrides: Partial<OaiConfig> = {}): OaiConfig {
  return {
    repositoryName: 'Test Journal Repository',
    baseUrl: 'http://127.0.0.1/oai',
    repositoryIdentifier: 'journal.example.org',
    adminEmails: ['oai-admin@journal.example.org'],
    tokenSecret: 'test-secret-0123456789abcdef',
    ...overrides,
  };
}

/**
 * Validates a response as every test must: the OAI-PMH schema with oai_dc, oai-identifier and
 * namespaced JATS loaded (strict ##other wildcard), then each JATS record on its own against
 * JATS 1.3 after removing the OAI serving namespace.
 */
export function expectValidOaiResponse(xml: string): void {
  const result = validateXml(xml, 'oai-pmh');
  if (!result.valid) throw new Error(`response is not valid OAI-PMH:\n${formatXmlErrors(result.errors)}\n${xml.slice(0, 2000)}`);
  for (const article of extractJatsArticles(xml)) {
    const jats = validateXml(article, 'jats');
    if (!jats.valid) throw new Error(`JATS record is not valid JATS 1.3:\n${formatXmlErrors(jats.errors)}\n${article.slice(0, 1500)}`);
  }
}

/** Each <metadata> JATS article as a standalone, un-namespaced JATS document. */
export function extractJatsArticles(xml: string): string[] {
  const articles: string[] = [];
  for (const match of xml.matchAll(/<metadata>(\s*<article\b[\s\S]*?<\/article>\s*)<\/metadata>/g)) {
    const article = match[1]!.trim();
    expect(article).toContain(`xmlns="${JATS_OAI_NAMESPACE}"`);
    articles.push('<?xml version="1.0" encoding="UTF-8"?>\n' + article.replace(` xmlns="${JATS_OAI_NAMESPACE}"`, ''));
  }
  return articles;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) =>
    ['error', 'header', 'record', 'setSpec', 'set', 'metadataFormat', 'adminEmail', 'compression', 'description', 'title', 'creator', 'identifier'].includes(name),
});

export interface OaiHeader {
  identifier: string;
  datestamp: string;
  setSpecs: string[];
  deleted: boolean;
}

export interface ParsedOai {
  xml: string;
  responseDate: string;
  request: { baseUrl: string; attributes: Record<string, string> };
  errors: { code: string; message: string }[];
  /** The verb element, when the response is not an error. */
  verbElement?: string;
  body: any;
  headers: OaiHeader[];
  /** ListRecords/GetRecord records: header and whether metadata is present. */
  records: { header: OaiHeader; metadata?: any }[];
  token?: { value: string; cursor?: number; completeListSize?: number; expirationDate?: string };
}

function toHeader(raw: any): OaiHeader {
  return {
    identifier: String(raw.identifier[0]),
    datestamp: String(raw.datestamp),
    setSpecs: (raw.setSpec ?? []).map(String),
    deleted: raw['@status'] === 'deleted',
  };
}

export function parseOai(xml: string): ParsedOai {
  const doc = parser.parse(xml)['OAI-PMH'];
  const request = doc.request;
  const attributes: Record<string, string> = {};
  let baseUrl: string;
  if (typeof request === 'string') baseUrl = request;
  else {
    baseUrl = request['#text'];
    for (const [key, value] of Object.entries(request)) if (key.startsWith('@')) attributes[key.slice(1)] = String(value);
  }
  const errors = (doc.error ?? []).map((e: any) => (typeof e === 'string' ? { code: '', message: e } : { code: e['@code'], message: e['#text'] ?? '' }));
  const verbElement = ['Identify', 'ListMetadataFormats', 'ListSets', 'GetRecord', 'ListIdentifiers', 'ListRecords'].find((v) => v in doc);
  const body = verbElement ? doc[verbElement] : undefined;
  const parsed: ParsedOai = { xml, responseDate: doc.responseDate, request: { baseUrl, attributes }, errors, body, headers: [], records: [] };
  if (verbElement) parsed.verbElement = verbElement;
  if (body && typeof body === 'object') {
    for (const record of body.record ?? []) {
      const header = toHeader(record.header[0]);
      parsed.records.push({ header, metadata: record.metadata });
      parsed.headers.push(header);
    }
    for (const header of body.header ?? []) parsed.headers.push(toHeader(header));
    const token = body.resumptionToken;
    if (token !== undefined) {
      const value = typeof token === 'string' ? token : (token['#text'] ?? '');
      parsed.token = { value };
      if (typeof token === 'object') {
        if (token['@cursor'] !== undefined) parsed.token.cursor = Number(token['@cursor']);
        if (token['@completeListSize'] !== undefined) parsed.token.completeListSize = Number(token['@completeListSize']);
        if (token['@expirationDate'] !== undefined) parsed.token.expirationDate = token['@expirationDate'];
      }
    }
  }
  return parsed;
}

export type Args = Record<string, string | string[]>;

export function toArgs(args: Args): Record<string, string[]> {
  return Object.fromEntries(Object.entries(args).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]));
}

/** Runs the engine, validates the response and parses it. */
export async function oai(store: Store, config: OaiConfig, now: Date, args: Args): Promise<ParsedOai> {
  const xml = await handleOaiRequest(toArgs(args), store.records, config, now);
  expectValidOaiResponse(xml);
  return parseOai(xml);
}

export function errorCodes(response: ParsedOai): string[] {
  return response.errors.map((e) => e.code).sort();
}

/** Follows resumption tokens to the end; returns every page. Bounded by maxPages. */
export async function harvestAll(
  store: Store,
  config: OaiConfig,
  now: () => Date,
  first: Args,
  options: { maxPages?: number; between?: (page: ParsedOai, index: number) => void | Promise<void> } = {},
): Promise<ParsedOai[]> {
  const pages: ParsedOai[] = [];
  let response = await oai(store, config, now(), first);
  const verb = String(first.verb);
  for (let i = 0; i < (options.maxPages ?? 1000); i++) {
    pages.push(response);
    if (!response.token?.value) return pages;
    await options.between?.(response, i);
    response = await oai(store, config, now(), { verb, resumptionToken: response.token.value });
  }
  throw new Error('harvest did not end within maxPages');
}

/**
 * A small repository with varied datestamps: the seed article (no ISSN, so not disseminable as
 * JATS), six synthetic articles in three journals with sections, the two edge-case samples
 * (escaping, right-to-left script) and one deleted record.
 */
export async function buildFixture(stores: TestStores): Promise<{ store: Store; clock: TestClock; now: Date; deletedId: string }> {
  const { store, clock } = await clockedStore(stores, '2024-03-01T10:00:00Z');
  await store.records.upsert(loadSeedSample());
  clock.set('2024-03-01T11:00:00Z');
  await store.records.upsertMany(generateSyntheticRecords(6, 11));
  clock.set('2024-03-01T23:59:59Z');
  await store.records.upsert(loadSample('synthetic-edge-cases-1.json'));
  clock.set('2024-03-02T00:00:00Z');
  await store.records.upsert(loadSample('synthetic-edge-cases-2.json'));
  clock.set('2024-03-02T08:00:00Z');
  const deletedId = 'syn-11-000003';
  await store.records.delete(deletedId);
  return { store, clock, now: clock.set('2024-03-03T00:00:00Z'), deletedId };
}

export function loadSample(name: string): ArticleRecord {
  const file = fileURLToPath(new URL(`../../samples/${name}`, import.meta.url));
  const result = validateArticle(JSON.parse(readFileSync(file, 'utf8')));
  if (!result.ok) throw new Error(`${name} is not a valid record`);
  return result.record;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text(): string;
}

/**
 * One HTTP request on its own connection (agent: false), with exactly the headers given: the
 * tests control Accept-Encoding themselves, and a fresh connection cannot race with the server
 * closing an idle keep-alive one while a test validates synchronously.
 */
export function httpRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers ?? {}, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode!, headers: res.headers, body, text: () => body.toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** An OAI-PMH request by GET (query string) or POST (form body). */
export function oaiHttp(url: string, method: 'GET' | 'POST', pairs: [string, string][]): Promise<HttpResponse> {
  const params = new URLSearchParams(pairs).toString();
  return method === 'GET'
    ? httpRequest(`${url}?${params}`)
    : httpRequest(url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: params });
}
