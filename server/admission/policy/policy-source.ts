import {
  AdmissionregistrationV1Api,
  type KubeConfig,
  type V1ValidatingAdmissionPolicy,
  type V1ValidatingAdmissionPolicyBinding,
} from '@kubernetes/client-node';
import type { Logger } from '../../util/logger.js';
import { ClusterInformer } from '../cluster-informer.js';

/** A policy with the bindings that name it. */
export interface BoundPolicy {
  readonly policy: V1ValidatingAdmissionPolicy;
  readonly bindings: readonly V1ValidatingAdmissionPolicyBinding[];
}

/** The ValidatingAdmissionPolicies of the cluster with their bindings. */
export interface PolicySource {
  /** Policies by name, each with its bindings by name; undefined until they are known. */
  policies(): Promise<readonly BoundPolicy[] | undefined>;
  start?(): void;
  stop?(): Promise<void>;
}

const byName = (a: { metadata?: { name?: string } }, b: { metadata?: { name?: string } }): number =>
  (a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1;

/** Pairs policies with their bindings; a binding of a policy that does not exist binds nothing. */
export function boundPolicies(
  policies: readonly V1ValidatingAdmissionPolicy[],
  bindings: readonly V1ValidatingAdmissionPolicyBinding[],
): BoundPolicy[] {
  return [...policies].sort(byName).map((policy) => ({
    policy,
    bindings: bindings.filter((b) => b.spec?.policyName === policy.metadata?.name).sort(byName),
  }));
}

/** Fixed policies and bindings (tests, embedding). */
export function staticPolicySource(
  policies: readonly V1ValidatingAdmissionPolicy[],
  bindings: readonly V1ValidatingAdmissionPolicyBinding[],
): PolicySource {
  const bound = boundPolicies(policies, bindings);
  return { policies: async () => bound };
}

const readyWaitMs = 10_000;

/** The cluster's policies and bindings, watched with client-node's informers. */
export class ClusterPolicySource implements PolicySource {
  private readonly policyInformer: ClusterInformer<V1ValidatingAdmissionPolicy>;
  private readonly bindingInformer: ClusterInformer<V1ValidatingAdmissionPolicyBinding>;
  private bound: BoundPolicy[] | undefined;

  constructor(kubeConfig: KubeConfig, log: Logger) {
    const api = kubeConfig.makeApiClient(AdmissionregistrationV1Api);
    const base = '/apis/admissionregistration.k8s.io/v1';
    this.policyInformer = new ClusterInformer({
      kubeConfig,
      path: `${base}/validatingadmissionpolicies`,
      list: () => api.listValidatingAdmissionPolicy(),
      description: 'validatingadmissionpolicies',
      log,
    });
    this.bindingInformer = new ClusterInformer({
      kubeConfig,
      path: `${base}/validatingadmissionpolicybindings`,
      list: () => api.listValidatingAdmissionPolicyBinding(),
      description: 'validatingadmissionpolicybindings',
      log,
    });
    const invalidate = (): void => void (this.bound = undefined);
    this.policyInformer.onChange(invalidate);
    this.bindingInformer.onChange(invalidate);
  }

  start(): void {
    this.policyInformer.start();
    this.bindingInformer.start();
  }

  async stop(): Promise<void> {
    await Promise.all([this.policyInformer.stop(), this.bindingInformer.stop()]);
  }

  async policies(): Promise<readonly BoundPolicy[] | undefined> {
    const [policies, bindings] = await Promise.all([
      this.policyInformer.waitForSync(readyWaitMs),
      this.bindingInformer.waitForSync(readyWaitMs),
    ]);
    if (!policies || !bindings) return undefined;
    this.bound ??= boundPolicies(this.policyInformer.list(), this.bindingInformer.list());
    return this.bound;
  }
}
