import type { CelList, CelValue } from '@bufbuild/cel';

/** The mark @bufbuild/cel recognises its lists by (a registered symbol, see its list.ts). */
const listMarker = Symbol.for('@bufbuild/cel/list');

/**
 * A value of one of the Kubernetes libraries' own types (kubernetes.URL, kubernetes.Quantity, net.IP, net.CIDR).
 * @bufbuild/cel carries only its own kinds of values (scalars, lists, maps, protobuf messages),
 * so such a value travels as a list of one element, the value's canonical text: two values are
 * `==` exactly when their keys are, as kube compares them (quantities by amount, URLs by their
 * text, addresses and prefixes by their canonical text). The checker types these values by their own type, so only the library's functions,
 * `==`, `!=` and `in` reach them; those functions read the parsed payload.
 */
class OpaqueValue<T> {
  readonly [listMarker]: object = {};

  constructor(
    readonly typeName: string,
    private readonly key: string,
    readonly payload: T,
  ) {}

  get size(): number {
    return 1;
  }

  get(index: number): CelValue | undefined {
    return index === 0 ? `${this.typeName}:${this.key}` : undefined;
  }

  *values(): IterableIterator<CelValue> {
    yield `${this.typeName}:${this.key}`;
  }

  [Symbol.iterator](): IterableIterator<CelValue> {
    return this.values();
  }
}

/** A value of the named type, equal to another of that type exactly when their keys are equal. */
export function opaqueValue<T>(typeName: string, key: string, payload: T): CelList {
  return new OpaqueValue(typeName, key, payload) as unknown as CelList;
}

/** The type name of a library value, undefined for any other value. */
export function opaqueTypeName(value: unknown): string | undefined {
  return value instanceof OpaqueValue ? value.typeName : undefined;
}

/** The payload of a value of the named type; the checker has already made sure it is one. */
export function payloadOf<T>(value: unknown, typeName: string): T {
  if (value instanceof OpaqueValue && value.typeName === typeName) return value.payload as T;
  throw new Error(`no such overload: expected ${typeName}`);
}
