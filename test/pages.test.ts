/**
 * The pages for people over HTTP: every page validated by html-validate (recommended preset,
 * .htmlvalidate.json), Accept negotiation on the OAI-PMH endpoint (harvesters keep the exact
 * XML), tombstones, escaping, languages and directions, and admin access.
 */
import { FileSystemConfigLoader, HtmlValidate } from 'html-validate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleOaiRequest } from '../src/oai/index.js';
import { openStore } from '../src/store/index.js';
import { createPagesHandler, escapeHtml, exportPath, jsonLdScript, parseRecordPath, prefersHtml, recordPath, textDirection, type PagesDeps } from '../src/pages/index.js';
import { renderOaiPage } from '../src/pages/oaiPage.js';
import { expectValidOaiResponse, httpRequest, type HttpResponse } from './helpers/oai.js';
import { ADMIN_TOKEN, DELETED_ID, FAILED_DOI, FAILED_MESSAGE, startPagesSite, type PagesSite } from './helpers/pages.js';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8';
const validator = new HtmlValidate(new FileSystemConfigLoader());

async function expectValidHtml(html: string, where: string): Promise<void> {
  const report = await validator.validateString(html, 'test/page.html');
  const problems = report.results.flatMap((r) => r.messages.map((m) => `${m.line}:${m.column} ${m.ruleId}: ${m.message}`));
  if (problems.length > 0) {
    const lines = html.split('\n');
    const context = report.results[0]!.messages.slice(0, 3).map((m) => `${m.line}| ${lines[m.line - 1]?.slice(0, 300)}`);
    throw new Error(`${where}: html-validate found ${problems.length} problems:\n${problems.slice(0, 20).join('\n')}\n${context.join('\n')}`);
  }
}

function browserGet(site: PagesSite, path: string, headers: Record<string, string> = {}): Promise<HttpResponse> {
  return httpRequest(`${site.origin}${path}`, { headers: { Accept: BROWSER_ACCEPT, ...headers } });
}

