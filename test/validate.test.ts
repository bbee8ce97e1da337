import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectSchema } from '../src/formats/index.js';
import {
  formatXmlErrors,
  releaseCompiledSchemas,
  validateXml,
  xsdCompileCount,
  XsdCompileError,
} from '../src/validate/index.js';
import { OFFICIAL_SCHEMA_DIR, defineVirtualSchema, externalLoadLog } from '../src/validate/resolver.js';
import { compileXsdDocument } from '../src/validate/schemas.js';
import {
  JATS_OAI_NS,
  SHARED_TESTDATA,
  getRecordResponse,
  jatsArticle,
  oaiDcRecord,
  positionOf,
  removeFirstElement,
} from './helpers/xml-fixtures.js';

const CROSSREF_EXAMPLES = join(SHARED_TESTDATA, 'crossref-examples');
const OAI_RESPONSES = join(SHARED_TESTDATA, 'oai-responses');
const readText = (path: string) => readFileSync(path, 'utf8');

describe('Crossref example deposits (Crossref schema bundle 0.3.1)', () => {
  const files = readdirSync(CROSSREF_EXAMPLES).filter((f) => f.endsWith('.xml')).sort();

  it('has the published examples to check', () => {
    expect(files.length).toBeGreaterThanOrEqual(15);
  });

  it.each(files)('%s is valid against the schema version of its namespace', (file) => {
    const bytes = readFileSync(join(CROSSREF_EXAMPLES, file));
    const expected = file.includes('5.3.1') ? 'crossref-5.3.1' : 'crossref-5.3.0';
    expect(detectSchema(bytes)).toBe(expected);
    const result = validateXml(bytes, expected);
    expect(formatXmlErrors(result.errors)).toBe('');
    expect(result.valid).toBe(true);
  });

  it('a 5.3.1 deposit without the article <doi_data> is invalid, reported where the schema expected it', () => {
    const original = readText(join(CROSSREF_EXAMPLES, 'journal.article5.3.1.xml'));
    const articleStart = original.indexOf('<journal_article');
    const broken = original.slice(0, articleStart) + removeFirstElement(original.slice(articleStart), 'doi_data');
    const result = validateXml(broken, 'crossref-5.3.1');
    expect(result.valid).toBe(false);
    // crossref5.3.1.xsd journal_article: (..., doi_data, citation_list?, ...). With doi_data
    // gone, the next child, citation_list, is the element the schema does not expect.
    const citationList = positionOf(broken, broken.indexOf('<citation_list', articleStart));
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject(citationList);
    expect(result.errors[0]!.message).toMatch(/citation_list'?: This element is not expected\. Expected is .*doi_data/);
  });

  it('a 5.3.0 deposit without <titles> is invalid at the element that follows it', () => {
    const original = readText(join(CROSSREF_EXAMPLES, 'journal.article5.3.0.xml'));
    const articleStart = original.indexOf('<journal_article');
    const broken = original.slice(0, articleStart) + removeFirstElement(original.slice(articleStart), 'titles');
    const result = validateXml(broken, 'crossref-5.3.0');
    expect(result.valid).toBe(false);
    const nextElement = /<([A-Za-z_][\w.:-]*)[\s>]/.exec(broken.slice(broken.indexOf('>', articleStart) + 1))!;
    const expectedAt = positionOf(broken, broken.indexOf(`<${nextElement[1]}`, articleStart + 1));
    expect(result.errors[0]).toMatchObject(expectedAt);
    expect(result.errors[0]!.message).toContain('titles');
  });
});

describe('real OAI-PMH responses (HTTP::OAI examples, DSpace Erasmus)', () => {
  const oai = (path: string) => readFileSync(join(OAI_RESPONSES, path));

  it.each([
    'dspace-erasmus-deleted/00000.xml', // GetRecord of a deleted record: header status="deleted", no metadata
    'dspace-erasmus-deleted/00001.xml', // GetRecord, oai_dc
    'dspace-erasmus-deleted/00002.xml', // ListRecords, oai_dc
    'dspace-erasmus-listrecords/00000.xml', // ListSets
    'dspace-erasmus-listrecords/00002.xml', // ListMetadataFormats
    'dspace-erasmus-listrecords/00003.xml', // ListIdentifiers
    'dspace-erasmus-listrecords/00004.xml', // GetRecord
    'dspace-erasmus-listrecords/00005.xml', // ListRecords
  ])('%s is a valid OAI-PMH response, oai_dc metadata included', (path) => {
    const bytes = oai(path);
    expect(detectSchema(bytes)).toBe('oai-pmh');
    const result = validateXml(bytes, 'oai-pmh');
    expect(formatXmlErrors(result.errors)).toBe('');
    expect(result.valid).toBe(true);
  });

  it('the DSpace "GetMetadata" reply is a bare oai_dc record (not an OAI-PMH verb), valid against oai_dc.xsd', () => {
    const bytes = oai('dspace-erasmus-listrecords/00006.xml');
    expect(detectSchema(bytes)).toBe('oai_dc');
    expect(validateXml(bytes, 'oai_dc')).toEqual({ valid: true, errors: [] });
  });

  it('DSpace Identify is invalid only because its "toolkit" description has no schema here (strict ##other wildcard)', () => {
    const text = readText(join(OAI_RESPONSES, 'dspace-erasmus-listrecords/00001.xml'));
    const result = validateXml(text, 'oai-pmh');
    expect(result.valid).toBe(false);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject(positionOf(text, text.indexOf('<toolkit')));
    expect(result.errors[0]!.message).toMatch(/\{http:\/\/oai\.dlib\.vt\.edu\/OAI\/metadata\/toolkit\}toolkit'.*strict wildcard/);
  });

  it('citebase Identify is invalid only because its OAI 1.1 "eprints" description has no schema here; its oai-identifier description is validated', () => {
    const text = readText(join(OAI_RESPONSES, 'identify.xml'));
    const result = validateXml(text, 'oai-pmh');
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject(positionOf(text, text.indexOf('<eprints')));
    expect(result.errors[0]!.message).toMatch(/eprints'.*strict wildcard/);

    const eprintsDescription = text.lastIndexOf('<description>');
    const withoutEprints = text.slice(0, eprintsDescription) + text.slice(text.indexOf('</description>', eprintsDescription) + '</description>'.length);
    expect(validateXml(withoutEprints, 'oai-pmh')).toEqual({ valid: true, errors: [] });

    // oai-identifier.xsd: repositoryIdentifier must look like a domain name.
    const badIdentifier = withoutEprints.replace('<repositoryIdentifier>citebase.eprints.org<', '<repositoryIdentifier>citebase<');
    const bad = validateXml(badIdentifier, 'oai-pmh');
    expect(bad.valid).toBe(false);
    expect(bad.errors[0]!.message).toMatch(/oai-identifier\}repositoryIdentifier.*pattern/);
  });

  it('citebase GetRecord is invalid because its request element packs every argument into verb (OAI-PMH 2.0 §3.2: one attribute per argument)', () => {
    const text = readText(join(OAI_RESPONSES, 'getrecord.xml'));
    const result = validateXml(text, 'oai-pmh');
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject(positionOf(text, text.indexOf("verb='GetRecord;")));
    expect(result.errors[0]!.message).toMatch(/request', attribute 'verb': \[facet 'enumeration'\]/);

    const fixed = text.replace(
      "verb='GetRecord;identifier=oai:arXiv.org:hep-th/0001001;metadataPrefix=oai_dc'",
      "verb='GetRecord' identifier='oai:arXiv.org:hep-th/0001001' metadataPrefix='oai_dc'",
    );
    expect(validateXml(fixed, 'oai-pmh')).toEqual({ valid: true, errors: [] });
  });

  it('badbytes.xml is not well-formed and is reported at the first invalid byte, not thrown', () => {
    const bytes = oai('badbytes.xml');
    const decoded = new TextDecoder('utf-8').decode(bytes);
    const firstBad = positionOf(decoded, decoded.indexOf('\uFFFD'));
    const result = validateXml(bytes, 'oai-pmh');
    expect(result.valid).toBe(false);
    expect(result.errors[0]).toMatchObject({ line: firstBad.line, column: firstBad.column });
    expect(result.errors[0]!.message).toMatch(/encoding/i);
  });
});

describe('oai-pmh: OAI-PMH.xsd with oai_dc and namespaced JATS loaded, so ##other is checked strictly', () => {
  it('accepts a GetRecord with oai_dc metadata', () => {
    expect(validateXml(getRecordResponse(oaiDcRecord()), 'oai-pmh')).toEqual({ valid: true, errors: [] });
  });

  it('rejects oai_dc metadata with an element simpledc does not define, at that element', () => {
    const response = getRecordResponse(oaiDcRecord('\n  <dc:publisherr>Universitas Pertahanan</dc:publisherr>'));
    const result = validateXml(response, 'oai-pmh');
    expect(result.valid).toBe(false);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject(positionOf(response, response.indexOf('<dc:publisherr')));
    expect(result.errors[0]!.message).toContain("Element '{http://purl.org/dc/elements/1.1/}publisherr': This element is not expected");
  });

  it(`accepts JATS 1.3 served in ${JATS_OAI_NS} (as PMC does) and the same article as plain JATS`, () => {
    expect(validateXml(getRecordResponse(jatsArticle(JATS_OAI_NS), 'jats'), 'oai-pmh')).toEqual({ valid: true, errors: [] });
    expect(validateXml(jatsArticle(), 'jats')).toEqual({ valid: true, errors: [] });
  });

  it('rejects namespaced JATS that lacks a required element (journal-meta needs journal-id, JATS 1.3 Publishing)', () => {
    const response = getRecordResponse(removeFirstElement(jatsArticle(JATS_OAI_NS), 'journal-id'), 'jats');
    const result = validateXml(response, 'oai-pmh');
    expect(result.valid).toBe(false);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject(positionOf(response, response.indexOf('<journal-title-group')));
    expect(result.errors[0]!.message).toContain(`Expected is ( {${JATS_OAI_NS}}journal-id )`);
    // The same omission in plain JATS is the same error: the namespaced schema is JATS itself.
    const plain = validateXml(removeFirstElement(jatsArticle(), 'journal-id'), 'jats');
    expect(plain.errors[0]!.message).toContain('Expected is ( journal-id )');
  });

  it('rejects namespaced JATS with an element JATS does not define', () => {
    const response = getRecordResponse(jatsArticle(JATS_OAI_NS).replace('<volume>4</volume>', '<volume>4</volume><tome>4</tome>'), 'jats');
    const result = validateXml(response, 'oai-pmh');
    expect(result.valid).toBe(false);
    expect(result.errors[0]!.message).toContain(`{${JATS_OAI_NS}}tome`);
  });

  it('rejects no-namespace JATS in metadata: ##other excludes unqualified elements', () => {
    const response = getRecordResponse(jatsArticle(''), 'jats');
    const result = validateXml(response, 'oai-pmh');
    expect(result.valid).toBe(false);
    expect(result.errors[0]!.message).toBe(`Element 'article': This element is not expected. Expected is ( ##other{http://www.openarchives.org/OAI/2.0/}* ).`);
  });

  it('rejects metadata in a namespace with no schema loaded (strict, not lax)', () => {
    const response = getRecordResponse('<mods xmlns="http://www.loc.gov/mods/v3"><titleInfo/></mods>', 'mods');
    const result = validateXml(response, 'oai-pmh');
    expect(result.valid).toBe(false);
    expect(result.errors[0]!.message).toContain('No matching global element declaration available, but demanded by the strict wildcard');
  });

  it('pins errors in single-line responses to the exact start tag (libxml2 gives the line only)', () => {
    const record = (n: number, datestamp: string) =>
      `<record><header><identifier>oai:example.org:${n}</identifier><datestamp>${datestamp}</datestamp></header><metadata>${oaiDcRecord().replace(/\n\s*/g, '')}</metadata></record>`;
    const response = `<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2024-05-01T12:00:00Z</responseDate><request verb="ListRecords" metadataPrefix="oai_dc">https://example.org/oai</request><ListRecords>${record(1, '2024-01-01')}${record(2, 'yesterday')}${record(3, '2024-01-03')}</ListRecords></OAI-PMH>`;
    const result = validateXml(response, 'oai-pmh');
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject(positionOf(response, response.indexOf('<datestamp>yesterday')));
  });
});

describe('error positions', () => {
  it('points an attribute error at the attribute, on the root element too', () => {
    const xml = '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" status="draft"/>';
    const result = validateXml(xml, 'oai_dc');
    expect(result.errors).toEqual([{ line: 1, column: xml.indexOf('status=') + 1, message: "Element '{http://www.openarchives.org/OAI/2.0/oai_dc/}dc', attribute 'status': The attribute 'status' is not allowed." }]);
  });

  it('numbers same-named siblings as libxml2 does (third dc:date of three)', () => {
    const xml = oaiDcRecord('<dc:date>2020</dc:date><dc:date>2021</dc:date><dc:date xml:lang="en" xml:space="sometimes">2022</dc:date>');
    const result = validateXml(xml, 'oai_dc');
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject(positionOf(xml, xml.indexOf('xml:space="sometimes"')));
  });
});

describe('malformed input is reported with line:column, never thrown', () => {
  it('reports a tag mismatch at the line of the end tag', () => {
    const result = validateXml('<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/">\n  <a>\n</oai_dc:dc>', 'oai_dc');
    expect(result.valid).toBe(false);
    expect(result.errors[0]).toMatchObject({ line: 3 });
    expect(result.errors[0]!.column).toBeGreaterThan(1);
    expect(result.errors[0]!.message).toContain('Opening and ending tag mismatch');
    expect(formatXmlErrors(result.errors)).toMatch(/^3:\d+ Opening and ending tag mismatch/);
  });

  it.each([
    ['an empty document', ''],
    ['whitespace only', '  \n '],
    ['text', 'not xml at all'],
    ['binary bytes', new Uint8Array([0, 1, 2, 0xff, 0xfe, 0x3c])],
    ['an unterminated start tag', '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"\n'],
  ] as const)('%s', (_label, input) => {
    const result = validateXml(input, 'oai_dc');
    expect(result.valid).toBe(false);
    expect(result.errors.length).toBeGreaterThan(0);
    for (const error of result.errors) {
      expect(error.line).toBeGreaterThanOrEqual(1);
      expect(error.column).toBeGreaterThanOrEqual(1);
      expect(error.message.length).toBeGreaterThan(0);
    }
  });

  it('stops an entity expansion bomb with an error instead of expanding it', () => {
    const levels = ['<!ENTITY a0 "lol">'];
    for (let i = 1; i <= 9; i++) levels.push(`<!ENTITY a${i} "${`&a${i - 1};`.repeat(10)}">`);
    const bomb = `<!DOCTYPE oai_dc:dc [${levels.join('')}]>\n${oaiDcRecord('\n  <dc:subject>&a9;</dc:subject>')}`;
    const result = validateXml(bomb, 'oai_dc');
    expect(result.valid).toBe(false);
    expect(result.errors[0]!.message).toMatch(/amplification|entity/i);
  });

  it('reports line numbers past 65535 exactly', () => {
    const xml = oaiDcRecord(`${'\n'.repeat(70_000)}  <dc:unknown/>`);
    const result = validateXml(xml, 'oai_dc');
    expect(result.errors[0]).toMatchObject(positionOf(xml, xml.indexOf('<dc:unknown')));
    expect(result.errors[0]!.line).toBeGreaterThan(70_000);
  });

  it('honours the declared encoding of raw bytes', () => {
    const latin1 = Buffer.from(`<?xml version="1.0" encoding="ISO-8859-1"?>\n${oaiDcRecord().replace('Carberry, Josiah', 'Müller, Jürgen')}`, 'latin1');
    expect(validateXml(latin1, 'oai_dc')).toEqual({ valid: true, errors: [] });
  });
});

describe('nothing outside memory is read for a validated document', () => {
  it('never loads an external entity (file:///etc/passwd) and reports its use', () => {
    const xml = `<?xml version="1.0"?>
<!DOCTYPE oai_dc:dc [
  <!ENTITY secret SYSTEM "file:///etc/passwd">
]>
${oaiDcRecord().replace('Defence Diplomacy', '&secret;')}`;
    const logBefore = externalLoadLog().length;
    const result = validateXml(xml, 'oai_dc');
    expect(externalLoadLog().length).toBe(logBefore);
    expect(result.valid).toBe(false);
    expect(result.errors[0]).toMatchObject(positionOf(xml, xml.indexOf('&secret;')));
    expect(result.errors[0]!.message).toContain("external entity 'secret'");
    expect(JSON.stringify(result)).not.toMatch(/root:.*:0:0:/);
  });

  it('never loads an external parameter entity or external DTD subset', () => {
    const parameter = `<!DOCTYPE x [ <!ENTITY % remote SYSTEM "http://example.invalid/evil.dtd"> %remote; ]>\n${oaiDcRecord()}`;
    const externalSubset = `<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Publishing DTD v1.3 20210610//EN" "https://jats.nlm.nih.gov/publishing/1.3/JATS-journalpublishing1-3.dtd">\n${jatsArticle()}`;
    const logBefore = externalLoadLog().length;
    expect(validateXml(parameter, 'oai_dc').errors[0]!.message).toContain("external entity 'remote'");
    // A JATS file's usual DOCTYPE is not an error: the DTD is simply never read.
    expect(validateXml(externalSubset, 'jats')).toEqual({ valid: true, errors: [] });
    expect(externalLoadLog().length).toBe(logBefore);
  });

  it('substitutes internal entities (safely bounded) so they can be validated', () => {
    const xml = `<!DOCTYPE oai_dc:dc [ <!ENTITY org "Universitas Pertahanan"> ]>\n${oaiDcRecord('\n  <dc:publisher>&org;</dc:publisher>')}`;
    expect(validateXml(xml, 'oai_dc')).toEqual({ valid: true, errors: [] });
  });
});

describe('schemas load only from schemas/official/, never the network', () => {
  it('served every resource the compiled schemas asked for from local files', () => {
    for (const id of ['oai_dc', 'oai-pmh', 'crossref-5.3.1'] as const) validateXml('<x/>', id);
    const compileLoads = externalLoadLog().filter((l) => l.phase === 'schema-compile');
    expect(compileLoads.length).toBeGreaterThan(10);
    for (const load of compileLoads) {
      expect(load.servedFrom, load.resource).toBeDefined();
      expect(load.servedFrom!.startsWith(OFFICIAL_SCHEMA_DIR), load.servedFrom).toBe(true);
    }
    // The absolute URLs the official XSDs import were mapped, not fetched.
    const resources = compileLoads.map((l) => l.resource);
    expect(resources).toContain('http://dublincore.org/schemas/xmls/simpledc20021212.xsd');
    expect(resources).toContain('http://www.w3.org/2001/03/xml.xsd');
    expect(resources).toContain('http://www.w3.org/Math/XMLSchema/mathml3/mathml3.xsd');
  });

  it('fails loudly, naming the URL, when a schema imports an unmapped network location', () => {
    const path = join(OFFICIAL_SCHEMA_DIR, 'pubmeta-test-unmapped-import.xsd');
    const source = `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:test">
  <xs:import namespace="urn:elsewhere" schemaLocation="http://example.org/schemas/elsewhere.xsd"/>
</xs:schema>`;
    defineVirtualSchema(path, source);
    expect(() => compileXsdDocument(path, source)).toThrow(XsdCompileError);
    expect(() => compileXsdDocument(path, source)).toThrow(/not mapped to local files.*http:\/\/example\.org\/schemas\/elsewhere\.xsd/s);
  });

  it('points at the fetch step when a local schema file is missing', () => {
    const path = join(OFFICIAL_SCHEMA_DIR, 'pubmeta-test-missing-include.xsd');
    const source = `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:include schemaLocation="oai-pmh/not-there.xsd"/></xs:schema>`;
    expect(() => compileXsdDocument(path, source)).toThrow(/not-there\.xsd.*npm run fetch-schemas/s);
  });
});

describe('each schema is compiled once per process and reused', () => {
  it('validates 200 documents with one compilation', () => {
    releaseCompiledSchemas(['oai_dc']);
    const before = xsdCompileCount();
    for (let i = 0; i < 200; i++) {
      const xml = oaiDcRecord(`\n  <dc:description>record ${i}</dc:description>`);
      expect(validateXml(xml, 'oai_dc').valid).toBe(true);
    }
    expect(xsdCompileCount() - before).toBe(1);
  });

  it('frees every parsed document: wasm memory stays flat over many valid, invalid and malformed documents', () => {
    const big = readText(join(OAI_RESPONSES, 'dspace-erasmus-deleted/00002.xml')); // 250 KB ListRecords
    const invalid = big.replace('<datestamp>2004-', '<datestamp>on 2004-');
    const malformed = big.slice(0, big.length - 200);
    const round = () => {
      expect(validateXml(big, 'oai-pmh').valid).toBe(true);
      expect(validateXml(invalid, 'oai-pmh').valid).toBe(false);
      expect(validateXml(malformed, 'oai-pmh').valid).toBe(false);
    };
    for (let i = 0; i < 30; i++) round();
    const externalBefore = process.memoryUsage().external;
    for (let i = 0; i < 120; i++) round();
    // A leaked 250 KB document costs libxml2 well over 250 KB of wasm heap; 360 of them would add over 200 MB.
    expect(process.memoryUsage().external - externalBefore).toBeLessThan(32 * 1024 * 1024);
  });
});

describe('detectSchema reads the root element and its namespace', () => {
  it.each([
    ['<?xml version="1.0"?>\n<!-- c --><?pi x?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">', 'oai-pmh'],
    ['<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/">', 'oai_dc'],
    ['<doi_batch version="5.3.1" xmlns="http://www.crossref.org/schema/5.3.1">', 'crossref-5.3.1'],
    ['<cr:doi_batch xmlns:cr="http://www.crossref.org/schema/5.3.0" version="5.3.0">', 'crossref-5.3.0'],
    ['\uFEFF<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Publishing DTD v1.3 20210610//EN" "JATS-journalpublishing1-3.dtd" [ <!ENTITY x "<y>"> ]>\n<article article-type="research-article">', 'jats'],
  ] as const)('%s -> %s', (xml, expected) => {
    expect(detectSchema(xml)).toBe(expected);
  });

  it.each([
    ['an unknown root', '<rss version="2.0"/>'],
    ['oai_dc:dc in the wrong namespace', '<oai_dc:dc xmlns:oai_dc="http://example.org/dc/">'],
    ['Crossref 4.4.2', '<doi_batch xmlns="http://www.crossref.org/schema/4.4.2">'],
    ['namespaced JATS (only valid inside an OAI-PMH response)', `<article xmlns="${JATS_OAI_NS}">`],
    ['an empty string', ''],
    ['broken markup', '<<<'],
  ])('%s -> undefined', (_label, xml) => {
    expect(detectSchema(xml)).toBeUndefined();
  });

  it('works on raw bytes', () => {
    expect(detectSchema(readFileSync(join(CROSSREF_EXAMPLES, 'journal.article5.3.1.xml')))).toBe('crossref-5.3.1');
  });
});
