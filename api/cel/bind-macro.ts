import { create } from '@bufbuild/protobuf';
import { ExprSchema, Expr_ComprehensionSchema, type Expr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import { forEachChild } from './expr-walk.js';

/**
 * Expands `cel.bind(name, init, body)` (part of the environment kube-apiserver gives rules)
 * the way cel-go's macro does: a comprehension over an empty list whose accumulator is the
 * bound name, so `body` is evaluated once with `name` = `init`. @bufbuild/cel's parser does not
 * know the macro, so it arrives as a call and is rewritten here, in place.
 */
export function expandBindMacros(expr: Expr, nextId: () => bigint): void {
  forEachChild(expr, (child) => expandBindMacros(child, nextId));
  if (expr.exprKind.case !== 'callExpr') return;
  const call = expr.exprKind.value;
  const target = call.target;
  if (call.function !== 'bind' || call.args.length !== 3) return;
  if (target?.exprKind.case !== 'identExpr' || target.exprKind.value.name !== 'cel') return;
  const [name, init, body] = call.args;
  if (name.exprKind.case !== 'identExpr') return;
  const variable = name.exprKind.value.name;
  expr.exprKind = {
    case: 'comprehensionExpr',
    value: create(Expr_ComprehensionSchema, {
      iterVar: '#unused',
      iterRange: create(ExprSchema, {
        id: nextId(),
        exprKind: { case: 'listExpr', value: { elements: [] } },
      }),
      accuVar: variable,
      accuInit: init,
      loopCondition: create(ExprSchema, {
        id: nextId(),
        exprKind: { case: 'constExpr', value: { constantKind: { case: 'boolValue', value: false } } },
      }),
      loopStep: create(ExprSchema, {
        id: nextId(),
        exprKind: { case: 'identExpr', value: { name: variable } },
      }),
      result: body,
    }),
  };
}
