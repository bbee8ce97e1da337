// Public API of the harvest capability; re-exported from src/index.ts.
export {
  HarvestClient,
  listRecords,
  listIdentifiers,
  readAndMapRecord as readHarvestedRecord,
  listRequestArguments as harvestListRequestArguments,
  type HarvestClientOptions,
  type HarvestClientEvent,
  type HarvestRecord,
  type ListArguments as HarvestListArguments,
  type ListIterationOptions as HarvestListOptions,
  type ListPage as HarvestListPage,
  type PageHandlers as HarvestPageHandlers,
  type PageResult as HarvestPageResult,
} from './client.js';
export {
  HttpTransport as HarvestTransport,
  realSleep as harvestRealSleep,
  type TransportOptions as HarvestTransportOptions,
  type TransportResponse as HarvestTransportResponse,
  type SleepFunction as HarvestSleepFunction,
} from './transport.js';
export {
  DEFAULT_MAX_RECORD_BYTES as HARVEST_DEFAULT_MAX_RECORD_BYTES,
  DEFAULT_MAX_RESPONSE_BYTES as HARVEST_DEFAULT_MAX_RESPONSE_BYTES,
  type SplitterLimits as HarvestSizeLimits,
} from './scanner.js';
export {
  HarvestError,
  HarvestOaiError,
  HarvestPausedError,
  type HarvestErrorCode,
  type OaiErrorCode as HarvestOaiErrorCode,
  type OaiErrorEntry as HarvestOaiErrorEntry,
} from './errors.js';
export {
  mapHarvestedMetadata,
  detectMetadataFormat as detectHarvestMetadataFormat,
  HarvestMappingError,
  type HarvestMapper,
  type HarvestMapping,
  type HarvestMetadataFormat,
} from './mapping.js';
export {
  runHarvest,
  runHarvest as harvestSource,
  nextFromResponseDate as harvestNextFrom,
  type HarvestRunOptions,
  type HarvestRunSummary,
  type HarvestRunOutcome,
  type HarvestProgress,
} from './harvester.js';
// Harvest state rows (HarvestSource, HarvestRunRow, HarvestCheckpoint, StoredHarvestRecord, ...)
// are the store's types, exported from src/store.
export {
  planRun as planHarvestRun,
  HarvestPlanError,
  DEFAULT_MAX_PAGES as HARVEST_DEFAULT_MAX_PAGES,
  type RunPlan as HarvestRunPlan,
} from './plan.js';
export { classifyPage as classifyHarvestPage, classifyError as classifyHarvestError, type Verdict as HarvestVerdict } from './classify.js';
export { dumpItems as harvestDumpItems, type DumpItem as HarvestDumpItem, type DumpFilter as HarvestDumpFilter } from './dump.js';
export {
  checkHarvestEndpoint,
  UnknownPrefixError as HarvestUnknownPrefixError,
  addHarvestSource,
  harvestSourceStatus,
  harvestedRecord,
  harvestedRecords,
  hashRecordBytes as hashHarvestedRecordBytes,
  type HarvestSourceStatus,
  type HarvestedRecord,
} from './sources.js';
export { commitHarvestPage, type PageOutcome as HarvestPageOutcome, type HarvestRecordSink } from './commit.js';
export {
  type OaiHeader as HarvestOaiHeader,
  type OaiIdentify as HarvestIdentify,
  type OaiSet as HarvestOaiSet,
  type OaiMetadataFormat as HarvestMetadataFormatInfo,
  type HarvestedItem,
} from './xml.js';
