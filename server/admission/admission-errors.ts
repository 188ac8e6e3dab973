import type { Status, StatusCause, StatusReason } from '../../api/types.js';
import { ApiError } from '../api/errors.js';
import type { AdmissionAttributes } from './admission-plugin.js';

function qualifiedResource(attributes: AdmissionAttributes): string {
  const { group, resource } = attributes.resource;
  return group ? `${resource}.${group}` : resource;
}

function objectName(attributes: AdmissionAttributes): string {
  return attributes.name || attributes.object?.metadata.generateName || '';
}

/** kube's admission.NewForbidden: `<resource>.<group> "<name>" is forbidden: <message>`. */
export function admissionForbidden(attributes: AdmissionAttributes, message: string): ApiError {
  const name = objectName(attributes);
  const resource = qualifiedResource(attributes);
  return new ApiError({
    code: 403,
    reason: 'Forbidden',
    message: name ? `${resource} "${name}" is forbidden: ${message}` : `${resource} is forbidden: ${message}`,
    details: {
      ...(name ? { name } : {}),
      group: attributes.resource.group,
      kind: attributes.resource.resource,
    },
  });
}

/** The codes kube gives a policy's denial reason (reasonToCode). */
export function reasonToCode(reason: string): number {
  switch (reason) {
    case 'Forbidden':
      return 403;
    case 'Unauthorized':
      return 401;
    case 'RequestEntityTooLarge':
      return 413;
    case 'Invalid':
      return 422;
    default:
      return 422;
  }
}

/** A status a webhook answered with; every field comes from the webhook and is checked. */
export interface WebhookStatus {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly reason?: unknown;
  readonly details?: unknown;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/**
 * A webhook's denial as kube-apiserver returns it (webhook errors.ToStatusErr): the webhook's
 * code (403 when it gave none), its message prefixed with who denied it, its reason.
 */
export function webhookDenied(
  attributes: AdmissionAttributes,
  webhook: string,
  status: WebhookStatus | undefined,
): ApiError {
  const given = typeof status?.code === 'number' && Number.isInteger(status.code) ? status.code : 0;
  const code = given >= 400 && given <= 599 ? given : given === 0 ? 403 : given < 400 ? 400 : 500;
  const deniedBy = `admission webhook "${webhook}" denied the request`;
  const message = text(status?.message)
    ? `${deniedBy}: ${text(status?.message)}`
    : text(status?.reason)
      ? `${deniedBy}: ${text(status?.reason)}`
      : `${deniedBy} without explanation`;
  const name = attributes.name || 'Unknown';
  const internal = code === 500;
  const prefix = internal
    ? 'Internal error occurred'
    : `${qualifiedResource(attributes)} "${name}" is forbidden`;
  const reason = (text(status?.reason) || (internal ? 'InternalError' : 'Forbidden')) as StatusReason;
  const details: Status['details'] = internal
    ? { causes: [{ message } as StatusCause] }
    : { group: attributes.resource.group, kind: attributes.resource.resource, name };
  return new ApiError({ code, reason, message: `${prefix}: ${message}`, details });
}

/** A webhook that could not be called, under failurePolicy Fail: 500, as kube's NewInternalError. */
export function webhookCallFailed(message: string): ApiError {
  return new ApiError({
    code: 500,
    reason: 'InternalError',
    message: `Internal error occurred: ${message}`,
    details: { causes: [{ message }] },
  });
}

/** A dry run reaching a webhook that may have side effects (kube's NewDryRunUnsupportedErr). */
export function dryRunUnsupported(webhook: string): ApiError {
  return new ApiError({
    code: 400,
    reason: 'BadRequest',
    message: `admission webhook "${webhook}" does not support dry run`,
  });
}
