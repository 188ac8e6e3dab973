import { admissionForbidden, dryRunUnsupported } from '../admission-errors.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../admission-plugin.js';
import { allowsDryRun, type WebhookPluginOptions } from './mutating-admission-webhook.js';
import { WebhookClient } from './webhook-client.js';
import { WebhookDispatcher, type WebhookInvocation } from './webhook-dispatcher.js';

/**
 * kube-apiserver's ValidatingAdmissionWebhook for this server's resources: the matching webhooks
 * of the cluster's ValidatingWebhookConfigurations are called at once, on the object as it will
 * be stored; any refusal (the first in configuration order) refuses the write.
 */
export class ValidatingAdmissionWebhook implements AdmissionPlugin {
  readonly name = 'ValidatingAdmissionWebhook';
  private readonly dispatcher: WebhookDispatcher;
  private readonly client: WebhookClient;

  constructor(private readonly options: WebhookPluginOptions) {
    this.client = options.client ?? new WebhookClient();
    this.dispatcher = new WebhookDispatcher(this.client, options.namespaces, options.log);
  }

  start(): Promise<void> {
    this.options.source.start?.();
    this.options.namespaces?.start?.();
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    await Promise.all([this.options.source.stop?.(), this.options.namespaces?.stop?.()]);
    this.client.close();
  }

  async validate(attributes: AdmissionAttributes): Promise<void> {
    const webhooks = await this.options.source.webhooks();
    if (!webhooks) throw admissionForbidden(attributes, 'not yet ready to handle request');
    const invocations: WebhookInvocation[] = [];
    for (const configured of webhooks) {
      const invocation = await this.dispatcher.shouldCall(configured, attributes);
      if (!invocation) continue;
      if (attributes.dryRun && !allowsDryRun(configured.webhook.sideEffects))
        throw dryRunUnsupported(configured.webhook.name);
      invocations.push(invocation);
    }
    const outcomes = await Promise.allSettled(
      invocations.map(async (invocation, index) => {
        let verdict;
        try {
          verdict = await this.dispatcher.call(invocation, attributes, false);
        } catch (error) {
          this.dispatcher.failedCall(
            error,
            invocation,
            attributes,
            `failed-open.validating.webhook.admission.k8s.io/round_0_index_${index}`,
          );
          return;
        }
        this.dispatcher.record(verdict, invocation, attributes);
        this.dispatcher.checkAllowed(verdict, invocation, attributes);
      }),
    );
    for (const outcome of outcomes) if (outcome.status === 'rejected') throw outcome.reason;
  }
}
