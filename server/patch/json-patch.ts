import jsonpatch from 'fast-json-patch';
import { ApiError, errors } from '../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import { bodyText, isJsonObject, kubeObjectToJson, type JsonValue } from '../util/json-value.js';
import {
  isStackOverflow,
  MAX_JSON_PATCH_COPY_BYTES,
  MAX_JSON_PATCH_OPERATIONS,
} from '../api/request-limits.js';
import { asPatchedObject, jsonTypeName, patchUnprocessable } from './patch-errors.js';

export { MAX_JSON_PATCH_OPERATIONS } from '../api/request-limits.js';

/**
 * Applies an RFC 6902 JSON patch (`application/json-patch+json`) to `live`, returning a new
 * object; `live` is never modified. Error codes follow kube-apiserver:
 * - a body that is not a JSON array of objects: 400 BadRequest;
 * - more than 10000 operations: 413 RequestEntityTooLarge;
 * - an operation that cannot be applied (unknown op, missing path, failed `test`, bad index):
 *   422 Invalid with kube's fixed message, the reason in `details.causes`;
 * - `copy` operations that together add more than 3 MiB of JSON: 422 Invalid, as kube's
 *   JSONPatchMaxCopyBytes (without it, a few dozen copies of a subtree into itself double the
 *   document each time);
 * - a result that is not an object: 422 Invalid on the field `patch`.
 * A `null` body is an empty patch, as in kube.
 */
export function applyJsonPatch(live: KubeObject, patchBody: Buffer | string): KubeObject {
  const operations = decodeOperations(patchBody);
  if (operations.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new ApiError({
      code: 413,
      reason: 'RequestEntityTooLarge',
      message: `Request entity too large: The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${operations.length}`,
    });
  }
  let result: JsonValue = kubeObjectToJson(live);
  let copied = 0;
  operations.forEach((operation, index) => {
    try {
      if (operation.op === 'copy') {
        copied += copySize(result, operation.from);
        if (copied > MAX_JSON_PATCH_COPY_BYTES) {
          throw patchUnprocessable(
            `Unable to complete the copy, the accumulated size increase of copy is ${copied}, exceeding the limit ${MAX_JSON_PATCH_COPY_BYTES}`,
            operation.path,
          );
        }
      }
      // The document is our own copy and the operations were parsed from the body, so the
      // library may work in place; `true` turns on its per-operation validation, and
      // prototype modifications (`/__proto__/...`) stay banned.
      result = jsonpatch.applyOperation<JsonValue>(result, operation, true, true, true, index).newDocument;
    } catch (error) {
      throw error instanceof ApiError ? error : operationError(error);
    }
  });
  return asPatchedObject(result);
}

/** The bytes of JSON a `copy` from `from` adds (0 when it does not resolve: the library reports that). */
function copySize(document: JsonValue, from: unknown): number {
  if (typeof from !== 'string') return 0;
  let value: unknown;
  try {
    value = jsonpatch.getValueByPointer(document, from);
  } catch {
    return 0;
  }
  return value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value));
}

function decodeOperations(patchBody: Buffer | string): jsonpatch.Operation[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText(patchBody));
  } catch (error) {
    throw errors.badRequest(error instanceof Error ? error.message : String(error));
  }
  if (parsed === null) return [];
  if (!Array.isArray(parsed)) {
    throw errors.badRequest(
      `json: cannot unmarshal ${jsonTypeName(parsed as JsonValue)} into Go value of type jsonpatch.Patch`,
    );
  }
  for (const operation of parsed as JsonValue[]) {
    if (!isJsonObject(operation)) {
      throw errors.badRequest(
        `json: cannot unmarshal ${jsonTypeName(operation)} into Go value of type jsonpatch.Operation`,
      );
    }
  }
  // Shapes of the individual operations are checked by the library while applying, which
  // is where kube reports them too (422).
  return parsed as jsonpatch.Operation[];
}

function operationError(error: unknown): ApiError {
  if (error instanceof jsonpatch.JsonPatchError) {
    const operation: unknown = error.operation;
    const op = isJsonObject(operation) && typeof operation.op === 'string' ? operation.op : 'unknown';
    const path = isJsonObject(operation) && typeof operation.path === 'string' ? operation.path : '';
    const from = isJsonObject(operation) && typeof operation.from === 'string' ? operation.from : '';
    const where = error.index === undefined ? '' : ` (operation ${error.index})`;
    return patchUnprocessable(`${describe(error.name, op, path, from)}${where}`, path || undefined);
  }
  // Anything else is the engine's or the library's own failure: described, never echoed.
  return patchUnprocessable(
    isStackOverflow(error)
      ? 'the patched document is nested too deeply'
      : 'the operation could not be applied',
  );
}

function describe(name: string, op: string, path: string, from: string): string {
  switch (name) {
    case 'OPERATION_OP_INVALID':
      return `Unexpected kind: ${op}`;
    case 'OPERATION_PATH_INVALID':
      return `${op} operation has an invalid path ${JSON.stringify(path)}`;
    case 'OPERATION_FROM_REQUIRED':
      return `${op} operation requires "from"`;
    case 'OPERATION_VALUE_REQUIRED':
      return `${op} operation requires a value`;
    case 'OPERATION_VALUE_CANNOT_CONTAIN_UNDEFINED':
      return `${op} operation has an invalid value`;
    case 'OPERATION_PATH_CANNOT_ADD':
      return `${op} operation does not apply: doc is missing path: ${JSON.stringify(path)}`;
    case 'OPERATION_PATH_UNRESOLVABLE':
      return `${op} operation does not apply: doc is missing key: ${JSON.stringify(path)}`;
    case 'OPERATION_FROM_UNRESOLVABLE':
      return `${op} operation does not apply: doc is missing from path: ${JSON.stringify(from)}`;
    case 'OPERATION_PATH_ILLEGAL_ARRAY_INDEX':
      return `${op} operation has an invalid array index in ${JSON.stringify(path)}`;
    case 'OPERATION_VALUE_OUT_OF_BOUNDS':
      return `${op} operation does not apply: index out of bounds in ${JSON.stringify(path)}`;
    case 'TEST_OPERATION_FAILED':
      return `testing value ${path} failed: test failed`;
    default:
      return `${op} operation failed: ${name}`;
  }
}
