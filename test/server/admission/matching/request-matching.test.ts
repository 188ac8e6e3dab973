import type { KubeObject } from '../../../../api/index.js';
import type { AdmissionAttributes } from '../../../../server/admission/admission-plugin.js';
import {
  matchingVersion,
  ruleMatches,
  type RuleTarget,
} from '../../../../server/admission/matching/request-matching.js';
import { metricSnapshot } from '../../../../resources/metricsnapshot/index.js';

const target: RuleTarget = {
  operation: 'UPDATE',
  group: 'metrics.example.com',
  version: 'v1',
  resource: 'metricsnapshots',
  subresource: 'status',
  namespace: 'default',
  name: 'a',
};
const rule = { operations: ['UPDATE'], apiGroups: ['metrics.example.com'], apiVersions: ['v1'] };

describe('ruleMatches', () => {
  test('matches a subresource only when the rule names it or a wildcard', () => {
    expect(ruleMatches({ ...rule, resources: ['metricsnapshots'] }, target)).toBe(false);
    expect(ruleMatches({ ...rule, resources: ['*'] }, target)).toBe(false);
    expect(ruleMatches({ ...rule, resources: ['metricsnapshots/status'] }, target)).toBe(true);
    expect(ruleMatches({ ...rule, resources: ['*/*'] }, target)).toBe(true);
    expect(ruleMatches({ ...rule, resources: ['metricsnapshots/*'] }, target)).toBe(true);
    expect(ruleMatches({ ...rule, resources: ['*/scale'] }, target)).toBe(false);
  });

  test('matches operations, scope and resource names', () => {
    const all = { ...rule, resources: ['*/*'] };
    expect(ruleMatches({ ...all, operations: ['CREATE'] }, target)).toBe(false);
    expect(ruleMatches({ ...all, operations: ['*'] }, target)).toBe(true);
    expect(ruleMatches({ ...all, scope: 'Cluster' }, target)).toBe(false);
    expect(ruleMatches({ ...all, scope: 'Namespaced' }, target)).toBe(true);
    expect(ruleMatches({ ...all, resourceNames: ['b'] }, target)).toBe(false);
    expect(ruleMatches({ ...all, resourceNames: ['a'] }, target)).toBe(true);
  });
});

describe('matchingVersion', () => {
  const attributes = (version: string): AdmissionAttributes => ({
    operation: 'CREATE',
    definition: metricSnapshot,
    resource: { group: 'metrics.example.com', version, resource: 'metricsnapshots' },
    kind: { group: 'metrics.example.com', version, kind: 'MetricSnapshot' },
    name: 'a',
    namespace: 'default',
    object: { metadata: { name: 'a' } } as KubeObject,
    user: { name: 'u', groups: [] },
    dryRun: false,
    options: {},
    warnings: [],
  });
  const betaOnly = [{ operations: ['*'], apiGroups: ['*'], apiVersions: ['v1beta1'], resources: ['*'] }];

  test('prefers the request version and falls back to an equivalent one', () => {
    expect(matchingVersion(betaOnly, 'Equivalent', attributes('v1beta1'))?.kind.version).toBe('v1beta1');
    const equivalent = matchingVersion(betaOnly, undefined, attributes('v1'));
    expect(equivalent?.kind).toEqual({
      group: 'metrics.example.com',
      version: 'v1beta1',
      kind: 'MetricSnapshot',
    });
    expect(matchingVersion(betaOnly, 'Exact', attributes('v1'))).toBeUndefined();
  });
});
