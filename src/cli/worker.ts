import type { Command } from 'commander';

/** Registers the `worker` command group. */
export function register(program: Command): void {
  void program;
}
