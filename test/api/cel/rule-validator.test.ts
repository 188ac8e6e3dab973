import { describe, expect, it } from '@jest/globals';
import type { JSONSchema } from '../../../api/json-schema.js';
import { compileValidationRules } from '../../../api/cel/compile-validation-rules.js';

function resource(spec: JSONSchema, root?: Partial<JSONSchema>): JSONSchema {
  return {
    type: 'object',
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      spec,
    },
    ...root,
  };
}

function rulesFor(spec: JSONSchema, root?: Partial<JSONSchema>) {
  const { rules, problems } = compileValidationRules(resource(spec, root));
  expect(problems).toEqual([]);
  return rules;
}

const object = (spec: unknown, name = 'a') => ({
  apiVersion: 'example.com/v1',
  kind: 'Thing',
  metadata: { name },
  spec,
});

describe('RuleValidator', () => {
  it('binds self to scalars and reports their value as kube does', () => {
    const rules = rulesFor({
      type: 'object',
      properties: {
        replicas: {
          type: 'integer',
          'x-kubernetes-validations': [{ rule: 'self >= 0', message: 'must be non-negative' }],
        },
        ratio: { type: 'number', 'x-kubernetes-validations': [{ rule: 'self < 1.0' }] },
        name: { type: 'string', 'x-kubernetes-validations': [{ rule: "self.startsWith('a')" }] },
        on: { type: 'boolean', 'x-kubernetes-validations': [{ rule: 'self' }] },
      },
    });
    expect(rules.validate(object({ replicas: 2, ratio: 0.5, name: 'abc', on: true }), undefined)).toEqual([]);
    expect(rules.validate(object({ replicas: -3, ratio: 2.5, name: 'x"y', on: false }), undefined)).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'spec.replicas',
        message: 'Invalid value: -3: must be non-negative',
      },
      {
        reason: 'FieldValueInvalid',
        field: 'spec.ratio',
        message: 'Invalid value: 2.5: failed rule: self < 1.0',
      },
      {
        reason: 'FieldValueInvalid',
        field: 'spec.name',
        message: `Invalid value: "x\\"y": failed rule: self.startsWith('a')`,
      },
      { reason: 'FieldValueInvalid', field: 'spec.on', message: 'Invalid value: false: failed rule: self' },
    ]);
  });

  it('runs rules on list items and map values for each element, with kube field paths', () => {
    const rules = rulesFor({
      type: 'object',
      properties: {
        ports: {
          type: 'array',
          maxItems: 10,
          items: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self < 65536' }] },
          'x-kubernetes-validations': [{ rule: 'self.size() <= 3', message: 'at most 3 ports' }],
        },
        labels: {
          type: 'object',
          additionalProperties: {
            type: 'string',
            'x-kubernetes-validations': [{ rule: 'self.size() <= 3' }],
          },
          'x-kubernetes-validations': [
            { rule: "'app' in self", reason: 'FieldValueRequired', message: 'needs app' },
          ],
        },
      },
    });
    expect(
      rules.validate(
        object({ ports: [80, 70000, 443, 99999], labels: { app: 'web', 'a.b': 'long' } }),
        undefined,
      ),
    ).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec.ports', message: 'Invalid value: at most 3 ports' },
      {
        reason: 'FieldValueInvalid',
        field: 'spec.ports[1]',
        message: 'Invalid value: 70000: failed rule: self < 65536',
      },
      {
        reason: 'FieldValueInvalid',
        field: 'spec.ports[3]',
        message: 'Invalid value: 99999: failed rule: self < 65536',
      },
      {
        reason: 'FieldValueInvalid',
        field: 'spec.labels[a.b]',
        message: 'Invalid value: "long": failed rule: self.size() <= 3',
      },
    ]);
    expect(rules.validate(object({ labels: { tier: 'db' } }), undefined)).toEqual([
      { reason: 'FieldValueRequired', field: 'spec.labels', message: 'Required value: needs app' },
    ]);
  });

  it('words its causes exactly as kube-apiserver 1.36.4 does for the same CRD and object', () => {
    // Expected texts recorded from a real kube-apiserver 1.36.4 given this schema as a CRD.
    const { rules, problems } = compileValidationRules({
      type: 'object',
      'x-kubernetes-validations': [{ rule: "self.metadata.name.startsWith('ok')" }],
      properties: {
        spec: {
          type: 'object',
          properties: {
            replicas: {
              type: 'integer',
              'x-kubernetes-validations': [{ rule: 'self >= 0', message: 'must be non-negative' }],
            },
            ratio: { type: 'number', 'x-kubernetes-validations': [{ rule: 'self < 1.0' }] },
            name: {
              type: 'string',
              'x-kubernetes-validations': [{ rule: "self.startsWith('a')", reason: 'FieldValueDuplicate' }],
            },
            labels: {
              type: 'object',
              additionalProperties: {
                type: 'string',
                'x-kubernetes-validations': [{ rule: 'self.size() < 3' }],
              },
            },
            a: { type: 'integer' },
            b: { type: 'integer' },
          },
          'x-kubernetes-validations': [
            { rule: 'self.a < 0', message: 'obj msg' },
            { rule: 'self.b == 1' },
            {
              rule: 'self.a < 0',
              reason: 'FieldValueForbidden',
              fieldPath: ".labels['x.y']",
              message: 'forb',
            },
          ],
        },
      },
    });
    expect(problems).toEqual([]);
    const causes = rules.validate(
      {
        apiVersion: 'example.com/v1',
        kind: 'Thing',
        metadata: { name: 'bad' },
        spec: { replicas: -3, ratio: 1234567.5, name: 'x"y', labels: { 'x.y': 'long' }, a: 1 },
      },
      undefined,
    );
    expect(causes.map((c) => `${c.field}: ${c.message}`).sort()).toEqual(
      [
        "<nil>: Invalid value: failed rule: self.metadata.name.startsWith('ok')",
        'spec: Invalid value: obj msg',
        'spec: Invalid value: "object": no such key: b evaluating rule: self.b == 1',
        'spec.labels[x.y]: Forbidden: forb',
        'spec.replicas: Invalid value: -3: must be non-negative',
        'spec.labels[x.y]: Invalid value: "long": failed rule: self.size() < 3',
        'spec.name: Duplicate value: "x\\"y"',
        'spec.ratio: Invalid value: 1.2345675e+06: failed rule: self < 1.0',
      ].sort(),
    );
  });

  it('does not evaluate rules on absent nodes', () => {
    const rules = rulesFor({
      type: 'object',
      properties: { x: { type: 'string', 'x-kubernetes-validations': [{ rule: 'false' }] } },
    });
    expect(rules.validate(object({}), undefined)).toEqual([]);
    expect(rules.validate(object({ x: 'set' }), undefined)).toHaveLength(1);
  });

  it('sees apiVersion, kind and metadata.name at the root, and reports a root rule at <nil>', () => {
    const rules = rulesFor(
      { type: 'object' },
      { 'x-kubernetes-validations': [{ rule: "self.metadata.name.startsWith('ok-')" }] },
    );
    expect(rules.validate(object({}, 'ok-1'), undefined)).toEqual([]);
    expect(rules.validate(object({}, 'bad'), undefined)).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: '<nil>',
        message: `Invalid value: failed rule: self.metadata.name.startsWith('ok-')`,
      },
    ]);
  });

  it('reports Forbidden, Required and Duplicate reasons in kube wording and points at fieldPath', () => {
    const rules = rulesFor({
      type: 'object',
      properties: {
        a: { type: 'string' },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
      },
      'x-kubernetes-validations': [
        { rule: "self.a != 'x'", reason: 'FieldValueForbidden', message: 'x is forbidden', fieldPath: '.a' },
        {
          rule: "self.a != 'x'",
          reason: 'FieldValueDuplicate',
          fieldPath: ".labels['app.kubernetes.io/name']",
        },
        { rule: 'has(self.labels)', reason: 'FieldValueRequired', message: 'labels are required' },
      ],
    });
    expect(rules.validate(object({ a: 'x' }), undefined)).toEqual([
      { reason: 'FieldValueForbidden', field: 'spec.a', message: 'Forbidden: x is forbidden' },
      {
        reason: 'FieldValueDuplicate',
        field: 'spec.labels[app.kubernetes.io/name]',
        message: 'Duplicate value',
      },
      { reason: 'FieldValueRequired', field: 'spec', message: 'Required value: labels are required' },
    ]);
  });

  it('uses messageExpression, and falls back to message when it fails or is empty', () => {
    const rules = rulesFor({
      type: 'object',
      properties: { replicas: { type: 'integer' }, name: { type: 'string' } },
      'x-kubernetes-validations': [
        {
          rule: 'self.replicas < 5',
          messageExpression: "'replicas is ' + string(self.replicas) + ', must be below 5'",
        },
        { rule: 'self.replicas < 5', message: 'static', messageExpression: 'self.name' },
        { rule: 'self.replicas < 5', messageExpression: "'  '" },
      ],
    });
    expect(rules.validate(object({ replicas: 7 }), undefined)).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'spec',
        message: 'Invalid value: replicas is 7, must be below 5',
      },
      { reason: 'FieldValueInvalid', field: 'spec', message: 'Invalid value: static' },
      {
        reason: 'FieldValueInvalid',
        field: 'spec',
        message: 'Invalid value: failed rule: self.replicas < 5',
      },
    ]);
  });

  it('reports an evaluation error as kube does and goes on with the next rule', () => {
    const rules = rulesFor({
      type: 'object',
      properties: { a: { type: 'integer' }, b: { type: 'integer' } },
      'x-kubernetes-validations': [{ rule: 'self.a / self.b > 0' }, { rule: 'self.b == 1' }],
    });
    expect(rules.validate(object({ a: 1 }), undefined)).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'spec',
        message: 'Invalid value: "object": no such key: b evaluating rule: self.a / self.b > 0',
      },
      {
        reason: 'FieldValueInvalid',
        field: 'spec',
        message: 'Invalid value: "object": no such key: b evaluating rule: self.b == 1',
      },
    ]);
  });

  describe('transition rules', () => {
    const spec: JSONSchema = {
      type: 'object',
      properties: {
        mode: {
          type: 'string',
          'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'mode is immutable' }],
        },
        level: {
          type: 'integer',
          'x-kubernetes-validations': [
            {
              rule: '!oldSelf.hasValue() || self >= oldSelf.value()',
              optionalOldSelf: true,
              message: 'may not decrease',
            },
            { rule: 'oldSelf.hasValue() || self == 1', optionalOldSelf: true, message: 'starts at 1' },
          ],
        },
        entries: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          items: {
            type: 'object',
            required: ['name'],
            properties: {
              name: { type: 'string' },
              size: {
                type: 'integer',
                'x-kubernetes-validations': [{ rule: 'self >= oldSelf', message: 'may not shrink' }],
              },
            },
          },
        },
      },
    };

    it('runs only on update where an old value exists, optionalOldSelf also on create', () => {
      const rules = rulesFor(spec);
      expect(rules.validate(object({ mode: 'a', level: 1 }), undefined)).toEqual([]);
      expect(rules.validate(object({ mode: 'a', level: 2 }), undefined)).toEqual([
        { reason: 'FieldValueInvalid', field: 'spec.level', message: 'Invalid value: 2: starts at 1' },
      ]);
      expect(rules.validate(object({ mode: 'b', level: 0 }), object({ mode: 'a', level: 1 }))).toEqual([
        { reason: 'FieldValueInvalid', field: 'spec.mode', message: 'Invalid value: "b": mode is immutable' },
        { reason: 'FieldValueInvalid', field: 'spec.level', message: 'Invalid value: 0: may not decrease' },
      ]);
      expect(rules.validate(object({ mode: 'a' }), object({ level: 1 }))).toEqual([]);
    });

    it('correlates map-list items by their keys, not by position', () => {
      const rules = rulesFor(spec);
      const old = object({
        entries: [
          { name: 'a', size: 5 },
          { name: 'b', size: 5 },
        ],
      });
      expect(
        rules.validate(
          object({
            entries: [
              { name: 'b', size: 5 },
              { name: 'a', size: 6 },
            ],
          }),
          old,
        ),
      ).toEqual([]);
      expect(
        rules.validate(
          object({
            entries: [
              { name: 'c', size: 1 },
              { name: 'a', size: 4 },
            ],
          }),
          old,
        ),
      ).toEqual([
        {
          reason: 'FieldValueInvalid',
          field: 'spec.entries[1].size',
          message: 'Invalid value: 4: may not shrink',
        },
      ]);
    });

    it('refuses oldSelf inside lists that cannot correlate', () => {
      const { problems } = compileValidationRules(
        resource({
          type: 'object',
          properties: {
            tags: {
              type: 'array',
              maxItems: 10,
              items: {
                type: 'string',
                maxLength: 10,
                'x-kubernetes-validations': [{ rule: 'self == oldSelf' }],
              },
            },
            plain: {
              type: 'string',
              'x-kubernetes-validations': [{ rule: 'self != ""', optionalOldSelf: true }],
            },
          },
        }),
      );
      expect(problems).toEqual([
        'spec.tags.items.x-kubernetes-validations[0].rule: Invalid value: "self == oldSelf": oldSelf cannot be used on the uncorrelatable portion of the schema within spec.tags',
        'spec.plain.x-kubernetes-validations[0].optionalOldSelf: Invalid value: true: may not be set if oldSelf is not used in rule',
      ]);
    });
  });

  it('types date-time and duration strings as timestamp and duration, and int-or-string as dyn', () => {
    const rules = rulesFor({
      type: 'object',
      properties: {
        start: { type: 'string', format: 'date-time' },
        end: { type: 'string', format: 'date-time' },
        timeout: { type: 'string', format: 'duration' },
        day: { type: 'string', format: 'date' },
        port: { 'x-kubernetes-int-or-string': true },
      },
      'x-kubernetes-validations': [
        { rule: 'self.end - self.start <= self.timeout', message: 'window too long' },
        { rule: "self.day < timestamp('2030-01-01T00:00:00Z') && self.start.getFullYear() == 2024" },
        { rule: "type(self.port) == int ? self.port < 1024 : self.port.endsWith('%')", message: 'bad port' },
      ],
    });
    const spec = {
      start: '2024-05-01T10:00:00Z',
      end: '2024-05-01T10:30:00.5+00:00',
      timeout: '1h',
      day: '2024-05-01',
      port: 80,
    };
    expect(rules.validate(object(spec), undefined)).toEqual([]);
    expect(rules.validate(object({ ...spec, timeout: '29m59s', port: '50%' }), undefined)).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec', message: 'Invalid value: window too long' },
    ]);
    expect(rules.validate(object({ ...spec, port: 'http' }), undefined)).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec', message: 'Invalid value: bad port' },
    ]);
  });

  it('offers the strings, lists and regex libraries, macros and cel.bind', () => {
    const rules = rulesFor({
      type: 'object',
      properties: {
        name: { type: 'string', maxLength: 64 },
        sizes: { type: 'array', maxItems: 10, items: { type: 'integer' } },
        words: { type: 'array', maxItems: 10, items: { type: 'string', maxLength: 16 } },
      },
      'x-kubernetes-validations': [
        { rule: "self.name.lowerAscii().replace('-', '_').split('_').join('.') == 'a.b.c'" },
        {
          rule: "self.name.substring(0, 1).upperAscii() == 'A' && self.name.indexOf('-') == 1 && ' x '.trim() == 'x'",
        },
        {
          rule: 'self.sizes.isSorted() && self.sizes.sum() == 6 && self.sizes.min() == 1 && self.sizes.max() == 3',
        },
        { rule: 'self.sizes.indexOf(2) == 1 && self.sizes.lastIndexOf(9) == -1' },
        { rule: "self.name.find('[a-z]+$') == 'c' && self.name.findAll('[a-z]') == ['b', 'c']" },
        { rule: "self.words.all(w, w.matches('^[a-z]+$')) && self.words.exists_one(w, w == 'x')" },
        {
          rule: 'self.words.map(w, w.size()).filter(n, n > 1) == [2] && cel.bind(n, self.sizes.size(), n * n == 9)',
        },
      ],
    });
    expect(
      rules.validate(object({ name: 'A-b_c', sizes: [1, 2, 3], words: ['x', 'yz'] }), undefined),
    ).toEqual([]);
  });

  it('stops a rule over the per-call cost limit and runs no further rule', () => {
    const rules = rulesFor({
      type: 'object',
      properties: { items: { type: 'array', maxItems: 1000, items: { type: 'integer' } } },
      'x-kubernetes-validations': [
        { rule: 'self.items.all(x, self.items.all(y, x == y || true))' },
        { rule: 'false', message: 'never reached' },
      ],
    });
    const items = Array.from({ length: 1000 }, (_, i) => i);
    expect(rules.validate(object({ items }), undefined)).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'spec',
        message:
          'Invalid value: "object": \'operation cancelled: actual cost limit exceeded\': no further validation rules will be run due to call cost exceeds limit for rule: self.items.all(x, self.items.all(y, x == y || true))',
      },
    ]);
  });

  it('stops when the object exhausts its cost budget, counting every node it has evaluated', () => {
    const schema = resource({
      type: 'object',
      properties: {
        groups: {
          type: 'array',
          maxItems: 10,
          items: {
            type: 'array',
            maxItems: 100,
            items: { type: 'integer' },
            'x-kubernetes-validations': [{ rule: 'self.all(x, x >= 0)' }],
          },
        },
      },
    });
    const { rules, problems } = compileValidationRules(schema, { runtimeCostBudget: 1000 });
    expect(problems).toEqual([]);
    const group = Array.from({ length: 100 }, (_, i) => i);
    expect(rules.validate(object({ groups: [group, group] }), undefined)).toEqual([]);
    expect(rules.validate(object({ groups: Array.from({ length: 10 }, () => group) }), undefined)).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: expect.stringMatching(/^spec\.groups\[\d\]$/),
        message:
          'Invalid value: "array": validation failed due to running out of cost budget, no further validation rules will be run',
      },
    ]);
  });
});
