import { ApiError } from '../api/errors.js';
import {
  bodyShapeError,
  jsonTextTooDeep,
  MAX_NESTING_DEPTH,
  shapeProblem,
  shapeProblemMessage,
} from '../api/request-limits.js';
import type { KubeObject } from '../../api/types.js';
import { bodyText } from '../util/json-value.js';

/**
 * The limits of ../api/request-limits.ts around a patch: its JSON body may not nest too deeply
 * (400, before any patch code recurses into it), and neither may what it produces nor may the
 * result hold an oversized list (422 on the field `patch`, as kube answers a patched object it
 * cannot decode).
 */

/** Throws 400 if a JSON patch body nests past the limit. */
export function checkPatchBody(patchBody: Buffer | string): void {
  if (jsonTextTooDeep(bodyText(patchBody))) throw bodyShapeError({ kind: 'depth', limit: MAX_NESTING_DEPTH });
}

/** Throws 422 if the patched object breaks a shape limit; returns it otherwise. */
export function checkPatchedObject(object: KubeObject): KubeObject {
  const problem = shapeProblem(object);
  if (!problem) return object;
  throw new ApiError({
    code: 422,
    reason: 'Invalid',
    message: `the patched object is not acceptable: ${shapeProblemMessage(problem)}`,
    details: {
      causes: [{ reason: 'FieldValueInvalid', field: 'patch', message: shapeProblemMessage(problem) }],
    },
  });
}
