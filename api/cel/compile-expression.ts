import { parse, plan, type CelResult, type CelInput } from '@bufbuild/cel';
import type { Expr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import { expandBindMacros } from './bind-macro.js';
import { checkExpression, type CheckIssue, type Variable } from './checker.js';
import type { CelTy } from './cel-type.js';
import { instrumentComprehensions } from './cost-instrumentation.js';
import { maxExprId } from './expr-walk.js';
import { runtimeEnvironment } from './runtime-environment.js';

/** A checked, planned expression. */
export interface CompiledExpression {
  readonly type: CelTy;
  /** Worst-case estimated cost of one evaluation. */
  readonly cost: number;
  readonly references: ReadonlySet<string>;
  readonly evaluate: (bindings: Record<string, CelInput>) => CelResult;
}

/** cel-go's issue text: `ERROR: <input>:1:6: message`, then the line and a caret under the column. */
function formatIssue(source: string, offset: number, message: string): string {
  const lines = source.split('\n');
  let line = 0;
  let column = offset;
  while (line < lines.length - 1 && column > lines[line].length) {
    column -= lines[line].length + 1;
    line++;
  }
  const caret = `${'.'.repeat(Math.max(0, column))}^`;
  return `ERROR: <input>:${line + 1}:${column + 1}: ${message}\n | ${lines[line]}\n | ${caret}`;
}

/**
 * Parses, type checks and plans one expression in the rule environment (`self`, `oldSelf`).
 * Returns the compiled expression or the compile errors, worded as cel-go's issues.
 */
export function compileExpression(
  source: string,
  variables: ReadonlyMap<string, Variable>,
): { compiled: CompiledExpression } | { error: string } {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(source);
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    const at = /^<input>:(\d+):(\d+): (.*)$/s.exec(text);
    if (!at) return { error: `ERROR: <input>:1:1: Syntax error: ${text}` };
    const lines = source.split('\n');
    const line = Number(at[1]);
    const column = Number(at[2]);
    return {
      error: `ERROR: <input>:${line}:${column}: Syntax error: ${at[3]}\n | ${lines[line - 1] ?? ''}\n | ${'.'.repeat(Math.max(0, column - 1))}^`,
    };
  }
  const expr: Expr = parsed.expr;
  let lastId = maxExprId(expr);
  const nextId = () => ++lastId;
  expandBindMacros(expr, nextId);
  const positions: Record<string, number> = { ...parsed.sourceInfo?.positions };
  const checked = checkExpression(expr, positions, variables);
  if (checked.issues.length > 0)
    return {
      error: checked.issues.map((i: CheckIssue) => formatIssue(source, i.offset, i.message)).join('\n'),
    };
  instrumentComprehensions(expr, nextId);
  const evaluate = plan(runtimeEnvironment, expr) as (bindings: Record<string, CelInput>) => CelResult;
  return { compiled: { type: checked.type, cost: checked.cost, references: checked.references, evaluate } };
}
