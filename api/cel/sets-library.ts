import { celEnv, celFunc, CelScalar, isCelError, listType, type CelFunc, type CelList } from '@bufbuild/cel';

/**
 * cel-go's sets extension (ext/sets.go), which kube-apiserver's CEL environment includes:
 * lists taken as sets, their elements compared with CEL's `==` (so `1 == 1.0` counts).
 */
const LIST = listType(CelScalar.DYN);

const equalsGroup = celEnv().funcs.find('_==_');
function equals(a: unknown, b: unknown): boolean {
  const result = equalsGroup?.call(0, undefined, [a as never, b as never]);
  if (result === undefined || isCelError(result)) throw result ?? new Error('no such overload: _==_');
  return result === true;
}

const has = (list: CelList, value: unknown): boolean => [...list].some((element) => equals(element, value));
const contains = (list: CelList, sublist: CelList): boolean => [...sublist].every((v) => has(list, v));

export const setsLibrary: readonly CelFunc[] = [
  celFunc('sets.contains', [LIST, LIST], CelScalar.BOOL, contains),
  celFunc('sets.equivalent', [LIST, LIST], CelScalar.BOOL, (a, b) => contains(a, b) && contains(b, a)),
  celFunc('sets.intersects', [LIST, LIST], CelScalar.BOOL, (a, b) => [...b].some((v) => has(a, v))),
];
