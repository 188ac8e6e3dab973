import { EtcdKeySpace, rangeEndOfPrefix } from '../../../../server/storage/etcd/etcd-key-space.js';

describe('EtcdKeySpace', () => {
  it('puts keys under its root and takes them back out', () => {
    const keys = new EtcdKeySpace('/tenant');
    expect(keys.toEtcd('/registry/a').toString()).toBe('/tenant/registry/a');
    expect(keys.fromEtcd(Buffer.from('/tenant/registry/é'))).toBe('/registry/é');
  });

  it('ranges over exactly the keys that start with a prefix', () => {
    const { key, range_end } = new EtcdKeySpace().prefixRange('/a/b/');
    expect(key.toString()).toBe('/a/b/');
    expect(range_end.toString()).toBe('/a/b0');
  });

  it('spells the whole keyspace as etcd does', () => {
    expect(new EtcdKeySpace().prefixRange('')).toEqual({
      key: Buffer.from([0]),
      range_end: Buffer.from([0]),
    });
  });

  it('starts the page after a key just past it', () => {
    expect(new EtcdKeySpace().after('/a/b')).toEqual(Buffer.from('/a/b\0'));
  });
});

describe('rangeEndOfPrefix', () => {
  it('increments the last byte that can be, dropping 0xff bytes after it', () => {
    expect(rangeEndOfPrefix(Buffer.from([0x61, 0xff, 0xff]))).toEqual(Buffer.from([0x62]));
    // A multi-byte UTF-8 character's last byte is incremented like any other.
    expect(rangeEndOfPrefix(Buffer.from('/é'))).toEqual(Buffer.from([0x2f, 0xc3, 0xaa]));
  });

  it('has no end for a prefix of only 0xff bytes', () => {
    expect(rangeEndOfPrefix(Buffer.from([0xff, 0xff]))).toEqual(Buffer.from([0]));
  });
});
