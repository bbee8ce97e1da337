import { randomBytes } from 'node:crypto';
import type { HarvestCheckpoint, HarvestRunCounts, HarvestSource, PreparedQuarantine, PreparedRecord, StagedItem, Store } from '../store/types.js';
import type { Logger } from '../log.js';
import { JobLeases, keepLease, leaseOwnerName } from '../worker/leases.js';
import { HarvestClient, readAndMapRecord, type HarvestClientEvent, type HarvestClientOptions, type PageResult } from './client.js';
import { SECONDS_GRANULARITY, buildRequestUrl, formatUtcDatetime, isUtcDatetime, listDateArguments, toGranularity, utcDatetimeToDate } from '../oai-pmh/index.js';
import { HarvestError, HarvestOaiError, HarvestPausedError, describeError } from './errors.js';
import { mapHarvestedMetadata, type HarvestMapper } from './mapping.js';
import { describeRepair, repairChanged } from './sanitize.js';
import type { ScannedItem } from './scanner.js';
import { commitHarvestPage, type HarvestRecordSink } from './commit.js';
import { hashRecordBytes } from './sources.js';
import { isUnreadable, type Granularity, type ItemContext } from './xml.js';

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
  /** badResumptionToken restarts allowed per run. Default 3. */
  maxRestarts?: number;
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
 * are mapped after the page is complete (so the next request can go out first). A page too big
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

  /** Maps the items received so far. */
  prepareReceived(): void {
    const raw = this.raw;
    this.raw = [];
    this.rawBytes = 0;
    for (const { item, context } of raw) {
      const prepared = this.prepare(item, context, this.requestUrl);
      this.add(prepared.item, prepared.size);
    }
  }

  private add(item: PageItem, size: number): void {
    if (item.kind === 'record') {
      const datestamp = item.record.datestamp;
      if (this.maxDatestamp !== undefined && datestamp < this.maxDatestamp) this.ordered = false;
      if (this.minDatestamp === undefined || datestamp < this.minDatestamp) this.minDatestamp = datestamp;
      this.maxDatestamp = laterDatestamp(this.maxDatestamp, datestamp);
    }
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
    return this.staged + this.items.length + this.raw.length;
  }

  /** Every item: the staged ones (read back in batches, through `store`: the commit's transaction), then those held. */
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
    rawBytes: repaired ? read.rawBytes : undefined,
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

/** The next incremental `from`: the first responseDate of the sequence at the repository's granularity. */
export function nextFromResponseDate(responseDate: string | undefined, granularity: Granularity, overlapSeconds = 0): string | undefined {
  if (responseDate === undefined) return undefined;
  const date = utcDatetimeToDate(responseDate);
  if (!date) return undefined;
  return formatUtcDatetime(new Date(date.getTime() - overlapSeconds * 1000), granularity);
}

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

