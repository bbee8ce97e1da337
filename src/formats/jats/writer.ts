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
  hasStructuredFields,
  primaryMedium,
  publishedByMedium,
  type Medium,
  type DateParts,
} from '../common.js';
import { ExportError } from '../errors.js';
import {
  PrefixMap,
  fragmentUsesMathMl,
  fragmentWritesText,
  isBlockFragment,
  parseRecordMarkup,
  writeFragment,
  type MarkupScope,
  type MarkupTarget,
} from '../xml/markup.js';
import { attr, attrs, optionalAttr, writeXml, type XmlWriter } from '../xml/writer.js';

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

/** What every part of the writer needs: the record and where fragments go. */
interface Jats {
  out: XmlWriter;
  record: ArticleRecord;
  scope: MarkupScope;
}

export function toJats(record: ArticleRecord, options: JatsOptions = {}): string {
  const issns = issnsElectronicFirst(record.journal.issns);
  if (issns.length === 0) {
    throw new ExportError(record.doi, 'journal.issns', 'jats', 'JATS 1.3 Journal Publishing requires at least one ISSN (journal.issns)');
  }
  return writeXml((out) => writeArticle(out, record, options), options.declaration ?? true);
}

function writeArticle(out: XmlWriter, record: ArticleRecord, options: JatsOptions): void {
  const usesMath =
    Object.values(record.markup?.title ?? {}).some(fragmentUsesMathMl) ||
    Object.values(record.markup?.abstract ?? {}).some(fragmentUsesMathMl);
  const declarations = {
    xlink: NS.xlink,
    mml: usesMath ? NS.mml : undefined,
    ali: record.license ? NS.ali : undefined,
    xsi: options.schemaLocation ? NS.xsi : undefined,
  };
  const rootAttributes =
    (options.namespace === undefined ? '' : attr('xmlns', options.namespace)) +
    attrs({
      'xmlns:xlink': declarations.xlink,
      'xmlns:mml': declarations.mml,
      'xmlns:ali': declarations.ali,
      'xmlns:xsi': declarations.xsi,
      'xsi:schemaLocation': options.schemaLocation && options.namespace ? `${options.namespace} ${options.schemaLocation}` : undefined,
      'xsi:noNamespaceSchemaLocation': options.schemaLocation && !options.namespace ? options.schemaLocation : undefined,
      'dtd-version': '1.3',
      'article-type': record.articleType ?? 'research-article',
      'xml:lang': record.language,
    });
  const jats: Jats = {
    out,
    record,
    scope: { defaultNamespace: options.namespace ?? null, prefixes: PrefixMap.of(declarations), generated: { value: 1 } },
  };
  out.start('article', rootAttributes).start('front');
  journalMeta(jats);
  articleMeta(jats);
  out.end();
  if (record.references?.length) {
    out.start('back');
    referenceList(out, record.references);
    out.end();
  }
  out.end();
}

function journalMeta({ out, record }: Jats): void {
  const journal = record.journal;
  out.start('journal-meta');
  // journal-id is required; only identifiers the record really has are used.
  if (present(journal.doi)) out.leaf('journal-id', journal.doi!, attr('journal-id-type', 'doi'));
  const issns = issnsElectronicFirst(journal.issns);
  out.leaf('journal-id', issns[0]!.value, attr('journal-id-type', 'issn'));
  out.start('journal-title-group').leaf('journal-title', journal.title);
  if (present(journal.abbrevTitle)) out.leaf('abbrev-journal-title', journal.abbrevTitle!);
  out.end();
  for (const issn of issns) out.leaf('issn', issn.value, attr('publication-format', issn.media));
  if (journal.publisher && present(journal.publisher.name)) {
    out.start('publisher').leaf('publisher-name', journal.publisher.name);
    if (present(journal.publisher.place)) out.leaf('publisher-loc', journal.publisher.place!);
    out.end();
  }
  if (present(journal.url)) out.empty('self-uri', attr('xlink:href', journal.url!.trim()));
  out.end();
}

