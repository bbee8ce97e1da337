import { readFileSync } from 'node:fs';
import { FORMATS, jatsFormat, oaiDcFormat, oaiFormats, type FormatDescriptor, type FormatList, type FormatOaiInfo } from '../formats/index.js';
import type { ArticleRecord } from '../model/types.js';
import { checkOutputs } from '../export/check.js';
import { REPOSITORY_IDENTIFIER_PATTERN } from './identifiers.js';

/** The package version: stored renderings from another version are rendered again. */
const RENDERER_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** A metadata format the repository disseminates (OAI-PMH §3.4). */
export interface OaiMetadataFormat {
  metadataPrefix: string;
  /** URL of the XML Schema; also the location in the metadata root's xsi:schemaLocation. */
  schema: string;
  metadataNamespace: string;
  /** The metadata part: one namespace-qualified root element, no XML declaration. Throws when the record cannot be expressed in the format. */
  render(record: ArticleRecord): string;
  /** The format can be rendered from every valid record (ListIdentifiers then skips the trial render). */
  alwaysAvailable?: boolean;
  /**
   * Validates rendered metadata parts (with the records they came from) as the format's
   * descriptor says; one reason per item, undefined when it passes. A part that fails is not
   * disseminated. Without it, whatever render returns is served.
   */
  check?(items: readonly { xml: string; record: ArticleRecord }[]): (string | undefined)[];
  /**
   * Identifies what rendering depends on besides the record (format, renderer version): set, the
   * rendered metadata is pre-rendered and kept in the store (see ./fragments.ts); a stored part
   * with another key is rendered again. Without it the format is rendered on every request.
   */
  renderKey?: string;
}

export interface OaiConfig {
  repositoryName: string;
  /** The endpoint URL harvesters use; echoed in every `request` element and in Identify. */
  baseUrl: string;
  /** namespace-identifier of the oai-identifiers, a domain name: oai:<repositoryIdentifier>:<localId>. */
  repositoryIdentifier: string;
  adminEmails: string[];
  /** Page sizes of incomplete lists. Defaults: 100 records, 500 identifiers. */
  pageSize?: { records?: number; identifiers?: number };
  /** HMAC key for resumption tokens. Keep it stable across restarts so tokens stay valid. */
  tokenSecret: string;
  /** Lifetime of a resumption token. Default 86400 (24 h). */
  tokenTtlSeconds?: number;
  /** href of the xml-stylesheet processing instruction; false for none. Default: <baseUrl path>/oai2.xsl. */
  stylesheetHref?: string | false;
  /** Content codings advertised in Identify (the HTTP layer implements gzip and deflate). */
  compression?: string[];
  /** Formats to disseminate. Default: every registered format with an OAI-PMH section (DEFAULT_METADATA_FORMATS). */
  metadataFormats?: OaiMetadataFormat[];
  /** Called when a record cannot be rendered in a format (it is then left out or refused). */
  onExportError?: (localId: string, metadataPrefix: string, error: unknown) => void;
}

/** Render keys given by oaiMetadataFormat, and the render function each belongs to. */
const DESCRIPTOR_RENDER_KEYS = new WeakMap<OaiMetadataFormat['render'], string>();
const DESCRIPTOR_KEYS = new Set<string>();

/**
 * The format's render key when it can be trusted: a key oaiMetadataFormat gave holds only with
 * its own render function (a copy of the format with another render, `{ ...OAI_DC_FORMAT,
 * render }`, is rendered on every request instead of reusing parts stored under that key).
 */
export function trustedRenderKey(format: OaiMetadataFormat): string | undefined {
  const key = format.renderKey;
  if (key === undefined) return undefined;
  if (DESCRIPTOR_KEYS.has(key) && DESCRIPTOR_RENDER_KEYS.get(format.render) !== key) return undefined;
  return key;
}

