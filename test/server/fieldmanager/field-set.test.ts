import { FieldSet, fieldPathString, type FieldPath } from '../../../server/fieldmanager/index.js';
import {
  fieldElement,
  keyElement,
  serializePathElement,
  valueElement,
} from '../../../server/fieldmanager/field-path.js';

const f = fieldElement;
const spec = f('spec');
const itemA = keyElement([['name', 'a']]);

describe('field paths', () => {
  test('serialize as FieldsV1 keys, Go-escaped and with sorted key fields', () => {
    expect(serializePathElement(f('source'))).toBe('f:source');
    expect(serializePathElement(itemA)).toBe('k:{"name":"a"}');
    expect(
      serializePathElement(
        keyElement([
          ['protocol', 'TCP'],
          ['port', 80],
        ]),
      ),
    ).toBe('k:{"port":80,"protocol":"TCP"}');
    expect(serializePathElement(valueElement('cpu'))).toBe('v:"cpu"');
    expect(serializePathElement(valueElement('<&>'))).toBe('v:"\\u003c\\u0026\\u003e"');
  });

  test('print as kube prints them in conflicts', () => {
    expect(fieldPathString([spec, f('source')])).toBe('.spec.source');
    expect(fieldPathString([spec, f('targets'), itemA, f('port')])).toBe('.spec.targets[name="a"].port');
    expect(fieldPathString([spec, f('metrics'), valueElement('cpu')])).toBe('.spec.metrics[="cpu"]');
  });
});

describe('FieldSet', () => {
  const paths: FieldPath[] = [
    [spec],
    [spec, f('source')],
    [spec, f('metrics'), valueElement('cpu')],
    [spec, f('targets'), itemA],
    [spec, f('targets'), itemA, f('name')],
    [spec, f('targets'), itemA, f('port')],
    [f('metadata'), f('labels'), f('app')],
  ];

  test('writes the exact FieldsV1 shape, "." marking a member that has children', () => {
    const fields = FieldSet.fromPaths(paths).toFieldsV1();
    expect(fields).toEqual({
      'f:metadata': { 'f:labels': { 'f:app': {} } },
      'f:spec': {
        '.': {},
        'f:metrics': { 'v:"cpu"': {} },
        'f:source': {},
        'f:targets': { 'k:{"name":"a"}': { '.': {}, 'f:name': {}, 'f:port': {} } },
      },
    });
    // Keys come in structured-merge-diff order.
    expect(Object.keys(fields)).toEqual(['f:metadata', 'f:spec']);
    expect(Object.keys(fields['f:spec'] as object)).toEqual(['.', 'f:metrics', 'f:source', 'f:targets']);
  });

  test('reads FieldsV1 back', () => {
    const set = FieldSet.fromPaths(paths);
    const again = FieldSet.fromFieldsV1(JSON.parse(JSON.stringify(set.toFieldsV1())));
    expect(again.equals(set)).toBe(true);
    expect(again.has([spec])).toBe(true);
    expect(again.has([f('metadata')])).toBe(false);
    expect(again.has([f('metadata'), f('labels'), f('app')])).toBe(true);
  });

  test('skips unknown element types, rejects malformed ones', () => {
    expect(FieldSet.fromFieldsV1({ 'f:a': {}, 'x:zz': {} }).paths()).toEqual([[f('a')]]);
    expect(() => FieldSet.fromFieldsV1({ 'v:{not json': {} })).toThrow();
    expect(() => FieldSet.fromFieldsV1({ 'f:a': 'x' })).toThrow();
    expect(() => FieldSet.fromFieldsV1([])).toThrow();
  });

  test('orders fields before keys before values', () => {
    const set = FieldSet.fromPaths([[valueElement('x')], [itemA], [f('z')], [f('a')], [valueElement(1)]]);
    expect(set.paths().map((p) => serializePathElement(p[0]))).toEqual([
      'f:a',
      'f:z',
      'k:{"name":"a"}',
      'v:1',
      'v:"x"',
    ]);
  });

  test('set operations are member-wise; recursiveDifference drops whole subtrees', () => {
    const a = FieldSet.fromPaths([[spec, f('source')], [spec, f('interval')], [spec]]);
    const b = FieldSet.fromPaths([[spec, f('source')], [f('status')]]);
    expect(a.union(b).paths()).toHaveLength(4);
    expect(a.intersection(b).paths()).toEqual([[spec, f('source')]]);
    expect(a.difference(b).paths()).toEqual([[spec], [spec, f('interval')]]);
    expect(a.recursiveDifference(FieldSet.fromPaths([[spec]])).isEmpty()).toBe(true);
    expect(a.difference(FieldSet.fromPaths([[spec]])).paths()).toEqual([
      [spec, f('interval')],
      [spec, f('source')],
    ]);
    // Inputs are untouched.
    expect(a.paths()).toHaveLength(3);
  });
});
