import {
  parseApplyPatchBody,
  serverSideApply,
  updateManagedFields,
  type ServerSideApplyArgs,
} from '../../../server/fieldmanager/index.js';
import type { KubeObject, ManagedFieldsEntry } from '../../../api/types.js';
import {
  API_VERSION,
  KIND,
  LATER,
  NOW,
  RESOURCE,
  apiErrorOf,
  config,
  frozen,
  schema,
  snapshot,
} from '../support/patch-fixtures.js';

type Args = Pick<ServerSideApplyArgs, 'live' | 'applied' | 'manager'> & Partial<ServerSideApplyArgs>;
const apply = (args: Args): KubeObject =>
  serverSideApply({
    force: false,
    schema,
    apiVersion: API_VERSION,
    kind: KIND,
    resource: RESOURCE,
    now: NOW,
    ...args,
  });
const entries = (object: KubeObject): ManagedFieldsEntry[] => object.metadata.managedFields ?? [];
const entry = (object: KubeObject, manager: string): ManagedFieldsEntry | undefined =>
  entries(object).find((e) => e.manager === manager);
const spec = (object: KubeObject): Record<string, unknown> => object.spec as Record<string, unknown>;
/** What storage adds on create. */
const stored = (object: KubeObject): KubeObject => ({
  ...object,
  metadata: {
    ...object.metadata,
    uid: 'u-1',
    resourceVersion: '1',
    creationTimestamp: '2026-01-01T00:00:00Z',
  },
});

const manifest = frozen(
  config(
    { source: 'prometheus', interval: '1m', metrics: ['cpu', 'memory'], targets: [{ name: 'a', port: 80 }] },
    { labels: { app: 'metrics' } },
  ),
);

