import { CROSSREF_TEST_URL, type CrossrefCredentials } from './client.js';
import type { CrossrefDepositorIdentity, CrossrefDepositSettings } from './deposit.js';

/** The `crossref` section of the pubmeta config file (schemas/config.schema.json). */
export interface CrossrefConfigSection {
  /** Default https://test.crossref.org; production (https://doi.crossref.org) only when set explicitly. */
  baseUrl?: string;
  username?: string;
  password?: string;
  depositor?: { name: string; email: string };
  registrant?: string;
  batchSize?: number;
  pollInitialDelaySeconds?: number;
  pollMaxDelaySeconds?: number;
  pollTimeoutSeconds?: number;
  retries?: number;
  minRetryDelaySeconds?: number;
  maxRetryDelaySeconds?: number;
  maxRetryAfterSeconds?: number;
  requestTimeoutSeconds?: number;
}

export type ResolvedCrossrefSettings =
  | { ready: true; settings: CrossrefDepositSettings & { credentials: CrossrefCredentials }; baseUrlSource: 'env' | 'config' | 'default' }
  | {
      ready: false;
      /** Why deposits cannot run, phrased for an operator. */
      reason: string;
      /** What can still be done without credentials (dry runs, status). */
      settings?: CrossrefDepositSettings;
      baseUrlSource: 'env' | 'config' | 'default';
    };

const seconds = (value: number | undefined): number | undefined => (value === undefined ? undefined : Math.round(value * 1000));

/**
 * Combines the config file's crossref section with the environment. Environment variables
 * win (PUBMETA_CROSSREF_URL, PUBMETA_CROSSREF_USER, PUBMETA_CROSSREF_PASSWORD), so secrets can
 * stay out of config files.
 */
export function resolveCrossrefSettings(section: CrossrefConfigSection | undefined, env: NodeJS.ProcessEnv = process.env): ResolvedCrossrefSettings {
  const c = section ?? {};
  const envUrl = env.PUBMETA_CROSSREF_URL?.trim();
  const baseUrl = envUrl || c.baseUrl || CROSSREF_TEST_URL;
  const baseUrlSource = envUrl ? 'env' : c.baseUrl ? 'config' : 'default';
  const username = env.PUBMETA_CROSSREF_USER?.trim() || c.username;
  const password = env.PUBMETA_CROSSREF_PASSWORD || c.password;
  const client = {
    ...(c.retries !== undefined ? { retries: c.retries } : {}),
    ...(c.minRetryDelaySeconds !== undefined ? { minRetryDelayMs: seconds(c.minRetryDelaySeconds)! } : {}),
    ...(c.maxRetryDelaySeconds !== undefined ? { maxRetryDelayMs: seconds(c.maxRetryDelaySeconds)! } : {}),
    ...(c.maxRetryAfterSeconds !== undefined ? { maxRetryAfterMs: seconds(c.maxRetryAfterSeconds)! } : {}),
    ...(c.requestTimeoutSeconds !== undefined ? { requestTimeoutMs: seconds(c.requestTimeoutSeconds)! } : {}),
    ...(c.pollInitialDelaySeconds !== undefined ? { pollInitialDelayMs: seconds(c.pollInitialDelaySeconds)! } : {}),
    ...(c.pollMaxDelaySeconds !== undefined ? { pollMaxDelayMs: seconds(c.pollMaxDelaySeconds)! } : {}),
    ...(c.pollTimeoutSeconds !== undefined ? { pollTimeoutMs: seconds(c.pollTimeoutSeconds)! } : {}),
  };
  const identity = resolveCrossrefIdentity(section, env);
  const base = identity
    ? {
        ...identity,
        baseUrl,
        ...(c.batchSize !== undefined ? { batchSize: c.batchSize } : {}),
        ...(c.pollTimeoutSeconds !== undefined ? { pollTimeoutMs: seconds(c.pollTimeoutSeconds)! } : {}),
        client,
      }
    : undefined;
  if (!username || !password) {
    return {
      ready: false,
      reason: 'Crossref deposit is disabled: set PUBMETA_CROSSREF_USER and PUBMETA_CROSSREF_PASSWORD (or crossref.username / crossref.password in the config file) to enable it',
      ...(base ? { settings: base } : {}),
      baseUrlSource,
    };
  }
  if (!base) {
    return {
      ready: false,
      reason: 'Crossref deposit is disabled: set crossref.depositor {name, email} and crossref.registrant in the config (or PUBMETA_DEPOSITOR_NAME, PUBMETA_DEPOSITOR_EMAIL, PUBMETA_REGISTRANT)',
      baseUrlSource,
    };
  }
  return { ready: true, settings: { ...base, credentials: { username, password } }, baseUrlSource };
}

/**
 * Depositor and registrant for the doi_batch head: PUBMETA_DEPOSITOR_NAME,
 * PUBMETA_DEPOSITOR_EMAIL and PUBMETA_REGISTRANT (as for `pubmeta export`), else the config.
 */
export function resolveCrossrefIdentity(section: CrossrefConfigSection | undefined, env: NodeJS.ProcessEnv = process.env): CrossrefDepositorIdentity | undefined {
  const name = env.PUBMETA_DEPOSITOR_NAME?.trim() || section?.depositor?.name;
  const email = env.PUBMETA_DEPOSITOR_EMAIL?.trim() || section?.depositor?.email;
  const registrant = env.PUBMETA_REGISTRANT?.trim() || section?.registrant;
  return name && email && registrant ? { depositor: { name, email }, registrant } : undefined;
}

/** The Crossref system in effect without needing credentials (for status): env, then config, then the test system. */
export function crossrefBaseUrl(section: CrossrefConfigSection | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return env.PUBMETA_CROSSREF_URL?.trim() || section?.baseUrl || CROSSREF_TEST_URL;
}
