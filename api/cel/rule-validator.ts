import { isCelError, type CelInput, type CelResult } from '@bufbuild/cel';
import type { JSONSchema, ValidationRule } from '../json-schema.js';
import type { CompiledRules } from '../resource-definition.js';
import type { StatusCause } from '../types.js';
import { toCelValue } from './cel-values.js';
import type { CompiledExpression } from './compile-expression.js';
import { maxEvaluatedMessageExpressionSizeBytes, perCallLimit, runtimeCostBudget } from './cost-limits.js';
import { fieldCause, goQuote, omitValue } from './field-error.js';
import { appendSteps, FieldPath } from './field-path.js';
import { noneValue, optionalOf } from './optional-library.js';
import { CostTracker, withCostTracker } from './runtime-cost.js';

export interface CompiledRule {
  readonly rule: ValidationRule;
  readonly program: CompiledExpression;
  readonly messageExpression?: CompiledExpression;
  /** A transition rule: it reads `oldSelf`, so it runs only where an old value correlates. */
  readonly usesOldSelf: boolean;
  /** The rule's `fieldPath`, resolved into steps (`.name` or `[key]`). */
  readonly fieldPath?: readonly string[];
}

/** The compiled rules of one schema node and of the nodes below it that have rules. */
export interface RuleNode {
  readonly schema: JSONSchema;
  readonly isResourceRoot: boolean;
  readonly rules: readonly CompiledRule[];
  readonly properties?: ReadonlyMap<string, RuleNode>;
  readonly items?: RuleNode;
  readonly additionalProperties?: RuleNode;
}

/** The runtime cost limits; kube's values unless a test lowers them. */
export interface RuntimeLimits {
  /** @default 1_000_000 (kube's PerCallLimit) */
  readonly perCallLimit: number;
  /** @default 10_000_000 (kube's RuntimeCELCostBudget) */
  readonly runtimeCostBudget: number;
}

type Json = unknown;

function isPlainObject(value: Json): value is Record<string, Json> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Thrown to stop evaluating: the per-call limit or the object's budget ran out. */
class StopEvaluation extends Error {}

/** kube's texts for runtime errors that name a key differently in @bufbuild/cel. */
function kubeErrorText(message: string): string {
  const missing = /^field not found: (.*)$/.exec(message);
  if (missing) return `no such key: ${missing[1]}`;
  return message;
}

function ruleErrorString(rule: ValidationRule): string {
  return rule.message?.trim() || rule.rule.trim();
}

/**
 * One `validate` call: walks the object beside its old version, node by node as
 * kube-apiserver's cel.Validator does, evaluating each node's rules within the per-call limit
 * and the object's budget, and collecting causes.
 */
class Validation {
  readonly causes: StatusCause[] = [];
  private remaining: number;

  constructor(private readonly limits: RuntimeLimits) {
    this.remaining = limits.runtimeCostBudget;
  }

  invalid(path: FieldPath, schema: JSONSchema, detail: string): void {
    this.causes.push(fieldCause('FieldValueInvalid', path.toString(), schema.type ?? '', detail));
  }

  run(node: RuleNode, value: Json, old: Json, path: FieldPath): void {
    if (value === null || value === undefined) return;
    this.evaluateRules(node, value, old, path);
    if (Array.isArray(value) && node.items) {
      const oldItems = correlatableItems(node.schema, old);
      value.forEach((item, i) => this.run(node.items!, item, oldItems(item), path.index(i)));
    } else if (isPlainObject(value)) {
      const oldObject = isPlainObject(old) ? old : undefined;
      for (const [key, item] of Object.entries(value)) {
        const oldItem = oldObject && Object.hasOwn(oldObject, key) ? oldObject[key] : undefined;
        if (node.additionalProperties) this.run(node.additionalProperties, item, oldItem, path.key(key));
        const property = node.properties?.get(key);
        if (property && node.properties && Object.hasOwn(node.schema.properties ?? {}, key))
          this.run(property, item, oldItem, path.child(key));
      }
    }
  }

  private evaluate(
    expression: CompiledExpression,
    bindings: Record<string, CelInput>,
  ): { result: CelResult; cost: number; exceeded: boolean } {
    const tracker = new CostTracker(this.limits.perCallLimit);
    const result = withCostTracker(tracker, () => expression.evaluate(bindings));
    return { result, cost: tracker.used, exceeded: tracker.exceeded };
  }

