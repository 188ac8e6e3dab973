import { describe, expect, it } from '@jest/globals';
import { compileError, estimatedCost, evaluate, runtimeCost } from './evaluate.js';

describe('quantity library', () => {
  it('parses the suffixes and exponents resource.Quantity accepts', () => {
    expect(evaluate("quantity('1Ki') == quantity('1024')")).toBe(true);
    expect(evaluate("quantity('1Mi') == quantity('1048576')")).toBe(true);
    expect(evaluate("quantity('1Ei') == quantity('1152921504606846976')")).toBe(true);
    expect(evaluate("quantity('1k') == quantity('1000')")).toBe(true);
    expect(evaluate("quantity('1E') == quantity('1e18')")).toBe(true);
    expect(evaluate("quantity('1500m') == quantity('1.5')")).toBe(true);
    expect(evaluate("quantity('1u') == quantity('1000n')")).toBe(true);
    expect(evaluate("quantity('1.5e-3') == quantity('1500u')")).toBe(true);
    expect(evaluate("quantity('+2E+2') == quantity('200')")).toBe(true);
    expect(evaluate("quantity('-0') == quantity('0')")).toBe(true);
  });

  it('rounds amounts finer than a nano-unit up, away from zero', () => {
    expect(evaluate("quantity('0.1n') == quantity('1n')")).toBe(true);
    expect(evaluate("quantity('-0.1n') == quantity('-1n')")).toBe(true);
  });

  it('tells valid quantities from invalid ones', () => {
    expect(evaluate("isQuantity('1.3G')")).toBe(true);
    expect(evaluate("isQuantity('1.3Gi')")).toBe(true);
    expect(evaluate("isQuantity('10000k')")).toBe(true);
    expect(evaluate("isQuantity('1,3G')")).toBe(false);
    expect(evaluate("isQuantity('200K')")).toBe(false);
    expect(evaluate("isQuantity('Three')")).toBe(false);
    expect(evaluate("isQuantity('')")).toBe(false);
    expect(evaluate("isQuantity('1e')")).toBe(false);
  });

  it("fails at run time with resource.ParseQuantity's error", () => {
    expect(() => evaluate("quantity('200K')")).toThrow("evaluation error: unable to parse quantity's suffix");
    expect(() => evaluate("quantity('1,3G')")).toThrow(
      "evaluation error: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    );
  });

  it('converts to an integer only what kube keeps as a whole int64', () => {
    expect(evaluate("quantity('50000000G').isInteger()")).toBe(true);
    expect(evaluate("quantity('50k').asInteger()")).toBe(50000n);
    expect(evaluate("quantity('1Gi').asInteger()")).toBe(1073741824n);
    expect(evaluate("quantity('1m').isInteger()")).toBe(false);
    // kube keeps 1000m as 1000 at scale -3, which AsInt64 does not reduce.
    expect(evaluate("quantity('1000m').isInteger()")).toBe(false);
    // A binary quantity with a fraction takes kube's decimal path, which AsInt64 refuses.
    expect(evaluate("quantity('1.5Gi').isInteger()")).toBe(false);
    expect(evaluate("quantity('9999999999999999999999999999999999999G').isInteger()")).toBe(false);
    expect(() => evaluate("quantity('9999999999999999999999999999999999999G').asInteger()")).toThrow(
      'evaluation error: cannot convert value to integer',
    );
  });

  it('gives an approximate float', () => {
    expect(evaluate("quantity('50k').sub(20000).asApproximateFloat() == 30000.0")).toBe(true);
    expect(evaluate("quantity('1.5Gi').asApproximateFloat()")).toBe(1610612736);
    expect(evaluate("quantity('250m').asApproximateFloat()")).toBe(0.25);
  });

  it('adds and subtracts quantities and integers', () => {
    expect(evaluate("quantity('50k').add(quantity('20k')) == quantity('70k')")).toBe(true);
    expect(evaluate("quantity('50k').add(20) == quantity('50020')")).toBe(true);
    expect(evaluate("quantity('50k').sub(quantity('20k')) == quantity('30k')")).toBe(true);
    expect(evaluate("quantity('50k').sub(20000) == quantity('30k')")).toBe(true);
    expect(evaluate("quantity('50k').add(20).sub(quantity('100k')).sub(-50000) == quantity('20')")).toBe(
      true,
    );
    expect(evaluate("quantity('1.5Gi').add(quantity('512Mi')) == quantity('2Gi')")).toBe(true);
    expect(evaluate("quantity('9223372036854775807').add(1).isInteger()")).toBe(false);
  });

  it('compares quantities', () => {
    expect(evaluate("quantity('200M').compareTo(quantity('0.2G'))")).toBe(0n);
    expect(evaluate("quantity('50M').compareTo(quantity('50Mi'))")).toBe(-1n);
    expect(evaluate("quantity('50Mi').compareTo(quantity('50M'))")).toBe(1n);
    expect(evaluate("quantity('150Mi').isGreaterThan(quantity('100Mi'))")).toBe(true);
    expect(evaluate("quantity('50Mi').isGreaterThan(quantity('100Mi'))")).toBe(false);
    expect(evaluate("quantity('50M').isLessThan(quantity('100M'))")).toBe(true);
    expect(evaluate("quantity('100M').isLessThan(quantity('50M'))")).toBe(false);
    expect(evaluate("quantity('1') == quantity('1000m')")).toBe(true);
    expect(evaluate("quantity('1') in [quantity('1000m')]")).toBe(true);
  });

  it('gives the sign as kube declares it, a global function', () => {
    expect(evaluate("sign(quantity('-5m'))")).toBe(-1n);
    expect(evaluate("sign(quantity('0'))")).toBe(0n);
    expect(evaluate("sign(quantity('1Ki'))")).toBe(1n);
    expect(compileError("quantity('1').sign()")).toContain("found no matching overload for 'sign'");
  });

  it('caps binary quantities at the largest int64, as ParseQuantity does', () => {
    expect(evaluate("quantity('16Ei') == quantity('9223372036854775807')")).toBe(true);
    expect(evaluate("quantity('16E') == quantity('9223372036854775807')")).toBe(false);
  });

  it('refuses wrong argument types at compile time', () => {
    expect(compileError('quantity(1)')).toContain(
      "found no matching overload for 'quantity' applied to '(int)'",
    );
    expect(compileError("quantity('1').isLessThan(1)")).toContain(
      "found no matching overload for 'isLessThan' applied to 'kubernetes.Quantity.(int)'",
    );
    expect(compileError("quantity('1') == 1")).toContain(
      "found no matching overload for '_==_' applied to '(kubernetes.Quantity, int)'",
    );
    expect(compileError("quantity('1').getHost()")).toContain("found no matching overload for 'getHost'");
  });

  it('estimates the parse by the length of the string', () => {
    expect(estimatedCost(`quantity('${'1'.repeat(200)}')`)).toBe(20);
    expect(estimatedCost("quantity('1').isLessThan(quantity('2'))")).toBe(3);
  });

  it('charges the parse by the length of the string at run time, and 1 for each method', () => {
    expect(runtimeCost(`quantity('${'1'.repeat(200)}')`)).toBe(20);
    expect(runtimeCost("quantity('1').isLessThan(quantity('2'))")).toBe(3);
  });
});