describe('server-side apply', () => {
  test('creating: the object is the configuration, owned by an Apply entry in exact FieldsV1', () => {
    const result = apply({ live: undefined, applied: manifest, manager: 'kubectl' });
    expect(result).toEqual({
      apiVersion: API_VERSION,
      kind: KIND,
      metadata: {
        name: 'cpu',
        namespace: 'default',
        labels: { app: 'metrics' },
        managedFields: [
          {
            manager: 'kubectl',
            operation: 'Apply',
            apiVersion: API_VERSION,
            time: '2026-01-01T00:00:00Z',
            fieldsType: 'FieldsV1',
            fieldsV1: {
              'f:metadata': { 'f:labels': { 'f:app': {} } },
              'f:spec': {
                'f:interval': {},
                'f:metrics': { 'v:"cpu"': {}, 'v:"memory"': {} },
                'f:source': {},
                'f:targets': { 'k:{"name":"a"}': { '.': {}, 'f:name': {}, 'f:port': {} } },
              },
            },
          },
        ],
      },
      spec: {
        source: 'prometheus',
        interval: '1m',
        metrics: ['cpu', 'memory'],
        targets: [{ name: 'a', port: 80 }],
      },
    });
  });

  test('kubectl apply twice is a no-op, managedFields and time included', () => {
    const first = stored(apply({ live: undefined, applied: manifest, manager: 'kubectl' }));
    const second = apply({ live: first, applied: manifest, manager: 'kubectl', now: LATER });
    expect(second).toEqual(first);
  });

  test('a manifest with creationTimestamp: null re-applies as a no-op', () => {
    const withNull = config({ source: 'p' }, { creationTimestamp: null });
    const first = stored(apply({ live: undefined, applied: withNull, manager: 'kubectl' }));
    expect(apply({ live: first, applied: withNull, manager: 'kubectl', now: LATER })).toEqual(first);
  });

  test('applying again without a field removes it; without a list item or set value, removes those', () => {
    const live = stored(
      apply({
        live: undefined,
        applied: config(
          {
            source: 'p',
            interval: '1m',
            metrics: ['cpu', 'memory'],
            targets: [{ name: 'a' }, { name: 'b', port: 1 }],
          },
          { labels: { app: 'm', x: 'y' } },
        ),
        manager: 'kubectl',
      }),
    );
    const result = apply({
      live,
      applied: config(
        { source: 'p', metrics: ['cpu'], targets: [{ name: 'b', port: 1 }] },
        { labels: { app: 'm' } },
      ),
      manager: 'kubectl',
      now: LATER,
    });
    expect(spec(result)).toEqual({ source: 'p', metrics: ['cpu'], targets: [{ name: 'b', port: 1 }] });
    expect(result.metadata.labels).toEqual({ app: 'm' });
    expect(entry(result, 'kubectl')?.time).toBe('2026-01-01T00:05:00Z');
    expect(entry(result, 'kubectl')?.fieldsV1).toEqual({
      'f:metadata': { 'f:labels': { 'f:app': {} } },
      'f:spec': {
        'f:metrics': { 'v:"cpu"': {} },
        'f:source': {},
        'f:targets': { 'k:{"name":"b"}': { '.': {}, 'f:name': {}, 'f:port': {} } },
      },
    });
    // System metadata of the live object survives.
    expect(result.metadata.uid).toBe('u-1');
  });

  test('applying nothing under spec any more removes spec', () => {
    const live = stored(apply({ live: undefined, applied: config({ source: 'p' }), manager: 'kubectl' }));
    const result = apply({
      live,
      applied: { apiVersion: API_VERSION, kind: KIND, metadata: { name: 'cpu' } },
      manager: 'kubectl',
    });
    expect(result).not.toHaveProperty('spec');
    expect(result.metadata).not.toHaveProperty('managedFields');
  });

  test('two managers setting a field to different values conflict', () => {
    const live = stored(apply({ live: undefined, applied: manifest, manager: 'alice' }));
    const error = apiErrorOf(() =>
      apply({
        live,
        applied: config({ source: 'otel', metrics: ['disk'], targets: [{ name: 'a', port: 81 }] }),
        manager: 'bob',
      }),
    );
    expect(error.code).toBe(409);
    expect(error.reason).toBe('Conflict');
    expect(error.status.details?.causes).toEqual([
      { reason: 'FieldManagerConflict', message: 'conflict with "alice"', field: '.spec.source' },
      {
        reason: 'FieldManagerConflict',
        message: 'conflict with "alice"',
        field: '.spec.targets[name="a"].port',
      },
    ]);
    expect(error.message).toBe(
      'Apply failed with 2 conflicts: conflicts with "alice":\n- .spec.source\n- .spec.targets[name="a"].port',
    );
  });

  test('the same value shares ownership, so the field stays when one manager lets go', () => {
    const live = stored(apply({ live: undefined, applied: manifest, manager: 'alice' }));
    const shared = apply({
      live,
      applied: config({ source: 'prometheus', metrics: ['disk'] }),
      manager: 'bob',
    });
    expect(spec(shared).metrics).toEqual(['cpu', 'memory', 'disk']);
    expect(entry(shared, 'bob')?.fieldsV1).toEqual({
      'f:spec': { 'f:metrics': { 'v:"disk"': {} }, 'f:source': {} },
    });
    expect(entry(shared, 'alice')?.fieldsV1?.['f:spec']).toHaveProperty('f:source');

    const aliceLetsGo = apply({ live: shared, applied: config({ interval: '1m' }), manager: 'alice' });
    expect(spec(aliceLetsGo)).toEqual({ source: 'prometheus', interval: '1m', metrics: ['disk'] });
  });

  test('kubectl create, then kubectl apply --server-side of the same manifest: shared, no conflict', () => {
    const created = updateManagedFields({
      live: undefined,
      updated: stored(manifest),
      manager: 'kubectl-create',
      schema,
      apiVersion: API_VERSION,
      now: NOW,
    });
    const applied = apply({ live: created, applied: manifest, manager: 'kubectl', now: LATER });
    expect(entries(applied).map((e) => [e.manager, e.operation])).toEqual([
      ['kubectl', 'Apply'],
      ['kubectl-create', 'Update'],
    ]);
    // Nothing changed, so the new Apply entry has no time, as in kube.
    expect(entry(applied, 'kubectl')).not.toHaveProperty('time');
    // Dropping interval from the manifest leaves it: kubectl-create still owns it.
    const trimmed = apply({ live: applied, applied: config({ source: 'prometheus' }), manager: 'kubectl' });
    expect(spec(trimmed).interval).toBe('1m');
  });

  test('force takes ownership', () => {
    const live = stored(apply({ live: undefined, applied: manifest, manager: 'alice' }));
    const result = apply({
      live,
      applied: config({ source: 'otel' }),
      manager: 'bob',
      force: true,
      now: LATER,
    });
    expect(spec(result).source).toBe('otel');
    expect(entry(result, 'alice')?.fieldsV1?.['f:spec']).not.toHaveProperty('f:source');
    expect(entry(result, 'bob')?.fieldsV1).toEqual({ 'f:spec': { 'f:source': {} } });
    // alice re-applying her old value now conflicts with bob.
    const error = apiErrorOf(() => apply({ live: result, applied: manifest, manager: 'alice' }));
    expect(error.status.details?.causes).toEqual([
      { reason: 'FieldManagerConflict', message: 'conflict with "bob"', field: '.spec.source' },
    ]);
  });

  test('an update by another manager, then an apply of the old value, conflicts with that Update entry', () => {
    const live = stored(apply({ live: undefined, applied: manifest, manager: 'kubectl' }));
    const edited = structuredClone(live);
    (edited.spec as Record<string, unknown>).source = 'otel';
    const updated = updateManagedFields({
      live,
      updated: edited,
      manager: 'kubectl-client-side-apply',
      schema,
      apiVersion: API_VERSION,
      now: LATER,
    });
    const error = apiErrorOf(() => apply({ live: updated, applied: manifest, manager: 'kubectl' }));
    expect(error.code).toBe(409);
    expect(error.status.details?.causes).toEqual([
      {
        reason: 'FieldManagerConflict',
        message: 'conflict with "kubectl-client-side-apply" using metrics.example.com/v1',
        field: '.spec.source',
      },
    ]);
    expect(error.message).toBe(
      'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using metrics.example.com/v1: .spec.source',
    );
  });

  test('fields of an object that had no managedFields belong to before-first-apply', () => {
    const live = snapshot({ source: 'prometheus', interval: '1m' });
    const error = apiErrorOf(() => apply({ live, applied: config({ source: 'otel' }), manager: 'kubectl' }));
    expect(error.status.details?.causes?.[0]).toEqual({
      reason: 'FieldManagerConflict',
      message: 'conflict with "before-first-apply" using metrics.example.com/v1',
      field: '.spec.source',
    });
    const forced = apply({ live, applied: config({ source: 'otel' }), manager: 'kubectl', force: true });
    expect(entries(forced).map((e) => [e.manager, e.operation])).toEqual([
      ['kubectl', 'Apply'],
      ['before-first-apply', 'Update'],
    ]);
    expect(entry(forced, 'before-first-apply')?.fieldsV1).toEqual({
      'f:spec': { '.': {}, 'f:interval': {} },
    });
  });

  test('map-list items and set values of different managers merge without conflict', () => {
    const live = stored(
      apply({
        live: undefined,
        applied: config({ targets: [{ name: 'a', port: 1 }], metrics: ['cpu'] }),
        manager: 'alice',
      }),
    );
    const both = stored(
      apply({
        live,
        applied: config({ targets: [{ name: 'b', port: 2 }], metrics: ['disk'] }),
        manager: 'bob',
      }),
    );
    expect(spec(both)).toEqual({
      targets: [
        { name: 'a', port: 1 },
        { name: 'b', port: 2 },
      ],
      metrics: ['cpu', 'disk'],
    });
    // alice dropping her item does not touch bob's.
    const result = apply({ live: both, applied: config({ metrics: ['cpu'] }), manager: 'alice' });
    expect(spec(result).targets).toEqual([{ name: 'b', port: 2 }]);
  });

  test('atomic lists and maps are owned and replaced whole', () => {
    const live = stored(
      apply({
        live: undefined,
        applied: config({ tags: ['a', 'b'], selector: { app: 'x', tier: 'y' } }),
        manager: 'alice',
      }),
    );
    expect(entry(live, 'alice')?.fieldsV1).toEqual({ 'f:spec': { 'f:selector': {}, 'f:tags': {} } });
    const error = apiErrorOf(() => apply({ live, applied: config({ tags: ['a'] }), manager: 'bob' }));
    expect(error.status.details?.causes?.map((c) => c.field)).toEqual(['.spec.tags']);
    const result = apply({
      live,
      applied: config({ tags: ['a'], selector: { app: 'x' } }),
      manager: 'alice',
    });
    expect(spec(result)).toEqual({ tags: ['a'], selector: { app: 'x' } });
  });

  test('preserve-unknown-fields subtrees are granular maps with atomic lists', () => {
    const result = apply({
      live: undefined,
      applied: config({ extra: { a: { b: 1 }, l: [1] } }),
      manager: 'alice',
    });
    expect(entry(result, 'alice')?.fieldsV1).toEqual({
      'f:spec': { 'f:extra': { 'f:a': { '.': {}, 'f:b': {} }, 'f:l': {} } },
    });
  });

  test('null unsets a field, and taking it from another manager is a conflict', () => {
    const live = stored(
      apply({ live: undefined, applied: config({ source: 'p', interval: '1m' }), manager: 'alice' }),
    );
    const error = apiErrorOf(() => apply({ live, applied: config({ interval: null }), manager: 'bob' }));
    expect(error.status.details?.causes?.map((c) => c.field)).toEqual(['.spec.interval']);
    const result = apply({ live, applied: config({ interval: null }), manager: 'bob', force: true });
    expect(spec(result)).toEqual({ source: 'p' });
    // Applying the same configuration again changes nothing.
    const again = apply({
      live: stored(result),
      applied: config({ interval: null }),
      manager: 'bob',
      now: LATER,
    });
    expect(again).toEqual(stored(result));
  });

  test('status subresource applies are tracked separately and ignore reset fields', () => {
    const live = stored(
      apply({ live: undefined, applied: manifest, manager: 'kubectl', resetFields: [['status']] }),
    );
    const result = apply({
      live,
      applied: {
        apiVersion: API_VERSION,
        kind: KIND,
        metadata: { name: 'cpu' },
        spec: { source: 'ignored' },
        status: { data: { cpu: 1 } },
      },
      manager: 'agent',
      subresource: 'status',
      resetFields: [['spec']],
    });
    expect(entry(result, 'agent')).toEqual({
      manager: 'agent',
      operation: 'Apply',
      apiVersion: API_VERSION,
      time: '2026-01-01T00:00:00Z',
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:status': { 'f:data': { 'f:cpu': {} } } },
      subresource: 'status',
    });
  });

  test('never modifies its inputs', () => {
    const live = frozen(stored(apply({ live: undefined, applied: manifest, manager: 'alice' })));
    expect(() =>
      apply({
        live,
        applied: frozen(config({ source: 'otel', targets: [{ name: 'z' }] })),
        manager: 'alice',
      }),
    ).not.toThrow();
  });

  describe('rejects', () => {
    test('a missing fieldManager (422 on PatchOptions)', () => {
      const error = apiErrorOf(() => apply({ live: undefined, applied: manifest, manager: '' }));
      expect(error.code).toBe(422);
      expect(error.message).toContain('fieldManager: Required value: is required for apply patch');
    });

    test('a configuration of another kind or version', () => {
      const wrongKind = apiErrorOf(() =>
        apply({ live: undefined, applied: { ...manifest, kind: 'Other' }, manager: 'k' }),
      );
      expect(wrongKind.code).toBe(400);
      expect(wrongKind.message).toBe('invalid object type: metrics.example.com/v1, Kind=Other');
      const noType = apiErrorOf(() =>
        apply({ live: undefined, applied: { metadata: { name: 'cpu' } }, manager: 'k' }),
      );
      expect(noType.message).toBe('invalid object type: /, Kind=');
    });

    test('managedFields in the configuration', () => {
      const error = apiErrorOf(() =>
        apply({ live: undefined, applied: config({}, { managedFields: [] }), manager: 'k' }),
      );
      expect(error.code).toBe(400);
      expect(error.message).toBe('metadata.managedFields must be nil');
    });

    test('fields the schema does not declare, and broken map lists', () => {
      const undeclared = apiErrorOf(() =>
        apply({ live: undefined, applied: config({ bogus: 1 }), manager: 'k' }),
      );
      expect(undeclared.code).toBe(400);
      expect(undeclared.message).toBe(
        'failed to create typed patch object (default/cpu; metrics.example.com/v1, Kind=MetricSnapshot): .spec.bogus: field not declared in schema',
      );
      const duplicate = apiErrorOf(() =>
        apply({
          live: undefined,
          applied: config({ targets: [{ name: 'a' }, { name: 'a' }] }),
          manager: 'k',
        }),
      );
      expect(duplicate.message).toContain('.spec.targets: duplicate entries for key [name="a"]');
      const keyless = apiErrorOf(() =>
        apply({ live: undefined, applied: config({ targets: [{ port: 1 }] }), manager: 'k' }),
      );
      expect(keyless.message).toContain('omits key field "name"');
      const wrongShape = apiErrorOf(() =>
        apply({ live: undefined, applied: config({ targets: { name: 'a' } }), manager: 'k' }),
      );
      expect(wrongShape.message).toContain('.spec.targets: expected list, got map');
    });
  });
});

describe('parseApplyPatchBody', () => {
  test('reads YAML and JSON', () => {
    expect(
      parseApplyPatchBody(
        'apiVersion: v1\nkind: X\nmetadata:\n  name: a\nspec:\n  enabled: yes\n  at: 2026-01-01T00:00:00Z\n',
      ),
    ).toEqual({
      apiVersion: 'v1',
      kind: 'X',
      metadata: { name: 'a' },
      spec: { enabled: true, at: '2026-01-01T00:00:00Z' },
    });
    expect(parseApplyPatchBody(Buffer.from('{"apiVersion":"v1","kind":"X"}'))).toEqual({
      apiVersion: 'v1',
      kind: 'X',
    });
    expect(parseApplyPatchBody('')).toEqual({});
  });

  test('anything but a mapping is 400 "error decoding YAML"', () => {
    for (const body of ['- a\n- b\n', 'key: [unclosed', '"text"']) {
      const error = apiErrorOf(() => parseApplyPatchBody(body));
      expect(error.code).toBe(400);
      expect(error.message).toMatch(/^error decoding YAML: /);
    }
  });
});
