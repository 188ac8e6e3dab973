import { celFunc, celMethod, CelScalar, listType, type CelFunc, type CelList } from '@bufbuild/cel';
import {
  formatAddr,
  formatPrefix,
  isGlobalUnicast,
  isIPv4,
  isIPv4InIPv6,
  isLinkLocalMulticast,
  isLinkLocalUnicast,
  isLoopback,
  isUnspecified,
  maskedPrefix,
  parseAddr,
  parsePrefix,
  prefixContains,
  prefixContainsPrefix,
  type IpAddress,
  type IpPrefix,
} from './net-ip.js';
import { goQuote } from './field-error.js';
import { opaqueTypeName, opaqueValue, payloadOf } from './opaque-value.js';

/** The Kubernetes ip and cidr libraries (k8s.io/apiserver/pkg/cel/library/ip.go, cidr.go). */
const IP_TYPE = 'net.IP';
const CIDR_TYPE = 'net.CIDR';
const OPAQUE = listType(CelScalar.DYN);
const { STRING, BOOL, INT } = CelScalar;

const wrapIp = (ip: IpAddress): CelList => opaqueValue(IP_TYPE, formatAddr(ip), ip);
const wrapCidr = (p: IpPrefix): CelList => opaqueValue(CIDR_TYPE, formatPrefix(p), p);
const ipOf = (value: unknown): IpAddress => payloadOf<IpAddress>(value, IP_TYPE);
const cidrOf = (value: unknown): IpPrefix => payloadOf<IpPrefix>(value, CIDR_TYPE);

/** kube's parseIPAddr: netip.ParseAddr without zones or IPv4-mapped IPv6 addresses. */
function parseIp(text: string): IpAddress {
  let ip: IpAddress;
  try {
    ip = parseAddr(text);
  } catch (error) {
    throw new Error(
      `IP Address ${goQuote(text)} parse error during conversion from string: ${(error as Error).message}`,
    );
  }
  if (ip.zone !== '') throw new Error(`IP address ${goQuote(text)} with zone value is not allowed`);
  if (isIPv4InIPv6(ip)) throw new Error(`IPv4-mapped IPv6 address ${goQuote(text)} is not allowed`);
  return ip;
}

/** kube's parseCIDR: netip.ParsePrefix without IPv4-mapped IPv6 addresses. */
function parseCidr(text: string): IpPrefix {
  let prefix: IpPrefix;
  try {
    prefix = parsePrefix(text);
  } catch (error) {
    throw new Error(`network address parse error during conversion from string: ${(error as Error).message}`);
  }
  if (isIPv4InIPv6(prefix.address))
    throw new Error(`IPv4-mapped IPv6 address ${goQuote(text)} is not allowed`);
  return prefix;
}

/** kube's cidr(): wraps parseCIDR's error in the same words again. */
function cidrFromString(text: string): IpPrefix {
  try {
    return parseCidr(text);
  } catch (error) {
    throw new Error(`network address parse error during conversion from string: ${(error as Error).message}`);
  }
}

/**
 * containsIP(string) parses with ip() and, given an error where it wants an address, answers
 * "no such overload" as kube's does.
 */
function ipForContains(text: string): IpAddress {
  try {
    return parseIp(text);
  } catch {
    throw new Error('no such overload');
  }
}

const succeeds = (parse: (text: string) => unknown) => (text: string) => {
  try {
    parse(text);
    return true;
  } catch {
    return false;
  }
};

const ipPredicate = (name: string, test: (ip: IpAddress) => boolean): CelFunc =>
  celMethod(name, OPAQUE, [], BOOL, function () {
    return test(ipOf(this));
  });

export const ipLibrary: readonly CelFunc[] = [
  celFunc('ip', [STRING], OPAQUE, (text) => wrapIp(parseIp(text))),
  celFunc('isIP', [STRING], BOOL, succeeds(parseIp)),
  celFunc('ip.isCanonical', [STRING], BOOL, (text) => formatAddr(parseIp(text)) === text),
  celMethod('family', OPAQUE, [], INT, function () {
    return isIPv4(ipOf(this)) ? 4n : 6n;
  }),
  ipPredicate('isUnspecified', isUnspecified),
  ipPredicate('isLoopback', isLoopback),
  ipPredicate('isLinkLocalMulticast', isLinkLocalMulticast),
  ipPredicate('isLinkLocalUnicast', isLinkLocalUnicast),
  ipPredicate('isGlobalUnicast', isGlobalUnicast),
  // string(ip) and string(cidr) share a run-time signature: both travel as opaque values.
  celFunc('string', [OPAQUE], STRING, (value) =>
    opaqueTypeName(value) === CIDR_TYPE ? formatPrefix(cidrOf(value)) : formatAddr(ipOf(value)),
  ),
  celFunc('cidr', [STRING], OPAQUE, (text) => wrapCidr(cidrFromString(text))),
  celFunc('isCIDR', [STRING], BOOL, succeeds(parseCidr)),
  celMethod('containsIP', OPAQUE, [STRING], BOOL, function (text) {
    return prefixContains(cidrOf(this), ipForContains(text));
  }),
  celMethod('containsIP', OPAQUE, [OPAQUE], BOOL, function (ip) {
    return prefixContains(cidrOf(this), ipOf(ip));
  }),
  celMethod('containsCIDR', OPAQUE, [STRING], BOOL, function (text) {
    return prefixContainsPrefix(cidrOf(this), cidrFromString(text));
  }),
  celMethod('containsCIDR', OPAQUE, [OPAQUE], BOOL, function (other) {
    return prefixContainsPrefix(cidrOf(this), cidrOf(other));
  }),
  celMethod('ip', OPAQUE, [], OPAQUE, function () {
    return wrapIp(cidrOf(this).address);
  }),
  celMethod('prefixLength', OPAQUE, [], INT, function () {
    return BigInt(cidrOf(this).bits);
  }),
  celMethod('masked', OPAQUE, [], OPAQUE, function () {
    return wrapCidr(maskedPrefix(cidrOf(this)));
  }),
];
