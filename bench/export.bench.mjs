// Export benchmark, issue 10's targets:
//  1. the XML writers with rate targets (oai_dc, JATS 1.3, Crossref 5.3.1) alone against a
//     floor: minimal hand-written template-literal serialisers of the same fields (below), the
//     lower bound for any writer; ratio writer/floor, target <= 3x;
//  2. every registered format end to end through the export pipeline (src/export/: write,
//     validate every output as its descriptor says, name, write atomically: temp files flushed,
//     renamed and their directory flushed every 256 files), in a process of its own per format
//     and size, records generated as they are read: records/s and peak RSS at 10k and 100k
//     records. Targets: >= 5,000 records/s oai_dc, >= 2,500 JATS and Crossref; peak RSS < 250 MB
//     in every format. The one-off XSD compile is timed apart (it does not grow with records).
// Uses the built package (dist/): run through `npm run bench`.
// PUBMETA_BENCH_SIZES=10000,100000 changes the end-to-end sizes; PUBMETA_BENCH_WRITER_RECORDS
// (default 10000) the writer comparison's; PUBMETA_BENCH_DIR where files go (default the OS
// temp dir); PUBMETA_BENCH_THREAD=0 skips the runs with the optional validation thread.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSyntheticRecords, syntheticRecord } from '../dist/model/index.js';
import { FORMATS, toCrossref, toJats, toOaiDc } from '../dist/formats/index.js';
import { runExport } from '../dist/export/index.js';
import { precompileSchemas } from '../dist/validate/index.js';
import { AtomicFileBatch } from '../dist/export/atomicWrite.js';

const CROSSREF_BATCH = 100; // records per doi_batch: the pipeline's default
const HEAD = { depositor: { name: 'Bench Press', email: 'bench@example.org' }, registrant: 'Bench Press' };
const TARGET_RATE = { oai_dc: 5000, jats: 2500, crossref: 2500 };
const TARGET_RATIO = 3;
const TARGET_RSS_MB = 250;
const SEED = 42;

// ---------------------------------------------------------------------------------------------
// The floor: template literals, one escape function, no DOM, no namespace bookkeeping.

