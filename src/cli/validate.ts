import type { Command } from 'commander';

/** Registers the `validate` command group. */
export function register(program: Command): void {
  void program;
}
