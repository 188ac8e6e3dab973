import type { JSONSchema } from '../../api/json-schema.js';
import { OBJECT_META_SCHEMA } from '../../api/object-meta-schema.js';
import type { JsonValue } from '../util/json-value.js';

/**
 * How a position of an object merges and is owned, read from the structural schema: the
 * counterpart of structured-merge-diff's schema types (scalar, map, list) plus the strategic
 * merge patch hints. Positions without type information (x-kubernetes-preserve-unknown-fields,
 * `{}`) are `untyped`: objects there are granular maps of untyped values, arrays are atomic.
 */
export type Shape = ScalarShape | MapShape | ListShape | UntypedShape;

export interface ScalarShape {
  readonly kind: 'scalar';
  readonly nullable: boolean;
}

export interface UntypedShape {
  readonly kind: 'untyped';
}

/** What a map says about one of its keys. */
export interface MapMember {
  readonly shape: Shape;
  /** A declared property (a struct field), as opposed to an entry of a map of values. */
  readonly named: boolean;
}

export interface MapShape {
  readonly kind: 'map';
  /** `x-kubernetes-map-type: atomic`: replaced and owned as a whole. */
  readonly atomic: boolean;
  readonly nullable: boolean;
  /** `x-kubernetes-patch-strategy: replace`: strategic merge patch replaces instead of merging. */
  readonly patchReplace: boolean;
  /** The member for a key; undefined when the schema allows no such key. */
  member(key: string): MapMember | undefined;
}

/** How strategic merge patch treats a list. */
export type ListPatchStrategy =
  | { readonly kind: 'replace' }
  | { readonly kind: 'merge-scalars' }
  | { readonly kind: 'merge-by-keys'; readonly keys: readonly string[] };

export interface ListShape {
  readonly kind: 'list';
  /** Server-side apply: `atomic` replaced whole, `set` of scalars, `map` of objects by keys. */
  readonly listType: 'atomic' | 'set' | 'map';
  /** The key fields of a `map` list, in schema order. */
  readonly keys: readonly string[];
  /** Defaults of key fields, used when an item omits one. */
  readonly keyDefaults: ReadonlyMap<string, JsonValue>;
  readonly item: Shape;
  readonly nullable: boolean;
  readonly patchStrategy: ListPatchStrategy;
}

const UNTYPED: UntypedShape = { kind: 'untyped' };
const UNTYPED_MEMBER: MapMember = { shape: UNTYPED, named: false };

const cache = new WeakMap<JSONSchema, Shape>();
const rootCache = new WeakMap<JSONSchema, Shape>();

/**
 * The shape of a whole object of a kind: the resource's schema with `apiVersion`, `kind` and
 * `metadata` as kube defines them.
 */
export function rootShape(schema: JSONSchema): Shape {
  const cached = rootCache.get(schema);
  if (cached) return cached;
  const root: JSONSchema = {
    ...schema,
    type: 'object',
    properties: {
      ...(schema.properties ?? {}),
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: OBJECT_META_SCHEMA,
    },
  };
  const shape = shapeOf(root);
  rootCache.set(schema, shape);
  return shape;
}

/** The shape of a schema position; `undefined` (no schema) is untyped. */
export function shapeOf(schema: JSONSchema | undefined): Shape {
  if (!schema) return UNTYPED;
  const cached = cache.get(schema);
  if (cached) return cached;
  const shape = computeShape(schema);
  cache.set(schema, shape);
  return shape;
}

function computeShape(schema: JSONSchema): Shape {
  const nullable = schema.nullable === true;
  if (schema['x-kubernetes-int-or-string']) return { kind: 'scalar', nullable };
  if (schema['x-kubernetes-embedded-resource']) return mapShape(withEmbeddedMeta(schema), nullable);
  switch (schema.type) {
    case 'string':
    case 'integer':
    case 'number':
    case 'boolean':
      return { kind: 'scalar', nullable };
    case 'array':
      return listShape(schema, nullable);
    case 'object':
      return mapShape(schema, nullable);
    default:
      if (schema.properties || schema.additionalProperties !== undefined) return mapShape(schema, nullable);
      if (schema.items) return listShape(schema, nullable);
      return UNTYPED;
  }
}

function withEmbeddedMeta(schema: JSONSchema): JSONSchema {
  return {
    ...schema,
    type: 'object',
    properties: {
      ...(schema.properties ?? {}),
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: OBJECT_META_SCHEMA,
    },
  };
}

function patchStrategies(schema: JSONSchema): string[] {
  return (schema['x-kubernetes-patch-strategy'] ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

function mapShape(schema: JSONSchema, nullable: boolean): MapShape {
  const properties = schema.properties ?? {};
  const additional = schema.additionalProperties;
  let rest: MapMember | undefined;
  if (schema['x-kubernetes-preserve-unknown-fields'] || additional === true) {
    rest = UNTYPED_MEMBER;
  } else if (typeof additional === 'object') {
    rest = { shape: shapeOf(additional), named: false };
  }
  return {
    kind: 'map',
    atomic: schema['x-kubernetes-map-type'] === 'atomic',
    nullable,
    patchReplace: patchStrategies(schema).includes('replace'),
    member(key: string): MapMember | undefined {
      if (Object.hasOwn(properties, key)) return { shape: shapeOf(properties[key]), named: true };
      return rest;
    },
  };
}

function listShape(schema: JSONSchema, nullable: boolean): ListShape {
  const item = shapeOf(schema.items);
  const strategies = patchStrategies(schema);
  const mergeKey = schema['x-kubernetes-patch-merge-key'];
  const declaredKeys = schema['x-kubernetes-list-map-keys'] ?? [];

  // Like kube-openapi's schema conversion: an explicit list type wins, otherwise a
  // strategic-merge list is associative (keyed by its merge key, or a set of scalars).
  let listType = schema['x-kubernetes-list-type'];
  let keys: readonly string[] = declaredKeys;
  if (!listType) {
    if (strategies.includes('merge')) {
      listType = mergeKey ? 'map' : item.kind === 'scalar' ? 'set' : 'atomic';
      keys = mergeKey ? [mergeKey] : [];
    } else {
      listType = 'atomic';
    }
  }
  if (listType === 'map' && keys.length === 0) keys = mergeKey ? [mergeKey] : [];
  if (listType === 'map' && keys.length === 0) listType = 'atomic';

  const keyDefaults = new Map<string, JsonValue>();
  const itemProperties = schema.items?.properties ?? {};
  for (const key of keys) {
    const fallback = Object.hasOwn(itemProperties, key) ? itemProperties[key].default : undefined;
    if (fallback !== undefined) keyDefaults.set(key, fallback as JsonValue);
  }

  let patchStrategy: ListPatchStrategy = { kind: 'replace' };
  if (strategies.includes('merge')) {
    if (mergeKey) patchStrategy = { kind: 'merge-by-keys', keys: [mergeKey] };
    else if (item.kind !== 'map') patchStrategy = { kind: 'merge-scalars' };
  } else if (!strategies.includes('replace') && listType === 'map') {
    patchStrategy = { kind: 'merge-by-keys', keys };
  }

  return { kind: 'list', listType, keys, keyDefaults, item, nullable, patchStrategy };
}

/** The shape of a map member, treating keys the schema does not allow as untyped. */
export function memberOf(shape: Shape, key: string): MapMember {
  if (shape.kind === 'map') return shape.member(key) ?? UNTYPED_MEMBER;
  return UNTYPED_MEMBER;
}

export function isNullable(shape: Shape): boolean {
  return shape.kind === 'untyped' ? true : shape.nullable;
}
