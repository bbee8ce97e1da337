/**
 * The command line's conventions (issue 15, issue 11 item 5), checked on every command the
 * program registers (enumerated from the commander program, so a new command is covered
 * without being listed here), by spawning the built CLI (dist/cli/main.js) as a user would.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command as CommandClass, type Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_COMMAND_MODULES, buildProgram, COMMAND_MODULES } from '../src/cli/main.js';
import { allCommands, closestName, commandPath, describeFailure, EXIT, EnvironmentError, UsageError } from '../src/cli/conventions.js';
import { runNode } from './helpers/run-node.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist/cli/main.js');
const SEED = join(ROOT, 'samples/seed-jdp-323.json');
const RICH = join(ROOT, 'samples/example-rich.json');

/** Only the depositor identity: dry runs work, and nothing can reach Crossref (no credentials). */
const ENV = {
  PUBMETA_DB: '',
  PUBMETA_LOG_LEVEL: 'warn',
  PUBMETA_DEPOSITOR_NAME: 'Conventions Test',
  PUBMETA_DEPOSITOR_EMAIL: 'conventions@example.org',
  PUBMETA_REGISTRANT: 'Conventions Test',
  PUBMETA_CROSSREF_USER: '',
  PUBMETA_CROSSREF_PASSWORD: '',
  PUBMETA_CROSSREF_URL: 'http://127.0.0.1:9/',
};

let dir: string;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

async function pubmeta(args: string[], options: { timeoutMs?: number } = {}): Promise<Result> {
  const r = await runNode([CLI, ...args], { cwd: dir, env: { ...process.env, ...ENV }, timeoutMs: options.timeoutMs ?? 90_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** At most `limit` at once (2 cores shared with other work). */
async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await fn(items[index]!);
      }
    }),
  );
  return results;
}

const program = await buildProgram();
/** Every command and subcommand, the program first. */
const commands = allCommands(program);
/** Commands that run something (have an action), as argv words: ['harvest', 'run']. */
const runnable = commands.filter((c) => (c as unknown as { _actionHandler: unknown })._actionHandler);
const words = (c: Command) => commandPath(c).split(' ').slice(1);
const ownOption = (c: Command, long: string) => c.options.some((o) => o.long === long);
const takes = (c: Command, long: string) => {
  for (let x: Command | null = c; x; x = x.parent) if (ownOption(x, long)) return true;
  return false;
};

/** Placeholder values for arguments and mandatory options, so that only the thing under test is wrong. */
function placeholders(c: Command): string[] {
  const args = c.registeredArguments.map(() => 'x');
  const mandatory = c.options.filter((o) => o.mandatory && o.long).flatMap((o) => [o.long!, o.long === '--synthetic' ? '1' : 'x']);
  return [...args, ...mandatory];
}

const stderrLines = (r: Result) => r.stderr.split('\n').filter((line) => line.trim() !== '');

