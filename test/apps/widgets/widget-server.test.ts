import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { widget } from '../../../apps/widgets/widget.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../../../server/admission/admission-plugin.js';
import { errors } from '../../../server/api/errors.js';
import { metricSnapshot } from '../../../resources/metricsnapshot/index.js';
import { seedSnapshot, startTestServer, type TestServer } from '../../server/support/test-server.js';

const v1 = '/apis/widgets.acme.io/v1/widgets';
const v1alpha1 = '/apis/widgets.acme.io/v1alpha1/widgets';

const widgetV1 = (name: string, spec: Record<string, unknown> = {}): Record<string, unknown> => ({
  apiVersion: 'widgets.acme.io/v1',
  kind: 'Widget',
  metadata: { name },
  spec: { color: 'red', size: { value: 10, unit: 'cm' }, ...spec },
});

interface Widget {
  metadata: { name: string; resourceVersion: string; annotations?: Record<string, string> };
  spec: { color: string; size: unknown; replicas: number };
}

/** Records what admission saw, and refuses widgets named `forbidden`. */
class RecordingAdmission implements AdmissionPlugin {
  readonly name = 'Recording';
  readonly seen: AdmissionAttributes[] = [];
  async validate(attributes: AdmissionAttributes): Promise<void> {
    this.seen.push(attributes);
    if (attributes.name === 'forbidden')
      throw errors.forbidden(
        'widgets may not be called forbidden',
        { group: 'widgets.acme.io', resource: 'widgets' },
        attributes.name,
      );
  }
}

