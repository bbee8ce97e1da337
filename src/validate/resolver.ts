// The only way libxml2 reads anything from outside memory in this process's validation:
// one input provider, registered once, that serves the official XSDs from schemas/official/
// (absolute schemaLocation URLs mapped to the local copies) and in-memory wrapper schemas.
// Everything else is refused and recorded, so a schema that would need the network fails
// loudly at compile time, and a validated document can never read a file or a URL.
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { xmlRegisterInputProvider } from 'libxml2-wasm';

/** schemas/official/ of this package (the same two levels up from src/validate and dist/validate). */
export const OFFICIAL_SCHEMA_DIR = fileURLToPath(new URL('../../schemas/official/', import.meta.url));
const MANIFEST_FILE = fileURLToPath(new URL('../../schemas/xsd-manifest.json', import.meta.url));

/**
 * Absolute URLs the official XSDs import that are not a manifest file's own canonical URL.
 * xml.xsd is the same file at every W3C address (the copies under schemas/official are
 * byte-identical); MathML 3 is imported by Crossref's schemas from the W3C address.
 */
const URL_ALIASES: Record<string, string> = {
  'http://www.w3.org/2001/03/xml.xsd': 'oai-pmh/xml.xsd',
  'http://www.w3.org/2001/xml.xsd': 'oai-pmh/xml.xsd',
  'http://www.w3.org/2009/01/xml.xsd': 'oai-pmh/xml.xsd',
  'http://www.w3.org/XML/1998/namespace': 'oai-pmh/xml.xsd',
  'http://www.w3.org/1999/xlink.xsd': 'jats/standard-modules/xlink.xsd',
  'http://www.loc.gov/standards/xlink/xlink.xsd': 'jats/standard-modules/xlink.xsd',
  'http://www.niso.org/schemas/ali/1.0/ali.xsd': 'jats/standard-modules/module-ali.xsd',
  'https://www.niso.org/schemas/ali/1.0/ali.xsd': 'jats/standard-modules/module-ali.xsd',
  'http://dublincore.org/schemas/xmls/simpledc20021212.xsd': 'oai-pmh/simpledc20021212.xsd',
};

/**
 * Addresses that serve another manifest folder's files. DataCite's documents name the
 * unversioned kernel-4 folder, which serves the latest 4.x: 4.7 here (metadata.xsd and include/).
 */
const URL_PREFIX_ALIASES: Record<string, string> = {
  'https://schema.datacite.org/meta/kernel-4/': 'https://schema.datacite.org/meta/kernel-4.7/',
};

/** Folders published at a URL whose files include each other relatively. */
const URL_FOLDER_ALIASES: Record<string, string> = {
  // Crossref's schemas import MathML 3 from the W3C; its parts include each other from there.
  'http://www.w3.org/Math/XMLSchema/mathml3/': 'crossref/standard-modules/mathml3/',
};
const MATHML3_PARTS = ['mathml3.xsd', 'mathml3-content.xsd', 'mathml3-presentation.xsd', 'mathml3-common.xsd', 'mathml3-strict-content.xsd'];

let urlMap: Map<string, string> | undefined;

function withSchemeVariants(url: string): string[] {
  if (url.startsWith('https://')) return [url, `http://${url.slice(8)}`];
  if (url.startsWith('http://')) return [url, `https://${url.slice(7)}`];
  return [url];
}

/** Canonical URL (http or https) -> file under schemas/official/. */
export function schemaUrlMap(): ReadonlyMap<string, string> {
  if (urlMap) return urlMap;
  const map = new Map<string, string>();
  const manifest = JSON.parse(readFileSync(MANIFEST_FILE, 'utf8')) as { files: { file: string; url: string }[] };
  for (const entry of manifest.files) {
    for (const url of withSchemeVariants(entry.url)) map.set(url, entry.file);
  }
  const aliases: Record<string, string> = { ...URL_ALIASES };
  for (const [aliasPrefix, canonicalPrefix] of Object.entries(URL_PREFIX_ALIASES)) {
    for (const entry of manifest.files) {
      if (entry.url.startsWith(canonicalPrefix)) aliases[aliasPrefix + entry.url.slice(canonicalPrefix.length)] = entry.file;
    }
  }
  for (const [folderUrl, folder] of Object.entries(URL_FOLDER_ALIASES)) {
    for (const part of MATHML3_PARTS) aliases[folderUrl + part] = folder + part;
  }
  for (const [url, file] of Object.entries(aliases)) {
    for (const variant of withSchemeVariants(url)) if (!map.has(variant)) map.set(variant, file);
  }
  urlMap = map;
  return map;
}

