import { messageOf } from '../auth/delegated/kube-client.js';
import { sleep } from '../util/backoff.js';
import type { Logger } from '../util/logger.js';
import type { LeaderElectionRecord, LeaseLock, ObservedRecord } from './lease-lock.js';

/** How long leadership lasts and how often it is renewed, as kube-controller-manager's --leader-elect-* flags. */
export interface LeaderElectionTiming {
  /**
   * How long candidates wait, after they last saw the record change, before they take the
   * leadership over. @default 15 s
   */
  readonly leaseDurationMs: number;
  /** How long the leader tries to renew before it gives the leadership up. @default 10 s */
  readonly renewDeadlineMs: number;
  /** How long candidates wait between tries. @default 2 s */
  readonly retryPeriodMs: number;
}

/** client-go's JitterFactor: a candidate waits between 1 and 2.2 retry periods between tries. */
const jitterFactor = 1.2;

export interface LeaderElectorOptions extends LeaderElectionTiming {
  readonly lock: LeaseLock;
  /** This candidate's name in the Lease: unique per process (hostname and a random suffix). */
  readonly identity: string;
  readonly log: Logger;
  /** A monotonic clock in milliseconds. @default performance.now */
  readonly now?: () => number;
}

/** Checks the timing as client-go does; an error message, or undefined when it is sound. */
export function checkTiming(timing: LeaderElectionTiming): string | undefined {
  if (timing.leaseDurationMs <= timing.renewDeadlineMs)
    return 'the lease duration must be greater than the renew deadline';
  if (timing.renewDeadlineMs <= jitterFactor * timing.retryPeriodMs)
    return `the renew deadline must be greater than the retry period times ${jitterFactor}`;
  if (timing.retryPeriodMs <= 0) return 'the retry period must be greater than zero';
  return undefined;
}

/**
 * Leader election over a Lease, as client-go's leaderelection: a candidate takes the Lease when
 * its holder has not renewed it for a lease duration, measured on the candidate's own clock from
 * the last change it saw (so clocks need not agree, only run at the same rate); the leader
 * renews it every retry period and gives up when it could not renew for a renew deadline,
 * which is shorter than the lease duration, so it stops before anyone else may start. On
 * shutdown the leader releases the Lease, so another candidate takes over at once.
 */
export class LeaderElector {
  private observed: ObservedRecord | undefined;
  /** When `observed` was last seen to change, on the monotonic clock. */
  private observedAt = 0;
  private readonly now: () => number;
  private reportedLeader: string | undefined;
  private leading = false;
  private lastProblem: string | undefined;

