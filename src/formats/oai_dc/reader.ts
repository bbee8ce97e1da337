/**
 * Unqualified Dublin Core (oai_dc) to article records, best effort: DC has no structure for
 * most of what the model holds, so this reads what repositories (OJS, DSpace, EPrints) put
 * where, and says what it could not place.
 */
import type { ArticleRecord, Contributor, LangMap } from '../../model/types.js';
import { extractDoi, isoPartialDate, looksLikeDoi, normalizeLanguage, put } from '../readers/common.js';
import {
  ReaderError,
  WarningSink,
  collapse,
  descendants,
  elementPath,
  elements,
  parseXmlDocument,
  rawText,
  xmlLang,
  type ReaderResult,
  type ReadOptions,
  type XElement,
} from '../readers/xml.js';

export const OAI_DC_NS = 'http://www.openarchives.org/OAI/2.0/oai_dc/';
export const DC_NS = 'http://purl.org/dc/elements/1.1/';

/** Reads an oai_dc:dc element, a document holding one, or a whole OAI-PMH response (one record per dc). */
export function readOaiDc(xml: string, options: ReadOptions = {}): ReaderResult {
  const { root, warnings } = parseXmlDocument(xml, { checked: options.checked === true });
  const containers = isDcContainer(root) ? [root] : descendants(root, ['dc'], 8).filter(isDcContainer);
  if (containers.length === 0) {
    throw new ReaderError(`no oai_dc:dc element: the document's root is <${root.name}>`, { path: elementPath(root) });
  }
  return { records: containers.map((dc) => readDcElement(dc, warnings)), warnings: warnings.list() };
}

function isDcContainer(el: XElement): boolean {
  return el.local === 'dc' && (el.ns === OAI_DC_NS || el.ns === '' || el.ns === DC_NS);
}

const ORGANIZATION_WORDS = /\b(university|universit[aäé]|institut|institute|group|consortium|team|committee|association|society|cent(er|re)|council|network|project|foundation|laborator|collaboration|ministry|department|agency|organi[sz]ation|working)\b/i;

/** Maps one oai_dc:dc element. */
export function readDcElement(dc: XElement, warnings: WarningSink): ArticleRecord {
  const fields = new Map<string, XElement[]>();
  for (const el of elements(dc)) {
    if (el.ns !== DC_NS && el.ns !== '') {
      warnings.dropped(el, 'not a Dublin Core element');
      continue;
    }
    const list = fields.get(el.local) ?? [];
    list.push(el);
    fields.set(el.local, list);
  }
  const values = (name: string): { value: string; lang?: string; el: XElement }[] =>
    (fields.get(name) ?? [])
      .map((el) => ({ value: collapseKeepingParagraphs(rawText(el)), lang: normalizeLanguage(xmlLang(el)), el }))
      .filter((v) => v.value !== '');

  const languageValue = values('language')[0];
  const language = normalizeLanguage(languageValue?.value) ?? values('title')[0]?.lang;
  if (!language) warnings.add(elementPath(dc), 'no dc:language: the language is undetermined ("und")');
  const primary = language ?? 'und';
  const record: Partial<ArticleRecord> & { contributors: Contributor[] } = { language: primary, contributors: [] };
  for (const extra of values('language').slice(1)) warnings.add(elementPath(extra.el), `further dc:language "${extra.value}" dropped: the record has one language`, 'dc-language');

  const title: LangMap = {};
  for (const t of values('title')) {
    const lang = t.lang ?? primary;
    if (title[lang] === undefined) title[lang] = collapse(t.value);
    else warnings.add(elementPath(t.el), `a second dc:title in "${lang}" dropped`, `dc-title:${lang}`);
  }
  record.title = title;

  for (const creator of values('creator')) {
    const contributor = parseCreator(collapse(creator.value), creator.el, warnings);
    if (contributor) record.contributors.push(contributor);
  }
  for (const other of values('contributor')) {
    warnings.add(elementPath(other.el), `dc:contributor "${collapse(other.value)}" dropped: Dublin Core does not say the role`, 'dc-contributor');
  }

  const keywords: LangMap<string[]> = {};
  for (const subject of values('subject')) {
    const lang = subject.lang ?? primary;
    (keywords[lang] ??= []).push(collapse(subject.value));
  }
  put(record, 'keywords', keywords);

  const abstract: LangMap = {};
  for (const description of values('description')) {
    const lang = description.lang ?? primary;
    if (abstract[lang] === undefined) abstract[lang] = description.value;
    else warnings.add(elementPath(description.el), `a further dc:description in "${lang}" dropped`, `dc-description:${lang}`);
  }
  put(record, 'abstract', abstract);

  const journal: Partial<ArticleRecord['journal']> = {};
  const publisher = values('publisher')[0];
  if (publisher) journal.publisher = { name: collapse(publisher.value) };

  const dates = values('date').map((d) => ({ raw: d.value, date: isoPartialDate(d.value) })).filter((d) => d.date !== undefined);
  // Repositories list several dates (accessioned, available, issued); a plain date is the issue date.
  const published = dates.find((d) => !/T\d/.test(d.raw)) ?? dates[0];
  if (published?.date) record.dates = { published: { online: published.date } };

  for (const identifier of values('identifier')) {
    const value = collapse(identifier.value);
    if (looksLikeDoi(value)) {
      const doi = extractDoi(value);
      if (!record.doi && doi) record.doi = doi;
      continue;
    }
    if (/^https?:\/\//i.test(value)) {
      if (!record.landingPage) record.landingPage = value;
      continue;
    }
    warnings.add(elementPath(identifier.el), `dc:identifier "${value}" dropped: neither a DOI nor a web address`, 'dc-identifier');
  }

  for (const source of values('source')) readSource(collapse(source.value), source.el, record, journal, warnings);
  record.journal = journal as ArticleRecord['journal'];
  if (!journal.title) warnings.add(elementPath(dc), 'no journal title found in dc:source');

  for (const rights of values('rights')) {
    const value = collapse(rights.value);
    if (/^info:eu-repo\/semantics\//i.test(value)) continue;
    const url = /https?:\/\/\S+/.exec(value)?.[0];
    if (url && /creativecommons\.org|licen[cs]e|rightsstatements\.org/i.test(url) && !record.license) {
      record.license = { url };
      continue;
    }
    if (!record.copyright) record.copyright = { statement: value };
    else warnings.add(elementPath(rights.el), 'a further dc:rights statement dropped', 'dc-rights');
  }

  for (const name of ['relation', 'coverage', 'format']) {
    for (const v of values(name)) warnings.add(elementPath(v.el), `dc:${name} dropped: it has no place in the record model`, `dc-${name}`);
  }
  if (!record.doi) warnings.add(elementPath(dc), 'no DOI among the dc:identifier values');
  return record as ArticleRecord;
}

function collapseKeepingParagraphs(s: string): string {
  return s
    .split(/\n[ \t]*\n/)
    .map((p) => collapse(p))
    .filter(Boolean)
    .join('\n\n');
}

function parseCreator(value: string, el: XElement, warnings: WarningSink): Contributor | undefined {
  if (!value) return undefined;
  if (value.includes(',')) {
    const [family, given, ...rest] = value.split(',').map((p) => p.trim());
    if (ORGANIZATION_WORDS.test(value) && !given?.match(/^[A-Z][\p{L}.'-]*( [A-Z][\p{L}.'-]*)*$/u)) {
      return { type: 'organization', name: value, role: 'author' };
    }
    const person: Contributor = { type: 'person', family: family!, role: 'author' };
    put(person, 'given', given);
    const suffix = rest.join(', ').trim();
    put(person, 'suffix', suffix || undefined);
    return person;
  }
  if (ORGANIZATION_WORDS.test(value)) return { type: 'organization', name: value, role: 'author' };
  const words = value.split(' ');
  if (words.length === 1) return { type: 'person', family: value, role: 'author' };
  const family = words.pop()!;
  warnings.add(elementPath(el), `dc:creator "${value}" is not "Family, Given"; read as given "${words.join(' ')}" and family "${family}"`, 'dc-creator-order');
  return { type: 'person', given: words.join(' '), family, role: 'author' };
}

