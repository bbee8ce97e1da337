// JATS 1.3 Journal Publishing article front matter and reference list
// (JATS-journalpublishing1-3-mathml3.xsd), tagged after the JATS4R recommendations.
import type { Affiliation, ArticleRecord, Contributor, Funding, Reference } from '../../model/types.js';
import {
  NS,
  contributorRole,
  countryName,
  dateParts,
  issnsElectronicFirst,
  isOrganization,
  isXmlId,
  issueDate,
  languagesPrimaryFirst,
  mainTitleLanguage,
  orcidUrl,
  paragraphs,
  present,
  publishedOnline,
  type DateParts,
} from '../common.js';
import { ExportError } from '../errors.js';
import {
  appendBlockFragment,
  appendFragment,
  element,
  fragmentUsesMathMl,
  isBlockFragment,
  newDocument,
  parseRecordMarkup,
  serialize,
  setAttributes,
  textElement,
  xmlSafe,
  type Builder,
  type MarkupTarget,
} from '../xml.js';

/** The namespace PMC's OAI service puts on JATS articles served over OAI-PMH. */
export const JATS_OAI_NAMESPACE = 'https://jats.nlm.nih.gov/ns/archiving/1.3/';
export const JATS_OAI_SCHEMA_LOCATION = 'https://jats.nlm.nih.gov/archiving/1.3/xsd/JATS-archivearticle1-3.xsd';

export interface JatsOptions {
  /** Emit the XML declaration (default true; false for embedding in an OAI-PMH response). */
  declaration?: boolean;
  /** Default namespace for every JATS element (for OAI-PMH serving: JATS_OAI_NAMESPACE). */
  namespace?: string;
  /**
   * Schema location: with `namespace`, written as xsi:schemaLocation="namespace location";
   * without, as xsi:noNamespaceSchemaLocation.
   */
  schemaLocation?: string;
}

// article-id/@pub-id-type values the JATS 1.3 schema enumerates; others become "custom".
const PUB_ID_TYPES = new Set([
  'accession', 'archive', 'ark', 'art-access-id', 'arxiv', 'coden', 'custom', 'doaj', 'doi', 'handle',
  'index', 'isbn', 'manuscript', 'medline', 'mr', 'other', 'pii', 'pmcid', 'pmid', 'publisher-id', 'sici',
  'std-designation', 'zbl',
]);

const JATS_MARKUP: MarkupTarget = { jats: { mode: 'inherit' }, keepAttributes: true };

export function toJats(record: ArticleRecord, options: JatsOptions = {}): string {
  const issns = issnsElectronicFirst(record.journal.issns);
  if (issns.length === 0) {
    throw new ExportError(record.doi, 'journal.issns', 'jats', 'JATS 1.3 Journal Publishing requires at least one ISSN (journal.issns)');
  }

  const doc = newDocument();
  const root = options.namespace === undefined ? doc.root.ele('article') : doc.root.eleNS(options.namespace, 'article');
  const usesMath =
    Object.values(record.markup?.title ?? {}).some(fragmentUsesMathMl) ||
    Object.values(record.markup?.abstract ?? {}).some(fragmentUsesMathMl);
  setAttributes(root, {
    'xmlns:xlink': NS.xlink,
    'xmlns:mml': usesMath ? NS.mml : undefined,
    'xmlns:ali': record.license ? NS.ali : undefined,
    'xmlns:xsi': options.schemaLocation ? NS.xsi : undefined,
    'xsi:schemaLocation':
      options.schemaLocation && options.namespace ? `${options.namespace} ${options.schemaLocation}` : undefined,
    'xsi:noNamespaceSchemaLocation': options.schemaLocation && !options.namespace ? options.schemaLocation : undefined,
    'dtd-version': '1.3',
    'article-type': record.articleType ?? 'research-article',
    'xml:lang': record.language,
  });

  const front = root.ele('front');
  journalMeta(front, record);
  articleMeta(front, record);
  if (record.references?.length) referenceList(root.ele('back'), record.references);

  return serialize(doc, options.declaration ?? true);
}

