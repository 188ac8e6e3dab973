import type {
  KubernetesObject,
  V1ValidatingAdmissionPolicy,
  V1ValidatingAdmissionPolicyBinding,
} from '@kubernetes/client-node';
import type { KubeObject } from '../../../../api/index.js';
import type { AdmissionAttributes } from '../../../../server/admission/admission-plugin.js';
import { staticParamSource } from '../../../../server/admission/policy/param-source.js';
import { boundPolicies, type PolicySource } from '../../../../server/admission/policy/policy-source.js';
import { ValidatingAdmissionPolicyPlugin } from '../../../../server/admission/policy/validating-admission-policy.js';
import { silentLogger } from '../../../../server/util/logger.js';
import { metricSnapshot } from '../../../../resources/metricsnapshot/index.js';
import { seedSnapshot, startTestServer, type TestServer } from '../../support/test-server.js';

const policies: V1ValidatingAdmissionPolicy[] = [];
const bindings: V1ValidatingAdmissionPolicyBinding[] = [];
const source: PolicySource = { policies: async () => boundPolicies(policies, bindings) };
const configMapKind = { apiVersion: 'v1', kind: 'ConfigMap' };
const params: KubernetesObject[] = [
  {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'limits', namespace: 'default' },
    data: { banned: 'x' },
  } as KubernetesObject,
];
const plugin = new ValidatingAdmissionPolicyPlugin({
  policies: source,
  params: staticParamSource([{ paramKind: configMapKind, namespaced: true, objects: params }]),
  namespaces: { get: async (name) => ({ metadata: { name, labels: { env: 'prod' } } }) },
  log: silentLogger,
});

let server: TestServer;
const base = '/apis/metrics.example.com/v1/namespaces/default/metricsnapshots';

const matchSnapshots = {
  resourceRules: [
    {
      operations: ['CREATE', 'UPDATE'],
      apiGroups: ['metrics.example.com'],
      apiVersions: ['*'],
      resources: ['metricsnapshots'],
    },
  ],
};

function policy(name: string, spec: V1ValidatingAdmissionPolicy['spec']): V1ValidatingAdmissionPolicy {
  return { metadata: { name }, spec: { matchConstraints: matchSnapshots, ...spec } };
}

function binding(
  name: string,
  policyName: string,
  validationActions: string[],
  spec: Partial<NonNullable<V1ValidatingAdmissionPolicyBinding['spec']>> = {},
): V1ValidatingAdmissionPolicyBinding {
  return { metadata: { name }, spec: { policyName, validationActions, ...spec } };
}

const namedForbidden = policy('no-forbidden-names', {
  validations: [
    { expression: "object.metadata.name != 'forbidden'", message: 'the name forbidden is reserved' },
  ],
});

beforeAll(async () => {
  server = await startTestServer({ serve: { admission: [plugin] } });
});
afterAll(async () => server?.stop());
beforeEach(() => {
  policies.splice(0);
  bindings.splice(0);
});

