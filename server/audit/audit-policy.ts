import { parse as parseYaml } from 'yaml';
import type { UserInfo } from '../../api/resource-spec.js';
import type { RequestInfo } from '../http/request-info.js';

import {
  AUDIT_LEVELS as levels,
  AUDIT_STAGES as stages,
  type AuditLevel,
  type AuditPolicy,
  type AuditPolicyRule,
  type AuditStage,
} from '../../api/audit-policy.js';

export type { AuditLevel, AuditPolicy, AuditPolicyRule, AuditStage };

/** Whether `level` records at least as much as `least`. */
export function levelAtLeast(level: AuditLevel, least: AuditLevel): boolean {
  return levels.indexOf(level) >= levels.indexOf(least);
}

/** What the policy says about one request. */
export interface RequestAuditConfig {
  readonly level: AuditLevel;
  readonly omitStages: ReadonlySet<AuditStage>;
  readonly omitManagedFields: boolean;
}

/** An audit policy file kube-apiserver would refuse: every problem at once. */
export class AuditPolicyError extends Error {
  override readonly name = 'AuditPolicyError';
  constructor(
    file: string,
    readonly problems: readonly string[],
  ) {
    super(`--audit-policy-file ${file}: ${problems.join('; ')}`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function stringList(value: unknown, field: string, problems: string[]): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    problems.push(`${field}: must be a list of strings`);
    return undefined;
  }
  return value as string[];
}

function stageList(value: unknown, field: string, problems: string[]): AuditStage[] | undefined {
  const list = stringList(value, field, problems);
  for (const [i, stage] of (list ?? []).entries()) {
    if (!(stages as readonly string[]).includes(stage))
      problems.push(
        `${field}[${i}]: Unsupported value: "${stage}": supported values: "${stages.join('", "')}"`,
      );
  }
  return list as AuditStage[] | undefined;
}

/**
 * Reads an audit.k8s.io/v1 Policy (YAML or JSON) and checks it as kube-apiserver's
 * ValidatePolicy does: every rule has a known level, stages are known, resources and
 * nonResourceURLs are not mixed, group resources have no slashes in the group.
 */
export function parseAuditPolicy(text: string, file: string): AuditPolicy {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new AuditPolicyError(file, [`cannot parse: ${(error as Error).message.split('\n')[0]}`]);
  }
  const problems: string[] = [];
  if (!isRecord(document)) throw new AuditPolicyError(file, ['must be an audit.k8s.io/v1 Policy object']);
  if (document.apiVersion !== 'audit.k8s.io/v1' || document.kind !== 'Policy')
    problems.push(
      `apiVersion and kind must be audit.k8s.io/v1 and Policy, not ${String(document.apiVersion)} and ${String(document.kind)}`,
    );
  const omitStages = stageList(document.omitStages, 'omitStages', problems);
  if (document.omitManagedFields !== undefined && typeof document.omitManagedFields !== 'boolean')
    problems.push('omitManagedFields: must be a boolean');
  if (!Array.isArray(document.rules)) problems.push('rules: must be a list');
  const rules: AuditPolicyRule[] = [];
  for (const [i, raw] of (Array.isArray(document.rules) ? document.rules : []).entries()) {
    const at = `rules[${i}]`;
    if (!isRecord(raw)) {
      problems.push(`${at}: must be an object`);
      continue;
    }
    if (!(levels as readonly unknown[]).includes(raw.level))
      problems.push(
        `${at}.level: ${raw.level === undefined ? 'Required value' : `Unsupported value: "${String(raw.level)}"`}: supported values: "${levels.join('", "')}"`,
      );
    const resources: NonNullable<AuditPolicyRule['resources']>[number][] = [];
    if (raw.resources !== undefined && raw.resources !== null) {
      if (!Array.isArray(raw.resources)) problems.push(`${at}.resources: must be a list`);
      else
        for (const [j, gr] of raw.resources.entries()) {
          if (!isRecord(gr)) {
            problems.push(`${at}.resources[${j}]: must be an object`);
            continue;
          }
          const group = gr.group === undefined ? '' : gr.group;
          if (typeof group !== 'string' || group.includes('/'))
            problems.push(`${at}.resources[${j}].group: Invalid value: must be a group name without "/"`);
          resources.push({
            group: typeof group === 'string' ? group : '',
            resources: stringList(gr.resources, `${at}.resources[${j}].resources`, problems),
            resourceNames: stringList(gr.resourceNames, `${at}.resources[${j}].resourceNames`, problems),
          });
        }
    }
    const nonResourceURLs = stringList(raw.nonResourceURLs, `${at}.nonResourceURLs`, problems);
    const namespaces = stringList(raw.namespaces, `${at}.namespaces`, problems);
    if (
      nonResourceURLs &&
      nonResourceURLs.length > 0 &&
      (resources.length > 0 || (namespaces ?? []).length > 0)
    )
      problems.push(
        `${at}.nonResourceURLs: Invalid value: rules cannot apply to both regular resources and non-resource URLs`,
      );
    if (raw.omitManagedFields !== undefined && typeof raw.omitManagedFields !== 'boolean')
      problems.push(`${at}.omitManagedFields: must be a boolean`);
    rules.push({
      level: raw.level as AuditLevel,
      users: stringList(raw.users, `${at}.users`, problems),
      userGroups: stringList(raw.userGroups, `${at}.userGroups`, problems),
      verbs: stringList(raw.verbs, `${at}.verbs`, problems),
      resources: resources.length > 0 ? resources : undefined,
      namespaces,
      nonResourceURLs,
      omitStages: stageList(raw.omitStages, `${at}.omitStages`, problems),
      omitManagedFields: typeof raw.omitManagedFields === 'boolean' ? raw.omitManagedFields : undefined,
    });
  }
  if (problems.length > 0) throw new AuditPolicyError(file, problems);
  return {
    rules,
    omitStages,
    omitManagedFields:
      typeof document.omitManagedFields === 'boolean' ? document.omitManagedFields : undefined,
  };
}

