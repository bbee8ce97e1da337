// A load generator in its own process (so its parsing never competes with the server under
// test for the event loop): `node list-load.mjs URL CONCURRENCY PAGES PREFIX`. Each of
// CONCURRENCY clients harvests up to PAGES pages of ListRecords in PREFIX, following tokens, on
// its own connection. Prints "started" once every first request is sent, then one JSON line:
// { pages, statuses: { "200": n, ... }, bytes }.
import { Agent, get } from 'node:http';

const [url, concurrencyText, pagesText, prefix] = process.argv.slice(2);
const concurrency = Number(concurrencyText);
const maxPages = Number(pagesText);
const statuses = {};
let pages = 0;
let bytes = 0;

function fetchPage(agent, query) {
  return new Promise((resolve, reject) => {
    get(`${url}?${query}`, { agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => {
        chunks.push(c);
        bytes += c.length;
      });
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

async function client() {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let query = `verb=ListRecords&metadataPrefix=${prefix}`;
  for (let page = 0; page < maxPages; page++) {
    const { status, text } = await fetchPage(agent, query);
    statuses[status] = (statuses[status] ?? 0) + 1;
    pages++;
    if (status !== 200) break;
    const token = /<resumptionToken[^>]*>([^<]+)<\/resumptionToken>/.exec(text.slice(-2000));
    if (!token) break;
    query = `verb=ListRecords&resumptionToken=${encodeURIComponent(token[1])}`;
  }
  agent.destroy();
}

const running = Array.from({ length: concurrency }, () => client());
process.stdout.write('started\n');
await Promise.all(running);
process.stdout.write(JSON.stringify({ pages, statuses, bytes }) + '\n');
