import { spawn } from 'node:child_process';

export interface NodeRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
}

/**
 * Runs `node ARGS` and resolves when it exits: spawnSync's result without blocking the test
 * worker. A worker blocked for over a minute (a long spawnSync) misses its own RPC deadline
 * with the test runner ("Timeout calling onTaskUpdate"), which fails the run.
 */
export function runNode(args: readonly string[], options: RunOptions = {}): Promise<NodeRun> {
  return runCommand(process.execPath, args, options);
}

/** Runs `COMMAND ARGS` (any program, e.g. perl) the same way as runNode: asynchronously, output as text. */
export function runCommand(command: string, args: readonly string[], options: RunOptions = {}): Promise<NodeRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
  });
}
