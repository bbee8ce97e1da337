import { resolve } from 'node:path';

/** Which store to open: a SQLite file, or a PostgreSQL database by URL. */
export type StoreTarget = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

const POSTGRES_URL = /^postgres(?:ql)?:\/\//i;

/** True for `postgres://` and `postgresql://` URLs. */
export function isPostgresUrl(value: string): boolean {
  return POSTGRES_URL.test(value);
}

/**
 * A store named on the command line or in the config: a PostgreSQL URL as given, anything else
 * a SQLite file path (relative to `baseDir`, default the working directory).
 */
export function parseStoreTarget(value: string, baseDir?: string): StoreTarget {
  if (isPostgresUrl(value)) return { kind: 'postgres', url: value };
  if (value === ':memory:') return { kind: 'sqlite', path: value };
  return { kind: 'sqlite', path: baseDir === undefined ? resolve(value) : resolve(baseDir, value) };
}

/** The store: --db, else $PUBMETA_DB, else ./pubmeta.db. An empty PUBMETA_DB counts as unset. */
export function resolveStoreTarget(explicit?: string, env: NodeJS.ProcessEnv = process.env): StoreTarget {
  return parseStoreTarget(explicit || env.PUBMETA_DB || 'pubmeta.db');
}

/** The target for messages: the file, or the URL without its password. */
export function describeStoreTarget(target: StoreTarget): string {
  if (target.kind === 'sqlite') return target.path;
  try {
    const url = new URL(target.url);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}
