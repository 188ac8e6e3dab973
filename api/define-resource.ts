import { codeIn } from './definition-code.js';
import { checkApiGroup, checkDns1035Label, checkKind } from './identifiers.js';
import { typeMetaProperties, type JSONSchema } from './json-schema.js';
import { compilePrinterColumns } from './printer-columns.js';
import type { ResourceDefinition, ResourceVersion } from './resource-definition.js';
import type { ResourceSpec, ScaleSpec, VersionSpec } from './resource-spec.js';
import { compileSchema } from './schema-compiler.js';
import { compileSelectableFields } from './selectable-fields.js';
import { structuralSchemaProblems } from './structural-schema.js';
import { compileValidationRules } from './cel/compile-validation-rules.js';
import { compileJsonPath, resolveJsonPath } from './json-path.js';
import type { KubeObject } from './types.js';

/** A definition with problems: every one of them, so that one run shows all there is to fix. */
export class ResourceDefinitionError extends Error {
  constructor(
    readonly resource: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid resource definition ${resource}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ResourceDefinitionError';
  }
}

/** The kube version name rule for CRD versions: a DNS-1035 label. */
const VERSION_NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Defines one resource type for the server that serves it and the constructs that deploy it.
 * Checks everything at once (names, versions, structural schemas that compile, printer column and
 * selectable field paths against the schemas, the scale subresource's paths, CEL rules) and throws
 * a `ResourceDefinitionError` listing every problem.
 */
export function defineResource(spec: ResourceSpec): ResourceDefinition {
  const problems: string[] = [];
  const kind = typeof spec?.kind === 'string' ? spec.kind : '';
  const lower = kind.toLowerCase();
  const plural = spec?.plural ?? guessPlural(lower);
  const singular = spec?.singular ?? lower;
  const resourceName = `${plural}.${String(spec?.group)}`;
  if (spec === null || typeof spec !== 'object')
    throw new ResourceDefinitionError('?', ['the definition must be an object']);

  push(problems, checkApiGroup('group', String(spec.group ?? '')));
  push(problems, checkKind('kind', kind));
  push(problems, checkDns1035Label('plural', plural));
  push(problems, checkDns1035Label('singular', singular));
  (spec.shortNames ?? []).forEach((s, i) => push(problems, checkDns1035Label(`shortNames[${i}]`, s)));
  (spec.categories ?? []).forEach((c, i) => push(problems, checkDns1035Label(`categories[${i}]`, c)));
  const scope = spec.scope ?? 'Namespaced';
  if (scope !== 'Namespaced' && scope !== 'Cluster')
    problems.push(`scope: "${String(scope)}" must be Namespaced or Cluster`);

  const versionSpecs: readonly VersionSpec[] = Array.isArray(spec.versions) ? spec.versions : [];
  if (versionSpecs.length === 0) problems.push('versions: at least one version is required');
  const names = versionSpecs.map((v) => v?.name);
  names.forEach((name, i) => {
    if (typeof name !== 'string' || !VERSION_NAME.test(name))
      problems.push(
        `versions[${i}].name: "${String(name)}" must be a DNS-1035 label such as v1, v1beta1 or v2alpha1`,
      );
    else if (names.indexOf(name) !== i) problems.push(`versions[${i}].name: "${name}" is listed twice`);
  });
  const storageVersion =
    spec.storageVersion ?? (versionSpecs.length === 1 ? versionSpecs[0]?.name : undefined);
  const storageSpec = versionSpecs.find((v) => v?.name === storageVersion);
  if (storageVersion === undefined) problems.push('storageVersion: required when there are several versions');
  else if (!storageSpec) problems.push(`storageVersion: "${storageVersion}" is not one of the versions`);
  else if (storageSpec.served === false) problems.push(`storageVersion: "${storageVersion}" must be served`);
  if (storageSpec?.conversion)
    problems.push(
      `versions: the storage version "${storageVersion}" converts to itself: drop its conversion`,
    );
  if (versionSpecs.length > 0 && versionSpecs.every((v) => v?.served === false))
    problems.push('versions: at least one version must be served');

  const group = String(spec.group ?? '');
  const status = spec.subresources?.status === true;
  const scale = spec.subresources?.scale;
  const versions = versionSpecs.map((version, i) =>
    compileVersion(version, `versions[${i}]`, { group, kind, status, scale }, problems),
  );
  const strategy = spec.strategy ?? {};
  for (const [hook, value] of Object.entries(strategy))
    if (typeof value !== 'function') problems.push(`strategy.${hook}: must be a function`);
  if (spec.storage !== undefined && typeof spec.storage !== 'function')
    problems.push('storage: must be a function that opens the storage');

  if (problems.length > 0) throw new ResourceDefinitionError(resourceName, problems);
  return Object.freeze({
    group,
    kind,
    plural,
    singular,
    shortNames: [...(spec.shortNames ?? [])],
    categories: [...(spec.categories ?? [])],
    namespaced: scope === 'Namespaced',
    versions,
    storageVersion: storageVersion ?? '',
    subresources: { status, ...(scale ? { scale } : {}) },
    strategy,
    ...(spec.storage ? { storage: spec.storage } : {}),
    declarative: codeIn(spec).length === 0,
    spec,
  });
}

interface VersionContext {
  readonly group: string;
  readonly kind: string;
  readonly status: boolean;
  readonly scale?: ScaleSpec;
}

function compileVersion(
  version: VersionSpec,
  where: string,
  context: VersionContext,
  problems: string[],
): ResourceVersion {
  const name = version?.name ?? '';
  const schema = objectSchema(version?.schema);
  const schemaProblems = version?.schema
    ? structuralSchemaProblems(schema, `${where}.schema`)
    : [`${where}.schema: required`];
  problems.push(...schemaProblems);
  if (schemaProblems.length === 0) {
    try {
      compileSchema(schema);
    } catch (error) {
      problems.push(`${where}.schema: does not compile: ${(error as Error).message}`);
    }
  }
  if (context.status && !schema.properties?.status)
    problems.push(`${where}.schema: the status subresource needs a status property`);
  if (context.scale) checkScale(context.scale, schema, `${where}`, problems);
  const columns = compilePrinterColumns(
    version?.printerColumns ?? [],
    schema,
    `${where}.printerColumns`,
    problems,
  );
  const selectableFields = compileSelectableFields(
    version?.selectableFields ?? [],
    schema,
    `${where}.selectableFields`,
    problems,
  );
  const compiled = compileValidationRules(schema);
  problems.push(...compiled.problems.map((p) => `${where}.schema.${p}`));
  const conversion = version?.conversion;
  if (
    conversion &&
    (typeof conversion.toStorage !== 'function' || typeof conversion.fromStorage !== 'function')
  )
    problems.push(`${where}.conversion: needs both toStorage and fromStorage functions`);
  const apiVersion = `${context.group}/${name}`;
  const sameShape = (object: KubeObject): KubeObject => object;
  return {
    name,
    served: version?.served !== false,
    ...(version?.deprecated
      ? { deprecationWarning: version.deprecationWarning ?? `${apiVersion} ${context.kind} is deprecated` }
      : {}),
    schema,
    columns,
    selectableFields,
    rules: compiled.rules,
    toStorage: conversion?.toStorage.bind(conversion) ?? sameShape,
    fromStorage: conversion?.fromStorage.bind(conversion) ?? sameShape,
  };
}

/** The whole object's schema: the version's, with apiVersion, kind and metadata where it has none. */
function objectSchema(schema: JSONSchema | undefined): JSONSchema {
  if (!schema || typeof schema !== 'object') return { type: 'object' };
  return {
    ...schema,
    properties: {
      ...typeMetaProperties,
      metadata: { type: 'object' },
      ...(schema.properties ?? {}),
    },
  };
}

function checkScale(scale: ScaleSpec, schema: JSONSchema, where: string, problems: string[]): void {
  const check = (field: keyof ScaleSpec, under: readonly string[], type: string): void => {
    const source = scale[field];
    if (source === undefined) return;
    try {
      const path = compileJsonPath(source);
      if (!path.simple || !under.includes(path.steps[0]))
        throw new Error(`"${source}" must be a simple path under ${under.map((u) => `.${u}`).join(' or ')}`);
      const resolved = resolveJsonPath(schema, path);
      if ('problem' in resolved) throw new Error(resolved.problem);
      if (resolved.schema.type !== undefined && resolved.schema.type !== type)
        throw new Error(`"${source}" must be of type ${type}`);
    } catch (error) {
      problems.push(`${where}: subresources.scale.${field}: ${(error as Error).message}`);
    }
  };
  if (!scale.specReplicasPath) problems.push('subresources.scale.specReplicasPath: required');
  if (!scale.statusReplicasPath) problems.push('subresources.scale.statusReplicasPath: required');
  check('specReplicasPath', ['spec'], 'integer');
  check('statusReplicasPath', ['status'], 'integer');
  check('labelSelectorPath', ['spec', 'status'], 'string');
}

/** The plural kube guesses from a kind (apimachinery's UnsafeGuessKindToResource): policy -> policies. */
function guessPlural(singular: string): string {
  if (/(s|x|z|ch|sh)$/.test(singular)) return `${singular}es`;
  if (/[^aeiou]y$/.test(singular)) return `${singular.slice(0, -1)}ies`;
  return `${singular}s`;
}

function push(problems: string[], problem: string | undefined): void {
  if (problem) problems.push(problem);
}
