import type { V1MatchResources } from '@kubernetes/client-node';
import { errors } from '../../api/errors.js';
import type { AdmissionAttributes } from '../admission-plugin.js';
import type { NamespaceLookup } from '../namespace-lookup.js';
import { matchesLabelSelector, type LabelSelectorSpec } from './label-selector-match.js';
import { matchingVersion, type MatchedVersion } from './request-matching.js';

function isEmpty(selector: LabelSelectorSpec | undefined): boolean {
  return (
    !selector ||
    (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0)
  );
}

/** Whether the request's namespace has the labels a namespaceSelector asks for; cluster-scoped requests always do. */
export async function namespaceSelected(
  selector: LabelSelectorSpec | undefined,
  attributes: AdmissionAttributes,
  namespaces: NamespaceLookup | undefined,
): Promise<boolean> {
  if (isEmpty(selector) || !attributes.namespace || !attributes.definition.namespaced || !namespaces)
    return true;
  const namespace = await namespaces.get(attributes.namespace);
  if (!namespace) throw errors.notFound({ group: '', resource: 'namespaces' }, attributes.namespace);
  return matchesLabelSelector(selector, namespace.metadata?.labels);
}

/** Whether the object or the old object has the labels an objectSelector asks for. */
export function objectSelected(
  selector: LabelSelectorSpec | undefined,
  attributes: AdmissionAttributes,
): boolean {
  if (isEmpty(selector)) return true;
  return (
    (!!attributes.object && matchesLabelSelector(selector, attributes.object.metadata.labels)) ||
    (!!attributes.oldObject && matchesLabelSelector(selector, attributes.oldObject.metadata.labels))
  );
}

/**
 * A policy's matchConstraints or a binding's matchResources, as k8s.io/apiserver's policy
 * matcher applies them: selectors first, then excludeResourceRules, then resourceRules (none
 * means every resource) with matchPolicy. The version the policy sees the request in, or
 * undefined when it does not apply.
 */
export async function matchResources(
  criteria: V1MatchResources | undefined,
  attributes: AdmissionAttributes,
  namespaces: NamespaceLookup | undefined,
): Promise<MatchedVersion | undefined> {
  const own = attributes.definition.versions.find((v) => v.name === attributes.resource.version);
  const ownMatch = (): MatchedVersion | undefined =>
    own && { version: own, resource: attributes.resource, kind: attributes.kind };
  if (!criteria) return ownMatch();
  if (!(await namespaceSelected(criteria.namespaceSelector, attributes, namespaces))) return undefined;
  if (!objectSelected(criteria.objectSelector, attributes)) return undefined;
  const policy = criteria.matchPolicy ?? 'Equivalent';
  if (
    (criteria.excludeResourceRules ?? []).length > 0 &&
    matchingVersion(criteria.excludeResourceRules ?? [], policy, attributes)
  )
    return undefined;
  if ((criteria.resourceRules ?? []).length === 0) return ownMatch();
  return matchingVersion(criteria.resourceRules ?? [], policy, attributes);
}
