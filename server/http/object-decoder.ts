import type { ResourceDefinition } from '../../api/resource-definition.js';
import type { KubeObject } from '../../api/types.js';
import { errors } from '../api/errors.js';
import { copyObject } from '../registry/object-copy.js';
import type { RequestScope } from '../registry/request-scope.js';
import { applySchemaDefaults, pruneUnknownFields } from '../registry/schema-validation.js';

/**
 * Decodes a request's object as kube-apiserver's codec decodes a custom resource: type meta
 * checked against the URL, the URL's namespace, unknown fields pruned (and refused or warned
 * about as `fieldValidation` says, with fields the body set twice), and the schema's defaults.
 */
export function decodeObject(
  definition: ResourceDefinition,
  scope: RequestScope,
  body: unknown,
  duplicateFields: readonly string[] = [],
): KubeObject {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw errors.badRequest('the body must be a JSON object');
  const object = copyObject(body) as KubeObject;
  const expectedApiVersion = `${definition.group}/${scope.version.name}`;
  if (object.apiVersion !== undefined && object.apiVersion !== expectedApiVersion) {
    throw errors.badRequest(
      `the API version in the data (${String(object.apiVersion)}) does not match the expected API version (${expectedApiVersion})`,
    );
  }
  if (object.kind !== undefined && object.kind !== definition.kind) {
    throw errors.badRequest(
      `the kind in the data (${String(object.kind)}) does not match the expected kind (${definition.kind})`,
    );
  }
  object.apiVersion = expectedApiVersion;
  object.kind = definition.kind;
  if (object.metadata === null || typeof object.metadata !== 'object' || Array.isArray(object.metadata)) {
    if (object.metadata !== undefined) throw errors.badRequest('metadata must be an object');
    object.metadata = {};
  }
  if (definition.namespaced) {
    if (object.metadata.namespace && scope.namespace && object.metadata.namespace !== scope.namespace) {
      throw errors.badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    if (!scope.namespace)
      throw errors.badRequest(`${definition.kind} is namespaced: a namespace is required`);
    object.metadata.namespace = scope.namespace;
  }
  const problems = [
    ...duplicateFields.map((f) => `duplicate field "${f}"`),
    ...pruneUnknownFields(object, scope.version.schema).map((f) => `unknown field "${f}"`),
  ];
  if (problems.length > 0) {
    if (scope.fieldValidation === 'Strict')
      throw errors.badRequest(`strict decoding error: ${problems.join(', ')}`);
    if (scope.fieldValidation === 'Warn') scope.warnings.push(...problems);
  }
  applySchemaDefaults(object, scope.version.schema);
  return object;
}
