/**
 * Where storage keys live in etcd. The generic store already builds whole keys under the
 * server's `--etcd-prefix` (`/registry/<group>/<plural>/<namespace>/<name>`), so keys are
 * stored as given; `root` is an extra prefix of the backend's own, for sharing one etcd between
 * independent users such as test suites. etcd compares keys as bytes, which for UTF-8 is code
 * point order: the order every backend uses (see ../key-order.ts).
 */
export class EtcdKeySpace {
  constructor(readonly root: string = '') {}

  /** The etcd key for a storage key. */
  toEtcd(key: string): Buffer {
    return Buffer.from(this.root + key, 'utf8');
  }

  /** The storage key for an etcd key inside this key space. */
  fromEtcd(etcdKey: Buffer): string {
    return etcdKey.toString('utf8').slice(this.root.length);
  }

  /** The etcd range `[key, range_end)` of every key that starts with `prefix`. */
  prefixRange(prefix: string): { key: Buffer; range_end: Buffer } {
    const key = this.toEtcd(prefix);
    // etcd refuses an empty key; the whole keyspace is spelled [\0, \0).
    if (key.length === 0) return { key: ZERO_BYTE, range_end: ZERO_BYTE };
    return { key, range_end: rangeEndOfPrefix(key) };
  }

  /** The smallest etcd key after `key`: where the page after `key` starts. */
  after(key: string): Buffer {
    return Buffer.concat([this.toEtcd(key), ZERO_BYTE]);
  }
}

const ZERO_BYTE = Buffer.from([0]);

/**
 * etcd's end of a prefix range: the prefix with its last byte that is not 0xff incremented and
 * everything after it dropped. A prefix with no such byte (empty or all 0xff) has no end, which
 * etcd spells as a single zero byte ("to the end of the keyspace").
 */
export function rangeEndOfPrefix(prefix: Buffer): Buffer {
  for (let i = prefix.length - 1; i >= 0; i--) {
    if (prefix[i] < 0xff) {
      const end = Buffer.from(prefix.subarray(0, i + 1));
      end[i] += 1;
      return end;
    }
  }
  return ZERO_BYTE;
}
