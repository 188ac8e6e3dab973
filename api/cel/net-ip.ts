import { goQuote as quote } from './field-error.js';

/**
 * IP addresses and prefixes as Go's net/netip parses and prints them, which is what the
 * Kubernetes ip and cidr libraries expose: strict dotted quads (no leading zeros), RFC 5952
 * text for IPv6, prefixes that keep their host bits until masked.
 */
export interface IpAddress {
  /** 4 bytes for IPv4, 16 for IPv6. */
  readonly bytes: readonly number[];
  /** The zone after `%`, which kube refuses. */
  readonly zone: string;
}

export interface IpPrefix {
  readonly address: IpAddress;
  readonly bits: number;
}

class ParseAddrError extends Error {
  constructor(input: string, reason: string, at = '') {
    super(`ParseAddr(${quote(input)}): ${reason}${at ? ` (at ${quote(at)})` : ''}`);
  }
}

function parseIPv4Fields(input: string, from: number, to: number): number[] {
  const s = input.slice(from, to);
  const fields: number[] = [];
  let value = 0;
  let digits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c >= '0' && c <= '9') {
      if (digits === 1 && value === 0)
        throw new ParseAddrError(input, 'IPv4 field has octet with leading zero');
      value = value * 10 + Number(c);
      digits++;
      if (value > 255) throw new ParseAddrError(input, 'IPv4 field has value >255');
    } else if (c === '.') {
      if (i === 0 || i === s.length - 1 || s[i - 1] === '.')
        throw new ParseAddrError(input, 'IPv4 field must have at least one digit', s.slice(i));
      if (fields.length === 3) throw new ParseAddrError(input, 'IPv4 address too long');
      fields.push(value);
      value = 0;
      digits = 0;
    } else throw new ParseAddrError(input, 'unexpected character', s.slice(i));
  }
  if (fields.length < 3) throw new ParseAddrError(input, 'IPv4 address too short');
  fields.push(value);
  return fields;
}

function parseIPv6(input: string): IpAddress {
  let s = input;
  let zone = '';
  const percent = s.indexOf('%');
  if (percent !== -1) {
    [s, zone] = [s.slice(0, percent), s.slice(percent + 1)];
    if (zone === '') throw new ParseAddrError(input, 'zone must be a non-empty string');
  }
  const ip: number[] = new Array<number>(16).fill(0);
  let ellipsis = -1;
  if (s.startsWith('::')) {
    ellipsis = 0;
    s = s.slice(2);
    if (s === '') return { bytes: ip, zone };
  }
  let i = 0;
  while (i < 16) {
    let off = 0;
    let acc = 0;
    for (; off < s.length; off++) {
      const digit = parseInt(s[off], 16);
      if (Number.isNaN(digit)) break;
      acc = acc * 16 + digit;
      if (off > 3) throw new ParseAddrError(input, 'each group must have 4 or less digits', s);
      if (acc > 0xffff) throw new ParseAddrError(input, 'IPv6 field has value >=2^16', s);
    }
    if (off === 0)
      throw new ParseAddrError(input, 'each colon-separated field must have at least one digit', s);
    if (off < s.length && s[off] === '.') {
      if (ellipsis < 0 && i !== 12)
        throw new ParseAddrError(
          input,
          'embedded IPv4 address must replace the final 2 fields of the address',
          s,
        );
      if (i + 4 > 16)
        throw new ParseAddrError(
          input,
          'too many hex fields to fit an embedded IPv4 at the end of the address',
          s,
        );
      const end = input.length - (zone.length > 0 ? zone.length + 1 : 0);
      ip.splice(i, 4, ...parseIPv4Fields(input, end - s.length, end));
      s = '';
      i += 4;
      break;
    }
    ip[i] = acc >> 8;
    ip[i + 1] = acc & 0xff;
    i += 2;
    s = s.slice(off);
    if (s === '') break;
    if (s[0] !== ':') throw new ParseAddrError(input, 'unexpected character, want colon', s);
    if (s.length === 1) throw new ParseAddrError(input, 'colon must be followed by more characters', s);
    s = s.slice(1);
    if (s[0] === ':') {
      if (ellipsis >= 0) throw new ParseAddrError(input, 'multiple :: in address', s);
      ellipsis = i;
      s = s.slice(1);
      if (s === '') break;
    }
  }
  if (s !== '') throw new ParseAddrError(input, 'trailing garbage after address', s);
  if (i < 16) {
    if (ellipsis < 0) throw new ParseAddrError(input, 'address string too short');
    const n = 16 - i;
    for (let j = i - 1; j >= ellipsis; j--) ip[j + n] = ip[j];
    ip.fill(0, ellipsis, ellipsis + n);
  } else if (ellipsis >= 0)
    throw new ParseAddrError(input, 'the :: must expand to at least one field of zeros');
  return { bytes: ip, zone };
}

/** netip.ParseAddr. */
export function parseAddr(s: string): IpAddress {
  for (const c of s) {
    if (c === '.') return { bytes: parseIPv4Fields(s, 0, s.length), zone: '' };
    if (c === ':') return parseIPv6(s);
    if (c === '%') throw new ParseAddrError(s, 'missing IPv6 address');
  }
  throw new ParseAddrError(s, 'unable to parse IP');
}

