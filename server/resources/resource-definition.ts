import type { JSONSchema } from '../../api/json-schema.js';
import type { KubeObject, StatusCause } from '../../api/types.js';

/**
 * Everything the generic machinery needs to know about one resource type. Adding a resource
 * means writing one of these in its own folder under `server/resources/` and listing it in
 * `server/resources/index.ts`; the handlers, store, discovery and OpenAPI never name a kind.
 */
export interface ResourceDefinition {
  readonly group: string;
  readonly kind: string;
  /** Lower-case plural, the URL segment (`metricsnapshots`). */
  readonly plural: string;
  readonly singular: string;
  readonly shortNames?: readonly string[];
  readonly categories?: readonly string[];
  readonly namespaced: boolean;
  /** Served versions, most preferred first. */
  readonly versions: readonly ResourceVersion[];
  /** The version objects are stored in; every other version converts through it. */
  readonly storageVersion: string;
  /** Whether `/status` is served; if so, writes to the main resource leave `.status` alone. */
  readonly statusSubresource: boolean;
  readonly strategy: ResourceStrategy;
}

/** One served version: its schema, its table, and its conversion to and from storage. */
export interface ResourceVersion {
  readonly name: string;
  /** The whole object's structural schema (apiVersion, kind, metadata, spec, status). */
  readonly schema: JSONSchema;
  /** `kubectl get` columns after NAME; priority > 0 shows only with `-o wide`. */
  readonly columns: readonly TableColumn[];
  /** Converts an object of this version into the storage version; must be lossless with fromStorage. */
  toStorage(object: KubeObject): KubeObject;
  /** Converts a stored object into this version. */
  fromStorage(object: KubeObject): KubeObject;
}

export interface TableColumn {
  readonly name: string;
  readonly type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  readonly format?: string;
  readonly description: string;
  readonly priority: number;
  /** The cell's value; dates are returned as RFC 3339 strings and shown as ages. */
  cell(object: KubeObject): string | number | boolean | undefined;
}

/**
 * The resource-specific rules, applied to objects in the storage version (after the request
 * version's schema validation and defaulting). Mirrors k8s.io/apiserver's RESTCreateStrategy
 * and RESTUpdateStrategy.
 */
export interface ResourceStrategy {
  /** Semantic checks that a schema cannot express, as field causes (`spec.metrics[1]`). */
  validate(object: KubeObject, old?: KubeObject): StatusCause[];
  /** Non-fatal advice returned as `Warning` headers. */
  warnings?(object: KubeObject, old?: KubeObject): string[];
}
