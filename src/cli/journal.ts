import { EnvironmentError, openCliStore, UsageError } from './conventions.js';
import type { Command } from 'commander';
import { openStore, resolveStoreTarget, describeStoreTarget, type Store } from '../store/index.js';
import { profilePlaceholders, saveJournalProfile, type JournalProfile } from '../journals/index.js';
import type { FieldError } from '../model/validate-article.js';

const DB_HELP = 'the store: a SQLite file or a postgres:// URL (default: $PUBMETA_DB, else ./pubmeta.db)';
/** Exit statuses (DESIGN: 2 usage, 4 environment). */

interface ProfileFlags {
  title?: string;
  abbrevTitle?: string;
  issnPrint?: string;
  issnElectronic?: string;
  publisher?: string;
  doiPrefix?: string[];
  landingUrl?: string;
  pdfUrl?: string;
  xmlUrl?: string;
  depositorName?: string;
  depositorEmail?: string;
  registrant?: string;
  license?: string;
  language?: string;
  db?: string;
  json?: boolean;
}

/** Profile field → the option that sets it, for messages. */
const FLAG_OF: Record<string, string> = {
  id: 'ID',
  title: '--title',
  abbrevTitle: '--abbrev-title',
  issnPrint: '--issn-print',
  issnElectronic: '--issn-electronic',
  publisher: '--publisher',
  doiPrefixes: '--doi-prefix',
  landingUrl: '--landing-url',
  pdfUrl: '--pdf-url',
  xmlUrl: '--xml-url',
  depositor: '--depositor-name/--depositor-email',
  'depositor/name': '--depositor-name',
  'depositor/email': '--depositor-email',
  registrant: '--registrant',
  license: '--license',
  language: '--language',
};

function flagOf(pointer: string): string {
  const path = pointer.replace(/^\//, '');
  return FLAG_OF[path] ?? FLAG_OF[path.split('/')[0]!] ?? pointer;
}

function describeErrors(id: string, errors: FieldError[]): string {
  return errors.map((e) => `journal ${id}: ${flagOf(e.pointer)}: ${e.message}`).join('\n');
}

/** The profile the flags describe, over `base` (a `journal set`) or from nothing (`journal add`). */
function applyFlags(base: Record<string, unknown>, flags: ProfileFlags): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  const simple: [keyof ProfileFlags, string][] = [
    ['title', 'title'], ['abbrevTitle', 'abbrevTitle'], ['issnPrint', 'issnPrint'], ['issnElectronic', 'issnElectronic'],
    ['publisher', 'publisher'], ['landingUrl', 'landingUrl'], ['pdfUrl', 'pdfUrl'], ['xmlUrl', 'xmlUrl'],
    ['registrant', 'registrant'], ['license', 'license'], ['language', 'language'],
  ];
  for (const [flag, field] of simple) if (flags[flag] !== undefined) out[field] = flags[flag];
  if (flags.doiPrefix !== undefined) out.doiPrefixes = flags.doiPrefix;
  if (flags.depositorName !== undefined || flags.depositorEmail !== undefined) {
    const depositor = { ...((base.depositor as Record<string, string> | undefined) ?? {}) };
    if (flags.depositorName !== undefined) depositor.name = flags.depositorName;
    if (flags.depositorEmail !== undefined) depositor.email = flags.depositorEmail;
    out.depositor = depositor;
  }
  return out;
}

