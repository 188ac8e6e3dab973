import { compareKeys, prefixRangeEnd } from '../../../server/storage/key-order.js';

const samples = [
  '',
  'a',
  'b',
  'ab',
  '/a/b/ns1',
  '/a/b/ns1/',
  '/a/b/ns10/',
  'é',
  '\uffff',
  '\ue000',
  '\u{10000}',
  '\u{1f600}',
  '\u{10ffff}',
  'a\u{10ffff}',
  'z\u{10ffff}\u{10ffff}',
];

/** The order etcd and SQLite use: the bytes of the UTF-8 encoding. */
function utf8Order(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

describe('compareKeys', () => {
  it('agrees with UTF-8 byte order, where JavaScript string order does not', () => {
    for (const a of samples) {
      for (const b of samples) expect(Math.sign(compareKeys(a, b))).toBe(utf8Order(a, b));
    }
    expect('\u{1f600}' < '\uffff').toBe(true); // why compareKeys exists
    expect(compareKeys('\u{1f600}', '\uffff')).toBeGreaterThan(0);
  });
});

describe('prefixRangeEnd', () => {
  it('bounds exactly the keys that start with the prefix', () => {
    const prefixes = ['a', '/a/b/ns1/', 'z\u{10ffff}', '\ud7ff'];
    const keys = [
      ...samples,
      'a\u{1f600}',
      '/a/b/ns1/\u{10ffff}',
      '/a/b/ns10/x',
      '/a/b/ns1\u0000',
      '\ud7ffx',
      '\ue000',
    ];
    for (const prefix of prefixes) {
      const end = prefixRangeEnd(prefix);
      for (const key of keys) {
        const inRange = compareKeys(key, prefix) >= 0 && (end === undefined || compareKeys(key, end) < 0);
        expect([prefix, key, inRange]).toEqual([prefix, key, key.startsWith(prefix)]);
      }
    }
  });

  it('increments the last character, carrying past U+10FFFF and skipping surrogates', () => {
    expect(prefixRangeEnd('/a/')).toBe('/a0');
    expect(prefixRangeEnd('a\u{10ffff}')).toBe('b');
    expect(prefixRangeEnd('\ud7ff')).toBe('\ue000');
    expect(prefixRangeEnd('')).toBeUndefined();
    expect(prefixRangeEnd('\u{10ffff}\u{10ffff}')).toBeUndefined();
  });
});
