/**
 * The pages over a real pubmeta: PagesDeps from a Store, the OAI-PMH engine and the format
 * registry. `pubmeta serve` uses it; tests may too. The article <head> (citation_* tags and
 * schema.org JSON-LD) comes from the registry's citation_meta and schemaorg formats.
 */
import { FORMATS, findFormat, type DepositHead, type FormatList } from '../formats/index.js';
import { ExportError } from '../formats/errors.js';
import { handleOaiRequest } from '../oai/engine.js';
import { DEFAULT_METADATA_FORMATS, type OaiConfig } from '../oai/config.js';
import type { ArticleRecord } from '../model/types.js';
import { liveOwnRecords, type HarvestSource, type Store } from '../store/types.js';
import { scopedRecords } from '../store/scope.js';
import { jsonLdScript } from './html.js';
import type { FormatAvailability, HarvestSourceView, PagesDeps, RepositoryDescription, StatusData, StatusFilters } from './types.js';

export interface StorePagesOptions {
  /** Formats offered at /records/<id>.<format>. Default: the registry. */
  formats?: FormatList;
  /** Crossref's doi_batch head, so /records/<id>.crossref can be given; without it that export says why not. */
  depositHead?: DepositHead;
  /**
   * Harvested records are pages too (serve --include-harvested). Default false: record pages,
   * exports, the OAI view and counts are your own records only, as in the OAI provider.
   */
  includeHarvested?: boolean;
  /** When the harvest job runs next (the worker's schedule), if this process knows it. */
  nextHarvestRun?: () => Date | null | undefined;
  clock?: () => Date;
}

export function repositoryDescription(config: OaiConfig): RepositoryDescription {
  return {
    name: config.repositoryName,
    adminEmails: config.adminEmails,
    oaiBaseUrl: config.baseUrl,
    repositoryIdentifier: config.repositoryIdentifier,
    oaiFormats: config.metadataFormats ?? DEFAULT_METADATA_FORMATS,
  };
}

export function storePagesDeps(store: Store, config: OaiConfig, options: StorePagesOptions = {}): PagesDeps {
  const formats = options.formats ?? FORMATS;
  const clock = options.clock ?? (() => new Date());
  const includeHarvested = options.includeHarvested === true;
  const records = scopedRecords(store.records, { includeHarvested });
  return {
    getRecord: (localId) => records.get(localId),
    searchRecords: async (query, limit) =>
      (await records.search(query, limit)).map((row) => ({ localId: row.localId, record: row.record! })),
    repositoryInfo: async () => {
      const [stats, sets] = await Promise.all([records.stats(), records.listSets()]);
      return { recordCount: includeHarvested ? stats.total - stats.deleted : liveOwnRecords(stats), sets };
    },
    statusData: (filters) => statusData(store, filters, options.nextHarvestRun),
    renderOai: (args) => handleOaiRequest(args, records, config, clock()),
    exportFormats: formats,
    exportRecord: async (localId, formatId) => {
      const record = (await records.get(localId))?.record;
      const format = findFormat(formatId, formats);
      if (!record || !format) return { ok: false, reason: 'no such record or format' };
      try {
        const body = format.write(record, options.depositHead ? { deposit: options.depositHead } : {});
        return { ok: true, mediaType: format.mediaType, body };
      } catch (error) {
        if (error instanceof ExportError) return { ok: false, reason: error.message };
        throw error;
      }
    },
    recordHead: (record) => recordHead(record, formats),
    formatAvailability: (record) => formatAvailability(record, formats, config, options.depositHead),
  };
}

/** Formats (export and OAI-PMH) the record cannot be given in, and why: a trial write of each. */
export function formatAvailability(record: ArticleRecord, formats: FormatList, config: OaiConfig, depositHead?: DepositHead): FormatAvailability {
  const reason = (write: () => unknown): string | undefined => {
    try {
      write();
      return undefined;
    } catch (error) {
      if (error instanceof ExportError) return error.message;
      throw error;
    }
  };
  const exports: Record<string, string> = {};
  for (const format of formats) {
    // A batch format with a head is checked without writing (the write would take a deposit timestamp).
    const why = reason(() => (format.assertWritable && depositHead ? format.assertWritable(record) : format.write(record, depositHead ? { deposit: depositHead } : {})));
    if (why !== undefined) exports[format.id] = why;
  }
  const oai: Record<string, string> = {};
  for (const format of config.metadataFormats ?? DEFAULT_METADATA_FORMATS) {
    const why = reason(() => format.render(record));
    if (why !== undefined) oai[format.metadataPrefix] = why;
  }
  return { exports, oai };
}

/**
 * citation_* meta tags (Google Scholar) and the ScholarlyArticle JSON-LD, from the registry's
 * writers. A record those writers refuse (no author, no date) gets the page without them.
 */
export function recordHead(record: ArticleRecord, formats: FormatList = FORMATS): string {
  const parts: string[] = [];
  for (const id of ['citation_meta', 'schemaorg']) {
    const format = findFormat(id, formats);
    if (!format) continue;
    let text: string;
    try {
      text = format.write(record);
    } catch (error) {
      if (error instanceof ExportError) continue;
      throw error;
    }
    parts.push(id === 'schemaorg' ? jsonLdScript(text).toString() : text.trimEnd());
  }
  return parts.join('\n');
}

async function statusData(store: Store, filters: StatusFilters, nextHarvestRun: StorePagesOptions['nextHarvestRun']): Promise<StatusData> {
  const [sources, deposits, jobRuns] = await Promise.all([
    store.harvest.listSources(),
    store.deposits.recentDois({ ...(filters.depositState ? { states: [filters.depositState] } : {}), limit: filters.limit }),
    store.jobs.recentRuns({ limit: filters.limit }),
  ]);
  const scheduled = nextHarvestRun?.() ?? undefined;
  const harvestSources = await Promise.all(sources.slice(0, filters.limit).map((source) => harvestSourceView(store, source, scheduled)));
  return { harvestSources, deposits, jobRuns };
}

async function harvestSourceView(store: Store, source: HarvestSource, scheduled: Date | undefined): Promise<HarvestSourceView> {
  const [counts, runs] = await Promise.all([store.harvest.recordCounts(source.name), store.harvest.listRuns(source.name, 1)]);
  const view: HarvestSourceView = { name: source.name, baseUrl: source.baseUrl, metadataPrefix: source.metadataPrefix, held: counts };
  if (source.set !== undefined) view.set = source.set;
  const run = runs[0];
  if (run) {
    const { requests, pages, records, created, updated, unchanged, deleted, invalid, quarantined } = run;
    view.lastRun = { status: run.status, startedAt: run.startedAt, counts: { requests, pages, records, created, updated, unchanged, deleted, invalid, quarantined } };
    if (run.finishedAt !== undefined) view.lastRun.finishedAt = run.finishedAt;
    const error = [run.errorCode, run.reason].filter(Boolean).join(': ');
    if (error) view.lastRun.error = error;
  }
  // The schedule's next tick, or later when the source asked for a pause (Retry-After).
  const next = [scheduled?.toISOString(), source.notBefore].filter((t): t is string => t !== undefined).sort().at(-1);
  if (next !== undefined) view.nextRun = next;
  return view;
}
