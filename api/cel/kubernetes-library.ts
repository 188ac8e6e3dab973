import { RE2JS } from '@bufbuild/re2';
import {
  celEnv,
  celFunc,
  celMethod,
  CelScalar,
  isCelError,
  listType,
  type CelFunc,
  type CelList,
  type CelValue,
} from '@bufbuild/cel';

/**
 * The Kubernetes CEL libraries that @bufbuild/cel lacks: lists (k8s.io/apiserver/pkg/cel/
 * library/lists.go) and regex (regex.go), plus the global `matches(string, string)` form.
 */
const LIST = listType(CelScalar.DYN);
const { DYN, BOOL, INT, STRING } = CelScalar;

const standard = celEnv().funcs;
function operator(name: string): (a: CelValue, b: CelValue) => boolean {
  const group = standard.find(name);
  if (!group) throw new Error(`missing ${name}`);
  return (a, b) => {
    const result = group.call(0, undefined, [a, b]);
    if (result === undefined || isCelError(result)) throw result ?? new Error(`no such overload: ${name}`);
    return result === true;
  };
}
const equals = operator('_==_');
const less = operator('_<_');

const elements = (list: CelList): CelValue[] => [...list];

function extreme(list: CelList, name: string, better: (a: CelValue, b: CelValue) => boolean): CelValue {
  const values = elements(list);
  if (values.length === 0) throw new Error(`${name} called on empty list`);
  return values.reduce((best, value) => (better(value, best) ? value : best));
}

function sum(list: CelList): CelValue {
  const values = elements(list);
  if (values.every((v) => typeof v === 'bigint')) {
    const total = (values as bigint[]).reduce((a, b) => a + b, 0n);
    if (total > 9223372036854775807n || total < -9223372036854775808n) throw new Error('integer overflow');
    return total;
  }
  if (values.every((v) => typeof v === 'number')) return (values as number[]).reduce((a, b) => a + b, 0);
  throw new Error('no such overload: sum');
}

const lists: CelFunc[] = [
  celMethod('isSorted', LIST, [], BOOL, function () {
    const values = elements(this);
    return values.every((value, i) => i === 0 || !less(value, values[i - 1]));
  }),
  celMethod('sum', LIST, [], DYN, function () {
    return sum(this) as never;
  }),
  celMethod('min', LIST, [], DYN, function () {
    return extreme(this, 'min', less) as never;
  }),
  celMethod('max', LIST, [], DYN, function () {
    return extreme(this, 'max', (a, b) => less(b, a)) as never;
  }),
  celMethod('indexOf', LIST, [DYN], INT, function (value) {
    return BigInt(elements(this).findIndex((v) => equals(v, value)));
  }),
  celMethod('lastIndexOf', LIST, [DYN], INT, function (value) {
    return BigInt(elements(this).findLastIndex((v) => equals(v, value)));
  }),
];

/**
 * find/findAll need match positions, which @bufbuild/re2 (boolean matching only) cannot give,
 * so they run on JavaScript's RegExp after RE2 has accepted the pattern's syntax. RE2's
 * leading flag group (`(?i)`, `(?s)`, `(?m)`) becomes RegExp flags; a repeated group that
 * itself repeats (the shape that makes a backtracking engine exponential, e.g. `(a+)+`) is
 * refused, so a pattern cannot stall the server.
 */
function compileForSearch(pattern: string): RegExp {
  RE2JS.compile(pattern);
  let source = pattern;
  let flags = 'gu';
  const leading = /^\(\?([ims]+)\)/.exec(source);
  if (leading) {
    source = source.slice(leading[0].length);
    flags += leading[1];
  }
  if (hasNestedRepetition(source))
    throw new Error(`regex not supported by find/findAll: nested repetition in ${pattern}`);
  return new RegExp(source, flags);
}

function hasNestedRepetition(source: string): boolean {
  const repeatedInside: boolean[] = [];
  let escaped = false;
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (escaped) {
      escaped = false;
      continue;
    }
    if (c === '\\') escaped = true;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') repeatedInside.push(false);
    else if (c === ')') {
      const inner = repeatedInside.pop() ?? false;
      const next = source[i + 1];
      const repeated = next === '*' || next === '+' || next === '{';
      if (inner && repeated) return true;
      if (repeatedInside.length > 0 && (inner || repeated)) repeatedInside[repeatedInside.length - 1] = true;
    } else if ((c === '*' || c === '+' || c === '{') && repeatedInside.length > 0)
      repeatedInside[repeatedInside.length - 1] = true;
  }
  return false;
}

const regex: CelFunc[] = [
  celMethod('find', STRING, [STRING], STRING, function (pattern) {
    return compileForSearch(pattern).exec(this)?.[0] ?? '';
  }),
  celMethod('findAll', STRING, [STRING], listType(STRING), function (pattern) {
    return [...this.matchAll(compileForSearch(pattern))].map((m) => m[0]);
  }),
  celMethod('findAll', STRING, [STRING, INT], listType(STRING), function (pattern, limit) {
    const all = [...this.matchAll(compileForSearch(pattern))].map((m) => m[0]);
    return limit < 0n ? all : all.slice(0, Number(limit));
  }),
  celFunc('matches', [STRING, STRING], BOOL, (text, pattern) => RE2JS.compile(pattern).test(text)),
];

export const kubernetesLibrary: readonly CelFunc[] = [...lists, ...regex];
