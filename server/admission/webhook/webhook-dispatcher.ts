import { randomUUID } from 'node:crypto';
import { errors } from '../../api/errors.js';
import type { Logger } from '../../util/logger.js';
import { admissionRequest } from '../admission-request.js';
import { webhookCallFailed, webhookDenied } from '../admission-errors.js';
import type { AdmissionAttributes } from '../admission-plugin.js';
import {
  AdmissionEvaluation,
  compileAdmissionExpression,
  OutOfBudgetError,
  type AdmissionExpression,
} from '../cel/admission-expressions.js';
import { InvalidSelectorError } from '../matching/label-selector-match.js';
import { namespaceSelected, objectSelected } from '../matching/match-resources.js';
import { matchingVersion, type MatchedVersion } from '../matching/request-matching.js';
import { versionedObjects, type VersionedObjects } from '../matching/versioned-attributes.js';
import type { NamespaceLookup } from '../namespace-lookup.js';
import { readAdmissionResponse, reviewVersionFor, type WebhookVerdict } from './admission-review.js';
import { WebhookCallError, type WebhookClient } from './webhook-client.js';
import type { AdmissionWebhook, ConfiguredWebhook } from './webhook-source.js';

/** A webhook that matched the request, and what it sees. */
export interface WebhookInvocation {
  readonly configured: ConfiguredWebhook;
  readonly matched: MatchedVersion;
  readonly objects: VersionedObjects;
}

type CompiledConditions =
  | { readonly conditions: readonly { readonly name: string; readonly expression: AdmissionExpression }[] }
  | { readonly error: string };

/** kube-apiserver's defaults for a webhook (admissionregistration/v1). */
export const defaultTimeoutSeconds = 10;

function failsOpen(webhook: AdmissionWebhook): boolean {
  return webhook.failurePolicy === 'Ignore';
}

/**
 * What both webhook plugins share: deciding whether a webhook applies to a request (rules with
 * matchPolicy, namespaceSelector, objectSelector, matchConditions), and calling it with an
 * AdmissionReview, as k8s.io/apiserver's generic webhook dispatcher does.
 */
export class WebhookDispatcher {
  private readonly compiled = new WeakMap<AdmissionWebhook, CompiledConditions>();

  constructor(
    private readonly client: WebhookClient,
    private readonly namespaces: NamespaceLookup | undefined,
    private readonly log: Logger,
  ) {}

  /**
   * The invocation when the webhook applies to the request, else undefined. A failing match
   * condition follows the webhook's failurePolicy (Ignore skips it).
   */
  async shouldCall(
    configured: ConfiguredWebhook,
    attributes: AdmissionAttributes,
  ): Promise<WebhookInvocation | undefined> {
    const { webhook } = configured;
    const matched = matchingVersion(webhook.rules ?? [], webhook.matchPolicy, attributes);
    if (!matched) return undefined;
    try {
      if (!(await namespaceSelected(webhook.namespaceSelector, attributes, this.namespaces)))
        return undefined;
      if (!objectSelected(webhook.objectSelector, attributes)) return undefined;
    } catch (error) {
      if (error instanceof InvalidSelectorError) throw errors.internal(error.message);
      throw error;
    }
    const objects = versionedObjects(attributes, matched);
    if ((webhook.matchConditions ?? []).length > 0) {
      const outcome = this.matchConditions(webhook, attributes, matched, objects);
      if (outcome === false) return undefined;
      if (typeof outcome === 'string') {
        if (failsOpen(webhook)) {
          this.log.info(2, 'failed evaluating match conditions, failing open', {
            webhook: webhook.name,
            error: outcome,
          });
          return undefined;
        }
        throw webhookCallFailed(new WebhookCallError(webhook.name, outcome).message);
      }
    }
    return { configured, matched, objects };
  }

