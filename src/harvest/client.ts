import { LIST_ITEM_ELEMENT, buildRequestUrl, isEmptyListError, listDateArguments, type Granularity, type OaiVerb } from '../oai-pmh/index.js';
import { HarvestError, HarvestOaiError } from './errors.js';
import { HarvestMappingError, mapHarvestedMetadata, type HarvestMapper, type HarvestMapping } from './mapping.js';
import { OaiResponseSplitter, type ScannedItem, type SplitterLimits } from './scanner.js';
import { ConsumerFailure, HttpTransport, type TransportEvent, type TransportOptions, type TransportResponse } from './transport.js';
import {
  isUnreadable,
  namespaceDeclarations,
  parseEnvelope,
  readIdentify,
  readMetadataFormatItem,
  readRecordItem,
  readSetItem,
  type HarvestedItem,
  type ItemContext,
  type OaiEnvelope,
  type OaiHeader,
  type OaiIdentify,
  type OaiMetadataFormat,
  type OaiSet,
  type UnreadableItem,
} from './xml.js';

/**
 * The OAI-PMH verbs over the transport: one request (`fetchPage`), the single-answer verbs
 * (Identify, ListMetadataFormats, GetRecord), and the list verbs as async iterators that follow
 * resumption tokens. Responses are read by their body, whatever the HTTP status: an OAI-PMH
 * document is an answer (InvenioRDM sends noRecordsMatch with HTTP 422), anything else with a
 * status other than 200 is an HTTP failure.
 */

export { realSleep, type SleepFunction } from './transport.js';
export type HarvestClientEvent = TransportEvent;

export interface HarvestClientOptions extends TransportOptions, SplitterLimits {
  /** The repository's base URL (may carry a query string of its own). */
  baseUrl: string;
}

export interface PageHandlers {
  /** Called before every attempt: whatever the previous attempt delivered is void. */
  onAttempt?: (attempt: number) => void;
  onItem?: (item: ScannedItem, context: ItemContext) => void | Promise<void>;
}

export interface PageResult {
  envelope: OaiEnvelope;
  url: string;
  /** Attempts this page took (1 when the first succeeded). */
  attempts: number;
  /** HTTP status of the answer (an OAI-PMH document may come with any). */
  status: number;
}

export interface ListArguments {
  metadataPrefix: string;
  from?: string;
  until?: string;
  set?: string;
}

/** One record from ListRecords or GetRecord, with the metadata mapped to an article record. */
export interface HarvestRecord extends HarvestedItem {
  /** Mapping result (the "parsed record"); absent when mapping was turned off. */
  mapping?: HarvestMapping;
}

/** Where a list stands after one of its pages (for progress, runaway-list and loop checks). */
export interface ListPage {
  /** 1-based page number within this iteration. */
  number: number;
  url: string;
  envelope: OaiEnvelope;
  /** Items the page held (read or not). */
  items: number;
  /** The token for the next page; undefined on the last page. */
  resumptionToken: string | undefined;
  cursor: number | undefined;
  completeListSize: number | undefined;
  /** The repository sent a token it had sent before; the list ends here. */
  tokenRepeated: boolean;
}

export interface ListIterationOptions {
  /** Resume a list from a token instead of starting it. */
  resumptionToken?: string;
  /** Map metadata to ArticleRecord (default true), or a custom mapper. */
  map?: boolean | HarvestMapper;
  /** Records that cannot be read (default: reported as a warning event and skipped). */
  onUnreadable?: (item: UnreadableItem) => void;
  /** Called after each page, before its last items are yielded. */
  onPage?: (page: ListPage) => void;
  /**
   * The repository's granularity (from Identify): from/until are then sent as it accepts them
   * (see listDateArguments). Without it they are sent as given.
   */
  granularity?: Granularity;
  /** Stops the iteration (and the request in flight) within a second. */
  signal?: AbortSignal;
}

function isXmlContentType(contentType: string | undefined): boolean {
  if (contentType === undefined || contentType.trim() === '') return true;
  return /[/+]xml\b/i.test(contentType);
}

