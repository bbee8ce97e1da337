import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Both src/model/*.ts (tests) and dist/model/*.js (built) sit two levels below the package root.
const PACKAGE_ROOT_URL = new URL('../../', import.meta.url);

/** Absolute path of a file shipped with the package (schemas/, samples/). */
export function packageFilePath(relativePath: string): string {
  return fileURLToPath(new URL(relativePath, PACKAGE_ROOT_URL));
}

export function readPackageJson(relativePath: string): unknown {
  return JSON.parse(readFileSync(packageFilePath(relativePath), 'utf8'));
}
