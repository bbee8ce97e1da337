import type { Logger } from '../../log.js';
import type { Store } from '../../store/types.js';
import { runCrossrefDeposit, type CrossrefDepositReport, type CrossrefDepositSettings } from '../../crossref/index.js';

export interface DepositJobCounts {
  scanned: number;
  sent: number;
  batches: number;
  registered: number;
  warning: number;
  failed: number;
  invalid: number;
  skipped: number;
  awaitingResult: number;
  [key: string]: number;
}

export function depositCounts(report: CrossrefDepositReport): DepositJobCounts {
  return {
    scanned: report.scanned,
    sent: report.sent,
    batches: report.batches.filter((b) => b.status !== 'planned').length,
    registered: report.registered,
    warning: report.warning,
    failed: report.failed,
    invalid: new Set(report.invalid.map((f) => f.doi)).size,
    skipped: report.skipped.length,
    awaitingResult: report.awaitingResult,
  };
}

/** Deposits pending DOIs in batches; on stop, finishes the batch in hand and leaves the rest pending. */
export async function runDepositJob(options: {
  store: Store;
  settings: CrossrefDepositSettings;
  signal?: AbortSignal;
  logger?: Logger;
}): Promise<DepositJobCounts> {
  const report = await runCrossrefDeposit({
    store: options.store,
    settings: options.settings,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  for (const failure of report.invalid) {
    options.logger?.warn({ doi: failure.doi, field: failure.field, reason: failure.message }, 'not deposited: fails local validation');
  }
  return depositCounts(report);
}
