import type { AdmissionAttributes } from './admission-plugin.js';
import type { MatchedVersion } from './matching/request-matching.js';
import type { VersionedObjects } from './matching/versioned-attributes.js';

/**
 * An admission.k8s.io/v1 AdmissionRequest for a request seen in the matched version: what a
 * webhook receives (with the objects) and what policies read as `request` (without them).
 */
export function admissionRequest(
  attributes: AdmissionAttributes,
  matched: MatchedVersion,
  uid: string,
  objects?: VersionedObjects,
): Record<string, unknown> {
  const { user } = attributes;
  const extra = user.extra && Object.keys(user.extra).length > 0 ? { extra: user.extra } : {};
  return {
    ...(uid ? { uid } : {}),
    kind: matched.kind,
    resource: matched.resource,
    ...(attributes.subresource ? { subResource: attributes.subresource } : {}),
    requestKind: attributes.kind,
    requestResource: attributes.resource,
    ...(attributes.subresource ? { requestSubResource: attributes.subresource } : {}),
    name: attributes.name,
    ...(attributes.namespace ? { namespace: attributes.namespace } : {}),
    operation: attributes.operation,
    userInfo: {
      username: user.name,
      ...(user.uid ? { uid: user.uid } : {}),
      groups: [...user.groups],
      ...extra,
    },
    ...(objects ? { object: objects.object ?? null, oldObject: objects.oldObject ?? null } : {}),
    dryRun: attributes.dryRun,
    options: attributes.options,
  };
}
