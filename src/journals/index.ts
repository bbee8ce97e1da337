// Public API of journal profiles (pure); re-exported from src/index.ts.
export type { JournalProfile, UrlTemplateField } from './types.js';
export { validateJournalProfile, validateJournalProfileList, journalSchema, JOURNAL_SCHEMA_PATH } from './validate.js';
export type { JournalProfileValidation, JournalProfileListValidation } from './validate.js';
export { TEMPLATE_PLACEHOLDERS, urlTemplateProblems, templatePlaceholders, expandUrlTemplate } from './templates.js';
export type { TemplatePlaceholder, TemplateExpansion } from './templates.js';
export { matchJournalProfile, journalTitleKey } from './match.js';
export type { JournalMatch, JournalMatchBasis, JournalMatchOptions } from './match.js';
export {
  applyJournalProfile,
  profileCrossrefIdentity,
  profilePlaceholders,
  PLACEHOLDER_MARK,
  PDF_GALLEY_MIME_TYPE,
  XML_GALLEY_MIME_TYPE,
} from './apply.js';
export type { AppliedJournalProfile, UnfilledTemplate } from './apply.js';
export { isOwnDoi, ownedPrefixOf, ownershipProblem, depositStanding } from './ownership.js';
export type { DepositStanding } from './ownership.js';
export { refusalHint, explainRefusal, profileOptionsFor } from './hints.js';
export type { ExportRefusal, RefusalHintContext } from './hints.js';
export { loadSeedJournalProfile, SEED_JOURNAL_PROFILE_PATH } from './samples.js';
export { saveJournalProfile, upsertConfigJournals, conflictsWithOthers } from './registry.js';
export type { JournalSaveResult, ConfigJournalsResult } from './registry.js';
export { profileRecord } from './resolve.js';
export type { ProfiledRecord } from './resolve.js';
