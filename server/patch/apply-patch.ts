import type { JSONSchema } from '../../api/json-schema.js';
import type { KubeObject } from '../../api/types.js';
import { applyJsonPatch } from './json-patch.js';
import { applyMergePatch } from './merge-patch.js';
import { checkPatchBody, checkPatchedObject } from './patch-limits.js';
import { applyStrategicMergePatch } from './strategic-merge-patch.js';

/** The patch types that transform an object without tracking ownership (apply is serverSideApply). */
export type NonApplyPatchType = 'json' | 'merge' | 'strategic';

/**
 * Applies a JSON patch, JSON merge patch or strategic merge patch body to `live` and returns
 * the patched object (a new object; `live` is not modified). The caller then records the
 * write with updateManagedFields. Errors are ApiErrors with kube's codes (see each mechanism);
 * a body nested too deeply is 400 and a result past the shape limits 422 (see patch-limits.ts).
 */
export function applyPatch(
  kind: NonApplyPatchType,
  live: KubeObject,
  patchBody: Buffer | string,
  schema: JSONSchema,
): KubeObject {
  checkPatchBody(patchBody);
  return checkPatchedObject(mechanism(kind, live, patchBody, schema));
}

function mechanism(
  kind: NonApplyPatchType,
  live: KubeObject,
  patchBody: Buffer | string,
  schema: JSONSchema,
): KubeObject {
  switch (kind) {
    case 'json':
      return applyJsonPatch(live, patchBody);
    case 'merge':
      return applyMergePatch(live, patchBody);
    case 'strategic':
      return applyStrategicMergePatch(live, patchBody, schema);
  }
}
