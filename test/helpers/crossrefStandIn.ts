/**
 * A stand-in for Crossref's deposit servlet and submission log, for tests only. Listens on
 * 127.0.0.1 with an ephemeral port and speaks the documented protocol:
 * - POST /servlet/deposit (multipart/form-data: operation=doMDUpload, login_id, login_passwd,
 *   fname = the file) answers the HTML "SUCCESS ... Your batch submission was successfully
 *   received" page, or HTTP 401 for wrong credentials;
 * - GET or POST /servlet/submissionDownload (usr, pwd, file_name, type=result) answers
 *   doi_batch_diagnostic: "unknown_submission" for a file it never received, "queued" and
 *   "in_process" for a few polls, then "completed" with one record_diagnostic per DOI.
 * Like Crossref, it refuses a deposit whose timestamp is not greater than the last accepted
 * one for the same DOI, and reports a schema-invalid file as a single Failure without a DOI.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { XMLParser } from 'fast-xml-parser';

export interface StandInRequest {
  method: string;
  path: string;
  status: number;
  /** performance.now() when the request arrived. */
  at: number;
  fileName?: string;
}

export interface StandInSubmission {
  fileName: string;
  submissionId: string;
  batchId: string;
  timestamp: string;
  dois: string[];
  xml: string;
  results: { doi?: string; status: 'Success' | 'Warning' | 'Failure'; msg: string }[];
  pollsAnswered: number;
}

export interface CrossrefStandInOptions {
  username?: string;
  password?: string;
  /** Polls answered "queued"/"in_process" before the log is complete (default 2). */
  pollsBeforeCompleted?: number;
  /** Validate each deposit file against the Crossref schema (default: no validator). */
  validate?: (xml: string) => { valid: boolean; errors: { line: number; column: number; message: string }[] };
  /** Delay before answering a deposit, to let tests kill a client mid-upload. */
  depositDelayMs?: number;
  /** Answer bad credentials with Crossref's older HTML FAILURE page instead of HTTP 401. */
  authFailureAsHtml?: boolean;
}

export interface Fault {
  status: 429 | 500 | 502 | 503;
  retryAfter?: string;
  /** Which endpoint the fault applies to (default both). */
  endpoint?: 'deposit' | 'poll';
}

export interface CrossrefStandIn {
  url: string;
  requests: StandInRequest[];
  submissions: Map<string, StandInSubmission>;
  /** Protocol mistakes the client made (missing fields, wrong operation...). Tests assert it stays empty. */
  protocolErrors: string[];
  /** Crossref fails these DOIs with this message (until cleared). */
  failDoi(doi: string, message?: string): void;
  warnDoi(doi: string, message?: string): void;
  clearVerdicts(): void;
  /** The next `count` matching requests are answered with `fault` instead. */
  inject(fault: Fault, count?: number): void;
  /** Last accepted deposit timestamp per DOI. */
  acceptedTimestamps: Map<string, bigint>;
  options: CrossrefStandInOptions;
  close(): Promise<void>;
}

const xmlParser = new XMLParser({ ignoreAttributes: true, removeNSPrefix: true, parseTagValue: false, trimValues: true });

