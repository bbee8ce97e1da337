import type { Command } from 'commander';

/** Registers the `harvest` command group. */
export function register(program: Command): void {
  void program;
}
