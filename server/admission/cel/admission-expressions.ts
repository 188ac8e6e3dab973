import { isCelError, type CelInput, type CelResult } from '@bufbuild/cel';
import { dynamicValue } from '../../../api/cel/cel-values.js';
import { boolTy, dynTy, stringTy, type CelTy } from '../../../api/cel/cel-type.js';
import type { Variable } from '../../../api/cel/checker.js';
import { compileExpression, type CompiledExpression } from '../../../api/cel/compile-expression.js';
import { perCallLimit, runtimeCostBudget } from '../../../api/cel/cost-limits.js';
import { CostTracker, withCostTracker } from '../../../api/cel/runtime-cost.js';

/**
 * The variables an admission expression may declare, as k8s.io/apiserver's admission CEL
 * environment declares them: `object`, `oldObject` and `request` always; `params` and
 * `namespaceObject` for policies; `variables` for a policy's named variables.
 */
export interface AdmissionDeclarations {
  /** `params` is declared (ValidatingAdmissionPolicy). @default false */
  readonly params?: boolean;
  /** `namespaceObject` is declared (ValidatingAdmissionPolicy). @default false */
  readonly namespaceObject?: boolean;
  /** Names of the policy's variables declared before this expression. @default [] */
  readonly variables?: readonly string[];
}

/** What an expression must evaluate to. */
export type ExpectedResult = 'bool' | 'string' | 'string-or-null';

export interface AdmissionExpression {
  readonly source: string;
  readonly compiled: CompiledExpression;
}

function declarations(options: AdmissionDeclarations): Map<string, Variable> {
  const variables = new Map<string, Variable>([
    ['object', { type: dynTy }],
    ['oldObject', { type: dynTy }],
    ['request', { type: dynTy }],
  ]);
  if (options.params) variables.set('params', { type: dynTy });
  if (options.namespaceObject) variables.set('namespaceObject', { type: dynTy });
  if (options.variables && options.variables.length > 0) {
    const fields = new Map<string, CelTy>(options.variables.map((name) => [name, dynTy]));
    variables.set('variables', { type: { kind: 'object', fields } });
  }
  return variables;
}

const resultNames: Record<ExpectedResult, string> = {
  bool: 'bool',
  string: 'string',
  'string-or-null': 'string',
};

function fits(type: CelTy, expected: ExpectedResult): boolean {
  if (type.kind === 'dyn') return true;
  if (expected === 'bool') return type.kind === boolTy.kind;
  if (expected === 'string-or-null') return type.kind === stringTy.kind || type.kind === 'null';
  return type.kind === stringTy.kind;
}

/**
 * Compiles one admission expression with the schema rules' CEL library and checker; the
 * error is worded as cel-go's, as kube-apiserver reports a policy's compile errors.
 */
export function compileAdmissionExpression(
  source: string,
  options: AdmissionDeclarations,
  expected: ExpectedResult | undefined,
): { expression: AdmissionExpression } | { error: string } {
  if (source.length > 5 * 1024 * 1024) return { error: 'the expression is too long' };
  const result = compileExpression(source, declarations(options));
  if ('error' in result) return result;
  if (expected && !fits(result.compiled.type, expected))
    return { error: `must evaluate to ${resultNames[expected]}` };
  return { expression: { source, compiled: result.compiled } };
}

/** The values an expression reads, as JSON; absent ones are null. */
export interface AdmissionBindings {
  readonly object?: unknown;
  readonly oldObject?: unknown;
  readonly request: unknown;
  readonly params?: unknown;
  readonly namespaceObject?: unknown;
}

/** kube's texts for runtime errors that name a key differently in @bufbuild/cel. */
function kubeErrorText(message: string): string {
  const missing = /^field not found: (.*)$/.exec(message);
  return missing ? `no such key: ${missing[1]}` : message;
}

/** The evaluation ran out of its budget: nothing more is evaluated for this request. */
export class OutOfBudgetError extends Error {
  override readonly name = 'OutOfBudgetError';
  constructor() {
    super('validation failed due to running out of cost budget, no further validation rules will be run');
  }
}

/** One expression's result: a value, or the error kube-apiserver reports for it. */
export type EvaluationResult = { readonly value: unknown } | { readonly error: string };

/**
 * The evaluations for one request (one policy binding and param, or one webhook's match
 * conditions): the same bindings for every expression, each call within kube's per-call limit
 * and all of them within one runtime budget (`RuntimeCELCostBudget`).
 */
export class AdmissionEvaluation {
  private readonly bindings: Record<string, CelInput>;
  private remaining: number;
  private readonly variableValues = new Map<string, CelInput>();

  constructor(
    input: AdmissionBindings,
    private readonly limits: { readonly perCallLimit: number; readonly runtimeCostBudget: number } = {
      perCallLimit,
      runtimeCostBudget,
    },
  ) {
    this.remaining = limits.runtimeCostBudget;
    this.bindings = {
      object: dynamicValue(input.object ?? null),
      oldObject: dynamicValue(input.oldObject ?? null),
      request: dynamicValue(input.request),
      params: dynamicValue(input.params ?? null),
      namespaceObject: dynamicValue(input.namespaceObject ?? null),
    };
  }

  /**
   * Evaluates a policy variable and makes it visible as `variables.<name>` to what follows; a
   * variable that fails leaves `variables.<name>` unset, so expressions reading it fail.
   */
  defineVariable(name: string, expression: AdmissionExpression): EvaluationResult {
    const result = this.evaluate(expression);
    if ('value' in result) this.variableValues.set(name, dynamicValue(result.value));
    return result;
  }

  /** Throws OutOfBudgetError when the budget is spent; other failures are the result's `error`. */
  evaluate(expression: AdmissionExpression): EvaluationResult {
    const tracker = new CostTracker(this.limits.perCallLimit);
    const bindings: Record<string, CelInput> = { ...this.bindings, variables: new Map(this.variableValues) };
    let result: CelResult | undefined;
    let thrown: string | undefined;
    try {
      result = withCostTracker(tracker, () => expression.compiled.evaluate(bindings));
    } catch (error) {
      thrown = error instanceof Error ? error.message : String(error);
    }
    if (tracker.exceeded)
      return {
        error: `expression '${expression.source}' resulted in error: operation cancelled: actual cost limit exceeded`,
      };
    if (tracker.used > this.remaining) throw new OutOfBudgetError();
    this.remaining -= tracker.used;
    if (thrown !== undefined || isCelError(result)) {
      const message = thrown ?? (isCelError(result) ? result.message : '');
      return { error: `expression '${expression.source}' resulted in error: ${kubeErrorText(message)}` };
    }
    return { value: result };
  }
}
