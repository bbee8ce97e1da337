import { describe, expect, it } from 'vitest';
import { buildRequestUrl } from '../src/oai-pmh/index.js';
import { parseRetryAfter } from '../src/http/retryAfter.js';
import { HarvestError } from '../src/harvest/errors.js';
import { decodeXmlBytes, emptyRepair } from '../src/harvest/sanitize.js';
import { OaiResponseSplitter, type ScannedItem, type SplitterLimits } from '../src/harvest/scanner.js';
import { isUnreadable, namespaceDeclarations, parseEnvelope, readRecordItem, withInheritedNamespaces } from '../src/harvest/xml.js';

const OAI_ROOT =
  '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ' +
  'xmlns:dc="http://purl.org/dc/elements/1.1/">';

function dcRecord(id: string, title: string): string {
  return (
    `<record><header><identifier>${id}</identifier><datestamp>2024-01-02T03:04:05Z</datestamp><setSpec>a</setSpec><setSpec>a:b</setSpec></header>` +
    `<metadata><oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"><dc:title>${title}</dc:title></oai_dc:dc></metadata></record>`
  );
}

function listRecords(records: string[], token = '<resumptionToken cursor="0" completeListSize="9">tok&amp;1</resumptionToken>'): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${OAI_ROOT}<responseDate>2024-05-06T07:08:09Z</responseDate><request verb="ListRecords" metadataPrefix="oai_dc">http://x/oai</request><ListRecords>\n${records.join('\n')}\n${token}</ListRecords></OAI-PMH>\n`;
}

/** Feeds `doc` in chunks of `size` bytes; returns the items and the finished splitter result. */
function split(doc: string | Buffer, size: number, itemName = 'record', limits: SplitterLimits = {}) {
  const bytes = typeof doc === 'string' ? Buffer.from(doc) : doc;
  const splitter = new OaiResponseSplitter(itemName, limits);
  const items: ScannedItem[] = [];
  for (let i = 0; i < bytes.length; i += size) items.push(...splitter.feed(bytes.subarray(i, i + size)));
  return { items, result: splitter.end(), splitter };
}

const context = (splitter: OaiResponseSplitter) => ({ declaredEncoding: splitter.encoding, namespaces: namespaceDeclarations(splitter.rootTag) });

