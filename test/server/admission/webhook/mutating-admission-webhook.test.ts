import type { V1MutatingWebhook, V1MutatingWebhookConfiguration } from '@kubernetes/client-node';
import { createCertificateAuthority } from '../../../../server/pki/certificates.js';
import { MutatingAdmissionWebhook } from '../../../../server/admission/webhook/mutating-admission-webhook.js';
import { orderedWebhooks, type WebhookSource } from '../../../../server/admission/webhook/webhook-source.js';
import { silentLogger } from '../../../../server/util/logger.js';
import { seedSnapshot, startTestServer, type TestServer } from '../../support/test-server.js';
import { jsonPatch, startWebhookServer, type TestWebhookServer } from '../../../support/webhook-server.js';

/** The cluster's configurations as the test sets them; the plugin reads them through the same ordering as the informer's. */
const configurations: V1MutatingWebhookConfiguration[] = [];
const source: WebhookSource = { webhooks: async () => orderedWebhooks(configurations) };

let webhooks: TestWebhookServer;
let server: TestServer;
const base = '/apis/metrics.example.com/v1/namespaces/default/metricsnapshots';

function webhook(name: string, path: string, overrides: Partial<V1MutatingWebhook> = {}): V1MutatingWebhook {
  return {
    name,
    admissionReviewVersions: ['v1'],
    sideEffects: 'None',
    clientConfig: { url: `${webhooks.url}${path}`, caBundle: webhooks.caBundle },
    rules: [
      {
        operations: ['CREATE', 'UPDATE', 'DELETE'],
        apiGroups: ['metrics.example.com'],
        apiVersions: ['v1'],
        resources: ['metricsnapshots'],
      },
    ],
    ...overrides,
  };
}

function configure(...list: V1MutatingWebhook[]): void {
  configurations.splice(0, configurations.length, { metadata: { name: 'test' }, webhooks: list });
}

const labelling = () => ({
  allowed: true,
  patchType: 'JSONPatch',
  patch: jsonPatch([{ op: 'add', path: '/metadata/labels', value: { stamped: 'yes' } }]),
});

beforeAll(async () => {
  webhooks = await startWebhookServer();
  server = await startTestServer({
    serve: { admission: [new MutatingAdmissionWebhook({ source, log: silentLogger })] },
  });
});
afterAll(async () => {
  await server?.stop();
  await webhooks?.close();
});
beforeEach(() => {
  configurations.splice(0);
  webhooks.received.splice(0);
});
afterEach(async () => {
  configurations.splice(0);
  await server.request('DELETE', `${base}?`, {});
});

