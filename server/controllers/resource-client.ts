import type { ResourceDefinition, ResourceVersion } from '../../api/resource-definition.js';
import type { UserInfo } from '../../api/resource-spec.js';
import type { KubeList, KubeObject } from '../../api/types.js';
import { decodeObject } from '../http/object-decoder.js';
import type { RequestScope } from '../registry/request-scope.js';
import type { DeleteOptions, Store, StoreWatch } from '../registry/store.js';
import type { Logger } from '../util/logger.js';

/** Which objects a list or watch returns. */
export interface ObjectSelection {
  /** One namespace; all namespaces when unset (namespaced resources). */
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

export interface ClientListOptions extends ObjectSelection {
  readonly limit?: number;
  readonly continue?: string;
}

export interface ClientWatchOptions extends ObjectSelection {
  /** Changes after this version; unset: the current state first (`initial`), then changes. */
  readonly resourceVersion?: string;
}

/**
 * A client of one of the server's own resources, in one version, without HTTP: what a
 * controller uses. Failures are the `ApiError`s an HTTP client would get as a `Status`
 * (404 NotFound, 409 Conflict, 422 Invalid, ...).
 */
export interface ResourceClient {
  readonly definition: ResourceDefinition;
  /** The version objects come and go in. */
  readonly version: string;
  get(namespace: string | undefined, name: string): Promise<KubeObject>;
  list(options?: ClientListOptions): Promise<KubeList>;
  /** Opens a watch; it ends when `signal` aborts, and storage failures (410 Expired) are thrown by `events`. */
  watch(options: ClientWatchOptions, signal: AbortSignal): Promise<StoreWatch>;
  create(object: KubeObject): Promise<KubeObject>;
  /** Replaces the object; `metadata.resourceVersion` is required (409 Conflict when stale). */
  update(object: KubeObject): Promise<KubeObject>;
  /** Replaces the object's status through the status subresource; spec and metadata stay as stored. */
  updateStatus(object: KubeObject): Promise<KubeObject>;
  /** Deletes the object; answers it as deleted or, while finalizers hold it, as marked for deletion. */
  delete(namespace: string | undefined, name: string, options?: DeleteOptions): Promise<KubeObject>;
}

/** The identity of the server's own requests, as kube-apiserver's loopback client has. */
export const serverIdentity: UserInfo = {
  name: 'system:apiserver',
  groups: ['system:authenticated', 'system:masters'],
};

/** A ResourceClient over a Store: requests take the path HTTP ones take after authorization. */
export class InProcessResourceClient implements ResourceClient {
  private readonly resourceVersion: ResourceVersion;

  constructor(
    private readonly store: Store,
    version: string,
    private readonly fieldManager: string,
    private readonly log: Logger,
  ) {
    const found = store.definition.versions.find((v) => v.name === version);
    if (!found) {
      throw new Error(
        `${store.definition.plural}.${store.definition.group} has no served version ${version}`,
      );
    }
    this.resourceVersion = found;
  }

  get definition(): ResourceDefinition {
    return this.store.definition;
  }

  get version(): string {
    return this.resourceVersion.name;
  }

  get(namespace: string | undefined, name: string): Promise<KubeObject> {
    return this.store.get(this.scope(namespace), name);
  }

  list(options: ClientListOptions = {}): Promise<KubeList> {
    const { namespace, ...query } = options;
    return this.store.list(this.scope(namespace), query);
  }

  watch(options: ClientWatchOptions, signal: AbortSignal): Promise<StoreWatch> {
    const { namespace, ...query } = options;
    return this.store.watch(this.scope(namespace), query, signal);
  }

  async create(object: KubeObject): Promise<KubeObject> {
    const scope = this.scope(object.metadata?.namespace);
    const result = await this.store.create(scope, decodeObject(this.definition, scope, object));
    return this.done(scope, 'create', result.object);
  }

  async update(object: KubeObject): Promise<KubeObject> {
    const scope = this.scope(object.metadata?.namespace);
    const name = object.metadata?.name ?? '';
    const result = await this.store.update(scope, name, decodeObject(this.definition, scope, object));
    return this.done(scope, 'update', result.object);
  }

  async updateStatus(object: KubeObject): Promise<KubeObject> {
    const scope = this.scope(object.metadata?.namespace);
    const name = object.metadata?.name ?? '';
    const decoded = decodeObject(this.definition, scope, object);
    const result = await this.store.update(scope, name, decoded, 'status');
    return this.done(scope, 'update status', result.object);
  }

  async delete(
    namespace: string | undefined,
    name: string,
    options: DeleteOptions = {},
  ): Promise<KubeObject> {
    const scope = this.scope(namespace);
    const result = await this.store.delete(scope, name, options);
    return this.done(scope, 'delete', result.object);
  }

  /** The server's own writes are strict (unknown fields are an error); warnings go to the log. */
  private scope(namespace: string | undefined): RequestScope {
    return {
      namespace: this.definition.namespaced ? namespace : undefined,
      version: this.resourceVersion,
      user: serverIdentity,
      dryRun: false,
      fieldManager: this.fieldManager,
      fieldValidation: 'Strict',
      warnings: [],
    };
  }

  private done(scope: RequestScope, verb: string, object: KubeObject): KubeObject {
    for (const warning of scope.warnings) {
      this.log.info(2, 'warning on a write of the server itself', {
        manager: this.fieldManager,
        verb,
        resource: `${this.definition.plural}.${this.definition.group}`,
        name: object.metadata.name,
        warning,
      });
    }
    return object;
  }
}
