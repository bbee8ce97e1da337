// The seven new formats through their descriptors only, as the export pipeline will use them:
// write, then validate by the descriptor's own validation (XSD, JSON Schema or round trip).
import { describe, expect, it } from 'vitest';
import { bibtexFormat } from '../src/formats/bibtex/index.js';
import { citationMetaFormat } from '../src/formats/citation_meta/index.js';
import { cslFormat } from '../src/formats/csl/index.js';
import { dataciteFormat } from '../src/formats/datacite/index.js';
import type { FormatDescriptor } from '../src/formats/descriptor.js';
import { oaiOpenaireFormat } from '../src/formats/oai_openaire/index.js';
import { risFormat } from '../src/formats/ris/index.js';
import { schemaorgFormat } from '../src/formats/schemaorg/index.js';
import { generateSyntheticRecords, loadSeedSample, type ArticleRecord } from '../src/model/index.js';
import { formatXmlErrors, validateXml, type SchemaId } from '../src/validate/index.js';
import { validateJsonText, type JsonSchemaId } from '../src/validate/schemas.js';
import { sampleRecord } from './formats-helpers.js';

const NEW_FORMATS: FormatDescriptor[] = [dataciteFormat, oaiOpenaireFormat, cslFormat, bibtexFormat, risFormat, schemaorgFormat, citationMetaFormat];

/** Problems with `output` by the descriptor's own validation; [] when valid. */
function validate(format: FormatDescriptor, output: string, record: ArticleRecord): string[] {
  const validation = format.validation;
  switch (validation.kind) {
    case 'xsd': {
      const result = validateXml(output, validation.schemaId as SchemaId);
      return result.valid ? [] : [formatXmlErrors(result.errors)];
    }
    case 'json-schema': {
      const result = validateJsonText(output, validation.schemaId as JsonSchemaId);
      return result.errors.map((e) => `${e.pointer} ${e.message}`);
    }
    case 'round-trip':
      return validation.check(output, record);
  }
}

describe('the new format descriptors', () => {
  it('have distinct ids from the registry\'s list, and the fields of the sketch', () => {
    expect(NEW_FORMATS.map((f) => f.id)).toEqual(['datacite', 'oai_openaire', 'csl', 'bibtex', 'ris', 'schemaorg', 'citation_meta']);
    for (const format of NEW_FORMATS) {
      expect(format.label, format.id).not.toBe('');
      expect(format.extension, format.id).toMatch(/^[a-z]+$/);
      expect(format.mediaType, format.id).toMatch(/^[a-z]+\/[\w.+-]+$/);
      expect(typeof format.write).toBe('function');
    }
  });

  const records = [loadSeedSample(), sampleRecord('synthetic-edge-cases-1.json'), sampleRecord('synthetic-edge-cases-2.json'), ...generateSyntheticRecords(200, 11)];
  for (const format of NEW_FORMATS) {
    it(`${format.id}: the seed, both edge-case samples and 200 synthetic records write and validate`, () => {
      const failures: string[] = [];
      for (const record of records) {
        const problems = validate(format, format.write(record), record);
        if (problems.length > 0) failures.push(`${record.id}: ${problems.join('; ')}`);
      }
      expect(failures).toEqual([]);
    });
  }

  it('a validation that can fail: each format\'s output for one record does not validate as another record\'s', () => {
    const [seed, edge] = records as [ArticleRecord, ArticleRecord];
    for (const format of NEW_FORMATS) {
      const problems = format.validation.kind === 'round-trip' ? validate(format, format.write(seed), edge) : validate(format, `${format.write(seed).slice(0, 200)}`, seed);
      expect(problems.length, format.id).toBeGreaterThan(0);
    }
  });
});
