import { CoordinationV1Api, V1MicroTime, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import { statusOf, withRequestTimeout } from '../auth/delegated/kube-client.js';

/** Who holds a leadership and since when: a Lease's spec, as client-go's LeaderElectionRecord. */
export interface LeaderElectionRecord {
  /** Empty when nobody holds it (released). */
  readonly holderIdentity: string;
  readonly leaseDurationSeconds: number;
  readonly acquireTime: Date;
  readonly renewTime: Date;
  readonly leaseTransitions: number;
}

/** A record as read, with its serialized form: a change of the form is a sign of life of its holder. */
export interface ObservedRecord {
  readonly record: LeaderElectionRecord;
  readonly raw: string;
}

/**
 * A `coordination.k8s.io/v1` Lease used as a lock, as client-go's LeaseLock: read, create and
 * update (with the resourceVersion last read, so that two candidates never both win).
 */
export class LeaseLock {
  private readonly api: CoordinationV1Api;
  private lease: V1Lease | undefined;

  constructor(
    kubeConfig: KubeConfig,
    readonly namespace: string,
    readonly name: string,
  ) {
    this.api = kubeConfig.makeApiClient(CoordinationV1Api);
  }

  /** `namespace/name`, for logs. */
  describe(): string {
    return `${this.namespace}/${this.name}`;
  }

  /** The current record, or undefined when the Lease does not exist. */
  async get(timeoutMs: number, signal?: AbortSignal): Promise<ObservedRecord | undefined> {
    try {
      this.lease = await this.api.readNamespacedLease(
        { name: this.name, namespace: this.namespace },
        withRequestTimeout(timeoutMs, signal),
      );
    } catch (error) {
      if (statusOf(error) === 404) {
        this.lease = undefined;
        return undefined;
      }
      throw error;
    }
    const spec = this.lease.spec ?? {};
    const record: LeaderElectionRecord = {
      holderIdentity: spec.holderIdentity ?? '',
      leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
      acquireTime: new Date(spec.acquireTime ?? 0),
      renewTime: new Date(spec.renewTime ?? 0),
      leaseTransitions: spec.leaseTransitions ?? 0,
    };
    return { record, raw: JSON.stringify(spec) };
  }

  async create(record: LeaderElectionRecord, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    this.lease = await this.api.createNamespacedLease(
      {
        namespace: this.namespace,
        body: {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: this.name, namespace: this.namespace },
          spec: toSpec(record),
        },
      },
      withRequestTimeout(timeoutMs, signal),
    );
  }

  /** Writes `record` over the Lease last read or written; a 409 means someone else wrote in between. */
  async update(record: LeaderElectionRecord, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (!this.lease) throw new Error(`the Lease ${this.describe()} has not been read yet`);
    this.lease = await this.api.replaceNamespacedLease(
      {
        name: this.name,
        namespace: this.namespace,
        body: { ...this.lease, spec: { ...this.lease.spec, ...toSpec(record) } },
      },
      withRequestTimeout(timeoutMs, signal),
    );
  }
}

/** Lease times are MicroTime: RFC 3339 with six fractional digits, which V1MicroTime writes. */
function toSpec(record: LeaderElectionRecord): NonNullable<V1Lease['spec']> {
  return {
    holderIdentity: record.holderIdentity,
    leaseDurationSeconds: record.leaseDurationSeconds,
    acquireTime: new V1MicroTime(record.acquireTime.getTime()),
    renewTime: new V1MicroTime(record.renewTime.getTime()),
    leaseTransitions: record.leaseTransitions,
  };
}
