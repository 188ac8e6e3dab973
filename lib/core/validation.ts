import { BlockList, isIP } from 'node:net';

/**
 * Validators for Kubernetes names and API identifiers, mirroring
 * k8s.io/apimachinery/pkg/util/validation. Each returns a problem description, or undefined
 * when the value is valid.
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const API_VERSION = /^v[1-9][0-9]*((alpha|beta)[1-9][0-9]*)?$/;
const KIND = /^[A-Z][A-Za-z0-9]*$/;
const QUANTITY = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;
const GO_DURATION = /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/;

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

/** A resource quantity, e.g. 100m, 1, 128Mi, 1Gi. */
export function checkQuantity(what: string, value: string): string | undefined {
  return QUANTITY.test(value)
    ? undefined
    : `${what} "${value}" is not a Kubernetes quantity (e.g. 100m, 128Mi, 1Gi)`;
}

/** A Go duration, e.g. 8760h, 30m. */
export function checkGoDuration(what: string, value: string): string | undefined {
  return GO_DURATION.test(value) ? undefined : `${what} "${value}" is not a Go duration (e.g. 8760h, 90m)`;
}

/** An integer within [min, max]. */
export function checkIntegerInRange(
  what: string,
  value: number,
  min: number,
  max: number,
): string | undefined {
  return Number.isInteger(value) && value >= min && value <= max
    ? undefined
    : `${what} must be an integer from ${min} to ${max}, got ${value}`;
}

/** A TCP port number. */
export function checkPort(what: string, value: number): string | undefined {
  return checkIntegerInRange(what, value, 1, 65535);
}

/** An IPv4 or IPv6 address. */
export function checkIpAddress(what: string, value: string): string | undefined {
  return isIP(value) === 0 ? `${what} "${value}" is not an IP address` : undefined;
}

/** An etcd client URL (http or https, with a host). */
export function checkEtcdEndpoint(what: string, value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${what} "${value}" is not a URL (expected e.g. https://etcd-0.example:2379)`;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    return `${what} "${value}" must be an http:// or https:// URL with a host`;
  }
  return undefined;
}

/**
 * Addresses Kubernetes refuses as endpoint IPs (k8s.io/kubernetes pkg/apis/core/validation
 * ValidateEndpointIP): unspecified, loopback, link-local unicast and link-local multicast.
 */
const NON_ENDPOINT_ADDRESSES: readonly [BlockList, string][] = (() => {
  const range = (entries: [string, number, 'ipv4' | 'ipv6'][]) => {
    const list = new BlockList();
    for (const [net, prefix, family] of entries) list.addSubnet(net, prefix, family);
    return list;
  };
  return [
    [
      range([
        ['0.0.0.0', 32, 'ipv4'],
        ['::', 128, 'ipv6'],
      ]),
      'unspecified',
    ],
    [
      range([
        ['127.0.0.0', 8, 'ipv4'],
        ['::1', 128, 'ipv6'],
      ]),
      'in the loopback range (127.0.0.0/8, ::1/128)',
    ],
    [
      range([
        ['169.254.0.0', 16, 'ipv4'],
        ['fe80::', 10, 'ipv6'],
      ]),
      'in the link-local range (169.254.0.0/16, fe80::/10)',
    ],
    [
      range([
        ['224.0.0.0', 24, 'ipv4'],
        ['ff02::', 16, 'ipv6'],
      ]),
      'in the link-local multicast range (224.0.0.0/24, ff02::/16)',
    ],
  ];
})();

/** An IP address Kubernetes accepts in an EndpointSlice. */
export function checkEndpointIp(what: string, value: string): string | undefined {
  const family = isIP(value);
  if (family === 0) return `${what} "${value}" is not an IP address`;
  for (const [list, reason] of NON_ENDPOINT_ADDRESSES) {
    if (list.check(value, family === 4 ? 'ipv4' : 'ipv6')) {
      return `${what} "${value}" is ${reason}, which Kubernetes refuses as an endpoint address`;
    }
  }
  return undefined;
}
