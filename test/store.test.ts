import { describe, expect, it } from 'vitest';
import { generateSyntheticRecords, loadSeedSample, type ArticleRecord } from '../src/model/index.js';
import { openDatabase } from '../src/store/db.js';
import { SqliteRecordStore } from '../src/store/sqliteRecordStore.js';
import { journalSetSpec, recordSetSpecs, recordSets, SET_SPEC_PATTERN } from '../src/store/setSpecs.js';
import { memoryStore } from './helpers/oai.js';

function clone<T>(value: T): T {
  return structuredClone(value);
}

/** The same JSON object with its keys in reverse order, at every level. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reverseKeys(v)]));
  }
  return value;
}

describe('SqliteRecordStore upsert', () => {
  it('creates, keeps the datestamp when content is unchanged (key order ignored), updates on change', () => {
    const { store, clock } = memoryStore('2024-03-01T10:00:00.750Z');
    const seed = loadSeedSample();
    expect(store.upsert(seed)).toEqual({ localId: 'jdp-323', outcome: 'created', datestamp: '2024-03-01T10:00:00Z' });

    clock.advance(60);
    const again = store.upsert(reverseKeys(clone(seed)) as ArticleRecord);
    expect(again).toEqual({ localId: 'jdp-323', outcome: 'unchanged', datestamp: '2024-03-01T10:00:00Z' });

    clock.advance(60);
    const changed = clone(seed);
    changed.title.en = 'A corrected title';
    expect(store.upsert(changed)).toEqual({ localId: 'jdp-323', outcome: 'updated', datestamp: '2024-03-01T10:02:00Z' });
    expect(store.get('jdp-323')!.record!.title.en).toBe('A corrected title');
  });

  it('keys records by id, else DOI', () => {
    const { store } = memoryStore();
    const withoutId = clone(loadSeedSample());
    delete withoutId.id;
    expect(store.upsert(withoutId).localId).toBe('10.33172/jdp.v4i2.323');
  });

  it('delete leaves a persistent tombstone dated at deletion; re-import undeletes with a new datestamp', () => {
    const { store, clock } = memoryStore();
    const seed = loadSeedSample();
    store.upsert(seed);
    clock.advance(3600);
    expect(store.delete('jdp-323')).toBe(true);
    const tombstone = store.get('jdp-323')!;
    expect(tombstone).toMatchObject({ deleted: true, datestamp: '2024-03-01T11:00:00Z', sets: ['jurnal-diplomasi-pertahanan'] });
    expect(tombstone.record).toBeUndefined();

    // Deleting again does not move the deletion date (OAI-PMH §2.5.1).
    clock.advance(60);
    expect(store.delete('jdp-323')).toBe(true);
    expect(store.get('jdp-323')!.datestamp).toBe('2024-03-01T11:00:00Z');
    expect(store.delete('no-such-record')).toBe(false);

    // The tombstone stays visible to date- and set-restricted listings.
    expect(store.list({ set: 'jurnal-diplomasi-pertahanan' }, 10).map((r) => r.deleted)).toEqual([true]);

    clock.advance(60);
    expect(store.upsert(seed)).toEqual({ localId: 'jdp-323', outcome: 'undeleted', datestamp: '2024-03-01T11:02:00Z' });
    expect(store.get('jdp-323')!.deleted).toBe(false);
  });

  it('survives reopening the file, and migrations run once', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'pubmeta-store-'));
    try {
      const file = join(dir, 'store.db');
      const first = new SqliteRecordStore(openDatabase(file), { clock: () => new Date('2024-01-01T00:00:00Z') });
      first.upsert(loadSeedSample());
      const secret = first.getOrCreateMeta('k', () => 'first');
      first.db.close();
      const second = new SqliteRecordStore(openDatabase(file));
      expect(second.get('jdp-323')!.datestamp).toBe('2024-01-01T00:00:00Z');
      expect(second.getOrCreateMeta('k', () => 'second')).toBe(secret);
      second.db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SqliteRecordStore listing', () => {
  it('lists in (datestamp, localId) order with inclusive bounds and keyset continuation', () => {
    const { store, clock } = memoryStore('2024-01-01T00:00:00Z');
    const records = generateSyntheticRecords(30, 7);
    records.forEach((record, i) => {
      if (i % 10 === 0) clock.advance(1);
      store.upsert(record);
    });
    const all = store.list({}, 1000);
    expect(all).toHaveLength(30);
    const keys = all.map((r) => `${r.datestamp} ${r.localId}`);
    expect([...keys].sort()).toEqual(keys);

    expect(store.count({ from: '2024-01-01T00:00:02Z', until: '2024-01-01T00:00:02Z' })).toBe(10);
    const page1 = store.list({}, 12);
    const page2 = store.list({ after: { datestamp: page1[11]!.datestamp, localId: page1[11]!.localId } }, 100);
    expect([...page1, ...page2].map((r) => r.localId)).toEqual(all.map((r) => r.localId));
    expect(store.earliestDatestamp()).toBe('2024-01-01T00:00:01Z');
    expect(store.list({}, 5, { headersOnly: true }).every((r) => r.record === undefined)).toBe(true);
  });

  it('matches sets hierarchically: a journal set includes its section sets (OAI-PMH §2.6)', () => {
    const { store } = memoryStore();
    const base = loadSeedSample();
    const inSection = { ...clone(base), id: 'a', section: 'Research Articles' };
    const inJournal = { ...clone(base), id: 'b' };
    const otherSection = { ...clone(base), id: 'c', section: 'Book Reviews' };
    for (const r of [inSection, inJournal, otherSection]) store.upsert(r);
    const journal = 'jurnal-diplomasi-pertahanan';
    expect(store.list({ set: journal }, 10).map((r) => r.localId).sort()).toEqual(['a', 'b', 'c']);
    expect(store.list({ set: `${journal}:research-articles` }, 10).map((r) => r.localId)).toEqual(['a']);
    expect(store.count({ set: `${journal}:research-articles` })).toBe(1);
    expect(store.list({ set: 'jurnal' }, 10)).toEqual([]);
    expect(store.get('a')!.sets).toEqual([`${journal}:research-articles`]);
    expect(store.listSets()).toEqual([
      { setSpec: journal, setName: 'Jurnal Diplomasi Pertahanan' },
      { setSpec: `${journal}:book-reviews`, setName: 'Jurnal Diplomasi Pertahanan: Book Reviews' },
      { setSpec: `${journal}:research-articles`, setName: 'Jurnal Diplomasi Pertahanan: Research Articles' },
    ]);
    expect(store.hasSets()).toBe(true);
  });

  it('moves a record between sets when its section changes', () => {
    const { store } = memoryStore();
    const record = { ...clone(loadSeedSample()), section: 'Articles' };
    store.upsert(record);
    store.upsert({ ...record, section: 'Reviews' });
    expect(store.list({ set: 'jurnal-diplomasi-pertahanan:articles' }, 10)).toEqual([]);
    expect(store.listSets().map((s) => s.setSpec)).toEqual(['jurnal-diplomasi-pertahanan', 'jurnal-diplomasi-pertahanan:reviews']);
  });

  it('has no sets when empty', () => {
    const { store } = memoryStore();
    expect(store.hasSets()).toBe(false);
    expect(store.listSets()).toEqual([]);
    expect(store.earliestDatestamp()).toBeUndefined();
  });
});

describe('recordSetSpecs', () => {
  const journal = (title: string, extra: Partial<ArticleRecord['journal']> = {}) => ({ title, ...extra });

  it('slugs the abbreviated title, else the title, to setSpec characters (OAI-PMH §2.6, setSpecType)', () => {
    expect(journalSetSpec(journal('Journal of Synthetic Tests & <Edge> Cases', { abbrevTitle: 'J. Synth. Tests Edge Cases' }))).toBe('j-synth-tests-edge-cases');
    expect(journalSetSpec(journal('Revista Española de Pedagogía'))).toBe('revista-espanola-de-pedagogia');
  });

  it('falls back to the ISSN, then a stable hash, for titles in other scripts', () => {
    expect(journalSetSpec(journal('مجلة', { issns: [{ value: '1050-124X', media: 'print' }] }))).toBe('issn-1050-124x');
    const hashed = journalSetSpec(journal('Журнал'));
    expect(hashed).toMatch(/^journal-[0-9a-f]{10}$/);
    expect(journalSetSpec(journal('Журнал'))).toBe(hashed);
    expect(journalSetSpec(journal('Другой журнал'))).not.toBe(hashed);
  });

  it('gives one header setSpec (the most specific) and names every set', () => {
    const record = { ...loadSeedSample(), section: 'Artikel Penelitian' };
    expect(recordSetSpecs(record)).toEqual(['jurnal-diplomasi-pertahanan:artikel-penelitian']);
    expect(recordSets(record)).toEqual([
      { setSpec: 'jurnal-diplomasi-pertahanan', setName: 'Jurnal Diplomasi Pertahanan' },
      { setSpec: 'jurnal-diplomasi-pertahanan:artikel-penelitian', setName: 'Jurnal Diplomasi Pertahanan: Artikel Penelitian' },
    ]);
  });

  it('always produces legal setSpecs for generated records', () => {
    for (const record of generateSyntheticRecords(200, 3)) {
      for (const set of recordSets(record)) expect(set.setSpec).toMatch(SET_SPEC_PATTERN);
    }
  });
});
