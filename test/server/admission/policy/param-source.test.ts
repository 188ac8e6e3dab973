import type { KubernetesObject } from '@kubernetes/client-node';
import { collectParams, staticParamSource } from '../../../../server/admission/policy/param-source.js';

const kind = { apiVersion: 'example.com/v1', kind: 'Limit' };
const limit = (name: string, namespace: string, labels: Record<string, string> = {}): KubernetesObject => ({
  apiVersion: 'example.com/v1',
  kind: 'Limit',
  metadata: { name, namespace, labels },
});
const source = staticParamSource([
  {
    paramKind: kind,
    namespaced: true,
    objects: [
      limit('a', 'team-a', { tier: 'gold' }),
      limit('b', 'team-a'),
      limit('a', 'team-b', { tier: 'gold' }),
    ],
  },
]);

describe('collectParams', () => {
  test('needs no params without a paramKind', async () => {
    expect(await collectParams(source, undefined, undefined, 'team-a')).toEqual([null]);
  });

  test("finds params by name or selector in paramRef's namespace, else the request's", async () => {
    const byName = await collectParams(source, kind, { name: 'a' }, 'team-b');
    expect(byName).toEqual([limit('a', 'team-b', { tier: 'gold' })]);
    const bySelector = await collectParams(
      source,
      kind,
      { selector: { matchLabels: { tier: 'gold' } }, namespace: 'team-a' },
      'team-b',
    );
    expect(bySelector).toEqual([limit('a', 'team-a', { tier: 'gold' })]);
  });

  test('refuses what kube refuses', async () => {
    await expect(collectParams(source, kind, undefined, 'team-a')).rejects.toThrow(
      'is set but paramRef is nil',
    );
    await expect(collectParams(source, kind, { name: 'a' }, undefined)).rejects.toThrow(
      'cannot use namespaced paramRef in policy binding that matches cluster-scoped resources',
    );
    await expect(
      collectParams(source, { apiVersion: 'v1', kind: 'Nothing' }, { name: 'a' }, 'x'),
    ).rejects.toThrow('not known');
    expect(await collectParams(source, kind, { name: 'zz' }, 'team-a')).toEqual([]);
  });
});
