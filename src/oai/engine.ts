import { toDatestamp } from '../store/canonical.js';
import { SET_SPEC_PATTERN } from '../store/setSpecs.js';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { KeysetPosition, ListOptions, MetadataFragment, RecordQuery, RecordRepository, StoredRecord } from '../store/types.js';
import {
  OAI_PMH_NAMESPACE,
  OAI_PMH_SCHEMA,
  OAI_VERBS,
  XSI_NAMESPACE,
  parseUtcDatetime,
  previousSecond,
  type OaiError,
  type OaiVerb,
  type ParsedDate,
} from '../oai-pmh/index.js';
import {
  DEFAULT_METADATA_FORMATS,
  DEFAULT_PAGE_SIZES,
  DEFAULT_TOKEN_TTL_SECONDS,
  defaultStylesheetHref,
  type OaiConfig,
  type OaiMetadataFormat,
} from './config.js';
import { fragmentKey, renderFragments, renderFragmentsYielding, type RenderItem } from './fragments.js';
import { oaiIdentifier, parseOaiIdentifier } from './identifiers.js';
import { provenanceAboutXml } from './provenance.js';
import { decodeResumptionToken, encodeResumptionToken, type ListVerb, type ResumptionState } from './tokens.js';
import { escapeAttribute, escapeText, hasNonXmlChars } from './xml.js';

/**
 * The OAI-PMH 2.0 protocol engine: a pure function of the request arguments, the store, the
 * configuration and the clock. Section numbers refer to the OAI-PMH 2.0 specification.
 */

/** Request arguments, each with every value it was given (so repeats are visible). */
export type OaiArguments = Record<string, string[]>;

/** §4: required, optional and exclusive arguments per verb. */
const ARGUMENT_RULES: Record<OaiVerb, { required: string[]; optional: string[]; exclusive?: string }> = {
  Identify: { required: [], optional: [] },
  ListMetadataFormats: { required: [], optional: ['identifier'] },
  ListSets: { required: [], optional: [], exclusive: 'resumptionToken' },
  GetRecord: { required: ['identifier', 'metadataPrefix'], optional: [] },
  ListIdentifiers: { required: ['metadataPrefix'], optional: ['from', 'until', 'set'], exclusive: 'resumptionToken' },
  ListRecords: { required: ['metadataPrefix'], optional: ['from', 'until', 'set'], exclusive: 'resumptionToken' },
};

