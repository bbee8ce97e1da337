/**
 * The pages in a real browser: headless Chromium with XSLT switched off (as it is being
 * removed), served by `pubmeta serve --admin` (serveStore, the command's own code) on
 * 127.0.0.1 over a SQLite store after a stand-in Crossref deposit where one DOI failed.
 * Assertions are on the visible text; screenshots go to test/artifacts/ (git-ignored).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, DELETED_ID, FAILED_DOI, FAILED_MESSAGE, startServedSite, type ServedSite } from './helpers/servedSite.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));

describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)(`pages in headless Chromium without XSLT (skipped when ${CHROMIUM} is not installed)`, () => {
  let site: ServedSite;
  let context: BrowserContext;
  let profile: string;
  /** Console errors and CSP violations: a page that needs a blocked resource shows here. */
  const consoleErrors: string[] = [];
  /** Pages opened on purpose: a 401/404/410 they answer is asserted by the test, not a console error. */
  const errorPages = new Set<string>();

  beforeAll(async () => {
    site = await startServedSite();
    profile = mkdtempSync(join(tmpdir(), 'pubmeta-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1100, height: 900 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-features=XSLT',
      ],
    });
    context.on('console', (message) => {
      const url = message.location().url;
      if (message.type() !== 'error') return;
      if (errorPages.has(url) && /^Failed to load resource: the server responded with a status of (401|404|410) /.test(message.text())) return;
      consoleErrors.push(`${url}: ${message.text()}`);
    });
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await site?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  async function open(path: string): Promise<{ page: Page; status: number | undefined; text: string }> {
    const page = await context.newPage();
    errorPages.add(`${site.origin}${path}`);
    const response = await page.goto(`${site.origin}${path}`);
    return { page, status: response?.status(), text: await page.locator('body').innerText() };
  }

  it('the home page shows the repository, its OAI base URL, sets and a search box that works', async () => {
    const { page, status, text } = await open('/');
    expect(status).toBe(200);
    expect(text).toContain('Test Journal Repository');
    expect(text).toContain('15 records'); // 16 stored, one of them deleted
    expect(text).toContain(`${site.origin}/oai`);
    expect(text).toContain('oai-admin@journal.example.org');
    expect(text).toContain('Jurnal Diplomasi Pertahanan');
    await page.screenshot({ path: join(ARTIFACTS, 'pages-home.png'), fullPage: true });
    await page.getByLabel('Search titles, authors and DOIs').fill('Nugraha Gumilar');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/\/search\?q=Nugraha\+Gumilar/);
    const results = await page.locator('main').innerText();
    expect(results).toContain('1 record match');
    expect(results).toContain('Pola Perimbangan dan Regionalisasi Sektor Pertahanan di Shanghai Cooperation Organization');
    await page.screenshot({ path: join(ARTIFACTS, 'pages-search.png'), fullPage: true });
    await page.close();
  });

  it('ListRecords is a readable page with paging by resumptionToken, not an XSLT or raw XML view', async () => {
    const { page, status, text } = await open('/oai?verb=ListRecords&metadataPrefix=oai_dc');
    expect(status).toBe(200);
    expect(await page.evaluate('document.contentType')).toBe('text/html');
    expect(text).not.toContain('This document cannot be formatted');
    expect(text).toContain('Items 1–10 of 16'); // the deleted record is listed too (§2.5.1)
    expect(text).toContain('Pola Perimbangan dan Regionalisasi Sektor Pertahanan di Shanghai Cooperation Organization');
    expect(text).toContain('oai:journal.example.org:jdp-323');
    await page.screenshot({ path: join(ARTIFACTS, 'pages-oai-listrecords.png'), fullPage: true });
    await page.getByRole('navigation', { name: 'List pages' }).getByRole('link', { name: 'Next page' }).click();
    await page.waitForURL(/resumptionToken=/);
    const second = await page.locator('main').innerText();
    expect(second).toContain('Items 11–16 of 16');
    expect(second).toContain('End of the list.');
    await page.close();
  });

  it('the seed record page shows its title, all three authors and both abstracts', async () => {
    const { page, status, text } = await open('/records/jdp-323');
    expect(status).toBe(200);
    expect(await page.title()).toContain('Pola Perimbangan dan Regionalisasi Sektor Pertahanan');
    expect(await page.locator('h1').innerText()).toBe('Pola Perimbangan dan Regionalisasi Sektor Pertahanan di Shanghai Cooperation Organization');
    expect(text).toContain('Understanding the Pattern of Balancing and Defense Regionalization in Shanghai Cooperation Organization');
    for (const author of ['Rangga Amalul Akhli', 'Nugraha Gumilar', 'Mhd Halkis']) expect(text).toContain(author);
    expect(text).toContain('Tulisan ini berusaha memahami dua hal');
    expect(text).toContain('This article aims to understand two points');
    expect(text).toContain('Program Studi Diplomasi Pertahanan, Universitas Pertahanan');
    expect(text).toContain('Aris, Stephen. 2011. Eurasion Regionalism');
    expect(await page.locator('meta[name="citation_doi"]').getAttribute('content')).toBe('10.33172/jdp.v4i2.323');
    await page.screenshot({ path: join(ARTIFACTS, 'pages-record-seed.png'), fullPage: true });

    // Readable on a phone: no sideways scrolling at 360 px.
    await page.setViewportSize({ width: 360, height: 740 });
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'pages-record-seed-phone.png'), fullPage: true });
    await page.close();
  });

  it('Arabic title and abstract are laid out right to left', async () => {
    const { page } = await open('/records/synthetic-edge-2');
    const direction = (selector: string) => page.evaluate(`getComputedStyle(document.querySelector(${JSON.stringify(selector)})).direction`);
    expect(await direction('h1')).toBe('rtl');
    expect(await direction('section[lang="ar"] p')).toBe('rtl');
    expect(await direction('section[lang="en"] p')).toBe('ltr');
    expect(await page.locator('h1').innerText()).toContain('التحقق من البيانات الوصفية');
    await page.screenshot({ path: join(ARTIFACTS, 'pages-record-arabic.png'), fullPage: true });
    await page.close();
  });

  it('an OAI error is a friendly page; a deleted record is a 410 tombstone', async () => {
    const { page, status, text } = await open('/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai%3Ajournal.example.org%3Anope');
    expect(status).toBe(404);
    expect(text).toContain('idDoesNotExist');
    expect(text).toContain('The identifier is unknown or not legal in this repository.');
    await page.screenshot({ path: join(ARTIFACTS, 'pages-oai-error.png'), fullPage: true });
    await page.close();

    const welcome = await open('/oai');
    expect(welcome.status).toBe(200);
    expect(welcome.text).toContain('OAI-PMH endpoint');
    expect(welcome.text).not.toContain('badVerb');
    await welcome.page.close();

    const gone = await open(`/records/${DELETED_ID}`);
    expect(gone.status).toBe(410);
    expect(gone.text).toContain('Record withdrawn');
    await gone.page.screenshot({ path: join(ARTIFACTS, 'pages-tombstone.png'), fullPage: true });
    await gone.page.close();
  });

  it('an operator signs in with the token and sees the failed deposit with Crossref’s message', async () => {
    const { page, status } = await open('/status');
    expect(status).toBe(401);
    await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/status$/);
    expect(page.url()).not.toContain(ADMIN_TOKEN);
    const row = page.getByRole('row').filter({ hasText: FAILED_DOI });
    expect(await row.innerText()).toContain(FAILED_MESSAGE);
    await page.getByLabel('Show deposits').selectOption('failed');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/deposits=failed/);
    expect(await page.getByRole('table', { name: 'Deposits per DOI' }).getByRole('row').count()).toBe(2);
    await page.screenshot({ path: join(ARTIFACTS, 'pages-status.png'), fullPage: true });
    await page.close();
  });

  it('no page logged a console error or a Content-Security-Policy violation', () => {
    expect(consoleErrors).toEqual([]);
  });
});
