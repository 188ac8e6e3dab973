/**
 * Values derived from an immutable owner, remembered for as long as the owner lives: an object
 * version's encodings and Table rows, worked out once and reused by every reader of that
 * version, as kube-apiserver's cachingObject keeps an object's serializations. Owners are
 * compared by identity, so a new version (a new owner) starts with nothing remembered, and
 * what was derived from an old one goes with it.
 */
const remembered = new WeakMap<object, Map<string, unknown>>();

/** `derive()` for `owner` and `purpose`, computed on first use and remembered after. */
export function derivedValue<T>(owner: object, purpose: string, derive: () => T): T {
  let values = remembered.get(owner);
  if (!values) remembered.set(owner, (values = new Map()));
  if (values.has(purpose)) return values.get(purpose) as T;
  const value = derive();
  values.set(purpose, value);
  return value;
}
