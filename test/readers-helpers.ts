// Helpers shared by the reader tests (not a test file).
import { writeFileSync } from 'node:fs';

export const BIG_REFS = 20_000;

/** A JATS article of at least `bytes` bytes: a huge body and 20,000 references. Used by the CLI test too. */
export function writeBigJats(path: string, bytes: number): void {
  const refs: string[] = [];
  for (let i = 1; i <= BIG_REFS; i++) {
    refs.push(`<ref id="r${i}"><mixed-citation publication-type="journal">Author ${i}. Title ${i}. Journal. 2001;${i}:1-2. doi:<pub-id pub-id-type="doi">10.5555/big.ref.${i}</pub-id></mixed-citation></ref>\n`);
  }
  const refList = refs.join('');
  const head = `<?xml version="1.0" encoding="UTF-8"?>
<article xmlns:xlink="http://www.w3.org/1999/xlink" xml:lang="en"><front><journal-meta><journal-id>big</journal-id><journal-title-group><journal-title>Big Journal</journal-title></journal-title-group><issn publication-format="electronic">2049-3630</issn></journal-meta>
<article-meta><article-id pub-id-type="doi">10.5555/big.1</article-id><title-group><article-title>A very large article</article-title></title-group>
<contrib-group><contrib contrib-type="author"><name><surname>Large</surname><given-names>Lara</given-names></name></contrib></contrib-group>
<pub-date publication-format="electronic" date-type="pub"><day>01</day><month>02</month><year>2024</year></pub-date>
<self-uri xlink:href="https://example.org/big/1"/></article-meta></front><body>\n`;
  const tail = `</body><back><ref-list>${refList}</ref-list></back></article>\n`;
  const paragraph = '<sec><title>Section</title><p>Lorem ipsum <italic>dolor</italic> sit amet, consectetur adipiscing elit &amp; sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. <xref ref-type="bibr" rid="r1">1</xref></p></sec>\n';
  const bodyBytes = Math.max(0, bytes - head.length - tail.length);
  const parts = [head, paragraph.repeat(Math.ceil(bodyBytes / paragraph.length)), tail];
  writeFileSync(path, parts.join(''));
}
