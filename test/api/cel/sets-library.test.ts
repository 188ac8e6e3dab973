import { describe, expect, it } from '@jest/globals';
import { compileError, estimatedCost, evaluate } from './evaluate.js';

describe('sets library', () => {
  it('tells whether a list contains every element of another', () => {
    expect(evaluate('sets.contains([1, 2, 3], [3, 2])')).toBe(true);
    expect(evaluate('sets.contains([1, 2], [2, 3])')).toBe(false);
    expect(evaluate('sets.contains([1, 2], [])')).toBe(true);
    expect(evaluate('sets.contains([[1], [2]], [[2]])')).toBe(true);
  });

  it('compares elements with CEL equality, across numeric types', () => {
    expect(evaluate('sets.contains([1, 2, 3.0], [1.0, 2])')).toBe(true);
    expect(evaluate("sets.intersects([dyn(1), dyn('a')], [dyn(1u)])")).toBe(true);
  });

  it('tells whether two lists hold the same elements, ignoring order and repetition', () => {
    expect(evaluate('sets.equivalent([1, 2], [2, 1, 1])')).toBe(true);
    expect(evaluate('sets.equivalent([1, 2], [1])')).toBe(false);
  });

  it('tells whether two lists share an element', () => {
    expect(evaluate("sets.intersects(['a', 'b'], ['c', 'b'])")).toBe(true);
    expect(evaluate("sets.intersects(['a'], [])")).toBe(false);
  });

  it('refuses lists of different element types at compile time', () => {
    expect(compileError("sets.contains([1], ['a'])")).toContain(
      "found no matching overload for 'sets.contains' applied to '(list(int), list(string))'",
    );
    expect(compileError('sets.contains([1], 1)')).toContain('found no matching overload');
  });

  it('estimates the product of the list sizes, doubled for equivalent', () => {
    // Two list literals (10 each) plus the call.
    expect(estimatedCost('sets.contains([1, 2, 3], [3, 2])')).toBe(20 + 3 * 2 + 1);
    expect(estimatedCost('sets.equivalent([1, 2, 3], [3, 2])')).toBe(20 + 3 * 2 * 2 + 1);
  });
});
