import type { AggregatedApiServerConfig } from './config.js';
import { configMapFilePath, configMapOfFile, type ConfigMapFile } from './config-map-file.js';
import type { Manifest, V1ConfigMap } from './k8s-types.js';
import { objectNames } from './names.js';
import { AUDIT_LEVELS, AUDIT_STAGES, type AuditPolicy } from '../../api/audit-policy.js';

/** Where the audit policy is mounted in the server container. */
export const AUDIT_POLICY_DIR = '/etc/aggregated-apiserver/audit';
/** Its ConfigMap key and file name (JSON, which the server reads as the YAML it is). */
export const AUDIT_POLICY_KEY = 'policy.json';
/** Pod template annotation with its checksum: the server reads the policy at startup. */
export const AUDIT_POLICY_CHECKSUM_ANNOTATION = 'checksum/audit-policy';

const LEVELS: readonly string[] = AUDIT_LEVELS;
const STAGES: readonly string[] = AUDIT_STAGES;

/**
 * What the server would refuse in the policy (`--audit-policy-file`), in the options' words, so
 * that synth fails rather than the pods: the types say the same to TypeScript, not to JavaScript.
 */
export function auditPolicyProblems(policy: AuditPolicy | undefined): string[] {
  if (!policy) return [];
  const problems: string[] = [];
  const checkStages = (field: string, stages: readonly string[] | undefined): void => {
    for (const [i, stage] of (stages ?? []).entries()) {
      if (!STAGES.includes(stage)) {
        problems.push(`${field}[${i}] must be one of ${STAGES.join(', ')}, got "${stage}"`);
      }
    }
  };
  if (policy.rules.length === 0) problems.push('auditPolicy.rules needs at least one rule');
  checkStages('auditPolicy.omitStages', policy.omitStages);
  for (const [i, rule] of policy.rules.entries()) {
    if (!LEVELS.includes(rule.level)) {
      problems.push(`auditPolicy.rules[${i}].level must be one of ${LEVELS.join(', ')}, got "${rule.level}"`);
    }
    checkStages(`auditPolicy.rules[${i}].omitStages`, rule.omitStages);
  }
  return problems;
}

/** The audit policy as a file from a ConfigMap; undefined when the deployment does not audit. */
export function auditPolicyFile(config: AggregatedApiServerConfig): ConfigMapFile | undefined {
  if (config.auditPolicy === undefined) return undefined;
  const policy = { apiVersion: 'audit.k8s.io/v1', kind: 'Policy', ...config.auditPolicy };
  return {
    configMapName: objectNames(config).auditPolicy,
    volumeName: 'audit-policy',
    mountPath: AUDIT_POLICY_DIR,
    key: AUDIT_POLICY_KEY,
    checksumAnnotation: AUDIT_POLICY_CHECKSUM_ANNOTATION,
    content: `${JSON.stringify(policy, null, 2)}\n`,
  };
}

/** The ConfigMap of the audit policy. */
export function auditPolicyConfigMap(config: AggregatedApiServerConfig): Manifest<V1ConfigMap> | undefined {
  const file = auditPolicyFile(config);
  return file && configMapOfFile(config, file);
}

/**
 * The audit flags: the mounted policy, and the events as JSON lines on standard output
 * (`--audit-log-path=-`), that is the container log the cluster's log collection ships.
 */
export function auditArgs(config: AggregatedApiServerConfig): string[] {
  const file = auditPolicyFile(config);
  return file ? [`--audit-policy-file=${configMapFilePath(file)}`, '--audit-log-path=-'] : [];
}
