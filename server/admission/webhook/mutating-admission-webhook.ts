import jsonpatch from 'fast-json-patch';
import type { KubeObject } from '../../../api/types.js';
import { errors } from '../../api/errors.js';
import { applySchemaDefaults, pruneUnknownFields } from '../../registry/schema-validation.js';
import { dryRunUnsupported, webhookCallFailed } from '../admission-errors.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../admission-plugin.js';
import { convertObject } from '../matching/versioned-attributes.js';
import type { WebhookInvocation } from './webhook-dispatcher.js';
import { allowsDryRun, WebhookPlugin } from './webhook-plugin.js';

/**
 * kube-apiserver's MutatingAdmissionWebhook for this server's resources: every matching webhook
 * of the cluster's MutatingWebhookConfigurations is called in order, each on the object the
 * previous one produced (converted into the version it asked for); its JSON patch is applied,
 * the result pruned and defaulted by the schema (so it is validated again with everything else),
 * and webhooks with reinvocationPolicy IfNeeded are called once more when a later webhook
 * changed the object.
 */
export class MutatingAdmissionWebhook extends WebhookPlugin implements AdmissionPlugin {
  readonly name = 'MutatingAdmissionWebhook';

  async admit(attributes: AdmissionAttributes): Promise<KubeObject | undefined> {
    const webhooks = await this.configuredWebhooks(attributes);
    if (webhooks.length === 0) return attributes.object;
    let object = attributes.object;
    /** IfNeeded webhooks called so far, and which of them saw an object a later webhook changed. */
    const reinvocable = new Set<number>();
    const reinvoke = new Set<number>();
    for (let round = 0; round < 2; round++) {
      for (let index = 0; index < webhooks.length; index++) {
        if (round === 1 && !reinvoke.has(index)) continue;
        const configured = webhooks[index];
        const current = { ...attributes, object };
        const invocation = await this.dispatcher.shouldCall(configured, current);
        if (!invocation) continue;
        if (attributes.dryRun && !allowsDryRun(configured.webhook.sideEffects))
          throw dryRunUnsupported(configured.webhook.name);
        const changed = await this.invoke(invocation, current, round, index);
        if (round === 0 && configured.webhook.reinvocationPolicy === 'IfNeeded') reinvocable.add(index);
        if (changed) {
          object = changed;
          if (round === 0) for (const earlier of reinvocable) if (earlier !== index) reinvoke.add(earlier);
        }
      }
      if (reinvoke.size === 0) break;
    }
    return object;
  }

  /** Calls one webhook; the changed object (request version) when it patched it. */
  private async invoke(
    invocation: WebhookInvocation,
    attributes: AdmissionAttributes,
    round: number,
    index: number,
  ): Promise<KubeObject | undefined> {
    const { webhook, configuration } = invocation.configured;
    const annotation = `round_${round}_index_${index}`;
    let verdict;
    try {
      verdict = await this.dispatcher.call(invocation, attributes, true);
    } catch (error) {
      this.dispatcher.failedCall(
        error,
        invocation,
        attributes,
        `failed-open.mutation.webhook.admission.k8s.io/${annotation}`,
      );
      return undefined;
    }
    this.dispatcher.record(verdict, invocation, attributes);
    this.dispatcher.checkAllowed(verdict, invocation, attributes);
    const versioned = invocation.objects.object;
    if (!verdict.patch || verdict.patch.length === 0 || !versioned || !attributes.object) return undefined;
    const patched = applyWebhookPatch(webhook.name, versioned, verdict.patch);
    const schema = invocation.matched.version.schema;
    pruneUnknownFields(patched, schema);
    applySchemaDefaults(patched, schema);
    const changed = !jsonEqual(patched, versioned);
    attributes.addAuditAnnotation?.(
      `mutation.webhook.admission.k8s.io/${annotation}`,
      JSON.stringify({ configuration, webhook: webhook.name, mutated: changed }),
    );
    if (!changed) return undefined;
    const back = convertObject(
      attributes,
      patched,
      invocation.matched.version.name,
      this.requestVersion(attributes),
    );
    checkIdentity(webhook.name, attributes.object, back);
    return back;
  }

  private requestVersion(attributes: AdmissionAttributes) {
    const version = attributes.definition.versions.find((v) => v.name === attributes.resource.version);
    if (!version) throw errors.internal(`version ${attributes.resource.version} is not served`);
    return version;
  }
}

function jsonEqual(a: unknown, b: unknown): boolean {
  return jsonpatch.compare(a as object, b as object).length === 0;
}

/** Applies a webhook's JSON patch; a patch that cannot apply, or leaves no object, is the webhook's failure. */
function applyWebhookPatch(webhook: string, object: KubeObject, patch: unknown[]): KubeObject {
  let result: unknown;
  try {
    result = jsonpatch.applyPatch(
      structuredClone(object),
      patch as jsonpatch.Operation[],
      true,
      true,
    ).newDocument;
  } catch (error) {
    throw webhookCallFailed(
      `failed calling webhook "${webhook}": received invalid webhook response: the JSON patch cannot be applied: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
    );
  }
  const isObject = result !== null && typeof result === 'object' && !Array.isArray(result);
  const meta = isObject ? (result as KubeObject).metadata : undefined;
  if (!isObject || meta === null || typeof meta !== 'object' || Array.isArray(meta))
    throw webhookCallFailed(
      `failed calling webhook "${webhook}": the patched object is not an object with metadata`,
    );
  return result as KubeObject;
}

/** A webhook may change an object but not which object it is. */
function checkIdentity(webhook: string, before: KubeObject, after: KubeObject): void {
  for (const field of ['name', 'namespace', 'generateName'] as const) {
    if ((before.metadata[field] ?? '') !== (after.metadata[field] ?? ''))
      throw webhookCallFailed(`admission webhook "${webhook}" may not change metadata.${field}`);
  }
}
