/**
 * The package's public surface: "." plus one subpath per capability (package.json "exports"),
 * resolved the way a user's code resolves them (Node's package self-reference on the built
 * dist/), and nothing internal (migrations, drivers, test hooks) among the exported names.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runNode } from './helpers/run-node.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; exports: Record<string, unknown> };

async function exportedNames(specifier: string): Promise<string[]> {
  const run = await runNode(['--input-type=module', '-e', `const m = await import(${JSON.stringify(specifier)}); console.log(JSON.stringify(Object.keys(m)));`], { cwd: ROOT });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as string[];
}

describe('package exports', () => {
  const capabilities = readdirSync(join(ROOT, 'src'), { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(ROOT, 'src', e.name, 'index.ts')) && e.name !== 'cli')
    .map((e) => e.name)
    .sort();

  it('has one subpath per capability folder with an index', () => {
    const subpaths = Object.keys(pkg.exports).filter((k) => k !== '.' && k !== './package.json').map((k) => k.slice(2)).sort();
    expect(subpaths).toEqual(capabilities);
  });

  it('every subpath loads from dist and exports only public names', async () => {
    const all = new Set(await exportedNames(pkg.name));
    for (const capability of capabilities) {
      const names = await exportedNames(`${pkg.name}/${capability}`);
      expect(names.length, capability).toBeGreaterThan(0);
      for (const name of names) {
        // Schema migrations (SQLITE_MIGRATIONS ...) and test hooks stay inside; migrateStore (pubmeta migrate's copy) is public.
        expect(name, `${capability}: ${name}`).not.toMatch(/MIGRATIONS|^test|ForTest|__/);
        expect(all.has(name), `${capability}: ${name} also exported from "."`).toBe(true);
      }
    }
  });
});
