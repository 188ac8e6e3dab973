/**
 * Patching and field ownership, as kube-apiserver does them, as pure functions: no HTTP, no
 * storage. Inputs are never modified; every failure is an ApiError with kube's code.
 *
 * The generic PATCH handler:
 *
 *   const type = patchTypeForContentType(req.headers['content-type']);      // 415 otherwise
 *   validatePatchOptions({ patchType: type, fieldManager, force });          // 422 PatchOptions
 *   if (type === 'apply') {
 *     const object = serverSideApply({
 *       live,                                   // undefined: the apply creates the object
 *       applied: parseApplyPatchBody(body),     // YAML or JSON; 400 "error decoding YAML"
 *       manager: fieldManager, force: force ?? false,
 *       schema, apiVersion: 'metrics.example.com/v1', kind: 'MetricSnapshot',
 *       subresource,                            // 'status' on /status
 *       resource: { group, resource: 'metricsnapshots' },
 *       resetFields,                            // e.g. [['status']] on the main resource
 *       now: new Date(),
 *     });                                       // managedFields already updated; 409 on conflicts
 *   } else {
 *     if (!live) throw errors.notFound(...);   // only apply creates
 *     const patched = applyPatch(type, live, body, schema);
 *     const object = updateManagedFields({
 *       live, updated: patched,
 *       manager: fieldManager || managerFromUserAgent(userAgent),
 *       schema, apiVersion, subresource, resetFields, now: new Date(),
 *     });
 *   }
 *
 * Create (POST) and update (PUT) call updateManagedFields too (`live` undefined for a create),
 * after validateWriteOptions('CreateOptions' | 'UpdateOptions', fieldManager).
 *
 * Signatures:
 * - patchTypeForContentType(contentType?: string, allowed?: PatchType[]): PatchType
 * - applyPatch(kind: 'json' | 'merge' | 'strategic', live: KubeObject, patchBody: Buffer | string, schema: JSONSchema): KubeObject
 *   (also applyJsonPatch(live, body), applyMergePatch(live, body), applyStrategicMergePatch(live, body, schema))
 * - parseApplyPatchBody(body: Buffer | string): JsonObject
 * - serverSideApply(args: ServerSideApplyArgs): KubeObject
 * - updateManagedFields(args: UpdateManagedFieldsArgs): KubeObject
 * - managerFromUserAgent(userAgent?: string): string
 * - validatePatchOptions({ patchType, fieldManager?, force? }): void; validateWriteOptions(kind, fieldManager?): void
 *
 * The schema is the structural schema of the request's version; `apiVersion`, `kind` and
 * `metadata` are handled as kube defines them whatever it says (labels/annotations granular,
 * finalizers a set, ownerReferences a map list keyed by uid).
 */
export { applyPatch, type NonApplyPatchType } from './apply-patch.js';
export {
  contentTypeForPatchType,
  PATCH_CONTENT_TYPES,
  patchTypeForContentType,
  type PatchType,
} from './content-type.js';
export { FieldSet } from './field-set.js';
export { fieldPathString, type FieldPath, type PathElement } from './field-path.js';
export { applyJsonPatch, MAX_JSON_PATCH_OPERATIONS } from './json-patch.js';
export type { JsonObject, JsonValue } from './json-value.js';
export {
  BEFORE_FIRST_APPLY_MANAGER,
  decodeManagedFields,
  encodeManagedFields,
  formatTime,
  managerFromUserAgent,
  MAX_UPDATE_MANAGERS,
  updateManagedFields,
  type UpdateManagedFieldsArgs,
} from './managed-fields.js';
export { applyMergePatch, mergePatchValue } from './merge-patch.js';
export {
  FIELD_MANAGER_MAX_LENGTH,
  fieldManagerCauses,
  validatePatchOptions,
  validateWriteOptions,
} from './patch-options.js';
export { OBJECT_META_SCHEMA } from '../../../api/object-meta-schema.js';
export { parseApplyPatchBody, serverSideApply, type ServerSideApplyArgs } from './server-side-apply.js';
export { applyStrategicMergePatch } from './strategic-merge-patch.js';
