// Pre-rendered metadata. The provider renders each record once per OAI format, validates it
// and hands the result to the store (record_fragments), keyed by the record's content hash and
// the format's render key; list and GetRecord responses then concatenate stored parts. A part
// that is missing (an older store, a write that bypassed prerendering) or stale (the record or
// the renderer changed) is rendered on demand and stored. The store only persists.
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { ArticleRecord } from '../model/types.js';
import { contentHash } from '../store/canonical.js';
import type { FragmentKey, MetadataFragment, RecordRepository, Store, UpsertResult } from '../store/types.js';
import { DEFAULT_METADATA_FORMATS, trustedRenderKey, type OaiMetadataFormat } from './config.js';
import { stripXmlDeclaration } from './xml.js';

/** A record to render: its id and the content hash of this version. */
export interface RenderItem {
  localId: string;
  contentHash: string;
  record: ArticleRecord;
}

/** The store key of a format's parts; undefined for formats rendered on every request (no renderKey). */
export function fragmentKey(format: OaiMetadataFormat): FragmentKey | undefined {
  const renderKey = trustedRenderKey(format);
  return renderKey === undefined ? undefined : { metadataPrefix: format.metadataPrefix, renderKey };
}

/** Formats whose parts are kept in the store. */
export function prerenderedFormats(formats: readonly OaiMetadataFormat[] = DEFAULT_METADATA_FORMATS): OaiMetadataFormat[] {
  return formats.filter((format) => fragmentKey(format) !== undefined);
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Renders and validates items in one format (synchronously; validation is one batch). A record
 * that cannot be rendered, or whose rendering fails validation, gets a part with xml null and
 * the reason: it is not disseminated in that format.
 */
export function renderFragments(format: OaiMetadataFormat, items: readonly RenderItem[]): MetadataFragment[] {
  const renderKey = trustedRenderKey(format) ?? '';
  const results: MetadataFragment[] = [];
  const rendered: { index: number; xml: string; record: ArticleRecord }[] = [];
  for (const item of items) {
    const fragment: MetadataFragment = { localId: item.localId, metadataPrefix: format.metadataPrefix, contentHash: item.contentHash, renderKey, xml: null, error: null };
    try {
      const xml = stripXmlDeclaration(format.render(item.record));
      rendered.push({ index: results.length, xml, record: item.record });
      fragment.xml = xml;
    } catch (error) {
      fragment.error = reasonOf(error);
    }
    results.push(fragment);
  }
  if (format.check && rendered.length > 0) {
    let verdicts: (string | undefined)[];
    try {
      verdicts = format.check(rendered);
    } catch (error) {
      verdicts = rendered.map(() => `could not be validated: ${reasonOf(error)}`);
    }
    rendered.forEach((entry, i) => {
      const problem = verdicts[i];
      if (problem === undefined) return;
      results[entry.index]!.xml = null;
      results[entry.index]!.error = problem;
    });
  }
  return results;
}

/** renderFragments in slices of `slice` items, yielding to the event loop between slices. */
export async function renderFragmentsYielding(format: OaiMetadataFormat, items: readonly RenderItem[], slice = 8): Promise<MetadataFragment[]> {
  const results: MetadataFragment[] = [];
  for (let i = 0; i < items.length; i += slice) {
    if (i > 0) await yieldToEventLoop();
    results.push(...renderFragments(format, items.slice(i, i + slice)));
  }
  return results;
}

/** Renders items in every pre-rendered format and stores the parts. Returns the parts written. */
export async function prerenderRecords(
  records: Pick<RecordRepository, 'putFragments'>,
  items: readonly RenderItem[],
  formats: readonly OaiMetadataFormat[] = DEFAULT_METADATA_FORMATS,
): Promise<number> {
  if (items.length === 0) return 0;
  let written = 0;
  for (const format of prerenderedFormats(formats)) {
    const fragments = await renderFragmentsYielding(format, items, 50);
    await records.putFragments(fragments);
    written += fragments.length;
  }
  return written;
}

// ---------------------------------------------------------------------------------------------
// Rendering when records are written

/** The records repository with every write followed by prerendering what it changed. */
export function prerenderingRecords(inner: RecordRepository, formats: readonly OaiMetadataFormat[] = DEFAULT_METADATA_FORMATS): RecordRepository {
  const afterWrite = async (records: readonly ArticleRecord[], results: readonly UpsertResult[]) => {
    const items: RenderItem[] = [];
    results.forEach((result, i) => {
      if (result.outcome === 'unchanged') return;
      items.push({ localId: result.localId, contentHash: contentHash(records[i]!), record: records[i]! });
    });
    await prerenderRecords(inner, items, formats);
  };
  const wrapped: RecordRepository = Object.create(inner) as RecordRepository;
  wrapped.upsert = async (record, options) => {
    const result = await inner.upsert(record, options);
    await afterWrite([record], [result]);
    return result;
  };
  wrapped.upsertMany = async (records, options) => {
    const list = [...records];
    const results = await inner.upsertMany(list, options);
    await afterWrite(list, results);
    return results;
  };
  return wrapped;
}

/**
 * The store with record writes prerendered, in transactions too (the parts then commit with the
 * records). Open the store, then wrap it: `withPrerendering(await openStore(target))`.
 */
export function withPrerendering(store: Store, formats: readonly OaiMetadataFormat[] = DEFAULT_METADATA_FORMATS): Store {
  const records = prerenderingRecords(store.records, formats);
  const wrapped: Store = Object.create(store) as Store;
  Object.defineProperty(wrapped, 'records', { value: records });
  wrapped.withTransaction = (fn) => store.withTransaction((tx) => fn(tx === store ? wrapped : withPrerendering(tx, formats)));
  wrapped.close = () => store.close();
  return wrapped;
}

// ---------------------------------------------------------------------------------------------
// Rendering again: the tracked job

export interface RerenderOptions {
  formats?: readonly OaiMetadataFormat[];
  /** Only these metadataPrefixes. */
  metadataPrefixes?: readonly string[];
  /** Only the records of this set (a journal: its records after a profile edit). */
  set?: string;
  /** Forget the stored parts first (inputs changed without the records or the render key changing). */
  force?: boolean;
  /** Records per batch. Default 200. */
  batchSize?: number;
  onProgress?: (progress: { metadataPrefix: string; rendered: number; failed: number }) => void;
  /** Checked between batches: stop early (SIGTERM). */
  shouldStop?: () => boolean;
}

export interface RerenderCounts {
  rendered: number;
  /** Parts stored as not disseminable. */
  failed: number;
  cleared: number;
}

/**
 * Renders every missing or stale part (per format, in localId keyset order, in batches), so a
 * store written before prerendering, or after a renderer change, serves pre-rendered parts.
 * With `force`, the parts in scope are cleared first. Idempotent and resumable: a run stopped
 * midway leaves the rest missing, which the next run (or an on-demand render) fills in.
 */
export async function rerenderFragments(records: RecordRepository, options: RerenderOptions = {}): Promise<RerenderCounts> {
  const counts: RerenderCounts = { rendered: 0, failed: 0, cleared: 0 };
  let formats = prerenderedFormats(options.formats);
  if (options.metadataPrefixes) formats = formats.filter((f) => options.metadataPrefixes!.includes(f.metadataPrefix));
  if (options.force) {
    for (const format of formats) {
      const scope: { metadataPrefix: string; set?: string } = { metadataPrefix: format.metadataPrefix };
      if (options.set !== undefined) scope.set = options.set;
      counts.cleared += await records.clearFragments(scope);
    }
  }
  for (let i = 0; i < formats.length && !options.shouldStop?.(); i++) {
    const progress = await rerenderPass(records, formats.slice(i), options);
    counts.rendered += progress.rendered;
    counts.failed += progress.failed;
  }
  return counts;
}

/**
 * The records missing a part in formats[0], rendered in formats[0] and every later format: a
 * new or changed record (or a new renderer version) lacks them all, so one read of each record
 * serves every format. A later format's pass then finds only what it alone lacks.
 */
async function rerenderPass(records: RecordRepository, formats: readonly OaiMetadataFormat[], options: RerenderOptions): Promise<{ rendered: number; failed: number }> {
  const key = fragmentKey(formats[0]!)!;
  const progress = { metadataPrefix: formats[0]!.metadataPrefix, rendered: 0, failed: 0 };
  let after = '';
  while (!options.shouldStop?.()) {
    const batch = await records.listUnrendered(key, after, options.batchSize ?? 200, options.set !== undefined ? { set: options.set } : {});
    if (batch.length === 0) break;
    const fragments: MetadataFragment[] = [];
    for (const format of formats) fragments.push(...(await renderFragmentsYielding(format, batch, 50)));
    await records.putFragments(fragments);
    for (const fragment of fragments) {
      if (fragment.xml === null) progress.failed++;
      else progress.rendered++;
    }
    options.onProgress?.({ ...progress });
    after = batch[batch.length - 1]!.localId;
  }
  return progress;
}

/** rerenderFragments as a job run recorded in the store (`pubmeta jobs` shows it under `rerender`). */
export async function runRerenderJob(store: Store, owner: string, options: RerenderOptions = {}, trigger = 'manual'): Promise<RerenderCounts> {
  const now = () => new Date().toISOString();
  const runId = await store.jobs.insertRun('rerender', owner, trigger, now());
  try {
    const counts = await rerenderFragments(store.records, {
      ...options,
      onProgress: (progress) => {
        options.onProgress?.(progress);
        void store.jobs.setRunCounts(runId, { rendered: progress.rendered, failed: progress.failed }).catch(() => undefined);
      },
    });
    await store.jobs.finishRun(runId, 'succeeded', { ...counts }, undefined, now());
    return counts;
  } catch (error) {
    await store.jobs.finishRun(runId, 'failed', undefined, reasonOf(error), now());
    throw error;
  }
}
