import * as k8s from '@kubernetes/client-node';
import { MemoryStorage } from '../../../server/storage/memory-storage.js';
import { seedSnapshot, startTestServer, type TestServer } from '../support/test-server.js';

const group = 'metrics.example.com';
const version = 'v1';
const plural = 'metricsnapshots';

interface Snapshot extends k8s.KubernetesObject {
  spec: { source: string; metrics: string[]; interval?: string };
}

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('@kubernetes/client-node against the server', () => {
  let t: TestServer;
  let kc: k8s.KubeConfig;
  let custom: k8s.CustomObjectsApi;
  beforeAll(async () => {
    t = await startTestServer({ serve: { storage: new MemoryStorage({ historySize: 5 }) } });
    kc = new k8s.KubeConfig();
    kc.loadFromFile(t.kubeconfigPath);
    custom = kc.makeApiClient(k8s.CustomObjectsApi);
  });
  afterAll(async () => t.stop());

  test('CRUD with CustomObjectsApi and KubernetesObjectApi', async () => {
    const created = (await custom.createNamespacedCustomObject({
      group,
      version,
      namespace: 'default',
      plural,
      body: seedSnapshot('client'),
    })) as Snapshot;
    expect(created.metadata?.uid).toBeDefined();
    const read = (await custom.getNamespacedCustomObject({
      group,
      version,
      namespace: 'default',
      plural,
      name: 'client',
    })) as Snapshot;
    expect(read.spec.metrics).toEqual(['cpu_usage', 'memory_usage', 'request_count']);

    const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
    const patched = (await objects.patch(
      {
        apiVersion: `${group}/${version}`,
        kind: 'MetricSnapshot',
        metadata: { name: 'client', namespace: 'default' },
        spec: { source: 'patched' },
      } as Snapshot,
      undefined,
      undefined,
      'client-node-test',
      undefined,
      k8s.PatchStrategy.MergePatch,
    )) as Snapshot;
    expect(patched.spec.source).toBe('patched');

    const list = (await custom.listNamespacedCustomObject({
      group,
      version,
      namespace: 'default',
      plural,
    })) as { items: Snapshot[] };
    expect(list.items.map((i) => i.metadata?.name)).toContain('client');

    await custom.deleteNamespacedCustomObject({
      group,
      version,
      namespace: 'default',
      plural,
      name: 'client',
    });
    await expect(
      custom.getNamespacedCustomObject({ group, version, namespace: 'default', plural, name: 'client' }),
    ).rejects.toMatchObject({ code: 404 });
  });

  test('Watch delivers ADDED, MODIFIED and DELETED', async () => {
    const events: string[] = [];
    const watch = new k8s.Watch(kc);
    const list = (await custom.listNamespacedCustomObject({
      group,
      version,
      namespace: 'watch',
      plural,
    })) as { metadata: { resourceVersion: string } };
    const request = await watch.watch(
      `/apis/${group}/${version}/namespaces/watch/${plural}`,
      { resourceVersion: list.metadata.resourceVersion },
      (type, object: Snapshot) => events.push(`${type} ${object.metadata?.name} ${object.spec.source}`),
      () => undefined,
    );
    await custom.createNamespacedCustomObject({
      group,
      version,
      namespace: 'watch',
      plural,
      body: seedSnapshot('w', 'watch'),
    });
    await custom.patchNamespacedCustomObject(
      { group, version, namespace: 'watch', plural, name: 'w', body: { spec: { source: 'changed' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await custom.deleteNamespacedCustomObject({ group, version, namespace: 'watch', plural, name: 'w' });
    await until(() => events.length >= 3, 'three watch events');
    expect(events).toEqual(['ADDED w prometheus', 'MODIFIED w changed', 'DELETED w changed']);
    request.abort();
  });

  test('an informer lists, watches, and recovers from a 410 by relisting', async () => {
    const path = `/apis/${group}/${version}/namespaces/informed/${plural}`;
    const listFn = () =>
      custom.listNamespacedCustomObject({ group, version, namespace: 'informed', plural }) as Promise<
        k8s.KubernetesListObject<Snapshot>
      >;
    const informer = k8s.makeInformer<Snapshot>(kc, path, listFn);
    await custom.createNamespacedCustomObject({
      group,
      version,
      namespace: 'informed',
      plural,
      body: seedSnapshot('before', 'informed'),
    });
    await informer.start();
    await until(() => informer.list().some((o) => o.metadata?.name === 'before'), 'the initial list');

    // Push the informer's resourceVersion out of the 5-event history while its watch is down.
    await informer.stop();
    for (let i = 0; i < 10; i++) {
      await custom.createNamespacedCustomObject({
        group,
        version,
        namespace: 'elsewhere',
        plural,
        body: seedSnapshot(`churn-${i}`, 'elsewhere'),
      });
    }
    await custom.createNamespacedCustomObject({
      group,
      version,
      namespace: 'informed',
      plural,
      body: seedSnapshot('after', 'informed'),
    });
    await informer.start();
    await until(
      () => informer.list().some((o) => o.metadata?.name === 'after'),
      'the object created while the watch was down',
    );
    expect(
      informer
        .list()
        .map((o) => o.metadata?.name)
        .sort(),
    ).toEqual(['after', 'before']);
    await informer.stop();
  });
});
