import { BlockList, isIP } from 'node:net';

/**
 * Validators for Kubernetes names and API identifiers, mirroring
 * k8s.io/apimachinery/pkg/util/validation. Each returns a problem description, or undefined
 * when the value is valid.
 */

const QUANTITY = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;
const GO_DURATION = /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/;

export {
  checkApiGroup,
  checkApiVersion,
  checkDns1035Label,
  checkDns1123Label,
  checkDns1123Subdomain,
  checkKind,
} from '../../api/identifiers.js';

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

const CRON_FIELD = /^(\*|[0-9]+(-[0-9]+)?)(\/[0-9]+)?(,(\*|[0-9]+(-[0-9]+)?)(\/[0-9]+)?)*$/;

/** A CronJob schedule: five fields of numbers, ranges, lists and steps (or a @macro). */
export function checkCronSchedule(what: string, value: string): string | undefined {
  if (/^@(yearly|annually|monthly|weekly|daily|midnight|hourly)$/.test(value)) return undefined;
  const fields = value.trim().split(/\s+/);
  return fields.length === 5 && fields.every((f) => CRON_FIELD.test(f))
    ? undefined
    : `${what} "${value}" is not a cron schedule of five fields (e.g. "30 3 * * 0")`;
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
