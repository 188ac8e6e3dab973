import { validatePatchOptions, validateWriteOptions } from '../../../../server/http/write-options/index.js';
import { apiErrorOf } from '../../support/patch-fixtures.js';

describe('validatePatchOptions', () => {
  test('apply requires a fieldManager, as 422 on PatchOptions.meta.k8s.io', () => {
    const error = apiErrorOf(() => validatePatchOptions({ patchType: 'apply' }));
    expect(error.code).toBe(422);
    expect(error.reason).toBe('Invalid');
    expect(error.message).toBe(
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    );
    expect(error.status.details?.causes).toEqual([
      {
        reason: 'FieldValueRequired',
        field: 'fieldManager',
        message: 'Required value: is required for apply patch',
      },
    ]);
  });

  test('force is only for apply', () => {
    const error = apiErrorOf(() => validatePatchOptions({ patchType: 'merge', force: false }));
    expect(error.code).toBe(422);
    expect(error.message).toContain('force: Forbidden: may not be specified for non-apply patch');
    expect(() =>
      validatePatchOptions({ patchType: 'apply', fieldManager: 'kubectl', force: true }),
    ).not.toThrow();
    expect(() => validatePatchOptions({ patchType: 'strategic' })).not.toThrow();
  });

  test('fieldManager must be printable and at most 128 bytes', () => {
    expect(
      apiErrorOf(() => validatePatchOptions({ patchType: 'json', fieldManager: 'x'.repeat(129) })).message,
    ).toContain('fieldManager: Too long: may not be more than 128 bytes');
    expect(apiErrorOf(() => validateWriteOptions('UpdateOptions', 'bad\u0007')).message).toBe(
      'UpdateOptions.meta.k8s.io "" is invalid: fieldManager: Invalid value: "bad\\u0007": invalid character U+0007 (at position 3)',
    );
    expect(() => validateWriteOptions('CreateOptions', 'kubectl-edit')).not.toThrow();
  });
});
