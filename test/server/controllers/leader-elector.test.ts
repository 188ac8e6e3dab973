import { CoordinationV1Api, V1MicroTime, type KubeConfig } from '@kubernetes/client-node';
import { loadKubeConfig } from '../../../server/auth/delegated/kube-client.js';
import { checkTiming, LeaderElector } from '../../../server/controllers/leader-elector.js';
import { LeaseLock } from '../../../server/controllers/lease-lock.js';
import { silentLogger } from '../../../server/util/logger.js';
import { useControlPlane, waitFor } from '../../e2e/support/control-plane.js';

const timing = { leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 500 };

/** A candidate campaigning for `lease`, recording when it leads. */
class Candidate {
  readonly elector: LeaderElector;
  readonly stop = new AbortController();
  leading = false;
  terms = 0;
  lostLeadership = 0;
  readonly running: Promise<void>;

  constructor(
    kubeConfig: KubeConfig,
    lease: string,
    readonly identity: string,
  ) {
    this.elector = new LeaderElector({
      lock: new LeaseLock(kubeConfig, 'default', lease),
      identity,
      log: silentLogger,
      ...timing,
    });
    this.running = this.elector.run(async (leadership) => {
      this.leading = true;
      this.terms++;
      await new Promise((resolve) => leadership.addEventListener('abort', resolve, { once: true }));
      this.leading = false;
      if (!this.stop.signal.aborted) this.lostLeadership++;
    }, this.stop.signal);
  }

  async shutDown(): Promise<void> {
    this.stop.abort();
    await this.running;
  }
}

describe('leader election over a Lease in a real kube-apiserver', () => {
  const controlPlane = useControlPlane({ controllerManager: false });
  let kubeConfig: KubeConfig;
  let leases: CoordinationV1Api;
  const candidates: Candidate[] = [];
  const candidate = (lease: string, identity: string): Candidate => {
    const created = new Candidate(kubeConfig, lease, identity);
    candidates.push(created);
    return created;
  };
  const readLease = (name: string) => leases.readNamespacedLease({ name, namespace: 'default' });

  beforeAll(() => {
    kubeConfig = loadKubeConfig(controlPlane().kubeconfigPath);
    leases = kubeConfig.makeApiClient(CoordinationV1Api);
  });
  afterAll(async () => {
    await Promise.all(candidates.map((c) => c.shutDown()));
  });

  test('exactly one of two candidates leads, and the Lease names it', async () => {
    const a = candidate('one-of-two', 'candidate-a');
    const b = candidate('one-of-two', 'candidate-b');
    const leader = await waitFor(() => [a, b].find((c) => c.leading), 'a leader', 20_000);
    // Several renewals later the other still waits.
    await new Promise((resolve) => setTimeout(resolve, 2 * timing.leaseDurationMs));
    expect([a, b].filter((c) => c.leading)).toEqual([leader]);
    expect(leader.elector.isLeader()).toBe(true);
    const lease = await readLease('one-of-two');
    expect(lease.spec).toMatchObject({
      holderIdentity: leader.identity,
      leaseDurationSeconds: 3,
      leaseTransitions: 0,
    });
    // kube-apiserver stores MicroTime with six fractional digits; the renewals moved renewTime on.
    expect(String(lease.spec?.renewTime)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(Date.parse(String(lease.spec?.renewTime))).toBeGreaterThan(
      Date.parse(String(lease.spec?.acquireTime)),
    );
  });

  test('when the leader shuts down it releases the Lease, and the other takes over', async () => {
    const a = candidate('handover', 'handover-a');
    await waitFor(() => a.leading, 'the first leader', 20_000);
    const b = candidate('handover', 'handover-b');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(b.leading).toBe(false);
    await a.shutDown();
    expect((await readLease('handover')).spec?.holderIdentity).toBe('');
    await waitFor(() => b.leading, 'the second leader', 10_000);
    expect((await readLease('handover')).spec).toMatchObject({
      holderIdentity: 'handover-b',
      leaseTransitions: 1,
    });
    expect(a.lostLeadership).toBe(0);
  });

  test('a Lease whose holder stopped renewing is taken over once a lease duration has passed', async () => {
    const now = new V1MicroTime(Date.now());
    await leases.createNamespacedLease({
      namespace: 'default',
      body: {
        metadata: { name: 'abandoned', namespace: 'default' },
        spec: {
          holderIdentity: 'crashed',
          leaseDurationSeconds: 3,
          acquireTime: now,
          renewTime: now,
          leaseTransitions: 4,
        },
      },
    });
    const heir = candidate('abandoned', 'heir');
    // Its own clock decides: it first sees the record now, so it waits the lease's whole duration.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(heir.leading).toBe(false);
    await waitFor(() => heir.leading, 'the heir to lead', 15_000);
    expect((await readLease('abandoned')).spec).toMatchObject({
      holderIdentity: 'heir',
      leaseTransitions: 5,
    });
  });

  test('a leader whose Lease was taken stops leading within the renew deadline', async () => {
    const leader = candidate('usurped', 'usurped-leader');
    await waitFor(() => leader.leading, 'the leader', 20_000);
    const lease = await readLease('usurped');
    const now = new V1MicroTime(Date.now());
    await leases.replaceNamespacedLease({
      name: 'usurped',
      namespace: 'default',
      body: {
        ...lease,
        spec: {
          ...lease.spec,
          holderIdentity: 'usurper',
          leaseDurationSeconds: 60,
          renewTime: now,
          acquireTime: now,
        },
      },
    });
    await waitFor(() => leader.lostLeadership === 1, 'the leader to step down', 10_000);
    expect(leader.elector.isLeader()).toBe(false);
  });
});

describe('checkTiming', () => {
  test('accepts the defaults and refuses what client-go refuses', () => {
    expect(
      checkTiming({ leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 }),
    ).toBeUndefined();
    expect(checkTiming({ leaseDurationMs: 10_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 })).toBe(
      'the lease duration must be greater than the renew deadline',
    );
    expect(checkTiming({ leaseDurationMs: 15_000, renewDeadlineMs: 2_000, retryPeriodMs: 2_000 })).toBe(
      'the renew deadline must be greater than the retry period times 1.2',
    );
  });
});