describe('ValidatingAdmissionPolicy', () => {
  test('denies a write a Deny binding refuses, with the message and code kube returns', async () => {
    policies.push(namedForbidden);
    bindings.push(binding('deny-forbidden', 'no-forbidden-names', ['Deny']));
    const refused = await server.request('POST', base, { body: seedSnapshot('forbidden') });
    expect(refused.status).toBe(422);
    expect(refused.json()).toMatchObject({
      reason: 'Invalid',
      message:
        "metricsnapshots.metrics.example.com \"forbidden\" is forbidden: ValidatingAdmissionPolicy 'no-forbidden-names' with binding 'deny-forbidden' denied request: the name forbidden is reserved",
      details: { name: 'forbidden', group: 'metrics.example.com', kind: 'metricsnapshots' },
    });
    expect((await server.request('POST', base, { body: seedSnapshot('allowed') })).status).toBe(201);
  });

  test('warns instead with a Warn binding, and does nothing without a binding', async () => {
    policies.push(namedForbidden);
    expect((await server.request('POST', base, { body: seedSnapshot('forbidden') })).status).toBe(201);
    await server.request('DELETE', `${base}/forbidden`);
    bindings.push(binding('warn-forbidden', 'no-forbidden-names', ['Warn']));
    const warned = await server.request('POST', base, { body: seedSnapshot('forbidden') });
    expect(warned.status).toBe(201);
    expect(warned.headers.warning).toBe(
      "299 - \"Validation failed for ValidatingAdmissionPolicy 'no-forbidden-names' with binding 'warn-forbidden': the name forbidden is reserved\"",
    );
    await server.request('DELETE', `${base}/forbidden`);
  });

  test('uses the validation reason for the code, and messageExpression with request and params', async () => {
    policies.push(
      policy('banned-source', {
        paramKind: configMapKind,
        validations: [
          {
            expression: 'object.spec.source != params.data.banned',
            messageExpression:
              "'source ' + object.spec.source + ' is banned for ' + request.userInfo.username",
            reason: 'Forbidden',
          },
        ],
      }),
    );
    bindings.push(binding('banned', 'banned-source', ['Deny'], { paramRef: { name: 'limits' } }));
    const snapshot = seedSnapshot('banned') as { spec: { source: string } };
    snapshot.spec.source = 'x';
    const refused = await server.request('POST', base, { body: snapshot });
    expect(refused.status).toBe(403);
    expect(refused.json()).toMatchObject({ reason: 'Forbidden' });
    expect(refused.json<{ message: string }>().message).toMatch(
      /denied request: source x is banned for admin$/,
    );
  });

  test('refuses a binding whose params are missing when parameterNotFoundAction is Deny', async () => {
    policies.push(
      policy('needs-params', { paramKind: configMapKind, validations: [{ expression: 'true' }] }),
    );
    bindings.push(
      binding('absent', 'needs-params', ['Deny'], {
        paramRef: { name: 'absent', parameterNotFoundAction: 'Allow' },
      }),
    );
    expect((await server.request('POST', base, { body: seedSnapshot('p1') })).status).toBe(201);
    bindings.splice(
      0,
      1,
      binding('absent', 'needs-params', ['Deny'], {
        paramRef: { name: 'absent', parameterNotFoundAction: 'Deny' },
      }),
    );
    const refused = await server.request('POST', base, { body: seedSnapshot('p2') });
    expect(refused.status).toBe(422);
    expect(refused.json<{ message: string }>().message).toContain(
      "ValidatingAdmissionPolicy 'needs-params' with binding 'absent' denied request: failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction",
    );
  });

  test('follows failurePolicy when an expression fails to evaluate', async () => {
    const broken = { validations: [{ expression: "object.spec.missing == 'x'" }] };
    policies.push(policy('broken', { ...broken, failurePolicy: 'Ignore' }));
    bindings.push(binding('broken', 'broken', ['Deny']));
    expect((await server.request('POST', base, { body: seedSnapshot('b1') })).status).toBe(201);
    policies.splice(0, 1, policy('broken', broken));
    const refused = await server.request('POST', base, { body: seedSnapshot('b2') });
    expect(refused.status).toBe(422);
    expect(refused.json<{ message: string }>().message).toContain(
      "denied request: expression 'object.spec.missing == 'x'' resulted in error: no such key: missing",
    );
  });

  test('reads oldObject, namespaceObject and variables', async () => {
    policies.push(
      policy('immutable-source-in-prod', {
        variables: [{ name: 'prod', expression: "namespaceObject.metadata.labels.env == 'prod'" }],
        validations: [
          {
            expression: '!variables.prod || oldObject == null || object.spec.source == oldObject.spec.source',
            message: 'spec.source is immutable in production',
          },
        ],
      }),
    );
    bindings.push(binding('immutable', 'immutable-source-in-prod', ['Deny']));
    expect((await server.request('POST', base, { body: seedSnapshot('v1') })).status).toBe(201);
    const changed = await server.request('PATCH', `${base}/v1`, {
      body: { spec: { source: 'other' } },
      headers: { 'Content-Type': 'application/merge-patch+json' },
    });
    expect(changed.status).toBe(422);
    expect(changed.json<{ message: string }>().message).toContain('spec.source is immutable in production');
  });

  test('applies to the resources its matchConstraints and the binding select', async () => {
    policies.push({
      ...namedForbidden,
      spec: {
        ...namedForbidden.spec,
        matchConstraints: { ...matchSnapshots, objectSelector: { matchLabels: { checked: 'yes' } } },
      },
    });
    bindings.push(binding('deny-forbidden', 'no-forbidden-names', ['Deny']));
    expect((await server.request('POST', base, { body: seedSnapshot('forbidden') })).status).toBe(201);
    await server.request('DELETE', `${base}/forbidden`);
    const labelled = seedSnapshot('forbidden') as { metadata: Record<string, unknown> };
    labelled.metadata.labels = { checked: 'yes' };
    expect((await server.request('POST', base, { body: labelled })).status).toBe(422);
    bindings.splice(
      0,
      1,
      binding('deny-forbidden', 'no-forbidden-names', ['Deny'], {
        matchResources: { namespaceSelector: { matchLabels: { env: 'staging' } } },
      }),
    );
    expect((await server.request('POST', base, { body: labelled })).status).toBe(201);
    await server.request('DELETE', `${base}/forbidden`);
  });

  test('Audit bindings and auditAnnotations annotate the audit event', async () => {
    policies.push({
      ...namedForbidden,
      spec: {
        ...namedForbidden.spec,
        auditAnnotations: [{ key: 'source', valueExpression: "'from ' + object.spec.source" }],
      },
    });
    bindings.push(binding('audit-forbidden', 'no-forbidden-names', ['Audit']));
    const annotations = new Map<string, string>();
    const attributes: AdmissionAttributes = {
      operation: 'CREATE',
      definition: metricSnapshot,
      resource: { group: 'metrics.example.com', version: 'v1', resource: 'metricsnapshots' },
      kind: { group: 'metrics.example.com', version: 'v1', kind: 'MetricSnapshot' },
      name: 'forbidden',
      namespace: 'default',
      object: seedSnapshot('forbidden') as KubeObject,
      user: { name: 'u', groups: [] },
      dryRun: false,
      options: {},
      warnings: [],
      addAuditAnnotation: (key, value) => void annotations.set(key, value),
    };
    await plugin.validate(attributes);
    expect(
      JSON.parse(annotations.get('validation.policy.admission.k8s.io/validation_failure') ?? ''),
    ).toEqual([
      {
        message: 'the name forbidden is reserved',
        policy: 'no-forbidden-names',
        binding: 'audit-forbidden',
        expressionIndex: 0,
        validationActions: ['Audit'],
      },
    ]);
    expect(annotations.get('no-forbidden-names/source')).toBe('from prometheus');
  });
});
