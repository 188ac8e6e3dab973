import type { ResourceDefinition } from '../../api/resource-definition.js';
import type { UserInfo } from '../../api/resource-spec.js';
import type { KubeObject } from '../../api/types.js';

/**
 * What an admission plugin is told about one write, as k8s.io/apiserver's admission.Attributes:
 * the operation, the objects in the version the client speaks, who asks, where, and whether
 * anything will be stored.
 */
export interface AdmissionAttributes {
  readonly operation: 'CREATE' | 'UPDATE' | 'DELETE';
  readonly definition: ResourceDefinition;
  /** The group, version and resource of the request (`metrics.example.com`, `v1`, `metricsnapshots`). */
  readonly resource: { readonly group: string; readonly version: string; readonly resource: string };
  /** `status` or `scale` for writes through a subresource. */
  readonly subresource?: string;
  readonly kind: { readonly group: string; readonly version: string; readonly kind: string };
  readonly name: string;
  /** The object's namespace, for namespaced resources. */
  readonly namespace?: string;
  /** The object to be stored (CREATE, UPDATE); mutating plugins may change it. */
  readonly object?: KubeObject;
  /** The stored object (UPDATE, DELETE). */
  readonly oldObject?: KubeObject;
  readonly user: UserInfo;
  readonly dryRun: boolean;
  /** CreateOptions, UpdateOptions, PatchOptions or DeleteOptions, as meta/v1 objects. */
  readonly options: Readonly<Record<string, unknown>>;
  /** Collected into `Warning` response headers. */
  readonly warnings: string[];
  /** Adds an annotation to the request's audit event (when the request is audited). */
  readonly addAuditAnnotation?: (key: string, value: string) => void;
}

/**
 * One admission plugin. Mutating plugins implement `admit` and return the object to use
 * (changed or not); validating plugins implement `validate`. Either refuses a write by throwing
 * an ApiError (a `Status`), e.g. `errors.forbidden(...)`.
 */
export interface AdmissionPlugin {
  /** The name `--disable-admission-plugins` refers to, e.g. `NamespaceLifecycle`. */
  readonly name: string;
  admit?(attributes: AdmissionAttributes): Promise<KubeObject | undefined>;
  validate?(attributes: AdmissionAttributes): Promise<void>;
  /** Starts what the plugin watches (informers); resolved once it can decide. */
  start?(): Promise<void>;
  stop?(): Promise<void>;
}
