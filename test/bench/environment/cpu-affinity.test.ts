import { coreCount, pinned } from '../../../bench/environment/cpu-affinity.js';

describe('cpu affinity', () => {
  test('runs a command through taskset with a cpu list', () => {
    expect(pinned('1', ['node', 'x.js'])).toEqual(['taskset', '--cpu-list', '1', 'node', 'x.js']);
  });

  test('leaves a command alone without a cpu list', () => {
    expect(pinned('', ['node', 'x.js'])).toEqual(['node', 'x.js']);
  });

  test.each([
    ['0', 1],
    ['2-3', 2],
    ['0,2-3', 3],
    ['1,3,5', 3],
  ])('counts the cores of %s as %d', (cpus, count) => {
    expect(coreCount(cpus)).toBe(count);
  });
});
