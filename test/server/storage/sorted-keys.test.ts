import { compareKeys, prefixRangeEnd } from '../../../server/storage/key-order.js';
import { SortedKeys } from '../../../server/storage/sorted-keys.js';

/** The same answers from a plain sorted array. */
function modelRange(
  keys: readonly string[],
  prefix: string,
  startAfter: string | undefined,
  limit: number | undefined,
): { keys: string[]; remaining: number } {
  const end = prefixRangeEnd(prefix);
  const under = keys.filter(
    (key) =>
      compareKeys(key, prefix) >= 0 &&
      (end === undefined || compareKeys(key, end) < 0) &&
      (startAfter === undefined || compareKeys(startAfter, prefix) < 0 || compareKeys(key, startAfter) > 0),
  );
  const page = limit === undefined ? under : under.slice(0, limit);
  return { keys: page, remaining: under.length - page.length };
}

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('SortedKeys', () => {
  test('answers ranges as one sorted array would, through inserts and removals that split and empty chunks', () => {
    const next = random(7);
    const keys = new SortedKeys(4);
    const model: string[] = [];
    const keyOf = (): string => `/registry/g/things/ns${Math.floor(next() * 4)}/o${Math.floor(next() * 200)}`;
    for (let step = 0; step < 3000; step++) {
      const key = keyOf();
      const present = model.includes(key);
      if (next() < 0.6 && !present) {
        keys.insert(key);
        model.push(key);
        model.sort(compareKeys);
      } else {
        keys.remove(key);
        if (present) model.splice(model.indexOf(key), 1);
      }
      if (step % 50 !== 0) continue;
      expect(keys.size).toBe(model.length);
      for (const prefix of ['/registry/g/things/', '/registry/g/things/ns1/', '/registry/g/others/']) {
        for (const startAfter of [undefined, keyOf(), '/registry/a']) {
          for (const limit of [undefined, 1, 7, 500]) {
            expect(keys.range(prefix, startAfter, limit)).toEqual(
              modelRange(model, prefix, startAfter, limit),
            );
          }
        }
      }
    }
  });

  test('removing a key that is not there changes nothing', () => {
    const keys = new SortedKeys(2);
    for (const key of ['/a/1', '/a/2', '/a/3']) keys.insert(key);
    keys.remove('/a/0');
    keys.remove('/a/9');
    expect(keys.range('/a/', undefined, undefined)).toEqual({ keys: ['/a/1', '/a/2', '/a/3'], remaining: 0 });
    expect(new SortedKeys().range('/a/', undefined, undefined)).toEqual({ keys: [], remaining: 0 });
  });
});
