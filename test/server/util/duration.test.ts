import { humanDuration } from '../../../server/util/duration.js';

describe('humanDuration', () => {
  test.each([
    [5_000, '5s'],
    [150_000, '2m30s'],
    [3_600_000 * 5 + 60_000 * 3, '5h3m'],
    [86_400_000 * 3, '3d'],
  ])('writes %d ms as %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });
});
