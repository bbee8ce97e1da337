#!/usr/bin/env node
// Golden output hashes for the XML writers (oai_dc, JATS, Crossref).
//
// The writers were rewritten from an xmlbuilder2 DOM per record to escaped string assembly;
// the promise was byte-identical output. This script recorded, with the DOM writers of commit
// "golden hashes" (the built dist/ of that commit), the sha256 of every output the rewrite
// must reproduce:
//   - the bundled samples (samples/*.json),
//   - records read from the test fixtures and the shared Crossref/OAI examples by the readers
//     of that commit (kept verbatim in test/fixtures/golden/read-records.json, so later reader
//     changes cannot move the inputs),
//   - 3,000 synthetic records, seed 42,
// each as oai_dc (with and without declaration), JATS (plain, and as the OAI provider serves
// it: namespaced, no declaration), a one-record Crossref batch, and Crossref batches of 50.
// test/writers-golden.test.ts runs computeGolden() with today's writers and compares.
//
//   npm run build && node scripts/golden-export-hashes.mjs --write   # only to re-record, from old writers
//
// computeGolden takes the functions as arguments so the test can pass the TypeScript sources.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const GOLDEN_DIR = join(ROOT, 'test/fixtures/golden');
export const GOLDEN_HASHES = join(GOLDEN_DIR, 'export-hashes.json');
export const GOLDEN_READ_RECORDS = join(GOLDEN_DIR, 'read-records.json');
export const SYNTHETIC_COUNT = 3000;
export const SYNTHETIC_SEED = 42;
const CROSSREF_BATCH = 50;
const JATS_OAI_NAMESPACE = 'https://jats.nlm.nih.gov/ns/archiving/1.3/';
const JATS_OAI_SCHEMA_LOCATION = 'https://jats.nlm.nih.gov/archiving/1.3/xsd/JATS-archivearticle1-3.xsd';

/** The fixed doi_batch head: timestamp and batch id given, so a batch's bytes depend on its records only. */
export function goldenHead(batchId) {
  return {
    depositor: { name: 'Golden Press & Sons', email: 'golden@example.org' },
    registrant: 'Golden "Registrant" <Ltd>',
    batchId,
    timestamp: 20260101000000000n,
  };
}

const sha256 = (text) => createHash('sha256').update(text).digest('hex');

/** The hash of an output, or the writer's refusal (its message must not change either). */
function outcome(write) {
  try {
    return sha256(write());
  } catch (error) {
    if (error?.name === 'ExportError') return `ExportError: ${error.message}`;
    throw error;
  }
}

function outputsOf(record, writers) {
  const { toOaiDc, toJats, toCrossref } = writers;
  return {
    oai_dc: outcome(() => toOaiDc(record)),
    'oai_dc-oai': outcome(() => toOaiDc(record, { declaration: false })),
    jats: outcome(() => toJats(record)),
    'jats-oai': outcome(() => toJats(record, { declaration: false, namespace: JATS_OAI_NAMESPACE, schemaLocation: JATS_OAI_SCHEMA_LOCATION })),
    crossref: outcome(() => toCrossref([record], goldenHead('golden-single'))),
  };
}

/** Samples and read records by name; synthetic records as one short hash per record (to name the first that differs) plus one sha256 over all. */
export function computeGolden(writers, inputs) {
  const named = {};
  for (const [name, record] of inputs.named) named[name] = outputsOf(record, writers);
  const synthetic = {};
  const perRecord = { oai_dc: [], 'oai_dc-oai': [], jats: [], 'jats-oai': [], crossref: [] };
  for (const record of inputs.synthetic) {
    const outputs = outputsOf(record, writers);
    for (const key of Object.keys(perRecord)) perRecord[key].push(outputs[key].startsWith('ExportError') ? outputs[key] : outputs[key].slice(0, 12));
  }
  for (const [key, list] of Object.entries(perRecord)) synthetic[key] = { all: sha256(list.join('\n')), records: list.join('\n') };
  const batches = [];
  for (let i = 0; i < inputs.synthetic.length; i += CROSSREF_BATCH) {
    batches.push(outcome(() => writers.toCrossref(inputs.synthetic.slice(i, i + CROSSREF_BATCH), goldenHead(`golden-batch-${i / CROSSREF_BATCH}`))));
  }
  synthetic['crossref-batches-of-50'] = batches;
  const namedRecords = inputs.named.map(([, record]) => record).filter((r) => outcome(() => writers.toCrossref([r], goldenHead('golden-check'))).length === 64);
  return {
    named,
    synthetic,
    crossrefNamedBatch: outcome(() => writers.toCrossref(namedRecords, goldenHead('golden-named'))),
  };
}

