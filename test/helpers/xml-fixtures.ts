// Hand-written XML fixtures for the validate tests, written from the standards (OAI-PMH 2.0
// §3.2 response format, JATS 1.3 Journal Publishing tag library, oai_dc.xsd), not from
// pubmeta's own writers.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SHARED_TESTDATA = resolve(REPO_ROOT, '../shared/testdata');

export const OAI_NS = 'http://www.openarchives.org/OAI/2.0/';
export const JATS_OAI_NS = 'https://jats.nlm.nih.gov/ns/archiving/1.3/';

/** 1-based line and column of `offset` in `text` (newline = "\n"). */
export function positionOf(text: string, offset: number): { line: number; column: number } {
  if (offset < 0) throw new Error('offset not found');
  const before = text.slice(0, offset);
  const lastNewline = before.lastIndexOf('\n');
  return { line: before.split('\n').length, column: offset - lastNewline };
}

/** Removes the first `<name ...>...</name>` element (string surgery, for invalid copies). */
export function removeFirstElement(xml: string, name: string): string {
  const start = xml.search(new RegExp(`<${name}[\\s>]`));
  if (start < 0) throw new Error(`<${name}> not found`);
  const closeTag = `</${name}>`;
  const end = xml.indexOf(closeTag, start);
  if (end < 0) throw new Error(`</${name}> not found`);
  return xml.slice(0, start) + xml.slice(end + closeTag.length);
}

/** A JATS 1.3 Journal Publishing article body (root attributes other than xmlns passed in). */
export function jatsArticle(rootNamespace?: string): string {
  const xmlns = rootNamespace === undefined ? '' : ` xmlns="${rootNamespace}"`;
  return `<article${xmlns} xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:ali="http://www.niso.org/schemas/ali/1.0/" article-type="research-article" dtd-version="1.3" xml:lang="en">
  <front>
    <journal-meta>
      <journal-id journal-id-type="publisher-id">jdp</journal-id>
      <journal-title-group>
        <journal-title>Jurnal Diplomasi Pertahanan</journal-title>
      </journal-title-group>
      <issn publication-format="electronic">2614-6916</issn>
      <publisher>
        <publisher-name>Universitas Pertahanan</publisher-name>
      </publisher>
    </journal-meta>
    <article-meta>
      <article-id pub-id-type="doi">10.33172/jdp.v4i2.323</article-id>
      <title-group>
        <article-title>Defence Diplomacy and the <italic>Example</italic> Title</article-title>
      </title-group>
      <contrib-group>
        <contrib contrib-type="author">
          <contrib-id contrib-id-type="orcid">https://orcid.org/0000-0002-1825-0097</contrib-id>
          <name><surname>Carberry</surname><given-names>Josiah</given-names></name>
          <xref ref-type="aff" rid="aff1"/>
        </contrib>
      </contrib-group>
      <aff id="aff1">Brown University</aff>
      <pub-date publication-format="electronic" date-type="pub"><year>2018</year></pub-date>
      <volume>4</volume>
      <issue>2</issue>
      <fpage>1</fpage>
      <lpage>20</lpage>
      <permissions>
        <license>
          <ali:license_ref>https://creativecommons.org/licenses/by/4.0/</ali:license_ref>
        </license>
      </permissions>
      <abstract><p>An abstract &amp; more: <inline-formula><mml:math xmlns:mml="http://www.w3.org/1998/Math/MathML"><mml:msup><mml:mi>x</mml:mi><mml:mn>2</mml:mn></mml:msup></mml:math></inline-formula>, data at <ext-link ext-link-type="uri" xlink:href="https://example.org/data">example.org</ext-link>.</p></abstract>
    </article-meta>
  </front>
  <back>
    <ref-list>
      <ref id="r1"><mixed-citation>Doe, J. (2001). A book. <pub-id pub-id-type="doi">10.1000/xyz</pub-id></mixed-citation></ref>
    </ref-list>
  </back>
</article>`;
}

export function oaiDcRecord(extra = ''): string {
  return `<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/oai_dc/ http://www.openarchives.org/OAI/2.0/oai_dc.xsd">
  <dc:title xml:lang="en">Defence Diplomacy</dc:title>
  <dc:creator>Carberry, Josiah</dc:creator>
  <dc:identifier>https://doi.org/10.33172/jdp.v4i2.323</dc:identifier>${extra}
</oai_dc:dc>`;
}

/** A GetRecord response (OAI-PMH 2.0 §4.1) carrying `metadata` as the record's metadata. */
export function getRecordResponse(metadata: string, metadataPrefix = 'oai_dc'): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="${OAI_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="${OAI_NS} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">
<responseDate>2024-05-01T12:00:00Z</responseDate>
<request verb="GetRecord" identifier="oai:example.org:10.33172/jdp.v4i2.323" metadataPrefix="${metadataPrefix}">https://example.org/oai</request>
<GetRecord>
<record>
<header>
<identifier>oai:example.org:10.33172/jdp.v4i2.323</identifier>
<datestamp>2024-04-30T08:00:00Z</datestamp>
<setSpec>jdp</setSpec>
</header>
<metadata>
${metadata}
</metadata>
</record>
</GetRecord>
</OAI-PMH>
`;
}