function journalMeta(front: Builder, record: ArticleRecord): void {
  const journal = record.journal;
  const meta = front.ele('journal-meta');
  // journal-id is required; only identifiers the record really has are used.
  if (present(journal.doi)) textElement(meta, 'journal-id', journal.doi!, { 'journal-id-type': 'doi' });
  const issns = issnsElectronicFirst(journal.issns);
  textElement(meta, 'journal-id', issns[0]!.value, { 'journal-id-type': 'issn' });
  const titleGroup = meta.ele('journal-title-group');
  textElement(titleGroup, 'journal-title', journal.title);
  if (present(journal.abbrevTitle)) textElement(titleGroup, 'abbrev-journal-title', journal.abbrevTitle!);
  for (const issn of issns) textElement(meta, 'issn', issn.value, { 'publication-format': issn.media });
  if (journal.publisher && present(journal.publisher.name)) {
    const publisher = meta.ele('publisher');
    textElement(publisher, 'publisher-name', journal.publisher.name);
    if (present(journal.publisher.place)) textElement(publisher, 'publisher-loc', journal.publisher.place!);
  }
  if (present(journal.url)) element(meta, 'self-uri', { 'xlink:href': journal.url!.trim() });
}

function articleMeta(front: Builder, record: ArticleRecord): void {
  const meta = front.ele('article-meta');
  textElement(meta, 'article-id', record.doi, { 'pub-id-type': 'doi' });
  for (const id of record.otherIds ?? []) {
    const known = PUB_ID_TYPES.has(id.type);
    textElement(meta, 'article-id', id.value, {
      'pub-id-type': known ? id.type : 'custom',
      'custom-type': known ? undefined : id.type,
    });
  }
  if (present(record.section)) {
    const group = meta.ele('article-categories').ele('subj-group', { 'subj-group-type': 'heading' });
    textElement(group, 'subject', record.section!);
  }
  titleGroup(meta, record);
  contributors(meta, record);
  publicationDates(meta, record);

  const issue = record.issue;
  if (present(issue?.volume)) textElement(meta, 'volume', issue!.volume!);
  if (present(issue?.number)) textElement(meta, 'issue', issue!.number!);
  if (present(issue?.title)) textElement(meta, 'issue-title', issue!.title!);
  if (present(record.pages?.first)) {
    textElement(meta, 'fpage', record.pages!.first);
    if (present(record.pages!.last)) textElement(meta, 'lpage', record.pages!.last!);
  } else if (present(record.articleNumber)) {
    textElement(meta, 'elocation-id', record.articleNumber!);
  }

  const received = dateParts(record.dates?.received);
  const accepted = dateParts(record.dates?.accepted);
  if (received || accepted) {
    const history = meta.ele('history');
    if (received) dateElement(history, 'date', received, { 'date-type': 'received' });
    if (accepted) dateElement(history, 'date', accepted, { 'date-type': 'accepted' });
  }

  permissions(meta, record);

  if (present(record.landingPage)) element(meta, 'self-uri', { 'xlink:href': record.landingPage!.trim() });
  for (const galley of record.galleys ?? []) {
    const uri = element(meta, 'self-uri', { 'xlink:href': galley.url.trim(), 'content-type': galley.mimeType.trim() });
    if (present(galley.label)) uri.txt(xmlSafe(galley.label!.trim()));
  }

  abstracts(meta, record);

  for (const lang of languagesPrimaryFirst(record.keywords, record.language)) {
    const keywords = record.keywords![lang]!.filter((k) => present(k) !== undefined);
    if (keywords.length === 0) continue;
    const group = meta.ele('kwd-group', { 'xml:lang': lang });
    for (const keyword of keywords) textElement(group, 'kwd', keyword.trim());
  }

  if (record.funding?.length) fundingGroup(meta, record.funding);
}

