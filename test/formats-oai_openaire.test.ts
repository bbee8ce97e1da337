import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ExportError } from '../src/formats/errors.js';
import {
  OPENAIRE_SET,
  isOpenAireEligible,
  oaiOpenaireFormat,
  openAireEligibility,
  toOpenAire,
} from '../src/formats/oai_openaire/index.js';
import { parseXmlDocument, type XElement } from '../src/formats/readers/xml.js';
import { generateSyntheticRecords, loadSeedSample, type ArticleRecord } from '../src/model/index.js';
import { formatXmlErrors, validateXml } from '../src/validate/index.js';
import { minimalRecord, sampleRecord } from './formats-helpers.js';

const SAMPLES_DIR = new URL('../../shared/testdata/openaire-samples/', import.meta.url);
const sample = (name: string): string => readFileSync(new URL(name, SAMPLES_DIR), 'utf8');

const NS = {
  oaire: 'http://namespace.openaire.eu/schema/oaire/',
  datacite: 'http://datacite.org/schema/kernel-4',
  dc: 'http://purl.org/dc/elements/1.1/',
};

function expectValid(xml: string): void {
  const result = validateXml(xml, 'openaire-4');
  expect(result.valid, formatXmlErrors(result.errors)).toBe(true);
}

/** Every element below the root, as "{namespace}local" with its attributes and text. */
function inventory(xml: string): { key: string; attrs: Record<string, string>; text: string }[] {
  const out: { key: string; attrs: Record<string, string>; text: string }[] = [];
  const walk = (el: XElement): void => {
    for (const c of el.children) {
      if (c.kind !== 'element') continue;
      const text = c.children.filter((t) => t.kind === 'text').map((t) => (t.kind === 'text' ? t.text : '')).join('').trim();
      out.push({ key: `{${c.ns}}${c.local}`, attrs: Object.fromEntries(c.attrs.filter((a) => a.ns === '').map((a) => [a.local, a.value])), text });
      walk(c);
    }
  };
  walk(parseXmlDocument(xml).root);
  return out;
}

const values = (xml: string, ns: string, local: string) => inventory(xml).filter((e) => e.key === `{${ns}}${local}`);

describe('toOpenAire: the seed article', () => {
  const seed = loadSeedSample();
  const xml = toOpenAire(seed);

  it('passes the official OpenAIRE 4.0 XSD, with the schema location the guidelines give', () => {
    expectValid(xml);
    expect(xml).toContain('xsi:schemaLocation="http://namespace.openaire.eu/schema/oaire/ https://www.openaire.eu/schema/repo-lit/4.0/openaire.xsd"');
  });

  it('has every mandatory element: title, creator, language, publication type and date, identifier, access right', () => {
    expect(values(xml, NS.datacite, 'title').map((t) => [t.text, t.attrs.lang ?? undefined, t.attrs.titleType])).toHaveLength(2);
    expect(values(xml, NS.datacite, 'creatorName').map((c) => c.text)).toEqual(['Akhli, Rangga Amalul', 'Gumilar, Nugraha', 'Halkis, Mhd']);
    expect(values(xml, NS.dc, 'language').map((l) => l.text)).toEqual(['id']);
    expect(values(xml, NS.oaire, 'resourceType')).toEqual([{ key: `{${NS.oaire}}resourceType`, attrs: { resourceTypeGeneral: 'literature', uri: 'http://purl.org/coar/resource_type/c_6501' }, text: 'journal article' }]);
    expect(values(xml, NS.datacite, 'date')).toEqual([{ key: `{${NS.datacite}}date`, attrs: { dateType: 'Issued' }, text: '2018' }]);
    expect(values(xml, NS.datacite, 'identifier')).toEqual([{ key: `{${NS.datacite}}identifier`, attrs: { identifierType: 'URL' }, text: seed.landingPage }]);
    expect(values(xml, NS.datacite, 'rights')).toEqual([{ key: `{${NS.datacite}}rights`, attrs: { rightsURI: 'http://purl.org/coar/access_right/c_abf2' }, text: 'open access' }]);
  });

  it('gives the DOI as an alternate identifier, the licence condition, the version of record and the citation', () => {
    expect(values(xml, NS.datacite, 'alternateIdentifier').map((a) => [a.attrs.alternateIdentifierType, a.text])).toEqual([
      ['DOI', seed.doi],
      ...(seed.otherIds ?? []).map((o) => [o.type, o.value]),
    ]);
    expect(values(xml, NS.oaire, 'licenseCondition').map((l) => [l.attrs.uri, l.text])).toEqual([
      ['https://creativecommons.org/licenses/by/4.0/', 'Creative Commons Attribution 4.0 International'],
    ]);
    expect(values(xml, NS.oaire, 'version').map((v) => [v.attrs.uri, v.text])).toEqual([['http://purl.org/coar/version/c_970fb48d4fbd8a85', 'VoR']]);
    expect(['citationTitle', 'citationVolume', 'citationIssue'].map((n) => values(xml, NS.oaire, n)[0]?.text)).toEqual(['Jurnal Diplomasi Pertahanan', '4', '2']);
  });
});

