import type { JSONSchema, ValidationRule } from '../json-schema.js';
import type { CompiledRules } from '../resource-definition.js';
import { optionalOf, type CelTy } from './cel-type.js';
import type { Variable } from './checker.js';
import { compileExpression, type CompiledExpression } from './compile-expression.js';
import {
  costErrorMessage,
  perCallLimit,
  runtimeCostBudget,
  staticEstimatedCostLimit,
  staticEstimatedCRDCostLimit,
} from './cost-limits.js';
import { goQuote, type FieldErrorReason } from './field-error.js';
import { resolveFieldPath } from './field-path.js';
import { RuleValidator, type CompiledRule, type RuleNode, type RuntimeLimits } from './rule-validator.js';
import { maxRequestSizeBytes, schemaType } from './schema-type.js';

const supportedReasons: readonly FieldErrorReason[] = [
  'FieldValueDuplicate',
  'FieldValueForbidden',
  'FieldValueInvalid',
  'FieldValueRequired',
];

const hasNewlines = (text: string): boolean => /[\n\r]/.test(text);

/** Where a node sits, for problems, and what kube's CRD validation tracks on the way down. */
interface Location {
  /** `spec.ports.items`: the schema path, properties by name, `items`, `additionalProperties`. */
  readonly path: string;
  readonly isResourceRoot: boolean;
  /** How many times the node can occur in one object; undefined when a parent list or map is unbounded. */
  readonly cardinality: number | undefined;
  /** The nearest list or map above that cannot correlate old and new values (oldSelf is refused below it). */
  readonly uncorrelatable: string | undefined;
}

class RuleCompiler {
  readonly problems: string[] = [];
  totalCost = 0;

  problem(location: Location, field: string, text: string): void {
    const at = location.path
      ? `${location.path}.x-kubernetes-validations${field}`
      : `x-kubernetes-validations${field}`;
    this.problems.push(`${at}: ${text}`);
  }

