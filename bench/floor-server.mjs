// The floor OAI-PMH server of the harvest benches, run as its own process:
//   node bench/floor-server.mjs TEMPLATES_FILE TOTAL [SALT]
// It serves TOTAL records as ListRecords oai_dc pages from the template pages
// (bench/serve-process.mjs writeTemplatePages), tokens "p<k>", and prints "floor <url>".
// Identifiers and DOIs are made unique per round of the templates (and per SALT, one per
// source in the workers bench): syn-7-000001 -> syn-7-r3-000001 or syn-7-s2r3-000001.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);

/** Starts the floor server process; resolves with it and its URL. */
export function startFloor(templatesFile, total, salt) {
  const args = [SELF, templatesFile, String(total), ...(salt === undefined ? [] : [String(salt)])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      const match = /floor (\S+)/.exec(out);
      if (match) resolve({ child, url: match[1] });
    });
    child.once('exit', (code) => reject(new Error(`floor server exited with ${code}`)));
  });
}

async function serveFloor(templatesFile, total, salt) {
  const pages = JSON.parse(readFileSync(templatesFile, 'utf8'));
  const pageSize = (pages[0].match(/<record>/g) ?? []).length;
  const count = Math.ceil(total / pageSize);
  const responseDate = `${new Date().toISOString().slice(0, 19)}Z`;
  const head =
    '<?xml version="1.0" encoding="UTF-8"?>\n<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ' +
    'xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">\n' +
    `<responseDate>${responseDate}</responseDate>\n`;
  const identify = Buffer.from(
    `${head}<request verb="Identify">http://floor.test/oai</request>\n<Identify><repositoryName>Floor${salt === undefined ? '' : ` ${salt}`}</repositoryName>` +
      '<baseURL>http://floor.test/oai</baseURL><protocolVersion>2.0</protocolVersion><adminEmail>floor@example.org</adminEmail>' +
      '<earliestDatestamp>2000-01-01T00:00:00Z</earliestDatestamp><deletedRecord>persistent</deletedRecord><granularity>YYYY-MM-DDThh:mm:ssZ</granularity></Identify></OAI-PMH>\n',
  );
  const cache = new Map();
  const recordsOf = (page) => {
    const round = Math.floor(page / pages.length);
    const key = `${page % pages.length}:${round}`;
    let body = cache.get(key);
    if (!body) {
      const stem = salt === undefined ? (round === 0 ? '' : `r${round}`) : `s${salt}r${round}`;
      const text = pages[page % pages.length];
      body = Buffer.from(stem === '' ? text : text.replaceAll('syn-7-', `syn-7-${stem}-`).replaceAll('/syn.', `/syn.${stem}.`));
      if (cache.size < 64) cache.set(key, body);
    }
    return body;
  };
  const server = createServer((req, res) => {
    const args = new URL(req.url ?? '/', 'http://floor').searchParams;
    let body = identify;
    if (args.get('verb') !== 'Identify') {
      const token = args.get('resumptionToken');
      const page = token === null ? 0 : Number(token.slice(1));
      const next = page + 1 < count ? `p${page + 1}` : '';
      body = Buffer.concat([
        Buffer.from(`${head}<request verb="ListRecords" metadataPrefix="oai_dc">http://floor.test/oai</request>\n<ListRecords>`),
        recordsOf(page),
        Buffer.from(`<resumptionToken completeListSize="${total}" cursor="${page * pageSize}">${next}</resumptionToken></ListRecords>\n</OAI-PMH>\n`),
      ]);
    }
    res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8', 'content-length': body.length });
    res.end(body);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.stdout.write(`floor http://127.0.0.1:${server.address().port}/oai\n`);
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

if (process.argv[1] === SELF) await serveFloor(process.argv[2], Number(process.argv[3]), process.argv[4]);