/** The EuropePMC article in OpenAIRE's sample_journalarticle1.xml, as a pubmeta record. */
function sampleArticleAsRecord(): ArticleRecord {
  return minimalRecord({
    language: 'en',
    title: { en: 'Redox‐Neutral Dual Functionalization of Electron‐Deficient Alkenes' },
    abstract: { en: 'Visible‐light photoredox catalysis has been utilized in a new multicomponent reaction.' },
    keywords: { en: ['acyl radicals', 'cascade transformation', 'multicomponent reactions', 'photoredox catalysis'] },
    contributors: [
      { family: 'Pettersson', given: 'Fredrik' },
      { family: 'Wallentin', given: 'Carl‐Johan', orcid: '0000-0003-1983-9378' },
    ],
    journal: {
      title: 'Chemistry',
      issns: [{ value: '0947-6539', media: 'print' }, { value: '1521-3765', media: 'electronic' }],
      publisher: { name: 'John Wiley and Sons Inc.' },
    },
    issue: { volume: '23', number: '31', year: 2017 },
    pages: { first: '7444', last: '7447' },
    doi: '10.1002/chem.201701589',
    otherIds: [{ type: 'PMID', value: 'PMC5574022' }],
    landingPage: 'http://europepmc.org/articles/PMC5574022',
    galleys: [{ url: 'http://europepmc.org/articles/PMC5574022?pdf=render', mimeType: 'application/pdf' }],
    license: { url: 'http://creativecommons.org/licenses/by-nc/4.0/', startDate: '2018-10-23' },
    dates: { published: { online: '2017-06-08' } },
    funding: [{ funderName: 'European Commission', awardIds: ['660668'] }],
  });
}

describe('toOpenAire against OpenAIRE\'s own journal article sample', () => {
  const ours = toOpenAire(sampleArticleAsRecord());
  const theirs = sample('sample_journalarticle1.xml');

  it('both samples pass the XSD, and so does our record of the same article', () => {
    expectValid(sample('sample_journalarticle1.xml'));
    expectValid(sample('sample_minimal.xml'));
    expectValid(ours);
  });

  it('uses the elements the sample uses, except those the record cannot know', () => {
    const ourKeys = new Set(inventory(ours).map((e) => e.key));
    const theirKeys = new Set(inventory(theirs).map((e) => e.key));
    // The record has no funding stream or award title, and no funder id here (the sample's
    // funderIdentifier is empty).
    const unknowable = new Set([`{${NS.oaire}}fundingStream`, `{${NS.oaire}}awardTitle`, `{${NS.oaire}}funderIdentifier`]);
    expect([...theirKeys].filter((k) => !ourKeys.has(k) && !unknowable.has(k))).toEqual([]);
    // What the record knows beyond the sample: split names and the full text's format.
    expect([...ourKeys].filter((k) => !theirKeys.has(k)).sort()).toEqual([`{${NS.datacite}}familyName`, `{${NS.datacite}}givenName`, `{${NS.dc}}format`].sort());
  });

  it('takes its vocabularies from the same lists: COAR resource type, access right and version; ISSN/EISSN IsPartOf', () => {
    const pick = (xml: string, ns: string, local: string, attribute: string) => values(xml, ns, local).map((e) => e.attrs[attribute]);
    expect(pick(ours, NS.oaire, 'resourceType', 'uri')).toEqual(pick(theirs, NS.oaire, 'resourceType', 'uri'));
    expect(pick(ours, NS.oaire, 'resourceType', 'resourceTypeGeneral')).toEqual(['literature']);
    expect(pick(ours, NS.datacite, 'rights', 'rightsURI')).toEqual(pick(theirs, NS.datacite, 'rights', 'rightsURI'));
    expect(pick(ours, NS.oaire, 'file', 'accessRightsURI')).toEqual(pick(theirs, NS.oaire, 'file', 'accessRightsURI'));
    expect(pick(ours, NS.oaire, 'file', 'objectType')).toEqual(['fulltext']);
    expect(pick(ours, NS.oaire, 'version', 'uri')[0]).toMatch(/^http:\/\/purl\.org\/coar\/version\/c_/);
    const related = (xml: string) => values(xml, NS.datacite, 'relatedIdentifier').map((r) => [r.attrs.relatedIdentifierType, r.attrs.relationType, r.text]).sort();
    expect(related(ours)).toEqual(related(theirs));
    const alternate = (xml: string) => values(xml, NS.datacite, 'alternateIdentifier').map((r) => [r.attrs.alternateIdentifierType, r.text]);
    expect(alternate(ours)).toEqual(alternate(theirs));
    expect(values(ours, NS.oaire, 'licenseCondition').map((l) => l.attrs)).toEqual(values(theirs, NS.oaire, 'licenseCondition').map((l) => l.attrs));
    const citation = (xml: string) => ['citationTitle', 'citationVolume', 'citationIssue', 'citationStartPage', 'citationEndPage'].map((n) => values(xml, NS.oaire, n)[0]?.text);
    expect(citation(ours)).toEqual(citation(theirs));
    expect(values(ours, NS.oaire, 'awardNumber').map((a) => a.text)).toEqual(values(theirs, NS.oaire, 'awardNumber').map((a) => a.text));
  });
});

