import { describe, expect, it } from 'vitest';
import { loadSeedJournalProfile, type JournalProfile } from '../src/journals/index.js';
import { describeBackends, useTestStores } from './helpers/backends.js';

const other: JournalProfile = {
  id: 'jsms',
  title: 'Journal of Synthetic Metadata Studies',
  issnPrint: '2345-6789',
  doiPrefixes: ['10.5555'],
  landingUrl: 'https://journals.example.org/jsms/{doiSuffix}',
};

describeBackends('journal profiles in the store', (backend) => {
  const stores = useTestStores(backend);

  it('creates, reads back equal, lists in id order, reports unchanged and updated, removes', async () => {
    const store = await stores.store();
    const seed = loadSeedJournalProfile();
    expect(await store.journals.list()).toEqual([]);
    expect(await store.journals.upsert(seed)).toBe('created');
    expect(await store.journals.upsert(other)).toBe('created');
    expect(await store.journals.get('jdp')).toEqual(seed);
    expect((await store.journals.list()).map((p) => p.id)).toEqual(['jdp', 'jsms']);

    // Key order does not make a change.
    const reordered = Object.fromEntries(Object.entries(seed).reverse()) as unknown as JournalProfile;
    expect(await store.journals.upsert(reordered)).toBe('unchanged');
    // The whole profile is replaced: a field left out is gone.
    const { landingUrl: _gone, ...withoutLanding } = seed;
    expect(await store.journals.upsert({ ...withoutLanding, issnElectronic: '2549-9823' })).toBe('updated');
    const stored = await store.journals.get('jdp');
    expect(stored?.issnElectronic).toBe('2549-9823');
    expect(stored?.landingUrl).toBeUndefined();

    expect(await store.journals.remove('jdp')).toBe(true);
    expect(await store.journals.remove('jdp')).toBe(false);
    expect(await store.journals.get('jdp')).toBeUndefined();
    expect((await store.journals.list()).map((p) => p.id)).toEqual(['jsms']);
  });

  it('commits with a transaction and rolls back with it', async () => {
    const store = await stores.store();
    await expect(
      store.withTransaction(async (tx) => {
        await tx.journals.upsert(other);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await store.journals.get('jsms')).toBeUndefined();
    await store.withTransaction(async (tx) => {
      await tx.journals.upsert(other);
    });
    expect(await store.journals.get('jsms')).toEqual(other);
  });
});

describe('journal profiles survive reopening', () => {
  it('keeps profiles in the file', async () => {
    const { sqliteBackend } = await import('./helpers/backends.js');
    const target = await sqliteBackend.createTarget();
    try {
      const first = await target.open();
      await first.journals.upsert(other);
      await first.close();
      const second = await target.open();
      expect(await second.journals.get('jsms')).toEqual(other);
      await second.close();
    } finally {
      await target.drop();
    }
  });
});
