import { afterAll, afterEach, beforeEach } from 'vitest';

/**
 * Names the test that blocks its worker's event loop. vitest's worker calls the runner over
 * RPC with a 60 s deadline; a test holding the loop longer (a spawnSync, a long synchronous
 * loop) fails the whole run with an anonymous "Timeout calling onTaskUpdate" even when every
 * test passed. This prints which test did it, long before the deadline is reached.
 */
const WARN_AFTER_MS = 20_000;
const TICK_MS = 1_000;

let lastTick = performance.now();
let longestStall = 0;

function noteStall(): void {
  const now = performance.now();
  longestStall = Math.max(longestStall, now - lastTick - TICK_MS);
  lastTick = now;
}

setInterval(noteStall, TICK_MS).unref();

function report(where: string): void {
  noteStall();
  if (longestStall > WARN_AFTER_MS) {
    console.warn(`[loop-watchdog] the test worker's event loop was blocked ${(longestStall / 1000).toFixed(1)} s in ${where}: run long work asynchronously (vitest's worker RPC deadline is 60 s)`);
  }
  longestStall = 0;
}

beforeEach(() => {
  report('the hooks or tests before this one');
});

afterEach((context) => {
  report(`"${context.task.name}"`);
});

afterAll(() => {
  report('an afterAll hook or the last test');
});
