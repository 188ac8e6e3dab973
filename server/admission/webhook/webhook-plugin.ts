import type { Logger } from '../../util/logger.js';
import { admissionForbidden } from '../admission-errors.js';
import type { AdmissionAttributes } from '../admission-plugin.js';
import type { NamespaceLookup } from '../namespace-lookup.js';
import { WebhookClient } from './webhook-client.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';
import type { WebhookSource } from './webhook-source.js';

export interface WebhookPluginOptions {
  readonly source: WebhookSource;
  /** Namespace labels for namespaceSelector. @default - selectors on namespaces are not evaluated */
  readonly namespaces?: NamespaceLookup;
  readonly log: Logger;
  /** @default a new client */
  readonly client?: WebhookClient;
}

/** A dry run may only reach webhooks that declare no side effects. */
export function allowsDryRun(sideEffects: string | undefined): boolean {
  return sideEffects === 'None' || sideEffects === 'NoneOnDryRun';
}

/**
 * What the mutating and the validating webhook plugins share: the configurations they watch,
 * the namespaces for namespaceSelector, one client, and the dispatcher that matches and calls.
 */
export abstract class WebhookPlugin {
  protected readonly dispatcher: WebhookDispatcher;
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

  /** The configured webhooks; until they are first listed, writes are refused as kube refuses them. */
  protected async configuredWebhooks(attributes: AdmissionAttributes) {
    const webhooks = await this.options.source.webhooks();
    if (!webhooks) throw admissionForbidden(attributes, 'not yet ready to handle request');
    return webhooks;
  }
}
