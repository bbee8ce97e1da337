import { randomBytes } from 'node:crypto';
import type { HarvestCheckpoint, HarvestRunCounts, HarvestSource, PreparedQuarantine, PreparedRecord, StagedItem, Store } from '../store/types.js';
import type { Logger } from '../log.js';
import { JobLeases, keepLease, leaseOwnerName } from '../worker/leases.js';
import { HarvestClient, readAndMapRecord, type HarvestClientEvent, type HarvestClientOptions, type PageResult } from './client.js';
import { SECONDS_GRANULARITY, buildRequestUrl, formatUtcDatetime, isUtcDatetime } from '../oai-pmh/index.js';
import { HarvestError, HarvestOaiError, HarvestPausedError, describeError } from './errors.js';
import { mapHarvestedMetadata, type HarvestMapper } from './mapping.js';
import { describeRepair, repairChanged } from './sanitize.js';
import type { ScannedItem } from './scanner.js';
import { commitHarvestPage, type HarvestRecordSink, type PageOutcome } from './commit.js';
import { hashRecordBytes } from './sources.js';
import { isUnreadable, type Granularity, type ItemContext } from './xml.js';
import { DEFAULT_MAX_PAGES, advanceSequence, nextFromResponseDate, pageLimit, planRun, requestArguments, restartSequence, startSequence } from './plan.js';
import { classifyError, classifyPage, identifyFailureIsFatal } from './classify.js';

export type HarvestRunOutcome = 'completed' | 'paused' | 'failed';

export interface HarvestRunSummary extends HarvestRunCounts {
  runId: number;
  source: string;
  status: HarvestRunOutcome;
  /** Why the run paused or failed. */
  reason?: string;
  /** HarvestError code (or OAI error code) of a paused or failed run. */
  errorCode?: string;
  /** A checkpoint is kept: the next run continues where this one stopped. */
  resumable: boolean;
  /** When the server asked us to come back (Retry-After beyond the cap). */
  resumeAfter?: string;
  /** This run continued a sequence a previous run began. */
  resumed: boolean;
  from?: string;
  until?: string;
  completeListSize?: number;
  /** `from` the next incremental run will use (completed runs). */
  nextFrom?: string;
  warnings: string[];
  startedAt: string;
  finishedAt: string;
  durationMs: number;
}

export interface HarvestProgress {
  source: string;
  pages: number;
  /** Items received in this run. */
  records: number;
  /** Items already received by the runs this one continues (for a progress bar's start). */
  previousRecords: number;
  cursor?: number;
  completeListSize?: number;
  created: number;
  updated: number;
  quarantined: number;
  invalid: number;
  requests: number;
}

export interface HarvestRunOptions {
  /** Finishes the page in progress, commits it and returns a paused (resumable) summary. */
  signal?: AbortSignal;
  /** HTTP behaviour: timeouts, retries, backoff, sleep, random, dispatcher ... */
  client?: Omit<HarvestClientOptions, 'baseUrl' | 'signal' | 'requestBudget'>;
  /** Overrides the source's request budget for this run. */
  requestBudget?: number;
  /** Explicit `from` (converted to the repository's granularity); default: incremental. */
  from?: string;
  until?: string;
  /** Ignore the incremental `from`: harvest everything (records are still upserted, not duplicated). */
  full?: boolean;
  /** Discard a saved checkpoint and start a new list sequence. */
  restart?: boolean;
  /** Run even if a Retry-After pause has not elapsed. */
  ignoreNotBefore?: boolean;
  /**
   * Where valid mapped records go. Default: the store's records, in the page's transaction; null:
   * nowhere (harvest tables only); a function: the records seen through it.
   */
  records?: HarvestRecordSink;
  mapper?: HarvestMapper;
  clock?: () => Date;
  logger?: Logger;
  onProgress?: (progress: HarvestProgress) => void;
  /** Bytes of prepared records held in memory per page before spilling to a staging table. Default 32 MiB. */
  maxBufferedBytes?: number;
  /** Seconds subtracted from the responseDate for the next `from` (guidelines §3). Default 0. */
  overlapSeconds?: number;
  /** badResumptionToken restarts allowed per run (from the last checkpointed datestamp). Default 1. */
  maxRestarts?: number;
  /**
   * Most pages of a list sequence when no request budget is set: a list going on past twice
   * what its first page's completeListSize implies, or past this cap, pauses as a runaway.
   * Default 100,000.
   */
  maxPages?: number;
  /**
   * Lifetime of the source's lease (`harvest:<source>`) between heartbeats; another process may
   * take the source over once it expires. Default 5 minutes, renewed every third of it.
   */
  leaseTtlMs?: number;
}

