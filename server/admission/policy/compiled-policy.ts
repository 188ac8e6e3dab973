import type { V1ValidatingAdmissionPolicy } from '@kubernetes/client-node';
import {
  AdmissionEvaluation,
  compileAdmissionExpression,
  OutOfBudgetError,
  type AdmissionBindings,
  type AdmissionDeclarations,
  type AdmissionExpression,
  type ExpectedResult,
} from '../cel/admission-expressions.js';
import { maxEvaluatedMessageExpressionSizeBytes } from '../../../api/cel/cost-limits.js';

/** An expression that compiled, or the error kube reports when it is evaluated. */
type Compiled = { readonly expression: AdmissionExpression } | { readonly error: string };

interface CompiledValidation {
  readonly source: string;
  readonly check: Compiled;
  readonly message?: string;
  readonly messageExpression?: Compiled;
  readonly reason?: string;
}

interface CompiledAuditAnnotation {
  readonly key: string;
  readonly source: string;
  readonly value: Compiled;
}

/** What one evaluation decided, as kube's PolicyDecision. */
export interface PolicyDecision {
  readonly action: 'Admit' | 'Deny';
  /** Whether the decision comes from an evaluation error (then failurePolicy decided the action). */
  readonly error: boolean;
  readonly message: string;
  /** The Status reason of a denial. @default 'Invalid' */
  readonly reason?: string;
  /** Which validation it is, for the audit annotation. */
  readonly index: number;
}

export interface PolicyResult {
  readonly decisions: readonly PolicyDecision[];
  /** Audit annotations to publish (key without the policy name), or errors that deny. */
  readonly auditAnnotations: readonly { readonly key: string; readonly value: string }[];
}

function compile(
  source: string,
  declarations: AdmissionDeclarations,
  expected: ExpectedResult | undefined,
): Compiled {
  const result = compileAdmissionExpression(source, declarations, expected);
  return 'error' in result ? { error: `compilation error: ${result.error}` } : result;
}

/**
 * A ValidatingAdmissionPolicy compiled once: its match conditions, variables, validations with
 * their messages and audit annotations, in the environment kube gives them (`object`,
 * `oldObject`, `request`, `namespaceObject`, `variables`, and `params` when it has a paramKind).
 */
export class CompiledPolicy {
  private readonly matchConditions: readonly { readonly name: string; readonly check: Compiled }[];
  private readonly variables: readonly { readonly name: string; readonly value: Compiled }[];
  private readonly validations: readonly CompiledValidation[];
  private readonly auditAnnotations: readonly CompiledAuditAnnotation[];
  readonly failurePolicy: 'Fail' | 'Ignore';

  constructor(readonly policy: V1ValidatingAdmissionPolicy) {
    const spec = policy.spec ?? {};
    this.failurePolicy = spec.failurePolicy === 'Ignore' ? 'Ignore' : 'Fail';
    const base: AdmissionDeclarations = { params: !!spec.paramKind, namespaceObject: true };
    const declared: string[] = [];
    this.variables = (spec.variables ?? []).map((variable) => {
      const value = compile(variable.expression, { ...base, variables: [...declared] }, undefined);
      declared.push(variable.name);
      return { name: variable.name, value };
    });
    const all: AdmissionDeclarations = { ...base, variables: declared };
    this.matchConditions = (spec.matchConditions ?? []).map((c) => ({
      name: c.name,
      check: compile(c.expression, all, 'bool'),
    }));
    this.validations = (spec.validations ?? []).map((v) => ({
      source: v.expression,
      check: compile(v.expression, all, 'bool'),
      message: v.message,
      messageExpression: v.messageExpression ? compile(v.messageExpression, all, 'string') : undefined,
      reason: v.reason,
    }));
    this.auditAnnotations = (spec.auditAnnotations ?? []).map((a) => ({
      key: a.key,
      source: a.valueExpression,
      value: compile(a.valueExpression, all, 'string-or-null'),
    }));
  }

  /** Evaluates the policy for one binding and param; evaluation errors follow failurePolicy. */
  evaluate(bindings: AdmissionBindings): PolicyResult {
    const evaluation = new AdmissionEvaluation(bindings);
    const onError = (message: string, index: number): PolicyDecision => ({
      action: this.failurePolicy === 'Ignore' ? 'Admit' : 'Deny',
      error: true,
      message,
      index,
    });
    try {
      for (const condition of this.matchConditions) {
        const result = run(evaluation, condition.check);
        if ('error' in result) return { decisions: [onError(result.error, 0)], auditAnnotations: [] };
        if (result.value === false) return { decisions: [], auditAnnotations: [] };
      }
      for (const variable of this.variables) {
        if ('expression' in variable.value)
          evaluation.defineVariable(variable.name, variable.value.expression);
      }
      const decisions = this.validations.map((validation, index) =>
        this.decide(evaluation, validation, index, onError),
      );
      const auditAnnotations: { key: string; value: string }[] = [];
      for (const annotation of this.auditAnnotations) {
        const result = run(evaluation, annotation.value);
        if ('error' in result) {
          if (this.failurePolicy === 'Fail') decisions.push({ ...onError(result.error, 0) });
          continue;
        }
        if (typeof result.value === 'string' && result.value.trim() !== '')
          auditAnnotations.push({ key: annotation.key, value: result.value.trim().slice(0, 10 * 1024) });
        else if (result.value !== null && typeof result.value !== 'string' && this.failurePolicy === 'Fail')
          decisions.push(
            onError(
              `valueExpression '${annotation.source}' resulted in unsupported return type. Return type must be either string or null.`,
              0,
            ),
          );
      }
      return { decisions, auditAnnotations };
    } catch (error) {
      if (!(error instanceof OutOfBudgetError)) throw error;
      return { decisions: [onError(error.message, 0)], auditAnnotations: [] };
    }
  }

  private decide(
    evaluation: AdmissionEvaluation,
    validation: CompiledValidation,
    index: number,
    onError: (message: string, index: number) => PolicyDecision,
  ): PolicyDecision {
    const result = run(evaluation, validation.check);
    if ('error' in result) return onError(result.error, index);
    if (result.value === true) return { action: 'Admit', error: false, message: '', index };
    let message = '';
    if (validation.messageExpression) {
      const evaluated = run(evaluation, validation.messageExpression);
      if ('value' in evaluated && typeof evaluated.value === 'string') {
        const trimmed = evaluated.value.trim();
        if (trimmed.length <= maxEvaluatedMessageExpressionSizeBytes && !trimmed.includes('\n'))
          message = trimmed;
      }
    }
    if (!message && validation.message?.trim()) message = validation.message.trim();
    if (!message) message = `failed expression: ${validation.source.trim()}`;
    return { action: 'Deny', error: false, message, reason: validation.reason ?? 'Invalid', index };
  }
}

function run(evaluation: AdmissionEvaluation, compiled: Compiled): { value: unknown } | { error: string } {
  if ('error' in compiled) return compiled;
  return evaluation.evaluate(compiled.expression);
}
