import { errors } from '../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import {
  bodyText,
  cloneJson,
  getMember,
  isJsonObject,
  kubeObjectToJson,
  setMember,
  type JsonValue,
} from '../util/json-value.js';
import { asPatchedObject } from './patch-errors.js';

/**
 * RFC 7386 JSON merge patch of `target` by `patch`, as a new value (neither input changes):
 * objects merge member by member, `null` deletes a member, anything else (arrays included)
 * replaces. Nulls inside newly added objects are dropped, as evanphx/json-patch does.
 */
export function mergePatchValue(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isJsonObject(patch)) return cloneJson(patch);
  const result = isJsonObject(target) ? cloneJson(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete result[key];
    } else {
      setMember(result, key, mergePatchValue(getMember(result, key), value));
    }
  }
  return result;
}

/**
 * Applies a JSON merge patch (`application/merge-patch+json`) to `live`, returning a new
 * object. As in kube: a body that is not JSON, `null` or a scalar is 400 BadRequest
 * ("Invalid JSON Patch"); an array replaces the whole document and so fails as 422 Invalid.
 */
export function applyMergePatch(live: KubeObject, patchBody: Buffer | string): KubeObject {
  let patch: JsonValue;
  try {
    patch = JSON.parse(bodyText(patchBody)) as JsonValue;
  } catch {
    throw errors.badRequest('Invalid JSON Patch');
  }
  if (patch === null || (typeof patch !== 'object' && !Array.isArray(patch))) {
    throw errors.badRequest('Invalid JSON Patch');
  }
  return asPatchedObject(mergePatchValue(kubeObjectToJson(live), patch));
}
