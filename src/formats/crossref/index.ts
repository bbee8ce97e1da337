// Crossref metadata deposits, schema 5.3.1: journal articles in doi_batch files.
import { defineFormat } from '../define.js';
import type { DepositHead } from '../descriptor.js';
import { rootNamespace } from '../descriptor.js';
import { ExportError } from '../errors.js';
import { CROSSREF_NS_PREFIX, readCrossref } from './reader.js';
import { assertCrossrefExportable, toCrossref } from './writer.js';

export {
  toCrossref,
  assertCrossrefExportable,
  nextCrossrefTimestamp,
  crossrefTimestampOf,
  groupByJournalIssue,
  CROSSREF_SCHEMA_LOCATION,
  type CrossrefHeadOptions,
} from './writer.js';
export { readCrossref, CROSSREF_NS_PREFIX } from './reader.js';

/**
 * Crossref refuses deposit files over 10 MB (its web deposit form and the HTTPS POST
 * endpoint); counted in decimal megabytes to stay under either reading of the limit.
 */
export const CROSSREF_MAX_DEPOSIT_BYTES = 10_000_000;
/** Records per deposit file by default: small enough that one bad record holds up little. */
export const CROSSREF_DEFAULT_BATCH_RECORDS = 100;

function head(deposit: DepositHead | undefined): DepositHead {
  if (!deposit) throw new ExportError('(batch)', 'deposit', 'crossref', 'a Crossref deposit needs a depositor and a registrant (the doi_batch head)');
  return deposit;
}

export const crossrefFormat = defineFormat({
  id: 'crossref',
  label: 'Crossref deposit schema 5.3.1',
  extension: 'xml',
  mediaType: 'application/vnd.crossref.deposit+xml',
  write: (record, options) => toCrossref([record], head(options?.deposit)),
  writeBatch: (records, options) => toCrossref([...records], head(options?.deposit)),
  assertWritable: assertCrossrefExportable,
  batching: { defaultMaxRecords: CROSSREF_DEFAULT_BATCH_RECORDS, maxBytes: CROSSREF_MAX_DEPOSIT_BYTES },
  read: readCrossref,
  detect: (root) => root.name === 'doi_batch',
  validation: {
    kind: 'xsd',
    schemaId: 'crossref-5.3.1',
    // Deposits written for 5.3.0 are still read and validated against their own version.
    schemaIdFor: (root) => {
      const ns = rootNamespace(root);
      if (ns === `${CROSSREF_NS_PREFIX}5.3.1`) return 'crossref-5.3.1';
      if (ns === `${CROSSREF_NS_PREFIX}5.3.0`) return 'crossref-5.3.0';
      return undefined;
    },
  },
});
