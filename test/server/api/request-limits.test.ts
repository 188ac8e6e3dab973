import {
  jsonTextTooDeep,
  MAX_NESTING_DEPTH,
  MAX_VALUES,
  shapeProblem,
  yamlValueEstimate,
} from '../../../server/api/request-limits.js';

const nestedText = (levels: number): string => '{"a":'.repeat(levels - 1) + '[]' + '}'.repeat(levels - 1);

describe('jsonTextTooDeep', () => {
  test('counts objects and arrays, up to the limit and past it', () => {
    expect(jsonTextTooDeep(nestedText(MAX_NESTING_DEPTH))).toBe(false);
    expect(jsonTextTooDeep(nestedText(MAX_NESTING_DEPTH + 1))).toBe(true);
    expect(jsonTextTooDeep('['.repeat(100_000))).toBe(true);
  });

  test('ignores brackets inside strings, escaped quotes included', () => {
    expect(jsonTextTooDeep(`{"a":"${'['.repeat(1000)}\\"${'{'.repeat(1000)}"}`)).toBe(false);
  });
});

describe('shapeProblem', () => {
  test('reports nesting past the limit without recursing', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(shapeProblem(deep)).toEqual({ kind: 'depth', limit: MAX_NESTING_DEPTH });
    expect(shapeProblem(JSON.parse(nestedText(MAX_NESTING_DEPTH)))).toBeUndefined();
  });

  test('counts members and items at any depth against the value limit', () => {
    expect(shapeProblem({ list: new Array(MAX_VALUES - 1).fill(0) })).toBeUndefined();
    expect(shapeProblem({ list: new Array(MAX_VALUES).fill(0) })).toEqual({
      kind: 'values',
      limit: MAX_VALUES,
    });
    const labels = Object.fromEntries(Array.from({ length: MAX_VALUES }, (_, i) => [`k${i}`, 'v']));
    expect(shapeProblem({ metadata: { labels } })).toEqual({ kind: 'values', limit: MAX_VALUES });
  });
});

describe('yamlValueEstimate', () => {
  test('counts sequence items, mapping entries and flow separators, but not lines of a block scalar', () => {
    expect(yamlValueEstimate('a: 1\nb:\n  - x\n  - y\nc: [1, 2, {d: 3}]\n')).toBeGreaterThanOrEqual(7);
    expect(yamlValueEstimate(`text: |\n${'  a line of text\n'.repeat(1000)}`)).toBe(1);
  });
});
