import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import {
  CrossrefClient,
  CrossrefDepositError,
  parseBatchDiagnostic,
  parseDepositAcknowledgement,
  parseRetryAfter,
  isCrossrefProduction,
  resolveCrossrefSettings,
} from '../src/crossref/index.js';
import { startCrossrefStandIn, type CrossrefStandIn } from './helpers/crossrefStandIn.js';

const USER = 'member/role';
const PASSWORD = 'p4ss-W0rd-that-must-never-leak';

function captureLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

const SMALL = { minRetryDelayMs: 20, maxRetryDelayMs: 200, pollInitialDelayMs: 10, pollMaxDelayMs: 40, pollTimeoutMs: 5000 };

describe('Crossref responses (documented formats)', () => {
  // The deposit servlet's acknowledgement page, as described in Crossref's
  // "XML deposit using HTTPS POST" documentation.
  it('recognises the SUCCESS acknowledgement and FAILURE pages', () => {
    const ok = parseDepositAcknowledgement(
      '<html><head><title>SUCCESS</title></head><body><h2>SUCCESS</h2><p>Your batch submission was successfully received.</p></body></html>',
    );
    expect(ok.outcome).toBe('received');
    const failed = parseDepositAcknowledgement('<html><head><title>FAILURE</title></head><body><h2>FAILURE</h2><p>Your XML batch submission failed. [Not a directory]</p></body></html>');
    expect(failed).toMatchObject({ outcome: 'failure', authentication: false });
    expect(failed.message).toContain('Not a directory');
    const login = parseDepositAcknowledgement('<html><body><h2>FAILURE</h2><p>Login failed</p></body></html>');
    expect(login).toMatchObject({ outcome: 'failure', authentication: true });
    expect(parseDepositAcknowledgement('<html><body>Gateway</body></html>').outcome).toBe('unrecognised');
  });

  // Crossref "Interpret submission logs": example log with deposit errors.
  it('parses a doi_batch_diagnostic with per-record verdicts and batch_data counts', () => {
    const log = `<?xml version="1.0" encoding="UTF-8"?>
 <doi_batch_diagnostic status="completed" sp="cr5.crossref.org">
  <submission_id>394260418</submission_id>
  <batch_id>314668373.xml</batch_id>
  <record_diagnostic status="Failure">
   <doi>10.5555/11111</doi>
   <msg>Record not processed because submitted version: 20070904093839 is less or equal to	previously submitted version (DOI match)</msg>
  </record_diagnostic>
  <record_diagnostic status="Warning">
   <doi>10.5555/22222</doi>
   <msg>Added with conflict</msg>
   <conflict_id>1234</conflict_id>
  </record_diagnostic>
  <record_diagnostic status="Success">
   <doi>10.5555/33333</doi>
   <msg>Successfully added</msg>
  </record_diagnostic>
  <batch_data>
   <record_count>3</record_count>
   <success_count>1</success_count>
   <warning_count>1</warning_count>
   <failure_count>1</failure_count>
  </batch_data>
 </doi_batch_diagnostic>`;
    const d = parseBatchDiagnostic(log);
    expect(d.status).toBe('completed');
    expect(d.submissionId).toBe('394260418');
    expect(d.batchId).toBe('314668373.xml');
    expect(d.counts).toEqual({ records: 3, success: 1, warning: 1, failure: 1 });
    expect(d.records.map((r) => [r.doi, r.status])).toEqual([
      ['10.5555/11111', 'Failure'],
      ['10.5555/22222', 'Warning'],
      ['10.5555/33333', 'Success'],
    ]);
    expect(d.records[0]!.message).toMatch(/less or equal to previously submitted version/);
    expect(d.records[1]!.conflictIds).toEqual(['1234']);
    // The documented successful log carries no status attribute; batch_data makes it final.
    expect(parseBatchDiagnostic('<doi_batch_diagnostic><submission_id>1</submission_id><batch_data><record_count>0</record_count></batch_data></doi_batch_diagnostic>').status).toBe('completed');
    expect(parseBatchDiagnostic('<doi_batch_diagnostic status="queued"/>').status).toBe('queued');
    expect(() => parseBatchDiagnostic('<html>nope</html>')).toThrow(/doi_batch_diagnostic/);
  });

  it('parses Retry-After as delay-seconds or HTTP-date (RFC 9110 §10.2.3)', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('uses the test system unless production is configured explicitly', () => {
    const none = resolveCrossrefSettings(undefined, {});
    expect(none.ready).toBe(false);
    if (!none.ready) expect(none.reason).toMatch(/PUBMETA_CROSSREF_USER/);
    const env = { PUBMETA_CROSSREF_USER: 'u', PUBMETA_CROSSREF_PASSWORD: 'p' };
    const ready = resolveCrossrefSettings({ depositor: { name: 'D', email: 'd@example.org' }, registrant: 'R' }, env);
    expect(ready.ready && ready.settings.baseUrl).toBe('https://test.crossref.org');
    expect(isCrossrefProduction('https://test.crossref.org')).toBe(false);
    const prod = resolveCrossrefSettings({ baseUrl: 'https://doi.crossref.org', depositor: { name: 'D', email: 'd@example.org' }, registrant: 'R' }, env);
    expect(prod.ready && isCrossrefProduction(prod.settings.baseUrl)).toBe(true);
    const envWins = resolveCrossrefSettings({ baseUrl: 'https://doi.crossref.org', username: 'x', password: 'y', depositor: { name: 'D', email: 'd@example.org' }, registrant: 'R' }, { ...env, PUBMETA_CROSSREF_URL: 'http://127.0.0.1:9' });
    expect(envWins.ready && envWins.settings.baseUrl).toBe('http://127.0.0.1:9');
    expect(envWins.ready && envWins.settings.credentials).toEqual({ username: 'u', password: 'p' });
  });
});

describe('CrossrefClient against the stand-in', () => {
  let standIn: CrossrefStandIn;
  const xml = (doi: string, ts: number) =>
    `<?xml version="1.0" encoding="UTF-8"?><doi_batch xmlns="http://www.crossref.org/schema/5.3.1" version="5.3.1"><head><doi_batch_id>b-${ts}</doi_batch_id><timestamp>${ts}</timestamp></head><body><journal><journal_article><doi_data><doi>${doi}</doi><resource>https://example.org/a</resource></doi_data></journal_article></journal></body></doi_batch>`;

  beforeAll(async () => {
    standIn = await startCrossrefStandIn({ username: USER, password: PASSWORD, pollsBeforeCompleted: 2 });
  });
  afterAll(async () => {
    await standIn.close();
  });

  it('uploads with the documented multipart fields and polls until the log is completed', async () => {
    const client = new CrossrefClient({ baseUrl: standIn.url, credentials: { username: USER, password: PASSWORD }, ...SMALL });
    try {
      const ack = await client.submit('upload-1.xml', xml('10.5555/ok-1', 1000), undefined);
      expect(ack.message).toMatch(/successfully received/);
      const seen: string[] = [];
      const result = await client.waitForResult('upload-1.xml', { onPoll: (d) => seen.push(d.status) });
      expect(seen).toEqual(['queued', 'in_process', 'completed']);
      expect(result.records).toEqual([{ status: 'Success', doi: '10.5555/ok-1', message: 'Successfully added' }]);
      expect(result.submissionId).toBe(standIn.submissions.get('upload-1.xml')!.submissionId);
      expect(standIn.protocolErrors).toEqual([]);
      expect((await client.fetchResult('never-sent.xml')).status).toBe('unknown_submission');
    } finally {
      await client.close();
    }
  });

  it('wrong credentials: one clear error, one request, no retry storm, password never shown', async () => {
    const { logger, lines } = captureLogger();
    const wrong = 'wrong-' + PASSWORD;
    const client = new CrossrefClient({ baseUrl: standIn.url, credentials: { username: USER, password: wrong }, logger, ...SMALL });
    const before = standIn.requests.length;
    try {
      const error = await client.submit('auth.xml', xml('10.5555/auth', 2000)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CrossrefDepositError);
      expect((error as CrossrefDepositError).kind).toBe('auth');
      expect((error as Error).message).toMatch(/refused the credentials \(HTTP 401\)/);
      expect(standIn.requests.length - before).toBe(1);
      const pollError = await client.fetchResult('auth.xml').catch((e: unknown) => e);
      expect((pollError as CrossrefDepositError).kind).toBe('auth');
      expect(standIn.requests.length - before).toBe(2);
      for (const text of [...lines, (error as Error).message, (error as Error).stack ?? '', (pollError as Error).message]) {
        expect(text).not.toContain(wrong);
      }
    } finally {
      await client.close();
    }
  });

  it('recognises the older HTML login failure page as an authentication error', async () => {
    const html = await startCrossrefStandIn({ username: USER, password: PASSWORD, authFailureAsHtml: true });
    const client = new CrossrefClient({ baseUrl: html.url, credentials: { username: USER, password: 'nope-nope' }, ...SMALL });
    try {
      const error = (await client.submit('a.xml', xml('10.5555/a', 1)).catch((e: unknown) => e)) as CrossrefDepositError;
      expect(error.kind).toBe('auth');
      expect(html.requests).toHaveLength(1);
    } finally {
      await client.close();
      await html.close();
    }
  });

  it('honours Retry-After on 429 (the gap measured at the server)', async () => {
    const client = new CrossrefClient({ baseUrl: standIn.url, credentials: { username: USER, password: PASSWORD }, ...SMALL });
    try {
      standIn.inject({ status: 429, retryAfter: '1', endpoint: 'deposit' }, 1);
      const start = standIn.requests.length;
      await client.submit('rate.xml', xml('10.5555/rate', 3000));
      const deposits = standIn.requests.slice(start).filter((r) => r.path === '/servlet/deposit');
      expect(deposits.map((r) => r.status)).toEqual([429, 200]);
      const gap = deposits[1]!.at - deposits[0]!.at;
      expect(gap).toBeGreaterThanOrEqual(990);
      expect(gap).toBeLessThan(2500);
    } finally {
      await client.close();
    }
  });

  it('retries 503 with backoff and gives up after the configured retries', async () => {
    const client = new CrossrefClient({ baseUrl: standIn.url, credentials: { username: USER, password: PASSWORD }, ...SMALL, retries: 2 });
    try {
      standIn.inject({ status: 503, endpoint: 'poll' }, 2);
      const start = standIn.requests.length;
      expect((await client.fetchResult('rate.xml')).status).not.toBe('unknown_submission');
      expect(standIn.requests.slice(start).map((r) => r.status)).toEqual([503, 503, 200]);

      standIn.inject({ status: 503, endpoint: 'poll' }, 3);
      const again = standIn.requests.length;
      const error = (await client.fetchResult('rate.xml').catch((e: unknown) => e)) as CrossrefDepositError;
      expect(error.kind).toBe('server');
      expect(standIn.requests.length - again).toBe(3);
    } finally {
      await client.close();
    }
  });

  it('does not wait out a Retry-After beyond the cap: fails at once for the next run', async () => {
    const client = new CrossrefClient({ baseUrl: standIn.url, credentials: { username: USER, password: PASSWORD }, ...SMALL, maxRetryAfterMs: 1000 });
    try {
      standIn.inject({ status: 429, retryAfter: '3600', endpoint: 'deposit' }, 1);
      const start = standIn.requests.length;
      const error = (await client.submit('later.xml', xml('10.5555/later', 4000)).catch((e: unknown) => e)) as CrossrefDepositError;
      expect(error.kind).toBe('rate-limit');
      expect(error.retryAfterMs).toBe(3_600_000);
      expect(standIn.requests.length - start).toBe(1);
    } finally {
      await client.close();
    }
  });

  it('network errors are retried and reported without credentials', async () => {
    const { logger, lines } = captureLogger();
    // A port nothing listens on: connection refused on every attempt.
    const dead = await startCrossrefStandIn();
    const deadUrl = dead.url;
    await dead.close();
    const client = new CrossrefClient({ baseUrl: deadUrl, credentials: { username: USER, password: PASSWORD }, logger, ...SMALL, retries: 1 });
    try {
      const error = (await client.submit('x.xml', xml('10.5555/x', 5)).catch((e: unknown) => e)) as CrossrefDepositError;
      expect(error.kind).toBe('network');
      expect(error.message).toMatch(/ECONNREFUSED|fetch failed/);
      expect(lines.some((l) => l.includes('retrying'))).toBe(true);
      for (const text of [...lines, error.message, error.stack ?? '']) expect(text).not.toContain(PASSWORD);
    } finally {
      await client.close();
    }
  });
});
