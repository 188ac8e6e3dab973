/**
 * Field ownership as kube-apiserver tracks it (k8s.io/apiserver fieldmanager over
 * sigs.k8s.io/structured-merge-diff), as pure functions: field paths and sets, typed merge,
 * compare and prune driven by the structural schema, managedFields, and server-side apply.
 * Inputs are never modified; every failure is an ApiError with kube's code.
 *
 * The generic PATCH handler:
 *
 *   const type = patchTypeForContentType(req.headers['content-type']);      // 415 otherwise (server/http/write-options)
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
 *     const patched = applyPatch(type, live, body, schema);                // server/patch
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
 * - parseApplyPatchBody(body: Buffer | string): JsonObject
 * - serverSideApply(args: ServerSideApplyArgs): KubeObject
 * - updateManagedFields(args: UpdateManagedFieldsArgs): KubeObject
 *
 * The schema is the structural schema of the request's version; `apiVersion`, `kind` and
 * `metadata` are handled as kube defines them whatever it says (labels/annotations granular,
 * finalizers a set, ownerReferences a map list keyed by uid).
 */
export { FieldSet } from './field-set.js';
export { fieldPathString, type FieldPath, type PathElement } from './field-path.js';
export type { JsonObject, JsonValue } from '../util/json-value.js';
export {
  BEFORE_FIRST_APPLY_MANAGER,
  decodeManagedFields,
  encodeManagedFields,
  formatTime,
  MAX_UPDATE_MANAGERS,
  updateManagedFields,
  type UpdateManagedFieldsArgs,
} from './managed-fields.js';
export { OBJECT_META_SCHEMA } from '../../api/object-meta-schema.js';
export { parseApplyPatchBody, serverSideApply, type ServerSideApplyArgs } from './server-side-apply.js';
