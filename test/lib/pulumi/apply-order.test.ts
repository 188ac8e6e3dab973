import { runUnderMocks } from '../../../lib/pulumi/testing/mock-deployment.js';
import type { AnyManifest } from '../../../lib/core/index.js';
import { ApplyOrder } from '../../../lib/pulumi/apply-order.js';
import * as pulumi from '@pulumi/pulumi';

const manifest = (kind: string, name: string): AnyManifest => ({
  apiVersion: 'v1',
  kind,
  metadata: { name },
});

describe('ApplyOrder', () => {
  test('GIVEN children created out of order THEN each depends on its predecessor and on what it names', async () => {
    const [ns, secret, api] = [
      manifest('Namespace', 'n'),
      manifest('Secret', 's'),
      manifest('APIService', 'a'),
    ];
    const { result } = await runUnderMocks(() => {
      const order = new ApplyOrder([ns, secret, api]);
      const deps = {
        api: order.dependsOn(api, [ns]),
        ns: order.dependsOn(ns),
        secret: order.dependsOn(secret),
      };
      const resources = {
        api: order.realize(api, new pulumi.ComponentResource('test:index:A', 'a')),
        secret: order.realize(secret, new pulumi.ComponentResource('test:index:S', 's')),
        ns: order.realize(ns, new pulumi.ComponentResource('test:index:N', 'n')),
      };
      order.seal();
      return { deps, resources };
    });
    expect(await result.deps.ns).toEqual([]);
    expect(await result.deps.secret).toEqual([result.resources.ns]);
    expect(await result.deps.api).toEqual([result.resources.secret, result.resources.ns]);
  });

  test('GIVEN an object left unrealized THEN seal fails it and every dependency handed out', async () => {
    const [a, b] = [manifest('Secret', 'a'), manifest('Secret', 'b')];
    const order = new ApplyOrder([a, b]);
    const pending = order.dependsOn(b);
    expect(() => order.seal()).toThrow('internal: objects not realized: Secret/a, Secret/b');
    await expect(pending).rejects.toThrow(/not realized/);
  });
});
