import type { Expr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';

/** Calls `visit` on each direct sub-expression of `expr`. */
export function forEachChild(expr: Expr, visit: (child: Expr) => void): void {
  const kind = expr.exprKind;
  switch (kind.case) {
    case 'selectExpr':
      if (kind.value.operand) visit(kind.value.operand);
      break;
    case 'callExpr':
      if (kind.value.target) visit(kind.value.target);
      kind.value.args.forEach(visit);
      break;
    case 'listExpr':
      kind.value.elements.forEach(visit);
      break;
    case 'structExpr':
      for (const entry of kind.value.entries) {
        if (entry.keyKind.case === 'mapKey') visit(entry.keyKind.value);
        if (entry.value) visit(entry.value);
      }
      break;
    case 'comprehensionExpr':
      for (const part of [
        kind.value.iterRange,
        kind.value.accuInit,
        kind.value.loopCondition,
        kind.value.loopStep,
        kind.value.result,
      ])
        if (part) visit(part);
      break;
  }
}

/** The largest expression id in `expr`, so rewrites can add nodes with fresh ids. */
export function maxExprId(expr: Expr): bigint {
  let max = expr.id;
  forEachChild(expr, (child) => {
    const childMax = maxExprId(child);
    if (childMax > max) max = childMax;
  });
  return max;
}
