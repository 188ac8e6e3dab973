import type { JSONSchema } from './json-schema.js';
import type { ResourceSpec, ResourceStrategy, ScaleSpec, StorageFactory } from './resource-spec.js';
import type { KubeObject, StatusCause } from './types.js';

/**
 * One resource type, checked and ready to serve and to deploy: what `defineResource` returns.
 * The server serves it, the constructs derive APIServices and RBAC from it, and when it is
 * plain data (`declarative`) the constructs hand it to the stock server in a ConfigMap.
 */
export interface ResourceDefinition {
  readonly group: string;
  readonly kind: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  readonly namespaced: boolean;
  /** Every version, most preferred first; only `served` ones are served. */
  readonly versions: readonly ResourceVersion[];
  /** The version objects are stored in; every other version converts through it. */
  readonly storageVersion: string;
  readonly subresources: { readonly status: boolean; readonly scale?: ScaleSpec };
  readonly strategy: ResourceStrategy;
  /** The resource's own storage, if it has one. */
  readonly storage?: StorageFactory;
  /**
   * True when the definition is plain data (no hooks, conversion, column functions or storage):
   * the stock server can serve it from its JSON (see `declarativeData`).
   */
  readonly declarative: boolean;
  /** The spec it was defined from. */
  readonly spec: ResourceSpec;
}

/** One version, normalized: the full object schema, columns and selectable fields ready to use. */
export interface ResourceVersion {
  readonly name: string;
  readonly served: boolean;
  /** The warning every request in this version gets, when deprecated. */
  readonly deprecationWarning?: string;
  /** The whole object's structural schema, with apiVersion, kind and metadata. */
  readonly schema: JSONSchema;
  /** `kubectl get` columns after NAME; priority > 0 shows only with `-o wide`. */
  readonly columns: readonly TableColumn[];
  /** Field selectors this version accepts besides metadata.name and metadata.namespace. */
  readonly selectableFields: readonly SelectableField[];
  /** The schema's `x-kubernetes-validations`, compiled. */
  readonly rules: CompiledRules;
  /** Converts an object of this version into the storage version. */
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
  /** The cell's value; dates are RFC 3339 strings, shown as ages. Undefined shows `<none>`. */
  cell(object: KubeObject): string | number | boolean | undefined;
}

export interface SelectableField {
  /** The selector's field name, e.g. `spec.color`. */
  readonly field: string;
  /** The field's value as a selector compares it; undefined when absent. */
  value(object: KubeObject): string | undefined;
}

/** A schema's CEL validation rules, compiled once. */
export interface CompiledRules {
  /** True when the schema has no rules: nothing to evaluate. */
  readonly empty: boolean;
  /**
   * Evaluates every rule on `object`, transition rules against `old` (an update), within the
   * cost budget, and returns a cause per failed rule as kube-apiserver reports it.
   */
  validate(object: unknown, old: unknown): StatusCause[];
}
