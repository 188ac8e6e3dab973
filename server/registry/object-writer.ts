import { randomUUID } from 'node:crypto';
import type { ResourceRef } from '../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import type { ResourceDefinition } from '../../api/resource-definition.js';
import { copyObject } from './object-copy.js';
import { updateManagedFields } from '../fieldmanager/index.js';
import type { RequestScope } from './request-scope.js';
import type { Subresource } from './store-types.js';

/**
 * Decides the system-owned parts of an object being written, in the client's version: uid,
 * timestamps, what a status write may change and what a main-resource write may not, and the
 * managedFields entry of the writer. kube-apiserver does this in its rest.BeforeCreate and
 * BeforeUpdate with the resource's strategy.
 */
export class ObjectWriter {
  constructor(
    private readonly definition: ResourceDefinition,
    private readonly ref: ResourceRef,
    private readonly clock: () => Date,
  ) {}

  /** RFC 3339 at second precision, like metav1.Time. */
  timestamp(): string {
    return this.clock()
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
  }

  prepareCreate(scope: RequestScope, incoming: KubeObject, managedFieldsSet: boolean): KubeObject {
    const object = copyObject(incoming);
    const meta = object.metadata;
    meta.uid = randomUUID();
    meta.creationTimestamp = this.timestamp();
    meta.generation = 1;
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    // With a status subresource, status is written only through /status (kube drops it on create).
    if (this.definition.subresources.status) delete object.status;
    if (managedFieldsSet) return object;
    return this.withManagedFields(scope, undefined, object, undefined);
  }

  prepareUpdate(
    scope: RequestScope,
    incoming: KubeObject,
    live: KubeObject,
    subresource: Subresource | undefined,
    managedFieldsSet: boolean,
  ): KubeObject {
    let object = copyObject(incoming);
    if (this.definition.subresources.status) {
      if (subresource === 'status') {
        // Only status changes through /status; metadata and spec stay as they are.
        object = {
          ...copyObject(live),
          status: object.status,
          metadata: { ...copyObject(live.metadata), managedFields: object.metadata.managedFields },
        };
        if (object.status === undefined) delete object.status;
      } else if (live.status === undefined) delete object.status;
      else object.status = copyObject(live.status);
    }
    const meta = object.metadata;
    const before = live.metadata;
    // A uid the client sent must match (checked as an immutable field); none means the stored one.
    meta.uid ||= before.uid;
    meta.creationTimestamp = before.creationTimestamp;
    meta.namespace = before.namespace;
    meta.generation = before.generation;
    meta.resourceVersion = before.resourceVersion;
    meta.deletionTimestamp = before.deletionTimestamp;
    meta.deletionGracePeriodSeconds = before.deletionGracePeriodSeconds;
    if (meta.deletionTimestamp === undefined) delete meta.deletionTimestamp;
    if (meta.deletionGracePeriodSeconds === undefined) delete meta.deletionGracePeriodSeconds;
    if (managedFieldsSet) return object;
    return this.withManagedFields(scope, live, object, subresource);
  }

  private withManagedFields(
    scope: RequestScope,
    live: KubeObject | undefined,
    updated: KubeObject,
    subresource: Subresource | undefined,
  ): KubeObject {
    return updateManagedFields({
      live,
      updated,
      manager: scope.fieldManager,
      schema: scope.version.schema,
      apiVersion: `${this.ref.group}/${scope.version.name}`,
      subresource,
      now: this.clock(),
      resetFields: resetFieldsFor(this.definition, subresource),
    });
  }
}

/** What a write through this endpoint may not own: status on the main resource, spec through /status. */
export function resetFieldsFor(
  definition: ResourceDefinition,
  subresource: Subresource | undefined,
): string[][] {
  if (!definition.subresources.status) return [];
  return subresource === 'status' ? [['spec']] : [['status']];
}
