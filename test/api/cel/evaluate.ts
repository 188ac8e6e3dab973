import { isCelError } from '@bufbuild/cel';
import { compileExpression } from '../../../api/cel/compile-expression.js';
import { CostTracker, withCostTracker } from '../../../api/cel/runtime-cost.js';

/** Compiles and evaluates an expression without variables; throws the compile or run error. */
export function evaluate(source: string): unknown {
  const compiled = compileExpression(source, new Map());
  if ('error' in compiled) throw new Error(compiled.error);
  const result = compiled.compiled.evaluate({});
  if (isCelError(result)) throw new Error(`evaluation error: ${result.message}`);
  return result;
}

/** The compile error of an expression, or undefined when it compiles. */
export function compileError(source: string): string | undefined {
  const compiled = compileExpression(source, new Map());
  return 'error' in compiled ? compiled.error : undefined;
}

/** The estimated cost of an expression. */
export function estimatedCost(source: string): number {
  const compiled = compileExpression(source, new Map());
  if ('error' in compiled) throw new Error(compiled.error);
  return compiled.compiled.cost;
}

/** The cost charged at run time by one evaluation of an expression without variables. */
export function runtimeCost(source: string): number {
  const compiled = compileExpression(source, new Map());
  if ('error' in compiled) throw new Error(compiled.error);
  const tracker = new CostTracker(Number.MAX_SAFE_INTEGER);
  withCostTracker(tracker, () => compiled.compiled.evaluate({}));
  return tracker.used;
}
