import { parseGoDuration } from '../../api/go-duration.js';

describe('parseGoDuration', () => {
  test.each([
    ['1m', 60_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1500],
    ['500ms', 500],
    ['0', 0],
    ['1x', undefined],
    ['', undefined],
    ['m', undefined],
  ])('reads %s as %s ms', (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms);
  });
});