/**
 * dc:source as OJS, DSpace and pubmeta write it: "Journal; Vol 4 No 2 (2018); 117-130",
 * "Journal, Vol. 4, No. 2 (2018), pp. 117-130", "Journal 4(2)", or an ISSN on its own.
 */
function readSource(
  value: string,
  el: XElement,
  record: Partial<ArticleRecord>,
  journal: Partial<ArticleRecord['journal']>,
  warnings: WarningSink,
): void {
  if (/^(?:e?issn:?\s*)?\d{4}-?\d{3}[\dXx]$/i.test(value)) {
    warnings.add(elementPath(el), `ISSN ${value} in dc:source dropped: Dublin Core does not say whether it is print or electronic`, 'dc-source-issn');
    return;
  }
  const segments = value.split(/\s*;\s*/).filter(Boolean);
  let titlePart = segments[0]!;
  let rest = segments.slice(1).join('; ');
  if (segments.length === 1) {
    const at = value.search(/,?\s*\b(?:vol(?:ume)?\.?|v\.)\s*\d|\s\d+\s*\(\w+\)/i);
    if (at > 0) {
      titlePart = value.slice(0, at);
      rest = value.slice(at);
    }
  }
  titlePart = titlePart.replace(/[,.\s]+$/, '');
  if (!journal.title && titlePart && !/^\d/.test(titlePart)) journal.title = titlePart;
  const issue: NonNullable<ArticleRecord['issue']> = record.issue ?? {};
  const volume = /\b(?:vol(?:ume)?\.?|v\.)\s*([\w.-]+)/i.exec(rest)?.[1] ?? /(?:^|\s)(\d+)\s*\(\w+\)/.exec(rest)?.[1];
  const number = /\b(?:no|nr|núm|num|issue|iss|n°)\.?\s*([\w.-]+)/i.exec(rest)?.[1] ?? /(?:^|\s)\d+\s*\((\w+)\)/.exec(rest)?.[1];
  const year = /\((\d{4})\)/.exec(rest)?.[1] ?? /(?:^|[\s,])((?:19|20)\d{2})(?:$|[\s,;.])/.exec(rest)?.[1];
  put(issue, 'volume', volume?.replace(/[.,]$/, ''));
  put(issue, 'number', number && number !== year ? number.replace(/[.,]$/, '') : undefined);
  if (year) issue.year = Number(year);
  const issueTitle = /\(\d{4}\):\s*([^;]+)/.exec(rest)?.[1];
  put(issue, 'title', issueTitle?.trim());
  put(record, 'issue', issue);
  const pages = /(?:pp?\.\s*)?\b([0-9]+|[ivxlcdm]+)\s*[-–]\s*([0-9]+|[ivxlcdm]+)\s*$/i.exec(rest);
  if (pages && !record.pages) {
    record.pages = { first: pages[1]!, last: pages[2]! };
  } else if (segments.length > 2 && !record.pages && !record.articleNumber) {
    const last = segments[segments.length - 1]!;
    if (/^\d+$/.test(last) || /^[ivxlcdm]+$/i.test(last)) record.pages = { first: last };
    else if (/^[A-Za-z]?\d[\w.-]*$/.test(last)) record.articleNumber = last;
  }
}
