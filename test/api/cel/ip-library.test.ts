import { describe, expect, it } from '@jest/globals';
import { compileError, estimatedCost, evaluate, runtimeCost } from './evaluate.js';

describe('ip library', () => {
  it('parses addresses as Go netip does and prints them canonically', () => {
    expect(evaluate("ip('192.168.0.1').family()")).toBe(4n);
    expect(evaluate("ip('::1').family()")).toBe(6n);
    expect(evaluate("ip('::1.2.3.4').family()")).toBe(6n);
    expect(evaluate("ip('::1') == ip('0:0:0:0:0:0:0:1')")).toBe(true);
    expect(evaluate("string(ip('2001:DB8::0:1'))")).toBe('2001:db8::1');
    expect(evaluate("string(ip('2001:db8:0:0:1:0:0:1'))")).toBe('2001:db8::1:0:0:1');
    expect(evaluate("string(ip('0:0:1::'))")).toBe('0:0:1::');
    expect(evaluate("string(ip('1.2.3.4'))")).toBe('1.2.3.4');
  });

  it('tells canonical address text', () => {
    expect(evaluate("ip.isCanonical('127.0.0.1')")).toBe(true);
    expect(evaluate("ip.isCanonical('2001:db8::1')")).toBe(true);
    expect(evaluate("ip.isCanonical('2001:DB8::1')")).toBe(false);
  });

  it('refuses leading zeros, zones and IPv4-mapped IPv6 addresses', () => {
    expect(evaluate("isIP('1.2.3.4')")).toBe(true);
    expect(evaluate("isIP('01.2.3.4')")).toBe(false);
    expect(evaluate("isIP('::ffff:1.2.3.4')")).toBe(false);
    expect(evaluate("isIP('fe80::1%eth0')")).toBe(false);
    expect(evaluate("isIP('1.2.3')")).toBe(false);
    expect(evaluate("isIP('1::2::3')")).toBe(false);
    expect(evaluate("isIP('1:2:3:4:5:6:7:8:9')")).toBe(false);
  });

  it("fails at run time with kube's error text", () => {
    expect(() => evaluate("ip('01.2.3.4')")).toThrow(
      'IP Address "01.2.3.4" parse error during conversion from string: ParseAddr("01.2.3.4"): IPv4 field has octet with leading zero',
    );
    expect(() => evaluate("ip('1.2.3.x')")).toThrow('ParseAddr("1.2.3.x"): unexpected character (at "x")');
    expect(() => evaluate("ip('fe80::1%eth0')")).toThrow(
      'IP address "fe80::1%eth0" with zone value is not allowed',
    );
    expect(() => evaluate("ip('::ffff:1.2.3.4')")).toThrow(
      'IPv4-mapped IPv6 address "::ffff:1.2.3.4" is not allowed',
    );
  });

  it('classifies addresses as netip does', () => {
    expect(evaluate("ip('0.0.0.0').isUnspecified() && ip('::').isUnspecified()")).toBe(true);
    expect(evaluate("ip('127.1.2.3').isLoopback() && ip('::1').isLoopback()")).toBe(true);
    expect(evaluate("ip('224.0.0.251').isLinkLocalMulticast()")).toBe(true);
    expect(evaluate("ip('ff02::fb').isLinkLocalMulticast()")).toBe(true);
    expect(evaluate("ip('ff05::fb').isLinkLocalMulticast()")).toBe(false);
    expect(evaluate("ip('169.254.1.1').isLinkLocalUnicast()")).toBe(true);
    expect(evaluate("ip('febf::1').isLinkLocalUnicast()")).toBe(true);
    expect(evaluate("ip('fec0::1').isLinkLocalUnicast()")).toBe(false);
    expect(evaluate("ip('10.0.0.1').isGlobalUnicast()")).toBe(true);
    expect(evaluate("ip('fd00::1').isGlobalUnicast()")).toBe(true);
    expect(evaluate("ip('255.255.255.255').isGlobalUnicast()")).toBe(false);
    expect(evaluate("ip('224.0.0.1').isGlobalUnicast()")).toBe(false);
  });

  it('refuses wrong argument types at compile time', () => {
    expect(compileError('ip(1)')).toContain("found no matching overload for 'ip' applied to '(int)'");
    expect(compileError("ip('1.2.3.4').prefixLength()")).toContain(
      "found no matching overload for 'prefixLength' applied to 'net.IP.()'",
    );
    expect(compileError("ip('1.2.3.4') == cidr('1.2.3.4/32')")).toContain(
      "found no matching overload for '_==_' applied to '(net.IP, net.CIDR)'",
    );
  });
});