export interface ExternalLoad {
  /** What libxml2 asked for (URL or path). */
  resource: string;
  /** The local file served, or undefined when refused. */
  servedFrom: string | undefined;
  phase: 'schema-compile' | 'document';
}

const virtualFiles = new Map<string, Uint8Array>();
const openFiles = new Map<number, { bytes: Uint8Array; position: number }>();
let nextHandle = 1;
let registered = false;
let phase: ExternalLoad['phase'] = 'document';
const loadLog: ExternalLoad[] = [];
const LOAD_LOG_LIMIT = 10_000;

/** Serves `source` as if it were the file `path` (absolute, under OFFICIAL_SCHEMA_DIR). */
export function defineVirtualSchema(path: string, source: string): void {
  virtualFiles.set(path, new TextEncoder().encode(source));
}

function insideOfficialDir(path: string): boolean {
  const rel = relative(OFFICIAL_SCHEMA_DIR, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

function toLocalPath(resource: string): string | undefined {
  const mapped = schemaUrlMap().get(resource);
  if (mapped) return join(OFFICIAL_SCHEMA_DIR, mapped);
  let candidate = resource;
  if (candidate.startsWith('file://')) {
    try {
      candidate = fileURLToPath(candidate);
    } catch {
      return undefined;
    }
  }
  if (!isAbsolute(candidate)) return undefined;
  // libxml2 escapes unusual characters when it builds a URI from a base and a relative path.
  for (const path of new Set([resolve(candidate), safeDecode(resolve(candidate))])) {
    if (virtualFiles.has(path)) return path;
    if (insideOfficialDir(path) && path.endsWith('.xsd') && existsSync(path)) return path;
  }
  return undefined;
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function record(load: ExternalLoad): void {
  if (loadLog.length < LOAD_LOG_LIMIT) loadLog.push(load);
}

function ensureRegistered(): void {
  if (registered) return;
  const ok = xmlRegisterInputProvider({
    // Claim every resource, so libxml2 never falls back to its own file or network loaders.
    match: () => true,
    open: (resource) => {
      const local = phase === 'schema-compile' ? toLocalPath(resource) : undefined;
      record({ resource, servedFrom: local, phase });
      if (!local) return undefined;
      const bytes = virtualFiles.get(local) ?? readFileSync(local);
      const handle = nextHandle++;
      openFiles.set(handle, { bytes, position: 0 });
      return handle;
    },
    read: (handle, buffer) => {
      const file = openFiles.get(handle);
      if (!file) return -1;
      const count = Math.min(buffer.byteLength, file.bytes.byteLength - file.position);
      buffer.set(file.bytes.subarray(file.position, file.position + count));
      file.position += count;
      return count;
    },
    close: (handle) => openFiles.delete(handle),
  });
  if (!ok) throw new Error('libxml2 refused another input provider (its callback table is full)');
  registered = true;
}

/** Runs `compile` with schema files readable; returns what it asked for that was refused. */
export function withSchemaLoading<T>(compile: () => T): { result?: T; error?: unknown; refused: string[] } {
  ensureRegistered();
  const before = loadLog.length;
  phase = 'schema-compile';
  const refusedSince = () => [...new Set(loadLog.slice(before).filter((l) => l.servedFrom === undefined).map((l) => l.resource))];
  try {
    return { result: compile(), refused: refusedSince() };
  } catch (error) {
    return { error, refused: refusedSince() };
  } finally {
    phase = 'document';
  }
}

/** Makes sure nothing a document refers to can be loaded (the provider refuses outside compiles). */
export function ensureDocumentLoadsRefused(): void {
  ensureRegistered();
}

/** Every resource libxml2 asked this provider for, in order (for tests and diagnostics). */
export function externalLoadLog(): readonly ExternalLoad[] {
  return loadLog;
}