describe('toOpenAire: edge cases and synthetic records', () => {
  it('passes the XSD for both edge-case samples, with markup characters and Cyrillic/Arabic text intact', () => {
    for (const name of ['synthetic-edge-cases-1.json', 'synthetic-edge-cases-2.json']) {
      const record = sampleRecord(name);
      const xml = toOpenAire(record);
      expectValid(xml);
      const mainTitle = values(xml, NS.datacite, 'title').find((t) => t.attrs.titleType === undefined)!;
      expect(mainTitle.text).toBe(record.title[record.language]);
      expect(values(xml, NS.oaire, 'citationTitle')[0]!.text).toBe(record.journal.title);
    }
  });

  it('writes 250 synthetic records that pass the XSD and carry every mandatory element (the XSD\'s open choice cannot require them)', () => {
    const mandatory = [`{${NS.datacite}}title`, `{${NS.datacite}}creator`, `{${NS.dc}}language`, `{${NS.oaire}}resourceType`, `{${NS.datacite}}date`, `{${NS.datacite}}identifier`, `{${NS.datacite}}rights`];
    const failures: string[] = [];
    for (const record of generateSyntheticRecords(250)) {
      const xml = toOpenAire(record);
      const result = validateXml(xml, 'openaire-4');
      if (!result.valid) failures.push(`${record.id}: ${formatXmlErrors(result.errors)}`);
      const keys = new Set(inventory(xml).map((e) => e.key));
      for (const key of mandatory) if (!keys.has(key)) failures.push(`${record.id}: no ${key}`);
    }
    expect(failures).toEqual([]);
  });

  it('maps article types to COAR resource types', () => {
    const uri = (articleType: string) => values(toOpenAire(minimalRecord({ articleType, license: { url: 'https://creativecommons.org/licenses/by/4.0/' } })), NS.oaire, 'resourceType')[0]!;
    expect([uri('review-article').text, uri('review-article').attrs.uri]).toEqual(['review article', 'http://purl.org/coar/resource_type/c_dcae04bc']);
    expect(uri('editorial').text).toBe('editorial');
    expect(uri('letter').text).toBe('letter to the editor');
    expect(uri('correction').text).toBe('contribution to journal');
  });
});

describe('toOpenAire: what it refuses and what the XSD catches', () => {
  it('throws ExportError for a record whose access right it cannot know (no open licence)', () => {
    for (const license of [undefined, { url: 'https://www.elsevier.com/tdm/userlicense/1.0/' }]) {
      const record = minimalRecord({ id: 'closed-1', ...(license ? { license } : {}) });
      let caught: unknown;
      try {
        toOpenAire(record);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ExportError);
      expect(caught).toMatchObject({ recordId: 'closed-1', field: 'license', format: 'oai_openaire' });
    }
  });

  it('throws ExportError when no publication date is known', () => {
    const record = minimalRecord({ issue: { volume: '1' }, license: { url: 'https://creativecommons.org/licenses/by/4.0/' } });
    expect(() => toOpenAire(record)).toThrow(expect.objectContaining({ field: 'dates.published', format: 'oai_openaire' }));
  });

  it('the XSD rejects a resource type or access right outside the COAR vocabularies', () => {
    const xml = toOpenAire(loadSeedSample());
    expect(validateXml(xml.replace('resource_type/c_6501', 'resource_type/c_9999'), 'openaire-4').valid).toBe(false);
    expect(validateXml(xml.replace('access_right/c_abf2', 'access_right/open'), 'openaire-4').valid).toBe(false);
    expect(validateXml(xml.replace('resourceTypeGeneral="literature"', 'resourceTypeGeneral="article"'), 'openaire-4').valid).toBe(false);
  });
});