function collectDois(node: unknown, out: string[]): void {
  if (Array.isArray(node)) {
    for (const item of node) collectDois(item, out);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    if (key === 'doi_data') {
      for (const data of Array.isArray(value) ? value : [value]) {
        const doi = (data as Record<string, unknown> | undefined)?.['doi'];
        if (typeof doi === 'string' && doi && !out.includes(doi)) out.push(doi);
      }
    } else {
      collectDois(value, out);
    }
  }
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function html(title: string, message: string): string {
  return `<html>\n<head><title>${title}</title>\n</head>\n<body>\n<h2>${title}</h2>\n<p>${message}</p>\n</body>\n</html>\n`;
}

function diagnosticXml(status: string, submission?: StandInSubmission): string {
  if (!submission || status !== 'completed') {
    return `<?xml version="1.0" encoding="UTF-8"?>\n<doi_batch_diagnostic status="${status}" sp="stand-in">${
      submission ? `\n  <submission_id>${submission.submissionId}</submission_id>\n  <batch_id>${escapeXml(submission.batchId)}</batch_id>\n` : ''
    }</doi_batch_diagnostic>\n`;
  }
  const records = submission.results
    .map(
      (r) =>
        `  <record_diagnostic status="${r.status}">\n    ${r.doi ? `<doi>${escapeXml(r.doi)}</doi>` : '<doi />'}\n    <msg>${escapeXml(r.msg)}</msg>\n  </record_diagnostic>\n`,
    )
    .join('');
  const count = (s: string) => submission.results.filter((r) => r.status === s).length;
  return `<?xml version="1.0" encoding="UTF-8"?>
<doi_batch_diagnostic status="completed" sp="stand-in">
  <submission_id>${submission.submissionId}</submission_id>
  <batch_id>${escapeXml(submission.batchId)}</batch_id>
${records}  <batch_data>
    <record_count>${submission.results.length}</record_count>
    <success_count>${count('Success')}</success_count>
    <warning_count>${count('Warning')}</warning_count>
    <failure_count>${count('Failure')}</failure_count>
  </batch_data>
</doi_batch_diagnostic>
`;
}

async function readForm(req: IncomingMessage): Promise<FormData> {
  const request = new Request('http://stand-in/', {
    method: req.method ?? 'POST',
    headers: { 'content-type': req.headers['content-type'] ?? '' },
    body: Readable.toWeb(req) as ReadableStream,
    duplex: 'half',
  } as RequestInit);
  return request.formData();
}

export async function startCrossrefStandIn(options: CrossrefStandInOptions = {}): Promise<CrossrefStandIn> {
  const username = options.username ?? 'stand-in-user';
  const password = options.password ?? 'stand-in-password';
  const requests: StandInRequest[] = [];
  const submissions = new Map<string, StandInSubmission>();
  const protocolErrors: string[] = [];
  const failures = new Map<string, string>();
  const warnings = new Map<string, string>();
  const faults: { fault: Fault; remaining: number }[] = [];
  const acceptedTimestamps = new Map<string, bigint>();
  let nextSubmissionId = 1_500_000_000;

  const takeFault = (endpoint: 'deposit' | 'poll'): Fault | undefined => {
    const entry = faults.find((f) => f.remaining > 0 && (!f.fault.endpoint || f.fault.endpoint === endpoint));
    if (!entry) return undefined;
    entry.remaining--;
    return entry.fault;
  };

  const judge = (xml: string, fileName: string): StandInSubmission => {
    const submissionId = String(nextSubmissionId++);
    let parsed: Record<string, unknown>;
    try {
      parsed = xmlParser.parse(xml, true) as Record<string, unknown>;
    } catch (error) {
      return {
        fileName, submissionId, batchId: '', timestamp: '', dois: [], xml, pollsAnswered: 0,
        results: [{ status: 'Failure', msg: `Error parsing the deposit file: ${error instanceof Error ? error.message : String(error)}` }],
      };
    }
    const batch = parsed['doi_batch'] as Record<string, unknown> | undefined;
    const head = (batch?.['head'] ?? {}) as Record<string, unknown>;
    const batchId = String(head['doi_batch_id'] ?? '');
    const timestamp = String(head['timestamp'] ?? '');
    const dois: string[] = [];
    collectDois(batch?.['body'], dois);
    const base = { fileName, submissionId, batchId, timestamp, dois, xml, pollsAnswered: 0 };
    if (options.validate) {
      const result = options.validate(xml);
      if (!result.valid) {
        const first = result.errors[0];
        return { ...base, results: [{ status: 'Failure', msg: `Deposit file is not valid against the schema: ${first ? `line ${first.line}, column ${first.column}: ${first.message}` : 'invalid'}` }] };
      }
    }
    if (!/^\d+$/.test(timestamp)) {
      return { ...base, results: [{ status: 'Failure', msg: `Invalid timestamp: ${timestamp}` }] };
    }
    const version = BigInt(timestamp);
    const results: StandInSubmission['results'] = dois.map((doi) => {
      const key = doi.toLowerCase();
      const previous = acceptedTimestamps.get(key);
      if (previous !== undefined && version <= previous) {
        return { doi, status: 'Failure', msg: `Record not processed because submitted version: ${timestamp} is less or equal to previously submitted version (DOI match)` };
      }
      const failure = failures.get(key);
      if (failure !== undefined) return { doi, status: 'Failure', msg: failure };
      acceptedTimestamps.set(key, version);
      const warning = warnings.get(key);
      if (warning !== undefined) return { doi, status: 'Warning', msg: warning };
      return { doi, status: 'Success', msg: previous === undefined ? 'Successfully added' : 'Successfully updated' };
    });
    return { ...base, results };
  };

  const respond = (res: ServerResponse, record: StandInRequest, status: number, body: string, type: string, headers: Record<string, string> = {}) => {
    record.status = status;
    res.writeHead(status, { 'content-type': type, ...headers });
    res.end(body);
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const record: StandInRequest = { method: req.method ?? '', path: url.pathname, status: 0, at: performance.now() };
    requests.push(record);
    void (async () => {
      if (url.pathname === '/servlet/deposit') {
        const fault = takeFault('deposit');
        if (fault) {
          req.resume();
          return respond(res, record, fault.status, html('ERROR', 'Service unavailable'), 'text/html', fault.retryAfter ? { 'retry-after': fault.retryAfter } : {});
        }
        if (req.method !== 'POST' || !String(req.headers['content-type']).startsWith('multipart/form-data')) {
          protocolErrors.push(`deposit must be a multipart/form-data POST (got ${req.method} ${req.headers['content-type'] ?? ''})`);
          req.resume();
          return respond(res, record, 200, html('FAILURE', 'Your XML batch submission failed. [no multipart content]'), 'text/html');
        }
        const form = await readForm(req);
        if (form.get('login_id') !== username || form.get('login_passwd') !== password) {
          if (options.authFailureAsHtml) return respond(res, record, 200, html('FAILURE', 'Login failed: incorrect username or password'), 'text/html');
          return respond(res, record, 401, html('FAILURE', 'Unauthorized: incorrect username or password'), 'text/html');
        }
        if (form.get('operation') !== 'doMDUpload') protocolErrors.push(`operation must be doMDUpload (got ${String(form.get('operation'))})`);
        const file = form.get('fname');
        if (!(file instanceof Blob) || typeof (file as File).name !== 'string' || !(file as File).name) {
          protocolErrors.push('fname must be a file part with a file name');
          return respond(res, record, 200, html('FAILURE', 'Your XML batch submission failed. [missing fname]'), 'text/html');
        }
        const fileName = (file as File).name;
        record.fileName = fileName;
        const xml = await file.text();
        if (options.depositDelayMs) await new Promise((r) => setTimeout(r, options.depositDelayMs));
        if (!submissions.has(fileName)) submissions.set(fileName, judge(xml, fileName));
        return respond(res, record, 200, html('SUCCESS', 'Your batch submission was successfully received.'), 'text/html;charset=UTF-8');
      }
      if (url.pathname === '/servlet/submissionDownload') {
        const fault = takeFault('poll');
        if (fault) {
          req.resume();
          return respond(res, record, fault.status, 'busy', 'text/plain', fault.retryAfter ? { 'retry-after': fault.retryAfter } : {});
        }
        let params = url.searchParams;
        if (req.method === 'POST') {
          const type = String(req.headers['content-type'] ?? '');
          if (type.startsWith('application/x-www-form-urlencoded')) {
            const chunks: Buffer[] = [];
            for await (const chunk of req) chunks.push(chunk as Buffer);
            params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
          } else {
            const form = await readForm(req);
            params = new URLSearchParams();
            for (const [k, v] of form) if (typeof v === 'string') params.set(k, v);
          }
        }
        if (params.get('usr') !== username || params.get('pwd') !== password) {
          return respond(res, record, 401, html('FAILURE', 'Unauthorized'), 'text/html');
        }
        if (params.get('type') !== 'result') protocolErrors.push(`submissionDownload type must be result (got ${String(params.get('type'))})`);
        const fileName = params.get('file_name') ?? '';
        record.fileName = fileName;
        const submission = submissions.get(fileName);
        if (!submission) return respond(res, record, 200, diagnosticXml('unknown_submission'), 'text/xml;charset=UTF-8');
        submission.pollsAnswered++;
        const waits = options.pollsBeforeCompleted ?? 2;
        if (submission.pollsAnswered <= waits) {
          const status = submission.pollsAnswered === 1 ? 'queued' : 'in_process';
          return respond(res, record, 200, diagnosticXml(status, submission), 'text/xml;charset=UTF-8');
        }
        return respond(res, record, 200, diagnosticXml('completed', submission), 'text/xml;charset=UTF-8');
      }
      req.resume();
      return respond(res, record, 404, 'not found', 'text/plain');
    })().catch((error: unknown) => {
      protocolErrors.push(`stand-in error: ${error instanceof Error ? error.message : String(error)}`);
      if (!res.headersSent) respond(res, record, 500, 'stand-in error', 'text/plain');
      else res.end();
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    submissions,
    protocolErrors,
    acceptedTimestamps,
    options,
    failDoi(doi, message = 'Record not processed because the DOI is not eligible for registration by this depositor') {
      failures.set(doi.toLowerCase(), message);
    },
    warnDoi(doi, message = 'Added with conflict') {
      warnings.set(doi.toLowerCase(), message);
    },
    clearVerdicts() {
      failures.clear();
      warnings.clear();
    },
    inject(fault, count = 1) {
      faults.push({ fault, remaining: count });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
