import type { Command } from 'commander';

/** Registers the `start` command group. */
export function register(program: Command): void {
  void program;
}
