/**
 * The command line's conventions, the same for every command (issue 15):
 *
 * - exit codes (EXIT): 0 success, 1 some records or files failed, 2 usage error, 3 paused and
 *   resumable, 4 environment error;
 * - a usage error is ONE line on stderr: what is wrong, "(did you mean --out?)" when a known
 *   name is close, and "see pubmeta CMD --help";
 * - an environment error (EnvironmentError: the store cannot be opened, the port is in use, the
 *   schema files are missing, credentials are not set) names the path, port or file and says
 *   what to do;
 * - `--json`: exactly one JSON document on stdout (printJson), logs on stderr; when a --json
 *   command fails, that document is {"error": {...}};
 * - stores: openCliStore refuses a store that does not exist for read-only commands, and never
 *   creates directories.
 *
 * A command adopts them with one line each: `openCliStore(target, { mustExist: true })` instead of
 * `openStore(target)`, `throw new UsageError(...)` / `throw new EnvironmentError(...)`,
 * `printJson(value)`. main.ts applies applyCliConventions to the whole program and runs it
 * with runCli.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { CommanderError, type Command } from 'commander';
import { distance } from 'fastest-levenshtein';
import { describeStoreTarget, openStore, type Store, type StoreTarget } from '../store/index.js';

/** Exit codes of every command. */
export const EXIT = {
  /** Everything succeeded. */
  ok: 0,
  /** Some records or files failed; the others were processed. */
  failed: 1,
  /** The command line is wrong: unknown command or flag, missing argument, bad value. */
  usage: 2,
  /** Paused; running the same command again continues (harvest). */
  paused: 3,
  /** The environment is wrong: store cannot be opened, port in use, schema files missing. */
  environment: 4,
} as const;

/** For `pubmeta --help`. */
export const EXIT_CODES_HELP = `
Exit codes (every command):
  0  success
  1  some records or files failed (the others were processed)
  2  usage error: unknown command or option, missing argument, bad value
  3  paused, resumable: run the same command again to continue (harvest run)
  4  environment error: the store cannot be opened, the port is in use, the schema files
     are missing, credentials are not set

With --json a command prints exactly one JSON document on stdout (logs go to stderr).
`;

/** The command line is wrong (exit 2). The message is one line; "see pubmeta CMD --help" is added. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Something outside the command line is wrong (exit 4). The message names the path/port and what to do. */
export class EnvironmentError extends Error {
  override name = 'EnvironmentError';
}

/** Paused, resumable (exit 3), when a command needs to say so by throwing. */
export class PausedError extends Error {
  override name = 'PausedError';
}

// ---------------------------------------------------------------------------------------------
// usage errors

/** "pubmeta harvest run" */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Every command of the program, depth first, the program itself first. */
export function allCommands(program: Command): Command[] {
  return [program, ...program.commands.flatMap((c) => allCommands(c))];
}

/** The closest of `candidates` to `word`, if close enough to be a useful guess. */
export function closestName(word: string, candidates: readonly string[]): string | undefined {
  const bare = (s: string) => s.replace(/^-+/, '').toLowerCase();
  const w = bare(word);
  if (w.length === 0) return undefined;
  let best: { name: string; score: number } | undefined;
  for (const candidate of new Set(candidates)) {
    const c = bare(candidate);
    if (c.length <= 1) continue;
    let score = distance(w, c);
    // --output for --out, --jsonl for --json, --dep for --depositor-name: one is a prefix of the other.
    const shorter = Math.min(w.length, c.length);
    if (shorter >= 3 && (c.startsWith(w) || w.startsWith(c))) score = Math.min(score, 1);
    const longer = Math.max(w.length, c.length);
    // Two edits (a swapped pair: --jsno) in a short name, 40 % of a longer one.
    if (score > (longer <= 5 ? 2 : Math.floor(longer * 0.4))) continue;
    if (!best || score < best.score) best = { name: candidate, score };
  }
  return best?.name;
}

function visibleLongOptions(command: Command): string[] {
  const flags: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) {
    for (const option of c.createHelp().visibleOptions(c)) if (option.long) flags.push(option.long);
  }
  return flags;
}

