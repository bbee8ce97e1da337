/** The config file's `journals` (issue 9): validated as profiles, upserted into the store at worker start. */
import { expect, it } from 'vitest';
import { createConfiguredWorker, validateWorkerConfig, WorkerConfigError } from '../src/worker/index.js';
import { loadSeedJournalProfile } from '../src/journals/index.js';
import { describeBackends, useTestStores } from './helpers/backends.js';

const jdp = { id: 'jdp', title: 'Jurnal Diplomasi Pertahanan', doiPrefixes: ['10.33172'], landingUrl: 'https://jurnalprodi.idu.ac.id/index.php/DP/article/view/{manuscript}' };

it('a journal id twice, a bad ISSN or an unknown placeholder is a config error naming /journals/N/...', () => {
  let error: unknown;
  try {
    validateWorkerConfig({ journals: [jdp, { ...jdp, title: 'Again' }, { id: 'x', title: 'X', issnPrint: '1234-5678', pdfUrl: 'https://x.example.org/{nope}' }] }, 'test.json');
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(WorkerConfigError);
  const problems = (error as WorkerConfigError).problems;
  expect(problems).toContainEqual({ pointer: '/journals/1/id', message: 'repeats the id "jdp" of /journals/0' });
  expect(problems.some((p) => p.pointer === '/journals/2/issnPrint' && /check digit/.test(p.message))).toBe(true);
  expect(problems.some((p) => p.pointer === '/journals/2/pdfUrl' && /unknown placeholder \{nope\}/.test(p.message))).toBe(true);
});

it('valid journals come back in normal form (ISSN hyphenated, doiPrefixes present)', () => {
  const config = validateWorkerConfig({ journals: [{ id: 'a', title: 'A', issnPrint: '03785955' }] });
  expect(config.journals).toEqual([{ id: 'a', title: 'A', issnPrint: '0378-5955', doiPrefixes: [] }]);
});

describeBackends('config journals at worker start', (backend) => {
  const stores = useTestStores(backend);

  it('upserts the config journals into the store and keeps profiles added by the CLI', async () => {
    const target = await stores.target();
    const store = await stores.reopen(target);
    await store.journals.upsert({ id: 'cli-added', title: 'Added From The CLI', doiPrefixes: [] });
    const config = validateWorkerConfig({ journals: [jdp], jobs: { export: { enabled: false }, deposit: { enabled: false } } });
    const configured = await createConfiguredWorker({ config, baseDir: process.cwd() }, { db: target.db });
    try {
      expect(configured.notices).toContain('journal profiles from the config saved in the store: jdp');
    } finally {
      await configured.close();
    }
    expect((await store.journals.list()).map((p) => p.id)).toEqual(['cli-added', 'jdp']);
    expect((await store.journals.get('jdp'))?.landingUrl).toBe(loadSeedJournalProfile().landingUrl);

    // A config journal taking an ISSN a stored profile has is refused before anything is written.
    await store.journals.upsert({ id: 'cli-added', title: 'Added From The CLI', issnPrint: '0378-5955', doiPrefixes: [] });
    const clash = validateWorkerConfig({ journals: [{ ...jdp, issnElectronic: '0378-5955' }], jobs: { export: { enabled: false }, deposit: { enabled: false } } });
    await expect(createConfiguredWorker({ config: clash, baseDir: process.cwd() }, { db: target.db })).rejects.toThrow(/journal "jdp"\/issnElectronic: 0378-5955 is already the ISSN of journal "cli-added"/);
    expect((await store.journals.get('jdp'))?.issnElectronic).toBeUndefined();
  });
});
