import { parseRequestInfo } from '../../../server/http/request-info.js';
import {
  AuditPolicyError,
  evaluateAuditPolicy,
  parseAuditPolicy,
} from '../../../server/audit/audit-policy.js';

const info = (method: string, path: string) => parseRequestInfo(method, new URL(path, 'https://localhost'));
const alice = { name: 'alice', groups: ['team-a', 'system:authenticated'] };
const collection = '/apis/metrics.example.com/v1/namespaces/default/metricsnapshots';

const policy = parseAuditPolicy(
  `
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: None
    users: [system:kube-proxy]
  - level: RequestResponse
    userGroups: [team-a]
    verbs: [create]
    resources:
      - group: metrics.example.com
        resources: [metricsnapshots]
  - level: Request
    resources:
      - group: metrics.example.com
        resources: ["*/status"]
    omitStages: [ResponseStarted]
  - level: Metadata
    namespaces: [kube-system]
  - level: Metadata
    nonResourceURLs: [/healthz*, /version]
    omitManagedFields: true
  - level: Metadata
    resources:
      - group: metrics.example.com
        resources: [metricsnapshots]
        resourceNames: [audited]
`,
  'policy.yaml',
);

describe('evaluateAuditPolicy', () => {
  test('the first rule that matches decides the level', () => {
    expect(evaluateAuditPolicy(policy, alice, info('POST', collection)).level).toBe('RequestResponse');
    expect(evaluateAuditPolicy(policy, { name: 'bob', groups: [] }, info('POST', collection)).level).toBe(
      'None',
    );
    expect(
      evaluateAuditPolicy(policy, { name: 'system:kube-proxy', groups: ['team-a'] }, info('POST', collection))
        .level,
    ).toBe('None');
  });

  test('matches subresources, namespaces, names and non-resource URLs as kube does', () => {
    expect(evaluateAuditPolicy(policy, alice, info('PUT', `${collection}/a/status`)).level).toBe('Request');
    expect(evaluateAuditPolicy(policy, alice, info('GET', `${collection}/audited`)).level).toBe('Metadata');
    expect(evaluateAuditPolicy(policy, alice, info('GET', `${collection}/other`)).level).toBe('None');
    expect(
      evaluateAuditPolicy(
        policy,
        alice,
        info('GET', '/apis/metrics.example.com/v1/namespaces/kube-system/metricsnapshots'),
      ).level,
    ).toBe('Metadata');
    expect(evaluateAuditPolicy(policy, alice, info('GET', '/healthz/ping')).level).toBe('Metadata');
    expect(evaluateAuditPolicy(policy, alice, info('GET', '/versions')).level).toBe('None');
  });

  test("unites the policy's omitted stages with the rule's, and takes omitManagedFields from the rule", () => {
    const status = evaluateAuditPolicy(policy, alice, info('PUT', `${collection}/a/status`));
    expect([...status.omitStages].sort()).toEqual(['RequestReceived', 'ResponseStarted']);
    expect(evaluateAuditPolicy(policy, alice, info('GET', '/version')).omitManagedFields).toBe(true);
    expect(evaluateAuditPolicy(policy, alice, info('POST', collection)).omitManagedFields).toBe(false);
  });
});

describe('parseAuditPolicy', () => {
  test('reports every problem of a policy kube-apiserver would refuse', () => {
    const failure = (() => {
      try {
        parseAuditPolicy(
          `
apiVersion: audit.k8s.io/v1beta1
kind: Policy
omitStages: [Sometimes]
rules:
  - level: Everything
  - users: [a]
  - level: Metadata
    resources: [{group: "a/b"}]
    nonResourceURLs: [/x]
`,
          'bad.yaml',
        );
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(failure).toBeInstanceOf(AuditPolicyError);
    expect((failure as AuditPolicyError).problems).toEqual([
      'apiVersion and kind must be audit.k8s.io/v1 and Policy, not audit.k8s.io/v1beta1 and Policy',
      'omitStages[0]: Unsupported value: "Sometimes": supported values: "RequestReceived", "ResponseStarted", "ResponseComplete", "Panic"',
      'rules[0].level: Unsupported value: "Everything": supported values: "None", "Metadata", "Request", "RequestResponse"',
      'rules[1].level: Required value: supported values: "None", "Metadata", "Request", "RequestResponse"',
      'rules[2].resources[0].group: Invalid value: must be a group name without "/"',
      'rules[2].nonResourceURLs: Invalid value: rules cannot apply to both regular resources and non-resource URLs',
    ]);
  });

  test('reads a JSON policy too', () => {
    const parsed = parseAuditPolicy(
      '{"apiVersion":"audit.k8s.io/v1","kind":"Policy","rules":[{"level":"Metadata"}]}',
      'p.json',
    );
    expect(evaluateAuditPolicy(parsed, undefined, info('GET', '/anything')).level).toBe('Metadata');
  });
});