describe('streaming splitter (OAI-PMH 2.0 §3.5: a page is a list of complete records)', () => {
  const records = [dcRecord('oai:x:1', 'One'), dcRecord('oai:x:2', 'Two &amp; <![CDATA[</record> is text here]]>'), dcRecord('oai:x:3', 'Three <!-- <record> in a comment -->')];
  const doc = listRecords(records);

  it.each([1, 2, 7, 64, 1000, 1_000_000])('cuts the same records at chunk size %i', (size) => {
    const { items, result } = split(doc, size);
    // Each item is exactly the bytes of one <record> element of the document.
    expect(items.map((i) => i.bytes.toString())).toEqual(records);
    expect(items.every((i) => i.malformed === undefined)).toBe(true);
    const envelope = parseEnvelope(result);
    expect(envelope.responseDate).toBe('2024-05-06T07:08:09Z');
    expect(envelope.resumptionToken).toEqual({ value: 'tok&1', cursor: 0, completeListSize: 9 });
    expect(envelope.request?.arguments).toEqual({ verb: 'ListRecords', metadataPrefix: 'oai_dc' });
    // The envelope never holds the records: memory per page is the envelope plus one record.
    expect(result.envelope.toString()).not.toContain('<record>');
  });

  it('finds header, metadata and about children with byte offsets that survive multi-byte text', () => {
    const record = dcRecord('oai:x:ü', 'Ünïcödé 中文 👩‍🔬').replace('</metadata>', '</metadata><about><provenance>p</provenance></about>');
    const { items, splitter } = split(listRecords([record]), 3);
    const read = readRecordItem(items[0]!, context(splitter));
    if (isUnreadable(read)) throw new Error(read.problem);
    expect(read.header).toEqual({ identifier: 'oai:x:ü', datestamp: '2024-01-02T03:04:05Z', setSpecs: ['a', 'a:b'], deleted: false });
    expect(read.metadataXml).toContain('<dc:title>Ünïcödé 中文 👩‍🔬</dc:title>');
    expect(read.aboutXml).toEqual(['<provenance>p</provenance>']);
  });

  it('gives the metadata element the namespace declarations it inherits from the OAI-PMH root', () => {
    const { items, splitter } = split(listRecords([dcRecord('oai:x:1', 'One')]), 5);
    const read = readRecordItem(items[0]!, context(splitter));
    if (isUnreadable(read)) throw new Error(read.problem);
    // dc: is declared only on <OAI-PMH>; the standalone metadata must still be namespace-well-formed.
    expect(read.metadataXml).toMatch(/^<oai_dc:dc [^>]*xmlns:dc="http:\/\/purl.org\/dc\/elements\/1.1\/"/);
    expect(read.metadataXml).not.toContain('xmlns="http://www.openarchives.org/OAI/2.0/"');
    expect(withInheritedNamespaces('<a:x xmlns:a="u"/>', { a: 'other' })).toBe('<a:x xmlns:a="u"/>');
  });

  it('reads a deleted record (status="deleted", no metadata, §2.5.1)', () => {
    const deleted = '<record><header status="deleted"><identifier>oai:x:9</identifier><datestamp>2024-01-01</datestamp></header></record>';
    const { items, splitter } = split(listRecords([deleted]), 4);
    const read = readRecordItem(items[0]!, context(splitter));
    if (isUnreadable(read)) throw new Error(read.problem);
    expect(read.header.deleted).toBe(true);
    expect(read.metadataXml).toBeUndefined();
  });

  it('isolates a malformed record: it is flagged with a line:column reason and the next records are intact', () => {
    const broken = dcRecord('oai:x:2', 'Two').replace('</dc:title>', '</dc:titel>');
    const bareLt = dcRecord('oai:x:3', 'a < b');
    const { items, splitter } = split(listRecords([dcRecord('oai:x:1', 'One'), broken, bareLt, dcRecord('oai:x:4', 'Four')]), 16);
    expect(items).toHaveLength(4);
    expect(items[1]!.malformed).toMatch(/end tag <\/dc:titel> does not match <dc:title> \(line \d+, column \d+/);
    expect(items[2]!.malformed).toMatch(/unescaped '<'/);
    const results = items.map((item) => readRecordItem(item, context(splitter)));
    expect(results.map((r) => (isUnreadable(r) ? `quarantine ${r.identifier}` : r.header.identifier))).toEqual([
      'oai:x:1',
      'quarantine oai:x:2',
      'quarantine oai:x:3',
      'oai:x:4',
    ]);
  });

  it.each([
    ['<dc:title xml:lang="en" xml:lang="fr">', /attribute xml:lang is repeated/],
    ['<dc:title xml:lang=en>', /the value of attribute xml:lang is not quoted/],
    ['<dc:title a="x<y">', /'<' in an attribute value/],
    ['<dc:title a="1"b="2">', /attributes must be separated by white space/],
    ['<dc:title a>', /attribute a has no value/],
    ['<dc:title =x>', /malformed attribute name/],
  ])('a record whose metadata has %s is not well-formed (XML 1.0 §3.1) and is quarantined by identifier', (startTag, reason) => {
    const bad = dcRecord('oai:x:bad', 'Bad').replace('<dc:title>', startTag);
    const good = dcRecord('oai:x:good', 'Good').replace('<dc:title>', '<dc:title xml:lang="en" a=\'1\' b = "2" >');
    for (const size of [3, 1000]) {
      const { items, splitter } = split(listRecords([bad, good]), size);
      expect(items[0]!.malformed).toMatch(reason);
      expect(items[1]!.malformed).toBeUndefined();
      expect(readRecordItem(items[0]!, context(splitter))).toMatchObject({ identifier: 'oai:x:bad', problem: expect.stringMatching(/^the record is not well-formed XML: /) });
      expect(readRecordItem(items[1]!, context(splitter))).toMatchObject({ header: { identifier: 'oai:x:good' } });
    }
  });

  it('reads headers with references, prefixes, comments and CDATA the way an XML parser does (§2.5)', () => {
    const meta = '<metadata><oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"><dc:title>T</dc:title></oai_dc:dc></metadata>';
    const records = [
      `<record><header><identifier> oai:x:a&amp;b&#x2F;&#47;c </identifier><datestamp>2024-01-02</datestamp><setSpec>s&lt;1</setSpec><setSpec/><setSpec>s&lt;1</setSpec></header>${meta}</record>`,
      `<record><oai:header xmlns:oai="http://www.openarchives.org/OAI/2.0/" status='deleted'><oai:identifier>oai:x:p</oai:identifier><oai:datestamp>2024-01-03</oai:datestamp></oai:header></record>`,
      `<record><header><!-- moved --><identifier><![CDATA[oai:x:<c>]]></identifier><datestamp>2024-01-04</datestamp></header>${meta}</record>`,
      `<record><header><datestamp>2024-01-05</datestamp></header>${meta}</record>`,
    ];
    const { items, splitter } = split(listRecords(records), 7);
    const read = items.map((item) => readRecordItem(item, context(splitter)));
    expect(read.map((r) => (isUnreadable(r) ? r.problem : r.header))).toEqual([
      { identifier: 'oai:x:a&b//c', datestamp: '2024-01-02', setSpecs: ['s<1'], deleted: false },
      { identifier: 'oai:x:p', datestamp: '2024-01-03', setSpecs: [], deleted: true },
      { identifier: 'oai:x:<c>', datestamp: '2024-01-04', setSpecs: [], deleted: false },
      'the header has no <identifier>',
    ]);
  });

  it('reports a truncated document by name, at every cut point', () => {
    const bytes = Buffer.from(doc);
    for (let cut = 1; cut < bytes.length; cut += 37) {
      const attempt = () => split(bytes.subarray(0, cut), 50);
      expect(attempt, `cut at ${cut}`).toThrow(HarvestError);
      try {
        attempt();
      } catch (error) {
        expect(['truncatedDocument', 'emptyBody', 'notOaiPmh']).toContain((error as HarvestError).code);
        if (cut > 60) expect((error as HarvestError).code).toBe('truncatedDocument');
      }
    }
  });

  it.each([
    ['<!DOCTYPE html>\n<html><body><h1>502 Bad Gateway</h1></body></html>', 'htmlBody'],
    ['<html><head><title>Error</title></head><body>oops</body></html>', 'htmlBody'],
    ['', 'emptyBody'],
    ['  \r\n\t ', 'emptyBody'],
    ['Service temporarily unavailable', 'notOaiPmh'],
    ['<?xml version="1.0"?><rss version="2.0"><channel/></rss>', 'notOaiPmh'],
    [`${OAI_ROOT}<responseDate>2024-01-01T00:00:00Z</responseDate></oops></OAI-PMH>`, 'malformedXml'],
  ])('recognises %j as %s', (body, code) => {
    expect(() => split(body, 8)).toThrow(expect.objectContaining({ code }));
  });

  it('parses OAI-PMH errors (§3.6) from the envelope', () => {
    const body = `${OAI_ROOT}<responseDate>2024-01-01T00:00:00Z</responseDate><request>http://x/oai</request><error code="badArgument">bad from</error><error code="badResumptionToken"/></OAI-PMH>`;
    const envelope = parseEnvelope(split(body, 9).result);
    expect(envelope.errors).toEqual([
      { code: 'badArgument', message: 'bad from' },
      { code: 'badResumptionToken', message: '' },
    ]);
  });

  it('never expands entities a response declares (no billion laughs, no XXE)', () => {
    const laughs = Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join('');
    const body =
      `<?xml version="1.0"?>\n<!DOCTYPE OAI-PMH [<!ENTITY lol0 "lol">${laughs}<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n` +
      listRecords([dcRecord('oai:x:1', '&lol9;&xxe;')], '<resumptionToken>&lol9;</resumptionToken>').replace(/^<\?xml[^>]*>\n/, '');
    const { items, result, splitter } = split(body, 100);
    expect(result.envelope.toString()).not.toContain('ENTITY');
    const envelope = parseEnvelope(result);
    expect(envelope.resumptionToken?.value).toBe('&lol9;');
    const read = readRecordItem(items[0]!, context(splitter));
    if (isUnreadable(read)) throw new Error(read.problem);
    expect(read.metadataXml).toContain('&lol9;&xxe;');
    expect(read.metadataXml).not.toContain('root:');
  });

  it('cuts <header> items for ListIdentifiers and <set> items for ListSets', () => {
    const headers = `${OAI_ROOT}<responseDate>2024-01-01T00:00:00Z</responseDate><request/><ListIdentifiers><header><identifier>a</identifier><datestamp>2024-01-01</datestamp></header><header status="deleted"><identifier>b</identifier><datestamp>2024-01-02</datestamp></header><resumptionToken/></ListIdentifiers></OAI-PMH>`;
    const { items, splitter, result } = split(headers, 11, 'header');
    expect(items.map((i) => readRecordItem(i, context(splitter))).map((r) => (isUnreadable(r) ? r.problem : `${r.header.identifier}:${r.header.deleted}`))).toEqual(['a:false', 'b:true']);
    expect(parseEnvelope(result).resumptionToken).toEqual({ value: '' });
  });
});

describe('repairing bytes before parsing', () => {
  it('decodes invalid UTF-8 bytes as windows-1252 and removes characters XML 1.0 forbids (§2.2)', () => {
    const repair = emptyRepair();
    const bytes = Buffer.concat([Buffer.from('caf'), Buffer.from([0xe9]), Buffer.from(' \u0006x\u0000y '), Buffer.from([0x80]), Buffer.from(' ok ✓')]);
    expect(decodeXmlBytes(bytes, repair)).toBe('café xy € ok ✓');
    expect(repair).toEqual({ invalidUtf8: 2, removedChars: 2, escapedAmpersands: 0 });
  });

  it('removes character references to forbidden characters but keeps legal ones', () => {
    const repair = emptyRepair();
    expect(decodeXmlBytes(Buffer.from('a&#6;b&#x1F;c&#233;d&#x1F600;e&#xFFFE;'), repair)).toBe('abc&#233;d&#x1F600;e');
    expect(repair.removedChars).toBe(3);
  });

  it('escapes bare ampersands outside CDATA sections', () => {
    const repair = emptyRepair();
    expect(decodeXmlBytes(Buffer.from('AT&T &amp; &#38; &x; <![CDATA[a & b]]> R&D'), repair)).toBe('AT&amp;T &amp; &#38; &x; <![CDATA[a & b]]> R&amp;D');
    expect(repair.escapedAmpersands).toBe(2);
  });

  it('keeps valid UTF-8 untouched (surrogate pairs included)', () => {
    const repair = emptyRepair();
    const text = 'Ünïcödé 中文 👩‍🔬 \t\n';
    expect(decodeXmlBytes(Buffer.from(text), repair)).toBe(text);
    expect(repair).toEqual(emptyRepair());
  });
});

describe('dates and request URLs', () => {
  it('reads Retry-After as delay-seconds or an HTTP-date (RFC 9110 §10.2.3)', () => {
    const now = new Date('2024-05-06T07:08:09Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Mon, 06 May 2024 07:10:09 GMT', now)).toBe(120_000);
    expect(parseRetryAfter('Monday, 06-May-24 07:08:19 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Mon, 06 May 2024 07:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('percent-encodes every special character of a resumptionToken (§3.1.1.3, guidelines §6.1)', () => {
    const token = 'a/b+c=d&e%f g?h#i:j';
    const url = buildRequestUrl('http://127.0.0.1:1/oai', { verb: 'ListRecords', resumptionToken: token });
    const query = url.slice(url.indexOf('?') + 1);
    expect(query.split('&')).toHaveLength(2);
    expect(query).not.toMatch(/[+ #?/]/);
    expect(new URL(url).searchParams.get('resumptionToken')).toBe(token);
    expect(buildRequestUrl('http://h/index.php?page=oai', { verb: 'Identify' })).toBe('http://h/index.php?page=oai&verb=Identify');
  });
});

describe('size limits, counted on the decompressed bytes', () => {
  const big = dcRecord('oai:x:big', 'x'.repeat(5_000));
  const doc = listRecords([dcRecord('oai:x:1', 'One'), big, dcRecord('oai:x:3', 'Three')]);

  it.each([1, 7, 1000, 1_000_000])('a record over maxRecordBytes is handed out as its header with the reason; the others pass (chunk %i)', (size) => {
    const { items, result, splitter } = split(doc, size, 'record', { maxRecordBytes: 2_000 });
    expect(items).toHaveLength(3);
    expect(items.map((i) => i.abandoned)).toEqual([undefined, 'the record is larger than the 2000-byte record size limit', undefined]);
    // Only the beginning is kept: through the header, not the 5,000-byte title.
    expect(items[1]!.bytes.length).toBeLessThan(2_000);
    expect(items[1]!.bytes.toString()).toMatch(/^<record><header>.*<\/header>$/);
    const read = readRecordItem(items[1]!, context(splitter));
    expect(read).toMatchObject({ problem: 'the record is larger than the 2000-byte record size limit', identifier: 'oai:x:big', datestamp: '2024-01-02T03:04:05Z' });
    expect(isUnreadable(readRecordItem(items[2]!, context(splitter)))).toBe(false);
    expect(parseEnvelope(result).resumptionToken?.value).toBe('tok&1');
  });

  it('a record that never closes is abandoned; its bytes are scanned, not kept, until the list ends', () => {
    const unclosed = `${OAI_ROOT}<responseDate>2024-05-06T07:08:09Z</responseDate><ListRecords>${dcRecord('oai:x:1', 'One')}<record><header><identifier>oai:x:endless</identifier><datestamp>2024-01-02</datestamp></header><metadata><dc:title>`;
    const splitter = new OaiResponseSplitter('record', { maxRecordBytes: 10_000, maxResponseBytes: 50_000 });
    const items = [...splitter.feed(Buffer.from(unclosed))];
    const filler = Buffer.from('endless text <b>with</b> markup, '.repeat(3_000));
    // 100 x 105 kB: far beyond both limits, yet nothing beyond the header is kept.
    for (let i = 0; i < 100; i++) items.push(...splitter.feed(filler));
    items.push(...splitter.feed(Buffer.from('</ListRecords></OAI-PMH>')));
    const result = splitter.end();
    expect(items.map((i) => i.abandoned)).toEqual([undefined, 'the record is larger than the 10000-byte record size limit']);
    expect(readRecordItem(items[1]!, context(splitter))).toMatchObject({ identifier: 'oai:x:endless' });
    expect(result.envelope.length).toBeLessThan(1_000);
  });

  it('an endless stream inside an abandoned record ends at maxAbandonedBytes', () => {
    const splitter = new OaiResponseSplitter('record', { maxRecordBytes: 1_000, maxAbandonedBytes: 100_000 });
    splitter.feed(Buffer.from(`${OAI_ROOT}<ListRecords><record><header><identifier>oai:x:e</identifier></header><metadata>`));
    const filler = Buffer.alloc(10_000, 0x20);
    expect(() => {
      for (let i = 0; i < 100; i++) splitter.feed(filler);
    }).toThrow(expect.objectContaining({ code: 'responseTooLarge', message: expect.stringMatching(/more than 97.65625 KiB|more than 100000-byte/) }));
  });

  it('markup that never ends inside an abandoned record is skipped, not buffered (an unclosed CDATA section)', () => {
    const splitter = new OaiResponseSplitter('record', { maxRecordBytes: 1_000 });
    const items = [...splitter.feed(Buffer.from(`${OAI_ROOT}<ListRecords><record><header><identifier>oai:x:c</identifier></header><metadata><![CDATA[`))];
    const filler = Buffer.alloc(100_000, 0x41);
    for (let i = 0; i < 50; i++) items.push(...splitter.feed(filler));
    expect(items.map((i) => i.abandoned)).toEqual(['the record is larger than the 1000-byte record size limit']);
    // The window holds at most one chunk plus a little: 5 MB went through.
    expect((splitter as unknown as { buf: Buffer }).buf.length).toBeLessThan(200_000);
  });

  it('a record nesting elements deeper than 256 is abandoned (the stack stays bounded)', () => {
    const deep = `<record><header><identifier>oai:x:deep</identifier><datestamp>2024-01-02</datestamp></header><metadata>${'<a>'.repeat(300)}${'</a>'.repeat(300)}</metadata></record>`;
    const { items, splitter } = split(listRecords([deep, dcRecord('oai:x:after', 'After')]), 64);
    expect(items.map((i) => i.abandoned)).toEqual(['the record nests elements more than 256 deep', undefined]);
    expect(readRecordItem(items[0]!, context(splitter))).toMatchObject({ identifier: 'oai:x:deep' });
    expect(readRecordItem(items[1]!, context(splitter))).toMatchObject({ header: { identifier: 'oai:x:after' } });
  });

  it('the bytes kept for one response stop at maxResponseBytes', () => {
    const many = listRecords(Array.from({ length: 50 }, (_, i) => dcRecord(`oai:x:${i}`, 'a title of some length')));
    expect(() => split(many, 1000, 'record', { maxResponseBytes: 5_000 })).toThrow(expect.objectContaining({ code: 'responseTooLarge' }));
    expect(split(many, 1000, 'record', { maxResponseBytes: 50_000 }).items).toHaveLength(50);
  });
});