type PageItem = StagedItem;
type Prepare = (item: ScannedItem, context: ItemContext, requestUrl: string | undefined) => { item: PageItem; size: number };

/**
 * One page's items between the response and the commit. Items arrive as raw byte slices and
 * are mapped as the commit reads them (so the next request can go out first, and each record's
 * objects live only while it is written). A page too big
 * to hold is mapped as it arrives and spills to a staging table under its own slot, so memory
 * stays bounded whatever a server puts in one response. Items arrive in synchronous callbacks,
 * so the staging writes queue in order on `pending`, which `all()` (and the commit) wait for.
 */
class PageBuffer {
  private items: PageItem[] = [];
  private bytes = 0;
  private staged = 0;
  private raw: { item: ScannedItem; context: ItemContext }[] = [];
  private rawBytes = 0;
  /** Received items being mapped by all() (taken off `raw`, still counted). */
  private rawCount = 0;
  private eager = false;
  private pending: Promise<void> = Promise.resolve();
  private stagingError: unknown;
  /** Datestamps of this page's records: range, and whether they arrived in ascending order. */
  minDatestamp: string | undefined;
  maxDatestamp: string | undefined;
  ordered = true;

  constructor(
    private readonly store: Store,
    private readonly source: string,
    readonly slot: number,
    private readonly maxBytes: number,
    private readonly prepare: Prepare,
    readonly requestUrl: string,
  ) {}

  private queue(write: () => Promise<void>): void {
    this.pending = this.pending.then(write).catch((error: unknown) => {
      this.stagingError ??= error;
    });
  }

  /** Drops everything (a retried attempt delivers the page again). */
  reset(): void {
    this.items = [];
    this.bytes = 0;
    this.raw = [];
    this.rawBytes = 0;
    this.eager = false;
    if (this.staged > 0) this.queue(() => this.store.harvest.clearStaging(this.source, this.slot));
    this.staged = 0;
    this.minDatestamp = undefined;
    this.maxDatestamp = undefined;
    this.ordered = true;
  }

  /** Waits for queued staging writes; throws the first that failed. */
  async settled(): Promise<void> {
    await this.pending;
    if (this.stagingError !== undefined) throw this.stagingError;
  }

  receive(item: ScannedItem, context: ItemContext): void {
    if (!this.eager && this.rawBytes + item.bytes.length <= this.maxBytes / 2) {
      this.raw.push({ item, context });
      this.rawBytes += item.bytes.length;
      return;
    }
    this.eager = true;
    this.prepareReceived();
    const prepared = this.prepare(item, context, this.requestUrl);
    this.add(prepared.item, prepared.size);
  }

  /** Maps the items received so far (into the held items: before a spill). */
  private prepareReceived(): void {
    const raw = this.raw;
    this.raw = [];
    this.rawBytes = 0;
    for (const { item, context } of raw) {
      const prepared = this.prepare(item, context, this.requestUrl);
      this.add(prepared.item, prepared.size);
    }
  }

  private noteDatestamp(item: PageItem): void {
    if (item.kind === 'record') {
      const datestamp = item.record.datestamp;
      if (this.maxDatestamp !== undefined && datestamp < this.maxDatestamp) this.ordered = false;
      if (this.minDatestamp === undefined || datestamp < this.minDatestamp) this.minDatestamp = datestamp;
      this.maxDatestamp = laterDatestamp(this.maxDatestamp, datestamp);
    }
  }

  private add(item: PageItem, size: number): void {
    this.noteDatestamp(item);
    this.items.push(item);
    this.bytes += size;
    if (this.bytes > this.maxBytes) {
      const items = this.items;
      const firstSeq = this.staged;
      this.queue(() => this.store.harvest.stageItems(this.source, this.slot, firstSeq, items));
      this.staged += items.length;
      this.items = [];
      this.bytes = 0;
    }
  }

