import { createHash } from 'node:crypto';
import type {
  HarvestCheckpoint,
  HarvestRunRow,
  HarvestSource,
  HarvestSourceInput,
  QuarantinedRecord,
  Store,
  StoredHarvestRecord,
} from '../store/types.js';
import { splitStoredRecord, type OaiIdentify } from './xml.js';
import { HarvestClient, type HarvestClientOptions } from './client.js';
import { HarvestOaiError } from './errors.js';

export interface HarvestSourceStatus {
  source: HarvestSource;
  lastRun: HarvestRunRow | undefined;
  /** Records held (not deleted), deleted tombstones, flagged (failed validation or unmapped). */
  records: number;
  deleted: number;
  invalid: number;
  quarantined: number;
  checkpoint: HarvestCheckpoint | undefined;
}

/** A harvested record as stored, with its metadata cut from the stored record XML. */
export interface HarvestedRecord extends StoredHarvestRecord {
  metadataXml: string | undefined;
}

/** Identity of a record's content: its bytes as received (any change at the source changes it). */
export function hashRecordBytes(bytes: Uint8Array): string {
  return createHash('sha1').update(bytes).digest('base64url');
}

function checkSourceInput(input: HarvestSourceInput): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(input.name)) {
    throw new Error(`Source name "${input.name}" must start with a letter or digit and use only letters, digits, ".", "_" and "-"`);
  }
  let url: URL;
  try {
    url = new URL(input.baseUrl);
  } catch {
    throw new Error(`"${input.baseUrl}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`"${input.baseUrl}" is not an http(s) URL`);
  if (!/^[A-Za-z0-9\-_.!~*'()]+$/.test(input.metadataPrefix)) {
    throw new Error(`metadataPrefix "${input.metadataPrefix}" may contain only URI unreserved characters (OAI-PMH 2.0 §3.4)`);
  }
  if (input.set !== undefined && !/^[A-Za-z0-9\-_.!~*'()]+(?::[A-Za-z0-9\-_.!~*'()]+)*$/.test(input.set)) {
    throw new Error(`setSpec "${input.set}" is not a valid setSpec (OAI-PMH 2.0 §2.7)`);
  }
  if (input.requestBudget !== undefined && !(Number.isInteger(input.requestBudget) && input.requestBudget > 0)) {
    throw new Error('The request budget must be a positive integer');
  }
  if (input.delayMs !== undefined && !(Number.isInteger(input.delayMs) && input.delayMs >= 0)) {
    throw new Error('The delay between requests must be a whole number of milliseconds >= 0');
  }
}

/** Refuses a metadataPrefix the endpoint does not offer (the run would fail with cannotDisseminateFormat). */
export class UnknownPrefixError extends Error {
  constructor(
    readonly prefix: string,
    readonly offered: string[],
  ) {
    super(`The repository does not offer metadataPrefix "${prefix}"; it offers: ${offered.length > 0 ? offered.join(', ') : '(none)'}`);
    this.name = 'UnknownPrefixError';
  }
}

/**
 * Checks an endpoint before it is added: Identify (granularity, earliest datestamp, deletedRecord
 * policy) and ListMetadataFormats (the prefix must be on offer). A server that cannot be reached
 * fails here, with a hint to add it with --no-check.
 */
export async function checkHarvestEndpoint(
  input: Pick<HarvestSourceInput, 'baseUrl' | 'metadataPrefix' | 'fromContact'>,
  client: Omit<HarvestClientOptions, 'baseUrl'> = {},
): Promise<OaiIdentify> {
  const harvestClient = new HarvestClient({
    retries: 1,
    backoffBaseMs: 500,
    unreachableRetries: 1,
    unreachableWindowMs: 2_000,
    ...(input.fromContact !== undefined ? { contactEmail: input.fromContact } : {}),
    ...client,
    baseUrl: input.baseUrl,
  });
  try {
    const identify = await harvestClient.identify();
    let formats: string[];
    try {
      formats = (await harvestClient.listMetadataFormats()).map((f) => f.metadataPrefix);
    } catch (error) {
      // noMetadataFormats (§4.4): the repository offers none at all.
      if (error instanceof HarvestOaiError && error.oaiCode === 'noMetadataFormats') formats = [];
      else throw error;
    }
    if (!formats.includes(input.metadataPrefix)) throw new UnknownPrefixError(input.metadataPrefix, formats);
    return identify;
  } finally {
    await harvestClient.close();
  }
}

/**
 * Adds a source to harvest, or (with replace) changes one. A different list (URL, prefix or
 * set) makes the old sequence meaningless: its checkpoint and what was learnt about it go.
 */
export async function addHarvestSource(
  store: Store,
  input: HarvestSourceInput,
  options: { replace?: boolean; clock?: () => Date; identify?: OaiIdentify } = {},
): Promise<HarvestSource> {
  checkSourceInput(input);
  const now = (options.clock ?? (() => new Date()))().toISOString();
  const identify = options.identify;
  await store.withTransaction(async (tx) => {
    const existing = await tx.harvest.getSource(input.name);
    if (existing && !options.replace) {
      throw new Error(`Source "${input.name}" already exists (${existing.baseUrl}, ${existing.metadataPrefix}); use --replace to change it`);
    }
    if (!existing) {
      await tx.harvest.insertSource(input, now);
      return;
    }
    const changedList = existing.baseUrl !== input.baseUrl || existing.metadataPrefix !== input.metadataPrefix || existing.set !== input.set;
    await tx.harvest.updateSource(input, { resetList: changedList }, now);
    if (changedList) await tx.harvest.deleteCheckpoint(input.name);
  });
  if (identify) await store.harvest.recordIdentify(input.name, identify, now);
  return (await store.harvest.getSource(input.name))!;
}

export async function harvestSourceStatus(store: Store, source: HarvestSource): Promise<HarvestSourceStatus> {
  const [counts, runs, checkpoint] = await Promise.all([
    store.harvest.recordCounts(source.name),
    store.harvest.listRuns(source.name, 1),
    store.harvest.getCheckpoint(source.name),
  ]);
  return { source, lastRun: runs[0], ...counts, checkpoint };
}

function withMetadata(record: StoredHarvestRecord): HarvestedRecord {
  // Not stored twice: the metadata is cut from the stored record when asked for.
  return { ...record, metadataXml: record.deleted ? undefined : splitStoredRecord(record.recordXml).metadataXml };
}

export async function harvestedRecord(store: Store, source: string, identifier: string): Promise<HarvestedRecord | undefined> {
  const record = await store.harvest.getRecord(source, identifier);
  return record ? withMetadata(record) : undefined;
}

/** A source's harvested records in identifier order, read in keyset pages. */
export async function* harvestedRecords(store: Store, source: string, pageSize = 500): AsyncGenerator<HarvestedRecord> {
  let after = '';
  for (;;) {
    const page = await store.harvest.listRecords(source, after, pageSize);
    for (const record of page) yield withMetadata(record);
    if (page.length < pageSize) return;
    after = page[page.length - 1]!.identifier;
  }
}

export type { QuarantinedRecord };