/** Bytes of a non-200 response read while looking for an OAI-PMH root before calling it an HTTP failure. */
const ERROR_BODY_SNIFF_BYTES = 64 * 1024;

export class HarvestClient {
  readonly baseUrl: string;
  private readonly options: HarvestClientOptions;
  private readonly transport: HttpTransport;

  constructor(options: HarvestClientOptions) {
    this.options = options;
    this.baseUrl = options.baseUrl;
    this.transport = new HttpTransport(options);
  }

  /** HTTP requests made so far (the budget counts these). */
  get requestCount(): number {
    return this.transport.requestCount;
  }

  /** Lets a caller carry a budget across clients (a resumed run). */
  set requestCount(value: number) {
    this.transport.requestCount = value;
  }

  async close(): Promise<void> {
    await this.transport.close();
  }

  private emit(event: TransportEvent): void {
    this.options.onEvent?.(event);
  }

  /**
   * One request: streams the response's items to `handlers.onItem` as they arrive and resolves
   * with the rest of the response (the envelope). A retryable failure repeats the request
   * (calling onAttempt first). OAI-PMH errors reject with HarvestOaiError, except those that
   * mean an empty answer for the verb (noRecordsMatch for a list, §3.6), which resolve with the
   * errors in the envelope.
   */
  async fetchPage(verb: string, args: Record<string, string>, handlers: PageHandlers = {}, requestSignal?: AbortSignal): Promise<PageResult> {
    const url = buildRequestUrl(this.baseUrl, { verb, ...args });
    const itemName = LIST_ITEM_ELEMENT[verb as OaiVerb];
    const { value, attempts } = await this.transport.get(url, (response) => this.readResponse(response, itemName, handlers), {
      ...(requestSignal ? { signal: requestSignal } : {}),
      ...(handlers.onAttempt ? { onAttempt: handlers.onAttempt } : {}),
    });
    const fatal = value.envelope.errors.filter((e) => !isEmptyListError(verb, e.code));
    if (fatal.length > 0) throw new HarvestOaiError(value.envelope.errors, value.url, value.status);
    return { ...value, attempts };
  }

  /** Reads one response by its body: an OAI-PMH document whatever the status, else an HTTP failure. */
  private async readResponse(response: TransportResponse, itemName: string | undefined, handlers: PageHandlers): Promise<Omit<PageResult, 'attempts'>> {
    const { url, status, contentType } = response;
    // 503 and 429 are flow control (guidelines-harvester §5), whatever the body says.
    if (status === 503 || status === 429) {
      await response.discard();
      throw response.statusError();
    }
    const splitter = new OaiResponseSplitter(itemName, this.options);
    let context: ItemContext | undefined;
    let bytes = 0;
    try {
      for await (const chunk of response.body) {
        bytes += chunk.length;
        const items = splitter.feed(chunk);
        if (status !== 200 && splitter.rootTag === '' && bytes > ERROR_BODY_SNIFF_BYTES) throw response.statusError();
        if (items.length === 0 || !handlers.onItem) continue;
        context ??= { declaredEncoding: splitter.encoding, namespaces: namespaceDeclarations(splitter.rootTag) };
        for (const item of items) {
          try {
            const pending = handlers.onItem(item, context);
            if (pending) await pending;
          } catch (error) {
            throw new ConsumerFailure(error);
          }
        }
      }
    } catch (error) {
      throw notAnAnswer(error, response) ?? error;
    }
    let result;
    try {
      result = splitter.end();
    } catch (error) {
      const failure = notAnAnswer(error, response);
      if (failure) throw failure;
      if (error instanceof HarvestError && !isXmlContentType(contentType) && (error.code === 'notOaiPmh' || error.code === 'emptyBody')) {
        throw new HarvestError('nonXmlContentType', `The response has Content-Type "${contentType}" and is not OAI-PMH: ${error.message}`, { url });
      }
      throw withUrl(error, url);
    }
    if (!isXmlContentType(contentType)) {
      this.emit({ type: 'warning', code: 'nonXmlContentType', message: `Content-Type "${contentType}" is not XML, but the body is an OAI-PMH document`, url });
    }
    if (result.junkBeforeRoot || result.junkAfterRoot) {
      this.emit({ type: 'warning', code: 'junkOutsideRoot', message: 'Text outside the OAI-PMH root element was ignored', url });
    }
    let envelope: OaiEnvelope;
    try {
      envelope = parseEnvelope(result);
    } catch (error) {
      throw notAnAnswer(error, response) ?? withUrl(error, url);
    }
    return { envelope, url, status };
  }