  compileNode(schema: JSONSchema, location: Location): RuleNode | undefined {
    const rules = schema['x-kubernetes-validations'] ?? [];
    const compiled: CompiledRule[] = [];
    if (rules.length > 0) {
      const type = schemaType(schema, location.isResourceRoot);
      if (!type) {
        this.problem(
          location,
          '',
          `Internal error: rule declared on schema that does not support validation rules type: '${schema.type ?? ''}' x-kubernetes-preserve-unknown-fields: '${schema['x-kubernetes-preserve-unknown-fields'] === true}'`,
        );
      } else {
        const cardinality =
          location.cardinality ?? Math.floor(maxRequestSizeBytes / (type.minSerializedSize + 1));
        rules.forEach((rule, i) => {
          const result = this.compileRule(rule, i, schema, type.type, cardinality, location);
          if (result) compiled.push(result);
        });
      }
    }
    const node: { -readonly [K in keyof RuleNode]: RuleNode[K] } = {
      schema,
      isResourceRoot: location.isResourceRoot,
      rules: compiled,
    };
    const childCardinality = (factor: number | undefined) =>
      location.cardinality === undefined || factor === undefined ? undefined : location.cardinality * factor;
    if (schema.type === 'array' && schema.items) {
      const correlatable = schema['x-kubernetes-list-type'] === 'map';
      node.items = this.compileNode(schema.items, {
        path: location.path ? `${location.path}.items` : 'items',
        isResourceRoot: schema.items['x-kubernetes-embedded-resource'] === true,
        cardinality: childCardinality(
          schema.maxItems === undefined ? undefined : Math.max(0, schema.maxItems),
        ),
        uncorrelatable: location.uncorrelatable ?? (correlatable ? undefined : location.path || '<root>'),
      });
    }
    if (schema.additionalProperties !== undefined && typeof schema.additionalProperties === 'object') {
      const values = schema.additionalProperties;
      node.additionalProperties = this.compileNode(values, {
        path: location.path ? `${location.path}.additionalProperties` : 'additionalProperties',
        isResourceRoot: values['x-kubernetes-embedded-resource'] === true,
        cardinality: childCardinality(
          schema.maxProperties === undefined ? undefined : Math.max(0, schema.maxProperties),
        ),
        uncorrelatable: location.uncorrelatable,
      });
    }
    const properties = new Map<string, RuleNode>();
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      const child = this.compileNode(property, {
        path: location.path ? `${location.path}.${name}` : name,
        isResourceRoot: property['x-kubernetes-embedded-resource'] === true,
        cardinality: childCardinality(1),
        uncorrelatable: location.uncorrelatable,
      });
      if (child) properties.set(name, child);
    }
    if (properties.size > 0) node.properties = properties;
    const empty = compiled.length === 0 && !node.items && !node.additionalProperties && !node.properties;
    return empty ? undefined : node;
  }

  compileRule(
    rule: ValidationRule,
    i: number,
    schema: JSONSchema,
    selfType: CelTy,
    cardinality: number,
    location: Location,
  ): CompiledRule | undefined {
    const at = `[${i}]`;
    const before = this.problems.length;
    const trimmedRule = (rule.rule ?? '').trim();
    const message = rule.message ?? '';
    if (!trimmedRule) this.problem(location, `${at}.rule`, 'Required value: rule is not specified');
    else if (message.length > 0 && !message.trim())
      this.problem(
        location,
        `${at}.message`,
        `Invalid value: ${goQuote(message)}: message must be non-empty if specified`,
      );
    else if (hasNewlines(message.trim()))
      this.problem(
        location,
        `${at}.message`,
        `Invalid value: ${goQuote(message)}: message must not contain line breaks`,
      );
    else if (hasNewlines(trimmedRule) && !message.trim())
      this.problem(
        location,
        `${at}.message`,
        'Required value: message must be specified if rule contains line breaks',
      );
    if (
      rule.messageExpression !== undefined &&
      rule.messageExpression.length > 0 &&
      !rule.messageExpression.trim()
    )
      this.problem(
        location,
        `${at}.messageExpression`,
        'Required value: messageExpression must be non-empty if specified',
      );
    if (rule.reason !== undefined && !supportedReasons.includes(rule.reason))
      this.problem(
        location,
        `${at}.reason`,
        `Unsupported value: ${goQuote(String(rule.reason))}: supported values: ${supportedReasons.map((r) => goQuote(r)).join(', ')}`,
      );
    let fieldPath: string[] | undefined;
    if (rule.fieldPath !== undefined && rule.fieldPath.length > 0) {
      const quoted = goQuote(rule.fieldPath);
      const resolved = resolveFieldPath(rule.fieldPath, schema);
      if (!rule.fieldPath.trim())
        this.problem(
          location,
          `${at}.fieldPath`,
          `Invalid value: ${quoted}: fieldPath must be non-empty if specified`,
        );
      else if (hasNewlines(rule.fieldPath))
        this.problem(
          location,
          `${at}.fieldPath`,
          `Invalid value: ${quoted}: fieldPath must not contain line breaks`,
        );
      else if ('error' in resolved)
        this.problem(location, `${at}.fieldPath`, `Invalid value: ${quoted}: fieldPath must be a valid path`);
      else fieldPath = resolved.path;
    }
    if (!trimmedRule) return undefined;

    const self: Variable = { type: selfType, size: 'maxSize' in selfType ? selfType.maxSize : undefined };
    const oldSelf: Variable = rule.optionalOldSelf === true ? { type: optionalOf(selfType) } : self;
    const variables = new Map([
      ['self', self],
      ['oldSelf', oldSelf],
    ]);
    const program = compileExpression(rule.rule, variables);
    let compiled: CompiledExpression | undefined;
    if ('error' in program) {
      this.problem(
        location,
        `${at}.rule`,
        `Invalid value: ${goQuote(rule.rule)}: compilation failed: ${program.error}`,
      );
    } else if (program.compiled.type.kind !== 'bool') {
      this.problem(
        location,
        `${at}.rule`,
        `Invalid value: ${goQuote(rule.rule)}: cel expression must evaluate to a bool`,
      );
    } else {
      compiled = program.compiled;
      const cost = compiled.cost * cardinality;
      if (cost > staticEstimatedCostLimit)
        this.problem(
          location,
          `${at}.rule`,
          `Forbidden: ${costErrorMessage('estimated rule cost', cost, staticEstimatedCostLimit)}`,
        );
      this.totalCost += cost;
      const usesOldSelf = compiled.references.has('oldSelf');
      if (usesOldSelf && location.uncorrelatable !== undefined)
        this.problem(
          location,
          `${at}.rule`,
          `Invalid value: ${goQuote(rule.rule)}: oldSelf cannot be used on the uncorrelatable portion of the schema within ${location.uncorrelatable}`,
        );
      if (!usesOldSelf && rule.optionalOldSelf !== undefined)
        this.problem(
          location,
          `${at}.optionalOldSelf`,
          `Invalid value: ${rule.optionalOldSelf}: may not be set if oldSelf is not used in rule`,
        );
    }
    let messageExpression: CompiledExpression | undefined;
    if (compiled && rule.messageExpression?.trim()) {
      const expression = compileExpression(rule.messageExpression, variables);
      const quoted = goQuote(rule.messageExpression);
      if ('error' in expression)
        this.problem(
          location,
          `${at}.messageExpression`,
          `Invalid value: ${quoted}: messageExpression compilation failed: ${expression.error}`,
        );
      else if (expression.compiled.type.kind !== 'string')
        this.problem(
          location,
          `${at}.messageExpression`,
          `Invalid value: ${quoted}: messageExpression must evaluate to a string`,
        );
      else {
        messageExpression = expression.compiled;
        if (messageExpression.cost > staticEstimatedCostLimit)
          this.problem(
            location,
            `${at}.messageExpression`,
            `Forbidden: ${costErrorMessage('estimated messageExpression cost', messageExpression.cost, staticEstimatedCostLimit)}`,
          );
        this.totalCost += messageExpression.cost;
      }
    }
    if (!compiled || this.problems.length > before) return undefined;
    return {
      rule,
      program: compiled,
      messageExpression,
      usesOldSelf: compiled.references.has('oldSelf'),
      fieldPath,
    };
  }
}

