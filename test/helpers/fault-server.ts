import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';

/**
 * A small OAI-PMH 2.0 repository on 127.0.0.1 with scripted failures. It holds N oai_dc records,
 * pages ListRecords with resumption tokens that need percent-encoding, honours from/until at
 * its granularity (a day-granularity server answers badArgument to seconds, §3.3.1), and for
 * any request a test-supplied `fault` function may pick a failure instead of the normal answer.
 * Bounded: after `maxRequests` requests it answers 500, so a looping harvester cannot spin.
 * Besides ListRecords it answers Identify, ListMetadataFormats (oai_dc), ListSets (one set,
 * "fault") and GetRecord. Giant records (a title of many megabytes, a record that never closes)
 * are streamed from one reused buffer, optionally gzip-compressed, so the server's own memory
 * stays small whatever it sends.
 */

export type Granularity = 'YYYY-MM-DD' | 'YYYY-MM-DDThh:mm:ssZ';

export interface FaultRecord {
  index: number;
  identifier: string;
  datestamp: string;
  deleted: boolean;
  /** Bumped by touch(): changes the title, so a re-harvest sees new content. */
  version: number;
  /** Put invalid UTF-8 and control characters into the description. */
  badBytes: boolean;
  /** Send the record with mismatched tags (not well-formed XML). */
  malformed: boolean;
}

export interface FaultRequest {
  n: number;
  verb: string;
  args: Record<string, string>;
  /** The raw query string as received (to check percent-encoding). */
  rawQuery: string;
  /** 1-based count of ListRecords requests. */
  listRequest: number;
  /** When it arrived (Date.now()) and its HTTP From header. */
  at?: number;
  from?: string | undefined;
}

export type FaultAction =
  | { kind: 'status'; status: number; retryAfter?: string; body?: string }
  | { kind: 'reset'; afterBytes: number }
  | { kind: 'truncate'; afterBytes: number }
  | { kind: 'html' }
  | { kind: 'empty' }
  | { kind: 'contentType'; contentType: string; body: string }
  | { kind: 'badResumptionToken' }
  | { kind: 'stallHeaders'; ms: number }
  | { kind: 'stallBody'; afterBytes: number; ms: number }
  | { kind: 'trickle'; chunkBytes: number; intervalMs: number }
  | { kind: 'repeatToken' }
  | { kind: 'delay'; ms: number }
  /** An OAI-PMH error document (§3.6) sent with this HTTP status (InvenioRDM: noRecordsMatch with 422). */
  | { kind: 'oaiError'; status: number; code: string; message?: string }
  /** A redirect (e.g. to file:///etc/passwd). */
  | { kind: 'redirect'; status: number; location: string };

/**
 * A record of unusual size: `title` closes normally after `bytes` bytes of title text; `unclosed`
 * opens its title and never closes anything again: after `bytes` bytes the response ends with
 * </ListRecords></OAI-PMH> (put it last on its page: what follows it is inside it).
 */
export interface GiantRecord {
  kind: 'title' | 'unclosed';
  bytes: number;
  /** What the title is made of: text (default), or spaces (compresses about 1000:1, a gzip bomb). */
  fill?: 'text' | 'spaces';
}

export interface FaultServerOptions {
  records: number;
  pageSize?: number;
  granularity?: Granularity;
  /** Datestamp of record i (default: 2024-03-01 plus i minutes, or plus i days at day granularity). */
  datestamp?: (index: number) => string;
  badBytes?: (index: number) => boolean;
  malformed?: (index: number) => boolean;
  fault?: (request: FaultRequest) => FaultAction | undefined;
  /** List order: by datestamp (default) or by record index, whatever the datestamps. */
  order?: 'datestamp' | 'index';
  /** The server's clock for responseDate. */
  now?: () => Date;
  maxRequests?: number;
  repositoryIdentifier?: string;
  /** Records of unusual size (see GiantRecord). */
  giant?: (index: number) => GiantRecord | undefined;
  /** Send every 200 response gzip-compressed (Content-Encoding: gzip). */
  gzip?: boolean;
  /** A runaway list: the last page comes again and again, each time with a fresh token. */
  runaway?: boolean;
  /** Called as each request arrives (before it is answered). */
  onRequest?: (request: FaultRequest) => void;
  /** DOIs are 10.5555/<doiStem>.<index> (default "fault"): servers standing for different repositories need different ones. */
  doiStem?: string;
}