beforeAll(() => {
  expect(existsSync(CLI), 'dist/cli/main.js is missing: run npm run build').toBe(true);
  dir = mkdtempSync(join(tmpdir(), 'pubmeta-conventions-'));
  mkdirSync(join(dir, 'a-directory.db'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('conventions module', () => {
  it('guesses close names: --output is --out, --jsno is --json, a wild one gets no guess', () => {
    expect(closestName('--output', ['--out', '--format', '--verbose'])).toBe('--out');
    expect(closestName('--jsno', ['--json', '--db'])).toBe('--json');
    expect(closestName('exprot', ['export', 'import', 'serve'])).toBe('export');
    expect(closestName('--no-such-flag', ['--json', '--db', '--out'])).toBeUndefined();
  });

  it('maps errors to exit codes: usage 2, environment 4 (also missing XSDs and busy ports), anything else 1', () => {
    expect(describeFailure(new UsageError('give a name')).exitCode).toBe(EXIT.usage);
    expect(describeFailure(new EnvironmentError('no store at /x')).exitCode).toBe(EXIT.environment);
    expect(describeFailure(Object.assign(new Error('x.xsd not found'), { name: 'XsdCompileError' })).exitCode).toBe(EXIT.environment);
    expect(describeFailure(Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' })).exitCode).toBe(EXIT.environment);
    expect(describeFailure(new Error('boom')).exitCode).toBe(EXIT.failed);
  });

  it('finds the commands to check in the program (not a hand-written list)', () => {
    const paths = commands.map(commandPath);
    expect(paths).toEqual(expect.arrayContaining(['pubmeta', 'pubmeta export', 'pubmeta serve', 'pubmeta harvest run', 'pubmeta deposit status']));
  });

  it('loads only the named command\'s module, and the table of modules names every command where it is registered', async () => {
    const registeredBy = new Map<string, string>();
    for (const module of ALL_COMMAND_MODULES) {
      const { register } = (await import(`../src/cli/${module.replace(/\.js$/, '.ts')}`)) as { register: (p: Command) => void };
      const alone = new CommandClass();
      register(alone);
      for (const command of alone.commands) registeredBy.set(command.name(), module);
    }
    expect(Object.fromEntries(registeredBy)).toEqual(COMMAND_MODULES);
    expect((await buildProgram(['harvest', 'run', '--all'])).commands.map((c) => c.name())).toEqual(['harvest']);
    expect((await buildProgram(['--version'])).commands).toEqual([]);
    // No command, an unknown one (for the "did you mean"), or help: every command.
    for (const argv of [[], ['exprot'], ['help', 'export']]) expect((await buildProgram(argv)).commands.length).toBe(program.commands.length);
  });
});

describe('usage errors: exit 2 and one line on stderr', () => {
  it('every command and subcommand, given an unknown option', async () => {
    const results = await mapLimited(commands, 3, async (c) => ({ c, r: await pubmeta([...words(c), ...placeholders(c), '--no-such-flag']) }));
    for (const { c, r } of results) {
      const path = commandPath(c);
      expect(r.code, `${path}: ${r.stderr}`).toBe(EXIT.usage);
      expect(stderrLines(r), `${path}: ${r.stderr}`).toHaveLength(1);
      expect(r.stderr).toContain(`${path}: unknown option '--no-such-flag'`);
      expect(r.stderr).toContain(`see ${path} --help`);
      expect(r.stdout).toBe('');
    }
  }, 300_000);

  it('says "did you mean" when a known name is close: --output is --out, exprot is export', async () => {
    const output = await pubmeta(['export', '--output', 'o']);
    expect(output.code).toBe(EXIT.usage);
    expect(stderrLines(output)).toEqual(["pubmeta export: unknown option '--output' (did you mean --out?); see pubmeta export --help"]);
    const command = await pubmeta(['exprot']);
    expect(command.code).toBe(EXIT.usage);
    expect(stderrLines(command)).toEqual(["pubmeta: unknown command 'exprot' (did you mean export?); see pubmeta --help"]);
  });

  it('a missing argument, a missing subcommand and a bad value are usage errors too', async () => {
    for (const args of [['harvest', 'add'], ['harvest'], ['serve', '--port', 'eighty'], ['export']]) {
      const r = await pubmeta(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(EXIT.usage);
      expect(stderrLines(r), r.stderr).toHaveLength(1);
      expect(r.stderr).toMatch(/; see pubmeta .*--help\n$/);
    }
  });

  it('pubmeta --help documents the exit codes', async () => {
    const r = await pubmeta(['--help']);
    expect(r.code).toBe(0);
    for (const line of ['0  success', '1  some records or files failed', '2  usage error', '3  paused, resumable', '4  environment error']) {
      expect(r.stdout).toContain(line);
    }
  });
});

describe('environment errors: exit 4, naming what is wrong', () => {
  // export reads journal profiles from the store only when it exists (it never needs or creates one).
  const withDb = runnable.filter((c) => takes(c, '--db') && commandPath(c) !== 'pubmeta export');

  it('every command that takes --db, with a store in a directory that does not exist and with a directory', async () => {
    expect(withDb.length).toBeGreaterThan(5);
    const bad = ['/nonexistent/pubmeta-dir/x.db', join(dir, 'a-directory.db')];
    const cases = withDb.flatMap((c) => bad.map((db) => ({ c, db })));
    const results = await mapLimited(cases, 3, async ({ c, db }) => ({ c, db, r: await pubmeta([...words(c), ...placeholders(c), '--db', db]) }));
    for (const { c, db, r } of results) {
      const path = commandPath(c);
      expect(r.code, `${path} --db ${db}: ${r.stderr}`).toBe(EXIT.environment);
      expect(r.stderr, path).toContain(db);
      expect(r.stderr, path).not.toMatch(/unable to open database file$/m);
    }
    expect(existsSync('/nonexistent/pubmeta-dir')).toBe(false);
  }, 300_000);

  it('read-only commands refuse a store that does not exist and create nothing; serve --create serves a new one', async () => {
    const readOnly = [['serve'], ['jobs'], ['harvest', 'status'], ['deposit', 'status'], ['delete', 'x']];
    for (const args of readOnly) {
      const r = await pubmeta([...args, '--db', 'typo.db']);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(EXIT.environment);
      expect(r.stderr).toContain(`no store at ${join(dir, 'typo.db')}`);
    }
    expect(readdirSync(dir).filter((f) => f.startsWith('typo'))).toEqual([]);
    const served = spawn(process.execPath, [CLI, 'serve', '--create', '--db', 'created.db', '--port', '0'], { cwd: dir, env: { ...process.env, ...ENV } });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      served.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const match = /OAI-PMH endpoint: (\S+)/.exec(out);
        if (match) resolve(match[1]!);
      });
      served.on('exit', (code) => reject(new Error(`serve --create exited ${code}`)));
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/oai$/);
    served.kill('SIGTERM');
    expect(existsSync(join(dir, 'created.db'))).toBe(true);
  }, 120_000);

  it('serve on a busy port names the port (no raw EADDRINUSE)', async () => {
    const imported = await pubmeta(['import', SEED, '--db', 'busy.db']);
    expect(imported.code, imported.stderr).toBe(0);
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const r = await pubmeta(['serve', '--db', 'busy.db', '--port', String(port)]);
      expect(r.code, r.stderr).toBe(EXIT.environment);
      expect(r.stderr).toContain(`port ${port} on 127.0.0.1 is in use`);
      expect(r.stderr).not.toContain('EADDRINUSE');
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('a missing input file is "no such file: PATH", not an invalid record', async () => {
    for (const args of [['import', 'nope.json', '--db', 'nofile.db'], ['export', 'nope.json', '--out', 'o'], ['validate', 'nope.json']]) {
      const r = await pubmeta(args);
      expect(r.code, r.stderr).toBe(EXIT.failed);
      expect(r.stderr).toContain('no such file: nope.json');
      expect(r.stderr).not.toContain('invalid record');
    }
  });
});

describe('--json: exactly one JSON document on stdout', () => {
  let server: ReturnType<typeof spawn> | undefined;
  let url = '';
  const db = () => join(dir, 'json.db');

  beforeAll(async () => {
    copyFileSync(RICH, join(dir, 'rich.json'));
    for (const file of [SEED, join(dir, 'rich.json')]) {
      const r = await pubmeta(['import', file, '--db', db()]);
      expect(r.code, r.stderr).toBe(0);
    }
    // The dry run holds a write transaction (rolled back) for as long as it checks the batches: a store of its own.
    const own = await pubmeta(['import', SEED, '--db', join(dir, 'deposit.db')]);
    expect(own.code, own.stderr).toBe(0);
    server = spawn(process.execPath, [CLI, 'serve', '--db', db(), '--port', '0', '--repository-identifier', 'conventions.example.org', '--admin-email', 'a@example.org'], {
      cwd: dir,
      env: { ...process.env, ...ENV },
    });
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      server!.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const match = /OAI-PMH endpoint: (\S+)/.exec(out);
        if (match) resolve(match[1]!);
      });
      server!.on('exit', (code) => reject(new Error(`serve exited ${code}`)));
    });
    const added = await pubmeta(['harvest', 'add', 'self', url, '--db', join(dir, 'harvest.db')]);
    expect(added.code, added.stderr).toBe(0);
    writeFileSync(join(dir, 'worker.config.json'), JSON.stringify({ db: 'json.db', jobs: { export: { outDir: 'worker-out', formats: ['oai_dc'] } } }));
  }, 300_000);
  afterAll(() => {
    server?.kill('SIGTERM');
  });

  /** Meaningful runs for the commands that exist now; any other command gets placeholders (and must still print JSON, an error document at worst). */
  const cases = (): Record<string, string[]> => ({
    'pubmeta export': ['export', SEED, '--format', 'oai_dc', '--out', 'json-out'],
    'pubmeta validate': ['validate', SEED],
    'pubmeta sample': ['sample', '--synthetic', '2', '--out', 'json-sample'],
    'pubmeta import': ['import', SEED, '--db', db()],
    'pubmeta delete': ['delete', 'example-rich-1', '--db', db()],
    'pubmeta harvest run': ['harvest', 'run', 'self', '--db', join(dir, 'harvest.db')],
    'pubmeta harvest status': ['harvest', 'status', '--db', join(dir, 'harvest.db')],
    'pubmeta oai identify': ['oai', 'identify', url],
    'pubmeta oai formats': ['oai', 'formats', url],
    'pubmeta oai sets': ['oai', 'sets', url],
    'pubmeta oai get': ['oai', 'get', url, 'oai:conventions.example.org:jdp-323', '--prefix', 'oai_dc'],
    'pubmeta deposit': ['deposit', '--dry-run', '--db', join(dir, 'deposit.db')],
    'pubmeta deposit status': ['deposit', 'status', '--db', db()],
    'pubmeta worker': ['worker', '--once', '--config', 'worker.config.json'],
    'pubmeta jobs': ['jobs', '--db', db()],
    'pubmeta template': ['template'],
  });

  it('every command that takes --json', async () => {
    const withJson = runnable.filter((c) => takes(c, '--json'));
    expect(withJson.map(commandPath)).toEqual(expect.arrayContaining(['pubmeta export', 'pubmeta import', 'pubmeta delete', 'pubmeta validate', 'pubmeta deposit', 'pubmeta worker']));
    const known = cases();
    const results = await mapLimited(withJson, 2, async (c) => {
      const path = commandPath(c);
      const generic = [...words(c), ...placeholders(c), ...(takes(c, '--db') ? ['--db', db()] : [])];
      return { path, r: await pubmeta([...(known[path] ?? generic), '--json']) };
    });
    for (const { path, r } of results) {
      // A usage error (exit 2, placeholders a command refuses) prints no document, as documented.
      if (r.code === EXIT.usage && !(path in known)) continue;
      expect(r.code === EXIT.ok || r.code === EXIT.failed || r.code === EXIT.paused || r.code === EXIT.environment, `${path} exited ${r.code}: ${r.stderr}`).toBe(true);
      expect(() => JSON.parse(r.stdout), `${path} stdout:\n${r.stdout}\nstderr:\n${r.stderr}`).not.toThrow();
    }
    const byPath = Object.fromEntries(results.map(({ path, r }) => [path, r]));
    expect(byPath['pubmeta export']!.code, byPath['pubmeta export']!.stderr).toBe(0);
    expect(JSON.parse(byPath['pubmeta export']!.stdout)).toMatchObject({ records: 1, written: { oai_dc: 1 } });
    expect(JSON.parse(byPath['pubmeta import']!.stdout)).toMatchObject({ unchanged: 1, invalid: 0 });
    expect(JSON.parse(byPath['pubmeta delete']!.stdout)).toMatchObject({ deleted: 1, notFound: 0 });
    // The harvest job runs too (with no source in the store it does nothing); export is the one with work.
    const outcomes = JSON.parse(byPath['pubmeta worker']!.stdout).outcomes as { job: string }[];
    expect(outcomes.find((o) => o.job === 'export')).toMatchObject({ job: 'export', status: 'succeeded' });
    expect(JSON.parse(byPath['pubmeta harvest run']!.stdout)).toMatchObject({ status: 'completed' });
  }, 600_000);

  it('a --json command that fails still prints one JSON document: the error', async () => {
    const r = await pubmeta(['jobs', '--json', '--db', 'missing.db']);
    expect(r.code).toBe(EXIT.environment);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { exitCode: EXIT.environment } });
    expect(JSON.parse(r.stdout).error.message).toContain(join(dir, 'missing.db'));
  });
});