  get spilled(): boolean {
    return this.staged > 0;
  }

  get count(): number {
    return this.staged + this.items.length + this.raw.length + this.rawCount;
  }

  /**
   * Every item: the staged ones (read back in batches, through `store`: the commit's
   * transaction), then those held, then the received ones, mapped one by one as they are read.
   * The page's datestamps are complete once this has run to its end.
   */
  async *all(store: Store, batch = 500): AsyncGenerator<PageItem> {
    await this.settled();
    if (this.staged > 0) {
      let after = -1;
      for (;;) {
        const rows = await store.harvest.stagedItems(this.source, this.slot, after, batch);
        for (const row of rows) {
          after = row.seq;
          yield row.item;
        }
        if (rows.length < batch) break;
      }
    }
    yield* this.items;
    const raw = this.raw;
    this.raw = [];
    this.rawBytes = 0;
    this.rawCount = raw.length;
    for (let i = 0; i < raw.length; i++) {
      const { item, context } = raw[i]!;
      raw[i] = undefined!; // the bytes can go once mapped
      const prepared = this.prepare(item, context, this.requestUrl);
      this.noteDatestamp(prepared.item);
      yield prepared.item;
    }
    this.rawCount = 0;
  }
}

function prepareItem(item: ScannedItem, context: ItemContext, metadataPrefix: string, mapper: HarvestMapper, requestUrl: string | undefined): { item: PageItem; size: number } {
  const read = readAndMapRecord(item, context, metadataPrefix, mapper);
  if (isUnreadable(read)) {
    return {
      item: { kind: 'quarantine', quarantine: { identifier: read.identifier, datestamp: read.datestamp, reason: read.problem, raw: read.rawBytes, requestUrl } },
      size: read.rawBytes.length,
    };
  }
  const repaired = repairChanged(read.repair);
  const mapping = read.mapping;
  const record: PreparedRecord = {
    identifier: read.header.identifier,
    datestamp: read.header.datestamp,
    deleted: read.header.deleted,
    setSpecs: read.header.setSpecs,
    recordXml: read.xml,
    metadataXml: read.metadataXml,
    contentHash: hashRecordBytes(read.rawBytes),
    // Kept when the stored text cannot give the harvested bytes back (dump --format raw).
    rawBytes: repaired || !read.recoverable ? read.rawBytes : undefined,
    repairs: repaired ? describeRepair(read.repair) : undefined,
    format: mapping?.format,
    article: mapping?.record,
    valid: mapping?.valid ?? false,
    errors: mapping?.errors ?? [],
    warnings: mapping ? [...mapping.warnings] : [],
  };
  if (repaired) record.warnings.unshift(`repaired: ${record.repairs}`);
  // Counted twice over: the XML text and (roughly) the mapped object.
  return { item: { kind: 'record', record }, size: read.xml.length * 2 + read.rawBytes.length };
}

function laterDatestamp(a: string | undefined, b: string): string {
  return a === undefined || b > a ? b : a;
}

export { nextFromResponseDate } from './plan.js';

const INTERRUPTED = 'the harvester process ended without finishing (killed or crashed); the checkpoint was kept';

/** Starts a run; a run left 'running' by a dead process becomes 'interrupted'. */
function startRun(store: Store, source: string, args: { from?: string; until?: string; resumedFrom?: number }, now: string): Promise<number> {
  return store.withTransaction(async (tx) => {
    await tx.harvest.interruptRunningRuns(source, INTERRUPTED, now);
    return tx.harvest.insertRun(source, args, now);
  });
}

/** Completes a run: the next incremental `from` is saved and the checkpoint removed, atomically (in `store`'s transaction if it is one). */
function completeRun(
  store: Store,
  runId: number,
  source: string,
  details: { nextFrom: string | undefined; lastResponseDate: string | undefined; warnings: string[]; requests: number },
  now: string,
): Promise<void> {
  return store.withTransaction(async (tx) => {
    await tx.harvest.finishRun(runId, 'completed', details, now);
    await tx.harvest.setNextFrom(source, details.nextFrom, details.lastResponseDate, now);
    await tx.harvest.deleteCheckpoint(source);
  });
}

