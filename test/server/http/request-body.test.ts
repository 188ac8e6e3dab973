import { duplicateJsonFields } from '../../../server/http/request-body.js';

describe('duplicateJsonFields', () => {
  test('finds repeated keys by path, in nested objects and list items, once each', () => {
    const text =
      '{ "a": 1, "b": {"c": "x\\"}", "c": [1, {"d": true}], "e": {"f": null, "f": {}}},' +
      ' "l": [{"k": 1, "k": 2}, {"k": 3}], "a": 2, "a": 3 }';
    expect(duplicateJsonFields(text)).toEqual(['b.c', 'b.e.f', 'l[0].k', 'a']);
  });

  test('none in a well-formed document, and keys equal after unescaping count as one', () => {
    expect(duplicateJsonFields('{"a":{"b":[1,2,{"c":"]}"}]},"b":"a"}')).toEqual([]);
    expect(duplicateJsonFields('{"a\\u0062":1,"ab":2}')).toEqual(['ab']);
  });
});