describe('MutatingAdmissionWebhook', () => {
  test("applies a webhook's JSON patch to a create and sends it an AdmissionReview v1", async () => {
    webhooks.handle('/label', labelling);
    configure(webhook('label.example.com', '/label'));
    const created = await server.request('POST', base, { body: seedSnapshot('a') });
    expect(created.status).toBe(201);
    expect(created.json<{ metadata: { labels: unknown } }>().metadata.labels).toEqual({ stamped: 'yes' });
    const [review] = webhooks.received;
    expect(review.apiVersion).toBe('admission.k8s.io/v1');
    expect(review.url).toBe('/label?timeout=10s');
    expect(review.request).toMatchObject({
      kind: { group: 'metrics.example.com', version: 'v1', kind: 'MetricSnapshot' },
      resource: { group: 'metrics.example.com', version: 'v1', resource: 'metricsnapshots' },
      requestKind: { group: 'metrics.example.com', version: 'v1', kind: 'MetricSnapshot' },
      name: 'a',
      namespace: 'default',
      operation: 'CREATE',
      userInfo: { username: 'admin', groups: ['system:masters', 'system:authenticated'] },
      dryRun: false,
      options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
      oldObject: null,
    });
    expect(review.request.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(review.request.object).toMatchObject({ metadata: { name: 'a' }, spec: { source: 'prometheus' } });
  });

  test('calls a webhook that asks for another version in that version (matchPolicy Equivalent)', async () => {
    webhooks.handle('/beta', (review) => {
      const names = (review.request.object?.spec as { metricNames: string[] }).metricNames;
      return {
        allowed: true,
        patchType: 'JSONPatch',
        patch: jsonPatch([{ op: 'add', path: '/spec/metricNames/-', value: `${names.length}-seen` }]),
      };
    });
    const rules = [{ operations: ['CREATE'], apiGroups: ['*'], apiVersions: ['v1beta1'], resources: ['*'] }];
    configure(webhook('beta.example.com', '/beta', { rules }));
    const created = await server.request('POST', base, { body: seedSnapshot('b') });
    expect(created.status).toBe(201);
    expect(created.json<{ spec: { metrics: string[] } }>().spec.metrics).toEqual([
      'cpu_usage',
      'memory_usage',
      'request_count',
      '3-seen',
    ]);
    expect(webhooks.received[0].request).toMatchObject({
      kind: { version: 'v1beta1' },
      resource: { version: 'v1beta1' },
      requestKind: { version: 'v1' },
      object: { apiVersion: 'metrics.example.com/v1beta1' },
    });
  });

  test('does not call a webhook for another version when its matchPolicy is Exact', async () => {
    webhooks.handle('/beta', labelling);
    const rules = [{ operations: ['CREATE'], apiGroups: ['*'], apiVersions: ['v1beta1'], resources: ['*'] }];
    configure(webhook('beta.example.com', '/beta', { rules, matchPolicy: 'Exact' }));
    expect((await server.request('POST', base, { body: seedSnapshot('c') })).status).toBe(201);
    expect(webhooks.received).toHaveLength(0);
  });

  test('prunes fields a patch adds that the schema does not know, and validates the result', async () => {
    webhooks.handle('/unknown', () => ({
      allowed: true,
      patchType: 'JSONPatch',
      patch: jsonPatch([{ op: 'add', path: '/spec/unknownField', value: 1 }]),
    }));
    configure(webhook('unknown.example.com', '/unknown'));
    const created = await server.request('POST', base, { body: seedSnapshot('d') });
    expect(created.status).toBe(201);
    expect(created.json<{ spec: Record<string, unknown> }>().spec).not.toHaveProperty('unknownField');

    webhooks.handle('/invalid', () => ({
      allowed: true,
      patchType: 'JSONPatch',
      patch: jsonPatch([{ op: 'replace', path: '/spec/interval', value: 5 }]),
    }));
    configure(webhook('invalid.example.com', '/invalid'));
    const refused = await server.request('POST', base, { body: seedSnapshot('e') });
    expect(refused.status).toBe(422);
    expect(refused.json<{ message: string }>().message).toContain('spec.interval');
  });

  test('calls a webhook with reinvocationPolicy IfNeeded again when a later webhook changed the object', async () => {
    webhooks.handle('/first', () => ({ allowed: true }));
    webhooks.handle('/second', labelling);
    configure(
      webhook('first.example.com', '/first', { reinvocationPolicy: 'IfNeeded' }),
      webhook('second.example.com', '/second'),
    );
    expect((await server.request('POST', base, { body: seedSnapshot('f') })).status).toBe(201);
    const paths = webhooks.received.map((r) => r.url.split('?')[0]);
    expect(paths).toEqual(['/first', '/second', '/first']);
    expect(webhooks.received[2].request.object).toMatchObject({ metadata: { labels: { stamped: 'yes' } } });
  });

  test('does not call a webhook again when its reinvocationPolicy is Never', async () => {
    webhooks.handle('/first', () => ({ allowed: true }));
    webhooks.handle('/second', labelling);
    configure(webhook('first.example.com', '/first'), webhook('second.example.com', '/second'));
    expect((await server.request('POST', base, { body: seedSnapshot('g') })).status).toBe(201);
    expect(webhooks.received.map((r) => r.url.split('?')[0])).toEqual(['/first', '/second']);
  });

  test("returns a denial with the webhook's message and code, as kube-apiserver does", async () => {
    webhooks.handle('/deny', () => ({
      allowed: false,
      status: { code: 409, message: 'name taken elsewhere' },
    }));
    configure(webhook('deny.example.com', '/deny'));
    const refused = await server.request('POST', base, { body: seedSnapshot('h') });
    expect(refused.status).toBe(409);
    expect(refused.json()).toMatchObject({
      kind: 'Status',
      reason: 'Forbidden',
      message:
        'metricsnapshots.metrics.example.com "h" is forbidden: admission webhook "deny.example.com" denied the request: name taken elsewhere',
    });

    webhooks.handle('/deny', () => ({ allowed: false }));
    const bare = await server.request('POST', base, { body: seedSnapshot('h') });
    expect(bare.status).toBe(403);
    expect(bare.json<{ message: string }>().message).toContain(
      'admission webhook "deny.example.com" denied the request without explanation',
    );
  });

  test('blocks the write when a webhook cannot be reached and failurePolicy is Fail, and skips it with Ignore', async () => {
    const down = { url: 'https://127.0.0.1:1/down', caBundle: webhooks.caBundle };
    configure(webhook('down.example.com', '/down', { clientConfig: down, failurePolicy: 'Fail' }));
    const refused = await server.request('POST', base, { body: seedSnapshot('i') });
    expect(refused.status).toBe(500);
    expect(refused.json<{ message: string }>().message).toMatch(
      /^Internal error occurred: failed calling webhook "down.example.com": failed to call webhook: Post "https:\/\/127.0.0.1:1\/down\?timeout=10s": /,
    );
    configure(webhook('down.example.com', '/down', { clientConfig: down, failurePolicy: 'Ignore' }));
    expect((await server.request('POST', base, { body: seedSnapshot('i') })).status).toBe(201);
  });

  test('refuses a webhook whose certificate is not signed by its caBundle', async () => {
    webhooks.handle('/label', labelling);
    const otherCa = Buffer.from((await createCertificateAuthority('another-ca')).certPem).toString('base64');
    configure(
      webhook('label.example.com', '/label', {
        clientConfig: { url: `${webhooks.url}/label`, caBundle: otherCa },
      }),
    );
    const withoutTrust = await server.request('POST', base, { body: seedSnapshot('j') });
    expect(withoutTrust.status).toBe(500);
    expect(withoutTrust.json<{ message: string }>().message).toContain(
      'failed calling webhook "label.example.com"',
    );
    configure(webhook('label.example.com', '/label', { clientConfig: { url: `${webhooks.url}/label` } }));
    const systemRoots = await server.request('POST', base, { body: seedSnapshot('j') });
    expect(systemRoots.status).toBe(500);
    expect(systemRoots.json<{ message: string }>().message).toMatch(/certificate/);
    expect(webhooks.received).toHaveLength(0);
  });

  test('gives up on a webhook after its timeoutSeconds', async () => {
    webhooks.handle('/slow', () => new Promise<never>(() => undefined));
    configure(webhook('slow.example.com', '/slow', { timeoutSeconds: 1 }));
    const refused = await server.request('POST', base, { body: seedSnapshot('k') });
    expect(refused.status).toBe(500);
    expect(refused.json<{ message: string }>().message).toContain('context deadline exceeded');
    expect(webhooks.received[0].url).toBe('/slow?timeout=1s');
  });

  test('refuses a dry run that would reach a webhook with side effects, and tells others it is one', async () => {
    webhooks.handle('/label', labelling);
    configure(webhook('effects.example.com', '/label', { sideEffects: 'Some' }));
    const refused = await server.request('POST', `${base}?dryRun=All`, { body: seedSnapshot('l') });
    expect(refused.status).toBe(400);
    expect(refused.json<{ message: string }>().message).toBe(
      'admission webhook "effects.example.com" does not support dry run',
    );
    configure(webhook('effects.example.com', '/label', { sideEffects: 'NoneOnDryRun' }));
    const dry = await server.request('POST', `${base}?dryRun=All`, { body: seedSnapshot('l') });
    expect(dry.status).toBe(201);
    expect(webhooks.received[0].request).toMatchObject({ dryRun: true, options: { dryRun: ['All'] } });
  });

  test('skips webhooks whose objectSelector or matchConditions do not select the request', async () => {
    webhooks.handle('/label', labelling);
    configure(
      webhook('selected.example.com', '/label', { objectSelector: { matchLabels: { team: 'a' } } }),
      webhook('conditional.example.com', '/label', {
        matchConditions: [{ name: 'named-m', expression: "object.metadata.name.startsWith('m')" }],
      }),
    );
    expect((await server.request('POST', base, { body: seedSnapshot('n') })).status).toBe(201);
    expect(webhooks.received).toHaveLength(0);
    const matching = seedSnapshot('m');
    (matching.metadata as Record<string, unknown>).labels = { team: 'a' };
    expect((await server.request('POST', base, { body: matching })).status).toBe(201);
    expect(webhooks.received).toHaveLength(2);
  });

  test('follows failurePolicy when a match condition fails to evaluate', async () => {
    webhooks.handle('/label', labelling);
    const matchConditions = [{ name: 'broken', expression: 'object.spec.missing == 1' }];
    configure(webhook('broken.example.com', '/label', { matchConditions, failurePolicy: 'Ignore' }));
    expect((await server.request('POST', base, { body: seedSnapshot('o') })).status).toBe(201);
    configure(webhook('broken.example.com', '/label', { matchConditions, failurePolicy: 'Fail' }));
    const refused = await server.request('POST', base, { body: seedSnapshot('p') });
    expect(refused.status).toBe(500);
    expect(refused.json<{ message: string }>().message).toContain("matchCondition 'broken'");
    expect(webhooks.received).toHaveLength(0);
  });

  test("passes a webhook's warnings to the client", async () => {
    webhooks.handle('/warn', () => ({ allowed: true, warnings: ['interval is short', 'bad\u0007char'] }));
    configure(webhook('warn.example.com', '/warn'));
    const created = await server.request('POST', base, { body: seedSnapshot('q') });
    expect(created.status).toBe(201);
    expect(created.headers.warning).toBe('299 - "interval is short"');
  });

  test('calls webhooks for updates and deletes with the old object', async () => {
    expect((await server.request('POST', base, { body: seedSnapshot('r') })).status).toBe(201);
    webhooks.handle('/seen', () => ({ allowed: true }));
    configure(webhook('seen.example.com', '/seen'));
    const patched = await server.request('PATCH', `${base}/r`, {
      body: { spec: { source: 'changed' } },
      headers: { 'Content-Type': 'application/merge-patch+json' },
    });
    expect(patched.status).toBe(200);
    expect((await server.request('DELETE', `${base}/r`)).status).toBe(200);
    expect(webhooks.received.map((r) => r.request.operation)).toEqual(['UPDATE', 'DELETE']);
    expect(webhooks.received[0].request).toMatchObject({
      object: { spec: { source: 'changed' } },
      oldObject: { spec: { source: 'prometheus' } },
      options: { kind: 'UpdateOptions' },
    });
    expect(webhooks.received[1].request).toMatchObject({
      object: null,
      oldObject: { metadata: { name: 'r' } },
      options: { kind: 'DeleteOptions' },
    });
  });

  test('treats an answer for another request as a failed call', async () => {
    webhooks.handle('/wrong', () => ({
      raw: JSON.stringify({
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        response: { uid: 'other', allowed: true },
      }),
    }));
    configure(webhook('wrong.example.com', '/wrong'));
    const refused = await server.request('POST', base, { body: seedSnapshot('s') });
    expect(refused.status).toBe(500);
    expect(refused.json<{ message: string }>().message).toMatch(
      /received invalid webhook response: expected response.uid=".*", got "other"/,
    );
  });
});
