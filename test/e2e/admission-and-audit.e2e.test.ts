import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { deployAggregatedServer, type AggregatedServer } from './support/aggregated-server.js';
import { useControlPlane, waitFor } from './support/control-plane.js';
import { seedManifest } from '../support/seed.js';
import { jsonPatch, startWebhookServer, type TestWebhookServer } from '../support/webhook-server.js';

/** The fields of an audit event the test reads. */
interface AuditEventLine {
  readonly verb: string;
  readonly stage: string;
  readonly user: unknown;
  readonly userAgent?: string;
  readonly objectRef?: { readonly name?: string };
}

/**
 * The cluster's admission policies and audit cover the aggregated server's resources: webhooks
 * and ValidatingAdmissionPolicies configured in the real kube-apiserver are applied by the
 * server to MetricSnapshots created through the aggregator with kubectl, and its audit log
 * names the user the aggregator asserted.
 */
describe('admission webhooks, policies and audit, through a real aggregator', () => {
  const controlPlane = useControlPlane();
  let server: AggregatedServer;
  let webhooks: TestWebhookServer;
  let dir: string;
  let auditLog: string;

  const kubectl = (args: string[]) => controlPlane().kubectl(args);
  const run = (args: string[], stdin?: string) => controlPlane().runKubectl(args, stdin ? { stdin } : {});
  const apply = async (document: unknown): Promise<void> => {
    const result = await run(['apply', '-f', '-'], stringify(document));
    if (result.code !== 0) throw new Error(`kubectl apply failed: ${result.stderr}`);
  };

  /** A MetricSnapshot manifest of the seed, renamed. */
  const snapshot = (name: string): string => seedManifest.replace('app-metrics', name);
  const create = (name: string) => run(['create', '-f', '-'], snapshot(name));

  const rules = [
    {
      operations: ['CREATE', 'UPDATE'],
      apiGroups: ['metrics.example.com'],
      apiVersions: ['*'],
      resources: ['metricsnapshots'],
    },
  ];
  const webhook = (name: string, path: string, failurePolicy = 'Fail', url = `${webhooks.url}${path}`) => ({
    name,
    admissionReviewVersions: ['v1'],
    sideEffects: 'None',
    failurePolicy,
    timeoutSeconds: 5,
    clientConfig: { url, caBundle: webhooks.caBundle },
    rules,
  });

  beforeAll(async () => {
    webhooks = await startWebhookServer();
    webhooks.handle('/label', (review) => {
      const labels = (review.request.object as { metadata: { labels?: object } }).metadata.labels;
      const add = labels
        ? { op: 'add', path: '/metadata/labels/admitted-by', value: 'e2e-webhook' }
        : { op: 'add', path: '/metadata/labels', value: { 'admitted-by': 'e2e-webhook' } };
      return { allowed: true, patchType: 'JSONPatch', patch: jsonPatch([add]) };
    });
    webhooks.handle('/names', (review) =>
      (review.request.object as { metadata: { name: string } }).metadata.name === 'forbidden-name'
        ? { allowed: false, status: { code: 403, message: 'the name forbidden-name is reserved' } }
        : { allowed: true },
    );
    dir = controlPlane().dirs.base;
    const policyFile = join(dir, 'audit-policy.yaml');
    auditLog = join(dir, 'audit', 'audit.log');
    writeFileSync(
      policyFile,
      stringify({
        apiVersion: 'audit.k8s.io/v1',
        kind: 'Policy',
        omitStages: ['RequestReceived'],
        rules: [
          { level: 'None', users: ['system:kube-aggregator'] },
          { level: 'RequestResponse', verbs: ['create'], resources: [{ group: 'metrics.example.com' }] },
          { level: 'Metadata' },
        ],
      }),
    );
    server = await deployAggregatedServer(controlPlane(), 'cdk8s', {
      args: [`--audit-policy-file=${policyFile}`, `--audit-log-path=${auditLog}`],
    });
    await waitFor(
      async () => {
        server.process.assertRunning();
        return (await run(['get', 'metricsnapshots'])).code === 0;
      },
      'MetricSnapshots to be served through the aggregator',
      120_000,
    );
  }, 300_000);
  // A test that fails half-way must not leave its configuration to the next one.
  afterEach(async () => {
    for (const [kind, name] of [
      ['mutatingwebhookconfiguration', 'e2e-label'],
      ['validatingwebhookconfiguration', 'e2e-names'],
      ['validatingwebhookconfiguration', 'e2e-down'],
      ['validatingadmissionpolicybinding', 'e2e-names'],
      ['validatingadmissionpolicy', 'e2e-names'],
    ])
      await run(['delete', kind, name, '--ignore-not-found']);
  });
  afterAll(async () => {
    await server?.stop();
    await webhooks?.close();
  });

  it('a mutating webhook labels MetricSnapshots created with kubectl', async () => {
    await apply({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: { name: 'e2e-label' },
      webhooks: [webhook('label.e2e.example.com', '/label')],
    });
    let attempt = 0;
    const labelled = await waitFor(
      async () => {
        const name = `labelled-${++attempt}`;
        await create(name);
        const labels = await kubectl(['get', 'msnap', name, '-o', 'jsonpath={.metadata.labels}']);
        return labels.includes('e2e-webhook') && name;
      },
      'the server to apply the mutating webhook',
      60_000,
      { intervalMs: 500 },
    );
    const review = webhooks.received.find(
      (r) => (r.request.object as { metadata: { name: string } } | null)?.metadata.name === labelled,
    );
    expect(review?.request).toMatchObject({
      operation: 'CREATE',
      userInfo: { username: 'kubernetes-admin', groups: expect.arrayContaining(['system:masters']) },
    });
  });

  it('a validating webhook denies a forbidden name with its message', async () => {
    await apply({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: 'e2e-names' },
      webhooks: [webhook('names.e2e.example.com', '/names')],
    });
    const refused = await waitFor(
      async () => {
        const result = await create('forbidden-name');
        if (result.code === 0) await kubectl(['delete', 'msnap', 'forbidden-name']);
        return result.code !== 0 && result;
      },
      'the server to apply the validating webhook',
      60_000,
      { intervalMs: 500 },
    );
    expect(refused.stderr).toContain(
      'admission webhook "names.e2e.example.com" denied the request: the name forbidden-name is reserved',
    );
    expect((await create('allowed-name')).code).toBe(0);
  });

  it('a webhook that is down blocks writes with failurePolicy Fail and is skipped with Ignore', async () => {
    const down = (failurePolicy: string) =>
      apply({
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingWebhookConfiguration',
        metadata: { name: 'e2e-down' },
        webhooks: [webhook('down.e2e.example.com', '/down', failurePolicy, 'https://127.0.0.1:1/down')],
      });
    await down('Fail');
    let attempt = 0;
    const blocked = await waitFor(
      async () => {
        const result = await create(`blocked-${++attempt}`);
        return result.code !== 0 && result;
      },
      'the server to apply the unreachable webhook',
      60_000,
      { intervalMs: 500 },
    );
    expect(blocked.stderr).toContain('failed calling webhook "down.e2e.example.com"');
    await down('Ignore');
    await waitFor(
      async () => (await create(`skipped-${++attempt}`)).code === 0,
      'the server to skip the unreachable webhook with failurePolicy Ignore',
      60_000,
      { intervalMs: 500 },
    );
  });

  it('a ValidatingAdmissionPolicy with a binding denies a bad object with its message, and warns with Warn', async () => {
    await apply({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: 'e2e-names' },
      spec: {
        matchConstraints: { resourceRules: rules },
        validations: [
          {
            expression: "!object.metadata.name.startsWith('risky-')",
            messageExpression: "'name ' + object.metadata.name + ' is not allowed'",
          },
        ],
      },
    });
    const binding = (validationActions: string[]) =>
      apply({
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicyBinding',
        metadata: { name: 'e2e-names' },
        spec: { policyName: 'e2e-names', validationActions },
      });
    await binding(['Deny']);
    let attempt = 0;
    const denied = await waitFor(
      async () => {
        const result = await create(`risky-${++attempt}`);
        return result.code !== 0 && result;
      },
      'the server to apply the policy',
      60_000,
      { intervalMs: 500 },
    );
    expect(denied.stderr).toContain(
      `ValidatingAdmissionPolicy 'e2e-names' with binding 'e2e-names' denied request: name risky-${attempt} is not allowed`,
    );
    expect((await create('safe')).code).toBe(0);

    await binding(['Warn']);
    const warned = await waitFor(
      async () => {
        const result = await create(`risky-${++attempt}`);
        return result.code === 0 && result;
      },
      'the server to warn instead of deny',
      60_000,
      { intervalMs: 500 },
    );
    expect(warned.stderr).toContain(
      `Warning: Validation failed for ValidatingAdmissionPolicy 'e2e-names' with binding 'e2e-names': name risky-${attempt} is not allowed`,
    );
  });

  it('the audit log holds the events of a create through the aggregator, with the real user', async () => {
    expect((await create('audited')).code).toBe(0);
    const events = await waitFor(
      () => {
        const lines = readFileSync(auditLog, 'utf8').trim().split('\n');
        const found = lines
          .map((l) => JSON.parse(l) as AuditEventLine)
          .filter((e) => e.verb === 'create' && e.objectRef?.name === 'audited');
        return found.length > 0 && found;
      },
      'the audit events of the create',
      30_000,
    );
    expect(events.map((e) => e.stage)).toEqual(['ResponseComplete']);
    expect(events[0]).toMatchObject({
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: 'RequestResponse',
      user: { username: 'kubernetes-admin', groups: expect.arrayContaining(['system:masters']) },
      objectRef: { resource: 'metricsnapshots', namespace: 'default', apiGroup: 'metrics.example.com' },
      responseStatus: { code: 201 },
      requestObject: { metadata: { name: 'audited' } },
      responseObject: { kind: 'MetricSnapshot', metadata: { name: 'audited' } },
      annotations: { 'authorization.k8s.io/decision': 'allow' },
    });
    expect(JSON.stringify(events[0].user)).not.toContain('front-proxy');
    expect(events[0].userAgent).toMatch(/^kubectl/);
  });
});
