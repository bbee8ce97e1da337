// Round trips through the writers and readers: record -> JATS -> record and
// record -> Crossref -> record give back the same record, except for the fields each format
// cannot carry. Those are listed below by name with the reason; each exclusion is a named
// transform applied to both sides, never a silent skip.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ExportError, toCrossref, toJats } from '../src/formats/index.js';
import { readCrossref, readJats } from '../src/formats/index.js';
import { generateSyntheticRecords, validateArticle, type ArticleRecord } from '../src/model/index.js';

const SAMPLE_NAMES = ['seed-jdp-323', 'synthetic-edge-cases-1', 'synthetic-edge-cases-2'];
const samples = SAMPLE_NAMES.map(
  (name) => JSON.parse(readFileSync(fileURLToPath(new URL(`../samples/${name}.json`, import.meta.url)), 'utf8')) as ArticleRecord,
);
const HEAD = { depositor: { name: 'Round Trip Test', email: 'roundtrip@example.org' }, registrant: 'pubmeta tests', batchId: 'roundtrip-0001', timestamp: 1_700_000_000_000 };

interface Exclusion {
  field: string;
  reason: string;
  /** Brings both sides to what the format can express; mutates the copies it is given. */
  apply(original: ArticleRecord, read: ArticleRecord): void;
}

const drop = (field: string, reason: string, remove: (r: ArticleRecord) => void): Exclusion => ({
  field,
  reason,
  apply(original, read) {
    remove(original);
    remove(read);
  },
});

/** Exclusions every format shares: facts about the store, not about the article. */
const COMMON: Exclusion[] = [
  drop('id', 'the local store id is not article metadata; neither format has a place for it', (r) => delete r.id),
  drop('synthetic', 'a marker on generated test records, not article metadata', (r) => delete r.synthetic),
  drop('notes', 'provenance notes for editors, not article metadata', (r) => delete r.notes),
  {
    field: 'contributors[].type, contributors[].role',
    reason: 'absent type and role mean "person" and "author" in the model; the readers state them explicitly',
    apply(original) {
      for (const c of original.contributors) {
        c.type ??= 'person';
        c.role ??= 'author';
      }
    },
  },
  {
    field: 'journal.issns order',
    reason: 'both writers list the electronic ISSN first; the order carries no meaning',
    apply(original, read) {
      for (const r of [original, read]) r.journal.issns?.sort((a, b) => a.media.localeCompare(b.media) || a.value.localeCompare(b.value));
    },
  },
  {
    field: 'references[].key when absent',
    reason: 'JATS ref/@id and Crossref citation/@key are required; the writers number unkeyed references ref1, ref2, ...',
    apply(original, read) {
      original.references?.forEach((ref, index) => {
        const back = read.references?.[index];
        if (ref.key === undefined && back?.key === `ref${index + 1}`) delete back.key;
      });
    },
  },
];

const JATS_EXCLUSIONS: Exclusion[] = [
  ...COMMON,
  {
    field: 'articleType when absent',
    reason: 'JATS article/@article-type is always written; an absent type is written and read back as "research-article"',
    apply(original, read) {
      if (original.articleType === undefined && read.articleType === 'research-article') delete read.articleType;
    },
  },
  {
    field: 'contributors order across roles',
    reason: 'JATS groups contributors in one contrib-group per role; the order within each role is kept',
    apply(original) {
      const roles = [...new Set(original.contributors.map((c) => c.role ?? 'author'))];
      original.contributors = roles.flatMap((role) => original.contributors.filter((c) => (c.role ?? 'author') === role));
    },
  },
  {
    field: 'issue.year when only issue.publicationDate is given',
    reason: 'JATS has one collection pub-date for the issue; its year reads back as issue.year',
    apply(original, read) {
      if (original.issue?.year === undefined && read.issue?.year !== undefined) delete read.issue.year;
    },
  },
];

