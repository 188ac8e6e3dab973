import { errors } from '../api/errors.js';
import type { StatusCause } from '../../api/types.js';

const matchValues = ['Exact', 'NotOlderThan'];

/**
 * kube-apiserver's ListOptions validation for a list (or watch): how resourceVersion,
 * resourceVersionMatch and continue may be combined. Violations are 422 on ListOptions.
 */
export function validateListOptions(url: URL, watch: boolean): void {
  const resourceVersion = url.searchParams.get('resourceVersion') ?? '';
  const match = url.searchParams.get('resourceVersionMatch') ?? '';
  const continueToken = url.searchParams.get('continue') ?? '';
  const causes: StatusCause[] = [];
  if (match) {
    if (!matchValues.includes(match)) {
      causes.push({
        reason: 'FieldValueNotSupported',
        field: 'resourceVersionMatch',
        message: `Unsupported value: "${match}": supported values: "Exact", "NotOlderThan"`,
      });
    } else if (watch) {
      if (url.searchParams.get('sendInitialEvents') === null) {
        causes.push({
          reason: 'FieldValueForbidden',
          field: 'resourceVersionMatch',
          message:
            'Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided',
        });
      }
    } else if (!resourceVersion) {
      causes.push({
        reason: 'FieldValueForbidden',
        field: 'resourceVersionMatch',
        message: 'Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided',
      });
    } else if (match === 'Exact' && resourceVersion === '0') {
      causes.push({
        reason: 'FieldValueForbidden',
        field: 'resourceVersionMatch',
        message: 'Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
      });
    }
  }
  if (!watch && continueToken && resourceVersion && resourceVersion !== '0') {
    causes.push({
      reason: 'FieldValueForbidden',
      field: 'resourceVersion',
      message: 'Forbidden: specifying resource version is not allowed when using continue',
    });
  }
  if (causes.length > 0) throw errors.invalid('ListOptions', 'meta.k8s.io', '', causes);
}
