/**
 * JATS (1.0 to 1.3; Journal Publishing and Archiving) to article records: the front matter
 * and the reference list, as publishers really write them (NLM-era pub-type dates and
 * JATS 1.1+ date-type/publication-format dates, contrib-id or uri ORCIDs, xref'd or nested
 * affs, collab authors, ali:license_ref, FundRef ids in institution-wrap ...).
 */
import type {
  Affiliation,
  ArticleRecord,
  Contributor,
  ContributorRole,
  Funding,
  Galley,
  Issn,
  Journal,
  LangMap,
  OtherId,
  PersonNameVariant,
  Reference,
  ReferenceFields,
} from '../../model/types.js';
import {
  countryCode,
  datePrecision,
  extractDoi,
  extractOrcid,
  extractRor,
  isoPartialDate,
  looksLikeDoi,
  mimeTypeFor,
  normalizeFunderId,
  normalizeLanguage,
  partialDate,
  put,
} from '../readers/common.js';
import { plainInline, readBlocks, readInline } from '../readers/text.js';
import {
  ReaderError,
  WarningSink,
  attr,
  child,
  childText,
  childrenNamed,
  collapse,
  descendants,
  elementPath,
  elements,
  parseXmlDocument,
  text,
  xlinkHref,
  xmlLang,
  type ReaderResult,
  type ReadOptions,
  type XElement,
} from '../readers/xml.js';


/** Elements irrelevant to metadata whose content is not even parsed (keeps huge files fast). */
export const JATS_SKIPPED: readonly string[] = ['body', 'floats-group', 'sub-article', 'response'];

/**
 * Reads a JATS document (or an OAI-PMH record/metadata element holding one, or a
 * pmc-articleset) into records. Throws ReaderError when the XML is not well-formed or
 * holds no article with front/article-meta.
 */
export function readJats(xml: string, options: ReadOptions = {}): ReaderResult {
  const { root, warnings } = parseXmlDocument(xml, { skipElements: JATS_SKIPPED, checked: options.checked === true });
  const articles = root.local === 'article' ? [root] : descendants(root, ['article'], 8);
  if (articles.length === 0) {
    throw new ReaderError(`no JATS <article> element: the document's root is <${root.name}>`, { path: elementPath(root) });
  }
  const records = articles.map((article) => readJatsArticle(article, warnings));
  return { records, warnings: warnings.list() };
}

/** Maps one JATS <article> element. Exported for readers of containers (OAI-PMH records). */
export function readJatsArticle(article: XElement, warnings: WarningSink): ArticleRecord {
  const front = child(article, 'front');
  const meta = child(front, 'article-meta');
  if (!front || !meta) {
    throw new ReaderError(
      `JATS <article> has no ${front ? '<front>/<article-meta>' : '<front>'}: the article's metadata (DOI, title, contributors) must be in front/article-meta`,
      { path: elementPath(article) },
    );
  }
  for (const skipped of childrenNamed(article, 'sub-article', 'response')) {
    warnings.add(elementPath(skipped), `<${skipped.local}> not read: a record describes the main article only`, `skip:${skipped.local}`);
  }

  const declaredLang = normalizeLanguage(xmlLang(article));
  if (!declaredLang) {
    warnings.add(elementPath(article), 'article has no xml:lang; the JATS default "en" is used as its language');
  }
  const language = declaredLang ?? 'en';
  const record: Partial<ArticleRecord> & { contributors: Contributor[] } = { language, contributors: [] };
  put(record, 'articleType', attr(article, 'article-type')?.trim());

  record.journal = readJournalMeta(child(front, 'journal-meta'), warnings);
  readArticleMeta(meta, record, language, warnings);

  const back = child(article, 'back');
  const refLists = back ? descendants(back, ['ref-list'], 4) : [];
  const references: Reference[] = [];
  for (const list of refLists) {
    for (const ref of descendants(list, ['ref'], 3)) {
      const read = readReference(ref, warnings);
      if (read) references.push(read);
    }
  }
  put(record, 'references', references);
  if (!record.doi) warnings.add(elementPath(meta), 'no article-id with pub-id-type="doi": the record has no DOI');
  return record as ArticleRecord;
}

// ---------------------------------------------------------------------------
// journal-meta
// ---------------------------------------------------------------------------

