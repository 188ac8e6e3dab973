import { applyMergePatch, applyPatch, mergePatchValue } from '../../../server/patch/index.js';
import { apiErrorOf, frozen, schema, snapshot } from '../support/patch-fixtures.js';

const live = frozen(
  snapshot(
    { source: 'prometheus', interval: '1m', metrics: ['cpu', 'memory'], targets: [{ name: 'a', port: 80 }] },
    { metadata: { name: 'cpu', labels: { app: 'metrics', tier: 'backend' } } },
  ),
);

describe('JSON merge patch (RFC 7386)', () => {
  test('merges objects, replaces lists, null deletes', () => {
    const result = applyMergePatch(
      live,
      JSON.stringify({
        metadata: { labels: { tier: null, team: 'obs' } },
        spec: { interval: null, metrics: ['disk'], targets: [{ name: 'b' }] },
      }),
    );
    expect(result.metadata.labels).toEqual({ app: 'metrics', team: 'obs' });
    expect(result.spec).toEqual({ source: 'prometheus', metrics: ['disk'], targets: [{ name: 'b' }] });
  });

  test('does not modify its inputs', () => {
    const patchValue = frozen({ spec: { source: null, added: { deep: null, kept: 1 } } });
    const result = mergePatchValue(frozen({ spec: { source: 'x' } }), patchValue);
    expect(result).toEqual({ spec: { added: { kept: 1 } } });
  });

  test('the RFC 7386 examples', () => {
    expect(mergePatchValue({ a: 'b' }, { a: 'c' })).toEqual({ a: 'c' });
    expect(mergePatchValue({ a: 'b' }, { b: 'c' })).toEqual({ a: 'b', b: 'c' });
    expect(mergePatchValue({ a: 'b' }, { a: null })).toEqual({});
    expect(mergePatchValue({ a: 'b', b: 'c' }, { a: null })).toEqual({ b: 'c' });
    expect(mergePatchValue({ a: ['b'] }, { a: 'c' })).toEqual({ a: 'c' });
    expect(mergePatchValue({ a: 'c' }, { a: ['b'] })).toEqual({ a: ['b'] });
    expect(mergePatchValue({ a: { b: 'c' } }, { a: { b: 'd', c: null } })).toEqual({ a: { b: 'd' } });
    expect(mergePatchValue({ a: [{ b: 'c' }] }, { a: [1] })).toEqual({ a: [1] });
    expect(mergePatchValue(['a', 'b'], ['c', 'd'])).toEqual(['c', 'd']);
    expect(mergePatchValue({ a: 'b' }, ['c'])).toEqual(['c']);
    expect(mergePatchValue({ e: null }, { a: 1 })).toEqual({ e: null, a: 1 });
    expect(mergePatchValue([1, 2], { a: 'b', c: null })).toEqual({ a: 'b' });
    expect(mergePatchValue({}, { a: { bb: { ccc: null } } })).toEqual({ a: { bb: {} } });
  });

  test('malformed patches: 400 for non-JSON, null and scalars, 422 for an array', () => {
    for (const body of ['{', '', 'null', '"x"', '3']) {
      const error = apiErrorOf(() => applyMergePatch(live, body));
      expect(error.code).toBe(400);
      expect(error.message).toBe('Invalid JSON Patch');
    }
    expect(apiErrorOf(() => applyMergePatch(live, '[]')).code).toBe(422);
  });

  test('a __proto__ key stays data', () => {
    const result = applyMergePatch(live, '{"spec":{"extra":{"__proto__":{"polluted":true}}}}');
    expect(Object.getOwnPropertyNames((result.spec as { extra: object }).extra)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('is reachable through applyPatch', () => {
    expect(applyPatch('merge', live, '{"spec":{"source":"otel"}}', schema).spec).toMatchObject({
      source: 'otel',
      interval: '1m',
    });
  });
});