async function withStore<T>(db: string | undefined, fn: (store: Store) => Promise<T>): Promise<T> {
  const target = resolveStoreTarget(db);
  let store: Store;
  try {
    store = await openCliStore(target, { mustExist: false }); // names the path; never creates directories
  } catch (error) {
    if (error instanceof EnvironmentError) throw error;
    throw new EnvironmentError(`cannot open the store ${describeStoreTarget(target)}: ${(error as Error).message}`);
  }
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

async function save(store: Store, id: string, value: Record<string, unknown>, verb: 'added' | 'updated'): Promise<void> {
  const result = await saveJournalProfile(store.journals, value);
  if (!result.ok) throw new UsageError(`${describeErrors(id, result.errors)}\nnothing saved`);
  const note = result.outcome === 'unchanged' ? 'unchanged' : verb;
  process.stdout.write(`journal ${id}: ${note} in ${store.location}\n`);
  const placeholders = profilePlaceholders(result.profile);
  if (placeholders.length > 0) {
    process.stdout.write(`note: journal ${id} still has placeholder ${placeholders.join(', ')}; Crossref deposits need real values (pubmeta journal set ${id} --depositor-name NAME --depositor-email EMAIL --registrant NAME)\n`);
  }
}

async function addCommand(id: string, flags: ProfileFlags): Promise<void> {
  await withStore(flags.db, async (store) => {
    if (await store.journals.get(id)) throw new UsageError(`journal ${id} already exists; change it with pubmeta journal set ${id} ...`);
    await save(store, id, applyFlags({ id }, flags), 'added');
  });
}

async function setCommand(id: string, flags: ProfileFlags): Promise<void> {
  await withStore(flags.db, async (store) => {
    const existing = await store.journals.get(id);
    if (!existing) throw new UsageError(`there is no journal ${id} in ${store.location}; add it with pubmeta journal add ${id} --title TITLE`);
    await save(store, id, applyFlags(existing as unknown as Record<string, unknown>, flags), 'updated');
  });
}

/** The profile as `journal show` prints it: one "field: value" line each. */
export function describeJournalProfile(profile: JournalProfile): string {
  const rows: [string, string | undefined][] = [
    ['id', profile.id],
    ['title', profile.title],
    ['abbreviated title', profile.abbrevTitle],
    ['ISSN (print)', profile.issnPrint],
    ['ISSN (electronic)', profile.issnElectronic],
    ['publisher', profile.publisher],
    ['DOI prefixes', profile.doiPrefixes.length > 0 ? profile.doiPrefixes.join(', ') : '(none: nothing is deposited)'],
    ['landing page URL', profile.landingUrl],
    ['PDF URL', profile.pdfUrl],
    ['XML URL', profile.xmlUrl],
    ['depositor', profile.depositor ? `${profile.depositor.name} <${profile.depositor.email}>` : undefined],
    ['registrant', profile.registrant],
    ['licence', profile.license],
    ['language', profile.language],
  ];
  return rows.filter(([, value]) => value !== undefined).map(([label, value]) => `${`${label}:`.padEnd(20)}${value}`).join('\n');
}

async function showCommand(id: string, flags: ProfileFlags): Promise<void> {
  await withStore(flags.db, async (store) => {
    const profile = await store.journals.get(id);
    if (!profile) {
      const ids = (await store.journals.list()).map((p) => p.id);
      throw new UsageError(`there is no journal ${id} in ${store.location} (journals: ${ids.join(', ') || 'none; add one with pubmeta journal add ID --title TITLE'})`);
    }
    process.stdout.write(flags.json ? `${JSON.stringify(profile, null, 2)}\n` : `${describeJournalProfile(profile)}\n`);
  });
}

async function listCommand(flags: ProfileFlags): Promise<void> {
  await withStore(flags.db, async (store) => {
    const profiles = await store.journals.list();
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(profiles, null, 2)}\n`);
      return;
    }
    if (profiles.length === 0) {
      process.stdout.write(`no journal profiles in ${store.location}; add one with pubmeta journal add ID --title TITLE\n`);
      return;
    }
    const rows = profiles.map((p) => [p.id, p.doiPrefixes.join(',') || '-', [p.issnPrint, p.issnElectronic].filter(Boolean).join(',') || '-', p.title]);
    const header = ['ID', 'DOI PREFIXES', 'ISSN', 'TITLE'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
    process.stdout.write(`${[line(header), ...rows.map(line)].join('\n')}\n`);
  });
}

async function removeCommand(id: string, flags: ProfileFlags): Promise<void> {
  await withStore(flags.db, async (store) => {
    if (!(await store.journals.remove(id))) throw new UsageError(`there is no journal ${id} in ${store.location}`);
    process.stdout.write(`journal ${id}: removed (its records stay; they are no longer deposited until they join a journal again)\n`);
  });
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function profileOptions(command: Command): Command {
  return command
    .option('--title <title>', 'journal title, as records give it')
    .option('--abbrev-title <title>', 'abbreviated title')
    .option('--issn-print <issn>', 'ISSN of the print edition')
    .option('--issn-electronic <issn>', 'ISSN of the online edition')
    .option('--publisher <name>', 'publisher name')
    .option('--doi-prefix <prefix>', 'a DOI prefix the journal registers under, e.g. 10.33172 (repeat for several; set replaces the list)', collect)
    .option('--landing-url <template>', "landing page URL template, e.g. 'https://journal.example.org/article/view/{manuscript}'")
    .option('--pdf-url <template>', 'full-text PDF URL template')
    .option('--xml-url <template>', 'full-text XML URL template')
    .option('--depositor-name <name>', 'Crossref depositor name')
    .option('--depositor-email <email>', 'Crossref depositor e-mail (batch results are mailed there)')
    .option('--registrant <name>', 'Crossref registrant (the organisation owning the DOIs)')
    .option('--license <url>', 'licence URL of the journal\'s articles')
    .option('--language <tag>', 'main language (BCP 47)')
    .option('--db <file>', DB_HELP);
}

export function register(program: Command): void {
  const journal = program
    .command('journal')
    .description('Journal profiles: your journals, their DOI prefixes, ISSNs and article URL templates. Records join a journal and take from its profile what they lack.')
    .addHelpText(
      'after',
      `
URL templates take {doi} {doiSuffix} {manuscript} {localId} {volume} {issue} {year};
{manuscript} is the publisher's article id (JATS article-id pub-id-type="publisher-id"),
else the elocation-id, else the record id. Unknown placeholders are refused.

Examples:
  pubmeta journal add jdp --title "Jurnal Diplomasi Pertahanan" --doi-prefix 10.33172 \\
    --landing-url 'https://jurnalprodi.idu.ac.id/index.php/DP/article/view/{manuscript}'
  pubmeta journal set jdp --issn-electronic 2549-9823
  pubmeta journal list --json`,
    );
  profileOptions(journal.command('add').description('Add a journal profile (--title required).').argument('<id>', 'short name: lowercase letters, digits, hyphens')).action(addCommand);
  profileOptions(journal.command('set').description('Change a journal profile: only the options given change.').argument('<id>', 'journal id')).action(setCommand);
  journal
    .command('list')
    .description('List journal profiles.')
    .option('--json', 'print the profiles as JSON')
    .option('--db <file>', DB_HELP)
    .action(listCommand);
  journal
    .command('show')
    .description('Show one journal profile.')
    .argument('<id>', 'journal id')
    .option('--json', 'print the profile as JSON')
    .option('--db <file>', DB_HELP)
    .action(showCommand);
  journal
    .command('remove')
    .description('Remove a journal profile (records are kept).')
    .argument('<id>', 'journal id')
    .option('--db <file>', DB_HELP)
    .action(removeCommand);
}
