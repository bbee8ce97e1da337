import type { Command } from 'commander';

/** Registers the `export` command group. */
export function register(program: Command): void {
  void program;
}
