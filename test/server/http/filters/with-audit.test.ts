import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AdmissionPlugin } from '../../../../server/admission/admission-plugin.js';
import type { AuditEvent } from '../../../../server/audit/audit-event.js';
import { seedSnapshot, startTestServer, type TestServer } from '../../support/test-server.js';

const policy = `
apiVersion: audit.k8s.io/v1
kind: Policy
rules:
  - level: None
    nonResourceURLs: ["/version"]
  - level: RequestResponse
    verbs: [create]
    omitManagedFields: true
  - level: Request
    verbs: [update, patch]
  - level: Metadata
`;

let directory: string;
let server: TestServer;
let logPath: string;
const base = '/apis/metrics.example.com/v1/namespaces/default/metricsnapshots';

function allEvents(): AuditEvent[] {
  return readFileSync(logPath, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as AuditEvent);
}

/** The events written so far for one Audit-ID. */
const eventsOf = (auditId: unknown): AuditEvent[] => allEvents().filter((e) => e.auditID === auditId);

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'audit-filter-'));
  const policyFile = join(directory, 'policy.yaml');
  writeFileSync(policyFile, policy);
  logPath = join(directory, 'logs', 'audit.log');
  // An admission plugin annotating the event, as policies and webhooks do.
  const annotating: AdmissionPlugin = {
    name: 'Annotating',
    validate: async (attributes) => attributes.addAuditAnnotation?.('example.com/admitted', attributes.name),
  };
  server = await startTestServer({
    args: [`--audit-policy-file=${policyFile}`, `--audit-log-path=${logPath}`],
    serve: { admission: [annotating] },
  });
});
afterAll(async () => {
  await server?.stop();
  rmSync(directory, { recursive: true, force: true });
});

describe('withAudit', () => {
  test('audits a request refused by authentication with one ResponseStarted event, no user and the credentials tried', async () => {
    const refused = await server.request('GET', base, {
      anonymous: true,
      headers: { Authorization: 'Bearer not-a-real-token', 'Audit-ID': 'refused-by-authentication' },
    });
    expect(refused.status).toBe(401);
    expect(refused.headers['audit-id']).toBe('refused-by-authentication');
    const events = eventsOf('refused-by-authentication');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      stage: 'ResponseStarted',
      level: 'Metadata',
      verb: 'list',
      user: { username: '', groups: [] },
      responseStatus: { code: 401, message: 'Authentication failed, attempted: bearer' },
    });
  });

  test('writes RequestReceived and ResponseComplete events for a create, with the user, the objects and the status', async () => {
    const created = await server.request('POST', base, {
      body: seedSnapshot('audited'),
      headers: { 'User-Agent': 'kubectl/v1.36.4', 'Audit-ID': 'given-by-the-aggregator' },
    });
    expect(created.status).toBe(201);
    expect(created.headers['audit-id']).toBe('given-by-the-aggregator');
    const events = eventsOf('given-by-the-aggregator');
    expect(events.map((e) => e.stage)).toEqual(['RequestReceived', 'ResponseComplete']);
    const [received, complete] = events;
    expect(received).not.toHaveProperty('requestObject');
    expect(complete).toMatchObject({
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: 'RequestResponse',
      verb: 'create',
      requestURI: base,
      user: { username: 'admin', groups: ['system:masters', 'system:authenticated'] },
      sourceIPs: ['127.0.0.1'],
      userAgent: 'kubectl/v1.36.4',
      objectRef: {
        resource: 'metricsnapshots',
        namespace: 'default',
        name: 'audited',
        apiGroup: 'metrics.example.com',
        apiVersion: 'v1',
      },
      responseStatus: { metadata: {}, code: 201 },
      requestObject: { metadata: { name: 'audited' }, spec: { source: 'prometheus' } },
      responseObject: { kind: 'MetricSnapshot', metadata: { name: 'audited', uid: expect.any(String) } },
      annotations: { 'authorization.k8s.io/decision': 'allow', 'example.com/admitted': 'audited' },
    });
    expect((complete.responseObject as { metadata: Record<string, unknown> }).metadata).not.toHaveProperty(
      'managedFields',
    );
    expect(complete.stageTimestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
  });

  test('records a failed request with its Status, and the level of the rule that matched', async () => {
    const missing = await server.request('PUT', `${base}/missing`, { body: seedSnapshot('missing') });
    expect(missing.status).toBe(404);
    const [, complete] = eventsOf(missing.headers['audit-id']);
    expect(complete).toMatchObject({
      level: 'Request',
      verb: 'update',
      responseStatus: { code: 404, status: 'Failure', reason: 'NotFound' },
      requestObject: { metadata: { name: 'missing' } },
    });
    expect(complete).not.toHaveProperty('responseObject');
  });

  test('writes ResponseStarted for a watch, and nothing for what the policy leaves out', async () => {
    const watch = await server.watch(`${base}?watch=true&timeoutSeconds=1`);
    while (await watch.next(5000));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const version = await server.request('GET', '/version');
    expect(eventsOf(version.headers['audit-id'])).toEqual([]);
    const watchEvents = allEvents().filter((e) => e.verb === 'watch');
    expect(watchEvents.map((e) => e.stage)).toEqual([
      'RequestReceived',
      'ResponseStarted',
      'ResponseComplete',
    ]);
    expect(watchEvents[2]).toMatchObject({ level: 'Metadata', responseStatus: { code: 200 } });
  });

  test('records a request the authorizer refuses', async () => {
    const anonymous = await server.request('GET', base, { anonymous: true });
    expect(anonymous.status).toBe(403);
    const [, complete] = eventsOf(anonymous.headers['audit-id']);
    expect(complete).toMatchObject({
      user: { username: 'system:anonymous' },
      responseStatus: { code: 403, reason: 'Forbidden' },
      annotations: { 'authorization.k8s.io/decision': 'forbid' },
    });
  });
});