/**
 * Takes the source's lease (`harvest:<name>`) for this run. A lease left by a process that no
 * longer exists on this host (killed, crashed) is taken over; a live one, here or elsewhere,
 * is refused until it expires.
 */
async function leaseSource(store: Store, name: string, ttlMs: number, log: Logger | undefined) {
  const leases = new JobLeases(store.jobs);
  const key = `harvest:${name}`;
  const owner = leaseOwnerName(`harvest-${randomBytes(3).toString('hex')}`);
  if (!(await leases.acquire(key, owner, ttlMs))) {
    const holder = await leases.holder(key);
    const here = holder && holder.owner.startsWith(leaseOwnerName(''));
    throw new Error(
      here
        ? `Source "${name}" is already being harvested in this process`
        : `Source "${name}" is being harvested by ${holder?.owner ?? 'another process'} since ${holder?.acquiredAt ?? '(unknown)'}`,
    );
  }
  return keepLease(leases, key, owner, ttlMs, (error) => log?.warn({ source: name, error: error.message }, 'harvest lease heartbeat failed; will retry'));
}

/**
 * Harvests one configured source: continues its checkpoint if a previous run stopped early,
 * otherwise starts a list sequence (incremental from the last completed run). Every page is
 * committed with its resumption token in one transaction. Never throws for harvest failures:
 * the summary says completed, paused (resumable: Retry-After too long, budget, abort, lease
 * lost) or failed (the checkpoint is kept, the next run retries from it).
 */
export async function runHarvest(store: Store, sourceName: string, options: HarvestRunOptions = {}): Promise<HarvestRunSummary> {
  const clock = options.clock ?? (() => new Date());
  const source = await store.harvest.getSource(sourceName);
  if (!source) throw new Error(`No harvest source named "${sourceName}" (add it with: pubmeta harvest add ${sourceName} URL --prefix oai_dc)`);
  const log = options.logger;
  const lease = await leaseSource(store, source.name, options.leaseTtlMs ?? 5 * 60_000, log);
  const signal = options.signal ? AbortSignal.any([options.signal, lease.lost]) : lease.lost;
  try {
    return await harvestLocked(store, source, { ...options, signal }, clock, log);
  } finally {
    await lease.release();
  }
}

interface InFlight {
  buffer: PageBuffer;
  requestedAt: Date;
  result: Promise<PageResult>;
  cancel: AbortController;
}

type Totals = Omit<HarvestRunCounts, 'requests'>;

/** Shared state of one run: what the loop and the summary read. */
interface RunState {
  store: Store;
  source: HarvestSource;
  options: HarvestRunOptions;
  clock: () => Date;
  log: Logger | undefined;
  started: Date;
  warnings: string[];
  totals: Totals;
  resumed: boolean;
  previousRecords: number;
  runId: number;
  client: HarvestClient | undefined;
  from?: string | undefined;
  until?: string | undefined;
  completeListSize?: number | undefined;
  nextFrom?: string | undefined;
}

function warnRun(state: RunState, code: string, message: string): void {
  state.warnings.push(`${code}: ${message}`);
  state.log?.warn({ source: state.source.name, code }, message);
}

function summarize(
  state: RunState,
  status: HarvestRunOutcome,
  extra: { reason?: string; errorCode?: string; resumeAfter?: string; resumable?: boolean } = {},
): HarvestRunSummary {
  const finished = state.clock();
  const summary: HarvestRunSummary = {
    runId: state.runId,
    source: state.source.name,
    status,
    resumable: extra.resumable ?? status !== 'completed',
    resumed: state.resumed,
    requests: state.client?.requestCount ?? 0,
    ...state.totals,
    warnings: state.warnings,
    startedAt: state.started.toISOString(),
    finishedAt: finished.toISOString(),
    durationMs: finished.getTime() - state.started.getTime(),
  };
  if (extra.reason !== undefined) summary.reason = extra.reason;
  if (extra.errorCode !== undefined) summary.errorCode = extra.errorCode;
  if (extra.resumeAfter !== undefined) summary.resumeAfter = extra.resumeAfter;
  if (state.from !== undefined) summary.from = state.from;
  if (state.until !== undefined) summary.until = state.until;
  if (state.completeListSize !== undefined) summary.completeListSize = state.completeListSize;
  if (state.nextFrom !== undefined) summary.nextFrom = state.nextFrom;
  return summary;
}