describe('the openaire OAI set', () => {
  it('is the set the guidelines name: setSpec "openaire", setName "OpenAIRE"', () => {
    expect(OPENAIRE_SET).toEqual({ spec: 'openaire', name: 'OpenAIRE' });
  });

  it('holds open-access records (an open licence)', () => {
    expect(openAireEligibility(loadSeedSample())).toEqual({ eligible: true, reason: 'open access under https://creativecommons.org/licenses/by/4.0/' });
  });

  it('leaves out records it cannot write as oai_openaire, saying why', () => {
    const closed = minimalRecord({ license: { url: 'https://example.org/all-rights-reserved' }, funding: [{ funderName: 'European Commission', awardIds: ['101000001'] }] });
    const verdict = openAireEligibility(closed);
    expect(verdict.eligible).toBe(false);
    expect(verdict.reason).toMatch(/^cannot be written as oai_openaire: .*needs the access right/);
    expect(isOpenAireEligible(minimalRecord())).toBe(false);
  });

  it('puts a record in the set exactly when it can be written and meets a criterion', () => {
    const records = [loadSeedSample(), sampleRecord('synthetic-edge-cases-1.json'), sampleRecord('synthetic-edge-cases-2.json'), minimalRecord(), ...generateSyntheticRecords(100, 3)];
    for (const record of records) {
      let writes = true;
      try {
        toOpenAire(record);
      } catch {
        writes = false;
      }
      expect(isOpenAireEligible(record), String(record.id ?? record.doi)).toBe(writes);
    }
  });
});

/** A GetRecord response as the OAI provider would send it, with `metadata` inside <metadata>. */
function getRecordResponse(metadata: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">
  <responseDate>2024-01-01T00:00:00Z</responseDate>
  <request verb="GetRecord" identifier="oai:example.org:jdp-323" metadataPrefix="oai_openaire">https://example.org/oai</request>
  <GetRecord><record>
    <header><identifier>oai:example.org:jdp-323</identifier><datestamp>2024-01-01</datestamp><setSpec>openaire</setSpec></header>
    <metadata>${metadata}</metadata>
  </record></GetRecord>
</OAI-PMH>`;
}

describe('oai_openaire inside OAI-PMH responses (schema oai-pmh-openaire)', () => {
  it('validates a GetRecord response carrying the seed as oai_openaire, and catches broken metadata in it', () => {
    const metadata = toOpenAire(loadSeedSample(), { declaration: false });
    const response = validateXml(getRecordResponse(metadata), 'oai-pmh-openaire');
    expect(response.valid, formatXmlErrors(response.errors)).toBe(true);
    expect(validateXml(getRecordResponse(metadata.replace('access_right/c_abf2', 'access_right/c_0000')), 'oai-pmh-openaire').valid).toBe(false);
  });

  it('is its own schema: the oai-pmh one (with oai_dc) rejects oai_openaire metadata as undeclared', () => {
    const metadata = toOpenAire(loadSeedSample(), { declaration: false });
    expect(validateXml(getRecordResponse(metadata), 'oai-pmh').valid).toBe(false);
  });
});

describe('oaiOpenaireFormat descriptor', () => {
  it('offers oai_openaire with the namespace and schema of the guidelines\' ListMetadataFormats table', () => {
    expect(oaiOpenaireFormat.oai).toEqual({
      prefix: 'oai_openaire',
      namespace: 'http://namespace.openaire.eu/schema/oaire/',
      schema: 'https://www.openaire.eu/schema/repo-lit/4.0/openaire.xsd',
    });
    expect(oaiOpenaireFormat.validation).toEqual({ kind: 'xsd', schemaId: 'openaire-4' });
    expect(oaiOpenaireFormat.detect!({ name: 'oaire:resource', namespace: NS.oaire })).toBe(true);
    expect(oaiOpenaireFormat.detect!({ name: 'resource', namespace: NS.datacite })).toBe(false);
  });

  it('writes without the XML declaration for embedding in an OAI-PMH response', () => {
    const embedded = oaiOpenaireFormat.write(loadSeedSample(), { declaration: false });
    expect(embedded.startsWith('<oaire:resource ')).toBe(true);
    expectValid(embedded);
  });
});
