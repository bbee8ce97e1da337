/**
 * What the pages need from the rest of pubmeta, as plain data and async functions, so they
 * depend on no store, engine or format class. `pubmeta serve` builds a PagesDeps from its
 * store, OAI engine and format registry; a test builds one from whatever it likes.
 */
import type { ArticleRecord } from '../model/types.js';

/** A stored record as the pages see it (StoredRecord is assignable to it). */
export interface PageRecord {
  localId: string;
  /** UTC datestamp of the last change (the deletion, for a tombstone). */
  datestamp: string;
  deleted: boolean;
  sets?: readonly string[];
  /** Absent for deleted records. */
  record?: ArticleRecord;
}

/** A record found by the search box. */
export interface SearchHit {
  localId: string;
  record: ArticleRecord;
}

/** An export format offered at /records/<id>.<format> (a FormatDescriptor is assignable to it). */
export interface ExportFormatInfo {
  /** Format id, the URL suffix: 'oai_dc', 'jats', 'bibtex', ... */
  id: string;
  label: string;
  mediaType: string;
  /** File extension without the dot ('xml', 'bib'), for the download's file name. */
  extension?: string;
}

/** An OAI-PMH metadata format (an OaiMetadataFormat is assignable to it). */
export interface OaiFormatInfo {
  metadataPrefix: string;
  schema: string;
  metadataNamespace: string;
}

/** What the repository is: fixed for the life of the server (built from the OaiConfig). */
export interface RepositoryDescription {
  name: string;
  adminEmails: readonly string[];
  /** The OAI-PMH base URL harvesters use. */
  oaiBaseUrl: string;
  /** namespace-identifier of the oai-identifiers (oai:<repositoryIdentifier>:<localId>). */
  repositoryIdentifier: string;
  oaiFormats: readonly OaiFormatInfo[];
}

/** What the repository holds now (the home page asks for it). */
export interface RepositoryStats {
  /** Records served (not deleted). */
  recordCount: number;
  sets: readonly { setSpec: string; setName: string }[];
}

/** The body of an export, or why the record cannot be given in that format. */
export type ExportResult =
  | { ok: true; mediaType: string; body: string | Uint8Array }
  | { ok: false; reason: string };

/** A harvest source's row on /status. HarvestSourceStatus maps onto it field by field. */
export interface HarvestSourceView {
  name: string;
  baseUrl: string;
  metadataPrefix: string;
  set?: string;
  lastRun?: {
    status: string;
    startedAt: string;
    finishedAt?: string;
    /** HarvestRunCounts or any other named counts. */
    counts: Readonly<Record<string, number>>;
    /** Why the run failed or paused (reason, OAI error code). */
    error?: string;
  };
  /** Records held, tombstones, flagged: from HarvestSourceStatus. */
  held?: { records: number; deleted: number; invalid: number; quarantined: number };
  /** When the worker runs this source next (ISO 8601), when scheduled. */
  nextRun?: string;
}

export type DepositStateView = 'pending' | 'submitted' | 'registered' | 'warning' | 'failed';

/** A DOI's deposit state on /status (DoiDepositStatus is assignable to it). */
export interface DepositView {
  doi: string;
  localId: string;
  state: DepositStateView;
  /** Crossref's message for this DOI, or the local validation failure. */
  message: string | null;
  failureSource?: 'crossref' | 'local' | null;
  batchId: string | null;
  submissionId?: string | null;
  updatedAt: string;
}

/** A job run on /status (JobRun is assignable to it). */
export interface JobRunView {
  id: number;
  job: string;
  trigger: string;
  startedAt: string;
  endedAt: string | null;
  status: string;
  counts: Readonly<Record<string, number>> | null;
  error: string | null;
}

export interface StatusFilters {
  /** Only deposits in this state (the page offers 'failed'). */
  depositState?: DepositStateView;
  /** Most rows per table; the page shows that the table was cut. */
  limit: number;
}

export interface StatusData {
  harvestSources: readonly HarvestSourceView[];
  deposits: readonly DepositView[];
  /** Newest first. */
  jobRuns: readonly JobRunView[];
}

/** Request arguments of an OAI-PMH request, every value of repeated keys kept (OaiArguments). */
export type OaiRequestArguments = Record<string, string[]>;

/** Why a record cannot be given in some formats (format id or metadataPrefix → reason). */
export interface FormatAvailability {
  exports: Readonly<Record<string, string>>;
  oai: Readonly<Record<string, string>>;
}

export interface PagesDeps {
  /** A record by local id, tombstones included; undefined when there is none. */
  getRecord(localId: string): Promise<PageRecord | undefined>;
  /**
   * Records whose title (any language), author names or DOI match the query, best first, at
   * most `limit`. Tombstones are left out.
   */
  searchRecords(query: string, limit: number): Promise<SearchHit[]>;
  /** Record count and sets, for the home page. */
  repositoryInfo(): Promise<RepositoryStats>;
  /** Only called for admin-authenticated requests when admin pages are enabled. */
  statusData(filters: StatusFilters): Promise<StatusData>;
  /** The OAI-PMH response XML the endpoint gives for these arguments (handleOaiRequest). */
  renderOai(args: OaiRequestArguments): Promise<string>;
  /** Formats offered at /records/<id>.<format> (the format registry). */
  exportFormats: readonly ExportFormatInfo[];
  /** The record in one of exportFormats. Called for records that exist and are not deleted. */
  exportRecord(localId: string, formatId: string): Promise<ExportResult>;
  /**
   * Formats this record cannot be given in, with the reason (ExportError's message): `exports`
   * by export format id, `oai` by metadataPrefix. The article page links only to the others.
   * Absent: every format is linked.
   */
  formatAvailability?(record: ArticleRecord): Promise<FormatAvailability> | FormatAvailability;
  /**
   * Extra <head> markup for an article page: the citation_* meta tags and the schema.org
   * JSON-LD block. Trusted: emitted unescaped (build it with metaTag and jsonLdScript).
   */
  recordHead(record: ArticleRecord, page: { url: string; localId: string }): Promise<string> | string;
}
