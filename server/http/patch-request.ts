import { errors, type ResourceRef } from '../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import type { RequestScope } from '../registry/request-scope.js';
import { parseApplyPatchBody, serverSideApply } from '../fieldmanager/index.js';
import { applyPatch, checkPatchedObject } from '../patch/index.js';
import type { PatchType } from './write-options/index.js';

export interface PatchRequest {
  readonly patchType: PatchType;
  readonly body: Buffer;
  /** The object as it is now, in the request's version; undefined only for an apply that creates. */
  readonly live: KubeObject | undefined;
  readonly scope: RequestScope;
  readonly force: boolean;
  readonly ref: ResourceRef;
  readonly kind: string;
  readonly name: string;
  /** Fields this endpoint does not let the request own (status on the main resource, spec on /status). */
  readonly resetFields: readonly (readonly string[])[];
  readonly subresource?: 'status';
}

/**
 * Applies one PATCH body to the live object. Server-side apply also settles field ownership
 * (managedFields), so the store must not record an Update entry on top of it.
 */
export function applyRequestPatch(request: PatchRequest): { object: KubeObject; managedFieldsSet: boolean } {
  const { live, body, scope } = request;
  const apiVersion = `${request.ref.group}/${scope.version.name}`;
  if (request.patchType === 'apply') {
    const object = serverSideApply({
      live,
      applied: parseApplyPatchBody(body),
      manager: scope.fieldManager,
      force: request.force,
      schema: scope.version.schema,
      apiVersion,
      kind: request.kind,
      subresource: request.subresource,
      now: new Date(),
      resource: request.ref,
      resetFields: request.resetFields,
    });
    return { object: checkPatchedObject(object), managedFieldsSet: true };
  }
  if (!live) throw errors.notFound(request.ref, request.name);
  return { object: applyPatch(request.patchType, live, body, scope.version.schema), managedFieldsSet: false };
}
