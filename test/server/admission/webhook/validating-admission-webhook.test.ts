import type { V1ValidatingWebhook, V1ValidatingWebhookConfiguration } from '@kubernetes/client-node';
import { ValidatingAdmissionWebhook } from '../../../../server/admission/webhook/validating-admission-webhook.js';
import { orderedWebhooks, type WebhookSource } from '../../../../server/admission/webhook/webhook-source.js';
import { silentLogger } from '../../../../server/util/logger.js';
import { seedSnapshot, startTestServer, type TestServer } from '../../support/test-server.js';
import { jsonPatch, startWebhookServer, type TestWebhookServer } from '../../../support/webhook-server.js';

const configurations: V1ValidatingWebhookConfiguration[] = [];
const source: WebhookSource = { webhooks: async () => orderedWebhooks(configurations) };

let webhooks: TestWebhookServer;
let server: TestServer;
const base = '/apis/metrics.example.com/v1/namespaces/default/metricsnapshots';

function webhook(
  name: string,
  path: string,
  overrides: Partial<V1ValidatingWebhook> = {},
): V1ValidatingWebhook {
  return {
    name,
    admissionReviewVersions: ['v1'],
    sideEffects: 'None',
    clientConfig: { url: `${webhooks.url}${path}`, caBundle: webhooks.caBundle },
    rules: [{ operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*'] }],
    ...overrides,
  };
}

beforeAll(async () => {
  webhooks = await startWebhookServer();
  server = await startTestServer({
    serve: { admission: [new ValidatingAdmissionWebhook({ source, log: silentLogger })] },
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

describe('ValidatingAdmissionWebhook', () => {
  test('sees the object as it will be stored, and admits it when every webhook allows', async () => {
    webhooks.handle('/allow', () => ({ allowed: true }));
    configurations.push({ metadata: { name: 'b' }, webhooks: [webhook('second.example.com', '/allow')] });
    configurations.push({ metadata: { name: 'a' }, webhooks: [webhook('first.example.com', '/allow')] });
    expect((await server.request('POST', base, { body: seedSnapshot('a') })).status).toBe(201);
    expect(webhooks.received).toHaveLength(2);
    expect(webhooks.received[0].request.object).toMatchObject({
      metadata: { name: 'a', uid: expect.any(String), creationTimestamp: expect.any(String) },
    });
  });

  test('refuses the write when one webhook denies, with the first denial in configuration order', async () => {
    webhooks.handle('/allow', () => ({ allowed: true }));
    webhooks.handle('/deny-a', () => ({ allowed: false, status: { message: 'first says no' } }));
    webhooks.handle('/deny-b', () => ({ allowed: false, status: { message: 'second says no' } }));
    configurations.push({
      metadata: { name: 'only' },
      webhooks: [
        webhook('allow.example.com', '/allow'),
        webhook('deny-a.example.com', '/deny-a'),
        webhook('deny-b.example.com', '/deny-b'),
      ],
    });
    const refused = await server.request('POST', base, { body: seedSnapshot('b') });
    expect(refused.status).toBe(403);
    expect(refused.json<{ message: string }>().message).toBe(
      'metricsnapshots.metrics.example.com "b" is forbidden: admission webhook "deny-a.example.com" denied the request: first says no',
    );
    expect((await server.request('GET', `${base}/b`)).status).toBe(404);
  });

  test('treats a patch from a validating webhook as a failed call', async () => {
    webhooks.handle('/patching', () => ({
      allowed: true,
      patchType: 'JSONPatch',
      patch: jsonPatch([{ op: 'add', path: '/metadata/labels', value: { a: 'b' } }]),
    }));
    configurations.push({
      metadata: { name: 'p' },
      webhooks: [webhook('patching.example.com', '/patching')],
    });
    const refused = await server.request('POST', base, { body: seedSnapshot('c') });
    expect(refused.status).toBe(500);
    expect(refused.json<{ message: string }>().message).toContain(
      'validating webhook may not return response.patch',
    );
  });

  test('skips an unreachable webhook with failurePolicy Ignore and blocks with Fail', async () => {
    const down = { url: 'https://127.0.0.1:1/x', caBundle: webhooks.caBundle };
    configurations.push({
      metadata: { name: 'down' },
      webhooks: [webhook('down.example.com', '/x', { clientConfig: down, failurePolicy: 'Ignore' })],
    });
    expect((await server.request('POST', base, { body: seedSnapshot('d') })).status).toBe(201);
    configurations.splice(0);
    configurations.push({
      metadata: { name: 'down' },
      webhooks: [webhook('down.example.com', '/x', { clientConfig: down })],
    });
    expect((await server.request('POST', base, { body: seedSnapshot('e') })).status).toBe(500);
  });
});
