import type { Command } from 'commander';

/** Registers the `deposit` command group. */
export function register(program: Command): void {
  void program;
}