/** netip.ParsePrefix: the address as written (host bits kept) and the prefix length. */
export function parsePrefix(s: string): IpPrefix {
  const fail = (reason: string) => new Error(`netip.ParsePrefix(${quote(s)}): ${reason}`);
  const slash = s.lastIndexOf('/');
  if (slash < 0) throw fail("no '/'");
  let address: IpAddress;
  try {
    address = parseAddr(s.slice(0, slash));
  } catch (error) {
    throw fail((error as Error).message);
  }
  if (address.zone !== '') throw fail('IPv6 zones cannot be present in a prefix');
  const bitsText = s.slice(slash + 1);
  if ((bitsText.length > 1 && !/^[1-9]/.test(bitsText)) || !/^[+-]?[0-9]+$/.test(bitsText))
    throw fail(`bad bits after slash: ${quote(bitsText)}`);
  const bits = Number(bitsText);
  if (bits < 0 || bits > address.bytes.length * 8) throw fail('prefix length out of range');
  return { address, bits };
}

export const isIPv4 = (ip: IpAddress): boolean => ip.bytes.length === 4;

/** An IPv6 address of the form ::ffff:a.b.c.d. */
export const isIPv4InIPv6 = (ip: IpAddress): boolean =>
  ip.bytes.length === 16 &&
  ip.bytes.slice(0, 10).every((b) => b === 0) &&
  ip.bytes[10] === 0xff &&
  ip.bytes[11] === 0xff;

/** Addr.String: dotted quad, or RFC 5952 (the first longest run of two or more zero groups as ::). */
export function formatAddr(ip: IpAddress): string {
  if (isIPv4(ip)) return ip.bytes.join('.');
  const groups = Array.from({ length: 8 }, (_, g) => (ip.bytes[2 * g] << 8) | ip.bytes[2 * g + 1]);
  if (isIPv4InIPv6(ip)) return `::ffff:${ip.bytes.slice(12).join('.')}`;
  let zeroStart = -1;
  let zeroLength = 1;
  for (let g = 0; g < 8; g++) {
    let end = g;
    while (end < 8 && groups[end] === 0) end++;
    if (end - g > zeroLength) [zeroStart, zeroLength] = [g, end - g];
  }
  let text = '';
  for (let g = 0; g < 8; g++) {
    if (g === zeroStart) {
      text += '::';
      g += zeroLength - 1;
      continue;
    }
    if (g > 0 && !text.endsWith(':')) text += ':';
    text += groups[g].toString(16);
  }
  return ip.zone ? `${text}%${ip.zone}` : text;
}

export const formatPrefix = (p: IpPrefix): string => `${formatAddr(p.address)}/${p.bits}`;

/** Whether the address lies in the network whose leading bytes are `network`. */
const inNetwork = (ip: IpAddress, network: readonly number[], bits: number): boolean =>
  prefixContains({ address: { bytes: ip.bytes.map((_, i) => network[i] ?? 0), zone: '' }, bits }, ip);

function maskBytes(bytes: readonly number[], bits: number): number[] {
  return bytes.map((b, i) => {
    const keep = Math.max(0, Math.min(8, bits - 8 * i));
    return b & ((0xff << (8 - keep)) & 0xff);
  });
}

export const isUnspecified = (ip: IpAddress): boolean => ip.bytes.every((b) => b === 0);
export const isLoopback = (ip: IpAddress): boolean =>
  isIPv4(ip) ? ip.bytes[0] === 127 : ip.bytes.every((b, i) => b === (i === 15 ? 1 : 0));
export const isMulticast = (ip: IpAddress): boolean =>
  isIPv4(ip) ? (ip.bytes[0] & 0xf0) === 0xe0 : ip.bytes[0] === 0xff;
export const isLinkLocalMulticast = (ip: IpAddress): boolean =>
  isIPv4(ip) ? inNetwork(ip, [224, 0, 0], 24) : inNetwork(ip, [0xff, 0x02], 16);
export const isLinkLocalUnicast = (ip: IpAddress): boolean =>
  isIPv4(ip) ? inNetwork(ip, [169, 254], 16) : inNetwork(ip, [0xfe, 0x80], 10);

/** As package net: private IPv4 and ULA IPv6 count; unspecified, broadcast, loopback, multicast and link-local do not. */
export const isGlobalUnicast = (ip: IpAddress): boolean =>
  !isUnspecified(ip) &&
  !(isIPv4(ip) && ip.bytes.every((b) => b === 255)) &&
  !isLoopback(ip) &&
  !isMulticast(ip) &&
  !isLinkLocalUnicast(ip);

/** Prefix.Masked: host bits cleared. */
export const maskedPrefix = (p: IpPrefix): IpPrefix => ({
  address: { bytes: maskBytes(p.address.bytes, p.bits), zone: '' },
  bits: p.bits,
});

/** Prefix.Contains: same family and the same network bits. */
export const prefixContains = (p: IpPrefix, ip: IpAddress): boolean =>
  p.address.bytes.length === ip.bytes.length &&
  ip.zone === '' &&
  maskBytes(ip.bytes, p.bits).every((b, i) => b === maskBytes(p.address.bytes, p.bits)[i]);

/** Whether `inner` lies wholly in `outer` (Prefix.Overlaps and no shorter prefix), as containsCIDR. */
export const prefixContainsPrefix = (outer: IpPrefix, inner: IpPrefix): boolean =>
  outer.address.bytes.length === inner.address.bytes.length &&
  outer.bits <= inner.bits &&
  prefixContains(outer, inner.address);
