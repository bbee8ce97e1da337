import type { HarvestCheckpoint, HarvestSource } from '../store/types.js';
import { formatUtcDatetime, isUtcDatetime, listDateArguments, toGranularity, utcDatetimeToDate, type Granularity } from '../oai-pmh/index.js';

/**
 * The pure plan of a harvest run (metha's harvest/plan.go as a model): which list sequence to
 * request, from where, with which window. No I/O: the run loop (harvester.ts) reads the
 * source and checkpoint, asks here what to do, and does it.
 */

/** Default most pages of one list sequence without a request budget (a runaway list pauses). */
export const DEFAULT_MAX_PAGES = 100_000;

/** An explicit run argument that contradicts the saved checkpoint (exit status 2 in the CLI). */
export class HarvestPlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HarvestPlanError';
  }
}

export interface PlanInput {
  source: Pick<HarvestSource, 'name' | 'metadataPrefix' | 'set' | 'nextFrom' | 'granularity'>;
  checkpoint: HarvestCheckpoint | undefined;
  from?: string | undefined;
  until?: string | undefined;
  full?: boolean | undefined;
  restart?: boolean | undefined;
}

export type RunPlan =
  /** Continue the saved sequence from its checkpoint. */
  | { kind: 'continue'; checkpoint: HarvestCheckpoint }
  /** Start a new sequence: its window is fixed once the repository's granularity is known. */
  | { kind: 'start'; from: string | undefined; until: string | undefined };

/**
 * Continue the checkpoint or start a list. An explicit --from/--until that differs from the
 * checkpoint's window is refused (continuing it would silently harvest another window).
 */
export function planRun(input: PlanInput): RunPlan {
  const checkpoint = input.restart || input.checkpoint?.metadataPrefix !== input.source.metadataPrefix ? undefined : input.checkpoint;
  const from = input.from ?? (input.full ? undefined : input.source.nextFrom);
  if (!checkpoint) return { kind: 'start', from, until: input.until };
  const granularity = input.source.granularity ?? 'YYYY-MM-DD';
  const asked = listDateArguments({ from: input.from, until: input.until }, granularity);
  if (input.from !== undefined && asked.from !== checkpoint.listFrom) {
    throw new HarvestPlanError(`checkpoint from ${checkpoint.listFrom ?? '(the beginning)'} exists: --restart or drop --from`);
  }
  if (input.until !== undefined && asked.until !== checkpoint.listUntil) {
    throw new HarvestPlanError(`checkpoint until ${checkpoint.listUntil ?? '(open)'} exists: --restart or drop --until`);
  }
  if (input.full && checkpoint.listFrom !== undefined) {
    throw new HarvestPlanError(`checkpoint from ${checkpoint.listFrom} exists: --restart or drop --full`);
  }
  return { kind: 'continue', checkpoint };
}

/** The first checkpoint of a new sequence: the window at the repository's granularity (§3.3.1). */
export function startSequence(
  source: Pick<HarvestSource, 'name' | 'metadataPrefix' | 'set'>,
  runId: number,
  window: { from: string | undefined; until: string | undefined },
  granularity: Granularity,
  now: string,
): { checkpoint: HarvestCheckpoint; notes: string[] } {
  const range = listDateArguments(window, granularity);
  return {
    notes: range.notes,
    checkpoint: {
      source: source.name,
      runId,
      metadataPrefix: source.metadataPrefix,
      listFrom: range.from,
      listUntil: range.until,
      listSet: source.set,
      restartFrom: range.from,
      resumptionToken: undefined,
      cursor: undefined,
      completeListSize: undefined,
      pages: 0,
      records: 0,
      firstResponseDate: undefined,
      maxDatestamp: undefined,
      ordered: true,
      restarts: 0,
      updatedAt: now,
    },
  };
}

/** The arguments of the next request of a sequence: its token, else the list request. */
export function requestArguments(cp: HarvestCheckpoint): Record<string, string> {
  if (cp.resumptionToken !== undefined) return { resumptionToken: cp.resumptionToken };
  return {
    metadataPrefix: cp.metadataPrefix,
    ...(cp.restartFrom !== undefined ? { from: cp.restartFrom } : {}),
    ...(cp.listUntil !== undefined ? { until: cp.listUntil } : {}),
    ...(cp.listSet !== undefined ? { set: cp.listSet } : {}),
  };
}

/**
 * The checkpoint after badResumptionToken: the list again, from the latest datestamp stored.
 * Incomplete lists need not be in datestamp order (§3.5), so only a sequence seen in order may
 * restart at its latest datestamp; otherwise at the sequence's own `from`.
 */
export function restartSequence(cp: HarvestCheckpoint, granularity: Granularity): HarvestCheckpoint {
  const restartFrom = cp.ordered && cp.maxDatestamp !== undefined && isUtcDatetime(cp.maxDatestamp) ? toGranularity(cp.maxDatestamp, granularity) : cp.listFrom;
  return { ...cp, resumptionToken: undefined, restartFrom, restarts: cp.restarts + 1, cursor: undefined };
}

/** What one received page tells about the sequence. */
export interface PageFacts {
  token: string;
  cursor: number | undefined;
  completeListSize: number | undefined;
  count: number;
  responseDate: string;
  minDatestamp: string | undefined;
  maxDatestamp: string | undefined;
  ordered: boolean;
}

function laterDatestamp(a: string | undefined, b: string): string {
  return a === undefined || b > a ? b : a;
}

/** The checkpoint once a page is committed. */
export function advanceSequence(cp: HarvestCheckpoint, runId: number, page: PageFacts): HarvestCheckpoint {
  const ordered = cp.ordered && page.ordered && (cp.maxDatestamp === undefined || page.minDatestamp === undefined || page.minDatestamp >= cp.maxDatestamp);
  return {
    ...cp,
    runId,
    resumptionToken: page.token === '' ? undefined : page.token,
    cursor: page.cursor,
    completeListSize: page.completeListSize ?? cp.completeListSize,
    pages: cp.pages + 1,
    records: cp.records + page.count,
    firstResponseDate: cp.firstResponseDate ?? page.responseDate,
    maxDatestamp: page.maxDatestamp === undefined ? cp.maxDatestamp : laterDatestamp(cp.maxDatestamp, page.maxDatestamp),
    ordered,
  };
}

/**
 * Most pages the sequence may take before it counts as a runaway: twice what the first page's
 * completeListSize implies (at the first page's size), else `cap`. With a request budget there
 * is no such limit (the budget bounds the run). `first`: the sequence's first page, if known.
 */
export function pageLimit(first: { count: number; completeListSize: number | undefined } | undefined, cap: number, budgeted: boolean): number {
  if (budgeted) return Number.POSITIVE_INFINITY;
  if (first?.completeListSize !== undefined && first.completeListSize > 0 && first.count > 0) {
    return Math.min(cap, 2 * Math.ceil(first.completeListSize / first.count));
  }
  return cap;
}

/** The next incremental `from`: the first responseDate of the sequence at the repository's granularity. */
export function nextFromResponseDate(responseDate: string | undefined, granularity: Granularity, overlapSeconds = 0): string | undefined {
  if (responseDate === undefined) return undefined;
  const date = utcDatetimeToDate(responseDate);
  if (!date) return undefined;
  return formatUtcDatetime(new Date(date.getTime() - overlapSeconds * 1000), granularity);
}