function pathMatches(path: string, spec: string): boolean {
  if (spec === '*' || spec === path) return true;
  return spec.endsWith('*') && path.startsWith(spec.replace(/\*+$/, ''));
}

function resourceMatches(rule: AuditPolicyRule, request: RequestInfo): boolean {
  if (!request.isResourceRequest) return false;
  if (rule.namespaces && rule.namespaces.length > 0 && !rule.namespaces.includes(request.namespace ?? ''))
    return false;
  if (!rule.resources || rule.resources.length === 0) return true;
  const { resource, subresource, name } = request;
  const combined = subresource ? `${resource}/${subresource}` : resource;
  for (const gr of rule.resources) {
    if ((gr.group ?? '') !== request.apiGroup) continue;
    if (!gr.resources || gr.resources.length === 0) return true;
    if (gr.resourceNames && gr.resourceNames.length > 0 && !gr.resourceNames.includes(name)) continue;
    for (const entry of gr.resources) {
      if (entry === combined || entry === '*') return true;
      if (subresource && entry.startsWith('*/') && entry.slice(2) === subresource) return true;
      if (entry.endsWith('/*') && entry.slice(0, -2) === resource) return true;
    }
  }
  return false;
}

/** Whether a rule applies to a request, as kube-apiserver's policy checker decides. */
export function ruleMatches(
  rule: AuditPolicyRule,
  user: UserInfo | undefined,
  request: RequestInfo,
): boolean {
  if (rule.users && rule.users.length > 0 && (!user || !rule.users.includes(user.name))) return false;
  if (
    rule.userGroups &&
    rule.userGroups.length > 0 &&
    !user?.groups.some((g) => rule.userGroups!.includes(g))
  )
    return false;
  if (rule.verbs && rule.verbs.length > 0 && !rule.verbs.includes(request.verb)) return false;
  if ((rule.namespaces ?? []).length > 0 || (rule.resources ?? []).length > 0)
    return resourceMatches(rule, request);
  if (rule.nonResourceURLs && rule.nonResourceURLs.length > 0)
    return !request.isResourceRequest && rule.nonResourceURLs.some((spec) => pathMatches(request.path, spec));
  return true;
}

/** The first matching rule decides; without one nothing is recorded. */
export function evaluateAuditPolicy(
  policy: AuditPolicy,
  user: UserInfo | undefined,
  request: RequestInfo,
): RequestAuditConfig {
  const rule = policy.rules.find((r) => ruleMatches(r, user, request));
  return {
    level: rule?.level ?? 'None',
    omitStages: new Set([...(policy.omitStages ?? []), ...(rule?.omitStages ?? [])]),
    omitManagedFields: rule?.omitManagedFields ?? policy.omitManagedFields ?? false,
  };
}
