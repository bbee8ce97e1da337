import type { Command } from 'commander';

/** Registers the `sample` command group. */
export function register(program: Command): void {
  void program;
}
