import type { JSONSchema } from './json-schema.js';
import type { Storage } from './storage.js';
import type { KubeObject, StatusCause } from './types.js';

/**
 * What a user writes to define one resource type: the argument of `defineResource`. Without
 * functions (hooks, conversion, column functions, storage) it is plain data, and then it is
 * also what the stock server loads from a ConfigMap (see `declarativeData`).
 */
export interface ResourceSpec {
  /** The API group: a DNS subdomain with at least one dot, e.g. `widgets.acme.io`. */
  readonly group: string;
  /** The kind, in UpperCamelCase, e.g. `Widget`. */
  readonly kind: string;
  /**
   * The lower-case plural, the URL segment and the RBAC resource, e.g. `widgets`.
   * @default - the kind in lower case plus `s`
   */
  readonly plural?: string;
  /** The lower-case singular, e.g. `widget`. @default - the kind in lower case */
  readonly singular?: string;
  /** Short names for kubectl, e.g. `['wd']`. @default [] */
  readonly shortNames?: readonly string[];
  /** Categories for kubectl (`kubectl get all` lists the `all` category). @default [] */
  readonly categories?: readonly string[];
  /** Whether objects live in namespaces. @default 'Namespaced' */
  readonly scope?: 'Namespaced' | 'Cluster';
  /** The versions, most preferred first. At least one. */
  readonly versions: readonly VersionSpec[];
  /**
   * The version objects are stored in; every other version converts through it. It must be served.
   * @default - the only version; required when there are several
   */
  readonly storageVersion?: string;
  /** Subresources served besides the resource itself. @default - none */
  readonly subresources?: SubresourcesSpec;
  /** Resource-specific rules, run on the storage version (see ResourceStrategy). @default - none */
  readonly strategy?: ResourceStrategy;
  /**
   * A storage of the resource's own instead of the server's backend (the flags' embedded
   * database or etcd), as apiserver-runtime's `WithResourceAndStorage`. Called once at startup;
   * import heavy dependencies inside it, so that code which only deploys the definition (the
   * constructs) does not load them.
   * @default - the server's backend
   */
  readonly storage?: StorageFactory;
}

/** One version of a resource, as a CRD's `spec.versions[]` describes it. */
export interface VersionSpec {
  /** The version name, e.g. `v1`, `v1beta1`, `v2alpha1`. */
  readonly name: string;
  /** Whether the version is served (and gets an APIService). @default true */
  readonly served?: boolean;
  /** Whether to warn clients that use this version. @default false */
  readonly deprecated?: boolean;
  /** The warning deprecated versions return. @default '<group>/<version> <Kind> is deprecated' */
  readonly deprecationWarning?: string;
  /**
   * The structural OpenAPI v3 schema of the whole object (a CRD's `openAPIV3Schema`): `spec`,
   * `status` and anything else at the top level. `apiVersion`, `kind` and `metadata` are
   * added when absent. `x-kubernetes-validations` rules are evaluated on every write.
   */
  readonly schema: JSONSchema;
  /** Columns of `kubectl get` after NAME. @default - AGE only */
  readonly printerColumns?: readonly PrinterColumnSpec[];
  /** Fields that field selectors may use besides `metadata.name` and `metadata.namespace`. @default [] */
  readonly selectableFields?: readonly SelectableFieldSpec[];
  /**
   * Conversion between this version and the storage version; both directions must be lossless.
   * @default - only `apiVersion` changes (a CRD's `None` conversion strategy)
   */
  readonly conversion?: VersionConversion;
}

/** Converts objects of one version to and from the storage version. */
export interface VersionConversion {
  /** An object of this version, in the storage version. */
  toStorage(object: KubeObject): KubeObject;
  /** A stored object, in this version. */
  fromStorage(object: KubeObject): KubeObject;
}

/** A column of `kubectl get`, as a CRD's `additionalPrinterColumns`, or computed by a function. */
export interface PrinterColumnSpec {
  /** The header, e.g. `Replicas`. */
  readonly name: string;
  /** The OpenAPI type; `date` shows as an age. */
  readonly type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  /** An OpenAPI format hint, e.g. `int32`. @default - none */
  readonly format?: string;
  /** What the column shows. @default - none */
  readonly description?: string;
  /** 0 shows always; greater only with `kubectl get -o wide`. @default 0 */
  readonly priority?: number;
  /** A JSONPath into the object, e.g. `.spec.replicas`. Exactly one of `jsonPath` and `value`. */
  readonly jsonPath?: string;
  /** Computes the cell from the object (in this column's version). Exactly one of `jsonPath` and `value`. */
  readonly value?: (object: KubeObject) => string | number | boolean | undefined;
}

