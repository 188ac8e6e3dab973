import { ApiError, errors } from '../api/errors.js';
import type { KubeObject, StatusCause } from '../../api/types.js';
import { isJsonObject, jsonToKubeObject, type JsonValue } from '../util/json-value.js';

/**
 * The errors the patch mechanisms raise, shaped as kube-apiserver shapes them
 * (k8s.io/apiserver/pkg/endpoints/handlers/patch.go).
 */

/**
 * kube answers a JSON patch that fails to apply (and a strategic merge patch that nests
 * lists of lists) with NewGenericServerResponse(422): reason Invalid and a fixed message.
 * The underlying reason travels in a cause so clients that print causes can show it.
 */
export function patchUnprocessable(detail: string, field?: string): ApiError {
  const cause: StatusCause = { reason: 'FieldValueInvalid', message: detail, ...(field ? { field } : {}) };
  return new ApiError({
    code: 422,
    reason: 'Invalid',
    message: 'the server rejected our request due to an error in our request',
    details: { causes: [cause] },
  });
}

/** A patch whose result is not an object of the kind: 422 on the field `patch`, as kube words it. */
export function patchResultInvalid(result: JsonValue, why: string): ApiError {
  return errors.invalid('', '', '', [
    {
      reason: 'FieldValueInvalid',
      field: 'patch',
      message: `Invalid value: ${JSON.stringify(truncate(JSON.stringify(result)))}: ${why}`,
    },
  ]);
}

/** The patched document as a KubeObject, or the 422 kube answers when it cannot be one. */
export function asPatchedObject(result: JsonValue): KubeObject {
  if (!isJsonObject(result)) {
    return invalidResult(result, `cannot unmarshal ${jsonTypeName(result)} into an object`);
  }
  const metadata = result.metadata;
  if (metadata !== undefined && metadata !== null && !isJsonObject(metadata)) {
    return invalidResult(result, `metadata: cannot unmarshal ${jsonTypeName(metadata)} into an object`);
  }
  return jsonToKubeObject(result);
}

function invalidResult(result: JsonValue, why: string): never {
  throw patchResultInvalid(result, why);
}

export function jsonTypeName(value: JsonValue | undefined): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'object' ? 'object' : typeof value;
}

function truncate(text: string, limit = 1024): string {
  return text.length <= limit ? text : `${text.slice(0, limit)}...`;
}
