import { listedPrefixes, prefixAtDepth } from '../../../../server/storage/cacher/resource-prefix.js';

describe('prefixAtDepth', () => {
  const resourceOf = prefixAtDepth(3);

  it('finds the resource of an object key and of its namespace prefix', () => {
    expect(resourceOf('/registry/example.com/things/ns/a')).toBe('/registry/example.com/things/');
    expect(resourceOf('/registry/example.com/things/ns/')).toBe('/registry/example.com/things/');
    expect(resourceOf('/registry/example.com/things/')).toBe('/registry/example.com/things/');
  });

  it('caches nothing wider than one resource, or outside the layout', () => {
    expect(resourceOf('/registry/example.com/')).toBeUndefined();
    expect(resourceOf('/registry/example.com/things')).toBeUndefined();
    expect(resourceOf('/registry//things/ns/a')).toBeUndefined();
    expect(resourceOf('registry/example.com/things/ns/a')).toBeUndefined();
  });

  it('rejects a depth that names no segment', () => {
    expect(() => prefixAtDepth(0)).toThrow(RangeError);
  });
});

describe('listedPrefixes', () => {
  it('picks the longest listed prefix a key falls under, and nothing for others', () => {
    const resourceOf = listedPrefixes(['/a/', '/a/b/']);
    expect(resourceOf('/a/b/c')).toBe('/a/b/');
    expect(resourceOf('/a/c')).toBe('/a/');
    expect(resourceOf('/b/c')).toBeUndefined();
    expect(resourceOf('/')).toBeUndefined();
  });
});
