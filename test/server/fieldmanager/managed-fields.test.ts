import { updateManagedFields, type UpdateManagedFieldsArgs } from '../../../server/fieldmanager/index.js';
import type { KubeObject, ManagedFieldsEntry } from '../../../api/types.js';
import { API_VERSION, LATER, NOW, frozen, schema, snapshot } from '../support/patch-fixtures.js';

type Args = Omit<UpdateManagedFieldsArgs, 'schema' | 'apiVersion' | 'now'> &
  Partial<Pick<UpdateManagedFieldsArgs, 'now'>>;
const update = (args: Args): KubeObject =>
  updateManagedFields({ schema, apiVersion: API_VERSION, now: NOW, ...args });
const entries = (object: KubeObject): ManagedFieldsEntry[] => object.metadata.managedFields ?? [];
const entry = (object: KubeObject, manager: string): ManagedFieldsEntry | undefined =>
  entries(object).find((e) => e.manager === manager);

const created = frozen(
  snapshot(
    { source: 'prometheus', metrics: ['cpu'], targets: [{ name: 'a', port: 80 }] },
    {
      metadata: {
        name: 'cpu',
        namespace: 'default',
        uid: 'u',
        resourceVersion: '1',
        labels: { app: 'metrics' },
      },
    },
  ),
);