  /** Identify (OAI-PMH 2.0 §4.2). */
  async identify(options: { signal?: AbortSignal } = {}): Promise<OaiIdentify> {
    const { envelope } = await this.fetchPage('Identify', {}, {}, options.signal);
    return readIdentify(envelope);
  }

  /** ListMetadataFormats (§4.4), for the repository or one item; an item with none gives []. */
  async listMetadataFormats(identifier?: string, options: { signal?: AbortSignal } = {}): Promise<OaiMetadataFormat[]> {
    const formats: OaiMetadataFormat[] = [];
    await this.fetchPage(
      'ListMetadataFormats',
      identifier === undefined ? {} : { identifier },
      {
        onAttempt: () => {
          formats.length = 0;
        },
        onItem: (item, context) => {
          if (item.abandoned !== undefined) this.emit({ type: 'warning', code: 'unreadableItem', message: item.abandoned });
          else formats.push(readMetadataFormatItem(item, context));
        },
      },
      options.signal,
    );
    return formats;
  }

  /** GetRecord (§4.1). Throws HarvestOaiError (idDoesNotExist, cannotDisseminateFormat ...). */
  async getRecord(identifier: string, metadataPrefix: string, options: { map?: boolean | HarvestMapper; signal?: AbortSignal } = {}): Promise<HarvestRecord> {
    let found: HarvestRecord | UnreadableItem | undefined;
    const { url } = await this.fetchPage(
      'GetRecord',
      { identifier, metadataPrefix },
      {
        onAttempt: () => {
          found = undefined;
        },
        onItem: (item, context) => {
          found ??= readAndMapRecord(item, context, metadataPrefix, mapperOf(options.map));
        },
      },
      options.signal,
    );
    if (found === undefined) throw new HarvestError('notOaiPmh', 'The GetRecord response contains no record', { url });
    if (isUnreadable(found)) throw new HarvestError('malformedXml', `The record cannot be read: ${found.problem}`, { url });
    return found;
  }

  /** ListRecords (§4.5) as an async iterator over records, following resumption tokens. */
  listRecords(args: ListArguments, options: ListIterationOptions = {}): AsyncGenerator<HarvestRecord> {
    const mapper = mapperOf(options.map);
    return this.iterate<HarvestRecord>('ListRecords', args, options, (item, context) => {
      const read = readAndMapRecord(item, context, args.metadataPrefix, mapper);
      if (isUnreadable(read)) {
        if (options.onUnreadable) options.onUnreadable(read);
        else this.emit({ type: 'warning', code: 'unreadableRecord', message: `${read.identifier ?? '(no identifier)'}: ${read.problem}` });
        return undefined;
      }
      return read;
    });
  }

  /** ListIdentifiers (§4.3) as an async iterator over headers. */
  listIdentifiers(args: ListArguments, options: Omit<ListIterationOptions, 'map'> = {}): AsyncGenerator<OaiHeader> {
    return this.iterate<OaiHeader>('ListIdentifiers', args, options, (item, context) => {
      const read = readRecordItem(item, context);
      if (isUnreadable(read)) {
        if (options.onUnreadable) options.onUnreadable(read);
        else this.emit({ type: 'warning', code: 'unreadableHeader', message: read.problem });
        return undefined;
      }
      return read.header;
    });
  }

  /** ListSets (§4.6). A repository without sets (noSetHierarchy) yields nothing. */
  listSets(options: Omit<ListIterationOptions, 'map' | 'onUnreadable' | 'granularity'> = {}): AsyncGenerator<OaiSet> {
    return this.iterate<OaiSet>('ListSets', undefined, options, (item, context) => {
      if (item.abandoned === undefined) return readSetItem(item, context);
      this.emit({ type: 'warning', code: 'unreadableItem', message: item.abandoned });
      return undefined;
    });
  }

