import type { Etcd3 } from 'etcd3';
import type { Logger } from '../../util/logger.js';

/**
 * The key whose version counts compaction rounds. It is kube-apiserver's, so that API servers
 * sharing an etcd, ours or kube's, take turns rather than each compacting.
 */
export const COMPACTION_KEY = 'compact_rev_key';

/**
 * Periodic compaction of etcd's history, as kube-apiserver does it (storage/etcd3/compact.go):
 * etcd keeps every revision until told otherwise, so without this its database grows without
 * bound. Each round compacts to the revision that was current one interval earlier, so watches
 * and list continuations get at least an interval to catch up before their versions expire.
 *
 * Several servers on one etcd coordinate through COMPACTION_KEY: a round first compare-and-swaps
 * the key's version (a logical clock) from the value this server last saw. The one that wins
 * compacts; the others learn the new clock and try again next interval. If the winner dies
 * another takes over within two intervals.
 */
export class EtcdCompactor {
  private timer: NodeJS.Timeout | undefined;
  /** The version of COMPACTION_KEY this server last saw: the round it thinks is current. */
  private round = 0;
  /** The revision that was current at the previous round: what the next round compacts to. */
  private previousRevision = 0;
  private stopped = false;

  constructor(
    private readonly client: Etcd3,
    private readonly intervalMs: number,
    private readonly requestTimeoutMs: number,
    private readonly logger: Logger,
  ) {}

  /** Schedules rounds every interval; the first one runs after an interval, as kube's does. */
  start(): void {
    if (this.intervalMs <= 0 || this.stopped) return;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /**
   * One round. Resolves to the revision it compacted to, or undefined when it did not compact
   * (the first round, or another server's turn). Rejects on etcd errors; the timer logs them.
   */
  async compactOnce(): Promise<number | undefined> {
    const key = Buffer.from(COMPACTION_KEY);
    const options = (): { deadline: number } => ({ deadline: Date.now() + this.requestTimeoutMs });
    const claim = await this.client.kv.txn(
      {
        compare: [{ key, target: 'Version', result: 'Equal', version: this.round }],
        // Writing the key bumps its version: the next round's clock.
        success: [{ request_put: { key, value: Buffer.from(String(this.previousRevision)) } }],
        failure: [{ request_range: { key } }],
      },
      options(),
    );
    const currentRevision = Number(claim.header.revision);
    if (!claim.succeeded) {
      // Another server compacted this round; follow its clock.
      const seen = claim.responses[0]?.response_range?.kvs[0];
      this.round = seen ? Number(seen.version) : 0;
      this.previousRevision = currentRevision;
      return undefined;
    }
    this.round += 1;
    const target = this.previousRevision;
    this.previousRevision = currentRevision;
    // The first round only records where history starts: nothing is known to be an interval old.
    if (target === 0) return undefined;
    await this.client.kv.compact({ revision: target }, options());
    this.logger.info(4, 'etcd: compacted', { revision: target });
    return target;
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.compactOnce()
        .catch((error: unknown) => {
          // Compaction is housekeeping: a failed round is retried next interval.
          if (!this.stopped) this.logger.error('etcd: compaction failed', { error: String(error) });
        })
        .finally(() => {
          if (!this.stopped) this.schedule();
        });
    }, this.intervalMs);
    // Compaction alone must not keep the process alive.
    this.timer.unref();
  }
}