  constructor(private readonly options: LeaderElectorOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  /** Whether this candidate holds the Lease now, as far as it can tell. */
  isLeader(): boolean {
    return this.leading && this.holdsValidLease();
  }

  /**
   * Campaigns until `signal` aborts. Each time this candidate becomes leader, `lead` is called
   * with a signal that aborts when the leadership is lost (or on shutdown), and the next campaign
   * waits for it to return. On shutdown the Lease is released once `lead` has returned.
   */
  async run(lead: (leadership: AbortSignal) => Promise<void>, signal: AbortSignal): Promise<void> {
    const { lock, log } = this.options;
    while (!signal.aborted) {
      log.info(0, 'attempting to acquire leader lease', { lease: lock.describe(), identity: this.identity });
      if (!(await this.acquire(signal))) break;
      log.info(0, 'successfully acquired lease', { lease: lock.describe(), identity: this.identity });
      const leadership = new AbortController();
      const onShutdown = (): void => leadership.abort();
      signal.addEventListener('abort', onShutdown, { once: true });
      this.setLeading(true);
      const led = lead(leadership.signal).catch((error: unknown) => {
        log.error('leading failed', { error: messageOf(error) });
      });
      await this.renew(leadership.signal);
      this.setLeading(false);
      leadership.abort();
      signal.removeEventListener('abort', onShutdown);
      await led;
      if (!signal.aborted) log.info(0, 'leader election lost', { lease: lock.describe() });
    }
    await this.release();
  }

  private get identity(): string {
    return this.options.identity;
  }

  /** Tries every retry period (jittered) until it holds the Lease; false when `signal` aborted first. */
  private async acquire(signal: AbortSignal): Promise<boolean> {
    const { retryPeriodMs } = this.options;
    while (!signal.aborted) {
      if (await this.tryAcquireOrRenew(signal)) return true;
      await sleep(retryPeriodMs * (1 + jitterFactor * Math.random()), signal);
    }
    return false;
  }

  /**
   * Renews every retry period; returns when a renewal did not succeed within the renew deadline
   * (retrying every retry period meanwhile), or when `signal` aborts.
   */
  private async renew(signal: AbortSignal): Promise<void> {
    const { renewDeadlineMs, retryPeriodMs, lock, log } = this.options;
    while (!signal.aborted) {
      await sleep(retryPeriodMs, signal);
      if (signal.aborted) return;
      const deadline = this.now() + renewDeadlineMs;
      let renewed = false;
      while (!renewed && !signal.aborted && this.now() < deadline) {
        renewed = await this.tryAcquireOrRenew(signal, Math.max(1, deadline - this.now()));
        if (!renewed) await sleep(Math.min(retryPeriodMs, Math.max(0, deadline - this.now())), signal);
      }
      if (!renewed && !signal.aborted) {
        log.error('failed to renew lease', { lease: lock.describe(), renewDeadlineMs });
        return;
      }
    }
  }

  /** One round of client-go's tryAcquireOrRenew: true when this candidate holds the Lease afterwards. */
  private async tryAcquireOrRenew(
    signal: AbortSignal,
    timeoutMs = this.options.renewDeadlineMs,
  ): Promise<boolean> {
    const { lock, log } = this.options;
    const wallNow = new Date();
    const desired: LeaderElectionRecord = {
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.max(1, Math.round(this.options.leaseDurationMs / 1000)),
      acquireTime: wallNow,
      renewTime: wallNow,
      leaseTransitions: 0,
    };
    try {
      // The leader renews on what it wrote last; a conflict sends it the slow way, reading first.
      if (this.holdsValidLease() && this.observed) {
        const mine = { ...desired, ...this.keptFrom(this.observed.record) };
        try {
          await lock.update(mine, timeoutMs, signal);
          this.observe(mine);
          return true;
        } catch (error) {
          log.info(2, 'failed to update the lease optimistically, reading it', {
            lease: lock.describe(),
            error: messageOf(error),
          });
        }
      }
      const current = await lock.get(timeoutMs, signal);
      if (!current) {
        await lock.create(desired, timeoutMs, signal);
        this.observe(desired);
        return true;
      }
      if (current.raw !== this.observed?.raw) {
        this.observed = current;
        this.observedAt = this.now();
      }
      const holder = current.record.holderIdentity;
      this.reportLeader(holder);
      if (holder && holder !== this.identity && this.observedValid()) return false;
      const next =
        holder === this.identity
          ? { ...desired, ...this.keptFrom(current.record) }
          : { ...desired, leaseTransitions: current.record.leaseTransitions + 1 };
      await lock.update(next, timeoutMs, signal);
      this.observe(next);
      return true;
    } catch (error) {
      if (signal.aborted) return false;
      // A lasting problem (no RBAC for Leases, say) is an error once, then detail at --v=2.
      const problem = messageOf(error);
      const fields = { lease: lock.describe(), error: problem };
      if (problem === this.lastProblem) log.info(2, 'failed to acquire or renew lease', fields);
      else log.error('failed to acquire or renew lease', fields);
      this.lastProblem = problem;
      return false;
    }
  }

  /** What a holder keeps when it renews: when it acquired the Lease and the transitions so far. */
  private keptFrom(
    record: LeaderElectionRecord,
  ): Pick<LeaderElectionRecord, 'acquireTime' | 'leaseTransitions'> {
    return { acquireTime: record.acquireTime, leaseTransitions: record.leaseTransitions };
  }

  private observe(record: LeaderElectionRecord): void {
    this.lastProblem = undefined;
    this.observed = { record, raw: '' };
    this.observedAt = this.now();
    this.reportLeader(record.holderIdentity);
  }

  private observedValid(): boolean {
    const seconds = this.observed?.record.leaseDurationSeconds ?? 0;
    return this.observedAt + seconds * 1000 > this.now();
  }

  private holdsValidLease(): boolean {
    return this.observed?.record.holderIdentity === this.identity && this.observedValid();
  }

  private reportLeader(holder: string): void {
    if (holder === this.reportedLeader) return;
    this.reportedLeader = holder;
    if (holder && holder !== this.identity)
      this.options.log.info(0, 'new leader elected', { lease: this.options.lock.describe(), leader: holder });
  }

  private setLeading(leading: boolean): void {
    this.leading = leading;
  }

  /** Gives the Lease up (empty holder, one-second duration), as client-go's ReleaseOnCancel. */
  private async release(): Promise<void> {
    if (!this.observed || this.observed.record.holderIdentity !== this.identity) return;
    const { lock, log } = this.options;
    const now = new Date();
    const released: LeaderElectionRecord = {
      holderIdentity: '',
      leaseDurationSeconds: 1,
      acquireTime: now,
      renewTime: now,
      leaseTransitions: this.observed.record.leaseTransitions,
    };
    try {
      await lock.update(released, this.options.renewDeadlineMs);
      this.observe(released);
      log.info(0, 'released leader lease', { lease: lock.describe() });
    } catch (error) {
      log.error('failed to release the leader lease', { lease: lock.describe(), error: messageOf(error) });
    }
  }
}
