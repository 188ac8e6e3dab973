import { median, percentiles } from '../../../bench/load/statistics.js';

describe('percentiles', () => {
  test('uses the nearest rank of the sorted values', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentiles(values)).toEqual({ p50: 50, p90: 90, p99: 99, max: 100 });
  });

  test('gives the only value for every percentile of one value', () => {
    expect(percentiles([7])).toEqual({ p50: 7, p90: 7, p99: 7, max: 7 });
  });

  test('gives NaN when there is nothing to rank', () => {
    expect(percentiles([]).p50).toBeNaN();
  });
});

describe('median', () => {
  test('takes the middle of an odd count and the mean of the middle two of an even count', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  test('leaves out figures that are not numbers', () => {
    expect(median([Number.NaN, 5, 1])).toBe(3);
    expect(median([Number.NaN])).toBeNaN();
  });
});
