import type { Expr, Expr_Comprehension } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import {
  boolTy,
  bytesTy,
  doubleTy,
  dynTy,
  intTy,
  isSized,
  listOf,
  mapOf,
  nullTy,
  sameType,
  stringTy,
  typeName,
  typeTy,
  uintTy,
  type CelTy,
} from './cel-type.js';
import { overloads, type Overload } from './overloads.js';

/** One type error, at an offset of the expression's source. */
export interface CheckIssue {
  readonly offset: number;
  readonly message: string;
}

/** A declared variable: its type and, for sized values, the largest size it can have. */
export interface Variable {
  readonly type: CelTy;
  readonly size?: number;
}

/** The checked expression: its type, its worst-case cost in cel-go's units, and what it reads. */
export interface CheckResult {
  readonly type: CelTy;
  readonly cost: number;
  readonly issues: readonly CheckIssue[];
  /** The global variables the expression references (e.g. `oldSelf`, which makes a transition rule). */
  readonly references: ReadonlySet<string>;
}

interface Checked {
  readonly type: CelTy;
  readonly cost: number;
  /** Largest size of the value (string length, list or map entries); Infinity when unbounded. */
  readonly size: number;
}

/** cel-go's fixed costs (common/cost.go). */
const selectAndIdentCost = 1;
const listCreateBaseCost = 10;
const mapCreateBaseCost = 30;

const typeIdentifiers = new Set([
  'int',
  'uint',
  'double',
  'bool',
  'string',
  'bytes',
  'list',
  'map',
  'null_type',
  'type',
]);

/** Sizes are bounded by the schema; past this the product is as good as unbounded. */
const capped = (n: number): number =>
  Number.isFinite(n) ? Math.min(n, Number.MAX_SAFE_INTEGER) : Number.MAX_SAFE_INTEGER;

function defaultSize(type: CelTy): number {
  if ('maxSize' in type && type.maxSize !== undefined) return type.maxSize;
  return isSized(type) ? Infinity : 1;
}

/**
 * Type checks a parsed (macro-expanded) expression against the variables and estimates its
 * worst-case cost the way cel-go's checker/cost.go does: 1 per identifier, selection and
 * call, calls whose cost grows with string and list sizes charged by those sizes, and a
 * comprehension charged its loop body once per element of the largest range the schema allows.
 */
