import type { ArticleRecord } from '../model/types.js';

/** UTC datestamp at seconds granularity: "2026-11-25T16:50:34Z". */
export type Datestamp = string;

export interface StoredRecord {
  localId: string;
  /** oai:<repositoryIdentifier>:<localId> is built by the OAI layer from localId. */
  datestamp: Datestamp;
  /**
   * The setSpecs for the record header, most specific only (OAI-PMH §2.6): ["jdp:articles"]
   * implies membership of "jdp" as well. Set-restricted queries match ancestors too.
   */
  sets: string[];
  deleted: boolean;
  /** Absent for deleted records. */
  record?: ArticleRecord;
  /** sha256 of the canonical JSON; the datestamp changes only when it changes. */
  contentHash: string;
}

export interface SetInfo {
  setSpec: string;
  setName: string;
}

/** A position in the (datestamp, localId) order, used for keyset paging. */
export interface KeysetPosition {
  datestamp: Datestamp;
  localId: string;
}

export interface RecordQuery {
  /** Inclusive lower bound on datestamp. */
  from?: Datestamp;
  /** Inclusive upper bound on datestamp. */
  until?: Datestamp;
  /** setSpec; matches the set and every set below it (a includes a:b). */
  set?: string;
  /** Return records strictly after this position in (datestamp, localId) order. */
  after?: KeysetPosition;
}

export interface UpsertResult {
  localId: string;
  /** created: new; updated: content changed; unchanged: same content, datestamp kept. */
  outcome: 'created' | 'updated' | 'unchanged' | 'undeleted';
  datestamp: Datestamp;
}

/**
 * The store as the protocol engine, importer, harvester, exporter and depositor see it.
 * SQLite implements it (store/sqliteRecordStore.ts); another backend can implement it later.
 */
export interface RecordStore {
  upsert(record: ArticleRecord, options?: { localId?: string; now?: Date }): UpsertResult;
  /** Marks a record deleted (persistent tombstone). Returns false when it does not exist. */
  delete(localId: string, options?: { now?: Date }): boolean;
  get(localId: string): StoredRecord | undefined;
  /** Records in (datestamp, localId) order. headersOnly: `record` may be left out (cheaper). */
  list(query: RecordQuery, limit: number, options?: { headersOnly?: boolean }): StoredRecord[];
  count(query: RecordQuery): number;
  earliestDatestamp(): Datestamp | undefined;
  listSets(): SetInfo[];
  hasSets(): boolean;
}