describe('cidr library', () => {
  it('tells whether a prefix contains an address or another prefix', () => {
    expect(evaluate("cidr('192.168.0.0/24').containsIP('192.168.0.1')")).toBe(true);
    expect(evaluate("cidr('192.168.0.0/24').containsIP(ip('192.168.1.1'))")).toBe(false);
    expect(evaluate("cidr('192.168.0.0/24').containsIP('::1')")).toBe(false);
    expect(evaluate("cidr('192.168.0.0/24').containsCIDR('192.168.0.128/25')")).toBe(true);
    expect(evaluate("cidr('192.168.0.0/24').containsCIDR(cidr('192.168.0.0/23'))")).toBe(false);
  });

  it('keeps host bits until masked', () => {
    expect(evaluate("cidr('192.168.0.1/24') == cidr('192.168.0.0/24')")).toBe(false);
    expect(evaluate("cidr('192.168.0.1/24').masked() == cidr('192.168.0.0/24')")).toBe(true);
    expect(evaluate("cidr('192.168.0.1/24').ip() == ip('192.168.0.1')")).toBe(true);
    expect(evaluate("string(cidr('2001:db8:ffff::/33').masked())")).toBe('2001:db8:8000::/33');
    expect(evaluate("cidr('::1/128').prefixLength()")).toBe(128n);
  });

  it('refuses bad prefix lengths and IPv4-mapped addresses', () => {
    expect(evaluate("isCIDR('10.0.0.0/8')")).toBe(true);
    expect(evaluate("isCIDR('1.2.3.4')")).toBe(false);
    expect(evaluate("isCIDR('1.2.3.4/33')")).toBe(false);
    expect(evaluate("isCIDR('1.2.3.4/08')")).toBe(false);
    expect(evaluate("isCIDR('::ffff:1.2.3.4/96')")).toBe(false);
    expect(evaluate("isCIDR('fe80::1%eth0/64')")).toBe(false);
  });

  it("fails at run time with kube's error text, doubled prefix included", () => {
    expect(() => evaluate("cidr('1.2.3.4/33')")).toThrow(
      'network address parse error during conversion from string: network address parse error during conversion from string: netip.ParsePrefix("1.2.3.4/33"): prefix length out of range',
    );
    expect(() => evaluate("cidr('1.2.3.0/24').containsIP('bad')")).toThrow(
      'evaluation error: no such overload',
    );
  });

  it("estimates containment as kube's cost model does", () => {
    // Parsing is a traversal (ceil(length / 10)); comparing two 16-byte addresses is 4, plus 2 and
    // 1 for a CIDR, plus the traversal of a string argument.
    expect(estimatedCost("cidr('10.0.0.0/8').containsIP(ip('10.0.0.1'))")).toBe(1 + 1 + 4);
    expect(estimatedCost("cidr('10.0.0.0/8').containsCIDR(cidr('10.0.0.0/16'))")).toBe(1 + 2 + 4 + 2 + 1);
    expect(estimatedCost(`cidr('10.0.0.0/8').containsIP('${'1'.repeat(100)}')`)).toBe(1 + 4 + 10);
    expect(estimatedCost(`ip.isCanonical('${'1'.repeat(100)}')`)).toBe(20);
  });

  it('charges containment of a parsed string by its length at run time', () => {
    // cidr() and the containsIP call (1 for the comparison, 10 for parsing the string).
    expect(runtimeCost(`cidr('10.0.0.0/8').containsIP('${'1'.repeat(100)}')`)).toBe(1 + 1 + 10);
  });
});
