// Shared by the OAI and harvest benchmarks: a real `pubmeta serve` in its own process.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Peak resident set size (VmHWM) of a process, in kB. */
export function vmHwmKb(pid = 'self') {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)[1]);
}

/** Records stamped in the current second are outside a list started in it (snapshot semantics): let it pass. */
export function waitPastCurrentSecond() {
  return new Promise((resolve) => setTimeout(resolve, 1_050 - (Date.now() % 1_000)));
}

/** Starts `pubmeta serve` on an ephemeral port; resolves with the process and its endpoint URL. */
export async function startServe(root, dbFile) {
  const server = spawn(process.execPath, [join(root, 'dist/cli/main.js'), 'serve', '--db', dbFile, '--port', '0', '--admin-email', 'bench@example.org'], {
    env: { ...process.env, PUBMETA_LOG_LEVEL: 'warn', PUBMETA_OAI_SECRET: 'bench-secret-0123456789abcdef' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (c) => {
      out += c;
      const match = /OAI-PMH endpoint: (\S+)/.exec(out);
      if (match) resolve(match[1]);
    });
    server.once('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
  return { server, url };
}

/** Stops a server started by startServe, waiting for it to exit. */
export async function stopServe(server) {
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
  }
}

/**
 * The record bytes of `pubmeta serve`'s ListRecords oai_dc pages over `records` synthetic records
 * (seed 7), `pageSize` per page: each page's <record> elements, without envelope or token. The
 * floor servers of the harvest benches serve them (identifiers made unique per round). Written
 * to <dir>/templates.json; returns that file.
 */
export async function writeTemplatePages(root, dir, { records, pageSize }) {
  const { syntheticRecord } = await import(join(root, 'dist/model/index.js'));
  const { openStore } = await import(join(root, 'dist/store/index.js'));
  const dbFile = join(dir, 'served.db');
  const store = await openStore(dbFile);
  await store.records.upsertMany(Array.from({ length: records }, (_, i) => syntheticRecord(i, 7)));
  await store.close();
  await waitPastCurrentSecond();
  const { server, url } = await startServe(root, dbFile);
  const pages = [];
  try {
    let query = 'verb=ListRecords&metadataPrefix=oai_dc';
    for (let page = 0; page < Math.ceil(records / pageSize); page++) {
      const xml = await (await fetch(`${url}?${query}`)).text();
      const start = xml.indexOf('<ListRecords>') + '<ListRecords>'.length;
      const end = xml.lastIndexOf('<resumptionToken');
      const body = xml.slice(start, end < 0 ? xml.lastIndexOf('</ListRecords>') : end);
      if ((body.match(/<record>/g) ?? []).length !== pageSize) throw new Error(`template page ${page} does not hold ${pageSize} records`);
      pages.push(body);
      const token = /<resumptionToken[^>]*>([^<]+)<\/resumptionToken>/.exec(xml);
      if (!token) break;
      query = `verb=ListRecords&resumptionToken=${encodeURIComponent(token[1])}`;
    }
  } finally {
    await stopServe(server);
  }
  const file = join(dir, 'templates.json');
  writeFileSync(file, JSON.stringify(pages));
  return file;
}