/** A field usable in field selectors, as a CRD's `selectableFields`. */
export interface SelectableFieldSpec {
  /** A JSONPath to a string, integer or boolean field, e.g. `.spec.color`. */
  readonly jsonPath: string;
}

/** The subresources of a resource. */
export interface SubresourcesSpec {
  /**
   * Serve `/status`: status is then written only through it, and writes to the resource itself
   * leave status alone (and only spec changes bump `metadata.generation`).
   * @default false
   */
  readonly status?: boolean;
  /** Serve `/scale` (autoscaling/v1 Scale), for `kubectl scale` and autoscalers. @default - not served */
  readonly scale?: ScaleSpec;
}

/** Where the `/scale` subresource reads and writes, as a CRD's `subresources.scale`. */
export interface ScaleSpec {
  /** JSONPath of the desired replicas under `.spec`, e.g. `.spec.replicas`. */
  readonly specReplicasPath: string;
  /** JSONPath of the observed replicas under `.status`, e.g. `.status.replicas`. */
  readonly statusReplicasPath: string;
  /** JSONPath of the label selector string under `.status`, e.g. `.status.selector`. @default - none */
  readonly labelSelectorPath?: string;
}

/** Who asks, and for what: passed to every strategy hook. */
export interface RequestContext {
  readonly user: UserInfo;
  readonly operation: 'CREATE' | 'UPDATE' | 'DELETE';
  /** The namespace of the object, for namespaced resources. */
  readonly namespace?: string;
  /** `status` or `scale` when the write came through a subresource. */
  readonly subresource?: string;
  /** Nothing will be stored (`dryRun=All`): hooks must not have side effects. */
  readonly dryRun: boolean;
}

/** An authenticated user, as the authenticator (or the front proxy) asserted them. */
export interface UserInfo {
  readonly name: string;
  readonly uid?: string;
  readonly groups: readonly string[];
  readonly extra?: Readonly<Record<string, readonly string[]>>;
}

/**
 * Resource-specific rules, modelled on k8s.io/apiserver's REST create and update strategies.
 * Every hook sees objects in the storage version and may change `object` in place. The generic
 * machinery already does what every resource needs (uid, timestamps, generation, status reset
 * with a status subresource, schema defaults and validation, CEL rules); hooks add to it.
 */
export interface ResourceStrategy {
  /** Defaults the schema's `default`s cannot express; runs on every create and update. */
  default?(object: KubeObject, context: RequestContext): void;
  /** Clears or sets what a create may not choose, e.g. a status the server computes. */
  prepareForCreate?(object: KubeObject, context: RequestContext): void;
  /** Carries over or resets what an update may not change. */
  prepareForUpdate?(object: KubeObject, old: KubeObject, context: RequestContext): void;
  /** Semantic checks of a new object, as causes with field paths (`spec.size`). */
  validateCreate?(object: KubeObject, context: RequestContext): StatusCause[];
  /** Semantic checks of an update, given the stored object. */
  validateUpdate?(object: KubeObject, old: KubeObject, context: RequestContext): StatusCause[];
  /** Non-fatal advice on a create, returned as `Warning` headers. */
  warningsOnCreate?(object: KubeObject, context: RequestContext): string[];
  /** Non-fatal advice on an update, returned as `Warning` headers. */
  warningsOnUpdate?(object: KubeObject, old: KubeObject, context: RequestContext): string[];
}

/** Opens a resource's own storage. */
export type StorageFactory = (context: StorageContext) => Storage | Promise<Storage>;

/** What a storage factory is told. */
export interface StorageContext {
  /** The server's data directory (`--data-dir`), for storages that keep files. */
  readonly dataDir: string;
  /**
   * The prefix of this resource's keys (`<root>/<group>/<plural>/`); every key the server
   * passes starts with it (see `storageKey`).
   */
  readonly keyPrefix: string;
}