describe('a server of a user-defined resource (apps/widgets) beside MetricSnapshot', () => {
  let t: TestServer;
  const admission = new RecordingAdmission();
  beforeAll(async () => {
    t = await startTestServer({
      storage: 'sqlite',
      serve: { resources: [widget, metricSnapshot], admission: [admission] },
    });
  });
  afterAll(async () => t.stop());

  test('discovery lists the cluster-scoped kind with its status and scale subresources', async () => {
    const list = (await t.request('GET', '/apis/widgets.acme.io/v1')).json<{
      resources: { name: string; namespaced: boolean; kind: string; shortNames?: string[] }[];
    }>();
    expect(list.resources.map((r) => [r.name, r.namespaced, r.kind])).toEqual([
      ['widgets', false, 'Widget'],
      ['widgets/status', false, 'Widget'],
      ['widgets/scale', false, 'Scale'],
    ]);
    expect(list.resources[0].shortNames).toEqual(['wd']);
    expect((await t.request('GET', '/apis/widgets.acme.io/v1/namespaces/default/widgets')).status).toBe(404);
  });

  test('each resource lives in its own storage: widgets in their JSON file, snapshots in the embedded database', async () => {
    expect((await t.request('POST', v1, { body: widgetV1('stored') })).status).toBe(201);
    const ns = '/apis/metrics.example.com/v1/namespaces/default/metricsnapshots';
    expect((await t.request('POST', ns, { body: seedSnapshot('beside') })).status).toBe(201);
    const file = JSON.parse(readFileSync(join(t.dataDir, 'widgets.json'), 'utf8')) as {
      objects: Record<string, unknown>;
    };
    expect(Object.keys(file.objects)).toEqual(['/widgets.acme.io/widgets/stored']);
    expect(existsSync(join(t.dataDir, 'state.db'))).toBe(true);
    expect(readFileSync(join(t.dataDir, 'state.db')).includes('stored')).toBe(false);
  });

  test('a v1alpha1 write is stored as v1 and read back in either version; v1alpha1 answers warn that it is deprecated', async () => {
    const created = await t.request('POST', v1alpha1, {
      body: {
        apiVersion: 'widgets.acme.io/v1alpha1',
        kind: 'Widget',
        metadata: { name: 'old-style' },
        spec: { color: 'blue', size: '7in' },
      },
    });
    expect(created.status).toBe(201);
    expect(created.headers.warning).toBe('299 - "widgets.acme.io/v1alpha1 Widget is deprecated"');
    expect(created.json<Widget>().spec.size).toBe('7in');
    const asV1 = (await t.request('GET', `${v1}/old-style`)).json<Widget>();
    expect(asV1.spec.size).toEqual({ value: 7, unit: 'in' });
    expect(asV1.spec.replicas).toBe(1);
  });

  test('the strategy sees who asks: the creator is recorded in an annotation', async () => {
    const created = (await t.request('POST', v1, { body: widgetV1('annotated') })).json<Widget>();
    expect(created.metadata.annotations?.['widgets.acme.io/created-by']).toBe('admin');
  });

  test('strategy warnings and CEL transition rules apply on writes', async () => {
    const many = await t.request('POST', v1, { body: widgetV1('many', { replicas: 20 }) });
    expect(many.status).toBe(201);
    expect(many.headers.warning).toContain('more than the paint shop can make in a day');
    const live = many.json<Widget>();
    const repainted = await t.request('PUT', `${v1}/many`, {
      body: { ...live, spec: { ...live.spec, color: 'green' } },
    });
    expect(repainted.status).toBe(422);
    expect(
      repainted.json<{ details: { causes: { field: string; message: string }[] } }>().details.causes,
    ).toEqual([
      expect.objectContaining({
        field: 'spec.color',
        message: expect.stringContaining('color is immutable'),
      }),
    ]);
  });

  test('field selectors use the selectable fields; an unknown field is 400', async () => {
    await t.request('POST', v1, { body: widgetV1('bluish', { color: 'blue' }) });
    const blue = (await t.request('GET', `${v1}?fieldSelector=spec.color%3Dblue`)).json<{
      items: Widget[];
    }>();
    expect(blue.items.map((w) => w.metadata.name).sort()).toEqual(['bluish', 'old-style']);
    const unknown = await t.request('GET', `${v1}?fieldSelector=spec.shape%3Dround`);
    expect(unknown.status).toBe(400);
    expect(unknown.json<{ message: string }>().message).toContain(
      '"spec.shape" is not a known field selector',
    );
  });

  test('the scale subresource reads and writes spec.replicas as an autoscaling/v1 Scale', async () => {
    await t.request('POST', v1, { body: widgetV1('scaled', { replicas: 2 }) });
    const scale = (await t.request('GET', `${v1}/scaled/scale`)).json<Record<string, unknown>>();
    expect(scale).toMatchObject({
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      spec: { replicas: 2 },
      status: { replicas: 0 },
    });
    const patched = await t.request('PATCH', `${v1}/scaled/scale`, {
      body: { spec: { replicas: 5 } },
      headers: { 'Content-Type': 'application/merge-patch+json' },
    });
    expect(patched.status).toBe(200);
    expect(patched.json<{ spec: { replicas: number } }>().spec.replicas).toBe(5);
    expect((await t.request('GET', `${v1}/scaled`)).json<Widget>().spec.replicas).toBe(5);
    const negative = await t.request('PATCH', `${v1}/scaled/scale`, {
      body: { spec: { replicas: -1 } },
      headers: { 'Content-Type': 'application/merge-patch+json' },
    });
    expect(negative.status).toBe(422);
  });

  test('kubectl columns come from JSONPaths and functions', async () => {
    const table = (
      await t.request('GET', `${v1}?fieldSelector=metadata.name%3Dstored`, {
        headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' },
      })
    ).json<{ columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] }>();
    expect(table.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Color', 'Size', 'Replicas', 'Age']);
    expect(table.rows[0].cells.slice(0, 4)).toEqual(['stored', 'red', '10cm', 1]);
  });

  test('OpenAPI v3 publishes the scale subresource and the CEL rules, for kubectl explain and clients', async () => {
    const document = (await t.request('GET', '/openapi/v3/apis/widgets.acme.io/v1')).json<{
      paths: Record<string, { get?: { 'x-kubernetes-group-version-kind': unknown } }>;
      components: {
        schemas: Record<string, { properties?: Record<string, { properties?: Record<string, unknown> }> }>;
      };
    }>();
    expect(
      document.paths['/apis/widgets.acme.io/v1/widgets/{name}/scale'].get?.[
        'x-kubernetes-group-version-kind'
      ],
    ).toEqual({
      group: 'autoscaling',
      version: 'v1',
      kind: 'Scale',
    });
    expect(document.components.schemas['io.k8s.api.autoscaling.v1.Scale']).toBeDefined();
    const color = document.components.schemas['io.acme.widgets.v1.Widget'].properties?.spec.properties?.color;
    expect(color).toMatchObject({ 'x-kubernetes-validations': [{ rule: 'self == oldSelf' }] });
  });

  test('admission plugins see the operation, objects, user and dry run, and may refuse', async () => {
    admission.seen.length = 0;
    const refused = await t.request('POST', `${v1}?dryRun=All`, { body: widgetV1('forbidden') });
    expect(refused.status).toBe(403);
    expect(refused.json<{ message: string }>().message).toContain('widgets may not be called forbidden');
    const [seen] = admission.seen;
    expect(seen).toMatchObject({
      operation: 'CREATE',
      name: 'forbidden',
      resource: { group: 'widgets.acme.io', version: 'v1', resource: 'widgets' },
      user: { name: 'admin', groups: expect.arrayContaining(['system:masters']) },
      dryRun: true,
      object: { spec: { color: 'red' } },
    });
    expect(seen.namespace).toBeUndefined();
  });
});