const CROSSREF_EXCLUSIONS: Exclusion[] = [
  ...COMMON,
  drop('articleType', 'journal_article has no article type', (r) => delete r.articleType),
  drop('section', 'journal_article has no section', (r) => delete r.section),
  drop('keywords', 'Crossref 5.3.1 journal articles carry no keywords', (r) => delete r.keywords),
  drop('copyright', 'Crossref carries the licence, not the copyright statement', (r) => delete r.copyright),
  drop('journal.publisher', 'journal_metadata has no publisher', (r) => delete r.journal.publisher),
  drop('otherIds', 'the writer registers the DOI only; publisher_item identifiers are not written', (r) => delete r.otherIds),
  drop('dates.received', 'journal_article has acceptance_date but no received date', (r) => {
    if (r.dates) delete r.dates.received;
  }),
  drop('contributors[].email, .corresponding, .nameVariants, affiliations[].country', 'person_name has no e-mail, corresponding flag or country; alt-name is not written', (r) => {
    for (const c of r.contributors) {
      delete c.email;
      delete c.corresponding;
      delete c.nameVariants;
      for (const a of c.affiliations ?? []) delete a.country;
    }
  }),
  drop('galleys[].label', 'collection items carry a URL and MIME type, no label', (r) => {
    for (const g of r.galleys ?? []) delete g.label;
  }),
  drop('references[].publicationType, structured.lastPage, structured.publisher', 'citation_t has no publication type, last page or publisher', (r) => {
    for (const ref of r.references ?? []) {
      delete ref.publicationType;
      if (ref.structured) {
        delete ref.structured.lastPage;
        delete ref.structured.publisher;
        if (Object.keys(ref.structured).length === 0) delete ref.structured;
      }
    }
  }),
  {
    field: 'title and subtitle in languages other than the main title',
    reason: 'a further <titles> says no language (Crossref multi-language practice), so the reader cannot key it',
    apply(original, read) {
      const main = original.title[original.language] !== undefined ? original.language : Object.keys(original.title)[0]!;
      original.title = { [main]: original.title[main]! };
      if (original.subtitle) original.subtitle = original.subtitle[main] !== undefined ? { [main]: original.subtitle[main]! } : undefined;
      if (!original.subtitle) delete original.subtitle;
      if (read.subtitle && Object.keys(read.subtitle).length === 0) delete read.subtitle;
    },
  },
  {
    field: 'journal.doi and journal.url unless both are given',
    reason: 'journal_metadata/doi_data needs both the DOI and its resource URL',
    apply(original) {
      if (!original.journal.doi || !original.journal.url) {
        delete original.journal.doi;
        delete original.journal.url;
      }
    },
  },
  {
    field: 'dates.published when absent; issue.year when absent',
    reason: 'Crossref requires a publication date on every article and issue: the writer uses the issue date or year, which reads back as stated',
    apply(original, read) {
      if (original.dates?.published === undefined && read.dates) delete read.dates.published;
      if (read.dates && Object.keys(read.dates).length === 0) delete read.dates;
      if (original.issue?.year === undefined && read.issue) delete read.issue.year;
      if (original.dates && Object.keys(original.dates).length === 0) delete original.dates;
    },
  },
  {
    field: 'galleys without a PDF; galleys of MIME types Crossref does not list',
    reason: 'full-text collections are written only when a PDF exists (Similarity Check), and item resources only for mime_type values the schema enumerates',
    apply(original) {
      const galleys = original.galleys ?? [];
      if (!galleys.some((g) => g.mimeType === 'application/pdf')) delete original.galleys;
    },
  },
  {
    field: 'license.startDate unless a full date',
    reason: 'ai:license_ref/@start_date is an xsd:date',
    apply(original) {
      if (original.license?.startDate && original.license.startDate.length !== 10) delete original.license.startDate;
    },
  },
];

function comparable(original: ArticleRecord, read: ArticleRecord, exclusions: Exclusion[]): [ArticleRecord, ArticleRecord] {
  const a = structuredClone(original);
  const b = structuredClone(read);
  for (const exclusion of exclusions) exclusion.apply(a, b);
  return [a, b];
}

function validRecord(record: ArticleRecord, label: string): ArticleRecord {
  const checked = validateArticle(record);
  if (!checked.ok) throw new Error(`${label}: read record is invalid:\n${checked.errors.map((e) => `${e.pointer}: ${e.message}`).join('\n')}`);
  return checked.record;
}

function jatsRoundTrip(record: ArticleRecord): ArticleRecord {
  const { records } = readJats(toJats(record));
  expect(records).toHaveLength(1);
  return validRecord(records[0]!, record.doi);
}

