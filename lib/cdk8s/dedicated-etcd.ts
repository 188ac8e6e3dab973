import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { EtcdManifests } from '../core/index.js';
import { podDisruptionBudgetProps } from './kube-props.js';
import { kubeQuantities, metadataOf, overlay } from './metadata.js';
import { serviceFromManifest } from './service-from-manifest.js';
import { addContainers, podProps } from './workload.js';

/** Props of DedicatedEtcd. */
export interface DedicatedEtcdProps {
  /** The etcd objects rendered by lib/core (renderManifests(...).etcd). */
  readonly manifests: EtcdManifests;
}

/**
 * The dedicated etcd of an aggregated API server: headless Service (stable member names), client
 * Service, StatefulSet with one persistent volume per member, PodDisruptionBudget (several
 * members) and a NetworkPolicy. Every child is public for escape hatches.
 */
export class DedicatedEtcd extends Construct {
  /** Headless Service giving each member a DNS name (publishes not-ready members). */
  public readonly headlessService: kplus.Service;
  /** Client Service `<name>-etcd:2379` the server connects to. */
  public readonly clientService: kplus.Service;
  /** The members. */
  public readonly statefulSet: kplus.StatefulSet;
  /** Keeps quorum during voluntary disruptions (absent with one member). */
  public readonly podDisruptionBudget?: k8s.KubePodDisruptionBudget;
  /** Admits only the server's pods and the peers (absent when disabled). */
  public readonly networkPolicy?: kplus.NetworkPolicy;

  constructor(scope: Construct, id: string, props: DedicatedEtcdProps) {
    super(scope, id);
    const m = props.manifests;

    this.headlessService = serviceFromManifest(this, 'HeadlessService', m.headlessService);
    this.clientService = serviceFromManifest(this, 'ClientService', m.clientService);

    const sts = m.statefulSet;
    const spec = sts.spec;
    if (!spec) throw new Error('etcd StatefulSet without spec');
    this.statefulSet = new kplus.StatefulSet(this, 'StatefulSet', {
      metadata: metadataOf(sts.metadata),
      service: this.headlessService,
      replicas: spec.replicas,
      podManagementPolicy: spec.podManagementPolicy as kplus.PodManagementPolicy,
      strategy: kplus.StatefulSetUpdateStrategy.rollingUpdate({
        partition: spec.updateStrategy?.rollingUpdate?.partition,
      }),
      ...podProps(spec.template),
    });
    this.statefulSet.select(kplus.LabelSelector.of({ labels: spec.selector.matchLabels }));
    addContainers(this.statefulSet, spec.template, new Map());
    overlay(
      this.statefulSet,
      '/spec/volumeClaimTemplates',
      spec.volumeClaimTemplates?.map((t) => ({
        ...t,
        spec: t.spec && { ...t.spec, resources: { requests: kubeQuantities(t.spec.resources?.requests) } },
      })),
    );
    // cdk8s-plus makes the StatefulSet's Service select the pods by their construct-path label,
    // which addContainers removes: select by the core labels instead.
    overlay(this.headlessService, '/spec/selector', m.headlessService.spec?.selector);

    if (m.podDisruptionBudget) {
      this.podDisruptionBudget = new k8s.KubePodDisruptionBudget(
        this,
        'PodDisruptionBudget',
        podDisruptionBudgetProps(m.podDisruptionBudget),
      );
    }

    if (m.networkPolicy) {
      const np = m.networkPolicy;
      this.networkPolicy = new kplus.NetworkPolicy(this, 'NetworkPolicy', {
        metadata: metadataOf(np.metadata),
        selector: kplus.Pods.select(this, 'Members', { labels: np.spec.podSelector?.matchLabels ?? {} }),
      });
      for (const [i, rule] of (np.spec.ingress ?? []).entries()) {
        for (const [j, from] of (rule.from ?? []).entries()) {
          const peer = kplus.Pods.select(this, `Peer${i}-${j}`, {
            labels: from.podSelector?.matchLabels ?? {},
          });
          this.networkPolicy.addIngressRule(
            peer,
            (rule.ports ?? []).map((p) => kplus.NetworkPolicyPort.tcp(Number(p.port))),
          );
        }
      }
    }
  }
}