  private evaluateRules(node: RuleNode, value: Json, old: Json, path: FieldPath): void {
    if (node.rules.length === 0) return;
    if (this.remaining <= 0) {
      this.invalid(
        path,
        node.schema,
        'validation failed due to running out of cost budget, no further validation rules will be run',
      );
      throw new StopEvaluation();
    }
    const hasOld = old !== null && old !== undefined;
    let self: CelInput;
    let oldSelf: CelInput | undefined;
    try {
      self = toCelValue(value, node.schema, node.isResourceRoot);
      oldSelf = hasOld ? toCelValue(old, node.schema, node.isResourceRoot) : undefined;
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      for (const { rule } of node.rules)
        this.invalid(path, node.schema, `${text} evaluating rule: ${ruleErrorString(rule)}`);
      return;
    }
    for (const compiled of node.rules) {
      const { rule } = compiled;
      const optional = rule.optionalOldSelf === true;
      if (compiled.usesOldSelf && !hasOld && !optional) continue;
      const bindings: Record<string, CelInput> = { self };
      if (optional) bindings.oldSelf = oldSelf === undefined ? noneValue : optionalOf(oldSelf);
      else if (oldSelf !== undefined) bindings.oldSelf = oldSelf;
      const { result, cost, exceeded } = this.evaluate(compiled.program, bindings);
      if (exceeded) {
        this.invalid(
          path,
          node.schema,
          `'operation cancelled: actual cost limit exceeded': no further validation rules will be run due to call cost exceeds limit for rule: ${ruleErrorString(rule)}`,
        );
        throw new StopEvaluation();
      }
      if (cost > this.remaining) {
        this.invalid(
          path,
          node.schema,
          'validation failed due to running out of cost budget, no further validation rules will be run',
        );
        throw new StopEvaluation();
      }
      this.remaining -= cost;
      if (isCelError(result)) {
        const text = kubeErrorText(result.message);
        const detail =
          text.startsWith('no such overload') || text.startsWith('found no matching overload')
            ? `'${text}': call arguments did not match a supported operator, function or macro signature for rule: ${ruleErrorString(rule)}`
            : `${text} evaluating rule: ${ruleErrorString(rule)}`;
        this.invalid(path, node.schema, detail);
        continue;
      }
      if (result === true) continue;
      const at = compiled.fieldPath ? appendSteps(path, compiled.fieldPath) : path;
      const detail = this.message(compiled, bindings, at, node.schema) ?? defaultMessage(rule);
      const badValue = node.schema.type === 'object' || node.schema.type === 'array' ? omitValue : value;
      this.causes.push(fieldCause(rule.reason ?? 'FieldValueInvalid', at.toString(), badValue, detail));
    }
  }

  /** The messageExpression's text, or undefined to fall back to `message` (kube's evalMessageExpression). */
  private message(
    compiled: CompiledRule,
    bindings: Record<string, CelInput>,
    at: FieldPath,
    schema: JSONSchema,
  ): string | undefined {
    if (!compiled.messageExpression) return undefined;
    const source = compiled.rule.messageExpression ?? '';
    const { result, cost, exceeded } = this.evaluate(compiled.messageExpression, bindings);
    if (exceeded) {
      this.invalid(
        at,
        schema,
        `no further validation rules will be run due to call cost exceeds limit for messageExpression: ${goQuote(source)}`,
      );
      throw new StopEvaluation();
    }
    if (cost > this.remaining) {
      this.invalid(
        at,
        schema,
        'messageExpression evaluation failed due to running out of cost budget, no further validation rules will be run',
      );
      throw new StopEvaluation();
    }
    this.remaining -= cost;
    if (typeof result !== 'string') return undefined;
    const trimmed = result.trim();
    if (trimmed.length === 0 || trimmed.length > maxEvaluatedMessageExpressionSizeBytes || /\n/.test(trimmed))
      return undefined;
    return trimmed;
  }
}

function defaultMessage(rule: ValidationRule): string {
  return rule.message?.trim() ? rule.message.trim() : `failed rule: ${ruleErrorString(rule)}`;
}

/**
 * Finds the old element of a list item: only `x-kubernetes-list-type: map` lists correlate,
 * by their key fields (kube's makeMapList); atomic and set lists never do.
 */
function correlatableItems(schema: JSONSchema, old: Json): (item: Json) => Json {
  const keys = schema['x-kubernetes-list-map-keys'] ?? [];
  if (schema['x-kubernetes-list-type'] !== 'map' || keys.length === 0 || !Array.isArray(old))
    return () => undefined;
  const identity = (item: Json): string | undefined =>
    isPlainObject(item)
      ? JSON.stringify(keys.map((k) => (Object.hasOwn(item, k) ? item[k] : null)))
      : undefined;
  const byKey = new Map<string, Json>();
  for (const item of old) {
    const id = identity(item);
    if (id !== undefined && !byKey.has(id)) byKey.set(id, item);
  }
  return (item) => {
    const id = identity(item);
    return id === undefined ? undefined : byKey.get(id);
  };
}

/** The `CompiledRules` of a schema: evaluates its rule tree against an object and its old version. */
export class RuleValidator implements CompiledRules {
  constructor(
    private readonly root: RuleNode | undefined,
    private readonly limits: RuntimeLimits = { perCallLimit, runtimeCostBudget },
  ) {}

  get empty(): boolean {
    return this.root === undefined;
  }

  validate(object: unknown, old: unknown): StatusCause[] {
    if (!this.root) return [];
    const validation = new Validation(this.limits);
    try {
      validation.run(this.root, object, old, FieldPath.root);
    } catch (error) {
      if (!(error instanceof StopEvaluation)) throw error;
    }
    return validation.causes;
  }
}