  /**
   * Follows a list request sequence, yielding items as they are parsed (the next items are read
   * while the caller works on the last, at most 64 ahead). A retried page may deliver items
   * again; those already yielded from that page are skipped. A repeated token ends the list with
   * a 'resumptionTokenLoop' warning.
   */
  private async *iterate<T>(
    verb: string,
    args: ListArguments | undefined,
    options: ListIterationOptions,
    convert: (item: ScannedItem, context: ItemContext) => T | undefined,
  ): AsyncGenerator<T> {
    const seenTokens = new Set<string>();
    let request: Record<string, string> = options.resumptionToken
      ? { resumptionToken: options.resumptionToken }
      : listRequestArguments(args, options.granularity);
    if (options.resumptionToken) seenTokens.add(options.resumptionToken);
    for (let number = 1; ; number++) {
      const page = new PageQueue<T>();
      const abort = new AbortController();
      const onStop = () => abort.abort();
      options.signal?.addEventListener('abort', onStop, { once: true });
      if (options.signal?.aborted) abort.abort();
      const producer = this.fetchPage(
        verb,
        request,
        {
          onAttempt: () => page.restart(),
          onItem: (item, context) => page.offer(() => convert(item, context)),
        },
        abort.signal,
      ).then(
        (result) => page.settle(result, undefined),
        (error: unknown) => page.settle(undefined, error),
      );
      try {
        yield* page.drain();
      } finally {
        options.signal?.removeEventListener('abort', onStop);
        if (!page.settled) {
          page.cancel();
          abort.abort(new Error('iteration stopped'));
        }
        await producer;
      }
      const failure = page.failure;
      if (failure !== undefined) throw failure;
      const result = page.result!;
      const token = result.envelope.resumptionToken?.value ?? '';
      const tokenRepeated = token !== '' && seenTokens.has(token);
      options.onPage?.({
        number,
        url: result.url,
        envelope: result.envelope,
        items: page.delivered,
        resumptionToken: token === '' || tokenRepeated ? undefined : token,
        cursor: result.envelope.resumptionToken?.cursor,
        completeListSize: result.envelope.resumptionToken?.completeListSize,
        tokenRepeated,
      });
      if (token === '') return;
      if (tokenRepeated) {
        this.emit({ type: 'warning', code: 'resumptionTokenLoop', message: `The repository repeated resumptionToken "${token}"; ending the list`, url: result.url });
        return;
      }
      seenTokens.add(token);
      request = { resumptionToken: token };
    }
  }
}

/**
 * One page's items between the response (producer) and the iterator (consumer): at most 64
 * waiting, the producer paused while the queue is full. Items of a retried attempt that were
 * already yielded are skipped by position.
 */
class PageQueue<T> {
  private readonly queue: T[] = [];
  private wake: (() => void) | undefined;
  private makeRoom: (() => void) | undefined;
  private ordinal = 0;
  /** Items of this page already converted (and yielded, or skipped as unreadable). */
  delivered = 0;
  private cancelled = false;
  settled = false;
  result: PageResult | undefined;
  failure: unknown;

  restart(): void {
    this.ordinal = 0;
  }

  /** Takes one item; a promise (to wait for) only when the queue is full. */
  offer(convert: () => T | undefined): Promise<void> | undefined {
    if (this.cancelled) throw new Error('iteration stopped');
    // Idempotent tokens (§3.5.1) give the same page again: skip what was already yielded.
    if (this.ordinal++ < this.delivered) return undefined;
    const value = convert();
    this.delivered = this.ordinal;
    if (value === undefined) return undefined;
    this.queue.push(value);
    this.wake?.();
    return this.queue.length >= 64 ? new Promise<void>((resolve) => (this.makeRoom = resolve)) : undefined;
  }