describe('pages for people', () => {
  let site: PagesSite;
  beforeAll(async () => {
    site = await startPagesSite({ admin: true });
  });
  afterAll(async () => {
    await site?.close();
  });

  const pages: [string, string, number][] = [
    ['home', '/', 200],
    ['search form', '/search', 200],
    ['search results', '/search?q=shanghai', 200],
    ['search without hits', '/search?q=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E', 200],
    ['seed record', '/records/jdp-323', 200],
    ['escaping record', '/records/synthetic-edge-1', 200],
    ['arabic record', '/records/synthetic-edge-2', 200],
    ['tombstone', `/records/${DELETED_ID}`, 410],
    ['unknown record', '/records/nope', 404],
    ['unknown page', '/nowhere', 404],
    ['OAI welcome', '/oai', 200],
    ['Identify', '/oai?verb=Identify', 200],
    ['ListMetadataFormats', '/oai?verb=ListMetadataFormats', 200],
    ['ListMetadataFormats for an item', '/oai?verb=ListMetadataFormats&identifier=oai%3Ajournal.example.org%3Ajdp-323', 200],
    ['ListSets', '/oai?verb=ListSets', 200],
    ['GetRecord oai_dc', '/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai%3Ajournal.example.org%3Ajdp-323', 200],
    ['GetRecord jats', '/oai?verb=GetRecord&metadataPrefix=jats&identifier=oai%3Ajournal.example.org%3Asynthetic-edge-2', 200],
    ['GetRecord deleted', `/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai%3Ajournal.example.org%3A${DELETED_ID}`, 200],
    ['ListIdentifiers', '/oai?verb=ListIdentifiers&metadataPrefix=oai_dc', 200],
    ['ListRecords', '/oai?verb=ListRecords&metadataPrefix=oai_dc', 200],
    ['ListRecords jats', '/oai?verb=ListRecords&metadataPrefix=jats', 200],
    ['badVerb', '/oai?verb=Frobnicate', 400],
    ['badArgument', '/oai?verb=ListRecords&metadataPrefix=oai_dc&from=yesterday&bogus=1', 400],
    ['badResumptionToken', '/oai?verb=ListRecords&resumptionToken=forged', 400],
    ['cannotDisseminateFormat', '/oai?verb=ListRecords&metadataPrefix=marc21', 404],
    ['idDoesNotExist', '/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai%3Ajournal.example.org%3Anope', 404],
    ['noRecordsMatch', '/oai?verb=ListRecords&metadataPrefix=oai_dc&from=2030-01-01', 200],
    ['login form', '/login', 200],
    ['status without token', '/status', 401],
  ];

  it.each(pages)('%s (%s) is valid HTML with status %i and security headers', async (name, path, status) => {
    const response = await browserGet(site, path);
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    await expectValidHtml(response.text(), `${name} ${path}`);
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toMatch(/unsafe-inline|script-src/);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.text()).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
  });

  it('the status page with the token is valid HTML too, with and without the failed filter', async () => {
    for (const path of ['/status', '/status?deposits=failed']) {
      const response = await browserGet(site, path, { Authorization: `Bearer ${ADMIN_TOKEN}` });
      expect(response.status).toBe(200);
      await expectValidHtml(response.text(), path);
    }
  });

  it('renders noSetHierarchy and noMetadataFormats (engine output over an empty store / a §3.6 example) as valid pages', async () => {
    const empty = await openStore(':memory:');
    const xml = await handleOaiRequest({ verb: ['ListSets'] }, empty.records, site.config, site.clock.now());
    expectValidOaiResponse(xml);
    const site2 = { name: 'Test', oaiPath: '/oai', adminEnabled: false };
    const noSets = renderOaiPage({ site: site2, xml, repositoryIdentifier: 'journal.example.org', formatIds: [] });
    expect(noSets.status).toBe(404);
    expect(noSets.body).toContain('noSetHierarchy');
    await expectValidHtml(noSets.body, 'noSetHierarchy');
    // noMetadataFormats cannot come from this engine (oai_dc renders every valid record), so its
    // page is checked on a response shaped like the one in OAI-PMH §4.4.
    const noFormats = xml
      .replace('<request>', '<request verb="ListMetadataFormats" identifier="oai:journal.example.org:x">')
      .replace(/<error code="noSetHierarchy">[^<]*<\/error>/, '<error code="noMetadataFormats">No metadata format can be disseminated for oai:journal.example.org:x.</error>');
    expectValidOaiResponse(noFormats);
    const page = renderOaiPage({ site: site2, xml: noFormats, repositoryIdentifier: 'journal.example.org', formatIds: [] });
    expect(page.body).toContain('There are no metadata formats available for this item.');
    await expectValidHtml(page.body, 'noMetadataFormats');
    await empty.close();
  });
});

