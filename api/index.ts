/**
 * `aggregated-apiserver/api`: define a resource type once, for the server that serves it and the
 * constructs that deploy it. Loads nothing of the server or of the deployment frameworks.
 */
export type * from './types.js';
export type { JSONSchema, ValidationRule } from './json-schema.js';
export type * from './resource-spec.js';
export type * from './resource-definition.js';
export { StorageError, isStorageError } from './storage.js';
export type { Storage, StorageEvent, StorageErrorCode, ListOptions, ListResult } from './storage.js';
export { storageKey, type StorageKeyParts } from './storage-key.js';
export { parseGoDuration } from './go-duration.js';
export { defineResource, ResourceDefinitionError } from './define-resource.js';
export {
  declarativeDocument,
  loadDeclarativeResources,
  DECLARATIVE_API_VERSION,
  type DeclarativeResourcesDocument,
} from './declarative-resources.js';
export { codeIn } from './definition-code.js';
export type * from './audit-policy.js';
export { AUDIT_LEVELS, AUDIT_STAGES } from './audit-policy.js';