function articleMeta(jats: Jats): void {
  const { out, record } = jats;
  out.start('article-meta');
  out.leaf('article-id', record.doi, attr('pub-id-type', 'doi'));
  for (const id of record.otherIds ?? []) {
    const known = PUB_ID_TYPES.has(id.type);
    out.leaf('article-id', id.value, attr('pub-id-type', known ? id.type : 'custom') + optionalAttr('custom-type', known ? undefined : id.type));
  }
  if (present(record.section)) {
    out.start('article-categories').start('subj-group', attr('subj-group-type', 'heading'));
    out.leaf('subject', record.section!).end().end();
  }
  titleGroup(jats);
  contributors(out, record);
  publicationDates(out, record);

  const issue = record.issue;
  if (present(issue?.volume)) out.leaf('volume', issue!.volume!);
  if (present(issue?.number)) out.leaf('issue', issue!.number!);
  if (present(issue?.title)) out.leaf('issue-title', issue!.title!);
  if (present(record.pages?.first)) {
    out.leaf('fpage', record.pages!.first);
    if (present(record.pages!.last)) out.leaf('lpage', record.pages!.last!);
  } else if (present(record.articleNumber)) {
    out.leaf('elocation-id', record.articleNumber!);
  }

  history(out, record);
  permissions(out, record);

  if (present(record.landingPage)) out.empty('self-uri', attr('xlink:href', record.landingPage!.trim()));
  for (const galley of record.galleys ?? []) {
    const attributes = attr('xlink:href', galley.url.trim()) + attr('content-type', galley.mimeType.trim());
    if (present(galley.label)) out.leaf('self-uri', galley.label!.trim(), attributes);
    else out.empty('self-uri', attributes);
  }

  abstracts(jats);

  for (const lang of languagesPrimaryFirst(record.keywords, record.language)) {
    const keywords = record.keywords![lang]!.filter((k) => present(k) !== undefined);
    if (keywords.length === 0) continue;
    out.start('kwd-group', attr('xml:lang', lang));
    for (const keyword of keywords) out.leaf('kwd', keyword.trim());
    out.end();
  }

  if (record.funding?.length) fundingGroup(out, record.funding);
  out.end();
}

function titleGroup(jats: Jats): void {
  const { out, record } = jats;
  out.start('title-group');
  const languages = languagesPrimaryFirst(record.title, record.language);
  const main = mainTitleLanguage(record);
  richText(jats, 'article-title', main === record.language ? '' : attr('xml:lang', main), record.title[main]!, record.markup?.title?.[main], `markup.title.${main}`);
  if (present(record.subtitle?.[main])) out.leaf('subtitle', record.subtitle![main]!);
  for (const lang of languages) {
    if (lang === main) continue;
    out.start('trans-title-group', attr('xml:lang', lang));
    richText(jats, 'trans-title', '', record.title[lang]!, record.markup?.title?.[lang], `markup.title.${lang}`);
    if (present(record.subtitle?.[lang])) out.leaf('trans-subtitle', record.subtitle![lang]!);
    out.end();
  }
  out.end();
}

/** An element with inline content: the JATS markup fragment when the record has one, else the plain text. */
function richText(jats: Jats, name: string, attributes: string, plain: string, markup: string | undefined, field: string): void {
  const { out, record, scope } = jats;
  if (markup !== undefined && present(markup)) {
    const nodes = parseRecordMarkup(markup, record.doi, field, 'jats');
    if (fragmentWritesText(nodes, JATS_MARKUP, scope.defaultNamespace)) out.startInline(name, attributes);
    else out.start(name, attributes);
    writeFragment(out, nodes, JATS_MARKUP, scope);
    out.end();
  } else {
    out.leaf(name, plain.trim(), attributes);
  }
}

function contributors(out: XmlWriter, record: ArticleRecord): void {
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
    out.start('contrib-group', role === 'author' ? '' : attr('content-type', role));
    for (const contributor of record.contributors) {
      if (contributorRole(contributor) !== role) continue;
      contrib(out, contributor, (aff) => affIds.get(affKey(aff))!);
    }
    out.end();
  }
  affs.forEach((aff, index) => affiliation(out, aff, `aff${index + 1}`));
}

function contrib(out: XmlWriter, contributor: Contributor, affId: (aff: Affiliation) => string): void {
  out.start('contrib', attr('contrib-type', contributorRole(contributor)) + optionalAttr('corresp', contributor.corresponding ? 'yes' : undefined));
  if (present(contributor.orcid)) {
    out.leaf('contrib-id', orcidUrl(contributor.orcid!.trim()), attr('contrib-id-type', 'orcid'));
  }
  if (isOrganization(contributor)) {
    out.leaf('collab', contributor.name ?? '');
  } else {
    const variants = Object.entries(contributor.nameVariants ?? {});
    if (variants.length > 0) {
      out.start('name-alternatives');
      personName(out, contributor);
      for (const [lang, variant] of variants) personName(out, variant, lang);
      out.end();
    } else {
      personName(out, contributor);
    }
  }
  for (const aff of contributor.affiliations ?? []) {
    out.empty('xref', attr('ref-type', 'aff') + attr('rid', affId(aff)));
  }
  // The e-mail stays with its person (JATS4R: contrib/email with corresp="yes"); repeating it
  // in author-notes/corresp would only duplicate it.
  if (present(contributor.email)) out.leaf('email', contributor.email!.trim());
  out.end();
}

