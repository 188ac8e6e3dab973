import { describe, expect, it } from '@jest/globals';
import { parse } from '@bufbuild/cel';
import { checkExpression, type Variable } from '../../../api/cel/checker.js';
import { intTy, listOf, mapOf, stringTy, typeName, type CelTy } from '../../../api/cel/cel-type.js';

function check(source: string, self: CelTy, selfSize?: number) {
  const parsed = parse(source);
  const globals = new Map<string, Variable>([['self', { type: self, size: selfSize }]]);
  return checkExpression(parsed.expr, { ...parsed.sourceInfo?.positions }, globals);
}

describe('checkExpression', () => {
  const object: CelTy = {
    kind: 'object',
    fields: new Map([
      ['name', stringTy],
      ['tags', listOf(stringTy, 5)],
    ]),
  };

  it('types field selection on objects, maps and dyn', () => {
    expect(typeName(check('self.name', object).type)).toBe('string');
    expect(typeName(check('self.tags.map(t, t.size())', object).type)).toBe('list(int)');
    expect(typeName(check("self['a'] + 1", mapOf(stringTy, intTy)).type)).toBe('int');
    expect(typeName(check('self.anything.goes', { kind: 'dyn' }).type)).toBe('dyn');
    expect(check('has(self.name)', object).issues).toEqual([]);
  });

  it('reports undefined fields, unknown functions and mismatched overloads', () => {
    expect(check('self.nope', object).issues.map((i) => i.message)).toEqual(["undefined field 'nope'"]);
    expect(check('self.name.frobnicate()', object).issues.map((i) => i.message)).toEqual([
      "undeclared reference to 'frobnicate' (in container '')",
    ]);
    expect(check('self.name == 1', object).issues.map((i) => i.message)).toEqual([
      "found no matching overload for '_==_' applied to '(string, int)'",
    ]);
    expect(
      check('self.name.size() > 1 && self.name.startsWith(1)', object).issues.map((i) => i.message),
    ).toEqual(["found no matching overload for 'startsWith' applied to 'string.(int)'"]);
  });

  it('records which globals an expression reads', () => {
    expect([...check('self.name == "a"', object).references]).toEqual(['self']);
    expect([...check('[1].all(self, self > 0)', object).references]).toEqual([]);
  });

  it('estimates comprehensions by the size of their range', () => {
    const small = check('self.all(x, x > 0)', listOf(intTy, 10)).cost;
    const large = check('self.all(x, x > 0)', listOf(intTy, 1000)).cost;
    expect(large / small).toBeGreaterThan(50);
    const nested = check('self.all(x, self.all(y, x == y))', listOf(intTy, 1000)).cost;
    expect(nested).toBeGreaterThan(1_000_000);
  });
});
