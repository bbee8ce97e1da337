#!/usr/bin/env node
// `npm run bench`: runs every bench/*.bench.mjs in name order, each in its own Node process
// (so one benchmark's heap, caches and compiled schemas never skew another's numbers).
// Arguments filter by file name: `node bench/run.mjs export` runs export.bench.mjs only.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(benchDir)
  .filter((name) => name.endsWith('.bench.mjs'))
  .filter((name) => filters.length === 0 || filters.some((f) => name.includes(f)))
  .sort();

if (files.length === 0) {
  console.error(`bench: no bench/*.bench.mjs file${filters.length ? ` matches ${filters.join(', ')}` : ''}`);
  process.exit(1);
}

const failed = [];
const started = performance.now();
for (const file of files) {
  console.log(`\n=== ${file}`);
  const t0 = performance.now();
  const result = spawnSync(process.execPath, [join(benchDir, file)], { stdio: 'inherit', cwd: join(benchDir, '..') });
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  if (result.status !== 0) {
    failed.push(file);
    console.log(`=== ${file}: FAILED (exit ${result.status ?? result.signal}) after ${seconds} s`);
  } else {
    console.log(`=== ${file}: done in ${seconds} s`);
  }
}
console.log(`\nbench: ${files.length - failed.length}/${files.length} passed in ${((performance.now() - started) / 1000).toFixed(1)} s`);
if (failed.length > 0) {
  console.log(`bench: failed: ${failed.join(', ')}`);
  process.exit(1);
}