function makeClient(state: RunState): HarvestClient {
  const { options, source, log } = state;
  const budget = options.requestBudget ?? source.requestBudget;
  const delay = options.client?.minIntervalMs ?? source.delayMs;
  const contact = options.client?.contactEmail ?? source.fromContact;
  return new HarvestClient({
    ...options.client,
    baseUrl: source.baseUrl,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(budget !== undefined ? { requestBudget: budget } : {}),
    ...(delay !== undefined ? { minIntervalMs: delay } : {}),
    ...(contact !== undefined ? { contactEmail: contact } : {}),
    clock: options.client?.clock ?? state.clock,
    onEvent: (event: HarvestClientEvent) => {
      if (event.type === 'retry') {
        log?.warn({ source: source.name, url: event.url, attempt: event.attempt, delayMs: event.delayMs, code: event.code }, `retrying: ${event.message}`);
      } else if (event.type === 'warning') {
        warnRun(state, event.code, event.message);
      } else {
        log?.debug({ source: source.name, url: event.url, attempt: event.attempt }, 'request');
      }
      options.client?.onEvent?.(event);
    },
  });
}

/** Identify once per sequence: the granularity decides the `from` format (§3.3.1). */
async function learnGranularity(state: RunState, client: HarvestClient, resuming: boolean): Promise<Granularity> {
  const { source, store } = state;
  if (resuming && source.granularity !== undefined) return source.granularity;
  try {
    const identify = await client.identify();
    await store.harvest.recordIdentify(source.name, identify, state.clock().toISOString());
    if (identify.declaredGranularity !== identify.granularity) {
      warnRun(state, 'granularity', `Identify declares granularity "${identify.declaredGranularity}"; using day granularity`);
    }
    return identify.granularity;
  } catch (error) {
    if (identifyFailureIsFatal(error)) throw error;
    warnRun(state, 'identify', `Identify failed (${describeError(error)}); assuming day granularity, which every repository supports`);
    return source.granularity ?? 'YYYY-MM-DD';
  }
}

/** Ends the run by its outcome: paused (resumable) or failed (checkpoint kept). */
async function finishWithError(state: RunState, error: unknown): Promise<HarvestRunSummary> {
  const { store, source, log, runId } = state;
  const now = state.clock().toISOString();
  const requests = state.client?.requestCount ?? 0;
  if (error instanceof HarvestPausedError) {
    const resumeAfter = error.resumeAfter?.toISOString();
    if (resumeAfter) await store.harvest.setNotBefore(source.name, resumeAfter, now);
    await store.harvest.finishRun(runId, 'paused', { reason: error.message, errorCode: error.code, warnings: state.warnings, requests }, now);
    log?.warn({ source: source.name, code: error.code, resumeAfter }, `harvest paused: ${error.message}`);
    return summarize(state, 'paused', { reason: error.message, errorCode: error.code, ...(resumeAfter ? { resumeAfter } : {}) });
  }
  const code = error instanceof HarvestOaiError ? error.oaiCode : error instanceof HarvestError ? error.code : 'internal';
  const reason = describeError(error);
  await store.harvest.finishRun(runId, 'failed', { reason, errorCode: code, warnings: state.warnings, requests }, now);
  log?.error({ source: source.name, code }, `harvest failed: ${reason}`);
  if (!(error instanceof HarvestError)) throw error;
  return summarize(state, 'failed', { reason, errorCode: code, resumable: (await store.harvest.getCheckpoint(source.name)) !== undefined });
}