export interface FaultServer {
  url: string;
  records: FaultRecord[];
  requests: FaultRequest[];
  /** Issued tokens still valid. */
  tokens: Map<string, TokenState>;
  /** Changes record i (new datestamp, new content). */
  touch(index: number, datestamp: string): void;
  /** Expires every issued token (as a server restart would). */
  expireTokens(): void;
  close(): Promise<void>;
}

interface TokenState {
  offset: number;
  from: string | undefined;
  until: string | undefined;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function faultIdentifier(index: number, repositoryIdentifier = 'fault.test'): string {
  return `oai:${repositoryIdentifier}:rec/${index}`;
}

/** The title record i carries at a version (tests compare harvested content with it). */
export function faultTitle(index: number, version: number): string {
  return `Fault-tolerant harvesting, part ${index}${version > 0 ? ` (revision ${version})` : ''}`;
}

function headerXml(record: FaultRecord): string {
  return `<header${record.deleted ? ' status="deleted"' : ''}><identifier>${escapeXml(record.identifier)}</identifier><datestamp>${record.datestamp}</datestamp><setSpec>fault</setSpec></header>`;
}

/** The bytes of a record as the server sends it in ListRecords. */
export function faultRecordXml(record: FaultRecord, doiStem = 'fault'): Buffer {
  return recordXml(record, doiStem);
}

function recordXml(record: FaultRecord, doiStem = 'fault'): Buffer {
  const header = headerXml(record);
  if (record.deleted) return Buffer.from(`<record>${header}</record>`);
  const year = record.datestamp.slice(0, 4);
  const before =
    `<record>${header}<metadata><oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/" ` +
    `xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/oai_dc/ http://www.openarchives.org/OAI/2.0/oai_dc.xsd">` +
    `<dc:title xml:lang="en">${escapeXml(faultTitle(record.index, record.version))}</dc:${record.malformed ? 'titel' : 'title'}>` +
    `<dc:creator>Tester, Ada</dc:creator><dc:creator>Harvester, Grace</dc:creator>` +
    `<dc:description xml:lang="en">Record ${record.index} of the fault-injection repository. `;
  const after =
    `</dc:description>` +
    `<dc:publisher>Fault Press</dc:publisher><dc:date>${year}-03-01</dc:date><dc:type>info:eu-repo/semantics/article</dc:type>` +
    `<dc:identifier>https://doi.org/10.5555/${doiStem}.${record.index}</dc:identifier>` +
    `<dc:source>Journal of Fault Injection; Vol. 1 No. 1 (${year})</dc:source><dc:language>en</dc:language>` +
    `</oai_dc:dc></metadata></record>`;
  // A lone 0xC2 lead byte, a lone continuation byte and an ACK control character, as real servers emit.
  const middle = record.badBytes ? Buffer.from([0x41, 0xc2, 0x0a, 0x80, 0x42, 0x06, 0x43]) : Buffer.alloc(0);
  return Buffer.concat([Buffer.from(before), middle, Buffer.from(after)]);
}

/** A piece of a streamed body: bytes, or `bytes` bytes of one buffer repeated. */
type BodyPart = Buffer | { repeat: Buffer; bytes: number };

/** Title text for giant records: letters and spaces, 1 MiB, reused for every megabyte sent. */
const FILLER = Buffer.from('Lorem ipsum dolor sit amet '.repeat(Math.ceil((1 << 20) / 27)).slice(0, 1 << 20));

const SPACES = Buffer.alloc(1 << 20, 0x20);

/** The bytes before and after the giant title text of record i. */
function giantRecordXml(record: FaultRecord, giant: GiantRecord): [Buffer, Buffer] {
  const header = `<header><identifier>${escapeXml(record.identifier)}</identifier><datestamp>${record.datestamp}</datestamp><setSpec>fault</setSpec></header>`;
  const before =
    `<record>${header}<metadata><oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/">` +
    `<dc:title xml:lang="en">`;
  if (giant.kind === 'unclosed') return [Buffer.from(before), Buffer.alloc(0)];
  const after = `</dc:title><dc:identifier>https://doi.org/10.5555/fault.${record.index}</dc:identifier></oai_dc:dc></metadata></record>\n`;
  return [Buffer.from(before), Buffer.from(after)];
}

export async function startFaultServer(options: FaultServerOptions): Promise<FaultServer> {
  const granularity = options.granularity ?? 'YYYY-MM-DDThh:mm:ssZ';
  const pageSize = options.pageSize ?? 10;
  const maxRequests = options.maxRequests ?? 500;
  const repositoryIdentifier = options.repositoryIdentifier ?? 'fault.test';
  const now = options.now ?? (() => new Date());
  const base = Date.UTC(2024, 2, 1);
  const defaultDatestamp = (i: number) =>
    granularity === 'YYYY-MM-DD'
      ? new Date(base + i * 86_400_000).toISOString().slice(0, 10)
      : `${new Date(base + i * 60_000).toISOString().slice(0, 19)}Z`;
  const records: FaultRecord[] = [];
  for (let i = 0; i < options.records; i++) {
    records.push({
      index: i,
      identifier: faultIdentifier(i, repositoryIdentifier),
      datestamp: (options.datestamp ?? defaultDatestamp)(i),
      deleted: false,
      version: 0,
      badBytes: options.badBytes?.(i) ?? false,
      malformed: options.malformed?.(i) ?? false,
    });
  }
  const requests: FaultRequest[] = [];
  const tokens = new Map<string, TokenState>();
  let tokenCounter = 0;
  let listRequests = 0;
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };

  const envelope = (request: string, inner: string) =>
    `<?xml version="1.0" encoding="UTF-8"?>\n<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ` +
    `xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">` +
    `<responseDate>${now().toISOString().slice(0, 19)}Z</responseDate>${request}${inner}</OAI-PMH>\n`;
  const oaiError = (code: string, message: string) => Buffer.from(envelope('<request>http://fault.test/oai</request>', `<error code="${code}">${escapeXml(message)}</error>`));

  // from/until compare at their own granularity: a day argument covers the whole day (§3.3.1).
  const inRange = (datestamp: string, from: string | undefined, until: string | undefined) => {
    const at = (argument: string) => (DAY.test(argument) ? datestamp.slice(0, 10) : datestamp);
    if (from !== undefined && at(from) < from) return false;
    if (until !== undefined && at(until) > until) return false;
    return true;
  };

  /** ListRecords, or ListIdentifiers with `headersOnly`. */
  function listRecords(args: Record<string, string>, repeatToken: boolean, headersOnly = false): Buffer | BodyPart[] {
    const verb = headersOnly ? 'ListIdentifiers' : 'ListRecords';
    let state: TokenState;
    let requestedToken: string | undefined;
    if (args.resumptionToken !== undefined) {
      if (Object.keys(args).length !== 2) return oaiError('badArgument', 'resumptionToken is an exclusive argument');
      requestedToken = args.resumptionToken;
      const found = tokens.get(requestedToken);
      if (!found) return oaiError('badResumptionToken', 'The resumptionToken is invalid or expired');
      state = found;
    } else {
      if (args.metadataPrefix === undefined) return oaiError('badArgument', 'metadataPrefix is required');
      if (args.metadataPrefix !== 'oai_dc') return oaiError('cannotDisseminateFormat', `${args.metadataPrefix} is not supported`);
      for (const name of ['from', 'until'] as const) {
        const value = args[name];
        if (value === undefined) continue;
        const ok = granularity === 'YYYY-MM-DD' ? DAY.test(value) : DAY.test(value) || SECONDS.test(value);
        if (!ok) return oaiError('badArgument', `${name}=${value} is not a legal datestamp at granularity ${granularity}`);
      }
      if (args.set !== undefined && args.set !== 'fault') return oaiError('noRecordsMatch', 'No records in that set');
      state = { offset: 0, from: args.from, until: args.until };
    }
    const matching = records
      .filter((r) => inRange(r.datestamp, state.from, state.until))
      .sort((a, b) =>
        options.order === 'index' ? a.index - b.index : a.datestamp < b.datestamp ? -1 : a.datestamp > b.datestamp ? 1 : a.index - b.index,
      );
    if (matching.length === 0) return oaiError('noRecordsMatch', 'No records match');
    const pageRecords = matching.slice(state.offset, state.offset + pageSize);
    let tokenElement = '';
    const complete = `completeListSize="${matching.length}" cursor="${state.offset}"`;
    if (repeatToken && requestedToken !== undefined) {
      tokenElement = `<resumptionToken ${complete}>${escapeXml(requestedToken)}</resumptionToken>`;
    } else if (options.runaway && state.offset + pageSize >= matching.length) {
      const token = `runaway${++tokenCounter}`;
      tokens.set(token, { offset: state.offset, from: state.from, until: state.until });
      tokenElement = `<resumptionToken ${complete}>${escapeXml(token)}</resumptionToken>`;
    } else if (state.offset + pageSize < matching.length) {
      // Characters a harvester must percent-encode (§3.5, guidelines §6.1): / + = & % space ? #
      const token = `t${++tokenCounter}/${state.offset + pageSize}+${state.from ?? ''}=&% ?#${state.until ?? ''}`;
      tokens.set(token, { offset: state.offset + pageSize, from: state.from, until: state.until });
      tokenElement = `<resumptionToken ${complete}>${escapeXml(token)}</resumptionToken>`;
    } else if (state.offset > 0) {
      tokenElement = `<resumptionToken ${complete}/>`;
    }
    const head = Buffer.from(
      envelope(`<request verb="${verb}">http://fault.test/oai</request>`, `<${verb}>\n`).replace(/<\/OAI-PMH>\n$/, ''),
    );
    const parts: BodyPart[] = [head];
    for (const record of pageRecords) {
      if (headersOnly) {
        parts.push(Buffer.from(`${headerXml(record)}\n`));
        continue;
      }
      const giant = options.giant?.(record.index);
      if (giant === undefined) {
        parts.push(recordXml(record, options.doiStem), Buffer.from('\n'));
        continue;
      }
      const [before, after] = giantRecordXml(record, giant);
      parts.push(before, { repeat: giant.fill === 'spaces' ? SPACES : FILLER, bytes: giant.bytes }, after);
      if (giant.kind === 'unclosed') return [...parts, Buffer.from('</ListRecords></OAI-PMH>\n')];
    }
    parts.push(Buffer.from(`${tokenElement}</${verb}></OAI-PMH>\n`));
    return parts.every((part) => Buffer.isBuffer(part)) ? Buffer.concat(parts) : parts;
  }

