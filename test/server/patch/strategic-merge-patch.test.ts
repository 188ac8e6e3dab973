import { applyPatch, applyStrategicMergePatch } from '../../../server/patch/index.js';
import type { KubeObject } from '../../../api/types.js';
import { apiErrorOf, frozen, schema, snapshot } from '../support/patch-fixtures.js';

const live = frozen(
  snapshot(
    {
      source: 'prometheus',
      interval: '1m',
      metrics: ['cpu', 'memory'],
      targets: [
        { name: 'a', port: 80 },
        { name: 'b', port: 81 },
      ],
      sinks: [{ name: 's1', url: 'http://one' }],
      owners: ['x', 'y'],
      selector: { app: 'm', tier: 'db' },
      extra: { list: [1, 2], nested: { keep: true, drop: 1 } },
    },
    {
      metadata: {
        name: 'cpu',
        labels: { app: 'metrics', tier: 'backend' },
        finalizers: ['a.example.com/f'],
        ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'cm', uid: 'u1' }],
      },
    },
  ),
);

const smp = (patch: unknown, object: KubeObject = live): KubeObject =>
  applyStrategicMergePatch(object, JSON.stringify(patch), schema);
const spec = (object: KubeObject): Record<string, unknown> => object.spec as Record<string, unknown>;