async function harvestLocked(store: Store, source: HarvestSource, options: HarvestRunOptions, clock: () => Date, log: Logger | undefined): Promise<HarvestRunSummary> {
  const state: RunState = {
    store,
    source,
    options,
    clock,
    log,
    started: clock(),
    warnings: [],
    totals: { pages: 0, records: 0, created: 0, updated: 0, unchanged: 0, deleted: 0, invalid: 0, quarantined: 0 },
    resumed: false,
    previousRecords: 0,
    runId: 0,
    client: undefined,
  };
  const now = () => clock().toISOString();
  if (source.notBefore !== undefined && !options.ignoreNotBefore && Date.parse(source.notBefore) > state.started.getTime()) {
    state.runId = await startRun(store, source.name, {}, now());
    const reason = `The repository asked not to be contacted before ${source.notBefore} (Retry-After)`;
    await store.harvest.finishRun(state.runId, 'paused', { reason, errorCode: 'retryAfterTooLong', warnings: state.warnings, requests: 0 }, now());
    return summarize(state, 'paused', { reason, errorCode: 'retryAfterTooLong', resumeAfter: source.notBefore });
  }
  const plan = planRun({ source, checkpoint: await store.harvest.getCheckpoint(source.name), from: options.from, until: options.until, full: options.full, restart: options.restart });
  const saved = plan.kind === 'continue' ? plan.checkpoint : undefined;
  state.resumed = saved !== undefined;
  state.previousRecords = saved?.records ?? 0;
  await store.harvest.clearStaging(source.name);
  const window = saved ? { from: saved.listFrom, until: saved.listUntil } : { from: plan.kind === 'start' ? plan.from : undefined, until: plan.kind === 'start' ? plan.until : undefined };
  state.runId = await startRun(
    store,
    source.name,
    { ...(window.from !== undefined ? { from: window.from } : {}), ...(window.until !== undefined ? { until: window.until } : {}), ...(saved ? { resumedFrom: saved.runId } : {}) },
    now(),
  );
  const client = makeClient(state);
  state.client = client;
  state.completeListSize = saved?.completeListSize;
  try {
    const granularity = await learnGranularity(state, client, saved !== undefined);
    let checkpoint: HarvestCheckpoint;
    if (saved) {
      checkpoint = saved;
      log?.info({ source: source.name, pages: saved.pages, records: saved.records, token: saved.resumptionToken !== undefined }, 'continuing from the checkpoint of an earlier run');
    } else {
      const started = startSequence(source, state.runId, window, granularity, now());
      for (const note of started.notes) warnRun(state, 'granularity', note);
      checkpoint = started.checkpoint;
      await store.harvest.saveCheckpoint(checkpoint, now());
    }
    state.from = checkpoint.listFrom;
    state.until = checkpoint.listUntil;
    await new RunLoop(state, client, granularity, checkpoint).run();
    log?.info({ source: source.name, ...state.totals, nextFrom: state.nextFrom }, 'harvest completed');
    return summarize(state, 'completed');
  } catch (error) {
    return await finishWithError(state, error);
  } finally {
    await client.close();
  }
}

/**
 * The thin run loop: request a page (the next one goes out before this one is committed),
 * commit it with its checkpoint, ask classify.ts what next. Throws a HarvestError to stop.
 */
class RunLoop {
  private nextSlot = 0;
  private restartsLeft: number;
  private readonly seenTokens = new Set<string>();
  private readonly prepare: Prepare;
  private first: { count: number; completeListSize: number | undefined } | undefined;
  private readonly budgeted: boolean;

  constructor(
    private readonly state: RunState,
    private readonly client: HarvestClient,
    private readonly granularity: Granularity,
    private checkpoint: HarvestCheckpoint,
  ) {
    const { options, source } = state;
    this.restartsLeft = options.maxRestarts ?? 1;
    const mapper = options.mapper ?? mapHarvestedMetadata;
    this.prepare = (item, context, requestUrl) => prepareItem(item, context, source.metadataPrefix, mapper, requestUrl);
    this.budgeted = (options.requestBudget ?? source.requestBudget) !== undefined;
    if (checkpoint.resumptionToken !== undefined) this.seenTokens.add(checkpoint.resumptionToken);
    // A resumed sequence: its average page stands for the first page.
    if (checkpoint.pages > 0) this.first = { count: Math.ceil(checkpoint.records / checkpoint.pages), completeListSize: checkpoint.completeListSize };
  }