  function getRecord(args: Record<string, string>): Buffer {
    if (args.identifier === undefined || args.metadataPrefix === undefined) return oaiError('badArgument', 'identifier and metadataPrefix are required');
    const record = records.find((r) => r.identifier === args.identifier);
    if (!record) return oaiError('idDoesNotExist', `${args.identifier} is unknown`);
    if (args.metadataPrefix !== 'oai_dc') return oaiError('cannotDisseminateFormat', `${args.metadataPrefix} is not supported`);
    return Buffer.from(
      envelope(
        `<request verb="GetRecord" identifier="${escapeXml(args.identifier)}" metadataPrefix="oai_dc">http://fault.test/oai</request>`,
        `<GetRecord>${recordXml(record, options.doiStem).toString('latin1')}</GetRecord>`,
      ),
      'latin1',
    );
  }

  function listMetadataFormats(args: Record<string, string>): Buffer {
    if (args.identifier !== undefined && !records.some((r) => r.identifier === args.identifier)) {
      return oaiError('idDoesNotExist', `${args.identifier} is unknown`);
    }
    return Buffer.from(
      envelope(
        '<request verb="ListMetadataFormats">http://fault.test/oai</request>',
        '<ListMetadataFormats><metadataFormat><metadataPrefix>oai_dc</metadataPrefix><schema>http://www.openarchives.org/OAI/2.0/oai_dc.xsd</schema>' +
          '<metadataNamespace>http://www.openarchives.org/OAI/2.0/oai_dc/</metadataNamespace></metadataFormat></ListMetadataFormats>',
      ),
    );
  }

