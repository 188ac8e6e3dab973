import { errors } from '../../api/errors.js';
import type { StatusCause } from '../../../api/types.js';
import type { PatchType } from './patch-content-type.js';
import { isPrintable } from './field-manager-name.js';

/** The longest fieldManager kube accepts, in bytes. */
export const FIELD_MANAGER_MAX_LENGTH = 128;

/**
 * What kube finds wrong with a `fieldManager` query parameter (ValidateFieldManager): longer
 * than 128 bytes, or unprintable characters. Empty is fine here (it is defaulted from the
 * User-Agent), except for apply.
 */
export function fieldManagerCauses(fieldManager: string | undefined): StatusCause[] {
  const causes: StatusCause[] = [];
  const value = fieldManager ?? '';
  if (Buffer.byteLength(value, 'utf8') > FIELD_MANAGER_MAX_LENGTH) {
    causes.push({
      reason: 'FieldValueTooLong',
      field: 'fieldManager',
      message: `Too long: may not be more than ${FIELD_MANAGER_MAX_LENGTH} bytes`,
    });
  }
  let position = 0;
  for (const char of value) {
    if (!isPrintable(char)) {
      const code = (char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
      causes.push({
        reason: 'FieldValueInvalid',
        field: 'fieldManager',
        message: `Invalid value: ${JSON.stringify(value)}: invalid character U+${code} (at position ${position})`,
      });
    }
    position += Buffer.byteLength(char, 'utf8');
  }
  return causes;
}

export interface PatchOptionsToValidate {
  readonly patchType: PatchType;
  /** The `fieldManager` query parameter, if any. */
  readonly fieldManager?: string;
  /** The `force` query parameter, if given at all (`force=false` counts as given). */
  readonly force?: boolean;
}

/**
 * kube's ValidatePatchOptions, thrown as its 422 on `PatchOptions.meta.k8s.io`: apply needs a
 * fieldManager ("fieldManager: Required value: is required for apply patch"), `force` is
 * only for apply, and the fieldManager must be valid.
 */
export function validatePatchOptions(options: PatchOptionsToValidate): void {
  const causes: StatusCause[] = [];
  if (options.patchType !== 'apply') {
    if (options.force !== undefined) {
      causes.push({
        reason: 'FieldValueForbidden',
        field: 'force',
        message: 'Forbidden: may not be specified for non-apply patch',
      });
    }
  } else if (!options.fieldManager) {
    causes.push({
      reason: 'FieldValueRequired',
      field: 'fieldManager',
      message: 'Required value: is required for apply patch',
    });
  }
  causes.push(...fieldManagerCauses(options.fieldManager));
  if (causes.length > 0) throw errors.invalid('PatchOptions', 'meta.k8s.io', '', causes);
}

/** The same fieldManager check for creates and updates, as 422 on CreateOptions/UpdateOptions. */
export function validateWriteOptions(
  kind: 'CreateOptions' | 'UpdateOptions',
  fieldManager: string | undefined,
): void {
  const causes = fieldManagerCauses(fieldManager);
  if (causes.length > 0) throw errors.invalid(kind, 'meta.k8s.io', '', causes);
}
