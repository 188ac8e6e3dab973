/**
 * The options of a write request as kube-apiserver's handlers read and validate them
 * (k8s.io/apiserver/pkg/endpoints/handlers and meta/v1 validation): which patch mechanism a
 * PATCH's Content-Type selects, Create/Update/PatchOptions checks, and the field manager a
 * write is recorded under when it names none (the User-Agent's program name).
 *
 * - patchTypeForContentType(contentType?: string, allowed?: PatchType[]): PatchType (415 otherwise)
 * - validatePatchOptions({ patchType, fieldManager?, force? }): void (422 on PatchOptions)
 * - validateWriteOptions(kind, fieldManager?): void (422 on CreateOptions/UpdateOptions)
 * - managerFromUserAgent(userAgent?: string): string
 */
export { managerFromUserAgent } from './field-manager-name.js';
export {
  contentTypeForPatchType,
  PATCH_CONTENT_TYPES,
  patchTypeForContentType,
  type PatchType,
} from './patch-content-type.js';
export {
  FIELD_MANAGER_MAX_LENGTH,
  fieldManagerCauses,
  validatePatchOptions,
  validateWriteOptions,
} from './patch-options.js';