  function listSets(): Buffer {
    return Buffer.from(
      envelope(
        '<request verb="ListSets">http://fault.test/oai</request>',
        '<ListSets><set><setSpec>fault</setSpec><setName>Every fault record</setName></set></ListSets>',
      ),
    );
  }

  function identify(): Buffer {
    return Buffer.from(
      envelope(
        '<request verb="Identify">http://fault.test/oai</request>',
        `<Identify><repositoryName>Fault Injection Repository</repositoryName><baseURL>http://fault.test/oai</baseURL>` +
          `<protocolVersion>2.0</protocolVersion><adminEmail>admin@fault.test</adminEmail>` +
          `<earliestDatestamp>${granularity === 'YYYY-MM-DD' ? '2024-03-01' : '2024-03-01T00:00:00Z'}</earliestDatestamp>` +
          `<deletedRecord>persistent</deletedRecord><granularity>${granularity}</granularity></Identify>`,
      ),
    );
  }

  function send(req: IncomingMessage, res: ServerResponse, body: Buffer, action: FaultAction | undefined): void {
    const xmlHeaders = { 'content-type': 'text/xml; charset=utf-8' };
    switch (action?.kind) {
      case undefined:
      case 'repeatToken':
        if (options.gzip) {
          void stream(res, [body]);
          return;
        }
        res.writeHead(200, { ...xmlHeaders, 'content-length': body.length });
        res.end(body);
        return;
      case 'oaiError': {
        const error = oaiError(action.code, action.message ?? `${action.code} (sent with HTTP ${action.status})`);
        res.writeHead(action.status, { ...xmlHeaders, 'content-length': error.length });
        res.end(error);
        return;
      }
      case 'redirect':
        res.writeHead(action.status, { location: action.location, 'content-type': 'text/plain' });
        res.end(`moved to ${action.location}`);
        return;
      case 'delay':
        later(action.ms, () => send(req, res, body, undefined));
        return;
      case 'status': {
        const headers: Record<string, string> = { 'content-type': 'text/plain' };
        if (action.retryAfter !== undefined) headers['retry-after'] = action.retryAfter;
        res.writeHead(action.status, headers);
        res.end(action.body ?? `status ${action.status}`);
        return;
      }
      case 'reset':
        res.writeHead(200, { ...xmlHeaders, 'content-length': body.length });
        res.write(body.subarray(0, action.afterBytes));
        later(20, () => req.socket.resetAndDestroy());
        return;
      case 'truncate':
        res.writeHead(200, xmlHeaders);
        res.end(body.subarray(0, action.afterBytes));
        return;
      case 'html':
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end('<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1><hr><p>nginx</p></body></html>\n');
        return;
      case 'empty':
        res.writeHead(200, { ...xmlHeaders, 'content-length': 0 });
        res.end();
        return;
      case 'contentType':
        res.writeHead(200, { 'content-type': action.contentType });
        res.end(action.body);
        return;
      case 'badResumptionToken': {
        const error = oaiError('badResumptionToken', 'The resumptionToken has expired');
        res.writeHead(200, { ...xmlHeaders, 'content-length': error.length });
        res.end(error);
        return;
      }
      case 'stallHeaders':
        later(action.ms, () => {
          if (!res.destroyed && !req.socket.destroyed) send(req, res, body, undefined);
        });
        return;
      case 'stallBody':
        res.writeHead(200, { ...xmlHeaders, 'content-length': body.length });
        res.write(body.subarray(0, action.afterBytes));
        later(action.ms, () => {
          if (!res.destroyed && !req.socket.destroyed) res.end(body.subarray(action.afterBytes));
        });
        return;
      case 'trickle': {
        res.writeHead(200, { ...xmlHeaders, 'content-length': body.length });
        let offset = 0;
        const step = () => {
          if (res.destroyed || req.socket.destroyed) return;
          const next = Math.min(body.length, offset + action.chunkBytes);
          res.write(body.subarray(offset, next));
          offset = next;
          if (offset >= body.length) res.end();
          else later(action.intervalMs, step);
        };
        step();
        return;
      }
    }
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const args: Record<string, string> = {};
    for (const [key, value] of url.searchParams) args[key] = value;
    const verb = args.verb ?? '';
    delete args.verb;
    if (verb === 'ListRecords') listRequests++;
    const request: FaultRequest = { n: requests.length + 1, verb, args, rawQuery: url.search.slice(1), listRequest: verb === 'ListRecords' ? listRequests : 0, at: Date.now(), from: req.headers.from };
    requests.push(request);
    options.onRequest?.(request);
    if (request.n > maxRequests) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('request cap of the fault server reached');
      return;
    }
    const action = options.fault?.(request);
    let body: Buffer | BodyPart[];
    if (verb === 'Identify') body = identify();
    else if (verb === 'ListRecords') body = listRecords({ ...args, verb }, action?.kind === 'repeatToken');
    else if (verb === 'ListIdentifiers') body = listRecords({ ...args, verb }, action?.kind === 'repeatToken', true);
    else if (verb === 'GetRecord') body = getRecord(args);
    else if (verb === 'ListMetadataFormats') body = listMetadataFormats(args);
    else if (verb === 'ListSets') body = listSets();
    else body = oaiError('badVerb', `unsupported verb ${verb}`);
    if (Array.isArray(body)) {
      // Giant records: streamed (faults other than these do not apply).
      void stream(res, body);
      return;
    }
    send(req, res, body, action);
  });

  /** Writes the parts with backpressure (gzip-compressed when asked); stops when the client goes away. */
  async function stream(res: ServerResponse, parts: BodyPart[]): Promise<void> {
    const headers: Record<string, string> = { 'content-type': 'text/xml; charset=utf-8' };
    if (options.gzip) headers['content-encoding'] = 'gzip';
    res.writeHead(200, headers);
    const gzip = options.gzip ? createGzip({ level: 1 }) : undefined;
    if (gzip) {
      gzip.pipe(res);
      gzip.on('error', () => undefined);
    }
    const out = gzip ?? res;
    const write = async (chunk: Buffer) => {
      if (!out.write(chunk)) await Promise.race([once(out, 'drain'), once(res, 'close')]);
    };
    try {
      for (const part of parts) {
        if (res.destroyed) return;
        if (Buffer.isBuffer(part)) {
          await write(part);
          continue;
        }
        for (let left = part.bytes; left > 0 && !res.destroyed; left -= part.repeat.length) {
          await write(left >= part.repeat.length ? part.repeat : part.repeat.subarray(0, left));
        }
      }
      out.end();
    } catch {
      res.destroy();
    }
  }
  server.keepAliveTimeout = 2000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/oai`,
    records,
    requests,
    tokens,
    touch(index, datestamp) {
      const record = records[index]!;
      record.datestamp = datestamp;
      record.version++;
    },
    expireTokens() {
      tokens.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