function crossrefRoundTrip(record: ArticleRecord): ArticleRecord {
  const { records } = readCrossref(toCrossref([record], HEAD));
  expect(records).toHaveLength(1);
  return validRecord(records[0]!, record.doi);
}

describe('exclusion lists', () => {
  it('name a field and a reason for every excluded field', () => {
    for (const exclusion of [...JATS_EXCLUSIONS, ...CROSSREF_EXCLUSIONS]) {
      expect(exclusion.field.length).toBeGreaterThan(1);
      expect(exclusion.reason.length).toBeGreaterThan(20);
    }
  });
});

describe('record -> JATS -> record', () => {
  it('refuses the seed sample, which has no ISSN (JATS Publishing requires issn+)', () => {
    expect(() => toJats(samples[0]!)).toThrow(ExportError);
  });

  for (const [index, name] of SAMPLE_NAMES.entries()) {
    if (index === 0) continue;
    it(`gives back ${name}`, () => {
      const original = samples[index]!;
      const [expected, actual] = comparable(original, jatsRoundTrip(original), JATS_EXCLUSIONS);
      expect(actual).toEqual(expected);
    });
  }

  it('gives back 1,000 synthetic records', () => {
    for (const original of generateSyntheticRecords(1000, 7)) {
      const [expected, actual] = comparable(original, jatsRoundTrip(original), JATS_EXCLUSIONS);
      expect(actual, original.doi).toEqual(expected);
    }
  });
});

describe('record -> Crossref -> record', () => {
  for (const [index, name] of SAMPLE_NAMES.entries()) {
    it(`gives back ${name}`, () => {
      const original = samples[index]!;
      const [expected, actual] = comparable(original, crossrefRoundTrip(original), CROSSREF_EXCLUSIONS);
      expect(actual).toEqual(expected);
    });
  }

  it('gives back 1,000 synthetic records', () => {
    for (const original of generateSyntheticRecords(1000, 7)) {
      const [expected, actual] = comparable(original, crossrefRoundTrip(original), CROSSREF_EXCLUSIONS);
      expect(actual, original.doi).toEqual(expected);
    }
  });

  it('reads every article of a multi-journal batch with its own journal and issue', () => {
    const records = generateSyntheticRecords(40, 11);
    const { records: back } = readCrossref(toCrossref(records, HEAD));
    expect(back.map((r) => r.doi).sort()).toEqual(records.map((r) => r.doi).sort());
    for (const read of back) {
      const original = records.find((r) => r.doi === read.doi)!;
      expect(read.journal.title).toBe(original.journal.title);
      expect(read.issue?.volume).toBe(original.issue?.volume);
      expect(read.issue?.number).toBe(original.issue?.number);
    }
  });
});

describe('JATS written by pubmeta converts to the same Crossref deposit as the record', () => {
  const withoutHead = (xml: string): string => xml.replace(/<head>[\s\S]*?<\/head>/, '<head/>');
  for (const [index, name] of SAMPLE_NAMES.entries()) {
    if (index === 0) continue; // no JATS for the seed: see above
    it(name, () => {
      const original = validRecord(samples[index]!, name);
      const direct = toCrossref([original], HEAD);
      const viaJats = toCrossref([jatsRoundTrip(original)], HEAD);
      expect(withoutHead(viaJats)).toBe(withoutHead(direct));
    });
  }

  it('for 200 synthetic records', () => {
    for (const original of generateSyntheticRecords(200, 3)) {
      expect(withoutHead(toCrossref([jatsRoundTrip(original)], HEAD)), original.doi).toBe(withoutHead(toCrossref([original], HEAD)));
    }
  });
});

describe('text that looks like XML survives both formats', () => {
  // Plain-text fields are text, not markup: "&amp;" typed into a title is eight characters.
  // (Fails while the writers let xmlbuilder2 emit "&name;"-like text unescaped.)
  const record = validRecord(
    {
      ...structuredClone(samples[1]!),
      title: { en: 'R&D: &amp; is not &, &foo; is not an entity, &#x41; is not "A" <i>nor</i> markup' },
      subtitle: undefined,
    } as ArticleRecord,
    'entity-like text',
  );
  it('record -> JATS -> record', () => {
    expect(jatsRoundTrip(record).title).toEqual(record.title);
  });
  it('record -> Crossref -> record', () => {
    expect(crossrefRoundTrip(record).title).toEqual(record.title);
  });
});
