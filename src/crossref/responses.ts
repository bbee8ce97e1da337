import { XMLParser } from 'fast-xml-parser';

/**
 * What Crossref's deposit servlet said about an upload. The servlet answers an HTML page whose
 * title and heading are "SUCCESS" ("Your batch submission was successfully received") or
 * "FAILURE" followed by the reason; the file is only queued at that point, the per-DOI outcome
 * comes later in the submission log.
 */
export type DepositAcknowledgement =
  | { outcome: 'received'; message: string }
  | { outcome: 'failure'; message: string; authentication: boolean }
  | { outcome: 'unrecognised'; message: string };

function htmlText(fragment: string): string {
  return fragment
    .replace(/<[^>]*>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

export function parseDepositAcknowledgement(body: string): DepositAcknowledgement {
  const heading = /<h2[^>]*>([\s\S]*?)<\/h2>/i.exec(body)?.[1] ?? /<title[^>]*>([\s\S]*?)<\/title>/i.exec(body)?.[1];
  const paragraph = /<p[^>]*>([\s\S]*?)<\/p>/i.exec(body)?.[1];
  const headingText = heading === undefined ? '' : htmlText(heading).toUpperCase();
  const message = paragraph !== undefined ? htmlText(paragraph) : htmlText(body).slice(0, 500);
  if (headingText === 'SUCCESS' || /your batch submission was successfully received/i.test(body)) {
    return { outcome: 'received', message: message || 'Your batch submission was successfully received.' };
  }
  if (headingText === 'FAILURE') {
    const authentication = /login|log in|password|authenticat|unauthori[sz]ed|not authori[sz]ed|credentials/i.test(message);
    return { outcome: 'failure', message, authentication };
  }
  return { outcome: 'unrecognised', message };
}

/** Status attribute of `doi_batch_diagnostic` while polling submissionDownload. */
export type BatchDiagnosticStatus = 'queued' | 'in_process' | 'completed' | 'unknown_submission' | (string & {});

export type RecordDiagnosticStatus = 'Success' | 'Warning' | 'Failure';

export interface RecordDiagnostic {
  status: RecordDiagnosticStatus;
  /** DOI as Crossref echoed it; absent when the whole file failed (parse or schema error). */
  doi?: string;
  message: string;
  msgId?: string;
  conflictIds?: string[];
}

export interface BatchDiagnostic {
  status: BatchDiagnosticStatus;
  submissionId?: string;
  batchId?: string;
  records: RecordDiagnostic[];
  counts?: { records: number; success: number; warning: number; failure: number };
}

const diagnosticParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
  isArray: (name) => name === 'record_diagnostic' || name === 'conflict_id',
});

function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'object' && '#text' in value) return text((value as Record<string, unknown>)['#text']);
  return undefined;
}

function count(value: unknown): number {
  const n = Number(text(value) ?? '0');
  return Number.isFinite(n) ? n : 0;
}

const RECORD_STATUSES = new Map<string, RecordDiagnosticStatus>([
  ['success', 'Success'],
  ['warning', 'Warning'],
  ['failure', 'Failure'],
]);

/**
 * Parses a Crossref submission log (`doi_batch_diagnostic`, as documented in "Interpret
 * submission logs"). Throws when the document is not a diagnostic at all.
 */
export function parseBatchDiagnostic(xml: string): BatchDiagnostic {
  let parsed: Record<string, unknown>;
  try {
    parsed = diagnosticParser.parse(xml) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`submission log is not well-formed XML: ${error instanceof Error ? error.message : String(error)}`);
  }
  const root = parsed['doi_batch_diagnostic'];
  if (root === undefined || root === null || typeof root !== 'object') {
    // An empty element parses to "" : still a diagnostic, just without content.
    if (root === '') return { status: 'unknown_submission', records: [] };
    throw new Error('submission log has no doi_batch_diagnostic element');
  }
  const node = root as Record<string, unknown>;
  const records: RecordDiagnostic[] = [];
  for (const raw of (node['record_diagnostic'] as unknown[] | undefined) ?? []) {
    const item = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const statusText = String(item['@_status'] ?? '').toLowerCase();
    const status = RECORD_STATUSES.get(statusText) ?? 'Failure';
    const doi = text(item['doi'])?.trim();
    const conflicts = item['conflict_id'] as unknown[] | undefined;
    records.push({
      status,
      ...(doi ? { doi } : {}),
      message: text(item['msg'])?.replace(/\s+/g, ' ').trim() ?? '',
      ...(item['@_msg_id'] !== undefined ? { msgId: String(item['@_msg_id']) } : {}),
      ...(conflicts && conflicts.length > 0 ? { conflictIds: conflicts.map((c) => text(c) ?? '').filter(Boolean) } : {}),
    });
  }
  const batchData = node['batch_data'] as Record<string, unknown> | undefined;
  const submissionId = text(node['submission_id']);
  const batchId = text(node['batch_id']);
  return {
    // Crossref's successful-log example omits the attribute; a log with batch_data is final.
    status: String(node['@_status'] ?? (batchData ? 'completed' : 'unknown_submission')),
    ...(submissionId ? { submissionId } : {}),
    ...(batchId ? { batchId } : {}),
    records,
    ...(batchData
      ? {
          counts: {
            records: count(batchData['record_count']),
            success: count(batchData['success_count']),
            warning: count(batchData['warning_count']),
            failure: count(batchData['failure_count']),
          },
        }
      : {}),
  };
}