function personName(out: XmlWriter, person: { given?: string; family?: string; suffix?: string }, lang?: string): void {
  const family = present(person.family);
  const given = present(person.given);
  out.start('name', optionalAttr('name-style', family ? undefined : 'given-only') + optionalAttr('xml:lang', lang));
  if (family) out.leaf('surname', family);
  if (given) out.leaf('given-names', given);
  if (present(person.suffix)) out.leaf('suffix', person.suffix!.trim());
  out.end();
}

function affiliation(out: XmlWriter, aff: Affiliation, id: string): void {
  out.start('aff', attr('id', id));
  if (present(aff.ror)) {
    out.start('institution-wrap');
    out.leaf('institution', aff.name.trim());
    out.leaf('institution-id', aff.ror!.trim(), attr('institution-id-type', 'ror'));
    out.end();
  } else {
    out.leaf('institution', aff.name.trim());
  }
  if (present(aff.country)) {
    const code = aff.country!.trim().toUpperCase();
    out.leaf('country', countryName(code) ?? code, attr('country', code));
  }
  out.end();
}

function dateElement(out: XmlWriter, name: string, date: DateParts, attributes: string): void {
  out.start(name, attributes + attr('iso-8601-date', date.iso));
  // JATS date-model order: day, month, year.
  if (date.day) out.leaf('day', date.day);
  if (date.month) out.leaf('month', date.month);
  out.leaf('year', String(date.year));
  out.end();
}

const PUBLICATION_FORMAT: Record<Medium, string> = { online: 'electronic', print: 'print' };

function publicationDates(out: XmlWriter, record: ArticleRecord): void {
  // JATS4R publication dates: the article's own dates are date-type="pub", one per medium;
  // the issue's date is date-type="collection". Only the parts that are known are written.
  const published = publishedByMedium(record);
  const collection = issueDate(record);
  if (published.length === 0 && !collection) {
    out.empty('pub-date-not-available');
    return;
  }
  for (const { medium, date } of published) {
    dateElement(out, 'pub-date', date, attr('publication-format', PUBLICATION_FORMAT[medium]) + attr('date-type', 'pub'));
  }
  if (collection) {
    dateElement(out, 'pub-date', collection, attr('publication-format', PUBLICATION_FORMAT[primaryMedium(record)]) + attr('date-type', 'collection'));
  }
}

/** JATS history dates, in the order they happen: received, revised (rev-recd), accepted. */
function history(out: XmlWriter, record: ArticleRecord): void {
  const dates = [
    ['received', dateParts(record.dates?.received)],
    ['rev-recd', dateParts(record.dates?.revised)],
    ['accepted', dateParts(record.dates?.accepted)],
  ] as const;
  if (dates.every(([, date]) => date === undefined)) return;
  out.start('history');
  for (const [type, date] of dates) if (date) dateElement(out, 'date', date, attr('date-type', type));
  out.end();
}

function permissions(out: XmlWriter, record: ArticleRecord): void {
  const copyright = record.copyright;
  const statement = present(copyright?.statement);
  const holder = present(copyright?.holder);
  if (!record.license && !statement && !holder && copyright?.year === undefined) return;
  out.start('permissions');
  if (statement) out.leaf('copyright-statement', statement);
  if (copyright?.year !== undefined) out.leaf('copyright-year', String(copyright.year));
  if (holder) out.leaf('copyright-holder', holder);
  if (record.license) {
    const url = record.license.url.trim();
    out.start('license', attr('xlink:href', url));
    out.leaf('ali:license_ref', url, optionalAttr('start_date', dateParts(record.license.startDate)?.iso));
    out.end();
  }
  out.end();
}

function abstracts(jats: Jats): void {
  const { out, record, scope } = jats;
  const languages = languagesPrimaryFirst(record.abstract, record.language).filter(
    (lang) => present(record.abstract![lang]) !== undefined || present(record.markup?.abstract?.[lang]) !== undefined,
  );
  languages.forEach((lang, index) => {
    const primary = index === 0;
    const name = primary ? 'abstract' : 'trans-abstract';
    const attributes = !primary || lang !== record.language ? attr('xml:lang', lang) : '';
    const markup = record.markup?.abstract?.[lang];
    if (markup !== undefined && present(markup)) {
      const nodes = parseRecordMarkup(markup, record.doi, `markup.abstract.${lang}`, 'jats');
      if (isBlockFragment(nodes)) {
        out.start(name, attributes);
        writeFragment(out, nodes, JATS_MARKUP, scope, true);
      } else {
        out.start(name, attributes);
        if (fragmentWritesText(nodes, JATS_MARKUP, scope.defaultNamespace)) out.startInline('p');
        else out.start('p');
        writeFragment(out, nodes, JATS_MARKUP, scope);
        out.end();
      }
      out.end();
      return;
    }
    out.start(name, attributes);
    for (const paragraph of paragraphs(record.abstract![lang]!)) out.leaf('p', paragraph);
    out.end();
  });
}