/** The first argument that looks like an option this command does not know. */
function firstUnknownOption(command: Command): string | undefined {
  const known = (flag: string) => {
    for (let c: Command | null = command; c; c = c.parent) if (c.options.some((o) => o.long === flag || o.short === flag)) return true;
    return flag === '-h' || flag === '--help';
  };
  for (const arg of command.args) {
    if (arg === '--') return undefined;
    if (!/^-./.test(arg)) continue;
    const flag = arg.replace(/=.*$/, '');
    if (!known(flag)) return flag;
  }
  return undefined;
}

/** Commander's error as one line, with our own "did you mean". */
function usageMessage(command: Command, error: CommanderError): string {
  const message = error.message.replace(/^error: /, '').split('\n')[0]!;
  const unknownFlag =
    error.code === 'commander.unknownOption'
      ? /unknown option '([^']+)'/.exec(message)?.[1]
      : error.code === 'commander.missingMandatoryOptionValue' || error.code === 'commander.missingArgument'
        ? firstUnknownOption(command) // an unknown option hid the required one: --output for --out
        : undefined;
  if (unknownFlag) {
    const guess = unknownFlag.startsWith('--') ? closestName(unknownFlag, visibleLongOptions(command)) : undefined;
    return `unknown option '${unknownFlag}'${guess ? ` (did you mean ${guess}?)` : ''}`;
  }
  const subcommands = command.commands.map((c) => c.name());
  if (error.code === 'commander.unknownCommand') {
    const name = command.args[0] ?? '';
    const guess = closestName(name, subcommands);
    return `unknown command '${name}'${guess ? ` (did you mean ${guess}?)` : ''}`;
  }
  if (error.code === 'commander.help') return `missing command: one of ${subcommands.join(', ')}`;
  return message;
}

/** "pubmeta export: unknown option '--output' (did you mean --out?); see pubmeta export --help" */
export function usageLine(path: string, message: string): string {
  return `${path}: ${message.replace(/\s*\n\s*/g, '; ')}; see ${path} --help`;
}

class CliUsageError extends Error {
  constructor(
    readonly command: Command,
    message: string,
  ) {
    super(message);
  }
}

/** The command whose action is running (set by a preAction hook), for messages. */
let actionCommand: Command | undefined;

/**
 * Applies the conventions to every command of the program: commander prints nothing on a usage
 * error (runCli prints the one line), no help after errors, our own "did you mean", and the
 * exit codes in the program's help. Call once, after every command is registered.
 */
export function applyCliConventions(program: Command): Command {
  program.addHelpText('afterAll', EXIT_CODES_HELP);
  program.hook('preAction', (_program, action) => {
    actionCommand = action;
  });
  for (const command of allCommands(program)) {
    command.showHelpAfterError(false);
    command.showSuggestionAfterError(false);
    command.configureOutput({ outputError: () => {}, writeErr: () => {} });
    command.exitOverride((error) => {
      // --help and --version end the run successfully; everything else commander stops for is usage.
      if (error.exitCode === 0) throw error;
      throw new CliUsageError(command, usageLine(commandPath(command), usageMessage(command, error)));
    });
  }
  return program;
}

// ---------------------------------------------------------------------------------------------
// failures and exit codes

const ENVIRONMENT_CODES = new Set(['EADDRINUSE', 'EADDRNOTAVAIL', 'SQLITE_CANTOPEN', 'SQLITE_NOTADB', 'SQLITE_READONLY', '3D000', '28P01', '28000']);

/** How a thrown error ends the run: its exit code and the line(s) for stderr. */
export function describeFailure(error: unknown, command: Command | undefined = actionCommand): { exitCode: number; message: string } {
  const path = command ? commandPath(command) : 'pubmeta';
  if (error instanceof CliUsageError) return { exitCode: EXIT.usage, message: error.message };
  if (error instanceof CommanderError) return { exitCode: error.exitCode, message: '' };
  const text = error instanceof Error ? error.message : String(error);
  if (error instanceof UsageError) return { exitCode: EXIT.usage, message: usageLine(path, text) };
  if (error instanceof PausedError) return { exitCode: EXIT.paused, message: `${path}: ${text}` };
  const code = (error as { code?: unknown } | null)?.code;
  const environment =
    error instanceof EnvironmentError ||
    (typeof code === 'string' && ENVIRONMENT_CODES.has(code)) ||
    (error instanceof Error && error.name === 'XsdCompileError');
  return { exitCode: environment ? EXIT.environment : EXIT.failed, message: `${path}: ${text}` };
}