  /** false when a condition is false, an error text when one failed, true when all hold. */
  private matchConditions(
    webhook: AdmissionWebhook,
    attributes: AdmissionAttributes,
    matched: MatchedVersion,
    objects: VersionedObjects,
  ): boolean | string {
    let compiled = this.compiled.get(webhook);
    if (!compiled) {
      compiled = compileConditions(webhook);
      this.compiled.set(webhook, compiled);
    }
    if ('error' in compiled) return compiled.error;
    const evaluation = new AdmissionEvaluation({
      object: objects.object,
      oldObject: objects.oldObject,
      request: admissionRequest(attributes, matched, ''),
    });
    const failures: string[] = [];
    try {
      for (const { name, expression } of compiled.conditions) {
        const result = evaluation.evaluate(expression);
        if ('error' in result) failures.push(`matchCondition '${name}': ${result.error}`);
        else if (result.value === false) return false;
        else if (result.value !== true) failures.push(`matchCondition '${name}': must evaluate to bool`);
      }
    } catch (error) {
      if (!(error instanceof OutOfBudgetError)) throw error;
      failures.push(error.message);
    }
    return failures.length > 0 ? `failed to evaluate match conditions: ${failures.join('; ')}` : true;
  }

  /**
   * Calls the webhook: the AdmissionReview in the version it accepts, over verified TLS,
   * within its timeout. Throws WebhookCallError when the call fails or the answer is wrong.
   */
  async call(
    invocation: WebhookInvocation,
    attributes: AdmissionAttributes,
    mutating: boolean,
  ): Promise<WebhookVerdict> {
    const { webhook } = invocation.configured;
    const version = reviewVersionFor(webhook.name, webhook.admissionReviewVersions);
    const uid = randomUUID();
    const review = {
      apiVersion: `admission.k8s.io/${version}`,
      kind: 'AdmissionReview',
      request: admissionRequest(attributes, invocation.matched, uid, invocation.objects),
    };
    const timeoutSeconds = webhook.timeoutSeconds ?? defaultTimeoutSeconds;
    const answer = await this.client.post(webhook.name, webhook.clientConfig, review, timeoutSeconds);
    return readAdmissionResponse(webhook.name, version, uid, answer, mutating);
  }

  /**
   * What a failed call means: with failurePolicy Ignore the webhook is skipped (logged and
   * annotated for audit, as kube does); otherwise the request fails with 500.
   */
  failedCall(
    error: unknown,
    invocation: WebhookInvocation,
    attributes: AdmissionAttributes,
    annotationKey: string,
  ): void {
    if (!(error instanceof WebhookCallError)) throw error;
    const { webhook } = invocation.configured;
    if (failsOpen(webhook)) {
      this.log.info(1, 'failed calling webhook, failing open', {
        webhook: webhook.name,
        error: error.message,
      });
      attributes.addAuditAnnotation?.(annotationKey, 'true');
      return;
    }
    this.log.info(1, 'failed calling webhook, failing closed', {
      webhook: webhook.name,
      error: error.message,
    });
    throw webhookCallFailed(error.message);
  }

  /** Passes on what the webhook said besides its decision: warnings and audit annotations. */
  record(verdict: WebhookVerdict, invocation: WebhookInvocation, attributes: AdmissionAttributes): void {
    const { webhook } = invocation.configured;
    for (const warning of verdict.warnings) {
      // As kube: a warning that cannot be a header value is dropped, not mangled.
      if (/^[\x20-\x7e\u00a0-\uffff]{1,2048}$/u.test(warning)) attributes.warnings.push(warning);
    }
    for (const [key, value] of verdict.auditAnnotations)
      attributes.addAuditAnnotation?.(`${webhook.name}/${key}`, value);
  }

  /** Throws the denial when the webhook refused. */
  checkAllowed(
    verdict: WebhookVerdict,
    invocation: WebhookInvocation,
    attributes: AdmissionAttributes,
  ): void {
    if (!verdict.allowed) throw webhookDenied(attributes, invocation.configured.webhook.name, verdict.status);
  }
}

function compileConditions(webhook: AdmissionWebhook): CompiledConditions {
  const conditions: { name: string; expression: AdmissionExpression }[] = [];
  for (const condition of webhook.matchConditions ?? []) {
    const result = compileAdmissionExpression(condition.expression, {}, 'bool');
    if ('error' in result)
      return { error: `compilation failed for matchCondition '${condition.name}': ${result.error}` };
    conditions.push({ name: condition.name, expression: result.expression });
  }
  return { conditions };
}