export function checkExpression(
  expr: Expr,
  positions: Readonly<Record<string, number>>,
  globals: ReadonlyMap<string, Variable>,
): CheckResult {
  const issues: CheckIssue[] = [];
  const references = new Set<string>();
  const scopes: Map<string, Variable>[] = [];

  const fail = (e: Expr, message: string): Checked => {
    issues.push({ offset: positions[String(e.id)] ?? 0, message });
    return { type: { kind: 'dyn' }, cost: 0, size: Infinity };
  };

  const lookup = (name: string): Variable | undefined => {
    for (let i = scopes.length - 1; i >= 0; i--) {
      const found = scopes[i].get(name);
      if (found) return found;
    }
    const global = globals.get(name);
    if (global) references.add(name);
    return global;
  };

  const qualifiedName = (e: Expr): string | undefined => {
    if (e.exprKind.case === 'identExpr') {
      const name = e.exprKind.value.name;
      return scopes.some((s) => s.has(name)) || globals.has(name) ? undefined : name;
    }
    if (e.exprKind.case === 'selectExpr' && !e.exprKind.value.testOnly && e.exprKind.value.operand) {
      const parent = qualifiedName(e.exprKind.value.operand);
      return parent === undefined ? undefined : `${parent}.${e.exprKind.value.field}`;
    }
    return undefined;
  };

  const check = (e: Expr): Checked => {
    switch (e.exprKind.case) {
      case 'constExpr':
        return checkConst(e);
      case 'identExpr': {
        const name = e.exprKind.value.name;
        const variable = lookup(name);
        if (variable)
          return {
            type: variable.type,
            cost: selectAndIdentCost,
            size: variable.size ?? defaultSize(variable.type),
          };
        if (typeIdentifiers.has(name)) return { type: typeTy, cost: selectAndIdentCost, size: 1 };
        return fail(e, `undeclared reference to '${name}' (in container '')`);
      }
      case 'selectExpr': {
        const { operand, field, testOnly } = e.exprKind.value;
        if (!operand) return fail(e, 'invalid selection');
        const target = check(operand);
        const selected = selectField(e, target.type, field);
        if (!selected) return fail(e, `type '${typeName(target.type)}' does not support field selection`);
        if (selected === 'undefined') return fail(e, `undefined field '${field}'`);
        const cost = target.cost + selectAndIdentCost;
        return testOnly
          ? { type: boolTy, cost, size: 1 }
          : { type: selected, cost, size: defaultSize(selected) };
      }
      case 'listExpr': {
        const elements = e.exprKind.value.elements.map(check);
        let elem: CelTy | undefined;
        for (const element of elements) elem = elem === undefined ? element.type : join(elem, element.type);
        return {
          type: listOf(elem ?? dynTy),
          cost: listCreateBaseCost + sum(elements.map((x) => x.cost)),
          size: elements.length,
        };
      }
      case 'structExpr': {
        const { messageName, entries } = e.exprKind.value;
        if (messageName) return fail(e, `undeclared reference to '${messageName}' (in container '')`);
        let key: CelTy | undefined;
        let value: CelTy | undefined;
        let cost = mapCreateBaseCost;
        for (const entry of entries) {
          if (entry.keyKind.case !== 'mapKey' || !entry.value) return fail(e, 'invalid map literal');
          const k = check(entry.keyKind.value);
          const v = check(entry.value);
          key = key === undefined ? k.type : join(key, k.type);
          value = value === undefined ? v.type : join(value, v.type);
          cost += k.cost + v.cost;
        }
        return { type: mapOf(key ?? dynTy, value ?? dynTy), cost, size: entries.length };
      }
      case 'comprehensionExpr':
        return checkComprehension(e.exprKind.value);
      case 'callExpr':
        return checkCall(e);
      default:
        return fail(e, 'invalid expression');
    }
  };

  const checkConst = (e: Expr): Checked => {
    if (e.exprKind.case !== 'constExpr') throw new Error('not a constant');
    const constant = e.exprKind.value.constantKind;
    switch (constant.case) {
      case 'boolValue':
        return { type: boolTy, cost: 0, size: 1 };
      case 'int64Value':
        return { type: intTy, cost: 0, size: 1 };
      case 'uint64Value':
        return { type: uintTy, cost: 0, size: 1 };
      case 'doubleValue':
        return { type: doubleTy, cost: 0, size: 1 };
      case 'stringValue':
        return { type: stringTy, cost: 0, size: [...constant.value].length };
      case 'bytesValue':
        return { type: bytesTy, cost: 0, size: constant.value.length };
      case 'nullValue':
        return { type: nullTy, cost: 0, size: 1 };
      default:
        return fail(e, 'unsupported constant');
    }
  };

  const selectField = (e: Expr, target: CelTy, field: string): CelTy | 'undefined' | undefined => {
    switch (target.kind) {
      case 'object':
        return target.fields.get(field) ?? 'undefined';
      case 'map':
        return target.key.kind === 'string' || target.key.kind === 'dyn' ? target.value : undefined;
      case 'dyn':
        return dynTy;
      default:
        void e;
        return undefined;
    }
  };

  const checkComprehension = (c: Expr_Comprehension): Checked => {
    if (!c.iterRange || !c.accuInit || !c.loopCondition || !c.loopStep || !c.result)
      throw new Error('invalid comprehension');
    const range = check(c.iterRange);
    let iterType: CelTy;
    switch (range.type.kind) {
      case 'list':
        iterType = range.type.elem;
        break;
      case 'map':
        iterType = range.type.key;
        break;
      case 'dyn':
        iterType = dynTy;
        break;
      default:
        return fail(
          c.iterRange,
          `expression of type '${typeName(range.type)}' cannot be range of a comprehension (must be list, map, or dynamic)`,
        );
    }
    const init = check(c.accuInit);
    const emptyListInit =
      c.accuInit.exprKind.case === 'listExpr' && c.accuInit.exprKind.value.elements.length === 0;
    const rangeSize = range.size;
    const iterVariable: Variable = { type: iterType, size: defaultSize(iterType) };
    const loop = (accuType: CelTy) => {
      const accu: Variable = { type: accuType, size: emptyListInit ? rangeSize : init.size };
      scopes.push(new Map([[c.accuVar, accu]]));
      scopes.push(new Map([[c.iterVar, iterVariable]]));
      const issuesBefore = issues.length;
      const condition = check(c.loopCondition!);
      const step = check(c.loopStep!);
      scopes.pop();
      return { condition, step, accu, issuesBefore };
    };
    let body = loop(init.type);
    if (emptyListInit && body.step.type.kind === 'list' && body.step.type.elem.kind !== 'dyn') {
      // `[]` starts as list(dyn); the loop step tells the accumulator's element type (map, filter).
      issues.length = body.issuesBefore;
      scopes.pop();
      body = loop(body.step.type);
    }
    const result = check(c.result);
    scopes.pop();
    const perIteration = body.condition.cost + body.step.cost;
    const cost = range.cost + init.cost + capped(rangeSize) * perIteration + result.cost;
    const size = result.type.kind === 'list' && emptyListInit ? rangeSize : result.size;
    return { type: result.type, cost: capped(cost), size };
  };

  const checkCall = (e: Expr): Checked => {
    if (e.exprKind.case !== 'callExpr') throw new Error('not a call');
    const call = e.exprKind.value;
    let name = call.function;
    let target = call.target;
    if (target) {
      const qualified = qualifiedName(target);
      if (qualified !== undefined && overloads.has(`${qualified}.${name}`)) {
        name = `${qualified}.${name}`;
        target = undefined;
      }
    }
    const receiver = target ? check(target) : undefined;
    const args = call.args.map(check);
    const argCost = sum(args.map((a) => a.cost)) + (receiver?.cost ?? 0);
    switch (name) {
      case '_&&_':
      case '_||_':
        if (args.every((a) => a.type.kind === 'bool' || a.type.kind === 'dyn'))
          return { type: boolTy, cost: argCost, size: 1 };
        return fail(e, noOverload(name, undefined, args));
      case '_?_:_': {
        const [condition, whenTrue, whenFalse] = args;
        const type = unifyBranches(whenTrue.type, whenFalse.type);
        if ((condition.type.kind !== 'bool' && condition.type.kind !== 'dyn') || !type)
          return fail(e, noOverload(name, undefined, args));
        return {
          type,
          cost: condition.cost + Math.max(whenTrue.cost, whenFalse.cost),
          size: Math.max(whenTrue.size, whenFalse.size),
        };
      }
      case '_[_]':
        return checkIndex(e, args, argCost);
    }
    const candidates = overloads.get(name);
    if (!candidates) return fail(e, `undeclared reference to '${name}' (in container '')`);
    let type: CelTy | undefined;
    let cost = 0;
    let size = 0;
    for (const overload of candidates) {
      const result = resolve(
        overload,
        receiver?.type,
        args.map((a) => a.type),
      );
      if (!result) continue;
      type = type === undefined ? result : sameType(type, result) ? type : dynTy;
      const sizes = args.map((a) => a.size);
      cost = Math.max(cost, overload.cost ? overload.cost(receiver?.size ?? 0, sizes) : 1);
      size = Math.max(
        size,
        overload.resultSize ? overload.resultSize(receiver?.size ?? 0, sizes) : defaultSize(result),
      );
    }
    if (!type) return fail(e, noOverload(name, receiver, args));
    return { type, cost: capped(cost + argCost), size: capped(size) };
  };

  const checkIndex = (e: Expr, args: Checked[], argCost: number): Checked => {
    const [container, index] = args;
    const cost = argCost + 1;
    switch (container.type.kind) {
      case 'list':
        if (['int', 'uint', 'dyn'].includes(index.type.kind))
          return { type: container.type.elem, cost, size: defaultSize(container.type.elem) };
        break;
      case 'map':
        if (unify(container.type.key, index.type, new Map()))
          return { type: container.type.value, cost, size: defaultSize(container.type.value) };
        break;
      case 'dyn':
        return { type: dynTy, cost, size: Infinity };
    }
    return fail(e, noOverload('_[_]', undefined, args));
  };

  const type = check(expr);
  return { type: type.type, cost: type.cost, issues, references };
}

