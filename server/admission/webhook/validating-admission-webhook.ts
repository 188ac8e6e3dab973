import { dryRunUnsupported } from '../admission-errors.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../admission-plugin.js';
import type { WebhookInvocation } from './webhook-dispatcher.js';
import { allowsDryRun, WebhookPlugin } from './webhook-plugin.js';

/**
 * kube-apiserver's ValidatingAdmissionWebhook for this server's resources: the matching webhooks
 * of the cluster's ValidatingWebhookConfigurations are called at once, on the object as it will
 * be stored; any refusal (the first in configuration order) refuses the write.
 */
export class ValidatingAdmissionWebhook extends WebhookPlugin implements AdmissionPlugin {
  readonly name = 'ValidatingAdmissionWebhook';

  async validate(attributes: AdmissionAttributes): Promise<void> {
    const webhooks = await this.configuredWebhooks(attributes);
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