function titleGroup(meta: Builder, record: ArticleRecord): void {
  const group = meta.ele('title-group');
  const languages = languagesPrimaryFirst(record.title, record.language);
  const main = mainTitleLanguage(record);
  const mainTitle = group.ele('article-title');
  if (main !== record.language) mainTitle.attNS(NS.xml, 'xml:lang', main);
  richText(mainTitle, record.title[main]!, record.markup?.title?.[main], record, `markup.title.${main}`);
  if (present(record.subtitle?.[main])) textElement(group, 'subtitle', record.subtitle![main]!);
  for (const lang of languages) {
    if (lang === main) continue;
    const trans = group.ele('trans-title-group', { 'xml:lang': lang });
    richText(trans.ele('trans-title'), record.title[lang]!, record.markup?.title?.[lang], record, `markup.title.${lang}`);
    if (present(record.subtitle?.[lang])) textElement(trans, 'trans-subtitle', record.subtitle![lang]!);
  }
}

/** Inline content: the JATS markup fragment when the record has one, else the plain text. */
function richText(target: Builder, plain: string, markup: string | undefined, record: ArticleRecord, field: string): void {
  if (markup !== undefined && present(markup)) {
    appendFragment(target, parseRecordMarkup(markup, record.doi, field, 'jats'), JATS_MARKUP);
  } else {
    target.txt(xmlSafe(plain.trim()));
  }
}

function contributors(meta: Builder, record: ArticleRecord): void {
  // One aff element per distinct affiliation, shared by every contributor who has it.
  const affIds = new Map<string, string>();
  const affs: Affiliation[] = [];
  const affKey = (aff: Affiliation) => `${aff.name}\u0000${aff.ror ?? ''}\u0000${aff.country ?? ''}`;
  for (const contributor of record.contributors) {
    for (const aff of contributor.affiliations ?? []) {
      const key = affKey(aff);
      if (!affIds.has(key)) {
        affIds.set(key, `aff${affIds.size + 1}`);
        affs.push(aff);
      }
    }
  }

  // One contrib-group per role, in the order roles first appear (authors normally first).
  const roles: string[] = [];
  for (const contributor of record.contributors) {
    const role = contributorRole(contributor);
    if (!roles.includes(role)) roles.push(role);
  }
  for (const role of roles) {
    const group = meta.ele('contrib-group', role === 'author' ? undefined : { 'content-type': role });
    for (const contributor of record.contributors) {
      if (contributorRole(contributor) !== role) continue;
      contrib(group, contributor, (aff) => affIds.get(affKey(aff))!);
    }
  }
  affs.forEach((aff, index) => affiliation(meta, aff, `aff${index + 1}`));
}

function contrib(group: Builder, contributor: Contributor, affId: (aff: Affiliation) => string): void {
  const node = group.ele('contrib', {
    'contrib-type': contributorRole(contributor),
    corresp: contributor.corresponding ? 'yes' : undefined,
  });
  if (present(contributor.orcid)) {
    textElement(node, 'contrib-id', orcidUrl(contributor.orcid!.trim()), { 'contrib-id-type': 'orcid' });
  }
  if (isOrganization(contributor)) {
    textElement(node, 'collab', contributor.name ?? '');
  } else {
    const variants = Object.entries(contributor.nameVariants ?? {});
    if (variants.length > 0) {
      const alternatives = node.ele('name-alternatives');
      personName(alternatives, contributor);
      for (const [lang, variant] of variants) personName(alternatives, variant, lang);
    } else {
      personName(node, contributor);
    }
  }
  for (const aff of contributor.affiliations ?? []) {
    element(node, 'xref', { 'ref-type': 'aff', rid: affId(aff) });
  }
  // The e-mail stays with its person (JATS4R: contrib/email with corresp="yes"); repeating it
  // in author-notes/corresp would only duplicate it.
  if (present(contributor.email)) textElement(node, 'email', contributor.email!.trim());
}

function personName(parent: Builder, person: { given?: string; family?: string; suffix?: string }, lang?: string): void {
  const family = present(person.family);
  const given = present(person.given);
  const name = parent.ele('name', {
    'name-style': family ? undefined : 'given-only',
    'xml:lang': lang,
  });
  if (family) textElement(name, 'surname', family);
  if (given) textElement(name, 'given-names', given);
  if (present(person.suffix)) textElement(name, 'suffix', person.suffix!.trim());
}