function readJournalMeta(meta: XElement | undefined, warnings: WarningSink): Journal {
  const journal: Partial<Journal> = {};
  if (!meta) {
    warnings.add('/article/front', 'no <journal-meta>: the record has no journal');
    return journal as Journal;
  }
  const titleGroup = child(meta, 'journal-title-group');
  // JATS 1.0 and NLM 2.x/3.0 allowed journal-title directly in journal-meta.
  const titleHolder = titleGroup ?? meta;
  put(journal, 'title', childText(titleHolder, 'journal-title'));
  const abbrevs = childrenNamed(titleHolder, 'abbrev-journal-title');
  const preferredAbbrev =
    abbrevs.find((a) => attr(a, 'abbrev-type') === 'publisher') ??
    abbrevs.find((a) => attr(a, 'abbrev-type') === 'iso-abbrev') ??
    abbrevs.find((a) => attr(a, 'abbrev-type') === undefined) ??
    abbrevs[0];
  put(journal, 'abbrevTitle', preferredAbbrev ? text(preferredAbbrev) : undefined);

  const issns: Issn[] = [];
  for (const issnEl of childrenNamed(meta, 'issn')) {
    const value = text(issnEl).toUpperCase();
    const kind = (attr(issnEl, 'pub-type') ?? attr(issnEl, 'publication-format') ?? '').toLowerCase();
    let media: Issn['media'] | undefined;
    if (['ppub', 'print'].includes(kind)) media = 'print';
    else if (['epub', 'electronic', 'online', 'epub-ppub'].includes(kind)) media = 'electronic';
    if (!value) continue;
    if (!media) {
      warnings.add(elementPath(issnEl), `ISSN ${value} has no pub-type or publication-format saying print or electronic; dropped`);
      continue;
    }
    const normalized = /^\d{7}[\dX]$/.test(value) ? `${value.slice(0, 4)}-${value.slice(4)}` : value;
    if (!issns.some((i) => i.value === normalized && i.media === media)) issns.push({ value: normalized, media });
  }
  put(journal, 'issns', issns);

  for (const journalId of childrenNamed(meta, 'journal-id')) {
    if (attr(journalId, 'journal-id-type')?.toLowerCase() === 'doi') put(journal, 'doi', extractDoi(text(journalId)));
  }
  const publisher = child(meta, 'publisher');
  if (publisher) {
    const name = childText(publisher, 'publisher-name');
    if (name) {
      journal.publisher = { name };
      put(journal.publisher, 'place', childText(publisher, 'publisher-loc'));
    }
    if (childrenNamed(publisher, 'publisher-name').length > 1) warnings.add(elementPath(publisher), 'more than one publisher-name: the first is kept');
  }
  const site = childrenNamed(meta, 'self-uri').map((u) => xlinkHref(u) ?? text(u)).find((u) => /^https?:\/\//i.test(u));
  put(journal, 'url', site);
  for (const el of elements(meta)) {
    if (['journal-id', 'journal-title-group', 'journal-title', 'abbrev-journal-title', 'issn', 'publisher', 'self-uri', 'issn-l', 'notes'].includes(el.local)) continue;
    warnings.dropped(el, 'journal-meta element not in the record model');
  }
  return journal as Journal;
}

// ---------------------------------------------------------------------------
// article-meta
// ---------------------------------------------------------------------------

const ARTICLE_META_HANDLED = new Set([
  'article-id', 'article-categories', 'title-group', 'contrib-group', 'aff', 'aff-alternatives', 'author-notes',
  'pub-date', 'pub-date-not-available', 'volume', 'issue', 'issue-title', 'fpage', 'lpage', 'elocation-id', 'page-range',
  'history', 'permissions', 'self-uri', 'abstract', 'trans-abstract', 'kwd-group', 'funding-group', 'counts',
  'custom-meta-group', 'volume-id', 'issue-id', 'product', 'supplementary-material', 'related-article',
  'related-object', 'ext-link', 'uri',
]);

function readArticleMeta(meta: XElement, record: Partial<ArticleRecord>, language: string, warnings: WarningSink): void {
  // Identifiers.
  const otherIds: OtherId[] = [];
  for (const id of childrenNamed(meta, 'article-id')) {
    const declared = attr(id, 'pub-id-type')?.trim() || 'other';
    // JATS 1.2+: pub-id-type="custom" names the real type in custom-type.
    const type = declared === 'custom' ? attr(id, 'custom-type')?.trim() || 'custom' : declared;
    const value = text(id);
    if (!value) continue;
    if (type.toLowerCase() === 'doi') {
      const doi = extractDoi(value);
      if (!doi) warnings.add(elementPath(id), `article-id "${value}" is not a DOI`);
      else if (!record.doi) record.doi = doi;
      else if (record.doi !== doi) warnings.add(elementPath(id), `a second DOI ${doi} dropped (the record keeps ${record.doi})`);
    } else {
      otherIds.push({ type, value });
    }
  }
  put(record, 'otherIds', otherIds);

  // Section heading.
  const categories = child(meta, 'article-categories');
  if (categories) {
    const groups = childrenNamed(categories, 'subj-group');
    const heading = groups.find((g) => attr(g, 'subj-group-type')?.toLowerCase() === 'heading') ?? groups[0];
    put(record, 'section', childText(heading, 'subject'));
  }

  readTitleGroup(child(meta, 'title-group'), record, language, warnings);

  // Contributors, with affiliations resolved through xref/@rid or nesting.
  const affById = new Map<string, XElement>();
  for (const aff of descendants(meta, ['aff'], 4)) {
    const id = attr(aff, 'id');
    if (id) affById.set(id, aff);
  }
  // aff-alternatives: one aff per language; the id sits on aff-alternatives.
  for (const alternatives of descendants(meta, ['aff-alternatives'], 4)) {
    const id = attr(alternatives, 'id');
    if (id) affById.set(id, preferredAff(alternatives, language));
  }
  const corresp = new Map<string, XElement>();
  const authorNotes = child(meta, 'author-notes');
  for (const c of childrenNamed(authorNotes, 'corresp')) {
    const id = attr(c, 'id');
    if (id) corresp.set(id, c);
  }
  for (const note of elements(authorNotes)) {
    if (note.local !== 'corresp' && note.local !== 'label' && note.local !== 'title') {
      warnings.add(elementPath(note), `author note <${note.local}${attr(note, 'fn-type') ? ` fn-type="${attr(note, 'fn-type')}"` : ''}> dropped: the record keeps the corresponding author's e-mail`, 'author-notes');
    }
  }
  const contributors: Contributor[] = [];
  const metaLevelAffs = [...childrenNamed(meta, 'aff'), ...childrenNamed(meta, 'aff-alternatives')];
  let anyAffXref = false;
  const groupAffPending: { contributors: Contributor[]; affs: XElement[] }[] = [];
  for (const group of childrenNamed(meta, 'contrib-group')) {
    const groupContributors: Contributor[] = [];
    let groupHasXref = false;
    for (const contrib of childrenNamed(group, 'contrib')) {
      const read = readContrib(contrib, group, affById, corresp, language, warnings);
      if (!read) continue;
      if (read.usedAffXref) {
        groupHasXref = true;
        anyAffXref = true;
      }
      groupContributors.push(read.contributor);
    }
    const groupAffs = [...childrenNamed(group, 'aff'), ...childrenNamed(group, 'aff-alternatives')];
    // JATS: affs in a contrib-group with no xref to them belong to every contributor of the group.
    if (groupAffs.length > 0 && !groupHasXref) groupAffPending.push({ contributors: groupContributors, affs: groupAffs });
    for (const el of elements(group)) {
      if (el.local === 'on-behalf-of') warnings.add(elementPath(el), `<on-behalf-of> "${text(el)}" dropped: the record model has no on-behalf-of; add the group as an author if it is one`);
      else if (!['contrib', 'aff', 'aff-alternatives', 'author-comment', 'bio', 'role', 'xref', 'etal', 'email', 'address'].includes(el.local)) warnings.dropped(el);
    }
    for (const c of groupContributors) contributors.push(c);
  }
  for (const pending of groupAffPending) {
    const affiliations = pending.affs.map((a) => readAff(preferredAff(a, language), warnings)).filter((a): a is Affiliation => a !== undefined);
    for (const c of pending.contributors) if (!c.affiliations && c.type !== 'organization') put(c, 'affiliations', affiliations.map((a) => ({ ...a })));
  }
  if (metaLevelAffs.length > 0 && !anyAffXref) {
    const affiliations = metaLevelAffs.map((a) => readAff(preferredAff(a, language), warnings)).filter((a): a is Affiliation => a !== undefined);
    for (const c of contributors) if (!c.affiliations && c.type !== 'organization') put(c, 'affiliations', affiliations.map((a) => ({ ...a })));
  }
  record.contributors = contributors;

  readPubDates(meta, record, warnings);

  const issue: NonNullable<ArticleRecord['issue']> = record.issue ?? {};
  put(issue, 'volume', childText(meta, 'volume'));
  put(issue, 'number', childText(meta, 'issue'));
  put(issue, 'title', childText(meta, 'issue-title'));
  put(record, 'issue', issue);

  const fpage = childText(meta, 'fpage');
  if (fpage) {
    record.pages = { first: fpage };
    put(record.pages, 'last', childText(meta, 'lpage'));
  }
  put(record, 'articleNumber', childText(meta, 'elocation-id'));

  const history = child(meta, 'history');
  if (history) {
    const dates = record.dates ?? {};
    for (const date of childrenNamed(history, 'date')) {
      const type = attr(date, 'date-type')?.toLowerCase();
      const value = readDate(date, warnings);
      if (!value) continue;
      if (type === 'received') put(dates, 'received', dates.received ?? value);
      else if (type === 'accepted') put(dates, 'accepted', dates.accepted ?? value);
      else if (type === 'rev-recd') put(dates, 'revised', dates.revised ?? value);
      else warnings.add(elementPath(date), `history date of type "${type ?? '(none)'}" dropped: the record keeps received, revised, accepted and published`, `history:${type}`);
    }
    put(record, 'dates', dates);
  }

  readPermissions(child(meta, 'permissions'), record, warnings);

  // Landing page and galleys.
  const galleys: Galley[] = [];
  for (const uri of childrenNamed(meta, 'self-uri')) {
    const href = xlinkHref(uri) ?? text(uri);
    if (!/^https?:\/\//i.test(href)) continue;
    const contentType = attr(uri, 'content-type');
    const label = text(uri);
    if (!contentType && !record.landingPage && !/\.(pdf|xml|epub)(?:[?#]|$)/i.test(href)) {
      record.landingPage = href;
      continue;
    }
    const mimeType = mimeTypeFor(contentType, href);
    if (!mimeType) {
      warnings.add(elementPath(uri), `self-uri ${href} has no recognisable content-type; dropped`);
      continue;
    }
    const galley: Galley = { url: href, mimeType };
    put(galley, 'label', label && label !== href ? label : undefined);
    galleys.push(galley);
  }
  put(record, 'galleys', galleys);

  readAbstracts(meta, record, language, warnings);
  readKeywords(meta, record, language, warnings);
  put(record, 'funding', readFunding(meta, warnings));

  for (const el of elements(meta)) {
    if (!ARTICLE_META_HANDLED.has(el.local)) warnings.dropped(el, 'article-meta element not in the record model');
    else if (['counts', 'custom-meta-group', 'product', 'supplementary-material', 'related-article', 'related-object', 'page-range', 'volume-id', 'issue-id'].includes(el.local)) {
      warnings.dropped(el, 'not in the record model');
    }
  }
}

function readTitleGroup(group: XElement | undefined, record: Partial<ArticleRecord>, language: string, warnings: WarningSink): void {
  if (!group) {
    warnings.add('/article/front/article-meta', 'no <title-group>: the record has no title');
    return;
  }
  const title: LangMap = {};
  const subtitle: LangMap = {};
  const titleMarkup: LangMap = {};
  const mainTitle = child(group, 'article-title');
  const mainLang = normalizeLanguage(xmlLang(mainTitle)) ?? language;
  if (mainTitle) {
    const read = readInline(mainTitle);
    if (read.plain) title[mainLang] = read.plain;
    if (read.markup) titleMarkup[mainLang] = read.markup;
  }
  const mainSubtitle = child(group, 'subtitle');
  if (mainSubtitle) put(subtitle, mainLang, readInline(mainSubtitle).plain);
  for (const trans of childrenNamed(group, 'trans-title-group')) {
    const transTitle = child(trans, 'trans-title');
    const lang = normalizeLanguage(xmlLang(trans) ?? xmlLang(transTitle));
    if (!lang) {
      warnings.add(elementPath(trans), 'trans-title-group without xml:lang dropped: its language is unknown');
      continue;
    }
    if (title[lang] !== undefined) {
      warnings.add(elementPath(trans), `a second title in "${lang}" dropped`);
      continue;
    }
    if (transTitle) {
      const read = readInline(transTitle);
      put(title, lang, read.plain);
      put(titleMarkup, lang, read.markup);
    }
    const transSubtitle = child(trans, 'trans-subtitle');
    if (transSubtitle) put(subtitle, lang, readInline(transSubtitle).plain);
  }
  for (const alt of childrenNamed(group, 'alt-title')) warnings.add(elementPath(alt), `<alt-title alt-title-type="${attr(alt, 'alt-title-type') ?? ''}"> dropped: the record keeps full titles only`, 'alt-title');
  record.title = title;
  put(record, 'subtitle', subtitle);
  if (Object.keys(titleMarkup).length > 0) record.markup = { ...(record.markup ?? {}), title: titleMarkup };
}

const ROLE_BY_CONTRIB_TYPE: Record<string, ContributorRole> = {
  author: 'author', 'co-author': 'author', 'corresponding-author': 'author', collab: 'author', 'group-author': 'author',
  editor: 'editor', 'guest-editor': 'editor', 'section-editor': 'editor', 'academic-editor': 'editor', 'handling-editor': 'editor',
  'associate-editor': 'editor', 'editor-in-chief': 'editor', 'reviewing-editor': 'editor', 'senior-editor': 'editor',
  translator: 'translator', reviewer: 'reviewer', 'peer-reviewer': 'reviewer', referee: 'reviewer', chair: 'chair',
};

function readContrib(
  contrib: XElement,
  group: XElement,
  affById: Map<string, XElement>,
  corresp: Map<string, XElement>,
  language: string,
  warnings: WarningSink,
): { contributor: Contributor; usedAffXref: boolean } | undefined {
  const contributor: Contributor = {};
  const collab = child(contrib, 'collab') ?? child(child(contrib, 'collab-alternatives'), 'collab');
  const nameAlternatives = child(contrib, 'name-alternatives');
  if (collab) {
    contributor.type = 'organization';
    // A collab may list its members in a nested contrib-group: the name is the text before it.
    const nameNodes = collab.children.filter((c) => c.kind === 'text' || !['contrib-group', 'address', 'email', 'xref', 'institution-wrap'].includes(c.local));
    contributor.name = collapse(plainInline(nameNodes));
    if (child(collab, 'contrib-group')) warnings.add(elementPath(collab), 'group members listed inside <collab> dropped: the record keeps the group as one contributor', 'collab-members');
  } else {
    contributor.type = 'person';
    const names = nameAlternatives ? elements(nameAlternatives).filter((n) => n.local === 'name' || n.local === 'string-name') : [child(contrib, 'name') ?? child(contrib, 'string-name')].filter((n): n is XElement => n !== undefined);
    if (names.length === 0) {
      warnings.add(elementPath(contrib), 'contrib without a name or collab dropped');
      return undefined;
    }
    const primary = names.find((n) => !xmlLang(n)) ?? names.find((n) => normalizeLanguage(xmlLang(n)) === language) ?? names[0]!;
    Object.assign(contributor, readPersonName(primary, warnings));
    const variants: LangMap<PersonNameVariant> = {};
    for (const n of names) {
      if (n === primary) continue;
      const lang = normalizeLanguage(xmlLang(n));
      const variant = readPersonName(n, warnings);
      if (!lang || !variant.family) {
        warnings.add(elementPath(n), 'name variant without xml:lang or surname dropped');
        continue;
      }
      const v: PersonNameVariant = { family: variant.family };
      put(v, 'given', variant.given);
      variants[lang] = { ...(v.given !== undefined ? { given: v.given } : {}), family: v.family };
    }
    put(contributor, 'nameVariants', variants);
  }

  const contribType = (attr(contrib, 'contrib-type') ?? attr(group, 'content-type') ?? 'author').trim().toLowerCase();
  const role = ROLE_BY_CONTRIB_TYPE[contribType];
  if (!role) warnings.add(elementPath(contrib), `contrib-type "${contribType}" has no equivalent role; read as author`, `contrib-type:${contribType}`);
  contributor.role = role ?? 'author';

  // ORCID: contrib-id (JATS 1.1+), or uri / ext-link (JATS 1.0 and many OJS exports).
  for (const id of childrenNamed(contrib, 'contrib-id')) {
    const type = attr(id, 'contrib-id-type')?.toLowerCase();
    if (type === 'orcid' || /orcid\.org/i.test(text(id))) put(contributor, 'orcid', contributor.orcid ?? extractOrcid(text(id)));
    else warnings.add(elementPath(id), `contrib-id of type "${type ?? '(none)'}" dropped: the record keeps ORCID iDs`, `contrib-id:${type}`);
  }
  if (!contributor.orcid) {
    for (const uri of childrenNamed(contrib, 'uri', 'ext-link')) {
      const href = xlinkHref(uri) ?? text(uri);
      if (/orcid\.org\//i.test(href) || attr(uri, 'content-type')?.toLowerCase() === 'orcid') put(contributor, 'orcid', extractOrcid(href));
    }
  }

  // Affiliations.
  const affiliations: Affiliation[] = [];
  let usedAffXref = false;
  let correspondingXref: string | undefined;
  for (const xref of childrenNamed(contrib, 'xref')) {
    const refType = attr(xref, 'ref-type');
    const rids = (attr(xref, 'rid') ?? '').split(/\s+/).filter(Boolean);
    if (refType === 'aff') {
      usedAffXref = true;
      for (const rid of rids) {
        const aff = affById.get(rid);
        if (!aff) {
          warnings.add(elementPath(xref), `xref to aff "${rid}" points to no aff`);
          continue;
        }
        const read = readAff(aff, warnings);
        if (read) affiliations.push(read);
      }
    } else if (refType === 'corresp') {
      contributor.corresponding = true;
      correspondingXref = rids[0];
    }
  }
  for (const aff of [...childrenNamed(contrib, 'aff'), ...childrenNamed(contrib, 'aff-alternatives')]) {
    const read = readAff(preferredAff(aff, language), warnings);
    if (read) affiliations.push(read);
  }
  if (contributor.type !== 'organization') put(contributor, 'affiliations', affiliations);
  else if (affiliations.length > 0) warnings.add(elementPath(contrib), 'affiliation of a group author dropped: the record keeps affiliations of persons', 'collab-aff');

  if (attr(contrib, 'corresp')?.toLowerCase() === 'yes') contributor.corresponding = true;
  const email = childText(contrib, 'email') ?? childText(child(contrib, 'address'), 'email');
  if (email) contributor.email = email;
  else if (correspondingXref) {
    const emails = childrenNamed(corresp.get(correspondingXref), 'email');
    if (emails.length === 1) put(contributor, 'email', text(emails[0]));
  }

  for (const el of elements(contrib)) {
    if (['name', 'string-name', 'name-alternatives', 'collab', 'collab-alternatives', 'contrib-id', 'xref', 'aff', 'aff-alternatives', 'email', 'uri', 'ext-link', 'address'].includes(el.local)) continue;
    warnings.dropped(el, 'not in the record model');
  }
  return { contributor, usedAffXref };
}

function readPersonName(name: XElement, warnings: WarningSink): { given?: string; family?: string; suffix?: string } {
  const out: { given?: string; family?: string; suffix?: string } = {};
  const surname = childText(name, 'surname');
  if (surname) {
    out.family = surname;
    put(out, 'given', childText(name, 'given-names'));
    put(out, 'suffix', childText(name, 'suffix'));
    if (child(name, 'prefix')) warnings.add(elementPath(child(name, 'prefix')!), 'name prefix (e.g. "Dr") dropped', 'name-prefix');
    return out;
  }
  // A string-name with no parts: "Given Family" as printed; the last word is the surname.
  const whole = text(name);
  if (!whole) return out;
  if (whole.includes(',')) {
    const [family, ...given] = whole.split(',');
    out.family = family!.trim();
    put(out, 'given', given.join(',').trim());
  } else {
    const parts = whole.split(' ');
    out.family = parts.pop()!;
    put(out, 'given', parts.join(' '));
  }
  warnings.add(elementPath(name), `name "${whole}" has no surname element; split as "${out.given ?? ''}" + "${out.family}"`, 'string-name-split');
  return out;
}

/** One JATS aff to an Affiliation: institution names as printed, ROR from institution-id, country. */
/** The aff to read from an aff-alternatives (the one in the article's language or without one), or the aff itself. */
function preferredAff(el: XElement, language: string): XElement {
  if (el.local !== 'aff-alternatives') return el;
  const affs = childrenNamed(el, 'aff');
  return affs.find((a) => normalizeLanguage(xmlLang(a)) === language) ?? affs.find((a) => !xmlLang(a)) ?? affs[0] ?? el;
}

const affCache = new WeakMap<XElement, Affiliation | undefined>();

export function readAff(aff: XElement, warnings: WarningSink): Affiliation | undefined {
  // One aff is shared by many contributors: read (and warn) once, hand out copies.
  if (affCache.has(aff)) {
    const cached = affCache.get(aff);
    return cached ? { ...cached } : undefined;
  }
  const read = readAffOnce(aff, warnings);
  affCache.set(aff, read);
  return read ? { ...read } : undefined;
}

function readAffOnce(aff: XElement, warnings: WarningSink): Affiliation | undefined {
  const institutions = descendants(aff, ['institution'], 3);
  const ids = descendants(aff, ['institution-id'], 3);
  let name: string;
  if (institutions.length > 0) {
    name = institutions.map((i) => text(i)).filter(Boolean).join(', ');
  } else {
    // Unstructured aff: its text minus label, country, address parts and e-mail.
    const skip = new Set(['label', 'sup', 'email', 'country', 'addr-line', 'city', 'state', 'postal-code', 'institution-id', 'ext-link', 'uri', 'phone', 'fax', 'xref']);
    const parts = aff.children.filter((c) => c.kind === 'text' || !skip.has(c.local));
    name = collapse(plainInline(parts)).replace(/^[,;\s]+|[,;\s]+$/g, '');
    const hasAddress = elements(aff).some((e) => ['addr-line', 'city', 'state', 'postal-code'].includes(e.local));
    if (hasAddress) warnings.add(elementPath(aff), 'address parts of an affiliation dropped', 'aff-address');
  }
  const affiliation: Partial<Affiliation> = {};
  let ror: string | undefined;
  for (const id of ids) {
    const type = attr(id, 'institution-id-type')?.toLowerCase();
    const value = text(id);
    if (type === 'ror' || /ror\.org\//i.test(value)) ror ??= extractRor(value);
    else warnings.add(elementPath(id), `institution-id of type "${type ?? '(none)'}" dropped: the record keeps ROR ids`, `institution-id:${type}`);
  }
  if (!name && ror) {
    warnings.add(elementPath(aff), 'affiliation has only a ROR id; the id is used as its name');
    name = ror;
  }
  if (!name) {
    warnings.add(elementPath(aff), 'empty affiliation dropped');
    return undefined;
  }
  affiliation.name = name;
  put(affiliation, 'ror', ror);
  const country = child(aff, 'country');
  put(affiliation, 'country', country ? countryCode(attr(country, 'country'), text(country)) : undefined);
  return affiliation as Affiliation;
}

// ---------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------

/** A JATS date-like element (pub-date, date) as a partial date. Seasons keep the year only. */
function readDate(el: XElement, warnings: WarningSink): string | undefined {
  const year = childText(el, 'year');
  const fromParts = partialDate(year, childText(el, 'month'), childText(el, 'day'));
  const fromIso = isoPartialDate(attr(el, 'iso-8601-date'));
  const best = [fromParts, fromIso].filter((d): d is string => d !== undefined).sort((a, b) => datePrecision(b) - datePrecision(a))[0];
  const season = childText(el, 'season');
  if (season && (!best || datePrecision(best) === 1)) {
    warnings.add(elementPath(el), `season "${season}" kept as the year only`, 'season');
  }
  if (!best) {
    const stringDate = childText(el, 'string-date');
    const parsed = isoPartialDate(stringDate) ?? partialDate(/\b(\d{4})\b/.exec(stringDate ?? '')?.[1]);
    if (parsed) return parsed;
    warnings.add(elementPath(el), 'date without a readable year dropped');
  }
  return best;
}

type DateKind = 'electronic' | 'print' | 'collection' | 'other';

function classifyPubDate(el: XElement): DateKind {
  const pubType = attr(el, 'pub-type')?.toLowerCase();
  const dateType = attr(el, 'date-type')?.toLowerCase();
  const format = attr(el, 'publication-format')?.toLowerCase();
  if (pubType === 'collection' || dateType === 'collection') return 'collection';
  if (pubType === 'epub' || pubType === 'epub-ppub' || pubType === 'epreprint') return 'electronic';
  if (pubType === 'ppub') return 'print';
  if (dateType === undefined || dateType === 'pub' || dateType === 'publication') {
    if (format === 'print') return 'print';
    if (format === 'electronic' || format === 'online') return 'electronic';
    if (pubType === undefined) return 'electronic';
  }
  return 'other';
}

function readPubDates(meta: XElement, record: Partial<ArticleRecord>, warnings: WarningSink): void {
  const candidates: { kind: DateKind; both?: boolean; date: string; order: number }[] = [];
  let order = 0;
  for (const pubDate of childrenNamed(meta, 'pub-date')) {
    const kind = classifyPubDate(pubDate);
    const date = readDate(pubDate, warnings);
    if (!date) continue;
    if (kind === 'other') {
      warnings.add(elementPath(pubDate), `pub-date (${attr(pubDate, 'pub-type') ?? attr(pubDate, 'date-type')}) dropped: not a publication date of the article or issue`, `pub-date-other:${attr(pubDate, 'pub-type') ?? attr(pubDate, 'date-type')}`);
      continue;
    }
    const both = attr(pubDate, 'pub-type')?.toLowerCase() === 'epub-ppub';
    candidates.push({ kind, date, order: order++, ...(both ? { both } : {}) });
  }
  // One date per medium: the most precise, then the first. epub-ppub (published in both at once) counts for both.
  const best = (kind: DateKind) =>
    candidates
      .filter((c) => c.kind === kind || (c.both === true && kind !== 'collection'))
      .sort((a, b) => datePrecision(b.date) - datePrecision(a.date) || a.order - b.order)[0]?.date;
  const published: NonNullable<NonNullable<ArticleRecord['dates']>['published']> = {};
  put(published, 'online', best('electronic'));
  put(published, 'print', best('print'));
  if (published.online !== undefined || published.print !== undefined) record.dates = { ...(record.dates ?? {}), published };
  const collection = candidates.filter((c) => c.kind === 'collection').sort((a, b) => datePrecision(b.date) - datePrecision(a.date))[0]?.date;
  if (collection) {
    const issue: NonNullable<ArticleRecord['issue']> = { year: Number(collection.slice(0, 4)) };
    if (datePrecision(collection) > 1) issue.publicationDate = collection;
    record.issue = issue;
  }
}

// ---------------------------------------------------------------------------
// Permissions, abstracts, keywords, funding
// ---------------------------------------------------------------------------

function readPermissions(permissions: XElement | undefined, record: Partial<ArticleRecord>, warnings: WarningSink): void {
  if (!permissions) return;
  const copyright: NonNullable<ArticleRecord['copyright']> = {};
  put(copyright, 'statement', childText(permissions, 'copyright-statement'));
  const year = childText(permissions, 'copyright-year');
  if (year && /^\d{4}$/.test(year)) copyright.year = Number(year);
  put(copyright, 'holder', childText(permissions, 'copyright-holder'));
  put(record, 'copyright', copyright);

  // ali:license_ref (JATS 1.1+) is the machine-readable licence; license/@xlink:href the older form.
  const licenses: { url: string; startDate?: string; path: string }[] = [];
  for (const ref of childrenNamed(permissions, 'license_ref')) {
    const url = text(ref);
    if (url) licenses.push({ url, ...optionalDate(attr(ref, 'start_date')), path: elementPath(ref) });
  }
  for (const license of childrenNamed(permissions, 'license')) {
    for (const ref of childrenNamed(license, 'license_ref')) {
      const url = text(ref);
      if (url) licenses.push({ url, ...optionalDate(attr(ref, 'start_date')), path: elementPath(ref) });
    }
    const href = xlinkHref(license);
    if (href) licenses.push({ url: href, path: elementPath(license) });
    const linked = descendants(license, ['ext-link', 'uri'], 4).map((l) => xlinkHref(l) ?? text(l)).find((u) => /creativecommons\.org\/(licenses|publicdomain)\//i.test(u));
    if (linked) licenses.push({ url: linked, path: elementPath(license) });
  }
  const first = licenses[0];
  if (first) {
    const license: NonNullable<ArticleRecord['license']> = { url: first.url };
    const start = licenses.find((l) => sameLicense(l.url, first.url) && l.startDate)?.startDate;
    put(license, 'startDate', start);
    record.license = license;
    const others = [...new Set(licenses.filter((l) => !sameLicense(l.url, first.url)).map((l) => l.url))];
    if (others.length > 0) warnings.add(first.path, `other licences dropped (${others.join(', ')}); the record keeps ${first.url}`);
  } else if (child(permissions, 'license')) {
    warnings.add(elementPath(child(permissions, 'license')!), 'licence without a URL dropped');
  }
}

function optionalDate(value: string | undefined): { startDate?: string } {
  const date = isoPartialDate(value);
  return date ? { startDate: date } : {};
}

function sameLicense(a: string, b: string): boolean {
  const norm = (u: string): string => u.trim().replace(/^https?:\/\//i, '').replace(/\/(legalcode|deed\.[\w-]+)?$/i, '').replace(/\/$/, '').toLowerCase();
  return norm(a) === norm(b);
}

const MAIN_ABSTRACT_TYPES = new Set(['', 'abstract', 'structured', 'summary', 'author-abstract', 'main', 'normal']);

function readAbstracts(meta: XElement, record: Partial<ArticleRecord>, language: string, warnings: WarningSink): void {
  const abstract: LangMap = {};
  const markup: LangMap = {};
  for (const el of childrenNamed(meta, 'abstract', 'trans-abstract')) {
    const type = (attr(el, 'abstract-type') ?? '').toLowerCase();
    const lang = normalizeLanguage(xmlLang(el)) ?? (el.local === 'abstract' ? language : undefined);
    if (!MAIN_ABSTRACT_TYPES.has(type)) {
      warnings.add(elementPath(el), `abstract of type "${type}" dropped: the record keeps one main abstract per language`, `abstract-type:${type}`);
      continue;
    }
    if (!lang) {
      warnings.add(elementPath(el), 'trans-abstract without xml:lang dropped: its language is unknown');
      continue;
    }
    if (abstract[lang] !== undefined) {
      warnings.add(elementPath(el), `a second abstract in "${lang}" dropped`);
      continue;
    }
    const read = readBlocks(el, warnings);
    if (!read.plain) continue;
    abstract[lang] = read.plain;
    put(markup, lang, read.markup);
  }
  put(record, 'abstract', abstract);
  if (Object.keys(markup).length > 0) record.markup = { ...(record.markup ?? {}), abstract: markup };
}

function readKeywords(meta: XElement, record: Partial<ArticleRecord>, language: string, warnings: WarningSink): void {
  const keywords: LangMap<string[]> = {};
  for (const group of childrenNamed(meta, 'kwd-group')) {
    const lang = normalizeLanguage(xmlLang(group)) ?? language;
    for (const el of elements(group)) {
      let value: string | undefined;
      if (el.local === 'kwd') value = collapse(plainInline(el.children));
      else if (el.local === 'compound-kwd') value = childrenNamed(el, 'compound-kwd-part').map((p) => text(p)).filter(Boolean).join(' — ');
      else if (el.local === 'title' || el.local === 'label') continue;
      else {
        warnings.dropped(el);
        continue;
      }
      if (!value) continue;
      (keywords[lang] ??= []).push(value);
    }
  }
  put(record, 'keywords', keywords);
}

function readFunding(meta: XElement, warnings: WarningSink): Funding[] {
  const funding: Funding[] = [];
  for (const group of childrenNamed(meta, 'funding-group')) {
    const awardGroups = childrenNamed(group, 'award-group');
    for (const award of awardGroups) {
      const awardIds = childrenNamed(award, 'award-id').map((a) => text(a)).filter(Boolean);
      const sources = childrenNamed(award, 'funding-source');
      if (sources.length === 0) {
        warnings.add(elementPath(award), 'award-group without a funding-source dropped');
        continue;
      }
      for (const source of sources) {
        const read = readFundingSource(source, warnings);
        if (!read) continue;
        const entry: Funding = { funderName: read.name };
        put(entry, 'funderId', read.id);
        put(entry, 'awardIds', awardIds.length > 0 ? [...awardIds] : undefined);
        funding.push(entry);
      }
      for (const el of elements(award)) {
        if (!['award-id', 'funding-source', 'principal-award-recipient', 'principal-investigator', 'award-name', 'award-desc', 'support-source'].includes(el.local)) warnings.dropped(el);
      }
    }
    if (awardGroups.length === 0 && child(group, 'funding-statement')) {
      warnings.add(elementPath(child(group, 'funding-statement')!), 'funding-statement without award-group dropped: funders are not tagged');
    }
  }
  return funding;
}

function readFundingSource(source: XElement, warnings: WarningSink): { name: string; id?: string } | undefined {
  const wrap = child(source, 'institution-wrap');
  const isFunderId = (c: XElement): boolean => c.local === 'institution-id' || (c.local === 'named-content' && /funder-id|funder_id|fundref/i.test(attr(c, 'content-type') ?? ''));
  const name = wrap ? childText(wrap, 'institution') : collapse(plainInline(source.children.filter((c) => c.kind === 'text' || !isFunderId(c))));
  let id: string | undefined;
  const idCandidates = [
    ...childrenNamed(wrap, 'institution-id').map((i) => text(i)),
    ...descendants(source, ['named-content'], 3).filter((n) => /funder-id|funder_id|fundref/i.test(attr(n, 'content-type') ?? '')).map((n) => text(n)),
    xlinkHref(source),
  ];
  for (const candidate of idCandidates) {
    id = normalizeFunderId(candidate);
    if (id) break;
  }
  if (!name) {
    warnings.add(elementPath(source), 'funding-source without a name dropped');
    return undefined;
  }
  return id ? { name, id } : { name };
}

// ---------------------------------------------------------------------------
// References
// ---------------------------------------------------------------------------

const CITATION_ELEMENTS = ['mixed-citation', 'element-citation', 'nlm-citation', 'citation'];

function readReference(ref: XElement, warnings: WarningSink): Reference | undefined {
  const alternatives = child(ref, 'citation-alternatives');
  const holder = alternatives ?? ref;
  const citations = childrenNamed(holder, ...CITATION_ELEMENTS);
  if (citations.length === 0) {
    warnings.add(elementPath(ref), 'ref without a citation dropped');
    return undefined;
  }
  if (!alternatives && citations.length > 1) {
    warnings.add(elementPath(ref), `ref with ${citations.length} citations: only the first is kept`, 'ref-multi');
  }
  const mixed = citations.find((c) => c.local === 'mixed-citation' || c.local === 'citation');
  const element = citations.find((c) => c.local === 'element-citation' || c.local === 'nlm-citation');
  const reference: Reference = {};
  put(reference, 'key', attr(ref, 'id'));
  const primary = alternatives ? (mixed ?? element)! : citations[0]!;
  const type = attr(primary, 'publication-type') ?? attr(primary, 'citation-type') ?? (element && attr(element, 'publication-type'));
  put(reference, 'publicationType', type?.trim());

  const unstructuredSource = alternatives ? mixed : primary.local === 'mixed-citation' || primary.local === 'citation' ? primary : undefined;
  if (unstructuredSource) put(reference, 'unstructured', printedCitation(unstructuredSource));

  const structuredSource = alternatives ? (element ?? mixed) : primary;
  const fields = structuredSource ? readCitationFields(structuredSource) : {};
  // A mixed citation keeps all its text in `unstructured`; an element citation alone loses what has no field.
  if (structuredSource && !unstructuredSource) warnUnmappedCitationParts(structuredSource, warnings);
  put(reference, 'structured', fields);

  const doi = citations.map((c) => citationDoi(c)).find((d) => d !== undefined) ?? extractDoiFromText(reference.unstructured);
  put(reference, 'doi', doi);
  if (Object.keys(reference).length === 0 || (!reference.unstructured && !reference.doi && !reference.structured)) {
    warnings.add(elementPath(ref), 'empty reference dropped');
    return undefined;
  }
  return reference;
}

/**
 * The citation as printed. A DOI pub-id appended after the text with no label ("doi:",
 * "https://doi.org/") is tagging, not print: it is left out here and read as the DOI.
 */
function printedCitation(citation: XElement): string {
  const nodes = [...citation.children];
  while (nodes.length > 0 && nodes[nodes.length - 1]!.kind === 'text' && (nodes[nodes.length - 1] as { text: string }).text.trim() === '') nodes.pop();
  const last = nodes[nodes.length - 1];
  if (last?.kind === 'element' && last.local === 'pub-id' && attr(last, 'pub-id-type')?.toLowerCase() === 'doi') {
    const before = collapse(plainInline(nodes.slice(0, -1)));
    if (before && !/(?:doi|doi\.org\/?|doi:)\s*$/i.test(before)) return before;
  }
  return collapse(plainInline(citation.children));
}

function citationDoi(citation: XElement): string | undefined {
  for (const id of descendants(citation, ['pub-id', 'object-id'], 3)) {
    if (attr(id, 'pub-id-type')?.toLowerCase() === 'doi') {
      const doi = extractDoi(xlinkHref(id) ?? text(id));
      if (doi) return doi;
    }
  }
  for (const link of descendants(citation, ['ext-link', 'uri'], 3)) {
    const doi = linkDoi(link);
    if (doi) return doi;
  }
  return undefined;
}

/** The DOI an ext-link or uri points to (ext-link-type="doi" or a resolver URL), if any. */
function linkDoi(link: XElement): string | undefined {
  const href = xlinkHref(link) ?? text(link);
  const type = attr(link, 'ext-link-type')?.toLowerCase();
  return type === 'doi' || looksLikeDoi(href) ? extractDoi(href) : undefined;
}

/** A DOI printed in a citation as a resolver link or "doi:" label. */
function extractDoiFromText(unstructured: string | undefined): string | undefined {
  if (!unstructured) return undefined;
  const match = /(?:https?:\/\/(?:dx\.)?doi\.org\/|\bdoi:\s*)(10\.\d{4,9}\/\S+)/i.exec(unstructured);
  return match ? extractDoi(match[1]) : undefined;
}

const CITATION_FIELDS = new Set([
  'person-group', 'name', 'string-name', 'collab', 'etal', 'article-title', 'chapter-title', 'source', 'volume', 'issue', 'fpage', 'lpage',
  'year', 'publisher-name', 'publisher-loc', 'edition', 'isbn', 'issn', 'elocation-id', 'label',
]);

function warnUnmappedCitationParts(citation: XElement, warnings: WarningSink): void {
  for (const el of elements(citation)) {
    if (CITATION_FIELDS.has(el.local)) {
      if (el.local === 'person-group' && (attr(el, 'person-group-type') ?? 'author') !== 'author') {
        warnings.add(elementPath(el), `reference ${attr(el, 'person-group-type')}s dropped: the record keeps the first author`, `ref-group:${attr(el, 'person-group-type')}`);
      }
      continue;
    }
    const type = attr(el, 'pub-id-type') ?? attr(el, 'ext-link-type');
    if (el.local === 'pub-id' && ['doi', 'isbn', 'issn'].includes(type?.toLowerCase() ?? '')) continue;
    if ((el.local === 'ext-link' || el.local === 'uri') && linkDoi(el)) continue;
    const what = `<${el.local}${type ? ` ${el.local === 'pub-id' ? 'pub-id-type' : 'ext-link-type'}="${type}"` : ''}>`;
    warnings.add(elementPath(el), `reference part ${what} dropped: the record has no field for it`, `ref-part:${what}`);
  }
}

function readCitationFields(citation: XElement): ReferenceFields {
  const fields: ReferenceFields = {};
  const firstAuthorGroup = childrenNamed(citation, 'person-group').find((g) => (attr(g, 'person-group-type') ?? 'author') === 'author');
  const authorHolder = firstAuthorGroup ?? citation;
  const firstName = elements(authorHolder).find((e) => ['name', 'string-name', 'collab'].includes(e.local));
  if (firstName) {
    if (firstName.local === 'collab') put(fields, 'author', text(firstName));
    else put(fields, 'author', childText(firstName, 'surname') ?? text(firstName));
  }
  const articleTitle = child(citation, 'article-title') ?? child(citation, 'chapter-title');
  if (articleTitle) put(fields, 'articleTitle', collapse(plainInline(articleTitle.children)));
  const source = child(citation, 'source');
  if (source) put(fields, 'source', collapse(plainInline(source.children)));
  put(fields, 'volume', childText(citation, 'volume'));
  put(fields, 'issue', childText(citation, 'issue'));
  put(fields, 'firstPage', childText(citation, 'fpage'));
  put(fields, 'lastPage', childText(citation, 'lpage'));
  put(fields, 'year', childText(citation, 'year'));
  put(fields, 'publisher', childText(citation, 'publisher-name'));
  put(fields, 'edition', childText(citation, 'edition'));
  put(fields, 'isbn', childText(citation, 'isbn') ?? pubId(citation, 'isbn'));
  put(fields, 'issn', childText(citation, 'issn') ?? pubId(citation, 'issn'));
  if (!fields.firstPage) put(fields, 'firstPage', childText(citation, 'elocation-id'));
  return fields;
}

function pubId(citation: XElement, type: string): string | undefined {
  const found = childrenNamed(citation, 'pub-id').find((p) => attr(p, 'pub-id-type')?.toLowerCase() === type);
  return found ? text(found) || undefined : undefined;
}
