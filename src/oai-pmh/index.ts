// OAI-PMH 2.0 protocol definitions shared by the provider (src/oai) and the harvester (src/harvest).
export { OAI_PMH_NAMESPACE, OAI_PMH_SCHEMA, XSI_NAMESPACE, OAI_PROVENANCE_NAMESPACE, OAI_PROVENANCE_SCHEMA } from './namespaces.js';
export { OAI_VERBS, LIST_VERBS, LIST_ITEM_ELEMENT, isOaiVerb, type OaiVerb, type OaiListVerb } from './verbs.js';
export { OAI_ERROR_CODES, isOaiErrorCode, isEmptyListError, type OaiErrorCode, type OaiError } from './errors.js';
export {
  DAY_GRANULARITY,
  SECONDS_GRANULARITY,
  parseUtcDatetime,
  utcDatetimeToDate,
  isUtcDatetime,
  formatUtcDatetime,
  previousSecond,
  granularityOf,
  toGranularity,
  listDateArguments,
  type Granularity,
  type ParsedDate,
  type DateRangeArguments,
} from './dates.js';
export { buildRequestUrl } from './request.js';