function affiliation(meta: Builder, aff: Affiliation, id: string): void {
  const node = meta.ele('aff', { id });
  if (present(aff.ror)) {
    const wrap = node.ele('institution-wrap');
    textElement(wrap, 'institution', aff.name.trim());
    textElement(wrap, 'institution-id', aff.ror!.trim(), { 'institution-id-type': 'ror' });
  } else {
    textElement(node, 'institution', aff.name.trim());
  }
  if (present(aff.country)) {
    const code = aff.country!.trim().toUpperCase();
    textElement(node, 'country', countryName(code) ?? code, { country: code });
  }
}

function dateElement(parent: Builder, name: string, date: DateParts, attributes: Record<string, string | undefined>): void {
  const node = element(parent, name, { ...attributes, 'iso-8601-date': date.iso });
  // JATS date-model order: day, month, year.
  if (date.day) textElement(node, 'day', date.day);
  if (date.month) textElement(node, 'month', date.month);
  textElement(node, 'year', String(date.year));
}

function publicationDates(meta: Builder, record: ArticleRecord): void {
  // JATS4R publication dates: the article's own date is date-type="pub"; the issue's date is
  // date-type="collection". Only the parts that are known are written.
  const format = publishedOnline(record) ? 'electronic' : 'print';
  const published = dateParts(record.dates?.published?.online ?? record.dates?.published?.print);
  const collection = issueDate(record);
  if (!published && !collection) {
    meta.ele('pub-date-not-available');
    return;
  }
  if (published) dateElement(meta, 'pub-date', published, { 'publication-format': format, 'date-type': 'pub' });
  if (collection) dateElement(meta, 'pub-date', collection, { 'publication-format': format, 'date-type': 'collection' });
}

function permissions(meta: Builder, record: ArticleRecord): void {
  const copyright = record.copyright;
  const statement = present(copyright?.statement);
  const holder = present(copyright?.holder);
  if (!record.license && !statement && !holder && copyright?.year === undefined) return;
  const node = meta.ele('permissions');
  if (statement) textElement(node, 'copyright-statement', statement);
  if (copyright?.year !== undefined) textElement(node, 'copyright-year', String(copyright.year));
  if (holder) textElement(node, 'copyright-holder', holder);
  if (record.license) {
    const url = record.license.url.trim();
    const license = element(node, 'license', { 'xlink:href': url });
    const startDate = dateParts(record.license.startDate);
    textElement(license, 'ali:license_ref', url, { start_date: startDate?.iso }, NS.ali);
  }
}

function abstracts(meta: Builder, record: ArticleRecord): void {
  const languages = languagesPrimaryFirst(record.abstract, record.language).filter(
    (lang) => present(record.abstract![lang]) !== undefined || present(record.markup?.abstract?.[lang]) !== undefined,
  );
  languages.forEach((lang, index) => {
    const primary = index === 0;
    const node = meta.ele(primary ? 'abstract' : 'trans-abstract');
    if (!primary || lang !== record.language) node.attNS(NS.xml, 'xml:lang', lang);
    const markup = record.markup?.abstract?.[lang];
    if (markup !== undefined && present(markup)) {
      const nodes = parseRecordMarkup(markup, record.doi, `markup.abstract.${lang}`, 'jats');
      if (isBlockFragment(nodes)) {
        appendBlockFragment(node, nodes, JATS_MARKUP);
      } else {
        appendFragment(node.ele('p'), nodes, JATS_MARKUP);
      }
      return;
    }
    for (const paragraph of paragraphs(record.abstract![lang]!)) textElement(node, 'p', paragraph);
  });
}