function fundingGroup(out: XmlWriter, funding: Funding[]): void {
  out.start('funding-group');
  for (const funder of funding) {
    out.start('award-group');
    const id = present(funder.funderId);
    if (id) {
      out.start('funding-source').start('institution-wrap');
      out.leaf('institution', funder.funderName.trim());
      // JATS4R funding: Open Funder Registry DOIs and ROR ids as institution-id.
      if (/^https?:\/\/ror\.org\//i.test(id)) {
        out.leaf('institution-id', id, attr('institution-id-type', 'ror'));
      } else {
        const registry = id.includes('10.13039/');
        out.leaf(
          'institution-id',
          id.replace(/^https?:\/\/(dx\.)?doi\.org\//i, ''),
          attr('institution-id-type', 'doi') +
            optionalAttr('vocab', registry ? 'open-funder-registry' : undefined) +
            optionalAttr('vocab-identifier', registry ? '10.13039/open-funder-registry' : undefined),
        );
      }
      out.end().end();
    } else {
      out.leaf('funding-source', funder.funderName.trim());
    }
    for (const awardId of funder.awardIds ?? []) {
      if (present(awardId)) out.leaf('award-id', awardId.trim());
    }
    out.end();
  }
  out.end();
}

function referenceList(out: XmlWriter, references: Reference[]): void {
  out.start('ref-list');
  const usedIds = new Set<string>();
  references.forEach((reference, index) => {
    const unstructured = present(reference.unstructured);
    const doi = present(reference.doi);
    const structured = hasStructuredFields(reference.structured);
    if (!unstructured && !doi && !structured) return;

    let id = present(reference.key);
    if (!id || !isXmlId(id) || usedIds.has(id) || /^aff\d+$/.test(id)) {
      let n = index + 1;
      do id = `ref${n++}`;
      while (usedIds.has(id));
    }
    usedIds.add(id);
    out.start('ref', attr('id', id));

    // Both forms of one reference are alternatives of each other (JATS citation-alternatives).
    const alternatives = unstructured && structured;
    if (alternatives) out.start('citation-alternatives');
    if (structured || !unstructured) elementCitation(out, reference);
    if (unstructured) mixedCitation(out, reference, unstructured);
    if (alternatives) out.end();
    out.end();
  });
  out.end();
}

function mixedCitation(out: XmlWriter, reference: Reference, text: string): void {
  out.startInline('mixed-citation', optionalAttr('publication-type', present(reference.publicationType)));
  const doi = present(reference.doi);
  if (!doi) {
    out.text(text).end();
    return;
  }
  // Tag the DOI where the printed citation already shows it; otherwise add it after the text.
  const at = text.toLowerCase().indexOf(doi.toLowerCase());
  if (at >= 0) {
    if (at > 0) out.text(text.slice(0, at));
    out.leaf('pub-id', text.slice(at, at + doi.length), attr('pub-id-type', 'doi'));
    if (at + doi.length < text.length) out.text(text.slice(at + doi.length));
  } else {
    out.text(`${text} `);
    out.leaf('pub-id', doi, attr('pub-id-type', 'doi'));
  }
  out.end();
}

/** An element-citation child when the value is present. */
function citationPart(out: XmlWriter, name: string, value: string | undefined, attributes = ''): void {
  const text = present(value);
  if (text) out.leaf(name, text, attributes);
}

const DOI_PUB_ID = attr('pub-id-type', 'doi');

function elementCitation(out: XmlWriter, reference: Reference): void {
  const fields = reference.structured ?? {};
  out.start('element-citation', optionalAttr('publication-type', present(reference.publicationType)));
  if (present(fields.author)) {
    out.start('person-group', attr('person-group-type', 'author'));
    out.leaf('string-name', fields.author!.trim());
    out.end();
  }
  citationPart(out, 'article-title', fields.articleTitle);
  citationPart(out, 'source', fields.source);
  citationPart(out, 'year', fields.year);
  citationPart(out, 'volume', fields.volume);
  citationPart(out, 'issue', fields.issue);
  citationPart(out, 'fpage', fields.firstPage);
  citationPart(out, 'lpage', fields.lastPage);
  citationPart(out, 'edition', fields.edition);
  citationPart(out, 'publisher-name', fields.publisher);
  citationPart(out, 'isbn', fields.isbn);
  citationPart(out, 'issn', fields.issn);
  citationPart(out, 'pub-id', reference.doi, DOI_PUB_ID);
  out.end();
}
