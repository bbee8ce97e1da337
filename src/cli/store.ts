import type { Command } from 'commander';

/** Registers the `store` command group. */
export function register(program: Command): void {
  void program;
}
