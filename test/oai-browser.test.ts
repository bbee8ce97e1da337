/**
 * The browser view: a person opening the endpoint in a browser gets readable pages through the
 * xml-stylesheet processing instruction and the served XSLT (rendered by Chromium itself).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSyntheticRecords, loadSeedSample } from '../src/model/index.js';
import { startOaiServer, type RunningOaiServer } from '../src/oai/index.js';
import { clockedStore, expectValidOaiResponse, httpRequest, testConfig } from './helpers/oai.js';
import { sqliteBackend, useTestStores } from './helpers/backends.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));

describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)(`browser view in headless Chromium (skipped when ${CHROMIUM} is not installed)`, () => {
  let server: RunningOaiServer;
  let context: BrowserContext;
  let profile: string;
  const validated: Promise<void>[] = [];
  const stores = useTestStores(sqliteBackend, 'suite');

  beforeAll(async () => {
    const { store, clock } = await clockedStore(stores, '2024-03-01T10:00:00Z');
    await store.records.upsert(loadSeedSample());
    await store.records.upsertMany(generateSyntheticRecords(14, 21));
    clock.advance(60);
    const { baseUrl: _b, ...config } = testConfig({ pageSize: { records: 10, identifiers: 10 } });
    server = await startOaiServer({ store: store.records, config, clock: () => clock.now() });
    profile = mkdtempSync(join(tmpdir(), 'pubmeta-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    mkdirSync(ARTIFACTS, { recursive: true });
    // Every OAI-PMH response the browser receives is validated like any other. Chromium hands
    // back the transformed page as the body, so the same URL is fetched again (the clock is fixed).
    context.on('response', (response) => {
      if (response.headers()['content-type']?.startsWith('text/xml')) {
        validated.push(httpRequest(response.url()).then((r) => expectValidOaiResponse(r.text())));
      }
    });
  });

  afterAll(async () => {
    await Promise.all(validated);
    expect(validated.length).toBeGreaterThanOrEqual(4);
    await context?.close();
    await server?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('renders ListRecords as a page with the seed article, its authors, DOI link and a next-page link', async () => {
    const page = await context.newPage();
    const response = await page.goto(`${server.url}?verb=ListRecords&metadataPrefix=oai_dc`);
    expect(response?.status()).toBe(200);
    const text = await page.locator('body').innerText();
    expect(text).toContain('Pola Perimbangan dan Regionalisasi Sektor Pertahanan di Shanghai Cooperation Organization');
    expect(text).toContain('Understanding the Pattern of Balancing and Defense Regionalization in Shanghai Cooperation Organization');
    expect(text).toContain('Akhli, Rangga Amalul');
    expect(text).toContain('Items 1–10 of 15');
    const doiLinks = await page.locator('a[href^="https://doi.org/10.33172/jdp.v4i2.323"]').count();
    expect(doiLinks).toBeGreaterThan(0);
    await page.screenshot({ path: join(ARTIFACTS, 'oai-listrecords.png'), fullPage: true });

    await page.getByText('Next page').click();
    await page.waitForURL(/resumptionToken=/);
    expect(await page.locator('body').innerText()).toContain('Items 11–15 of 15');
    await page.close();
  });

  it('renders Identify and errors readably', async () => {
    const page = await context.newPage();
    await page.goto(`${server.url}?verb=Identify`);
    const identify = await page.locator('body').innerText();
    expect(identify).toContain('Repository: Test Journal Repository');
    expect(identify).toContain('oai:journal.example.org:');
    await page.goto(`${server.url}?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai%3Ajournal.example.org%3Anope`);
    expect(await page.locator('.error').innerText()).toContain('idDoesNotExist');
    await page.screenshot({ path: join(ARTIFACTS, 'oai-error.png') });
    await page.close();
  });
});