describe('the OAI-PMH endpoint keeps serving harvesters exactly as before', () => {
  let site: PagesSite;
  beforeAll(async () => {
    site = await startPagesSite();
  });
  afterAll(async () => {
    await site?.close();
  });

  const requests = ['verb=Identify', 'verb=ListRecords&metadataPrefix=oai_dc', 'verb=GetRecord&metadataPrefix=jats&identifier=oai%3Ajournal.example.org%3Asynthetic-edge-2', 'verb=Nope', ''];
  const xmlAccepts: [string, Record<string, string>][] = [
    ['no Accept header', {}],
    ['Accept: */*', { Accept: '*/*' }],
    ['Accept: text/xml', { Accept: 'text/xml' }],
    ['Accept: application/xml', { Accept: 'application/xml' }],
    ['Accept: text/*', { Accept: 'text/*' }],
    ['HTML weighted below XML', { Accept: 'text/html;q=0.5, application/xml' }],
    ['HTML and XML weighted equally', { Accept: 'text/html, text/xml' }],
  ];

  it.each(xmlAccepts)('%s gets the engine XML byte for byte', async (_name, headers) => {
    for (const query of requests) {
      const response = await httpRequest(`${site.origin}/oai${query ? `?${query}` : ''}`, { headers });
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('text/xml; charset=utf-8');
      const args: Record<string, string[]> = {};
      for (const [k, v] of new URLSearchParams(query)) (args[k] ??= []).push(v);
      expect(response.body.equals(Buffer.from(await site.engineXml(args), 'utf8'))).toBe(true);
      expect(String(response.headers.vary)).toMatch(/(^|, )Accept(,|$)/);
    }
  });

  it('a browser Accept gets HTML from the same response, varying on Accept', async () => {
    const response = await browserGet(site, '/oai?verb=ListRecords&metadataPrefix=oai_dc');
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(String(response.headers.vary)).toContain('Accept');
    expect(response.text()).toContain('Items 1–10 of');
    expect(response.text()).toContain('Next page');
  });

  it('POST, gzip and the stylesheet still go to the OAI handler', async () => {
    const post = await httpRequest(`${site.origin}/oai`, {
      method: 'POST',
      headers: { Accept: BROWSER_ACCEPT, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'verb=Identify',
    });
    expect(post.headers['content-type']).toBe('text/xml; charset=utf-8');
    expect(post.text()).toBe(await site.engineXml({ verb: ['Identify'] }));
    const gz = await httpRequest(`${site.origin}/oai?verb=Identify`, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    const xsl = await httpRequest(`${site.origin}/oai/oai2.xsl`, { headers: { Accept: BROWSER_ACCEPT } });
    expect(xsl.headers['content-type']).toBe('text/xsl; charset=utf-8');
  });

  it('prefersHtml follows q-values (RFC 9110 §12.5.1)', () => {
    expect(prefersHtml(undefined)).toBe(false);
    expect(prefersHtml('')).toBe(false);
    expect(prefersHtml('*/*')).toBe(false);
    expect(prefersHtml('text/xml')).toBe(false);
    expect(prefersHtml('text/html')).toBe(true);
    expect(prefersHtml(BROWSER_ACCEPT)).toBe(true);
    expect(prefersHtml('text/html;q=0.9, text/xml')).toBe(false);
    expect(prefersHtml('text/html, text/*;q=0.1')).toBe(true);
    expect(prefersHtml('text/html;q=0, */*')).toBe(false);
    expect(prefersHtml('application/xml;q=0.2, text/html;q=0.3')).toBe(true);
  });

  it('HEAD gives the headers of GET without a body; other methods get 405 with Allow', async () => {
    const get = await browserGet(site, '/records/jdp-323');
    const head = await httpRequest(`${site.origin}/records/jdp-323`, { method: 'HEAD', headers: { Accept: BROWSER_ACCEPT } });
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(head.headers['content-length']).toBe(get.headers['content-length']);
    const post = await httpRequest(`${site.origin}/records/jdp-323`, { method: 'POST', headers: { Accept: BROWSER_ACCEPT } });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    await expectValidHtml(post.text(), 'POST /records/jdp-323');
  });

  it('refuses an OAI path the pages need and a short admin token', () => {
    const repository = { name: 'R', adminEmails: ['a@b.org'], oaiBaseUrl: 'http://x.org/', repositoryIdentifier: 'x.org', oaiFormats: [] };
    const deps = {} as PagesDeps;
    const oaiHandler = () => {};
    expect(() => createPagesHandler(deps, { repository, oaiHandler })).toThrow(/path \/ is taken by the pages/);
    expect(() => createPagesHandler(deps, { repository: { ...repository, oaiBaseUrl: 'http://x.org/records/oai' }, oaiHandler })).toThrow(/taken/);
    expect(() => createPagesHandler(deps, { repository: { ...repository, oaiBaseUrl: 'http://x.org/oai' }, oaiHandler, admin: { token: 'short' } })).toThrow(/at least 16 characters/);
  });

  it('/status does not exist unless admin pages are enabled', async () => {
    expect((await browserGet(site, '/status', { Authorization: `Bearer ${ADMIN_TOKEN}` })).status).toBe(404);
    expect((await browserGet(site, '/login')).status).toBe(404);
  });
});

describe('record pages', () => {
  let site: PagesSite;
  beforeAll(async () => {
    site = await startPagesSite();
  });
  afterAll(async () => {
    await site?.close();
  });

  it('the seed page shows every title, author, abstract and the reference list, with lang tags', async () => {
    const page = (await browserGet(site, '/records/jdp-323')).text();
    expect(page).toContain('<h1 lang="id" dir="ltr">Pola Perimbangan dan Regionalisasi Sektor Pertahanan di Shanghai Cooperation Organization</h1>');
    expect(page).toContain('lang="en" dir="ltr">Understanding the Pattern of Balancing and Defense Regionalization in Shanghai Cooperation Organization</p>');
    for (const name of ['Rangga Amalul Akhli', 'Nugraha Gumilar', 'Mhd Halkis']) expect(page).toContain(`<bdi class="name">${name}</bdi>`);
    expect(page).toMatch(/<section lang="id" dir="ltr"[^>]*>\s*<h3[^>]*>Indonesian<\/h3>\s*<p>Tulisan ini berusaha memahami/);
    expect(page).toMatch(/<section lang="en" dir="ltr"[^>]*>\s*<h3[^>]*>English<\/h3>\s*<p>This article aims to understand/);
    expect(page.match(/<ol class="references">([\s\S]*?)<\/ol>/)![1]!.match(/<li>/g)).toHaveLength(19);
    expect(page).toContain('<a rel="license" href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a>');
    expect(page).toContain('<a href="https://doi.org/10.33172/jdp.v4i2.323">');
    expect(page).toContain('<dt>Volume</dt><dd>4</dd>');
    expect(page).toContain('<dt>Issue</dt><dd>2</dd>');
  });

  it('the head carries the registry’s citation meta tags and JSON-LD, and a canonical link', async () => {
    const page = (await browserGet(site, '/records/jdp-323')).text();
    const head = page.slice(0, page.indexOf('</head>'));
    expect(head).toContain('<meta name="citation_title" content="Pola Perimbangan dan Regionalisasi Sektor Pertahanan di Shanghai Cooperation Organization">');
    expect(head.match(/<meta name="citation_author"/g)).toHaveLength(3);
    expect(head).toContain('<meta name="citation_doi" content="10.33172/jdp.v4i2.323">');
    expect(head).toContain(`<link rel="canonical" href="${site.origin}/records/jdp-323">`);
    const jsonLd = JSON.parse(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(head)![1]!);
    expect(jsonLd['@type']).toBe('ScholarlyArticle');
    expect(jsonLd['@id']).toBe('https://doi.org/10.33172/jdp.v4i2.323');
    expect(jsonLd.identifier).toContainEqual({ '@type': 'PropertyValue', propertyID: 'DOI', value: '10.33172/jdp.v4i2.323' });
  });

  it('the Arabic record is tagged ar and laid out right to left; ORCID, ROR, funding, dates by medium', async () => {
    const page = (await browserGet(site, '/records/synthetic-edge-2')).text();
    expect(page).toContain('<h1 lang="ar" dir="rtl">');
    expect(page).toMatch(/<section lang="ar" dir="rtl"[^>]*>\s*<h3 id="abstract-0" lang="en" dir="ltr">Arabic<\/h3>\s*<p>تدرس هذه المقالة/);
    expect(page).toContain('<p class="alt-title" lang="fr" dir="ltr">Valider les métadonnées : « guillemets » &amp; &lt;balises&gt;</p>');
    expect(page).toContain('<ul class="keywords" lang="ar" dir="rtl">');
    expect(page).toContain('<a href="https://orcid.org/0000-0002-1694-233X">https://orcid.org/0000-0002-1694-233X</a>');
    expect(page).toContain('(<a href="https://ror.org/03yrm5c26">ROR 03yrm5c26</a>)');
    expect(page).toContain('<span lang="en" dir="ltr">(Fatima Al-Zahra)</span>');
    expect(page).toContain('European Research Council');
    expect(page).toContain('<dt>Published online</dt><dd><time datetime="2023-02-28">2023-02-28</time></dd>');
    expect(page).toContain('<dt>Received</dt><dd><time datetime="2022-11">2022-11</time></dd>');
    expect(page).toContain('<a href="https://doi.org/10.5555/ar.2001.10">');
  });

  it('escapes every record value and the echoed search query', async () => {
    const page = (await browserGet(site, '/records/synthetic-edge-1')).text();
    expect(page).toContain('Salt &amp; Pepper: When &lt;b&gt; Isn&#39;t Bold, &quot;Quoted&quot;');
    expect(page).not.toContain('<b> Isn');
    const search = (await browserGet(site, '/search?q=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E')).text();
    expect(search).not.toContain('<script>alert(1)');
    expect(search).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
  });

  it('links to each export format and to GetRecord, and the links resolve', async () => {
    const page = (await browserGet(site, '/records/synthetic-edge-2')).text();
    for (const format of ['oai_dc', 'jats']) {
      expect(page).toContain(`href="/records/synthetic-edge-2.${format}"`);
      const exported = await httpRequest(`${site.origin}/records/synthetic-edge-2.${format}`);
      expect(exported.status).toBe(200);
      expect(exported.headers['content-type']).toBe('application/xml; charset=utf-8');
      expect(exported.headers['content-disposition']).toBe(`inline; filename="synthetic-edge-2.xml"`);
      expect(exported.headers['content-security-policy']).toContain('sandbox');
    }
    const getRecord = /href="(\/oai\?verb=GetRecord&amp;metadataPrefix=oai_dc&amp;identifier=[^"]+)"/.exec(page)![1]!.replace(/&amp;/g, '&');
    const xml = await httpRequest(`${site.origin}${getRecord}`);
    expectValidOaiResponse(xml.text());
    expect(xml.text()).toContain('<identifier>oai:journal.example.org:synthetic-edge-2</identifier>');
  });

  it('a deleted record answers 410 with a tombstone, its exports too', async () => {
    const page = await browserGet(site, `/records/${DELETED_ID}`);
    expect(page.status).toBe(410);
    expect(page.text()).toContain('Record withdrawn');
    expect(page.text()).toContain('<meta name="robots" content="noindex">');
    expect((await httpRequest(`${site.origin}/records/${DELETED_ID}.oai_dc`)).status).toBe(410);
  });

  it('escapeHtml escapes markup and quotes and replaces characters HTML may not carry', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
    expect(escapeHtml('a\u0000b\u0001c\u0085d\uFFFEe\uD800f\tg\nh')).toBe('a\uFFFDb\uFFFDc\uFFFDd\uFFFDe\uFFFDf\tg\nh');
    expect(escapeHtml('😀 \uD83D\uDE00')).toBe('😀 😀');
  });

  it('jsonLdScript keeps a value holding </script> inside the data block, and the JSON the same', () => {
    const data = { name: '</script><script>alert(1)</script> <!-- \u2028' };
    const block = jsonLdScript(JSON.stringify(data)).toString();
    expect(block.indexOf('</script>')).toBe(block.length - '</script>'.length);
    expect(block).not.toContain('<!--');
    expect(JSON.parse(/^<script type="application\/ld\+json">([\s\S]*)<\/script>$/.exec(block)![1]!)).toEqual(data);
  });

  it('textDirection takes the script from the tag or the language', () => {
    expect(['ar', 'he', 'fa', 'ur', 'yi', 'dv', 'az-Arab', 'ks-Arab'].map(textDirection)).toEqual(Array(8).fill('rtl'));
    expect(['en', 'id', 'ru', 'zh-Hans', 'ja', 'az-Latn', 'ku'].map(textDirection)).toEqual(Array(7).fill('ltr'));
    expect(textDirection('not a tag!')).toBe('auto');
  });

  it('record URLs round-trip local ids with slashes, dots and names that end like a format', () => {
    const formats = ['oai_dc', 'jats'];
    for (const id of ['10.33172/jdp.v4i2.323', 'a.jats', 'ümlaut id', 'x%y', '.hidden']) {
      expect(parseRecordPath(recordPath(id, formats), formats)).toEqual({ localId: id });
      expect(parseRecordPath(exportPath(id, 'jats', formats), formats)).toEqual({ localId: id, formatId: 'jats' });
    }
    expect(recordPath('10.33172/jdp.v4i2.323', formats)).toBe('/records/10.33172%2Fjdp.v4i2.323');
    expect(parseRecordPath('/records/%E0%A4', formats)).toBeUndefined();
  });
});

