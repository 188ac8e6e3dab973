import type { ResourceVersion } from '../../../api/resource-definition.js';
import type { AdmissionAttributes } from '../admission-plugin.js';

/** A rule of a webhook or of a policy's matchConstraints (admissionregistration/v1 RuleWithOperations). */
export interface AdmissionRule {
  readonly operations?: readonly string[];
  readonly apiGroups?: readonly string[];
  readonly apiVersions?: readonly string[];
  /** `plural`, `plural/subresource`, `*`, `*\/*`, `plural/*`, `*\/subresource`. */
  readonly resources?: readonly string[];
  /** `Cluster`, `Namespaced` or `*`. @default '*' */
  readonly scope?: string;
  /** NamedRuleWithOperations (policies): only these object names. @default - any name */
  readonly resourceNames?: readonly string[];
}

/** What a rule is compared with: the request, or one of its equivalent versions. */
export interface RuleTarget {
  readonly operation: string;
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly subresource: string;
  readonly namespace?: string;
  readonly name: string;
}

const matchesAny = (values: readonly string[] | undefined, value: string): boolean =>
  (values ?? []).some((v) => v === '*' || v === value);

function resourceMatches(resources: readonly string[] | undefined, target: RuleTarget): boolean {
  for (const entry of resources ?? []) {
    const slash = entry.indexOf('/');
    const resource = slash < 0 ? entry : entry.slice(0, slash);
    const subresource = slash < 0 ? '' : entry.slice(slash + 1);
    if (
      (resource === '*' || resource === target.resource) &&
      (subresource === '*' || subresource === target.subresource)
    )
      return true;
  }
  return false;
}

function scopeMatches(scope: string | undefined, target: RuleTarget): boolean {
  if (scope === 'Cluster') return !target.namespace;
  if (scope === 'Namespaced') return !!target.namespace;
  return true;
}

/** Whether one rule covers the target, as k8s.io/apiserver's rules.Matcher decides. */
export function ruleMatches(rule: AdmissionRule, target: RuleTarget): boolean {
  return (
    matchesAny(rule.operations, target.operation) &&
    matchesAny(rule.apiGroups, target.group) &&
    matchesAny(rule.apiVersions, target.version) &&
    resourceMatches(rule.resources, target) &&
    scopeMatches(rule.scope, target) &&
    (!rule.resourceNames || rule.resourceNames.length === 0 || rule.resourceNames.includes(target.name))
  );
}

/** The version a webhook or policy sees the request in: the request's own, or an equivalent one. */
export interface MatchedVersion {
  readonly version: ResourceVersion;
  readonly resource: { readonly group: string; readonly version: string; readonly resource: string };
  readonly kind: { readonly group: string; readonly version: string; readonly kind: string };
}

function targetOf(attributes: AdmissionAttributes, version: string): RuleTarget {
  return {
    operation: attributes.operation,
    group: attributes.resource.group,
    version,
    resource: attributes.resource.resource,
    subresource: attributes.subresource ?? '',
    namespace: attributes.namespace,
    name: attributes.name,
  };
}

function matched(attributes: AdmissionAttributes, version: ResourceVersion): MatchedVersion {
  const { group, resource } = attributes.resource;
  return {
    version,
    resource: { group, version: version.name, resource },
    kind: { group: attributes.kind.group, version: version.name, kind: attributes.kind.kind },
  };
}

/**
 * Which version of the request matches `rules`: the request's own version when a rule names it;
 * with matchPolicy Equivalent (the default) also any other served version of the same resource,
 * in which the object is then converted, as kube-apiserver sends a webhook the version it asked
 * for. Undefined when none matches.
 */
export function matchingVersion(
  rules: readonly AdmissionRule[],
  matchPolicy: string | undefined,
  attributes: AdmissionAttributes,
): MatchedVersion | undefined {
  const versions = attributes.definition.versions;
  const own = versions.find((v) => v.name === attributes.resource.version);
  const covers = (version: string): boolean =>
    rules.some((rule) => ruleMatches(rule, targetOf(attributes, version)));
  if (own && covers(own.name)) return matched(attributes, own);
  if (matchPolicy === 'Exact') return undefined;
  for (const version of versions) {
    if (version !== own && covers(version.name)) return matched(attributes, version);
  }
  return undefined;
}
