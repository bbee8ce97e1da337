/**
 * The pubmeta article record: one journal article, as editors and publishers know it.
 *
 * Conventions (the JSON Schema in schemas/article.schema.json is the normative form):
 * - Language-specific text is a map keyed by BCP 47 tag (`{"id": "...", "en": "..."}`).
 * - Text values are Unicode plain text. Paragraphs in abstracts are separated by a blank
 *   line ("\n\n"). Rich inline markup, when a source has it, lives beside the plain text in
 *   `markup` as JATS fragments; writers prefer it where the target format allows markup.
 * - Unknown facts are absent. Nothing is invented to satisfy an output format.
 * - Dates are ISO 8601 partial dates: "YYYY", "YYYY-MM" or "YYYY-MM-DD".
 */

/** BCP 47 language tag, for example "id", "en", "ru", "ar", "zh-Hans". */
export type LanguageTag = string;

/** Text per language. */
export type LangMap<T = string> = Record<LanguageTag, T>;

/** "YYYY", "YYYY-MM" or "YYYY-MM-DD". */
export type PartialDate = string;

export type ContributorRole = 'author' | 'editor' | 'translator' | 'chair' | 'reviewer';

export interface Affiliation {
  /** Institution name as printed, for example "Program Studi Diplomasi Pertahanan, Universitas Pertahanan". */
  name: string;
  /** ROR identifier as a full URL: https://ror.org/0xxxxxx00 */
  ror?: string;
  /** ISO 3166-1 alpha-2 country code. */
  country?: string;
}

export interface PersonNameVariant {
  given?: string;
  family: string;
}

export interface Contributor {
  /** "person" (default) or "organization" (a group/collab author). */
  type?: 'person' | 'organization';
  /** Person: given name(s). May be absent (family-name-only authors). */
  given?: string;
  /** Person: family name. Required for persons. */
  family?: string;
  /** Person: suffix such as "Jr." */
  suffix?: string;
  /** Organization: the group name. Required for organizations. */
  name?: string;
  /** The same name in other languages or scripts, keyed by BCP 47 tag (e.g. "ru", "en"). */
  nameVariants?: LangMap<PersonNameVariant>;
  affiliations?: Affiliation[];
  /** Bare ORCID iD "0000-0002-1825-0097" (checksum verified by the schema). */
  orcid?: string;
  email?: string;
  corresponding?: boolean;
  /** Default "author". */
  role?: ContributorRole;
}

export interface Issn {
  /** "NNNN-NNNC" with a valid check digit. */
  value: string;
  media: 'print' | 'electronic';
}

export interface Journal {
  /** Id of the journal profile the record belongs to (pubmeta journal add ID); see src/journals/. */
  id?: string;
  title: string;
  abbrevTitle?: string;
  issns?: Issn[];
  publisher?: { name: string; place?: string };
  /** Journal home page. */
  url?: string;
  /** Journal DOI, when the journal has one. */
  doi?: string;
}

export interface Issue {
  volume?: string;
  number?: string;
  /** Publication year of the issue. */
  year?: number;
  publicationDate?: PartialDate;
  title?: string;
}

export interface Galley {
  url: string;
  /** MIME type, for example "application/pdf" or "text/html". */
  mimeType: string;
  label?: string;
}

export interface Pages {
  /** Arabic or roman numerals ("117", "xii"). */
  first: string;
  last?: string;
}

export interface License {
  /** Licence URL, for example https://creativecommons.org/licenses/by/4.0/ */
  url: string;
  /** Date from which the licence applies. */
  startDate?: PartialDate;
}

export interface Copyright {
  holder?: string;
  year?: number;
  statement?: string;
}

/** Publication dates by medium. Crossref and JATS give each its own media type. */
export interface PublishedDates {
  /** First published online (Crossref media_type="online", JATS publication-format="electronic"). */
  online?: PartialDate;
  /** Published in print (Crossref media_type="print", JATS publication-format="print"). */
  print?: PartialDate;
}

export interface ArticleDates {
  received?: PartialDate;
  accepted?: PartialDate;
  revised?: PartialDate;
  /**
   * Publication dates by medium. Input may still give a single string (the form before
   * dates by medium); validateArticle reads it as the online date.
   */
  published?: PublishedDates;
}

export interface Funding {
  funderName: string;
  /** Funder identifier: Crossref Funder Registry DOI (10.13039/...) or ROR URL. */
  funderId?: string;
  awardIds?: string[];
}

export interface ReferenceFields {
  /** First author's surname (Crossref `author`) or the author string. */
  author?: string;
  /** Article or chapter title. */
  articleTitle?: string;
  /** Journal, book or series title. */
  source?: string;
  volume?: string;
  issue?: string;
  firstPage?: string;
  lastPage?: string;
  year?: string;
  publisher?: string;
  isbn?: string;
  issn?: string;
  edition?: string;
}

export interface Reference {
  /** Label or anchor id in the source ("ref12", "B12"). */
  key?: string;
  /** The citation as printed. */
  unstructured?: string;
  doi?: string;
  /** Parsed fields, when known. */
  structured?: ReferenceFields;
  /** JATS publication type, e.g. "journal", "book", "web". */
  publicationType?: string;
}

export interface OtherId {
  /** JATS pub-id-type / article-id type: "publisher-id", "pmid", "pmcid", "manuscript", ... */
  type: string;
  value: string;
}

/** Rich inline markup, as JATS fragments, parallel to plain text fields. */
export interface RichText {
  /** Title per language as JATS inline content (italic, bold, sub, sup, sc, mml:math ...). */
  title?: LangMap;
  /** Abstract per language as JATS abstract body content (<p>, <sec> ...). */
  abstract?: LangMap;
}

export interface ArticleRecord {
  /** Local identifier, unique in a store. When absent, stores derive it from the DOI. */
  id?: string;
  /** True for generated test records: they must never be deposited or mistaken for real ones. */
  synthetic?: boolean;
  /** Provenance notes, e.g. which values an editor supplied and why. */
  notes?: string[];
  /** Primary language of the article (BCP 47). */
  language: LanguageTag;
  /** JATS article-type, e.g. "research-article" (default). */
  articleType?: string;
  title: LangMap;
  subtitle?: LangMap;
  abstract?: LangMap;
  keywords?: LangMap<string[]>;
  markup?: RichText;
  contributors: Contributor[];
  journal: Journal;
  issue?: Issue;
  /** DOI, normalised: no resolver prefix, lowercase. */
  doi: string;
  otherIds?: OtherId[];
  landingPage?: string;
  galleys?: Galley[];
  pages?: Pages;
  /** Article number / elocation-id used instead of pages. */
  articleNumber?: string;
  section?: string;
  license?: License;
  copyright?: Copyright;
  dates?: ArticleDates;
  funding?: Funding[];
  references?: Reference[];
}
