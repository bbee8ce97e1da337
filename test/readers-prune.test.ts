// Reading big XML files: the content a reader skips (JATS body) is dropped as the file is read
// in chunks, still checked for balanced tags, and never held in memory.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ReaderError, readJats, readXmlFile } from '../src/formats/index.js';
import { XmlPruner } from '../src/formats/readers/prune.js';
import { runNode } from './helpers/run-node.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'pubmeta-prune-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const SKIP = new Set(['body', 'floats-group', 'sub-article', 'response']);
const FIXTURE = readFileSync(join(root, 'test/fixtures/publisher-article.jats.xml'), 'utf8');

function pruneInChunks(xml: string, size: number): string {
  const pruner = new XmlPruner(SKIP);
  let out = '';
  for (let i = 0; i < xml.length; i += size) out += pruner.push(xml.slice(i, i + size));
  return out + pruner.end();
}

const TRICKY = `<?xml version="1.0"?>
<!DOCTYPE article [ <!ENTITY x "<body>"> ]>
<article><front><!-- <body> in a comment is not a body --><article-meta><article-id pub-id-type="doi">10.5555/x</article-id></article-meta></front>
<body a=">" b='</body>'>
  <sec><title>T</title><p>text <![CDATA[ </sec> <body> ]]> more<?pi </p> ?></p>
  <!-- </body> --><body/></sec>
</body>
<back><ref-list><ref id="r1"><mixed-citation>Ref.</mixed-citation></ref></ref-list></back></article>
`;

describe('XmlPruner', () => {
  it('drops what is inside skipped elements, keeps everything else and every line break', () => {
    const pruned = XmlPruner.prune(TRICKY, SKIP);
    expect(pruned).toContain('<!-- <body> in a comment is not a body -->');
    expect(pruned).toContain(`<body a=">" b='</body>'>\n\n\n</body>`);
    expect(pruned).not.toContain('CDATA');
    expect(pruned).toContain('<back><ref-list>');
    expect(pruned.split('\n').length).toBe(TRICKY.split('\n').length);
  });

  it('gives the same result whatever the chunk size (tokens split across chunks)', () => {
    const whole = XmlPruner.prune(TRICKY, SKIP);
    for (const size of [1, 2, 3, 7, 64, 1000]) expect(pruneInChunks(TRICKY, size)).toBe(whole);
    const fixture = XmlPruner.prune(FIXTURE, SKIP);
    for (const size of [5, 333]) expect(pruneInChunks(FIXTURE, size)).toBe(fixture);
  });

  it('reads the same record from the pruned document', () => {
    expect(readJats(XmlPruner.prune(FIXTURE, SKIP))).toEqual(readJats(FIXTURE));
  });

  it('reports tags that do not match inside the skipped content, with line and column', () => {
    const broken = '<article><front/>\n<body>\n  <sec><p>x</sec>\n</body></article>';
    expect(() => XmlPruner.prune(broken, SKIP)).toThrow(ReaderError);
    expect(() => XmlPruner.prune(broken, SKIP)).toThrow(/^3:12 not well-formed XML: <\/sec> where <\/p> was expected/);
    expect(() => pruneInChunks(broken, 4)).toThrow(/^3:12 not well-formed XML: <\/sec> where <\/p> was expected/);
    expect(() => XmlPruner.prune('<article><body><p>never closed', SKIP)).toThrow(/is not closed before the end of the document/);
    expect(() => XmlPruner.prune('<article><body><!-- never closed', SKIP)).toThrow(/comment or CDATA section is not closed/);
  });
});

/** A JATS article with a body of `bytes` bytes, written in pieces (the test never holds it either). */
async function writeHugeBodyJats(path: string, bytes: number): Promise<void> {
  const out = createWriteStream(path);
  out.write(`<?xml version="1.0" encoding="UTF-8"?>
<article xmlns:xlink="http://www.w3.org/1999/xlink" xml:lang="en"><front><journal-meta><journal-title-group><journal-title>Huge Journal</journal-title></journal-title-group><issn publication-format="electronic">2049-3630</issn></journal-meta>
<article-meta><article-id pub-id-type="doi">10.5555/huge.1</article-id><title-group><article-title>A huge article</article-title></title-group>
<pub-date publication-format="electronic" date-type="pub"><year>2024</year></pub-date></article-meta></front><body>\n`);
  const paragraph = '<sec><title>Section</title><p>Lorem ipsum <italic>dolor</italic> sit amet &amp; more text. <xref ref-type="bibr" rid="r1">1</xref></p></sec>\n'.repeat(1000);
  for (let written = 0; written < bytes; written += paragraph.length) {
    if (!out.write(paragraph)) await once(out, 'drain');
  }
  out.end('</body><back><ref-list><ref id="r1"><mixed-citation>One reference.</mixed-citation></ref></ref-list></back></article>\n');
  await once(out, 'finish');
}

describe('readXmlFile', () => {
  it('reads a 200 MB JATS article with a 64 MB JavaScript heap (the body is never held)', async () => {
    const file = join(work, 'huge.jats.xml');
    await writeHugeBodyJats(file, 200 * 1024 * 1024);
    const script = `import { readXmlFile } from ${JSON.stringify(join(root, 'dist/formats/index.js'))};
      const read = await readXmlFile(${JSON.stringify(file)});
      console.log(read.format, read.records[0].doi, read.records[0].references.length);`;
    const run = await runNode(['--max-old-space-size=64', '--input-type=module', '-e', script], { timeoutMs: 300_000 });
    expect(run.stderr).not.toMatch(/heap out of memory/);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe('jats 10.5555/huge.1 1');
  }, 600_000);

  it('decodes UTF-16 files by their byte order mark and reads Crossref deposits whole', async () => {
    const file = join(work, 'utf16.xml');
    const xml = FIXTURE.replace('encoding="UTF-8"', 'encoding="UTF-16"');
    writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, 'utf16le')]));
    const read = await readXmlFile(file);
    expect(read.format).toBe('jats');
    expect(read.records[0]).toEqual(readJats(FIXTURE).records[0]);
  });
});
