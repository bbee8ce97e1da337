// Attributes whose values the official schemas type as ID, IDREF or IDREFS: unique per
// document (ids) and pointing at them (references). Pure data, so writers can import it
// without loading the validator.

/** JATS 1.3 attributes of type ID, IDREF or IDREFS. */
export const JATS_ID_ATTRIBUTES: ReadonlySet<string> = new Set(['id', 'rid', 'headers', 'continued-from', 'glyph-data', 'pointer-to-explained', 'pointer-to-question']);