/**
 * Runs the program: a failure is reported on stderr (one line for usage errors) and sets the
 * exit code; with --json the failure is also the JSON document on stdout.
 */
export async function runCli(program: Command, argv: readonly string[] = process.argv): Promise<void> {
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    const { exitCode, message } = describeFailure(error);
    if (message) process.stderr.write(`${message}\n`);
    // Commander's own usage errors come before any action; an action's failure (a usage error
    // such as an unknown id included) is the JSON document of a --json run.
    if (message && !(error instanceof CliUsageError) && actionCommand && wantsJson(actionCommand)) {
      printJson({ error: { message: error instanceof Error ? error.message : String(error), exitCode } });
    }
    process.exit(exitCode);
  }
}

/** --json given to the command or to the command group it belongs to (deposit status). */
function wantsJson(command: Command): boolean {
  for (let c: Command | null = command; c; c = c.parent) {
    if (c.options.some((o) => o.long === '--json') && c.opts().json === true) return true;
  }
  return false;
}

/** The one JSON document of a --json command. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

// ---------------------------------------------------------------------------------------------
// environment: stores and ports

export interface StoreAccess {
  /** Read-only commands: refuse a store that does not exist (never create an empty one). */
  mustExist: boolean;
  /** What to say after "no store at PATH" (default: how a store is made). */
  missingHint?: string;
}

const DB_HINT = 'check --db or $PUBMETA_DB';

/**
 * Throws an EnvironmentError when the store named by `target` cannot be used: a directory, a
 * file in a directory that does not exist (directories are never created), or, with
 * `mustExist`, a SQLite file that does not exist. PostgreSQL URLs are checked when connecting.
 */
export function checkStoreTarget(target: StoreTarget, access: StoreAccess): void {
  if (target.kind !== 'sqlite' || target.path === ':memory:') return;
  const path = target.path;
  let stats: ReturnType<typeof statSync> | undefined;
  try {
    stats = statSync(path);
  } catch {
    stats = undefined;
  }
  if (stats?.isDirectory()) throw new EnvironmentError(`cannot open the store ${path}: it is a directory, not a SQLite file; ${DB_HINT}`);
  if (stats) return;
  if (access.mustExist) {
    throw new EnvironmentError(`no store at ${path}; ${DB_HINT} (${access.missingHint ?? 'a store is made by pubmeta import or pubmeta harvest add'})`);
  }
  const dir = dirname(path);
  if (!existsSync(dir)) throw new EnvironmentError(`cannot create the store ${path}: the directory ${dir} does not exist; create it first, or ${DB_HINT}`);
}

/**
 * openStore for commands: checkStoreTarget first, and any failure to open becomes an
 * EnvironmentError naming the store.
 */
export async function openCliStore(target: StoreTarget, access: StoreAccess): Promise<Store> {
  checkStoreTarget(target, access);
  try {
    return await openStore(target);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const what = target.kind === 'postgres' ? 'is PostgreSQL running, and does the database exist?' : DB_HINT;
    throw new EnvironmentError(`cannot open the store ${describeStoreTarget(target)}: ${reason}; ${what}`);
  }
}

/** A failed listen() as an EnvironmentError naming the port; other errors unchanged. */
export function explainListenError(error: unknown, host: string, port: number, portFlag = '--port'): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'EADDRINUSE') {
    return new EnvironmentError(`port ${port} on ${host} is in use: stop the program using it, or choose another port with ${portFlag} (0 picks a free one)`);
  }
  if (code === 'EACCES') return new EnvironmentError(`not allowed to listen on port ${port} on ${host} (ports below 1024 need privileges): choose another with ${portFlag}`);
  if (code === 'EADDRNOTAVAIL') return new EnvironmentError(`cannot listen on ${host}:${port}: ${host} is not an address of this machine; choose another with --host`);
  return error;
}

/** An input file that does not exist, as messages say it. */
export function noSuchFile(path: string): string {
  return `no such file: ${path}`;
}
