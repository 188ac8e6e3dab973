/**
 * The patch mechanisms kube-apiserver offers besides apply, as pure functions: no HTTP, no
 * storage, no field ownership. Inputs are never modified; every failure is an ApiError with
 * kube's code.
 *
 * - applyPatch(kind: 'json' | 'merge' | 'strategic', live: KubeObject, patchBody: Buffer | string, schema: JSONSchema): KubeObject
 *   (also applyJsonPatch(live, body), applyMergePatch(live, body), applyStrategicMergePatch(live, body, schema))
 *
 * The caller records the write's field ownership with updateManagedFields (server/fieldmanager).
 */
export { applyPatch, type NonApplyPatchType } from './apply-patch.js';
export { applyJsonPatch, MAX_JSON_PATCH_OPERATIONS } from './json-patch.js';
export { applyMergePatch, mergePatchValue } from './merge-patch.js';
export { applyStrategicMergePatch } from './strategic-merge-patch.js';
export { checkPatchBody, checkPatchedObject } from './patch-limits.js';