describe('strategic merge patch', () => {
  test('maps merge and null deletes', () => {
    const result = smp({
      metadata: { labels: { tier: null, team: 'obs' } },
      spec: { interval: null, source: 'otel' },
    });
    expect(result.metadata.labels).toEqual({ app: 'metrics', team: 'obs' });
    expect(spec(result).source).toBe('otel');
    expect(spec(result)).not.toHaveProperty('interval');
    expect(spec(result).targets).toEqual(spec(live).targets);
  });

  test('map lists merge by their keys, patched items keep their place', () => {
    const result = smp({
      spec: {
        targets: [
          { name: 'b', port: 9 },
          { name: 'c', port: 90 },
        ],
      },
    });
    expect(spec(result).targets).toEqual([
      { name: 'a', port: 80 },
      { name: 'b', port: 9 },
      { name: 'c', port: 90 },
    ]);
  });

  test('a new item alone goes first, as kube orders it', () => {
    expect(spec(smp({ spec: { targets: [{ name: 'c' }] } })).targets).toEqual([
      { name: 'c' },
      { name: 'a', port: 80 },
      { name: 'b', port: 81 },
    ]);
  });

  test('lists with a merge key merge by it; merge lists of scalars are unions', () => {
    const result = smp({
      spec: { sinks: [{ name: 's1', url: 'http://uno' }, { name: 's2' }], owners: ['z', 'x'] },
    });
    expect(spec(result).sinks).toEqual([{ name: 's1', url: 'http://uno' }, { name: 's2' }]);
    expect(spec(result).owners).toEqual(['z', 'x', 'y']);
  });

  test('other lists, sets and atomic lists included, are replaced', () => {
    const result = smp({ spec: { metrics: ['disk'], tags: ['t'] } });
    expect(spec(result).metrics).toEqual(['disk']);
    expect(spec(result).tags).toEqual(['t']);
  });

  test('metadata: finalizers are a union, ownerReferences merge by uid', () => {
    const result = smp({
      metadata: {
        finalizers: ['b.example.com/f'],
        ownerReferences: [
          { uid: 'u1', controller: true },
          { apiVersion: 'v1', kind: 'Secret', name: 's', uid: 'u2' },
        ],
      },
    });
    expect(result.metadata.finalizers).toEqual(['b.example.com/f', 'a.example.com/f']);
    expect(result.metadata.ownerReferences).toEqual([
      { apiVersion: 'v1', kind: 'ConfigMap', name: 'cm', uid: 'u1', controller: true },
      { apiVersion: 'v1', kind: 'Secret', name: 's', uid: 'u2' },
    ]);
  });

  test('positions without schema merge like a JSON merge patch', () => {
    const result = smp({ spec: { extra: { list: [3], nested: { drop: null, added: 'y' } } } });
    expect(spec(result).extra).toEqual({ list: [3], nested: { keep: true, added: 'y' } });
  });

  describe('directives', () => {
    test('$patch: delete removes a list item by key', () => {
      expect(spec(smp({ spec: { targets: [{ name: 'a', $patch: 'delete' }] } })).targets).toEqual([
        { name: 'b', port: 81 },
      ]);
    });

    test('$patch: replace as a list item replaces the list', () => {
      expect(
        spec(smp({ spec: { targets: [{ $patch: 'replace' }, { name: 'z', port: 1 }] } })).targets,
      ).toEqual([{ name: 'z', port: 1 }]);
    });

    test('$patch: replace in a map replaces the map', () => {
      expect(spec(smp({ spec: { $patch: 'replace', source: 'only' } }))).toEqual({ source: 'only' });
    });

    test('$patch: delete in a map empties it; $patch: merge merges', () => {
      expect(smp({ metadata: { labels: { $patch: 'delete' } } }).metadata.labels).toEqual({});
      expect(smp({ metadata: { labels: { $patch: 'merge', x: '1' } } }).metadata.labels).toEqual({
        app: 'metrics',
        tier: 'backend',
        x: '1',
      });
    });

    test('$retainKeys keeps only the listed keys', () => {
      expect(spec(smp({ spec: { $retainKeys: ['source', 'interval'], interval: '5m' } }))).toEqual({
        source: 'prometheus',
        interval: '5m',
      });
    });

    test('$retainKeys must list every patched key', () => {
      const error = apiErrorOf(() => smp({ spec: { $retainKeys: ['source'], interval: '5m' } }));
      expect(error.code).toBe(400);
      expect(error.message).toBe('invalid patch format of retainKeys');
      expect(apiErrorOf(() => smp({ spec: { $retainKeys: 'source' } })).code).toBe(400);
    });

    test('$deleteFromPrimitiveList removes values', () => {
      const result = smp({
        spec: { '$deleteFromPrimitiveList/owners': ['x'] },
        metadata: { '$deleteFromPrimitiveList/finalizers': ['a.example.com/f'] },
      });
      expect(spec(result).owners).toEqual(['y']);
      expect(result.metadata.finalizers).toEqual([]);
    });

    test('a malformed $deleteFromPrimitiveList is 400', () => {
      expect(apiErrorOf(() => smp({ spec: { $deleteFromPrimitiveList: ['x'] } })).message).toBe(
        'invalid patch format of primitive list',
      );
      expect(apiErrorOf(() => smp({ spec: { '$deleteFromPrimitiveList/owners': 'x' } })).code).toBe(400);
    });

    test('$setElementOrder orders the merged list', () => {
      const result = smp({
        spec: {
          '$setElementOrder/targets': [{ name: 'b' }, { name: 'c' }, { name: 'a' }],
          targets: [{ name: 'c', port: 1 }],
          '$setElementOrder/owners': ['y', 'z', 'x'],
          owners: ['z'],
        },
      });
      expect(spec(result).targets).toEqual([
        { name: 'b', port: 81 },
        { name: 'c', port: 1 },
        { name: 'a', port: 80 },
      ]);
      expect(spec(result).owners).toEqual(['y', 'z', 'x']);
    });

    test('a patch list out of $setElementOrder order is 400', () => {
      const error = apiErrorOf(() =>
        smp({
          spec: {
            '$setElementOrder/targets': [{ name: 'a' }, { name: 'b' }],
            targets: [{ name: 'b' }, { name: 'a' }],
          },
        }),
      );
      expect(error.code).toBe(400);
      expect(error.message).toContain("doesn't match $setElementOrder list");
      expect(apiErrorOf(() => smp({ spec: { '$setElementOrder/targets': {} } })).message).toBe(
        'invalid patch format of setElementOrder list',
      );
    });

    test('the three-way patch kubectl apply sends (delete b, add c, keep order)', () => {
      const result = smp({
        metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
        spec: {
          '$setElementOrder/targets': [{ name: 'a' }, { name: 'c' }],
          targets: [
            { name: 'c', port: 82 },
            { $patch: 'delete', name: 'b' },
          ],
          '$setElementOrder/owners': ['x', 'w'],
          '$deleteFromPrimitiveList/owners': ['y'],
          owners: ['w'],
        },
      });
      expect(spec(result).targets).toEqual([
        { name: 'a', port: 80 },
        { name: 'c', port: 82 },
      ]);
      expect(spec(result).owners).toEqual(['x', 'w']);
      expect(result.metadata.annotations).toEqual({
        'kubectl.kubernetes.io/last-applied-configuration': '{}',
      });
    });

    test('directives in values that are new are processed, not stored', () => {
      const bare = snapshot({ source: 'p' });
      const result = smp(
        {
          spec: {
            targets: [{ name: 'a', $patch: 'delete' }, { name: 'b' }],
            sinks: [{ $patch: 'replace' }, { name: 'k' }],
          },
        },
        bare,
      );
      expect(spec(result).targets).toEqual([{ name: 'b' }]);
      expect(spec(result).sinks).toEqual([{ name: 'k' }]);
    });
  });

  describe('malformed patches', () => {
    test('non-objects and bad JSON are 400', () => {
      expect(apiErrorOf(() => applyStrategicMergePatch(live, '[]', schema)).code).toBe(400);
      expect(apiErrorOf(() => applyStrategicMergePatch(live, '{"spec":', schema)).code).toBe(400);
      expect(apiErrorOf(() => applyStrategicMergePatch(live, '"x"', schema)).code).toBe(400);
    });

    test('an unknown $patch is 400; a merge-list item without its key is 400', () => {
      expect(apiErrorOf(() => smp({ spec: { $patch: 'explode' } })).code).toBe(400);
      expect(apiErrorOf(() => smp({ spec: { targets: [{ port: 1 }] } })).message).toContain(
        'does not contain declared merge key: name',
      );
    });

    test('lists of lists are 422, as kube answers', () => {
      const error = apiErrorOf(() => smp({ spec: { owners: [['x']] } }));
      expect(error.code).toBe(422);
      expect(error.status.details?.causes?.[0].message).toBe('lists of lists are not supported');
    });
  });

  test('null is an empty patch; inputs are never modified', () => {
    expect(applyStrategicMergePatch(live, 'null', schema)).toEqual(live);
    const before = structuredClone(live);
    smp({ spec: { targets: [{ name: 'a', port: 1 }], owners: ['q'] }, metadata: { labels: { app: null } } });
    expect(live).toEqual(before);
  });

  test('is reachable through applyPatch', () => {
    expect(spec(applyPatch('strategic', live, '{"spec":{"owners":["q"]}}', schema)).owners).toEqual([
      'q',
      'x',
      'y',
    ]);
  });
});