/** The OAI-PMH view of a registered format: its `oai` section, rendered without XML declaration. */
export function oaiMetadataFormat(format: FormatDescriptor & { oai: FormatOaiInfo }): OaiMetadataFormat {
  const oai = format.oai;
  const metadataFormat: OaiMetadataFormat = {
    metadataPrefix: oai.prefix,
    schema: oai.schema,
    metadataNamespace: oai.namespace,
    render: oai.write ?? ((record) => format.write(record, { declaration: false })),
    // A part written by the OAI variant (JATS in PMC's namespace) is checked as the format's own document.
    check: (items) => checkOutputs(format, items.map((item) => ({ output: oai.write ? format.write(item.record) : item.xml, record: item.record }))),
    renderKey: `${format.id}@${RENDERER_VERSION}`,
  };
  DESCRIPTOR_RENDER_KEYS.set(metadataFormat.render, metadataFormat.renderKey!);
  DESCRIPTOR_KEYS.add(metadataFormat.renderKey!);
  if (oai.alwaysAvailable) metadataFormat.alwaysAvailable = true;
  return metadataFormat;
}

/** Every format in `formats` that has an OAI-PMH section, in registry order. */
export function oaiMetadataFormats(formats: FormatList = FORMATS): OaiMetadataFormat[] {
  return oaiFormats(formats).map(oaiMetadataFormat);
}

/** What a repository disseminates unless configured otherwise: every registered format with `oai`. */
export const DEFAULT_METADATA_FORMATS: readonly OaiMetadataFormat[] = oaiMetadataFormats();

export const OAI_DC_FORMAT: OaiMetadataFormat = oaiMetadataFormat(oaiDcFormat);

/** JATS as the provider serves it: in PMC's OAI namespace, ids prefixed per record (see the jats descriptor). */
export const JATS_FORMAT: OaiMetadataFormat = oaiMetadataFormat(jatsFormat);

export const DEFAULT_PAGE_SIZES = { records: 100, identifiers: 500 } as const;
export const DEFAULT_TOKEN_TTL_SECONDS = 86_400;

/** OAI-PMH §3.2.1 emailType. */
const EMAIL_PATTERN = /^\S+@(\S+\.)+\S+$/;

/** Configuration mistakes, reported before serving anything (each would make responses invalid). */
export function checkOaiConfig(config: OaiConfig): string[] {
  const problems: string[] = [];
  if (!config.repositoryName.trim()) problems.push('repositoryName is empty');
  try {
    const url = new URL(config.baseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') problems.push(`baseUrl ${config.baseUrl} is not http(s)`);
    if (url.search || url.hash) problems.push(`baseUrl ${config.baseUrl} must not have a query or fragment`);
  } catch {
    problems.push(`baseUrl ${config.baseUrl} is not a URL`);
  }
  if (!REPOSITORY_IDENTIFIER_PATTERN.test(config.repositoryIdentifier)) {
    problems.push(`repositoryIdentifier ${config.repositoryIdentifier} is not a domain name (oai-identifier namespace-identifier)`);
  }
  if (config.adminEmails.length === 0) problems.push('at least one adminEmail is required (OAI-PMH §4.2)');
  for (const email of config.adminEmails) {
    if (!EMAIL_PATTERN.test(email)) problems.push(`adminEmail ${email} is not an e-mail address`);
  }
  if (config.tokenSecret.length < 16) problems.push('tokenSecret must be at least 16 characters');
  for (const [kind, size] of Object.entries(config.pageSize ?? {})) {
    if (size !== undefined && (!Number.isSafeInteger(size) || size < 1)) problems.push(`pageSize.${kind} must be a positive integer`);
  }
  const ttl = config.tokenTtlSeconds;
  if (ttl !== undefined && (!Number.isSafeInteger(ttl) || ttl < 60)) problems.push('tokenTtlSeconds must be an integer >= 60');
  const prefixes = new Set<string>();
  for (const format of config.metadataFormats ?? DEFAULT_METADATA_FORMATS) {
    if (!/^[A-Za-z0-9\-_.!~*'()]+$/.test(format.metadataPrefix)) problems.push(`metadataPrefix ${format.metadataPrefix} has illegal characters`);
    if (prefixes.has(format.metadataPrefix)) problems.push(`metadataPrefix ${format.metadataPrefix} is listed twice`);
    prefixes.add(format.metadataPrefix);
  }
  if (!prefixes.has('oai_dc')) problems.push('oai_dc must be disseminated (OAI-PMH §3.4)');
  return problems;
}

/** The default stylesheet href: next to the endpoint, as a path so the browser fetches it same-origin. */
export function defaultStylesheetHref(baseUrl: string): string {
  const path = new URL(baseUrl).pathname.replace(/\/+$/, '');
  return `${path}/oai2.xsl`;
}
