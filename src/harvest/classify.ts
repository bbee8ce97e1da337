import { HarvestError, HarvestOaiError, HarvestPausedError } from './errors.js';

/**
 * What the run loop does next (metha's classify as a model): every page outcome and every
 * error becomes one verdict, decided here without I/O.
 */
export type Verdict =
  | { action: 'continue' }
  /** The list is complete (`warning`: why it ended early, e.g. a token loop). */
  | { action: 'done'; warning?: { code: string; message: string } }
  /** Stop resumably: the checkpoint stays and the next run continues. */
  | { action: 'pause'; error: HarvestPausedError; warning?: { code: string; message: string } }
  /** badResumptionToken: request the list again from the checkpointed datestamp. */
  | { action: 'restart'; message: string }
  | { action: 'fail'; error: unknown };

export interface PageState {
  /** Resumption token of the page ('' at the end of the list). */
  token: string;
  /** The token was issued before in this sequence. */
  repeated: boolean;
  /** Pages of the sequence committed, this one included. */
  pages: number;
  /** Most pages allowed (runaway lists), see plan.ts pageLimit. */
  pageLimit: number;
  completeListSize: number | undefined;
  aborted: boolean;
}

/** After a committed page: end, loop guard, runaway list, stop request, or the next page. */
export function classifyPage(state: PageState): Verdict {
  if (state.token === '') return { action: 'done' };
  if (state.repeated) {
    return { action: 'done', warning: { code: 'resumptionTokenLoop', message: `The repository returned resumption token "${state.token}" again; ending the list to avoid a loop` } };
  }
  if (state.pages >= state.pageLimit) {
    const why =
      state.completeListSize !== undefined
        ? `${state.pages} pages, twice what completeListSize ${state.completeListSize} implies`
        : `${state.pages} pages, the cap for a list without --budget`;
    const message = `Runaway list: the repository keeps issuing resumption tokens after ${why}; paused (run again to go on, or set --budget / --max-pages)`;
    return { action: 'pause', error: new HarvestPausedError('runawayList', message), warning: { code: 'runawayList', message } };
  }
  if (state.aborted) return { action: 'pause', error: new HarvestPausedError('aborted', 'Stopped on request; the checkpoint is saved') };
  return { action: 'continue' };
}

/**
 * After a failed request: a stale token restarts the list (once per run: `restartsLeft`),
 * flow control and stop requests pause, anything else fails the run.
 */
export function classifyError(error: unknown, context: { hadToken: boolean; restartsLeft: number }): Verdict {
  if (error instanceof HarvestPausedError) return { action: 'pause', error };
  if (error instanceof HarvestOaiError && error.oaiCode === 'badResumptionToken' && context.hadToken && context.restartsLeft > 0) {
    return { action: 'restart', message: error.errors[0]?.message || 'expired or invalid' };
  }
  return { action: 'fail', error };
}

/** Identify failures that end the run; others only cost the granularity (day is assumed). */
export function identifyFailureIsFatal(error: unknown): boolean {
  if (error instanceof HarvestPausedError) return true;
  return error instanceof HarvestError && ['network', 'unreachable', 'unsupportedUrl', 'redirect', 'timeout', 'httpStatus', 'responseTooLarge'].includes(error.code);
}