describe('updateManagedFields', () => {
  test('a create records everything it set as an Update entry, in FieldsV1', () => {
    const result = update({ live: undefined, updated: created, manager: 'kubectl-create' });
    expect(entries(result)).toEqual([
      {
        manager: 'kubectl-create',
        operation: 'Update',
        apiVersion: API_VERSION,
        time: '2026-01-01T00:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
          'f:spec': {
            '.': {},
            'f:metrics': { '.': {}, 'v:"cpu"': {} },
            'f:source': {},
            'f:targets': { '.': {}, 'k:{"name":"a"}': { '.': {}, 'f:name': {}, 'f:port': {} } },
          },
        },
      },
    ]);
    // The rest of the object is what the request wrote.
    expect({ ...result, metadata: { ...result.metadata, managedFields: undefined } }).toEqual({
      ...created,
      metadata: { ...created.metadata, managedFields: undefined },
    });
  });

  test('a change by another manager moves the changed field to it', () => {
    const live = update({ live: undefined, updated: created, manager: 'kubectl-create' });
    const edited = structuredClone(live);
    (edited.spec as Record<string, unknown>).source = 'otel';
    const result = update({ live, updated: edited, manager: 'kubectl-edit', now: LATER });
    expect(entry(result, 'kubectl-edit')).toMatchObject({
      operation: 'Update',
      time: '2026-01-01T00:05:00Z',
      fieldsV1: { 'f:spec': { 'f:source': {} } },
    });
    expect(entry(result, 'kubectl-create')?.fieldsV1?.['f:spec']).not.toHaveProperty('f:source');
    expect(entry(result, 'kubectl-create')?.time).toBe('2026-01-01T00:00:00Z');
    // Sorted by time.
    expect(entries(result).map((e) => e.manager)).toEqual(['kubectl-create', 'kubectl-edit']);
  });

  test('the same manager accumulates fields; a write that changes nothing changes no entry', () => {
    const live = update({ live: undefined, updated: created, manager: 'ctl' });
    const withInterval = structuredClone(live);
    (withInterval.spec as Record<string, unknown>).interval = '1m';
    const second = update({ live, updated: withInterval, manager: 'ctl', now: LATER });
    expect(entries(second)).toHaveLength(1);
    expect(entry(second, 'ctl')?.fieldsV1?.['f:spec']).toMatchObject({ 'f:source': {}, 'f:interval': {} });
    expect(entry(second, 'ctl')?.time).toBe('2026-01-01T00:05:00Z');

    const third = update({
      live: second,
      updated: second,
      manager: 'other',
      now: new Date('2026-02-01T00:00:00Z'),
    });
    expect(entries(third)).toEqual(entries(second));
  });

  test('removed fields leave every manager', () => {
    const live = update({ live: undefined, updated: created, manager: 'ctl' });
    const trimmed = structuredClone(live);
    delete (trimmed.spec as Record<string, unknown>).targets;
    const result = update({ live, updated: trimmed, manager: 'cleaner' });
    expect(entry(result, 'ctl')?.fieldsV1?.['f:spec']).not.toHaveProperty('f:targets');
    expect(entry(result, 'cleaner')).toBeUndefined();
  });

  test('status writes get a status entry and keep the stored managedFields', () => {
    const live = update({ live: undefined, updated: created, manager: 'ctl', resetFields: [['status']] });
    const withStatus = { ...structuredClone(live), status: { data: { cpu: 0.5 } } };
    withStatus.metadata.managedFields = [];
    const result = update({
      live,
      updated: withStatus,
      manager: 'metrics-agent',
      subresource: 'status',
      resetFields: [['spec']],
    });
    expect(entry(result, 'metrics-agent')).toEqual({
      manager: 'metrics-agent',
      operation: 'Update',
      apiVersion: API_VERSION,
      time: '2026-01-01T00:00:00Z',
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:status': { '.': {}, 'f:data': { '.': {}, 'f:cpu': {} } } },
      subresource: 'status',
    });
    expect(entry(result, 'ctl')).toEqual(entry(live, 'ctl'));
  });

  test('fields the strategy resets are never owned', () => {
    const withStatus = { ...structuredClone(created), status: { phase: 'Ready' } };
    const result = update({
      live: undefined,
      updated: withStatus,
      manager: 'ctl',
      resetFields: [['status']],
    });
    expect(entry(result, 'ctl')?.fieldsV1).not.toHaveProperty('f:status');
  });

  test('managedFields sent in a request replace the stored ones; [] and [{}] clear them', () => {
    const live = update({ live: undefined, updated: created, manager: 'ctl' });
    const rewritten = structuredClone(live);
    rewritten.metadata.managedFields = [
      {
        manager: 'someone',
        operation: 'Update',
        apiVersion: API_VERSION,
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:spec': { 'f:source': {} } },
      },
    ];
    expect(entries(update({ live, updated: rewritten, manager: 'ctl' })).map((e) => e.manager)).toEqual([
      'someone',
    ]);

    for (const reset of [[], [{}]]) {
      const cleared = { ...structuredClone(live), metadata: { ...live.metadata, managedFields: reset } };
      expect(update({ live, updated: cleared, manager: 'ctl' }).metadata).not.toHaveProperty('managedFields');
    }
  });

  test('invalid managedFields in a request fall back to the stored ones', () => {
    const live = update({ live: undefined, updated: created, manager: 'ctl' });
    const garbage = structuredClone(live);
    garbage.metadata.managedFields = [{ manager: 'x', operation: 'Update', apiVersion: API_VERSION }];
    expect(entries(update({ live, updated: garbage, manager: 'ctl' }))).toEqual(entries(live));
  });

  test('an existing object without managedFields is not tracked until it is applied to', () => {
    const changed = structuredClone(created);
    (changed.spec as Record<string, unknown>).source = 'otel';
    expect(update({ live: created, updated: changed, manager: 'ctl' }).metadata).not.toHaveProperty(
      'managedFields',
    );
  });

  test('no manager name is recorded as "unknown"', () => {
    expect(entries(update({ live: undefined, updated: created, manager: '' }))[0].manager).toBe('unknown');
  });

  test('more than ten Update entries fold the oldest into ancient-changes', () => {
    let object = update({
      live: undefined,
      updated: created,
      manager: 'm0',
      now: new Date(Date.UTC(2026, 0, 1, 0, 0, 0)),
    });
    for (let i = 1; i <= 11; i++) {
      const next = structuredClone(object);
      (next.metadata.labels as Record<string, string>)[`l${i}`] = 'x';
      object = update({
        live: object,
        updated: next,
        manager: `m${i}`,
        now: new Date(Date.UTC(2026, 0, 1, 0, i, 0)),
      });
    }
    const managers = entries(object).map((e) => e.manager);
    expect(managers).toHaveLength(10);
    expect(managers).toContain('ancient-changes');
    expect(managers).not.toContain('m0');
    expect(managers).not.toContain('m1');
    expect(managers).not.toContain('m2');
    const ancient = entry(object, 'ancient-changes');
    expect(ancient?.fieldsV1?.['f:metadata']).toEqual({
      'f:labels': { '.': {}, 'f:app': {}, 'f:l1': {}, 'f:l2': {} },
    });
  });

  test('never modifies its inputs', () => {
    const live = frozen(update({ live: undefined, updated: created, manager: 'ctl' }));
    const edited = structuredClone(live);
    (edited.spec as Record<string, unknown>).source = 'otel';
    expect(() => update({ live, updated: frozen(edited), manager: 'other' })).not.toThrow();
  });
});
