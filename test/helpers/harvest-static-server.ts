import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Serves recorded OAI-PMH responses on 127.0.0.1. A request is looked up by its query string
 * normalised the way HTTP::OAI's recordings name them (arguments sorted by name, values
 * percent-encoded), so whatever order the harvester sends its arguments in, the same file answers.
 */
export function normaliseQuery(search: string): string {
  const params = [...new URLSearchParams(search)];
  params.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

/** Reads a recorded directory's mapping.txt (alternating lines: query, file). */
export function readMapping(dir: string): Map<string, Buffer> {
  const lines = readFileSync(join(dir, 'mapping.txt'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const map = new Map<string, Buffer>();
  for (let i = 0; i + 1 < lines.length; i += 2) {
    map.set(normaliseQuery(lines[i]!), readFileSync(join(dir, lines[i + 1]!)));
  }
  return map;
}

export interface StaticOaiServer {
  url: string;
  /** Normalised queries received, in order. */
  requests: string[];
  close(): Promise<void>;
}

export async function startStaticOaiServer(responses: Map<string, Buffer>, contentType = 'text/xml; charset=utf-8'): Promise<StaticOaiServer> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const key = normaliseQuery(url.search);
    requests.push(key);
    const body = responses.get(key);
    if (requests.length > 200 || body === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end(`no recorded response for ${key}`);
      return;
    }
    res.writeHead(200, { 'content-type': contentType, 'content-length': body.length });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/oai`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