const ESCAPABLE = /[&<>"]/;
function esc(value) {
  const s = String(value);
  if (!ESCAPABLE.test(s)) return s;
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
const primaryFirst = (map, lang) => (map ? Object.keys(map).sort((a, b) => (a === lang ? -1 : b === lang ? 1 : 0)) : []);
const paras = (text) => text.split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean);
const partial = (d) => {
  const [year, month, day] = String(d).split('-');
  return { year, month, day };
};
const pubDate = (r) => r.dates?.published?.online ?? r.dates?.published?.print ?? r.issue?.publicationDate ?? (r.issue?.year !== undefined ? String(r.issue.year) : undefined);

function floorOaiDc(r) {
  let x = '<?xml version="1.0" encoding="UTF-8"?>\n<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/oai_dc/ http://www.openarchives.org/OAI/2.0/oai_dc.xsd">\n';
  for (const l of primaryFirst(r.title, r.language)) x += `  <dc:title xml:lang="${esc(l)}">${esc(r.subtitle?.[l] ? `${r.title[l]}: ${r.subtitle[l]}` : r.title[l])}</dc:title>\n`;
  for (const c of r.contributors) {
    const name = c.type === 'organization' ? c.name : c.given ? `${c.family}, ${c.given}` : c.family;
    x += `  <dc:${(c.role ?? 'author') === 'author' ? 'creator' : 'contributor'}>${esc(name)}</dc:${(c.role ?? 'author') === 'author' ? 'creator' : 'contributor'}>\n`;
  }
  for (const l of primaryFirst(r.keywords, r.language)) for (const k of r.keywords[l]) x += `  <dc:subject xml:lang="${esc(l)}">${esc(k)}</dc:subject>\n`;
  for (const l of primaryFirst(r.abstract, r.language)) x += `  <dc:description xml:lang="${esc(l)}">${esc(r.abstract[l])}</dc:description>\n`;
  if (r.journal.publisher) x += `  <dc:publisher>${esc(r.journal.publisher.name)}</dc:publisher>\n`;
  if (pubDate(r)) x += `  <dc:date>${esc(pubDate(r))}</dc:date>\n`;
  x += '  <dc:type>info:eu-repo/semantics/article</dc:type>\n  <dc:type>info:eu-repo/semantics/publishedVersion</dc:type>\n  <dc:type>Text</dc:type>\n';
  for (const g of r.galleys ?? []) x += `  <dc:format>${esc(g.mimeType)}</dc:format>\n`;
  x += `  <dc:identifier>https://doi.org/${esc(r.doi)}</dc:identifier>\n`;
  if (r.landingPage) x += `  <dc:identifier>${esc(r.landingPage)}</dc:identifier>\n`;
  x += `  <dc:source>${esc(`${r.journal.title}; Vol ${r.issue?.volume} No ${r.issue?.number} (${r.issue?.year})`)}</dc:source>\n`;
  for (const i of r.journal.issns ?? []) x += `  <dc:source>${esc(i.value)}</dc:source>\n`;
  x += `  <dc:language>${esc(r.language)}</dc:language>\n`;
  for (const g of r.galleys ?? []) x += `  <dc:relation>${esc(g.url)}</dc:relation>\n`;
  if (r.license) x += `  <dc:rights>info:eu-repo/semantics/openAccess</dc:rights>\n  <dc:rights>${esc(r.license.url)}</dc:rights>\n`;
  return `${x}</oai_dc:dc>\n`;
}

function floorJatsDate(tag, d, attrs) {
  const p = partial(d);
  return `<${tag}${attrs} iso-8601-date="${esc(d)}">${p.day ? `<day>${p.day}</day>` : ''}${p.month ? `<month>${p.month}</month>` : ''}<year>${p.year}</year></${tag}>`;
}

function floorJats(r) {
  const affs = [];
  const affId = (a) => {
    let i = affs.findIndex((b) => b.name === a.name && b.ror === a.ror);
    if (i < 0) i = affs.push(a) - 1;
    return `aff${i + 1}`;
  };
  const name = (p, lang) => `<name${lang ? ` xml:lang="${esc(lang)}"` : ''}><surname>${esc(p.family)}</surname>${p.given ? `<given-names>${esc(p.given)}</given-names>` : ''}</name>`;
  let contribs = '';
  for (const c of r.contributors) {
    let x = `<contrib contrib-type="${c.role ?? 'author'}"${c.corresponding ? ' corresp="yes"' : ''}>`;
    if (c.orcid) x += `<contrib-id contrib-id-type="orcid">https://orcid.org/${esc(c.orcid)}</contrib-id>`;
    if (c.type === 'organization') x += `<collab>${esc(c.name)}</collab>`;
    else if (c.nameVariants) x += `<name-alternatives>${name(c)}${Object.entries(c.nameVariants).map(([l, v]) => name(v, l)).join('')}</name-alternatives>`;
    else x += name(c);
    for (const a of c.affiliations ?? []) x += `<xref ref-type="aff" rid="${affId(a)}"/>`;
    if (c.email) x += `<email>${esc(c.email)}</email>`;
    contribs += `${x}</contrib>`;
  }
  const titleLangs = primaryFirst(r.title, r.language);
  const absLangs = primaryFirst(r.abstract, r.language);
  const issns = [...(r.journal.issns ?? [])].sort((a) => (a.media === 'electronic' ? -1 : 1));
  let x = `<?xml version="1.0" encoding="UTF-8"?>\n<article xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:ali="http://www.niso.org/schemas/ali/1.0/" dtd-version="1.3" article-type="${esc(r.articleType ?? 'research-article')}" xml:lang="${esc(r.language)}"><front><journal-meta>`;
  x += `<journal-id journal-id-type="issn">${esc(issns[0].value)}</journal-id><journal-title-group><journal-title>${esc(r.journal.title)}</journal-title>${r.journal.abbrevTitle ? `<abbrev-journal-title>${esc(r.journal.abbrevTitle)}</abbrev-journal-title>` : ''}</journal-title-group>`;
  for (const i of issns) x += `<issn publication-format="${i.media}">${esc(i.value)}</issn>`;
  if (r.journal.publisher) x += `<publisher><publisher-name>${esc(r.journal.publisher.name)}</publisher-name>${r.journal.publisher.place ? `<publisher-loc>${esc(r.journal.publisher.place)}</publisher-loc>` : ''}</publisher>`;
  x += `</journal-meta><article-meta><article-id pub-id-type="doi">${esc(r.doi)}</article-id>`;
  if (r.section) x += `<article-categories><subj-group subj-group-type="heading"><subject>${esc(r.section)}</subject></subj-group></article-categories>`;
  x += `<title-group><article-title>${esc(r.title[titleLangs[0]])}</article-title>`;
  for (const l of titleLangs.slice(1)) x += `<trans-title-group xml:lang="${esc(l)}"><trans-title>${esc(r.title[l])}</trans-title></trans-title-group>`;
  x += `</title-group><contrib-group>${contribs}</contrib-group>`;
  affs.forEach((a, i) => {
    x += `<aff id="aff${i + 1}">${a.ror ? `<institution-wrap><institution>${esc(a.name)}</institution><institution-id institution-id-type="ror">${esc(a.ror)}</institution-id></institution-wrap>` : `<institution>${esc(a.name)}</institution>`}${a.country ? `<country country="${esc(a.country)}">${esc(a.country)}</country>` : ''}</aff>`;
  });
  if (r.dates?.published?.online) x += floorJatsDate('pub-date', r.dates.published.online, ' publication-format="electronic" date-type="pub"');
  if (r.dates?.published?.print) x += floorJatsDate('pub-date', r.dates.published.print, ' publication-format="print" date-type="pub"');
  const issueDate = r.issue?.publicationDate ?? (r.issue?.year !== undefined ? String(r.issue.year) : undefined);
  if (issueDate) x += floorJatsDate('pub-date', issueDate, ' publication-format="electronic" date-type="collection"');
  if (!pubDate(r)) x += '<pub-date-not-available/>';
  if (r.issue?.volume) x += `<volume>${esc(r.issue.volume)}</volume>`;
  if (r.issue?.number) x += `<issue>${esc(r.issue.number)}</issue>`;
  if (r.pages) x += `<fpage>${esc(r.pages.first)}</fpage>${r.pages.last ? `<lpage>${esc(r.pages.last)}</lpage>` : ''}`;
  else if (r.articleNumber) x += `<elocation-id>${esc(r.articleNumber)}</elocation-id>`;
  if (r.dates?.received || r.dates?.accepted) {
    x += `<history>${r.dates.received ? floorJatsDate('date', r.dates.received, ' date-type="received"') : ''}${r.dates.accepted ? floorJatsDate('date', r.dates.accepted, ' date-type="accepted"') : ''}</history>`;
  }
  if (r.license || r.copyright) {
    x += `<permissions>${r.copyright?.year ? `<copyright-year>${r.copyright.year}</copyright-year>` : ''}${r.copyright?.holder ? `<copyright-holder>${esc(r.copyright.holder)}</copyright-holder>` : ''}`;
    if (r.license) x += `<license xlink:href="${esc(r.license.url)}"><ali:license_ref>${esc(r.license.url)}</ali:license_ref></license>`;
    x += '</permissions>';
  }
  if (r.landingPage) x += `<self-uri xlink:href="${esc(r.landingPage)}"/>`;
  for (const g of r.galleys ?? []) x += `<self-uri xlink:href="${esc(g.url)}" content-type="${esc(g.mimeType)}">${esc(g.label ?? '')}</self-uri>`;
  absLangs.forEach((l, i) => {
    const tag = i === 0 ? 'abstract' : 'trans-abstract';
    x += `<${tag}${i === 0 ? '' : ` xml:lang="${esc(l)}"`}>${paras(r.abstract[l]).map((p) => `<p>${esc(p)}</p>`).join('')}</${tag}>`;
  });
  for (const l of primaryFirst(r.keywords, r.language)) x += `<kwd-group xml:lang="${esc(l)}">${r.keywords[l].map((k) => `<kwd>${esc(k)}</kwd>`).join('')}</kwd-group>`;
  if (r.funding?.length) {
    x += '<funding-group>';
    for (const f of r.funding) x += `<award-group><funding-source>${esc(f.funderName)}</funding-source>${(f.awardIds ?? []).map((a) => `<award-id>${esc(a)}</award-id>`).join('')}</award-group>`;
    x += '</funding-group>';
  }
  x += '</article-meta></front>';
  if (r.references?.length) {
    x += '<back><ref-list>';
    r.references.forEach((ref, i) => {
      x += `<ref id="ref${i + 1}"><mixed-citation>${esc(ref.unstructured ?? '')}${ref.doi ? ` <pub-id pub-id-type="doi">${esc(ref.doi)}</pub-id>` : ''}</mixed-citation></ref>`;
    });
    x += '</ref-list></back>';
  }
  return `${x}</article>\n`;
}

function floorCrossrefDate(tag, d, media) {
  const p = partial(d);
  return `<${tag} media_type="${media}">${p.month ? `<month>${p.month}</month>` : ''}${p.day ? `<day>${p.day}</day>` : ''}<year>${p.year}</year></${tag}>`;
}

function floorCrossrefArticle(r) {
  let x = `<journal_article publication_type="full_text" language="${esc(r.language.split('-')[0])}">`;
  for (const l of primaryFirst(r.title, r.language)) x += `<titles><title>${esc(r.title[l])}</title></titles>`;
  x += '<contributors>';
  r.contributors.forEach((c, i) => {
    const seq = i === 0 ? 'first' : 'additional';
    if (c.type === 'organization') {
      x += `<organization sequence="${seq}" contributor_role="${c.role ?? 'author'}">${esc(c.name)}</organization>`;
      return;
    }
    x += `<person_name sequence="${seq}" contributor_role="${c.role ?? 'author'}">${c.given ? `<given_name>${esc(c.given)}</given_name>` : ''}<surname>${esc(c.family)}</surname>`;
    if (c.affiliations?.length) {
      x += `<affiliations>${c.affiliations.map((a) => `<institution><institution_name>${esc(a.name)}</institution_name>${a.ror ? `<institution_id type="ror">${esc(a.ror)}</institution_id>` : ''}</institution>`).join('')}</affiliations>`;
    }
    if (c.orcid) x += `<ORCID>https://orcid.org/${esc(c.orcid)}</ORCID>`;
    x += '</person_name>';
  });
  x += '</contributors>';
  for (const l of primaryFirst(r.abstract, r.language)) {
    x += `<jats:abstract xml:lang="${esc(l)}">${paras(r.abstract[l]).map((p) => `<jats:p>${esc(p)}</jats:p>`).join('')}</jats:abstract>`;
  }
  x += floorCrossrefDate('publication_date', pubDate(r), 'online');
  if (r.dates?.accepted) x += floorCrossrefDate('acceptance_date', r.dates.accepted, 'online');
  if (r.pages) x += `<pages><first_page>${esc(r.pages.first)}</first_page>${r.pages.last ? `<last_page>${esc(r.pages.last)}</last_page>` : ''}</pages>`;
  if (r.articleNumber) x += `<publisher_item><item_number item_number_type="article_number">${esc(r.articleNumber)}</item_number></publisher_item>`;
  if (r.funding?.length) {
    x += '<fr:program name="fundref">';
    for (const f of r.funding) {
      x += `<fr:assertion name="fundgroup"><fr:assertion name="funder_name">${esc(f.funderName)}${f.funderId ? `<fr:assertion name="funder_identifier">${esc(f.funderId)}</fr:assertion>` : ''}</fr:assertion>${(f.awardIds ?? []).map((a) => `<fr:assertion name="award_number">${esc(a)}</fr:assertion>`).join('')}</fr:assertion>`;
    }
    x += '</fr:program>';
  }
  if (r.license) x += `<ai:program name="AccessIndicators"><ai:license_ref applies_to="vor">${esc(r.license.url)}</ai:license_ref></ai:program>`;
  x += `<doi_data><doi>${esc(r.doi)}</doi><resource>${esc(r.landingPage)}</resource>`;
  const pdf = (r.galleys ?? []).find((g) => g.mimeType === 'application/pdf');
  if (pdf) {
    x += `<collection property="crawler-based"><item crawler="iParadigms"><resource>${esc(pdf.url)}</resource></item></collection>`;
    x += `<collection property="text-mining">${r.galleys.map((g) => `<item><resource mime_type="${esc(g.mimeType)}">${esc(g.url)}</resource></item>`).join('')}</collection>`;
  }
  x += '</doi_data>';
  if (r.references?.length) {
    x += '<citation_list>';
    r.references.forEach((ref, i) => {
      x += `<citation key="ref${i + 1}">${ref.doi ? `<doi>${esc(ref.doi)}</doi>` : ''}${ref.unstructured ? `<unstructured_citation>${esc(ref.unstructured)}</unstructured_citation>` : ''}</citation>`;
    });
    x += '</citation_list>';
  }
  return `${x}</journal_article>`;
}

let floorTimestamp = Date.now();
function floorCrossref(records) {
  const first = records[0];
  const j = first.journal;
  let x = `<?xml version="1.0" encoding="UTF-8"?>\n<doi_batch xmlns="http://www.crossref.org/schema/5.3.1" version="5.3.1" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.crossref.org/schema/5.3.1 https://www.crossref.org/schemas/crossref5.3.1.xsd" xmlns:jats="http://www.ncbi.nlm.nih.gov/JATS1" xmlns:fr="http://www.crossref.org/fundref.xsd" xmlns:ai="http://www.crossref.org/AccessIndicators.xsd">`;
  const stamp = ++floorTimestamp;
  x += `<head><doi_batch_id>floor-${stamp}</doi_batch_id><timestamp>${stamp}</timestamp><depositor><depositor_name>${esc(HEAD.depositor.name)}</depositor_name><email_address>${esc(HEAD.depositor.email)}</email_address></depositor><registrant>${esc(HEAD.registrant)}</registrant></head><body>`;
  // The floor skips journal/issue grouping: one <journal> per record.
  for (const r of records) {
    x += `<journal><journal_metadata><full_title>${esc(j.title)}</full_title>${(r.journal.issns ?? []).map((i) => `<issn media_type="${i.media}">${esc(i.value)}</issn>`).join('')}</journal_metadata>`;
    if (r.issue?.volume || r.issue?.number) {
      x += `<journal_issue>${floorCrossrefDate('publication_date', r.issue.publicationDate ?? String(r.issue.year ?? pubDate(r).slice(0, 4)), 'online')}${r.issue.volume ? `<journal_volume><volume>${esc(r.issue.volume)}</volume></journal_volume>` : ''}${r.issue.number ? `<issue>${esc(r.issue.number)}</issue>` : ''}</journal_issue>`;
    }
    x += `${floorCrossrefArticle(r)}</journal>`;
  }
  return `${x}</body></doi_batch>\n`;
}

// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// 2. End to end, in a child process per format and size (fresh heap, its own peak RSS).

/** The disk's part: the same number of files (3 KB each) written as the pipeline writes them, nothing rendered or checked. */
async function diskFloor(count, outDir) {
  const dir = join(outDir, 'floor');
  mkdirSync(dir, { recursive: true });
  const content = 'x'.repeat(3000);
  const t0 = performance.now();
  // As the pipeline commits: every 256 files.
  for (let i = 0; i < count; i += 256) {
    const files = new AtomicFileBatch({ durable: true });
    for (let k = i; k < Math.min(count, i + 256); k++) files.write(join(dir, `f${k}.xml`), content);
    await files.commit();
  }
  process.stdout.write(JSON.stringify({ ms: performance.now() - t0 }) + '\n');
}

async function child(formatId, count, outDir, thread) {
  if (formatId === 'disk') return diskFloor(count, outDir);
  const format = FORMATS.find((f) => f.id === formatId);
  const c0 = performance.now();
  if (format.validation.kind === 'xsd') precompileSchemas([format.validation.schemaId]);
  const compileMs = performance.now() - c0;
  const records = (function* () {
    for (let i = 0; i < count; i++) yield { record: syntheticRecord(i, SEED) };
  })();
  let failures = 0;
  const t0 = performance.now();
  const summary = await runExport(records, {
    outDir,
    formats: [format],
    deposit: HEAD,
    validationThread: thread,
    onEvent: (e) => {
      if (e.type === 'failure' && failures++ < 3) console.error(`${e.label}: ${e.message.slice(0, 300)}`);
    },
  });
  const ms = performance.now() - t0;
  const maxRssKb = process.resourceUsage().maxRSS;
  process.stdout.write(JSON.stringify({ ms, compileMs, maxRssKb, summary }) + '\n');
}

function endToEnd(formatId, count, thread = false) {
  const outDir = mkdtempSync(join(process.env.PUBMETA_BENCH_DIR ?? tmpdir(), `pubmeta-bench-export-${formatId}-`));
  try {
    const args = [fileURLToPath(import.meta.url), '--child', formatId, String(count), outDir, thread ? 'thread' : 'single'];
    const run = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (run.status !== 0) throw new Error(`child ${formatId} ${count} failed (${run.status}): ${run.stderr}`);
    if (run.stderr) process.stderr.write(run.stderr);
    return JSON.parse(run.stdout.trim().split('\n').pop());
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// 1. Writer alone against the floor, same records, interleaved rounds.

function writerVsFloor(items, write, floor) {
  // Warm-up: JIT for both.
  for (const item of items.slice(0, Math.ceil(items.length / 10))) {
    write(item);
    floor(item);
  }
  let writerMs = 0;
  let floorMs = 0;
  for (let round = 0; round < 3; round++) {
    let t = performance.now();
    for (const item of items) write(item);
    writerMs += performance.now() - t;
    t = performance.now();
    for (const item of items) floor(item);
    floorMs += performance.now() - t;
  }
  return { writerMs: writerMs / 3, floorMs: floorMs / 3 };
}

function batches(records, size) {
  const out = [];
  for (let i = 0; i < records.length; i += size) out.push(records.slice(i, i + size));
  return out;
}

const pad = (s, n) => String(s).padStart(n);
const rate = (count, ms) => Math.round(count / (ms / 1000));

async function main() {
  const writerCount = Number(process.env.PUBMETA_BENCH_WRITER_RECORDS ?? 10_000);
  const sizes = (process.env.PUBMETA_BENCH_SIZES ?? '10000,100000').split(',').map(Number);
  console.log(`machine: ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} (figures are for this machine at this load)`);
  const records = generateSyntheticRecords(writerCount, SEED);
  const writers = [
    { id: 'oai_dc', items: records, write: (r) => toOaiDc(r), floor: floorOaiDc },
    { id: 'jats', items: records, write: (r) => toJats(r), floor: floorJats },
    { id: 'crossref', items: batches(records, CROSSREF_BATCH), write: (b) => toCrossref(b, HEAD), floor: floorCrossref },
  ];
  let misses = 0;
  console.log(`\n1. writer alone, ${writerCount} synthetic records (Crossref in batches of ${CROSSREF_BATCH}), against the template-literal floor`);
  console.log(`${'format'.padEnd(10)}${pad('writer rec/s', 14)}${pad('floor rec/s', 13)}${pad('writer/floor', 14)}  target <= ${TARGET_RATIO}x`);
  for (const w of writers) {
    const { writerMs, floorMs } = writerVsFloor(w.items, w.write, w.floor);
    const ratio = writerMs / floorMs;
    if (ratio > TARGET_RATIO) misses++;
    console.log(`${w.id.padEnd(10)}${pad(rate(writerCount, writerMs), 14)}${pad(rate(writerCount, floorMs), 13)}${pad(`${ratio.toFixed(2)}x`, 14)}  ${ratio <= TARGET_RATIO ? 'ok' : 'MISSED'}`);
  }

  console.log('\n2. end to end: pubmeta\'s export pipeline (write, validate every output as its format descriptor says, write atomically with fsync), one process per run');
  console.log(`   output under ${process.env.PUBMETA_BENCH_DIR ?? tmpdir()}; the disk floor writes the same number of 3 KB files the same way, nothing rendered or checked`);
  console.log(`${'run'.padEnd(22)}${pad('records', 9)}${pad('rec/s', 8)}${pad('target', 8)}${pad('peak RSS', 10)}${pad('files', 8)}${pad('failed', 8)}${pad('XSD compile', 13)}`);
  let failed = 0;
  for (const count of sizes) {
    const floor = endToEnd('disk', count);
    console.log(`${'disk floor'.padEnd(22)}${pad(count, 9)}${pad(rate(count, floor.ms), 8)}`);
  }
  const runs = [];
  for (const { id } of FORMATS) {
    for (const count of sizes) runs.push({ id, count, thread: false });
    if (TARGET_RATE[id] && process.env.PUBMETA_BENCH_THREAD !== '0') runs.push({ id, count: sizes[0], thread: true });
  }
  for (const { id, count, thread } of runs) {
    const result = endToEnd(id, count, thread);
    const perSecond = rate(count, result.ms);
    const rssMb = result.maxRssKb / 1024;
    const ok = perSecond >= (TARGET_RATE[id] ?? 0) && rssMb < TARGET_RSS_MB;
    if (!ok && !thread) misses++;
    failed += result.summary.failures;
    console.log(
      `${(thread ? `${id} + thread` : id).padEnd(22)}${pad(count, 9)}${pad(perSecond, 8)}${pad(TARGET_RATE[id] ?? '-', 8)}${pad(`${rssMb.toFixed(0)} MB`, 10)}${pad(result.summary.files[id], 8)}` +
        `${pad(result.summary.failures, 8)}${pad(`${(result.compileMs / 1000).toFixed(1)} s`, 13)}  ${ok ? 'ok' : 'MISSED'}`,
    );
  }
  console.log(`\ntargets: ${misses === 0 ? 'all met' : `${misses} missed`}; peak RSS target < ${TARGET_RSS_MB} MB`);
  if (failed > 0) {
    console.log(`ERROR: ${failed} record/format pairs failed validation or export`);
    process.exit(1);
  }
}

if (process.argv[2] === '--child') await child(process.argv[3], Number(process.argv[4]), process.argv[5], process.argv[6] === 'thread');
else await main();
