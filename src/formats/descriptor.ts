// What pubmeta knows about one output format, in one object. Each format folder
// (src/formats/<id>/) exports one descriptor; src/formats/registry.ts lists them. Everything
// that offers a choice of formats (CLI, worker config, OAI-PMH, readers, validation, the
// export pipeline) iterates the registry instead of naming formats.
import type { ArticleRecord } from '../model/types.js';
import type { ReaderResult, ReadOptions } from './readers/xml.js';

/** The root element of an XML document, as detection sees it (a scan of the start tag, not a parse). */
export interface XmlRoot {
  /** Local name, e.g. "doi_batch". */
  readonly name: string;
  /** Namespace URI; undefined (or '') when the element is in no namespace. */
  readonly namespace: string | undefined;
}

/** Who deposits a batch (Crossref doi_batch head). Batch formats refuse to write without it. */
export interface DepositHead {
  depositor: { name: string; email: string };
  registrant: string;
  /** Batch id; default derived from the timestamp and the batch's DOIs. */
  batchId?: string;
  /** Deposit timestamp; default from a strictly increasing clock. */
  timestamp?: bigint | number;
  clock?: () => Date;
}

export interface FormatWriteOptions {
  /** XML formats: emit the XML declaration (default true; false when embedding, as OAI-PMH does). */
  declaration?: boolean;
  /** Batch formats (Crossref): the deposit head. */
  deposit?: DepositHead;
}

/** How an output is checked before it is written. Every output is checked; there is no "none". */
export type FormatValidation =
  /** An official XSD registered in src/validate (SCHEMA_IDS). */
  | {
      kind: 'xsd';
      schemaId: string;
      /** A document read or validated may be an older version of the format: its schema id by root (default: schemaId). */
      schemaIdFor?(root: XmlRoot): string | undefined;
    }
  /** An official JSON Schema registered in src/validate. */
  | { kind: 'json-schema'; schemaId: string }
  /** A maintained parser reads the output back; the problems found, [] when valid. */
  | { kind: 'round-trip'; check(output: string, record: ArticleRecord): string[] };

/** How a format appears in OAI-PMH (ListMetadataFormats, GetRecord, ListRecords). */
export interface FormatOaiInfo {
  /** metadataPrefix. */
  prefix: string;
  /** metadataNamespace: the namespace of the metadata part's root element. */
  namespace: string;
  /** URL of the XML Schema of the metadata part. */
  schema: string;
  /**
   * The metadata part of an OAI-PMH record: one namespace-qualified root element, no XML
   * declaration. Default: write(record, { declaration: false }). Throws ExportError when the
   * record cannot be expressed in the format.
   */
  write?(record: ArticleRecord): string;
  /** Every valid record can be written (ListIdentifiers then skips the trial render). */
  alwaysAvailable?: boolean;
  /** metadataPrefixes of other repositories whose records this format's reader maps (harvesting). */
  harvestPrefixes?: RegExp;
}

/** Deposit-sized batches for formats that write many records into one file. */
export interface FormatBatching {
  /** Records per file by default. */
  defaultMaxRecords: number;
  /** Bytes per file, by default and at most (a receiving service's limit). */
  maxBytes: number;
}

export interface FormatDescriptor {
  /** Registry key, file folder and CLI choice: 'oai_dc', 'jats', 'crossref', 'datacite', ... */
  readonly id: string;
  /** A short label: 'Crossref deposit schema 5.3.1'. */
  readonly label: string;
  /** File extension without the dot: 'xml', 'json', 'bib', 'ris', 'jsonld', 'html'. */
  readonly extension: string;
  /** Media type of a file in this format. */
  readonly mediaType: string;
  /** One record. Throws ExportError naming record, field and format when the record lacks what the format requires. */
  write(record: ArticleRecord, options?: FormatWriteOptions): string;
  /** Many records in one document, for formats that batch (Crossref deposits). */
  writeBatch?(records: readonly ArticleRecord[], options?: FormatWriteOptions): string;
  /**
   * Throws ExportError when a record cannot be written, without writing it: lets a batch leave
   * the record out up front instead of failing as a whole.
   */
  assertWritable?(record: ArticleRecord): void;
  /** Batch sizes when writeBatch is used (required with writeBatch). */
  batching?: FormatBatching;
  /** Text in this format to records, with warnings. Throws ReaderError when it is not this format at all. */
  read?(text: string, options?: ReadOptions): ReaderResult;
  /**
   * Elements whose content `read` ignores (JATS: body). A file read in chunks drops their
   * content before it is parsed, so a 200 MB article costs the memory of its metadata.
   */
  readSkips?: readonly string[];
  /** Whether an XML document with this root element is in this format (reading, validating). */
  detect?(root: XmlRoot): boolean;
  validation: FormatValidation;
  oai?: FormatOaiInfo;
}

/** The namespace of a root as detection compares it ('' for none). */
export function rootNamespace(root: XmlRoot): string {
  return root.namespace ?? '';
}