describe('operators’ pages', () => {
  let site: PagesSite;
  beforeAll(async () => {
    site = await startPagesSite({ admin: true });
  });
  afterAll(async () => {
    await site?.close();
  });

  it('answer 401 with a login form without the token, also for a wrong token or a forged cookie', async () => {
    const attempts: Record<string, string>[] = [{}, { Authorization: 'Bearer wrong-token-0123456789' }, { Authorization: `Basic ${ADMIN_TOKEN}` }, { Cookie: 'pubmeta_admin=9999999999.forged' }];
    for (const headers of attempts) {
      const response = await browserGet(site, '/status', headers);
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="pubmeta admin"');
      expect(response.text()).toContain('<form class="inline" action="/login" method="post">');
      expect(response.text()).not.toContain(FAILED_DOI);
    }
    expect(site.statusCalls).toHaveLength(0);
  });

  it('show harvest sources, the failed DOI with Crossref’s message, and job runs to the bearer token', async () => {
    const response = await browserGet(site, '/status', { Authorization: `Bearer ${ADMIN_TOKEN}` });
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const row = new RegExp(`<tr>\\s*<th scope="row"><span dir="ltr">${FAILED_DOI.replace(/\./g, '\\.')}</span></th>[\\s\\S]*?</tr>`).exec(response.text())![0];
    expect(row).toContain('<td class="state-failed">failed</td>');
    expect(row).toContain(FAILED_MESSAGE);
    expect(row).toContain('batch-0001');
    expect(response.text()).toContain('badResumptionToken: The token has expired');
    expect(response.text()).toContain('<time datetime="2024-03-01T12:00:00Z">');
    expect(response.text()).toContain('<caption>Recent job runs</caption>');

    const failedOnly = (await browserGet(site, '/status?deposits=failed', { Authorization: `Bearer ${ADMIN_TOKEN}` })).text();
    expect(site.statusCalls.at(-1)).toEqual({ limit: 200, depositState: 'failed' });
    expect(failedOnly).toContain(FAILED_DOI);
    expect(failedOnly).not.toContain('>10.33172/jdp.v4i2.323<');
  });

  it('the login form sets an HttpOnly SameSite=Strict cookie that holds no token and expires', async () => {
    const wrong = await httpRequest(`${site.origin}/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'token=not-the-token',
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();

    const login = await httpRequest(`${site.origin}/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: ADMIN_TOKEN }).toString(),
    });
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe('/status');
    const setCookie = login.headers['set-cookie']![0]!;
    expect(setCookie).toMatch(/^pubmeta_admin=\d+\.[A-Za-z0-9_-]+; Path=\/; Max-Age=43200; HttpOnly; SameSite=Strict$/);
    expect(setCookie).not.toContain(ADMIN_TOKEN);
    const cookie = setCookie.split(';')[0]!;

    const withCookie = await browserGet(site, '/status', { Cookie: `other=1; ${cookie}` });
    expect(withCookie.status).toBe(200);
    expect(withCookie.text()).toContain(FAILED_MESSAGE);

    const tampered = cookie.replace(/=(\d+)\./, (_m, n: string) => `=${Number(n) + 1}.`);
    expect((await browserGet(site, '/status', { Cookie: tampered })).status).toBe(401);

    site.clock.advance(12 * 3600 + 1);
    expect((await browserGet(site, '/status', { Cookie: cookie })).status).toBe(401);

    const logout = await httpRequest(`${site.origin}/logout`, { method: 'POST' });
    expect(logout.status).toBe(303);
    expect(logout.headers['set-cookie']![0]).toContain('Max-Age=0');
  });

  it('never writes the token into a log line', () => {
    expect(site.logLines.length).toBeGreaterThan(0);
    expect(JSON.stringify(site.logLines)).not.toContain(ADMIN_TOKEN);
  });
});