/**
 * The samples there were when the hashes were recorded. Later samples (example-rich.json carries
 * both an online and a print date, which the formats write differently since dates by medium)
 * are checked by their own tests, not against the DOM writers' output.
 */
export const GOLDEN_SAMPLES = ['seed-jdp-323.json', 'synthetic-edge-cases-1.json', 'synthetic-edge-cases-2.json'];

/** The golden samples plus the read records, as [name, record] pairs (validated: the writers take normal-form records). */
export function goldenInputs({ validateArticle, generateSyntheticRecords }, readRecords) {
  const named = [];
  for (const file of GOLDEN_SAMPLES) {
    const result = validateArticle(JSON.parse(readFileSync(join(ROOT, 'samples', file), 'utf8')));
    if (!result.ok) throw new Error(`samples/${file} is not a valid record`);
    named.push([`samples/${file}`, result.record]);
  }
  for (const [name, value] of Object.entries(readRecords)) {
    const result = validateArticle(value);
    if (result.ok) named.push([name, result.record]);
  }
  const base = named.find(([name]) => name === 'samples/synthetic-edge-cases-1.json')[1];
  for (const [name, record] of adversarialRecords(base)) named.push([name, record]);
  return { named, synthetic: generateSyntheticRecords(SYNTHETIC_COUNT, SYNTHETIC_SEED) };
}

// Text the escaping must get right: reference-like ampersands, CDATA end, the characters XML
// 1.0 cannot carry (C0 controls, U+FFFE/U+FFFF, lone surrogates) beside legal ones (tab, line
// breaks, a surrogate pair), both quotes and ">" in attribute values.
const ODD = 'A &amp; B &#123; &foo; ]]> <x> "dq" \'sq\' \u0001\u0008\u000B\u000C\u001F \uFFFE\uFFFF \uD800 lone \uDC00 pair \uD83D\uDE00 tab\there\r\nline\rcr';