function fundingGroup(meta: Builder, funding: Funding[]): void {
  const group = meta.ele('funding-group');
  for (const funder of funding) {
    const award = group.ele('award-group');
    const source = award.ele('funding-source');
    const id = present(funder.funderId);
    if (id) {
      const wrap = source.ele('institution-wrap');
      textElement(wrap, 'institution', funder.funderName.trim());
      // JATS4R funding: Open Funder Registry DOIs and ROR ids as institution-id.
      if (/^https?:\/\/ror\.org\//i.test(id)) {
        textElement(wrap, 'institution-id', id, { 'institution-id-type': 'ror' });
      } else {
        textElement(wrap, 'institution-id', id.replace(/^https?:\/\/(dx\.)?doi\.org\//i, ''), {
          'institution-id-type': 'doi',
          vocab: id.includes('10.13039/') ? 'open-funder-registry' : undefined,
          'vocab-identifier': id.includes('10.13039/') ? '10.13039/open-funder-registry' : undefined,
        });
      }
    } else {
      source.txt(xmlSafe(funder.funderName.trim()));
    }
    for (const awardId of funder.awardIds ?? []) {
      if (present(awardId)) textElement(award, 'award-id', awardId.trim());
    }
  }
}

function referenceList(back: Builder, references: Reference[]): void {
  const list = back.ele('ref-list');
  const usedIds = new Set<string>();
  references.forEach((reference, index) => {
    const unstructured = present(reference.unstructured);
    const doi = present(reference.doi);
    const structured = reference.structured && Object.values(reference.structured).some((v) => present(v) !== undefined);
    if (!unstructured && !doi && !structured) return;

    let id = present(reference.key);
    if (!id || !isXmlId(id) || usedIds.has(id) || /^aff\d+$/.test(id)) {
      let n = index + 1;
      do id = `ref${n++}`;
      while (usedIds.has(id));
    }
    usedIds.add(id);
    const ref = list.ele('ref', { id });

    // Both forms of one reference are alternatives of each other (JATS citation-alternatives).
    const container = unstructured && structured ? ref.ele('citation-alternatives') : ref;
    if (structured || !unstructured) elementCitation(container, reference);
    if (unstructured) mixedCitation(container, reference, unstructured);
  });
}

function mixedCitation(parent: Builder, reference: Reference, text: string): void {
  const citation = element(parent, 'mixed-citation', { 'publication-type': present(reference.publicationType) });
  const doi = present(reference.doi);
  if (!doi) {
    citation.txt(xmlSafe(text));
    return;
  }
  // Tag the DOI where the printed citation already shows it; otherwise add it after the text.
  const at = text.toLowerCase().indexOf(doi.toLowerCase());
  if (at >= 0) {
    if (at > 0) citation.txt(xmlSafe(text.slice(0, at)));
    textElement(citation, 'pub-id', text.slice(at, at + doi.length), { 'pub-id-type': 'doi' });
    if (at + doi.length < text.length) citation.txt(xmlSafe(text.slice(at + doi.length)));
  } else {
    citation.txt(xmlSafe(`${text} `));
    textElement(citation, 'pub-id', doi, { 'pub-id-type': 'doi' });
  }
}

function elementCitation(parent: Builder, reference: Reference): void {
  const fields = reference.structured ?? {};
  const citation = element(parent, 'element-citation', { 'publication-type': present(reference.publicationType) });
  const add = (name: string, value: string | undefined, attributes?: Record<string, string | undefined>) => {
    const text = present(value);
    if (text) textElement(citation, name, text, attributes);
  };
  if (present(fields.author)) {
    const group = citation.ele('person-group', { 'person-group-type': 'author' });
    textElement(group, 'string-name', fields.author!.trim());
  }
  add('article-title', fields.articleTitle);
  add('source', fields.source);
  add('year', fields.year);
  add('volume', fields.volume);
  add('issue', fields.issue);
  add('fpage', fields.firstPage);
  add('lpage', fields.lastPage);
  add('edition', fields.edition);
  add('publisher-name', fields.publisher);
  add('isbn', fields.isbn);
  add('issn', fields.issn);
  add('pub-id', reference.doi, { 'pub-id-type': 'doi' });
}