async function harvestLocked(
  store: Store,
  source: HarvestSource,
  options: HarvestRunOptions,
  clock: () => Date,
  log: Logger | undefined,
): Promise<HarvestRunSummary> {
  const started = clock();
  const now = () => clock().toISOString();
  const warnings: string[] = [];
  const warn = (code: string, message: string) => {
    warnings.push(`${code}: ${message}`);
    log?.warn({ source: source.name, code }, message);
  };
  let clientRequests = () => 0;
  let resumed = false;
  let from: string | undefined;
  let until: string | undefined;
  let completeListSize: number | undefined;
  let nextFrom: string | undefined;
  const totals = { pages: 0, records: 0, created: 0, updated: 0, unchanged: 0, deleted: 0, invalid: 0, quarantined: 0 };

  if (source.notBefore !== undefined && !options.ignoreNotBefore && Date.parse(source.notBefore) > started.getTime()) {
    const runId = await startRun(store, source.name, {}, now());
    const reason = `The repository asked not to be contacted before ${source.notBefore} (Retry-After)`;
    await store.harvest.finishRun(runId, 'paused', { reason, errorCode: 'retryAfterTooLong', warnings, requests: 0 }, now());
    return summarize('paused', { reason, errorCode: 'retryAfterTooLong', resumeAfter: source.notBefore });
  }

  let checkpoint = options.restart ? undefined : await store.harvest.getCheckpoint(source.name);
  if (checkpoint && checkpoint.metadataPrefix !== source.metadataPrefix) checkpoint = undefined;
  resumed = checkpoint !== undefined;
  const previousRecords = checkpoint?.records ?? 0;
  await store.harvest.clearStaging(source.name);
  const runId = await startRun(
    store,
    source.name,
    {
      ...((checkpoint?.listFrom ?? options.from) !== undefined ? { from: checkpoint?.listFrom ?? options.from } : {}),
      ...((checkpoint?.listUntil ?? options.until) !== undefined ? { until: checkpoint?.listUntil ?? options.until } : {}),
      ...(checkpoint ? { resumedFrom: checkpoint.runId } : {}),
    },
    now(),
  );

  const clientEvents = (event: HarvestClientEvent) => {
    if (event.type === 'retry') {
      log?.warn({ source: source.name, url: event.url, attempt: event.attempt, delayMs: event.delayMs, code: event.code }, `retrying: ${event.message}`);
    } else if (event.type === 'warning') {
      warn(event.code, event.message);
    } else {
      log?.debug({ source: source.name, url: event.url, attempt: event.attempt }, 'request');
    }
  };
  const client = new HarvestClient({
    ...options.client,
    baseUrl: source.baseUrl,
    ...(options.signal ? { signal: options.signal } : {}),
    ...((options.requestBudget ?? source.requestBudget) !== undefined ? { requestBudget: options.requestBudget ?? source.requestBudget } : {}),
    clock: options.client?.clock ?? clock,
    onEvent: (event) => {
      clientEvents(event);
      options.client?.onEvent?.(event);
    },
  });
  clientRequests = () => client.requestCount;

  completeListSize = checkpoint?.completeListSize;

  function summarize(
    status: HarvestRunOutcome,
    extra: { reason?: string; errorCode?: string; resumeAfter?: string; resumable?: boolean } = {},
    id = 0,
  ): HarvestRunSummary {
    const finished = clock();
    const summary: HarvestRunSummary = {
      runId: id,
      source: source.name,
      status,
      resumable: extra.resumable ?? status !== 'completed',
      resumed,
      requests: clientRequests(),
      ...totals,
      warnings,
      startedAt: started.toISOString(),
      finishedAt: finished.toISOString(),
      durationMs: finished.getTime() - started.getTime(),
    };
    if (extra.reason !== undefined) summary.reason = extra.reason;
    if (extra.errorCode !== undefined) summary.errorCode = extra.errorCode;
    if (extra.resumeAfter !== undefined) summary.resumeAfter = extra.resumeAfter;
    if (from !== undefined) summary.from = from;
    if (until !== undefined) summary.until = until;
    if (completeListSize !== undefined) summary.completeListSize = completeListSize;
    if (nextFrom !== undefined) summary.nextFrom = nextFrom;
    return summary;
  }

  try {
    // Identify once per sequence: the granularity decides the `from` format (§3.3.1).
    let granularity: Granularity = source.granularity ?? 'YYYY-MM-DD';
    if (!checkpoint || source.granularity === undefined) {
      try {
        const identify = await client.identify();
        granularity = identify.granularity;
        await store.harvest.recordIdentify(source.name, identify, now());
        if (identify.declaredGranularity !== identify.granularity) {
          warn('granularity', `Identify declares granularity "${identify.declaredGranularity}"; using day granularity`);
        }
      } catch (error) {
        if (error instanceof HarvestPausedError) throw error;
        if (error instanceof HarvestError && ['network', 'unreachable', 'unsupportedUrl', 'redirect', 'timeout', 'httpStatus', 'responseTooLarge'].includes(error.code)) throw error;
        warn('identify', `Identify failed (${describeError(error)}); assuming day granularity, which every repository supports`);
      }
    }

    if (!checkpoint) {
      // §3.3.1: days are sent as days, seconds to a day repository as their (whole) day.
      const range = listDateArguments({ from: options.from ?? (options.full ? undefined : source.nextFrom), until: options.until }, granularity);
      for (const note of range.notes) warn('granularity', note);
      from = range.from;
      until = range.until;
      checkpoint = {
        source: source.name,
        runId,
        metadataPrefix: source.metadataPrefix,
        listFrom: from,
        listUntil: until,
        listSet: source.set,
        restartFrom: from,
        resumptionToken: undefined,
        cursor: undefined,
        completeListSize: undefined,
        pages: 0,
        records: 0,
        firstResponseDate: undefined,
        maxDatestamp: undefined,
        ordered: true,
        restarts: 0,
        updatedAt: now(),
      };
      await store.harvest.saveCheckpoint(checkpoint, now());
    } else {
      from = checkpoint.listFrom;
      until = checkpoint.listUntil;
      log?.info(
        { source: source.name, pages: checkpoint.pages, records: checkpoint.records, token: checkpoint.resumptionToken !== undefined },
        'continuing from the checkpoint of an earlier run',
      );
    }

    const maxRestarts = options.maxRestarts ?? 3;
    const seenTokens = new Set<string>();
    if (checkpoint.resumptionToken !== undefined) seenTokens.add(checkpoint.resumptionToken);
    const mapper = options.mapper ?? mapHarvestedMetadata;
    const maxBufferedBytes = options.maxBufferedBytes ?? 32 * 1024 * 1024;
    const prepare: Prepare = (item, context, requestUrl) => prepareItem(item, context, source.metadataPrefix, mapper, requestUrl);
    let nextSlot = 0;
    let restartsThisRun = 0;

    interface InFlight {
      buffer: PageBuffer;
      requestedAt: Date;
      result: Promise<PageResult>;
      cancel: AbortController;
    }
    const request = (cp: HarvestCheckpoint): InFlight => {
      const args: Record<string, string> =
        cp.resumptionToken !== undefined
          ? { resumptionToken: cp.resumptionToken }
          : {
              metadataPrefix: cp.metadataPrefix,
              ...(cp.restartFrom !== undefined ? { from: cp.restartFrom } : {}),
              ...(cp.listUntil !== undefined ? { until: cp.listUntil } : {}),
              ...(cp.listSet !== undefined ? { set: cp.listSet } : {}),
            };
      const buffer = new PageBuffer(store, source.name, nextSlot++, maxBufferedBytes, prepare, buildRequestUrl(source.baseUrl, { verb: 'ListRecords', ...args }));
      const cancel = new AbortController();
      const result = client.fetchPage(
        'ListRecords',
        args,
        { onAttempt: () => buffer.reset(), onItem: (item, context) => buffer.receive(item, context) },
        cancel.signal,
      );
      result.catch(() => undefined); // awaited later, or abandoned on a stop
      return { buffer, requestedAt: clock(), result, cancel };
    };

    if (options.signal?.aborted) throw new HarvestPausedError('aborted', 'Stopped on request; the checkpoint is saved');
    let inFlight: InFlight | undefined = request(checkpoint);
    try {
      for (;;) {
        const current: InFlight = inFlight!;
        inFlight = undefined;
        const cp: HarvestCheckpoint = checkpoint;
        let result: PageResult;
        try {
          result = await current.result;
        } catch (error) {
          current.buffer.reset();
          await current.buffer.settled().catch(() => undefined);
          if (error instanceof HarvestOaiError && error.oaiCode === 'badResumptionToken' && cp.resumptionToken !== undefined) {
            if (restartsThisRun >= maxRestarts) throw error;
            restartsThisRun++;
            // Incomplete lists need not be in datestamp order (§3.5), so only a sequence seen in
            // order may restart at its latest datestamp; otherwise at the sequence's own `from`.
            const restartFrom =
              cp.ordered && cp.maxDatestamp !== undefined && isUtcDatetime(cp.maxDatestamp) ? toGranularity(cp.maxDatestamp, granularity) : cp.listFrom;
            warn(
              'badResumptionToken',
              `The repository rejected the resumption token (${error.errors[0]?.message || 'expired or invalid'}); restarting the list from ${restartFrom ?? 'the beginning'}`,
            );
            checkpoint = { ...cp, resumptionToken: undefined, restartFrom, restarts: cp.restarts + 1, cursor: undefined };
            await store.harvest.saveCheckpoint(checkpoint, now());
            seenTokens.clear();
            if (options.signal?.aborted) throw new HarvestPausedError('aborted', 'Stopped on request; the checkpoint is saved');
            inFlight = request(checkpoint);
            continue;
          }
          throw error;
        }
        const envelope = result.envelope;
        if (envelope.errors.some((e) => e.code === 'noRecordsMatch')) {
          log?.info({ source: source.name }, 'noRecordsMatch: nothing new since the last harvest');
        }
        let token = envelope.resumptionToken?.value ?? '';
        if (token !== '' && seenTokens.has(token)) {
          warn('resumptionTokenLoop', `The repository returned resumption token "${token}" again; ending the list to avoid a loop`);
          token = '';
        }
        if (token !== '') seenTokens.add(token);

        // Fetch ahead: the next page is requested before this one is mapped and committed, so
        // the repository renders it while we work. Commits still advance one page at a time.
        if (token !== '' && !options.signal?.aborted && !current.buffer.spilled) {
          inFlight = request({ ...cp, resumptionToken: token });
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
        const page = current.buffer;
        page.prepareReceived();

        const responseDate =
          envelope.responseDate !== undefined && isUtcDatetime(envelope.responseDate)
            ? envelope.responseDate
            : (() => {
                if (cp.firstResponseDate === undefined) warn('responseDate', `Missing or invalid responseDate "${envelope.responseDate ?? ''}"; using the local clock`);
                return formatUtcDatetime(current.requestedAt, SECONDS_GRANULARITY);
              })();
        const ordered = cp.ordered && page.ordered && (cp.maxDatestamp === undefined || page.minDatestamp === undefined || page.minDatestamp >= cp.maxDatestamp);
        const maxDatestamp = page.maxDatestamp === undefined ? cp.maxDatestamp : laterDatestamp(cp.maxDatestamp, page.maxDatestamp);
        if (envelope.resumptionToken?.completeListSize !== undefined) completeListSize = envelope.resumptionToken.completeListSize;
        const next: HarvestCheckpoint = {
          ...cp,
          runId,
          resumptionToken: token === '' ? undefined : token,
          cursor: envelope.resumptionToken?.cursor,
          completeListSize: completeListSize,
          pages: cp.pages + 1,
          records: cp.records + page.count,
          firstResponseDate: cp.firstResponseDate ?? responseDate,
          maxDatestamp,
          ordered,
        };
        await page.settled();
        // The last page completes the run in its own transaction: a crash can never leave a
        // checkpoint that says "all pages stored" yet no completion, which the next run would
        // read as "list request next" and harvest everything again.
        const last = token === '';
        if (last) nextFrom = nextFromResponseDate(next.firstResponseDate, granularity, options.overlapSeconds ?? 0);
        const outcome = await commitHarvestPage(store, {
          source: source.name,
          slot: page.slot,
          metadataPrefix: cp.metadataPrefix,
          runId,
          // Staged items are read back inside the commit's transaction.
          items: (tx) => page.all(tx),
          checkpoint: last ? undefined : next,
          requests: client.requestCount,
          ...(options.records !== undefined ? { records: options.records } : {}),
          baseUrl: source.baseUrl,
          now: now(),
          ...(last
            ? { then: (tx: Store) => completeRun(tx, runId, source.name, { nextFrom, lastResponseDate: next.firstResponseDate, warnings, requests: client.requestCount }, now()) }
            : {}),
        });
        checkpoint = next;
        totals.pages++;
        totals.records += page.count;
        totals.created += outcome.created;
        totals.updated += outcome.updated;
        totals.unchanged += outcome.unchanged;
        totals.deleted += outcome.deleted;
        totals.invalid += outcome.invalid;
        totals.quarantined += outcome.quarantined;
        log?.debug({ source: source.name, page: next.pages, records: next.records, cursor: next.cursor, completeListSize }, 'page committed');
        const progress: HarvestProgress = {
          source: source.name,
          pages: totals.pages,
          records: totals.records,
          previousRecords,
          created: totals.created,
          updated: totals.updated,
          quarantined: totals.quarantined,
          invalid: totals.invalid,
          requests: client.requestCount,
        };
        if (next.cursor !== undefined) progress.cursor = next.cursor;
        if (completeListSize !== undefined) progress.completeListSize = completeListSize;
        options.onProgress?.(progress);
        if (token === '') break;
        if (options.signal?.aborted) throw new HarvestPausedError('aborted', 'Stopped on request; the checkpoint is saved');
        inFlight ??= request(checkpoint);
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

    log?.info({ source: source.name, ...totals, nextFrom }, 'harvest completed');
    return summarize('completed', {}, runId);
  } catch (error) {
    if (error instanceof HarvestPausedError) {
      const resumeAfter = error.resumeAfter?.toISOString();
      if (error.resumeAfter) await store.harvest.setNotBefore(source.name, error.resumeAfter.toISOString(), now());
      await store.harvest.finishRun(runId, 'paused', { reason: error.message, errorCode: error.code, warnings, requests: client.requestCount }, now());
      log?.warn({ source: source.name, code: error.code, resumeAfter }, `harvest paused: ${error.message}`);
      return summarize('paused', { reason: error.message, errorCode: error.code, ...(resumeAfter ? { resumeAfter } : {}) }, runId);
    }
    const code = error instanceof HarvestOaiError ? error.oaiCode : error instanceof HarvestError ? error.code : 'internal';
    const reason = describeError(error);
    await store.harvest.finishRun(runId, 'failed', { reason, errorCode: code, warnings, requests: client.requestCount }, now());
    log?.error({ source: source.name, code }, `harvest failed: ${reason}`);
    if (!(error instanceof HarvestError)) throw error;
    return summarize('failed', { reason, errorCode: code, resumable: (await store.harvest.getCheckpoint(source.name)) !== undefined }, runId);
  } finally {
    await client.close();
  }
}