/** Records made odd after validation (the writers must still escape whatever reaches them). */
function adversarialRecords(base) {
  const odd = structuredClone(base);
  odd.title = { en: `Title ${ODD}`, ru: `Заголовок ${ODD}` };
  odd.subtitle = { en: `Sub ${ODD}` };
  odd.abstract = { en: `First ${ODD}\n\nSecond ${ODD}` };
  odd.keywords = { en: [ODD, `k ${ODD}`] };
  odd.section = ODD;
  odd.journal = { ...odd.journal, title: `J ${ODD}`, abbrevTitle: `J. ${ODD}`, publisher: { name: `P ${ODD}`, place: ODD } };
  odd.issue = { ...odd.issue, title: `Issue ${ODD}` };
  odd.contributors = odd.contributors.map((c) => ({
    ...c,
    ...(c.type === 'organization' ? { name: `Org ${ODD}` } : { given: `G ${ODD}`.slice(0, 50), family: `F ${ODD}`.slice(0, 55) }),
    ...(c.affiliations ? { affiliations: c.affiliations.map((a) => ({ ...a, name: `Aff ${ODD}` })) } : {}),
  }));
  odd.landingPage = 'https://journal.example.org/a?x=1&y="2"&z=<3>&amp;t=\'4\'';
  odd.galleys = [
    { url: 'https://journal.example.org/d?f=1&g="pdf"', mimeType: 'application/pdf', label: `PDF ${ODD}` },
    { url: 'https://journal.example.org/h?x=<1>', mimeType: 'text/html', label: ODD },
  ];
  odd.otherIds = [{ type: 'publisher-id', value: ODD }, { type: `odd "type" & <x>`, value: 'v' }];
  odd.copyright = { holder: ODD, year: 2024, statement: `© ${ODD}` };
  odd.funding = [{ funderName: `Funder ${ODD}`, funderId: '10.13039/100000001', awardIds: [ODD] }];
  odd.references = [
    { key: `k"1" & <x>`, unstructured: `Ref ${ODD} 10.5555/abc`, doi: '10.5555/abc', structured: { author: ODD, articleTitle: ODD, source: ODD, year: '2001' } },
    { key: 'ref2', unstructured: ODD },
  ];
  odd.markup = undefined;
  delete odd.markup;

  const markup = structuredClone(base);
  markup.id = 'golden-markup';
  markup.markup = {
    title: {
      en: 'Salt &amp; <italic>Pepper</italic> &lt;b&gt; <bold>x</bold><sup>2</sup> <inline-formula><mml:math><mml:mi>x</mml:mi><mml:mo>&lt;</mml:mo><mml:mn>1</mml:mn></mml:math></inline-formula> &nbsp; ]]&gt; <sc>sc</sc>',
    },
    abstract: {
      en: '<sec><title>Background</title><p>A &amp; B <italic>c</italic></p></sec><p>Second <monospace>m</monospace> <ext-link xlink:href="https://x.example/?a=1&amp;b=&quot;2&quot;">link</ext-link></p>',
    },
  };
  return [['adversarial/odd-characters', odd], ['adversarial/markup', markup]];
}

/** Records the readers of the recording commit made from the fixtures (written once, with --write). */
function readFixtureRecords({ readJats, readCrossref, readOaiDc }) {
  const shared = join(ROOT, '../shared/testdata');
  const sources = [
    ['test/fixtures/publisher-article.jats.xml', join(ROOT, 'test/fixtures/publisher-article.jats.xml'), readJats],
    ['crossref-examples/journal.article5.3.0.xml', join(shared, 'crossref-examples/journal.article5.3.0.xml'), readCrossref],
    ['crossref-examples/journal.article5.3.1.xml', join(shared, 'crossref-examples/journal.article5.3.1.xml'), readCrossref],
    ['crossref-examples/journal.vol.issue5.3.0.xml', join(shared, 'crossref-examples/journal.vol.issue5.3.0.xml'), readCrossref],
    ['oai-responses/getrecord.xml', join(shared, 'oai-responses/getrecord.xml'), readOaiDc],
  ];
  const out = {};
  for (const [name, file, read] of sources) {
    read(readFileSync(file, 'utf8')).records.forEach((record, index) => {
      out[`${name}#${index}`] = record;
    });
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (!process.argv.includes('--write')) {
    console.error('usage: node scripts/golden-export-hashes.mjs --write   (re-records the golden hashes from the writers in dist/)');
    process.exit(2);
  }
  const formats = await import(join(ROOT, 'dist/formats/index.js'));
  const model = await import(join(ROOT, 'dist/model/index.js'));
  mkdirSync(dirname(GOLDEN_HASHES), { recursive: true });
  const readRecords = readFixtureRecords(formats);
  writeFileSync(GOLDEN_READ_RECORDS, `${JSON.stringify(readRecords, null, 1)}\n`);
  const golden = computeGolden(formats, goldenInputs(model, readRecords));
  writeFileSync(GOLDEN_HASHES, `${JSON.stringify(golden, null, 1)}\n`);
  console.log(`wrote ${GOLDEN_HASHES} (${Object.keys(golden.named).length} named records, ${SYNTHETIC_COUNT} synthetic)`);
}
