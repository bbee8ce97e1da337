import { hostname } from 'node:os';
import type { JobRepository, LeaseHolder } from '../store/types.js';

export type { LeaseHolder };

/** Lease owner names: `<host>:<pid>:<tag>`, so a dead holder on this host is recognised at once. */
export function leaseOwnerName(tag: string): string {
  return `${hostname()}:${process.pid}:${tag}`;
}

/**
 * True when `owner` names a process on this host that no longer exists (killed, crashed):
 * its lease need not be waited out. Owners on other hosts are trusted until their lease expires.
 */
export function ownerIsDeadHere(owner: string): boolean {
  const match = /^(.*):(\d+):[^:]*$/.exec(owner);
  if (!match || match[1] !== hostname()) return false;
  const pid = Number(match[2]);
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Leases on anything keyed by a string (a job name, `harvest:<source>`, a deposit batch):
 * one owner at a time, until the lease expires. The holder renews it by heartbeat; a crashed
 * holder's lease expires, or is taken over at once when the holder was a process on this host
 * that no longer exists. The claim itself is atomic in the store (SQLite: IMMEDIATE
 * transaction; PostgreSQL: FOR UPDATE, with SKIP LOCKED when choosing among several keys), so
 * any number of processes on any number of machines sharing the store agree on one holder.
 */
export class JobLeases {
  readonly #jobs: JobRepository;
  readonly #now: () => number;

  constructor(jobs: JobRepository, options: { now?: () => number } = {}) {
    this.#jobs = jobs;
    this.#now = options.now ?? Date.now;
  }

  /** Takes the lease when it is free, expired, already ours, or its holder is dead on this host. */
  acquire(key: string, owner: string, ttlMs: number): Promise<boolean> {
    return this.#jobs.claimLease(key, { owner, ttlMs, nowMs: this.#now(), takeOver: (holder) => ownerIsDeadHere(holder.owner) });
  }

  /** Takes the first of `keys` that can be taken (for sharing many sources among workers). */
  acquireNext(keys: readonly string[], owner: string, ttlMs: number): Promise<string | undefined> {
    return this.#jobs.claimNextLease(keys, { owner, ttlMs, nowMs: this.#now(), takeOver: (holder) => ownerIsDeadHere(holder.owner) });
  }

  /** Extends our lease. False when it is no longer ours (expired and taken): stop working. */
  renew(key: string, owner: string, ttlMs: number): Promise<boolean> {
    return this.#jobs.renewLease(key, owner, ttlMs, this.#now());
  }

  release(key: string, owner: string): Promise<void> {
    return this.#jobs.releaseLease(key, owner);
  }

  holder(key: string): Promise<LeaseHolder | undefined> {
    return this.#jobs.leaseHolder(key, this.#now());
  }

  /** Every lease held now: who works on what. */
  list(): Promise<LeaseHolder[]> {
    return this.#jobs.listLeases(this.#now());
  }
}

export interface HeldLease {
  /** Aborted when the lease is lost (another owner took it after it expired). */
  readonly lost: AbortSignal;
  /** Stops the heartbeat and gives the lease up (unless it was lost). */
  release(): Promise<void>;
}

/**
 * Keeps a lease we hold alive: renewed every third of its lifetime; `lost` aborts when a renewal
 * finds it taken. A failing renewal (store unreachable for a moment) is retried on the next beat.
 */
export function keepLease(
  leases: JobLeases,
  key: string,
  owner: string,
  ttlMs: number,
  onRenewError?: (error: Error) => void,
): HeldLease {
  const lost = new AbortController();
  let beating: Promise<void> = Promise.resolve();
  const heartbeat = setInterval(() => {
    beating = leases.renew(key, owner, ttlMs).then(
      (ours) => {
        if (!ours && !lost.signal.aborted) {
          clearInterval(heartbeat);
          lost.abort(new Error(`lost the lease on ${key}`));
        }
      },
      (error: unknown) => onRenewError?.(error as Error),
    );
  }, Math.max(250, Math.floor(ttlMs / 3)));
  heartbeat.unref();
  return {
    lost: lost.signal,
    async release() {
      clearInterval(heartbeat);
      await beating;
      if (!lost.signal.aborted) await leases.release(key, owner);
    },
  };
}
