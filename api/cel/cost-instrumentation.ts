import { create } from '@bufbuild/protobuf';
import { ExprSchema, type Expr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import { forEachChild } from './expr-walk.js';

/** The function that charges one unit of cost per comprehension iteration (runtime-environment.ts). */
export const iterationTickFunction = '@cost_tick';

/**
 * Wraps every comprehension's loop condition in a call to the tick function, in place, so each
 * iteration of `all`, `exists`, `map`, `filter`... is charged and can be stopped.
 */
export function instrumentComprehensions(expr: Expr, nextId: () => bigint): void {
  forEachChild(expr, (child) => instrumentComprehensions(child, nextId));
  if (expr.exprKind.case !== 'comprehensionExpr') return;
  const comprehension = expr.exprKind.value;
  if (!comprehension.loopCondition) return;
  comprehension.loopCondition = create(ExprSchema, {
    id: nextId(),
    exprKind: {
      case: 'callExpr',
      value: { function: iterationTickFunction, args: [comprehension.loopCondition] },
    },
  });
}
