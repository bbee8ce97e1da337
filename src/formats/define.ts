import type { FormatDescriptor } from './descriptor.js';

/**
 * Declares a format descriptor keeping its literal type (the id, whether it has `oai` ...),
 * so FormatId, derived from the registry, is a union of ids rather than string.
 */
export function defineFormat<const D extends FormatDescriptor>(descriptor: D): D {
  return descriptor;
}
