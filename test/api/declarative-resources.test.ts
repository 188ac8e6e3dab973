import {
  declarativeDocument,
  DECLARATIVE_API_VERSION,
  defineResource,
  loadDeclarativeResources,
  ResourceDefinitionError,
  type ResourceSpec,
} from '../../api/index.js';
import { gadgetSpec } from '../support/gadget-spec.js';

const gadgets: ResourceSpec = { ...gadgetSpec, scope: 'Cluster' };

function loadProblems(text: string): readonly string[] {
  try {
    loadDeclarativeResources(text, 'resources.json');
  } catch (error) {
    if (error instanceof ResourceDefinitionError) return error.problems;
    throw error;
  }
  throw new Error('the file was accepted');
}

describe('declarative resource files', () => {
  test('a document written for the stock server loads back into the same served resource', () => {
    const text = JSON.stringify(declarativeDocument([defineResource(gadgets)]));
    const [loaded] = loadDeclarativeResources(text, 'resources.json');
    expect(loaded).toMatchObject({
      group: 'ops.acme.io',
      plural: 'gadgets',
      namespaced: false,
      declarative: true,
    });
    expect(loaded.versions[0].columns.map((c) => c.name)).toEqual(['Mode', 'Age']);
    const object = {
      apiVersion: 'ops.acme.io/v1',
      kind: 'Gadget',
      metadata: { name: 'g' },
      spec: { mode: 'off' },
    };
    expect(loaded.versions[0].rules.validate(object, undefined)).toHaveLength(1);
  });

  test('a definition with code cannot be written as data, and says what code it has', () => {
    const withHook = defineResource({ ...gadgets, strategy: { prepareForCreate: () => undefined } });
    expect(() => declarativeDocument([withHook])).toThrow(
      'gadgets.ops.acme.io carries code (the strategy hook prepareForCreate): it needs a server image of its own',
    );
  });

  test('a file that is not JSON, or not a ResourceDefinitionList, is refused as a whole', () => {
    expect(loadProblems('{ "apiVersion":')).toEqual([expect.stringMatching(/^not valid JSON: /)]);
    expect(loadProblems('{"kind":"ConfigMap"}')).toEqual([
      `apiVersion: must be "${DECLARATIVE_API_VERSION}", got undefined`,
      'kind: must be "ResourceDefinitionList", got "ConfigMap"',
      'resources: must be a list of resource definitions',
    ]);
  });

  test('every problem of every definition is listed, and one bad definition fails the whole file', () => {
    const document = {
      apiVersion: DECLARATIVE_API_VERSION,
      kind: 'ResourceDefinitionList',
      resources: [gadgets, { ...gadgets, kind: 'gadget' }, gadgets],
    };
    expect(loadProblems(JSON.stringify(document))).toEqual([
      expect.stringMatching(/^resources\[1\] \(gadgets\.ops\.acme\.io\): kind "gadget" must be CamelCase/),
      'resources[2]: gadgets.ops.acme.io is defined twice',
    ]);
  });
});
