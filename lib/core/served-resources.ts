import { codeIn } from '../../api/definition-code.js';
import { declarativeDocument, loadDeclarativeResources } from '../../api/declarative-resources.js';
import { ResourceDefinitionError } from '../../api/define-resource.js';
import type { ResourceDefinition } from '../../api/resource-definition.js';
import { STOCK_IMAGE_RESOURCES } from './stock-image.js';

/** The subresources a definition may serve (and RBAC names as `<plural>/<subresource>`). */
export type Subresource = 'status' | 'scale';

/** A served resource, derived from its definition: what the APIServices and RBAC need. */
export interface ResolvedResource {
  /** The definition it comes from (the value `defineResource` returned). */
  readonly definition: ResourceDefinition;
  /** `<plural>.<group>`, as `--resources` names it. */
  readonly name: string;
  readonly group: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
  /** The served versions, most preferred first; unserved versions get no APIService. */
  readonly versions: readonly string[];
  /** The subresources it serves. */
  readonly subresources: readonly Subresource[];
}

/**
 * What runs in the image: `stock`, this package's server, or `own`, a server entry of the user's
 * that serves every definition in code.
 */
export type ServerEntry = 'stock' | 'own';

/** The largest ConfigMap Kubernetes stores (the sum of its values): 1 MiB. */
export const CONFIG_MAP_MAX_BYTES = 1024 * 1024;

/**
 * The definitions as served resources. Each must be what `defineResource` returned (it checked
 * it); here only what concerns several of them is checked: every resource and kind once.
 */
export function resolveResources(
  definitions: readonly ResourceDefinition[] | undefined,
  problems: string[],
): ResolvedResource[] {
  if (!Array.isArray(definitions) || definitions.length === 0) {
    problems.push(
      'resources must list at least one resource definition (the value defineResource from aggregated-apiserver/api returns)',
    );
    return [];
  }
  const seenName = new Set<string>();
  const seenKind = new Set<string>();
  const resolved: ResolvedResource[] = [];
  definitions.forEach((definition: unknown, i) => {
    if (!isDefinition(definition)) {
      problems.push(
        `resources[${i}] is not a resource definition: pass the value defineResource (from aggregated-apiserver/api) returns, which the server entry serves too`,
      );
      return;
    }
    const name = `${definition.plural}.${definition.group}`;
    const kindKey = `${definition.group}/${definition.kind}`;
    if (seenName.has(name)) problems.push(`resources[${i}] repeats the resource ${name}`);
    if (seenKind.has(kindKey)) problems.push(`resources[${i}] repeats the kind ${kindKey}`);
    seenName.add(name);
    seenKind.add(kindKey);
    resolved.push({
      definition,
      name,
      group: definition.group,
      kind: definition.kind,
      plural: definition.plural,
      namespaced: definition.namespaced,
      versions: definition.versions.filter((v) => v.served).map((v) => v.name),
      subresources: [
        ...(definition.subresources.status ? (['status'] as const) : []),
        ...(definition.subresources.scale ? (['scale'] as const) : []),
      ],
    });
  });
  return resolved;
}

/** Whether the stock image serves this resource with its own built-in definition. */
export function isStockImageResource(resource: Pick<ResolvedResource, 'name'>): boolean {
  return STOCK_IMAGE_RESOURCES.includes(resource.name);
}

/**
 * The declarative definitions the stock image is handed in a ConfigMap: every definition but its
 * built-ins. Definitions with code cannot be among them: the stock image cannot run a user's code,
 * so each is a problem naming the code it has (rather than APIServices that nothing serves).
 * With a server entry of the user's, none: it serves every definition in code.
 *
 * @returns the ConfigMap's file (a `ResourceDefinitionList`, JSON), or undefined when there is none
 */
export function declarativeResourcesFile(
  resources: readonly ResolvedResource[],
  serverEntry: ServerEntry,
  problems: string[],
): string | undefined {
  if (serverEntry === 'own') return undefined;
  const handed = resources.filter((r) => !isStockImageResource(r));
  const withCode = handed.filter((r) => codeIn(r.definition.spec).length > 0);
  for (const r of withCode) {
    problems.push(
      `resources: ${r.name} (${r.kind}) has code the stock image cannot run (${codeIn(r.definition.spec).join(', ')}): build an image whose server entry serves it (runApiServer from aggregated-apiserver/server) and set image to it`,
    );
  }
  if (withCode.length > 0 || handed.length === 0) return undefined;
  const file = JSON.stringify(declarativeDocument(handed.map((r) => r.definition)), null, 2);
  const bytes = Buffer.byteLength(file);
  if (bytes > CONFIG_MAP_MAX_BYTES) {
    problems.push(
      `resources: the declarative definitions take ${bytes} bytes, more than a ConfigMap holds (${CONFIG_MAP_MAX_BYTES}); split them across deployments or serve them from an image of your own`,
    );
    return undefined;
  }
  // What the stock server does with the file at startup, so that a file it would refuse fails
  // here instead of in a pod that never becomes ready.
  try {
    loadDeclarativeResources(file, 'the declarative definitions');
  } catch (error) {
    if (!(error instanceof ResourceDefinitionError)) throw error;
    problems.push(...error.problems.map((p) => `resources: the stock server would refuse ${p}`));
    return undefined;
  }
  return file;
}

function isDefinition(value: unknown): value is ResourceDefinition {
  const candidate = value as Partial<ResourceDefinition> | null;
  return (
    candidate !== null &&
    typeof candidate === 'object' &&
    typeof candidate.group === 'string' &&
    typeof candidate.plural === 'string' &&
    typeof candidate.kind === 'string' &&
    typeof candidate.namespaced === 'boolean' &&
    typeof candidate.declarative === 'boolean' &&
    typeof candidate.spec === 'object' &&
    typeof candidate.subresources === 'object' &&
    Array.isArray(candidate.versions) &&
    candidate.versions.every((v) => typeof v?.name === 'string' && typeof v.served === 'boolean')
  );
}