  settle(result: PageResult | undefined, failure: unknown): void {
    this.result = result;
    this.failure = failure;
    this.settled = true;
    this.wake?.();
  }

  cancel(): void {
    this.cancelled = true;
    this.makeRoom?.();
  }

  async *drain(): AsyncGenerator<T> {
    for (;;) {
      if (this.queue.length > 0) {
        const value = this.queue.shift()!;
        this.makeRoom?.();
        this.makeRoom = undefined;
        yield value;
        continue;
      }
      if (this.settled) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }
}

/**
 * Arguments of the first request of a list sequence (a resumptionToken request carries only the
 * token). With the repository's granularity, from/until are sent as it accepts them (§3.3.1).
 */
export function listRequestArguments(args: ListArguments | undefined, granularity?: Granularity): Record<string, string> {
  if (!args) return {};
  const out: Record<string, string> = { metadataPrefix: args.metadataPrefix };
  const range = granularity === undefined ? { from: args.from, until: args.until } : listDateArguments(args, granularity);
  if (range.from) out.from = range.from;
  if (range.until) out.until = range.until;
  if (args.set) out.set = args.set;
  return out;
}

/** For a status other than 200: the HTTP failure when the body turned out not to be an OAI-PMH answer. */
function notAnAnswer(error: unknown, response: TransportResponse): HarvestError | undefined {
  if (response.status === 200 || !(error instanceof HarvestError)) return undefined;
  if (error.code === 'responseTooLarge' || error.code === 'timeout' || error.code === 'network' || error.code === 'aborted') return undefined;
  return error.code === 'httpStatus' ? error : response.statusError();
}

function withUrl(error: unknown, url: string): unknown {
  if (error instanceof HarvestError && error.url === undefined) {
    const details: ConstructorParameters<typeof HarvestError>[2] = { url };
    if (error.line !== undefined) details.line = error.line;
    if (error.column !== undefined) details.column = error.column;
    return new HarvestError(error.code, error.message, details);
  }
  return error;
}

function mapperOf(map: boolean | HarvestMapper | undefined): HarvestMapper | undefined {
  if (map === false) return undefined;
  return typeof map === 'function' ? map : mapHarvestedMetadata;
}

/**
 * Reads one record item and maps its metadata. A record that is not well-formed (the splitter
 * checks every item), or whose metadata the mapper cannot read, is unreadable (to be
 * quarantined), never an exception.
 */
export function readAndMapRecord(item: ScannedItem, context: ItemContext, metadataPrefix: string, mapper: HarvestMapper | undefined): HarvestRecord | UnreadableItem {
  const read = readRecordItem(item, context);
  if (isUnreadable(read) || mapper === undefined || read.header.deleted || read.metadataXml === undefined) return read;
  try {
    return { ...read, mapping: mapper(read.metadataXml, metadataPrefix) };
  } catch (error) {
    const problem = error instanceof HarvestMappingError ? error.message : `the metadata cannot be mapped: ${error instanceof Error ? error.message : String(error)}`;
    return { problem, identifier: read.header.identifier, datestamp: read.header.datestamp, rawBytes: read.rawBytes };
  }
}

/**
 * ListRecords over a whole list as an async iterator (records with their mapped article),
 * with a client made for the occasion and closed when the iteration ends or is left.
 */
export async function* listRecords(
  repository: string | HarvestClientOptions,
  args: ListArguments,
  options: ListIterationOptions = {},
): AsyncGenerator<HarvestRecord> {
  const client = new HarvestClient(typeof repository === 'string' ? { baseUrl: repository } : repository);
  try {
    yield* client.listRecords(args, options);
  } finally {
    await client.close();
  }
}

/** ListIdentifiers over a whole list as an async iterator of headers. */
export async function* listIdentifiers(
  repository: string | HarvestClientOptions,
  args: ListArguments,
  options: Omit<ListIterationOptions, 'map'> = {},
): AsyncGenerator<OaiHeader> {
  const client = new HarvestClient(typeof repository === 'string' ? { baseUrl: repository } : repository);
  try {
    yield* client.listIdentifiers(args, options);
  } finally {
    await client.close();
  }
}
