import { CoreV1Api, type KubeConfig, type V1Namespace } from '@kubernetes/client-node';
import { errors } from '../api/errors.js';
import { statusOf, messageOf } from '../auth/delegated/kube-client.js';
import type { Logger } from '../util/logger.js';
import { ClusterInformer } from './cluster-informer.js';

/** A namespace as admission sees it: its labels for namespaceSelector, the whole object for `namespaceObject`. */
export interface NamespaceLookup {
  /** The namespace, or undefined when it does not exist; throws a Status when it cannot be told. */
  get(name: string): Promise<V1Namespace | undefined>;
  /** Each plugin that reads namespaces starts and stops the lookup; it watches while any uses it. */
  start?(): void;
  stop?(): Promise<void>;
}

/**
 * The cluster's namespaces from a watch, as kube-apiserver's admission reads them from its
 * namespace lister; one not (yet) in the cache is read live, since a namespace created a moment
 * ago may not have arrived.
 */
export class ClusterNamespaces implements NamespaceLookup {
  private readonly informer: ClusterInformer<V1Namespace>;
  private readonly core: CoreV1Api;

  constructor(kubeConfig: KubeConfig, log: Logger) {
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.informer = new ClusterInformer({
      kubeConfig,
      path: '/api/v1/namespaces',
      list: () => this.core.listNamespace(),
      description: 'namespaces',
      log,
    });
  }

  private users = 0;

  start(): void {
    if (this.users++ === 0) this.informer.start();
  }

  async stop(): Promise<void> {
    if (this.users > 0 && --this.users === 0) await this.informer.stop();
  }

  async get(name: string): Promise<V1Namespace | undefined> {
    const cached = this.informer.get(name);
    if (cached) return cached;
    try {
      return await this.core.readNamespace({ name });
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw errors.internal(`could not look up namespace ${name}: ${messageOf(error)}`);
    }
  }
}
