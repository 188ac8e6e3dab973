import type { JSONSchema } from './json-schema.js';

const types = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean']);
/** The fields a resource's schema may say something about in `metadata`, as kube allows for CRDs. */
const restrictableMetadata = new Set(['name', 'generateName']);

/**
 * What keeps `schema` from being structural, as kube requires of a CRD's schema: every node has
 * a type (unless int-or-string or preserve-unknown-fields), properties only on objects, items on
 * every array, map lists keyed by required scalar fields, and `metadata` restricted to name and
 * generateName. Each problem names its position under `where`.
 */
export function structuralSchemaProblems(schema: JSONSchema, where: string): string[] {
  const problems: string[] = [];
  if (schema.type !== 'object') problems.push(`${where}.type: the object's schema must be of type object`);
  const metadata = schema.properties?.metadata;
  if (metadata) {
    if (metadata.type !== undefined && metadata.type !== 'object')
      problems.push(`${where}.properties.metadata.type: must be object`);
    for (const field of Object.keys(metadata.properties ?? {}))
      if (!restrictableMetadata.has(field))
        problems.push(
          `${where}.properties.metadata.properties.${field}: only name and generateName may be specified`,
        );
  }
  walk(schema, where, problems);
  return problems;
}

function walk(node: JSONSchema, at: string, problems: string[]): void {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) {
    problems.push(`${at}: must be a schema object`);
    return;
  }
  const untyped =
    node['x-kubernetes-int-or-string'] === true || node['x-kubernetes-preserve-unknown-fields'] === true;
  if (node.type === undefined && !untyped) problems.push(`${at}.type: must not be empty`);
  if (node.type !== undefined && !types.has(node.type))
    problems.push(`${at}.type: "${String(node.type)}" is not a type`);
  if (node.properties !== undefined && node.type !== undefined && node.type !== 'object')
    problems.push(`${at}.properties: only objects have properties`);
  if (node.additionalProperties !== undefined) {
    if (node.type !== 'object')
      problems.push(`${at}.additionalProperties: only objects have additionalProperties`);
    if (node.properties !== undefined)
      problems.push(`${at}.additionalProperties: properties and additionalProperties are mutually exclusive`);
    if (node.additionalProperties === false)
      problems.push(`${at}.additionalProperties: false is not structural`);
  }
  if (node.type === 'array' && node.items === undefined) problems.push(`${at}.items: arrays must have items`);
  if (node.items !== undefined && node.type !== 'array') problems.push(`${at}.items: only arrays have items`);
  if (node.pattern !== undefined) {
    try {
      new RegExp(node.pattern, 'u');
    } catch (error) {
      problems.push(`${at}.pattern: ${(error as Error).message}`);
    }
  }
  checkListType(node, at, problems);
  for (const [name, child] of Object.entries(node.properties ?? {}))
    walk(child, `${at}.properties.${name}`, problems);
  if (node.items !== undefined) walk(node.items, `${at}.items`, problems);
  if (typeof node.additionalProperties === 'object')
    walk(node.additionalProperties, `${at}.additionalProperties`, problems);
}

function checkListType(node: JSONSchema, at: string, problems: string[]): void {
  const listType = node['x-kubernetes-list-type'];
  if (listType === undefined) {
    if (node['x-kubernetes-list-map-keys'] !== undefined)
      problems.push(`${at}.x-kubernetes-list-map-keys: only with x-kubernetes-list-type map`);
    return;
  }
  if (node.type !== 'array') problems.push(`${at}.x-kubernetes-list-type: only on arrays`);
  if (!['atomic', 'set', 'map'].includes(listType))
    problems.push(`${at}.x-kubernetes-list-type: "${String(listType)}" must be atomic, set or map`);
  if (listType === 'set' && node.items?.type !== undefined && ['object', 'array'].includes(node.items.type))
    problems.push(`${at}.items.type: a set holds scalars`);
  if (listType !== 'map') return;
  const keys = node['x-kubernetes-list-map-keys'] ?? [];
  if (keys.length === 0) problems.push(`${at}.x-kubernetes-list-map-keys: a map list needs at least one key`);
  if (node.items?.type !== 'object') problems.push(`${at}.items.type: a map list holds objects`);
  for (const key of keys) {
    const field = node.items?.properties?.[key];
    if (!field) problems.push(`${at}.x-kubernetes-list-map-keys: "${key}" is not a property of the items`);
    else if (field.type === 'object' || field.type === 'array')
      problems.push(`${at}.x-kubernetes-list-map-keys: "${key}" must be a scalar`);
    else if (!(node.items?.required ?? []).includes(key) && field.default === undefined)
      problems.push(`${at}.x-kubernetes-list-map-keys: "${key}" must be required or have a default`);
  }
}
