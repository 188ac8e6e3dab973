import {
  CoreV1Api,
  makeInformer,
  type Informer,
  type KubeConfig,
  type ObjectCache,
  type V1Namespace,
} from '@kubernetes/client-node';
import { errors } from '../api/errors.js';
import type { Logger } from '../util/logger.js';
import type { AdmissionAttributes, AdmissionPlugin } from './admission-plugin.js';

function statusCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

/**
 * kube-apiserver's NamespaceLifecycle admission for an aggregated server: nothing is created in
 * a namespace that does not exist (it would be orphaned: the namespace controller never looks
 * for it) or that is terminating (it would race the namespace controller's cleanup). The
 * namespaces are watched; one missing from the cache is looked up live before refusing, since
 * the cache may lag a namespace created a moment ago.
 */
export class NamespaceLifecycle implements AdmissionPlugin {
  readonly name = 'NamespaceLifecycle';
  private readonly informer: Informer<V1Namespace> & ObjectCache<V1Namespace>;
  private readonly core: CoreV1Api;
  private stopped = false;

  constructor(
    kubeConfig: KubeConfig,
    private readonly log: Logger,
  ) {
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.informer = makeInformer(kubeConfig, '/api/v1/namespaces', () => this.core.listNamespace());
    this.informer.on('error', (error: unknown) => {
      // Stopping aborts the watch, which client-node reports as an error: not a reason to restart.
      if (this.stopped) return;
      this.log.info(1, 'namespace watch failed; retrying', {
        error: error instanceof Error ? error.message : String(error),
      });
      setTimeout(() => void this.informer.start().catch(() => undefined), 1000).unref();
    });
  }

  async start(): Promise<void> {
    await this.informer.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.informer.stop();
  }

  async validate(attributes: AdmissionAttributes): Promise<void> {
    const namespace = attributes.namespace;
    if (attributes.operation !== 'CREATE' || !namespace || !attributes.definition.namespaced) return;
    const found = this.informer.get(namespace) ?? (await this.lookup(namespace));
    if (!found) throw errors.notFound({ group: '', resource: 'namespaces' }, namespace);
    if (found.metadata?.deletionTimestamp || found.status?.phase === 'Terminating') {
      throw errors.forbidden(
        `unable to create new content in namespace ${namespace} because it is being terminated`,
        { group: '', resource: 'namespaces' },
        namespace,
      );
    }
  }

  private async lookup(namespace: string): Promise<V1Namespace | undefined> {
    try {
      return await this.core.readNamespace({ name: namespace });
    } catch (error) {
      if (statusCode(error) === 404) return undefined;
      throw errors.serviceUnavailable(
        `could not look up namespace ${namespace}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