  private get aborted(): boolean {
    return this.state.options.signal?.aborted === true;
  }

  private request(cp: HarvestCheckpoint): InFlight {
    const args = requestArguments(cp);
    const { store, source, options } = this.state;
    const buffer = new PageBuffer(store, source.name, this.nextSlot++, options.maxBufferedBytes ?? 32 * 1024 * 1024, this.prepare, buildRequestUrl(source.baseUrl, { verb: 'ListRecords', ...args }));
    const cancel = new AbortController();
    const result = this.client.fetchPage('ListRecords', args, { onAttempt: () => buffer.reset(), onItem: (item, context) => buffer.receive(item, context) }, cancel.signal);
    result.catch(() => undefined); // awaited later, or abandoned on a stop
    return { buffer, requestedAt: this.state.clock(), result, cancel };
  }

  async run(): Promise<void> {
    if (this.aborted) throw new HarvestPausedError('aborted', 'Stopped on request; the checkpoint is saved');
    let inFlight: InFlight | undefined = this.request(this.checkpoint);
    try {
      for (;;) {
        const current: InFlight = inFlight;
        inFlight = undefined;
        let result: PageResult;
        try {
          result = await current.result;
        } catch (error) {
          current.buffer.reset();
          await current.buffer.settled().catch(() => undefined);
          await this.onError(error);
          inFlight = this.request(this.checkpoint);
          continue;
        }
        const token = this.tokenOf(result);
        // Fetch ahead: the next page is requested before this one is mapped and committed, so
        // the repository renders it while we work. Commits still advance one page at a time.
        if (token.value !== '' && !token.repeated && !this.aborted && !current.buffer.spilled) {
          inFlight = this.request({ ...this.checkpoint, resumptionToken: token.value });
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
        const verdict = await this.commit(current, result, token);
        if (verdict.action === 'done') return;
        if (verdict.action === 'pause') throw verdict.error;
        // A stop asked for while the page committed (by a progress callback, a signal).
        if (this.aborted) throw new HarvestPausedError('aborted', 'Stopped on request; the checkpoint is saved');
        inFlight ??= this.request(this.checkpoint);
      }
    } finally {
      // A page fetched ahead but not committed is dropped: the checkpoint asks for it again.
      if (inFlight) {
        inFlight.cancel.abort();
        await inFlight.result.catch(() => undefined);
        inFlight.buffer.reset();
        await inFlight.buffer.settled().catch(() => undefined);
      }
    }
  }

  /** A failed request: restart the list after badResumptionToken (once), else rethrow. */
  private async onError(error: unknown): Promise<void> {
    const cp = this.checkpoint;
    const verdict = classifyError(error, { hadToken: cp.resumptionToken !== undefined, restartsLeft: this.restartsLeft });
    if (verdict.action !== 'restart') throw verdict.action === 'pause' ? verdict.error : error;
    this.restartsLeft--;
    this.checkpoint = restartSequence(cp, this.granularity);
    const from = this.checkpoint.restartFrom;
    warnRun(this.state, 'badResumptionToken', `The repository rejected the resumption token (${verdict.message}); restarting the list from ${from ?? 'the beginning'}`);
    await this.state.store.harvest.saveCheckpoint(this.checkpoint, this.state.clock().toISOString());
    this.seenTokens.clear();
    this.first = undefined;
    if (this.aborted) throw new HarvestPausedError('aborted', 'Stopped on request; the checkpoint is saved');
  }

  private tokenOf(result: PageResult): { value: string; repeated: boolean } {
    const envelope = result.envelope;
    if (envelope.errors.some((e) => e.code === 'noRecordsMatch')) this.state.log?.info({ source: this.state.source.name }, 'noRecordsMatch: nothing new since the last harvest');
    const value = envelope.resumptionToken?.value ?? '';
    const repeated = value !== '' && this.seenTokens.has(value);
    if (value !== '') this.seenTokens.add(value);
    return { value, repeated };
  }

  private responseDate(result: PageResult, requestedAt: Date): string {
    const date = result.envelope.responseDate;
    if (date !== undefined && isUtcDatetime(date)) return date;
    if (this.checkpoint.firstResponseDate === undefined) warnRun(this.state, 'responseDate', `Missing or invalid responseDate "${date ?? ''}"; using the local clock`);
    return formatUtcDatetime(requestedAt, SECONDS_GRANULARITY);
  }

  /** Commits a received page with its checkpoint (the last page with the run's completion) and classifies it. */
  private async commit(current: InFlight, result: PageResult, token: { value: string; repeated: boolean }) {
    const { state } = this;
    const { store, source, options } = state;
    const page = current.buffer;
    const cp = this.checkpoint;
    const listSize = result.envelope.resumptionToken?.completeListSize;
    const count = page.count;
    this.first ??= { count, completeListSize: listSize };
    const responseDate = this.responseDate(result, current.requestedAt);
    // The page's datestamps are known once its records are mapped, as the commit reads them.
    const advance = () =>
      advanceSequence(cp, state.runId, {
        token: token.repeated ? '' : token.value,
        cursor: result.envelope.resumptionToken?.cursor,
        completeListSize: listSize,
        count,
        responseDate,
        minDatestamp: page.minDatestamp,
        maxDatestamp: page.maxDatestamp,
        ordered: page.ordered,
      });
    const next = advance();
    state.completeListSize = next.completeListSize;
    const verdict = classifyPage({
      token: token.value,
      repeated: token.repeated,
      pages: next.pages,
      pageLimit: pageLimit(this.first, options.maxPages ?? DEFAULT_MAX_PAGES, this.budgeted),
      completeListSize: this.first.completeListSize,
      aborted: this.aborted,
    });
    if (verdict.action === 'done' && verdict.warning) warnRun(state, verdict.warning.code, verdict.warning.message);
    if (verdict.action === 'pause' && verdict.warning) warnRun(state, verdict.warning.code, verdict.warning.message);
    await page.settled();
    // The last page completes the run in its own transaction: a crash can never leave a
    // checkpoint that says "all pages stored" yet no completion, which the next run would
    // read as "list request next" and harvest everything again.
    const last = verdict.action === 'done';
    if (last) state.nextFrom = nextFromResponseDate(next.firstResponseDate, this.granularity, options.overlapSeconds ?? 0);
    const now = state.clock().toISOString();
    const requests = this.client.requestCount;
    const outcome = await commitHarvestPage(store, {
      source: source.name,
      slot: page.slot,
      metadataPrefix: cp.metadataPrefix,
      runId: state.runId,
      // Staged items are read back inside the commit's transaction.
      items: (tx) => page.all(tx),
      checkpoint: last ? undefined : advance,
      requests,
      ...(options.records !== undefined ? { records: options.records } : {}),
      baseUrl: source.baseUrl,
      now,
      ...(last
        ? { then: (tx: Store) => completeRun(tx, state.runId, source.name, { nextFrom: state.nextFrom, lastResponseDate: next.firstResponseDate, warnings: state.warnings, requests }, now) }
        : {}),
    });
    this.checkpoint = advance();
    this.report(count, outcome, this.checkpoint);
    return verdict;
  }

  private report(count: number, outcome: PageOutcome, next: HarvestCheckpoint): void {
    const { state } = this;
    const totals = state.totals;
    totals.pages++;
    totals.records += count;
    totals.created += outcome.created;
    totals.updated += outcome.updated;
    totals.unchanged += outcome.unchanged;
    totals.deleted += outcome.deleted;
    totals.invalid += outcome.invalid;
    totals.quarantined += outcome.quarantined;
    state.log?.debug({ source: state.source.name, page: next.pages, records: next.records, cursor: next.cursor, completeListSize: next.completeListSize }, 'page committed');
    const progress: HarvestProgress = {
      source: state.source.name,
      pages: totals.pages,
      records: totals.records,
      previousRecords: state.previousRecords,
      created: totals.created,
      updated: totals.updated,
      quarantined: totals.quarantined,
      invalid: totals.invalid,
      requests: this.client.requestCount,
    };
    if (next.cursor !== undefined) progress.cursor = next.cursor;
    if (next.completeListSize !== undefined) progress.completeListSize = next.completeListSize;
    state.options.onProgress?.(progress);
  }
}
