import { describe, expect, it } from '@jest/globals';
import type { JSONSchema, ValidationRule } from '../../../api/json-schema.js';
import { compileValidationRules } from '../../../api/cel/compile-validation-rules.js';

/** A resource schema whose spec is `spec`. */
function resource(spec: JSONSchema, rootRules?: ValidationRule[]): JSONSchema {
  return {
    type: 'object',
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      spec,
    },
    ...(rootRules ? { 'x-kubernetes-validations': rootRules } : {}),
  };
}

function compile(schema: JSONSchema) {
  const { rules, problems } = compileValidationRules(schema);
  expect(problems).toEqual([]);
  return rules;
}

const object = (spec: unknown) => ({
  apiVersion: 'example.com/v1',
  kind: 'Thing',
  metadata: { name: 'a' },
  spec,
});

describe('compileValidationRules', () => {
  it('reports every rule that does not compile, with where it is', () => {
    const { problems, rules } = compileValidationRules(
      resource({
        type: 'object',
        properties: { replicas: { type: 'integer' }, name: { type: 'string' } },
        'x-kubernetes-validations': [
          { rule: 'self.replicaz > 1' },
          { rule: 'self.replicas' },
          { rule: 'self.name + 1 == "x"' },
          { rule: 'self.replicas >' },
          { rule: 'self.replicas > 1', reason: 'Nope' as ValidationRule['reason'] },
          { rule: 'self.replicas > 1', fieldPath: '.nothing' },
          { rule: 'self.replicas > 1', messageExpression: '42' },
          { rule: 'self.replicas > 1', messageExpression: 'self.nope' },
        ],
      }),
    );
    expect(rules.empty).toBe(true);
    expect(problems).toEqual([
      `spec.x-kubernetes-validations[0].rule: Invalid value: "self.replicaz > 1": compilation failed: ERROR: <input>:1:5: undefined field 'replicaz'\n | self.replicaz > 1\n | ....^`,
      'spec.x-kubernetes-validations[1].rule: Invalid value: "self.replicas": cel expression must evaluate to a bool',
      expect.stringMatching(
        /^spec\.x-kubernetes-validations\[2\]\.rule: Invalid value: "self.name \+ 1 == \\"x\\"": compilation failed: ERROR: <input>:1:\d+: found no matching overload for '_\+_' applied to '\(string, int\)'/,
      ),
      expect.stringMatching(
        /^spec\.x-kubernetes-validations\[3\]\.rule: Invalid value: "self.replicas >": compilation failed: ERROR: <input>:1:\d+: Syntax error: /,
      ),
      'spec.x-kubernetes-validations[4].reason: Unsupported value: "Nope": supported values: "FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"',
      'spec.x-kubernetes-validations[5].fieldPath: Invalid value: ".nothing": fieldPath must be a valid path',
      'spec.x-kubernetes-validations[6].messageExpression: Invalid value: "42": messageExpression must evaluate to a string',
      expect.stringMatching(
        /^spec\.x-kubernetes-validations\[7\]\.messageExpression: Invalid value: "self.nope": messageExpression compilation failed: ERROR: <input>:1:5: undefined field 'nope'/,
      ),
    ]);
  });

  it('evaluates rules on objects, with has() and field selection', () => {
    const rules = compile(
      resource({
        type: 'object',
        properties: { min: { type: 'integer' }, max: { type: 'integer' } },
        'x-kubernetes-validations': [
          { rule: '!has(self.max) || self.min <= self.max', message: 'min must not exceed max' },
        ],
      }),
    );
    expect(rules.empty).toBe(false);
    expect(rules.validate(object({ min: 1 }), undefined)).toEqual([]);
    expect(rules.validate(object({ min: 1, max: 3 }), undefined)).toEqual([]);
    expect(rules.validate(object({ min: 5, max: 3 }), undefined)).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec', message: 'Invalid value: min must not exceed max' },
    ]);
  });

  it('refuses a rule whose estimated cost is over the limit, as kube words it, and accepts it once bounded', () => {
    const nested = (bounded: boolean): JSONSchema =>
      resource({
        type: 'object',
        properties: {
          matrix: {
            type: 'array',
            ...(bounded ? { maxItems: 10 } : {}),
            items: { type: 'array', ...(bounded ? { maxItems: 10 } : {}), items: { type: 'integer' } },
            'x-kubernetes-validations': [{ rule: 'self.all(row, row.all(x, x >= 0))' }],
          },
          names: {
            type: 'array',
            items: { type: 'string' },
            'x-kubernetes-validations': [{ rule: "self.all(n, n.contains('gpu'))" }],
          },
          flat: {
            type: 'array',
            items: { type: 'integer' },
            'x-kubernetes-validations': [{ rule: 'self.all(x, x == 5)' }],
          },
        },
      });
    const unbounded = compileValidationRules(nested(false));
    const tooExpensive =
      'Forbidden: estimated rule cost exceeds budget by factor of more than 100x (try simplifying the rule, ' +
      'or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)';
    expect(unbounded.problems).toEqual([
      `spec.matrix.x-kubernetes-validations[0].rule: ${tooExpensive}`,
      `spec.names.x-kubernetes-validations[0].rule: ${tooExpensive}`,
      expect.stringMatching(/^Forbidden: total CRD cost exceeds budget by factor of/),
    ]);
    expect(unbounded.rules.empty).toBe(true);
    const bounded = nested(true);
    bounded.properties!.spec.properties!.names.maxItems = 10;
    bounded.properties!.spec.properties!.names.items!.maxLength = 63;
    expect(compileValidationRules(bounded).problems).toEqual([]);
  });

  it('multiplies a rule inside lists by how many times its node can occur', () => {
    const schema = (maxItems: number) =>
      resource({
        type: 'object',
        properties: {
          groups: {
            type: 'array',
            maxItems,
            items: {
              type: 'array',
              maxItems: 1000,
              items: { type: 'integer' },
              'x-kubernetes-validations': [{ rule: 'self.all(x, self.all(y, x != y || true))' }],
            },
          },
        },
      });
    expect(compileValidationRules(schema(1)).problems).toEqual([]);
    expect(compileValidationRules(schema(3)).problems).toEqual([
      expect.stringMatching(
        /^spec\.groups\.items\.x-kubernetes-validations\[0\]\.rule: Forbidden: estimated rule cost exceeds budget by factor of \d\.\dx /,
      ),
    ]);
  });

  it('reports rules that are empty or have messages kube refuses', () => {
    const { problems } = compileValidationRules(
      resource({
        type: 'object',
        'x-kubernetes-validations': [
          { rule: ' ' },
          { rule: 'true', message: 'two\nlines' },
          { rule: 'true &&\ntrue' },
          { rule: 'true', messageExpression: '  ' },
        ],
      }),
    );
    expect(problems).toEqual([
      'spec.x-kubernetes-validations[0].rule: Required value: rule is not specified',
      'spec.x-kubernetes-validations[1].message: Invalid value: "two\\nlines": message must not contain line breaks',
      'spec.x-kubernetes-validations[2].message: Required value: message must be specified if rule contains line breaks',
      'spec.x-kubernetes-validations[3].messageExpression: Required value: messageExpression must be non-empty if specified',
    ]);
  });

  it('has nothing to evaluate when the schema has no rule', () => {
    const { rules, problems } = compileValidationRules(resource({ type: 'object' }));
    expect(problems).toEqual([]);
    expect(rules.empty).toBe(true);
    expect(rules.validate(object({}), undefined)).toEqual([]);
  });
});