/**
 * Compiles every `x-kubernetes-validations` rule of a resource's schema (the whole object's,
 * with apiVersion, kind, metadata, spec, status...) as kube-apiserver does for a
 * CustomResourceDefinition: each rule type checked against its node's schema, its worst-case
 * cost estimated and bounded, its message expression, reason and field path checked. Every
 * problem is reported, each with where it is. The rules compile into a validator only when
 * there is no problem. `limits` lowers the runtime limits (tests; kube's own tests do the same).
 */
export function compileValidationRules(
  schema: JSONSchema,
  limits: Partial<RuntimeLimits> = {},
): { rules: CompiledRules; problems: string[] } {
  const compiler = new RuleCompiler();
  const root = compiler.compileNode(schema, {
    path: '',
    isResourceRoot: true,
    cardinality: 1,
    uncorrelatable: undefined,
  });
  if (compiler.totalCost > staticEstimatedCRDCostLimit)
    compiler.problems.push(
      `Forbidden: ${costErrorMessage('total CRD cost', compiler.totalCost, staticEstimatedCRDCostLimit)}`,
    );
  const usable = compiler.problems.length === 0 ? root : undefined;
  const runtimeLimits: RuntimeLimits = {
    perCallLimit: limits.perCallLimit ?? perCallLimit,
    runtimeCostBudget: limits.runtimeCostBudget ?? runtimeCostBudget,
  };
  return { rules: new RuleValidator(usable, runtimeLimits), problems: compiler.problems };
}
