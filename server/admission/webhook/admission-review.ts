import type { WebhookStatus } from '../admission-errors.js';
import { WebhookCallError } from './webhook-client.js';

/** The AdmissionReview versions this server speaks, preferred first. */
export const reviewVersions = ['v1', 'v1beta1'] as const;
export type ReviewVersion = (typeof reviewVersions)[number];

/** The first version the webhook accepts that this server speaks, as kube picks it. */
export function reviewVersionFor(webhook: string, accepted: readonly string[] | undefined): ReviewVersion {
  for (const version of accepted ?? []) {
    if ((reviewVersions as readonly string[]).includes(version)) return version as ReviewVersion;
  }
  throw new WebhookCallError(
    webhook,
    `webhook does not accept known AdmissionReview versions: [${(accepted ?? []).join(' ')}]`,
  );
}

/** What a webhook decided, checked. */
export interface WebhookVerdict {
  readonly allowed: boolean;
  readonly status?: WebhookStatus;
  /** The decoded JSON patch operations, when the webhook sent any. */
  readonly patch?: unknown[];
  readonly warnings: readonly string[];
  readonly auditAnnotations: ReadonlyMap<string, string>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

const invalid = (webhook: string, why: string): WebhookCallError =>
  new WebhookCallError(webhook, `received invalid webhook response: ${why}`);

/**
 * Reads an AdmissionReview answer as kube-apiserver's VerifyAdmissionResponse does: the same
 * apiVersion and kind, the request's uid, `allowed`, a patch only as base64 JSONPatch (v1 asks
 * for patchType), string warnings and audit annotations. Anything else is a failed call.
 */
export function readAdmissionResponse(
  webhook: string,
  version: ReviewVersion,
  uid: string,
  answer: unknown,
  mutating: boolean,
): WebhookVerdict {
  if (!isRecord(answer)) throw invalid(webhook, 'the response is not a JSON object');
  const apiVersion = `admission.k8s.io/${version}`;
  if (version === 'v1' && (answer.apiVersion !== apiVersion || answer.kind !== 'AdmissionReview')) {
    throw invalid(
      webhook,
      `expected webhook response of ${apiVersion}, Kind=AdmissionReview, got ${String(answer.apiVersion ?? '')}, Kind=${String(answer.kind ?? '')}`,
    );
  }
  const response = answer.response;
  if (!isRecord(response)) throw invalid(webhook, 'webhook response was absent');
  if (version === 'v1' && response.uid !== uid) {
    throw invalid(webhook, `expected response.uid="${uid}", got "${String(response.uid ?? '')}"`);
  }
  if (typeof response.allowed !== 'boolean') throw invalid(webhook, 'response.allowed is not a boolean');
  const warnings = Array.isArray(response.warnings)
    ? response.warnings.filter((w): w is string => typeof w === 'string')
    : [];
  const auditAnnotations = new Map<string, string>();
  if (isRecord(response.auditAnnotations)) {
    for (const [key, value] of Object.entries(response.auditAnnotations))
      if (typeof value === 'string') auditAnnotations.set(key, value);
  }
  const status = isRecord(response.status) ? (response.status as WebhookStatus) : undefined;
  let patch: unknown[] | undefined;
  if (response.patch !== undefined && response.patch !== null && response.patch !== '') {
    if (!mutating) throw invalid(webhook, 'validating webhook may not return response.patch');
    if (version === 'v1' && response.patchType === undefined)
      throw invalid(webhook, 'webhook returned response.patch but not response.patchType');
    if (response.patchType !== undefined && response.patchType !== 'JSONPatch')
      throw invalid(
        webhook,
        `webhook returned invalid response.patchType of "${String(response.patchType)}"`,
      );
    if (typeof response.patch !== 'string') throw invalid(webhook, 'response.patch is not base64');
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8'));
    } catch (error) {
      throw invalid(webhook, `response.patch is not a JSON patch: ${(error as Error).message}`);
    }
    if (!Array.isArray(decoded)) throw invalid(webhook, 'response.patch is not a JSON patch');
    patch = decoded;
  } else if (version === 'v1' && response.patchType !== undefined && response.patchType !== null) {
    throw invalid(webhook, 'webhook returned response.patchType but not response.patch');
  }
  return { allowed: response.allowed, status, patch, warnings, auditAnnotations };
}
