/**
 * Checks of Kubernetes names and API identifiers, mirroring k8s.io/apimachinery/pkg/util/validation.
 * Each returns a problem description naming `what`, or undefined when the value is valid.
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const API_VERSION = /^v[1-9][0-9]*((alpha|beta)[1-9][0-9]*)?$/;
const KIND = /^[A-Z][A-Za-z0-9]*$/;

/** A DNS-1123 label: lower-case alphanumerics and '-', at most 63 characters. */
export function checkDns1123Label(what: string, value: string): string | undefined {
  if (value.length === 0 || value.length > 63 || !DNS1123_LABEL.test(value)) {
    return `${what} "${value}" must be a DNS-1123 label (lower-case letters, digits and '-', starting and ending with an alphanumeric, at most 63 characters)`;
  }
  return undefined;
}

/** A DNS-1035 label: like DNS-1123 but starting with a letter (Service names). */
export function checkDns1035Label(what: string, value: string, maxLength = 63): string | undefined {
  if (value.length === 0 || value.length > maxLength || !DNS1035_LABEL.test(value)) {
    return `${what} "${value}" must be a DNS-1035 label (lower-case letters, digits and '-', starting with a letter, ending with an alphanumeric, at most ${maxLength} characters)`;
  }
  return undefined;
}

/** A DNS-1123 subdomain: dot-separated DNS-1123 labels, at most 253 characters. */
export function checkDns1123Subdomain(what: string, value: string): string | undefined {
  if (value.length === 0 || value.length > 253 || !value.split('.').every((l) => DNS1123_LABEL.test(l))) {
    return `${what} "${value}" must be a DNS-1123 subdomain (dot-separated lower-case labels, at most 253 characters)`;
  }
  return undefined;
}

/** An API group served through aggregation: a DNS-1123 subdomain with at least one dot. */
export function checkApiGroup(what: string, value: string): string | undefined {
  const invalid = checkDns1123Subdomain(what, value);
  if (invalid) return invalid;
  if (!value.includes('.')) {
    return `${what} "${value}" must contain at least one dot (e.g. "metrics.example.com"); dot-less groups are reserved for Kubernetes`;
  }
  return undefined;
}

/** An API version: v1, v2, v1beta1, v2alpha3 ... */
export function checkApiVersion(what: string, value: string): string | undefined {
  return API_VERSION.test(value)
    ? undefined
    : `${what} "${value}" must look like v1, v1beta1 or v2alpha3 (v<major>[alpha|beta<minor>])`;
}

/** A kind: CamelCase, starting with an upper-case letter. */
export function checkKind(what: string, value: string): string | undefined {
  return KIND.test(value) ? undefined : `${what} "${value}" must be CamelCase, e.g. "MetricSnapshot"`;
}
