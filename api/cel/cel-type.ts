/**
 * The static CEL types the checker works with. @bufbuild/cel only evaluates (its checker covers
 * constants and identifiers), so type checking, as kube-apiserver does it with cel-go before it
 * accepts a rule, is ours. `maxSize` carries the schema's bound on a value's size (maxLength,
 * maxItems, maxProperties, or what fits in a request) for the cost estimator.
 */
export type CelTy =
  | ScalarTy
  | { readonly kind: 'list'; readonly elem: CelTy; readonly maxSize?: number }
  | { readonly kind: 'map'; readonly key: CelTy; readonly value: CelTy; readonly maxSize?: number }
  | ObjectTy
  | { readonly kind: 'optional'; readonly value: CelTy }
  | { readonly kind: 'param'; readonly name: string };

export interface ScalarTy {
  readonly kind:
    | 'int'
    | 'uint'
    | 'double'
    | 'bool'
    | 'string'
    | 'bytes'
    | 'null'
    | 'dyn'
    | 'timestamp'
    | 'duration'
    | 'type'
    | OpaqueKind;
  readonly maxSize?: number;
}

/**
 * The Kubernetes libraries' own types, named as cel-go names them in compile errors. At run
 * time their values are carried as opaque-value.ts describes.
 */
export type OpaqueKind =
  'kubernetes.URL' | 'kubernetes.Quantity' | 'net.IP' | 'net.CIDR' | 'kubernetes.NamedFormat';

/** An object with declared properties: fields are selected by their escaped names. */
export interface ObjectTy {
  readonly kind: 'object';
  readonly fields: ReadonlyMap<string, CelTy>;
}

export const dynTy: CelTy = { kind: 'dyn' };
export const boolTy: CelTy = { kind: 'bool' };
export const intTy: CelTy = { kind: 'int' };
export const uintTy: CelTy = { kind: 'uint' };
export const doubleTy: CelTy = { kind: 'double' };
export const stringTy: CelTy = { kind: 'string' };
export const bytesTy: CelTy = { kind: 'bytes' };
export const nullTy: CelTy = { kind: 'null' };
export const typeTy: CelTy = { kind: 'type' };
export const timestampTy: CelTy = { kind: 'timestamp' };
export const durationTy: CelTy = { kind: 'duration' };
export const urlTy: CelTy = { kind: 'kubernetes.URL' };
export const quantityTy: CelTy = { kind: 'kubernetes.Quantity' };

export const listOf = (elem: CelTy, maxSize?: number): CelTy => ({ kind: 'list', elem, maxSize });
export const mapOf = (key: CelTy, value: CelTy, maxSize?: number): CelTy => ({
  kind: 'map',
  key,
  value,
  maxSize,
});
export const optionalOf = (value: CelTy): CelTy => ({ kind: 'optional', value });

/** The type's name as cel-go prints it in compile errors. */
export function typeName(t: CelTy): string {
  switch (t.kind) {
    case 'list':
      return `list(${typeName(t.elem)})`;
    case 'map':
      return `map(${typeName(t.key)}, ${typeName(t.value)})`;
    case 'optional':
      return `optional_type(${typeName(t.value)})`;
    case 'object':
      return 'object';
    case 'param':
      return t.name;
    case 'null':
      return 'null_type';
    case 'timestamp':
      return 'google.protobuf.Timestamp';
    case 'duration':
      return 'google.protobuf.Duration';
    default:
      return t.kind;
  }
}

/** Structural equality, ignoring size bounds. Objects are equal only to themselves. */
export function sameType(a: CelTy, b: CelTy): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'list':
      return sameType(a.elem, (b as typeof a).elem);
    case 'map':
      return sameType(a.key, (b as typeof a).key) && sameType(a.value, (b as typeof a).value);
    case 'optional':
      return sameType(a.value, (b as typeof a).value);
    case 'object':
      return a === b;
    case 'param':
      return a.name === (b as typeof a).name;
    default:
      return true;
  }
}

/** Whether the type's values have a size that the cost model tracks (strings, bytes, lists, maps). */
export function isSized(t: CelTy): boolean {
  return (
    t.kind === 'string' || t.kind === 'bytes' || t.kind === 'list' || t.kind === 'map' || t.kind === 'dyn'
  );
}