const METADATA_PREFIX_PATTERN = /^[A-Za-z0-9\-_.!~*'()]+$/;

interface Context {
  store: RecordRepository;
  config: OaiConfig;
  now: Date;
  formats: Map<string, OaiMetadataFormat>;
  pause: () => Promise<void>;
  sliceRows: number | undefined;
}

/** How a list request shares the process with others. */
export interface OaiWorkOptions {
  /**
   * Awaited between slices of a list page (store reads, renders): the HTTP layer passes a
   * scheduler that lets one slice run per event-loop turn, so cheap requests are not starved.
   * Default: setImmediate.
   */
  pause?: () => Promise<void>;
  /** Rows per store read within a page. Default 25 records (ListRecords), 250 headers. */
  sliceRows?: number;
}

/**
 * A piece of a response: text, or UTF-8 bytes (a record's stored metadata, read as bytes so the
 * HTTP layer writes it without decoding and encoding it again).
 */
export type OaiPart = string | Buffer;

/** What a verb handler produces: the verb element's content (in parts, concatenated as they are), or errors. */
type Outcome = { body: string } | { parts: OaiPart[] } | { errors: OaiError[] };

/** Answers one OAI-PMH request from the records of a store (async: the store may be remote). */
export async function handleOaiRequest(args: OaiArguments, store: RecordRepository, config: OaiConfig, now: Date, work: OaiWorkOptions = {}): Promise<string> {
  const parts = await answerOaiRequest(args, store, config, now, work);
  return parts.map((part) => (typeof part === 'string' ? part : part.toString('utf8'))).join('');
}

/**
 * handleOaiRequest as the parts of the response, in order (envelope, then the records or
 * headers, a record's stored metadata as bytes, then the resumptionToken and the end): the HTTP
 * layer encodes the text parts and joins them with the bytes, never decoding those.
 */
export async function answerOaiRequest(
  args: OaiArguments,
  store: RecordRepository,
  config: OaiConfig,
  now: Date,
  work: OaiWorkOptions = {},
): Promise<OaiPart[]> {
  const ctx: Context = {
    store,
    config,
    now,
    formats: new Map((config.metadataFormats ?? DEFAULT_METADATA_FORMATS).map((f) => [f.metadataPrefix, f])),
    pause: work.pause ?? (() => yieldToEventLoop()),
    sliceRows: work.sliceRows,
  };

  const verbValues = args.verb ?? [];
  const bad = (errors: OaiError[]) => [envelope(ctx, undefined, errorsXml(errors))];
  if (verbValues.length === 0) return bad([{ code: 'badVerb', message: 'The verb argument is missing.' }]);
  if (verbValues.length > 1) return bad([{ code: 'badVerb', message: 'The verb argument is repeated.' }]);
  const verb = OAI_VERBS.find((v) => v === verbValues[0]);
  if (!verb) return bad([{ code: 'badVerb', message: `'${verbValues[0]}' is not an OAI-PMH verb.` }]);

  const checked = checkArguments(verb, args);
  if (checked.errors.length > 0) return bad(checked.errors);
  const single = checked.values;

  // §3.2: no badVerb/badArgument, so the request element carries every argument.
  const echoed: [string, string][] = [['verb', verb], ...Object.entries(single).filter(([k]) => k !== 'verb')];
  let outcome: Outcome;
  switch (verb) {
    case 'Identify':
      outcome = await identify(ctx);
      break;
    case 'ListMetadataFormats':
      outcome = await listMetadataFormats(ctx, single.identifier);
      break;
    case 'ListSets':
      outcome = await listSets(ctx, single.resumptionToken);
      break;
    case 'GetRecord':
      outcome = await getRecord(ctx, single.identifier!, single.metadataPrefix!);
      break;
    case 'ListIdentifiers':
    case 'ListRecords':
      outcome = await listHeadersOrRecords(ctx, verb, single, checked.dates);
      break;
  }
  if ('errors' in outcome) return [envelope(ctx, echoed, errorsXml(outcome.errors))];
  const parts = 'parts' in outcome ? outcome.parts : [outcome.body];
  const [head, tail] = envelopeParts(ctx, echoed);
  return [`${head}<${verb}>`, ...parts, `</${verb}>${tail}`];
}

interface CheckedArguments {
  errors: OaiError[];
  values: Record<string, string>;
  dates: { from?: ParsedDate; until?: ParsedDate };
}

/** §3.6 badArgument: illegal, missing, repeated arguments and illegal syntax; all reported (guidelines-repository §8). */
function checkArguments(verb: OaiVerb, args: OaiArguments): CheckedArguments {
  const rules = ARGUMENT_RULES[verb];
  const errors: OaiError[] = [];
  const values: Record<string, string> = {};
  const dates: CheckedArguments['dates'] = {};
  const bad = (message: string) => errors.push({ code: 'badArgument', message });
  const allowed = new Set([...rules.required, ...rules.optional, ...(rules.exclusive ? [rules.exclusive] : [])]);

  for (const [key, list] of Object.entries(args)) {
    if (key === 'verb' || list.length === 0) continue;
    if (!allowed.has(key)) {
      bad(`'${key}' is not an argument of ${verb}.`);
      continue;
    }
    if (list.length > 1) {
      bad(`The argument '${key}' is repeated.`);
      continue;
    }
    const value = list[0]!;
    if (hasNonXmlChars(value)) {
      bad(`The value of '${key}' contains characters that are not allowed.`);
      continue;
    }
    values[key] = value;
  }
  const present = Object.keys(values);

  if (rules.exclusive && values[rules.exclusive] !== undefined) {
    const others = Object.keys(args).filter((k) => k !== 'verb' && k !== rules.exclusive && (args[k]?.length ?? 0) > 0);
    if (others.length > 0) bad(`'${rules.exclusive}' is an exclusive argument: it cannot be combined with ${others.map((k) => `'${k}'`).join(', ')}.`);
    return { errors, values, dates };
  }
  for (const key of rules.required) {
    if (!present.includes(key) && !(args[key]?.length)) bad(`The required argument '${key}' is missing.`);
  }

  if (values.metadataPrefix !== undefined && !METADATA_PREFIX_PATTERN.test(values.metadataPrefix)) {
    bad(`'${values.metadataPrefix}' is not a legal metadataPrefix (URI unreserved characters only, §3.4).`);
  }
  if (values.set !== undefined && !SET_SPEC_PATTERN.test(values.set)) {
    bad(`'${values.set}' is not a legal setSpec (§2.6).`);
  }
  if (values.identifier !== undefined && !looksLikeUri(values.identifier)) {
    bad(`'${values.identifier}' is not a URI (§2.4).`);
  }
  for (const key of ['from', 'until'] as const) {
    const value = values[key];
    if (value === undefined) continue;
    const parsed = parseUtcDatetime(value);
    if (!parsed) bad(`'${key}' must be YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ (UTC, §3.3.1), not '${value}'.`);
    else dates[key] = parsed;
  }
  if (dates.from && dates.until) {
    if (dates.from.granularity !== dates.until.granularity) {
      bad("'from' and 'until' must have the same granularity (§3.3.1).");
    } else if (dates.from.start > dates.until.start) {
      bad("'from' is later than 'until' (§2.7.1).");
    }
  }
  return { errors, values, dates };
}

/** Enough URI syntax that the echoed identifier is an xs:anyURI: escapes well formed, one fragment at most. */
function looksLikeUri(value: string): boolean {
  if (value.length === 0) return false;
  if (/%(?![0-9A-Fa-f]{2})/.test(value)) return false;
  return value.indexOf('#') === value.lastIndexOf('#');
}

/**
 * A complete response made of errors only, with the bare request element: for conditions found
 * before the engine runs, such as a POST body that is not application/x-www-form-urlencoded.
 */
export function oaiErrorResponse(config: OaiConfig, now: Date, errors: OaiError[]): string {
  return envelope({ config, now }, undefined, errorsXml(errors));
}

function envelope(ctx: Pick<Context, 'config' | 'now'>, echoed: [string, string][] | undefined, content: string): string {
  const [head, tail] = envelopeParts(ctx, echoed);
  return head + content + tail;
}

/** The response before and after the verb element (or errors). */
function envelopeParts(ctx: Pick<Context, 'config' | 'now'>, echoed: [string, string][] | undefined): [string, string] {
  const href = ctx.config.stylesheetHref === undefined ? defaultStylesheetHref(ctx.config.baseUrl) : ctx.config.stylesheetHref;
  let attributes = '';
  for (const [key, value] of echoed ?? []) attributes += ` ${key}="${escapeAttribute(value)}"`;
  const head =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    (href === false ? '' : `<?xml-stylesheet type="text/xsl" href="${escapeAttribute(href)}"?>\n`) +
    `<OAI-PMH xmlns="${OAI_PMH_NAMESPACE}" xmlns:xsi="${XSI_NAMESPACE}" xsi:schemaLocation="${OAI_PMH_NAMESPACE} ${OAI_PMH_SCHEMA}">\n` +
    `<responseDate>${toDatestamp(ctx.now)}</responseDate>\n` +
    `<request${attributes}>${escapeText(ctx.config.baseUrl)}</request>\n`;
  return [head, '\n</OAI-PMH>\n'];
}

function errorsXml(errors: OaiError[]): string {
  return errors.map((e) => `<error code="${e.code}">${escapeText(e.message)}</error>`).join('\n');
}

function element(name: string, text: string): string {
  return `<${name}>${escapeText(text)}</${name}>`;
}

// ---------------------------------------------------------------------------------------------
// §4.2 Identify

async function identify(ctx: Context): Promise<Outcome> {
  const { config, store } = ctx;
  const earliest = (await store.earliestDatestamp()) ?? toDatestamp(ctx.now);
  const first = (await store.list({}, 1, { headersOnly: true }))[0];
  const sample = oaiIdentifier(config.repositoryIdentifier, first?.localId ?? '10.1234/example-article');
  let body =
    element('repositoryName', config.repositoryName) +
    element('baseURL', config.baseUrl) +
    element('protocolVersion', '2.0') +
    config.adminEmails.map((email) => element('adminEmail', email)).join('') +
    element('earliestDatestamp', earliest) +
    element('deletedRecord', 'persistent') +
    element('granularity', 'YYYY-MM-DDThh:mm:ssZ');
  for (const coding of config.compression ?? ['gzip', 'deflate']) body += element('compression', coding);
  body +=
    '<description><oai-identifier xmlns="http://www.openarchives.org/OAI/2.0/oai-identifier"' +
    ` xmlns:xsi="${XSI_NAMESPACE}"` +
    ' xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/oai-identifier http://www.openarchives.org/OAI/2.0/oai-identifier.xsd">' +
    element('scheme', 'oai') +
    element('repositoryIdentifier', config.repositoryIdentifier) +
    element('delimiter', ':') +
    element('sampleIdentifier', sample) +
    '</oai-identifier></description>';
  return { body };
}

// ---------------------------------------------------------------------------------------------
// §4.4 ListMetadataFormats

async function listMetadataFormats(ctx: Context, identifier: string | undefined): Promise<Outcome> {
  let formats = [...ctx.formats.values()];
  if (identifier !== undefined) {
    const stored = await lookUp(ctx, identifier);
    if (!stored) return { errors: [idDoesNotExist(identifier)] };
    // A tombstone is reported (as deleted) in every format, so every format is listed for it.
    if (!stored.deleted) {
      const available: OaiMetadataFormat[] = [];
      for (const format of formats) if ((await metadataOf(ctx, format, stored)).xml !== undefined) available.push(format);
      formats = available;
    }
    if (formats.length === 0) {
      return { errors: [{ code: 'noMetadataFormats', message: `No metadata format can be disseminated for ${identifier}.` }] };
    }
  }
  const body = formats
    .map(
      (f) =>
        '<metadataFormat>' +
        element('metadataPrefix', f.metadataPrefix) +
        element('schema', f.schema) +
        element('metadataNamespace', f.metadataNamespace) +
        '</metadataFormat>',
    )
    .join('\n');
  return { body };
}

// ---------------------------------------------------------------------------------------------
// §4.6 ListSets. The set list is short (journals and their sections), so it is never split and
// no resumptionToken is ever issued: any token given is not one of ours.

async function listSets(ctx: Context, resumptionToken: string | undefined): Promise<Outcome> {
  if (resumptionToken !== undefined) {
    return { errors: [{ code: 'badResumptionToken', message: 'This repository issues no resumptionToken for ListSets.' }] };
  }
  const sets = await ctx.store.listSets();
  if (sets.length === 0) return { errors: [noSetHierarchy()] };
  return {
    body: sets.map((s) => '<set>' + element('setSpec', s.setSpec) + element('setName', s.setName) + '</set>').join('\n'),
  };
}

// ---------------------------------------------------------------------------------------------
// §4.1 GetRecord

async function getRecord(ctx: Context, identifier: string, metadataPrefix: string): Promise<Outcome> {
  const stored = await lookUp(ctx, identifier);
  const format = ctx.formats.get(metadataPrefix);
  const errors: OaiError[] = [];
  if (!stored) errors.push(idDoesNotExist(identifier));
  if (!format) errors.push(cannotDisseminate(metadataPrefix));
  if (!stored || !format) return { errors };
  if (stored.deleted) return { body: `<record>${headerXml(ctx, stored)}</record>` };
  const metadata = await metadataOf(ctx, format, stored);
  if (metadata.xml === undefined) {
    // §4.1: the format "is not supported by the item": the record lacks what the format requires.
    return { errors: [{ code: 'cannotDisseminateFormat', message: `${identifier} cannot be disseminated as ${metadataPrefix}: ${metadata.error}` }] };
  }
  return { parts: [`<record>${headerXml(ctx, stored)}<metadata>`, metadata.xml, `</metadata>${provenanceAboutXml(stored)}</record>`] };
}

// ---------------------------------------------------------------------------------------------
// §4.3 ListIdentifiers, §4.5 ListRecords, §3.5 flow control

/**
 * Snapshot semantics. The first request of a list fixes an upper bound: min(until, one second
 * before the request). Datestamps come from the clock at seconds granularity, so no record can
 * later enter that range: the complete list is the records with datestamps in [from, bound] as
 * of the first request. Paging walks it in (datestamp, localId) order from the position in the
 * token, so a record inserted or updated mid-harvest gets a datestamp past the bound and is
 * neither repeated nor interleaved; it is picked up by the next incremental harvest with
 * from = the first response's responseDate (inclusive bounds). Records of the snapshot not yet
 * delivered when they change are likewise delivered, in their new state, by that next harvest.
 */
async function listHeadersOrRecords(
  ctx: Context,
  verb: ListVerb,
  args: Record<string, string>,
  dates: { from?: ParsedDate; until?: ParsedDate },
): Promise<Outcome> {
  const ttl = ctx.config.tokenTtlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS;
  let state: ResumptionState;
  let format: OaiMetadataFormat | undefined;
  if (args.resumptionToken !== undefined) {
    const decoded = decodeResumptionToken(args.resumptionToken, verb, ctx.config.tokenSecret, ctx.now);
    if (!decoded.ok) return { errors: [{ code: 'badResumptionToken', message: decoded.reason }] };
    state = decoded.state;
    format = ctx.formats.get(state.metadataPrefix);
    if (!format) {
      return { errors: [{ code: 'badResumptionToken', message: `The format ${state.metadataPrefix} is no longer disseminated; restart the list request.` }] };
    }
  } else {
    const metadataPrefix = args.metadataPrefix!;
    format = ctx.formats.get(metadataPrefix);
    const errors: OaiError[] = [];
    if (!format) errors.push(cannotDisseminate(metadataPrefix));
    if (args.set !== undefined && !(await ctx.store.hasSets())) errors.push(noSetHierarchy());
    if (errors.length > 0) return { errors };
    const snapshot = previousSecond(ctx.now);
    const until = dates.until && dates.until.end < snapshot ? dates.until.end : snapshot;
    const query: RecordQuery = { until };
    if (dates.from) query.from = dates.from.start;
    if (args.set !== undefined) query.set = args.set;
    const total = query.from !== undefined && query.from > until ? 0 : await ctx.store.count(query);
    if (total === 0) return { errors: [noRecordsMatch()] };
    state = {
      verb,
      metadataPrefix,
      until,
      after: { datestamp: '', localId: '' },
      cursor: 0,
      completeListSize: total,
      expiresAt: Math.floor(ctx.now.getTime() / 1000) + ttl,
    };
    if (query.from !== undefined) state.from = query.from;
    if (query.set !== undefined) state.set = query.set;
  }

  const pageSize =
    verb === 'ListRecords'
      ? (ctx.config.pageSize?.records ?? DEFAULT_PAGE_SIZES.records)
      : (ctx.config.pageSize?.identifiers ?? DEFAULT_PAGE_SIZES.identifiers);
  const page = await collectPage(ctx, verb, format!, state, pageSize);
  if (page.items.length === 0) {
    // Everything left of the snapshot changed since the previous page (so moved past it).
    return { errors: [noRecordsMatch()] };
  }

  const parts: OaiPart[] = [];
  page.items.forEach((item, i) => {
    const separator = i === 0 ? '' : '\n';
    if (typeof item === 'string') parts.push(separator + item);
    else parts.push(separator + item[0], item[1], item[2]);
  });
  const delivered = state.cursor + page.items.length;
  if (page.next) {
    const next: ResumptionState = {
      ...state,
      after: page.next,
      cursor: delivered,
      completeListSize: Math.max(state.completeListSize, delivered + 1),
      expiresAt: Math.floor(ctx.now.getTime() / 1000) + ttl,
    };
    const token = encodeResumptionToken(next, ctx.config.tokenSecret);
    const expiration = toDatestamp(new Date(next.expiresAt * 1000));
    parts.push(`\n<resumptionToken expirationDate="${expiration}" completeListSize="${next.completeListSize}" cursor="${state.cursor}">${token}</resumptionToken>`);
  } else if (state.cursor > 0) {
    // §3.5: the response completing a multi-page list has an empty resumptionToken.
    parts.push(`\n<resumptionToken completeListSize="${delivered}" cursor="${state.cursor}"/>`);
  }
  return { parts };
}

/**
 * One page in keyset order, from one keyset-paged scan that joins each record's pre-rendered
 * metadata. Reads one row past the page to learn whether the list goes on; records that cannot
 * be disseminated in the format are passed over (§4.5: records only "for items from which the
 * metadata format ... can be disseminated"), so the look-ahead skips them too and a token is
 * only issued when a deliverable element follows. Rows without a current part are rendered here
 * (and stored); the loop yields to the event loop between scans.
 */
async function collectPage(
  ctx: Context,
  verb: ListVerb,
  format: OaiMetadataFormat,
  state: ResumptionState,
  pageSize: number,
): Promise<{ items: ListElement[]; next?: KeysetPosition }> {
  const query: RecordQuery = { until: state.until };
  if (state.from !== undefined) query.from = state.from;
  if (state.set !== undefined) query.set = state.set;
  const needsMetadata = verb === 'ListRecords' || !format.alwaysAvailable;
  const key = needsMetadata ? fragmentKey(format) : undefined;
  const options: ListOptions = key
    ? { fragment: key, fragmentWithoutXml: verb !== 'ListRecords', fragmentBytes: verb === 'ListRecords' }
    : { headersOnly: !needsMetadata };
  const items: ListElement[] = [];
  let position: KeysetPosition | undefined = state.after.datestamp ? state.after : undefined;
  // The page is read in slices of the same keyset scan, with a pause between slices.
  const slice = ctx.sliceRows ?? (verb === 'ListRecords' ? 25 : 250);
  for (let scan = 0; ; scan++) {
    if (scan > 0) await ctx.pause();
    const needed = pageSize - items.length + 1;
    const want = Math.min(needed, slice);
    const rows = await ctx.store.list(position ? { ...query, after: position } : query, want, options);
    if (needsMetadata) await completeMetadata(ctx, format, rows);
    for (const row of rows) {
      const element = elementFor(ctx, verb, row, needsMetadata);
      if (items.length === pageSize && element !== undefined) return { items, next: position! };
      position = { datestamp: row.datestamp, localId: row.localId };
      if (element !== undefined) items.push(element);
    }
    if (rows.length < want) return { items };
  }
}

/** A list element: its text, or a record's text before and after its stored metadata bytes. */
type ListElement = string | [string, Buffer, string];

function elementFor(ctx: Context, verb: ListVerb, row: StoredRecord, needsMetadata: boolean): ListElement | undefined {
  const header = headerXml(ctx, row);
  if (row.deleted) return verb === 'ListRecords' ? `<record>${header}</record>` : header;
  if (!needsMetadata) return header;
  if (!row.fragment?.disseminable) return undefined;
  if (verb !== 'ListRecords') return header;
  const open = `<record>${header}<metadata>`;
  const close = `</metadata>${provenanceAboutXml(row)}</record>`;
  return row.fragment.bytes ? [open, row.fragment.bytes, close] : open + row.fragment.xml + close;
}

/**
 * Gives every live row its metadata in `format` as row.fragment: rows the scan found without a
 * current stored part are rendered and validated now (in slices, yielding between them) and the
 * parts stored, so the next harvest finds them.
 */
async function completeMetadata(ctx: Context, format: OaiMetadataFormat, rows: StoredRecord[]): Promise<void> {
  const missing = rows.filter((row) => !row.deleted && !row.fragment);
  if (missing.length === 0) return;
  const items: RenderItem[] = [];
  for (const row of missing) {
    if (row.record) items.push({ localId: row.localId, contentHash: row.contentHash, record: row.record });
    else row.fragment = { disseminable: false };
  }
  const fragments = await renderFragmentsYielding(format, items);
  await storeFragments(ctx, format, fragments);
  const byId = new Map(fragments.map((f) => [f.localId, f]));
  for (const row of missing) {
    const fragment = byId.get(row.localId);
    if (!fragment) continue;
    row.fragment = fragment.xml === null ? { disseminable: false } : { disseminable: true, xml: fragment.xml };
  }
}

/** Reports parts that are not disseminable and keeps the parts of pre-rendered formats. */
async function storeFragments(ctx: Context, format: OaiMetadataFormat, fragments: MetadataFragment[]): Promise<void> {
  for (const fragment of fragments) {
    if (fragment.xml === null) ctx.config.onExportError?.(fragment.localId, format.metadataPrefix, new Error(fragment.error ?? 'not disseminable'));
  }
  if (fragmentKey(format) === undefined) return;
  // A store that cannot be written (read-only) still serves; the parts are rendered again next time.
  await ctx.store.putFragments(fragments).catch(() => undefined);
}

/** One record's metadata in `format`: the current stored part, else rendered (and stored) now. */
async function metadataOf(ctx: Context, format: OaiMetadataFormat, stored: StoredRecord): Promise<{ xml?: string; error?: string }> {
  const key = fragmentKey(format);
  if (key) {
    const fragment = await ctx.store.getFragment(stored.localId, format.metadataPrefix);
    if (fragment && fragment.renderKey === key.renderKey && fragment.contentHash === stored.contentHash) {
      return fragment.xml === null ? { error: fragment.error ?? 'not disseminable' } : { xml: fragment.xml };
    }
  }
  if (!stored.record) return { error: `${stored.localId}: the stored record has no metadata` };
  const [fragment] = renderFragments(format, [{ localId: stored.localId, contentHash: stored.contentHash, record: stored.record }]);
  await storeFragments(ctx, format, [fragment!]);
  return fragment!.xml === null ? { error: fragment!.error ?? 'not disseminable' } : { xml: fragment!.xml };
}

// ---------------------------------------------------------------------------------------------

function headerXml(ctx: Context, stored: StoredRecord): string {
  let xml = stored.deleted ? '<header status="deleted">' : '<header>';
  xml += `<identifier>${escapeText(oaiIdentifier(ctx.config.repositoryIdentifier, stored.localId))}</identifier>`;
  xml += `<datestamp>${stored.datestamp}</datestamp>`;
  for (const setSpec of stored.sets) xml += `<setSpec>${escapeText(setSpec)}</setSpec>`;
  return xml + '</header>';
}

async function lookUp(ctx: Context, identifier: string): Promise<StoredRecord | undefined> {
  const localId = parseOaiIdentifier(ctx.config.repositoryIdentifier, identifier);
  return localId === undefined ? undefined : ctx.store.get(localId);
}

function idDoesNotExist(identifier: string): OaiError {
  return { code: 'idDoesNotExist', message: `${identifier} is not an identifier of this repository.` };
}

function cannotDisseminate(metadataPrefix: string): OaiError {
  return { code: 'cannotDisseminateFormat', message: `The metadata format '${metadataPrefix}' is not disseminated by this repository; see ListMetadataFormats.` };
}

function noSetHierarchy(): OaiError {
  return { code: 'noSetHierarchy', message: 'This repository has no sets.' };
}

function noRecordsMatch(): OaiError {
  return { code: 'noRecordsMatch', message: 'No records match the request.' };
}
