import {
  celFunc,
  celList,
  celMethod,
  CelScalar,
  isCelList,
  listType,
  type CelFunc,
  type CelList,
} from '@bufbuild/cel';

/**
 * Optional values for `optionalOldSelf` rules. @bufbuild/cel has no optional type, so an
 * optional is a list of zero or one element at run time; the checker types it as
 * optional(T), so only these functions can reach it.
 */
const OPTIONAL = listType(CelScalar.DYN);

export const noneValue: CelList = celList([]);
export const optionalOf = (value: unknown): CelList => celList([value as never]);

function isZero(value: unknown): boolean {
  if (value === null || value === false || value === '' || value === 0 || value === 0n) return true;
  if (value instanceof Uint8Array) return value.length === 0;
  if (isCelList(value)) return value.size === 0;
  if (typeof value === 'object' && value !== null && 'size' in value)
    return (value as { size: number }).size === 0;
  return false;
}

export const optionalLibrary: readonly CelFunc[] = [
  celFunc('optional.of', [CelScalar.DYN], OPTIONAL, (value) => optionalOf(value)),
  celFunc('optional.ofNonZeroValue', [CelScalar.DYN], OPTIONAL, (value) =>
    isZero(value) ? noneValue : optionalOf(value),
  ),
  celFunc('optional.none', [], OPTIONAL, () => noneValue),
  celMethod('hasValue', OPTIONAL, [], CelScalar.BOOL, function () {
    return this.size > 0;
  }),
  celMethod('value', OPTIONAL, [], CelScalar.DYN, function () {
    if (this.size === 0) throw new Error('optional.none() dereference');
    return this.get(0) as never;
  }),
  celMethod('orValue', OPTIONAL, [CelScalar.DYN], CelScalar.DYN, function (fallback) {
    return (this.size > 0 ? this.get(0) : fallback) as never;
  }),
  celMethod('or', OPTIONAL, [OPTIONAL], OPTIONAL, function (other) {
    return this.size > 0 ? this : other;
  }),
];
