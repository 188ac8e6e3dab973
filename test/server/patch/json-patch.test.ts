import { applyJsonPatch, applyPatch, MAX_JSON_PATCH_OPERATIONS } from '../../../server/patch/index.js';
import { apiErrorOf, frozen, schema, snapshot } from '../support/patch-fixtures.js';

const live = frozen(
  snapshot({ source: 'prometheus', metrics: ['cpu', 'memory'], targets: [{ name: 'a', port: 80 }] }),
);
const patch = (ops: unknown): string => JSON.stringify(ops);

describe('JSON patch (RFC 6902)', () => {
  test('add, replace, remove, move, copy and a passing test', () => {
    const result = applyJsonPatch(
      live,
      patch([
        { op: 'test', path: '/spec/source', value: 'prometheus' },
        { op: 'replace', path: '/spec/source', value: 'otel' },
        { op: 'add', path: '/spec/metrics/-', value: 'disk' },
        { op: 'remove', path: '/spec/metrics/0' },
        { op: 'add', path: '/spec/interval', value: '30s' },
        { op: 'copy', from: '/spec/interval', path: '/metadata/annotations' },
        { op: 'move', from: '/metadata/annotations', path: '/spec/extra' },
      ]),
    );
    expect(result.spec).toEqual({
      source: 'otel',
      metrics: ['memory', 'disk'],
      targets: [{ name: 'a', port: 80 }],
      interval: '30s',
      extra: '30s',
    });
    expect(result.metadata.annotations).toBeUndefined();
  });

  test('never modifies the live object and shares nothing with it', () => {
    const result = applyJsonPatch(
      live,
      Buffer.from(patch([{ op: 'add', path: '/spec/targets/0/path', value: '/m' }])),
    );
    expect((live.spec as { targets: unknown[] }).targets[0]).toEqual({ name: 'a', port: 80 });
    expect((result.spec as { targets: unknown[] }).targets[0]).toEqual({ name: 'a', port: 80, path: '/m' });
  });

  test('a failed test operation is 422 with the message kube gives', () => {
    const error = apiErrorOf(() =>
      applyJsonPatch(live, patch([{ op: 'test', path: '/spec/source', value: 'otel' }])),
    );
    expect(error.code).toBe(422);
    expect(error.reason).toBe('Invalid');
    expect(error.message).toBe('the server rejected our request due to an error in our request');
    expect(error.status.details?.causes?.[0].message).toContain('testing value /spec/source failed');
  });

  test.each([
    ['a missing path', [{ op: 'remove', path: '/spec/nope' }]],
    ['an unknown op', [{ op: 'frobnicate', path: '/spec/source' }]],
    ['an index out of range', [{ op: 'add', path: '/spec/metrics/9', value: 'x' }]],
    ['a missing parent', [{ op: 'add', path: '/spec/a/b', value: 1 }]],
    ['a missing value', [{ op: 'add', path: '/spec/x' }]],
  ])('%s is 422', (_, ops) => {
    expect(apiErrorOf(() => applyJsonPatch(live, patch(ops))).code).toBe(422);
  });

  test('a patch that is not a JSON array of objects is 400', () => {
    expect(apiErrorOf(() => applyJsonPatch(live, '{"op":"add"}')).code).toBe(400);
    expect(apiErrorOf(() => applyJsonPatch(live, '["add"]')).code).toBe(400);
    const syntax = apiErrorOf(() => applyJsonPatch(live, '[{"op":'));
    expect(syntax.code).toBe(400);
    expect(syntax.reason).toBe('BadRequest');
    expect(apiErrorOf(() => applyJsonPatch(live, '')).code).toBe(400);
  });

  test('null is an empty patch', () => {
    expect(applyJsonPatch(live, 'null')).toEqual(live);
  });

  test('replacing the document with a non-object is 422 on the field patch', () => {
    const error = apiErrorOf(() => applyJsonPatch(live, patch([{ op: 'replace', path: '', value: [1] }])));
    expect(error.code).toBe(422);
    expect(error.status.details?.causes?.[0].field).toBe('patch');
  });

  test('more than 10000 operations is 413', () => {
    const ops = Array.from({ length: MAX_JSON_PATCH_OPERATIONS + 1 }, () => ({
      op: 'test',
      path: '/kind',
      value: 'MetricSnapshot',
    }));
    const error = apiErrorOf(() => applyJsonPatch(live, patch(ops)));
    expect(error.code).toBe(413);
    expect(error.message).toBe(
      'Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001',
    );
  });

  test('cannot reach the prototype', () => {
    const error = apiErrorOf(() =>
      applyJsonPatch(live, patch([{ op: 'add', path: '/__proto__/polluted', value: 1 }])),
    );
    expect(error.code).toBe(422);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('is reachable through applyPatch', () => {
    expect(
      applyPatch('json', live, patch([{ op: 'replace', path: '/spec/source', value: 'x' }]), schema).spec,
    ).toMatchObject({
      source: 'x',
    });
  });
});
