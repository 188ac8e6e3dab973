import { defineResource, ResourceDefinitionError } from './define-resource.js';
import { codeIn } from './definition-code.js';
import type { ResourceDefinition } from './resource-definition.js';
import type { ResourceSpec } from './resource-spec.js';

/** The file format the constructs write into a ConfigMap and the stock server loads. */
export interface DeclarativeResourcesDocument {
  readonly apiVersion: typeof DECLARATIVE_API_VERSION;
  readonly kind: 'ResourceDefinitionList';
  readonly resources: readonly ResourceSpec[];
}

export const DECLARATIVE_API_VERSION = 'aggregated-apiserver.dev/v1alpha1';

/** The document for definitions that are plain data; throws for one that carries code. */
export function declarativeDocument(
  definitions: readonly ResourceDefinition[],
): DeclarativeResourcesDocument {
  for (const definition of definitions) {
    const code = codeIn(definition.spec);
    if (code.length > 0)
      throw new Error(
        `${definition.plural}.${definition.group} carries code (${code.join(', ')}): it needs a server image of its own`,
      );
  }
  return {
    apiVersion: DECLARATIVE_API_VERSION,
    kind: 'ResourceDefinitionList',
    // A JSON round trip keeps exactly what a ConfigMap can carry.
    resources: definitions.map((d) => JSON.parse(JSON.stringify(d.spec)) as ResourceSpec),
  };
}

/**
 * Loads a declarative document (JSON text) the way the stock server does at startup: every
 * definition is checked by `defineResource`; any problem in any of them fails the whole load with
 * all problems listed, so a bad file never leads to a half-served API.
 */
export function loadDeclarativeResources(text: string, source: string): ResourceDefinition[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new ResourceDefinitionError(source, [`not valid JSON: ${(error as Error).message}`]);
  }
  const problems: string[] = [];
  const shape = document as Partial<DeclarativeResourcesDocument> | null;
  if (shape === null || typeof shape !== 'object' || Array.isArray(shape))
    throw new ResourceDefinitionError(source, ['must be a JSON object']);
  if (shape.apiVersion !== DECLARATIVE_API_VERSION)
    problems.push(
      `apiVersion: must be "${DECLARATIVE_API_VERSION}", got ${JSON.stringify(shape.apiVersion)}`,
    );
  if (shape.kind !== 'ResourceDefinitionList')
    problems.push(`kind: must be "ResourceDefinitionList", got ${JSON.stringify(shape.kind)}`);
  if (!Array.isArray(shape.resources)) problems.push('resources: must be a list of resource definitions');
  const definitions: ResourceDefinition[] = [];
  const seen = new Set<string>();
  (Array.isArray(shape.resources) ? shape.resources : []).forEach((spec: ResourceSpec, i: number) => {
    try {
      const definition = defineResource(spec);
      const name = `${definition.plural}.${definition.group}`;
      if (seen.has(name)) problems.push(`resources[${i}]: ${name} is defined twice`);
      seen.add(name);
      definitions.push(definition);
    } catch (error) {
      if (!(error instanceof ResourceDefinitionError)) throw error;
      problems.push(...error.problems.map((p) => `resources[${i}] (${error.resource}): ${p}`));
    }
  });
  if (problems.length > 0) throw new ResourceDefinitionError(source, problems);
  return definitions;
}