function noOverload(name: string, receiver: Checked | undefined, args: readonly Checked[]): string {
  const on = receiver ? `${typeName(receiver.type)}.` : '';
  return `found no matching overload for '${name}' applied to '${on}(${args.map((a) => typeName(a.type)).join(', ')})'`;
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** The common type of two list elements or map values: the type itself, or dyn when they differ. */
function join(a: CelTy, b: CelTy): CelTy {
  if (sameType(a, b)) return a;
  if (a.kind === 'list' && b.kind === 'list') return listOf(join(a.elem, b.elem));
  return dynTy;
}

function unifyBranches(a: CelTy, b: CelTy): CelTy | undefined {
  if (a.kind === 'dyn') return b.kind === 'dyn' ? dynTy : b;
  if (b.kind === 'dyn') return a;
  const bindings = new Map<string, CelTy>();
  const param: CelTy = { kind: 'param', name: 'A' };
  if (!unify(param, a, bindings) || !unify(param, b, bindings)) return undefined;
  return bindings.get('A');
}

/** Binds the overload's type parameters to the actual types; false when they do not fit. */
function unify(pattern: CelTy, actual: CelTy, bindings: Map<string, CelTy>): boolean {
  if (pattern.kind === 'param') {
    const bound = bindings.get(pattern.name);
    if (bound === undefined || bound.kind === 'dyn') {
      bindings.set(pattern.name, actual);
      return true;
    }
    if (actual.kind === 'dyn') return true;
    if (
      bound.kind === 'list' &&
      actual.kind === 'list' &&
      (bound.elem.kind === 'dyn' || actual.elem.kind === 'dyn')
    ) {
      if (bound.elem.kind === 'dyn') bindings.set(pattern.name, actual);
      return true;
    }
    return sameType(bound, actual);
  }
  if (pattern.kind === 'dyn' || actual.kind === 'dyn') return true;
  if (pattern.kind !== actual.kind) return false;
  switch (pattern.kind) {
    case 'list':
      return unify(pattern.elem, (actual as typeof pattern).elem, bindings);
    case 'map':
      return (
        unify(pattern.key, (actual as typeof pattern).key, bindings) &&
        unify(pattern.value, (actual as typeof pattern).value, bindings)
      );
    case 'optional':
      return unify(pattern.value, (actual as typeof pattern).value, bindings);
    case 'object':
      return pattern === actual;
    default:
      return true;
  }
}

function substitute(t: CelTy, bindings: ReadonlyMap<string, CelTy>): CelTy {
  switch (t.kind) {
    case 'param':
      return bindings.get(t.name) ?? dynTy;
    case 'list':
      return listOf(substitute(t.elem, bindings));
    case 'map':
      return mapOf(substitute(t.key, bindings), substitute(t.value, bindings));
    case 'optional':
      return { kind: 'optional', value: substitute(t.value, bindings) };
    default:
      return t;
  }
}

function resolve(overload: Overload, receiver: CelTy | undefined, args: readonly CelTy[]): CelTy | undefined {
  if ((overload.receiver === undefined) !== (receiver === undefined)) return undefined;
  if (overload.args.length !== args.length) return undefined;
  const bindings = new Map<string, CelTy>();
  if (overload.receiver && receiver && !unify(overload.receiver, receiver, bindings)) return undefined;
  for (let i = 0; i < args.length; i++) if (!unify(overload.args[i], args[i], bindings)) return undefined;
  return substitute(overload.result, bindings);
}
