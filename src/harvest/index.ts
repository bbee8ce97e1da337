// Public API of the harvest capability; re-exported from src/index.ts.
export {
  HarvestClient,
  listRecords,
  listIdentifiers,
  readAndMapRecord as readHarvestedRecord,
  buildRequestUrl as buildHarvestRequestUrl,
  realSleep as harvestRealSleep,
  type HarvestClientOptions,
  type HarvestClientEvent,
  type HarvestRecord,
  type ListArguments as HarvestListArguments,
  type ListIterationOptions as HarvestListOptions,
  type PageHandlers as HarvestPageHandlers,
  type PageResult as HarvestPageResult,
  type SleepFunction as HarvestSleepFunction,
} from './client.js';
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
  type Granularity as HarvestGranularity,
  type HarvestedItem,
} from './xml.js';
export { toGranularity as harvestDatestampAtGranularity } from './dates.js';
