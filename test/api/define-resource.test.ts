import { defineResource, ResourceDefinitionError, type ResourceSpec } from '../../api/index.js';

const schema = {
  type: 'object' as const,
  properties: {
    spec: {
      type: 'object' as const,
      properties: { color: { type: 'string' as const }, replicas: { type: 'integer' as const } },
    },
    status: { type: 'object' as const, properties: { replicas: { type: 'integer' as const } } },
  },
};
const minimal: ResourceSpec = {
  group: 'widgets.acme.io',
  kind: 'Widget',
  versions: [{ name: 'v1', schema }],
};

function problemsOf(spec: unknown): readonly string[] {
  try {
    defineResource(spec as ResourceSpec);
  } catch (error) {
    if (error instanceof ResourceDefinitionError) return error.problems;
    throw error;
  }
  throw new Error('the definition was accepted');
}

describe('defineResource', () => {
  test('fills the names, scope and storage version a CRD would default', () => {
    const widget = defineResource(minimal);
    expect(widget).toMatchObject({
      plural: 'widgets',
      singular: 'widget',
      namespaced: true,
      storageVersion: 'v1',
      shortNames: [],
      subresources: { status: false },
      declarative: true,
    });
    expect(Object.keys(widget.versions[0].schema.properties ?? {})).toEqual([
      'apiVersion',
      'kind',
      'metadata',
      'spec',
      'status',
    ]);
    expect(widget.versions[0].columns.map((c) => c.name)).toEqual(['Age']);
  });

  test.each([
    ['Widget', 'widgets'],
    ['BackupPolicy', 'backuppolicies'],
    ['Gateway', 'gateways'],
    ['Mailbox', 'mailboxes'],
    ['Batch', 'batches'],
  ])('guesses the plural of %s as kube does: %s', (kind, plural) => {
    expect(defineResource({ ...minimal, kind }).plural).toBe(plural);
  });

  test('reports every problem at once, each where it is', () => {
    const problems = problemsOf({
      group: 'widgets',
      kind: 'widget',
      plural: 'Widgets',
      shortNames: ['w_d'],
      scope: 'Galaxy',
      storageVersion: 'v3',
      versions: [
        { name: 'V1', schema },
        { name: 'v2', schema: { type: 'object', properties: { spec: { properties: {} } } } },
        { name: 'v2', schema },
      ],
    });
    expect(problems).toEqual([
      expect.stringContaining('group "widgets" must contain at least one dot'),
      expect.stringContaining('kind "widget" must be CamelCase'),
      expect.stringContaining('plural "Widgets" must be a DNS-1035 label'),
      expect.stringContaining('shortNames[0] "w_d" must be a DNS-1035 label'),
      'scope: "Galaxy" must be Namespaced or Cluster',
      expect.stringContaining('versions[0].name: "V1" must be a DNS-1035 label'),
      'versions[2].name: "v2" is listed twice',
      'storageVersion: "v3" is not one of the versions',
      'versions[1].schema.properties.spec.type: must not be empty',
    ]);
  });

  test('requires a served storage version, chosen when there are several versions', () => {
    expect(
      problemsOf({
        ...minimal,
        versions: [
          { name: 'v1', schema },
          { name: 'v2', schema },
        ],
      }),
    ).toEqual(['storageVersion: required when there are several versions']);
    expect(problemsOf({ ...minimal, versions: [{ name: 'v1', schema, served: false }] })).toEqual([
      'storageVersion: "v1" must be served',
      'versions: at least one version must be served',
    ]);
  });

  test('checks schemas are structural and compile', () => {
    expect(
      problemsOf({
        ...minimal,
        versions: [
          {
            name: 'v1',
            schema: {
              type: 'object',
              properties: {
                metadata: { type: 'object', properties: { labels: { type: 'object' } } },
                spec: {
                  type: 'object',
                  properties: {
                    list: { type: 'array' },
                    keyed: {
                      type: 'array',
                      'x-kubernetes-list-type': 'map',
                      'x-kubernetes-list-map-keys': ['id'],
                      items: { type: 'object', properties: { id: { type: 'string' } } },
                    },
                    pattern: { type: 'string', pattern: '(' },
                  },
                },
              },
            },
          },
        ],
      }),
    ).toEqual([
      'versions[0].schema.properties.metadata.properties.labels: only name and generateName may be specified',
      'versions[0].schema.properties.spec.properties.list.items: arrays must have items',
      'versions[0].schema.properties.spec.properties.keyed.x-kubernetes-list-map-keys: "id" must be required or have a default',
      expect.stringMatching(/^versions\[0\]\.schema\.properties\.spec\.properties\.pattern\.pattern: /),
    ]);
  });

  test('resolves printer column and selectable field paths against the schema', () => {
    const problems = problemsOf({
      ...minimal,
      versions: [
        {
          name: 'v1',
          schema,
          printerColumns: [
            { name: 'Color', type: 'string', jsonPath: '.spec.colour' },
            { name: 'Both', type: 'string', jsonPath: '.spec.color', value: () => 'x' },
            { name: 'Created', type: 'date', jsonPath: '.metadata.creationTimestamp' },
            { name: 'Bad', type: 'string', jsonPath: 'spec.color' },
          ],
          selectableFields: [
            { jsonPath: '.spec.replicas' },
            { jsonPath: '.spec' },
            { jsonPath: '.metadata.name' },
          ],
        },
      ],
    });
    expect(problems).toEqual([
      'versions[0].printerColumns[0].jsonPath: .spec.colour is not in the schema',
      'versions[0].printerColumns[1]: exactly one of jsonPath and value is required',
      'versions[0].printerColumns[3].jsonPath: "spec.color" must start with "." (e.g. ".spec.replicas")',
      'versions[0].selectableFields[1].jsonPath: ".spec" must be a string, integer or boolean field',
      expect.stringContaining(
        'versions[0].selectableFields[2].jsonPath: ".metadata.name" may not select metadata',
      ),
    ]);
  });

  test('checks the scale subresource paths and that status has a schema', () => {
    const problems = problemsOf({
      ...minimal,
      versions: [{ name: 'v1', schema: { type: 'object', properties: { spec: schema.properties.spec } } }],
      subresources: {
        status: true,
        scale: { specReplicasPath: '.spec.color', statusReplicasPath: '.spec.replicas' },
      },
    });
    expect(problems).toEqual([
      'versions[0].schema: the status subresource needs a status property',
      'versions[0]: subresources.scale.specReplicasPath: ".spec.color" must be of type integer',
      'versions[0]: subresources.scale.statusReplicasPath: ".spec.replicas" must be a simple path under .status',
    ]);
  });

  test('compiles CEL rules and reports those that do not compile', () => {
    const problems = problemsOf({
      ...minimal,
      versions: [
        {
          name: 'v1',
          schema: {
            ...schema,
            properties: {
              ...schema.properties,
              spec: {
                ...schema.properties.spec,
                'x-kubernetes-validations': [{ rule: 'self.colour == "red"' }],
              },
            },
          },
        },
      ],
    });
    expect(problems).toEqual([
      expect.stringMatching(/^versions\[0\]\.schema\.spec\.x-kubernetes-validations\[0\]\.rule: /),
    ]);
  });

  test('a definition with functions is not declarative; a deprecated version gets kube-style warning text', () => {
    const withCode = defineResource({
      ...minimal,
      versions: [
        {
          name: 'v1',
          schema,
          deprecated: true,
          printerColumns: [{ name: 'X', type: 'string', value: () => 'x' }],
        },
      ],
      strategy: { validateCreate: () => [] },
    });
    expect(withCode.declarative).toBe(false);
    expect(withCode.versions[0].deprecationWarning).toBe('widgets.acme.io/v1 Widget is deprecated');
  });
  test('validates objects with rules that use the quantity and url libraries', () => {
    const widget = defineResource({
      ...minimal,
      versions: [
        {
          name: 'v1',
          schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                properties: {
                  memory: {
                    type: 'string',
                    maxLength: 32,
                    'x-kubernetes-validations': [
                      {
                        rule: "quantity(self).isLessThan(quantity('1Gi'))",
                        message: 'memory must be below 1Gi',
                      },
                    ],
                  },
                  endpoint: {
                    type: 'string',
                    maxLength: 256,
                    'x-kubernetes-validations': [
                      {
                        rule: "isURL(self) && url(self).getScheme() == 'https'",
                        message: 'must be an https URL',
                      },
                    ],
                  },
                },
              },
            },
          },
        },
      ],
    });
    const object = (spec: unknown) => ({
      apiVersion: 'widgets.acme.io/v1',
      kind: 'Widget',
      metadata: { name: 'w' },
      spec,
    });
    const rules = widget.versions[0].rules;
    expect(
      rules.validate(object({ memory: '512Mi', endpoint: 'https://example.com/hook' }), undefined),
    ).toEqual([]);
    expect(rules.validate(object({ memory: '2Gi', endpoint: 'http://example.com/' }), undefined)).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'spec.memory',
        message: 'Invalid value: "2Gi": memory must be below 1Gi',
      },
      {
        reason: 'FieldValueInvalid',
        field: 'spec.endpoint',
        message: 'Invalid value: "http://example.com/": must be an https URL',
      },
    ]);
    // A rule that fails to evaluate is reported as kube-apiserver reports it: an Invalid cause.
    expect(rules.validate(object({ memory: '2K' }), undefined)).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'spec.memory',
        message: `Invalid value: "string": unable to parse quantity's suffix evaluating rule: memory must be below 1Gi`,
      },
    ]);
  });
});
