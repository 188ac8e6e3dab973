import {
  AdmissionregistrationV1Api,
  type KubeConfig,
  type V1MutatingWebhook,
  type V1MutatingWebhookConfiguration,
  type V1ValidatingWebhookConfiguration,
} from '@kubernetes/client-node';
import type { Logger } from '../../util/logger.js';
import { ClusterInformer } from '../cluster-informer.js';

/** A validating webhook is a mutating one without reinvocationPolicy. */
export type AdmissionWebhook = V1MutatingWebhook;

/** One webhook with the configuration it comes from, in the order kube-apiserver calls them. */
export interface ConfiguredWebhook {
  readonly configuration: string;
  readonly webhook: AdmissionWebhook;
}

/** The webhooks of one kind (mutating or validating) the cluster configures. */
export interface WebhookSource {
  /** The webhooks, configurations sorted by name and webhooks in their order; undefined until known. */
  webhooks(): Promise<readonly ConfiguredWebhook[] | undefined>;
  start?(): void;
  stop?(): Promise<void>;
}

type WebhookConfiguration = V1MutatingWebhookConfiguration | V1ValidatingWebhookConfiguration;

/** Flattens configurations in kube's order: by configuration name, then each one's webhooks as listed. */
export function orderedWebhooks(configurations: readonly WebhookConfiguration[]): ConfiguredWebhook[] {
  return [...configurations]
    .sort((a, b) => ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1))
    .flatMap((configuration) =>
      (configuration.webhooks ?? []).map((webhook) => ({
        configuration: configuration.metadata?.name ?? '',
        webhook: webhook as AdmissionWebhook,
      })),
    );
}

/** Fixed configurations (tests, embedding). */
export function staticWebhookSource(configurations: readonly WebhookConfiguration[]): WebhookSource {
  const webhooks = orderedWebhooks(configurations);
  return { webhooks: async () => webhooks };
}

/** How long a request waits for the first list before it is refused, as kube's WaitForReady. */
const readyWaitMs = 10_000;

/**
 * The cluster's Mutating- or ValidatingWebhookConfigurations, watched with client-node's
 * informer. Until the first list has arrived a write waits up to 10 s and is then refused,
 * as kube-apiserver refuses with "not yet ready to handle request": a policy engine must not
 * be skipped because the server started before it could read the configurations.
 */
export class ClusterWebhookSource implements WebhookSource {
  private readonly informer: ClusterInformer<WebhookConfiguration>;
  private ordered: ConfiguredWebhook[] | undefined;

  constructor(kind: 'mutating' | 'validating', kubeConfig: KubeConfig, log: Logger) {
    const api = kubeConfig.makeApiClient(AdmissionregistrationV1Api);
    const plural = `${kind}webhookconfigurations`;
    this.informer = new ClusterInformer<WebhookConfiguration>({
      kubeConfig,
      path: `/apis/admissionregistration.k8s.io/v1/${plural}`,
      list: () =>
        kind === 'mutating'
          ? api.listMutatingWebhookConfiguration()
          : api.listValidatingWebhookConfiguration(),
      description: plural,
      log,
    });
    this.informer.onChange(() => (this.ordered = undefined));
  }

  start(): void {
    this.informer.start();
  }

  async stop(): Promise<void> {
    await this.informer.stop();
  }

  async webhooks(): Promise<readonly ConfiguredWebhook[] | undefined> {
    if (!(await this.informer.waitForSync(readyWaitMs))) return undefined;
    this.ordered ??= orderedWebhooks(this.informer.list());
    return this.ordered;
  }
}
