import { matchesLabelSelector } from '../../../../server/admission/matching/label-selector-match.js';

describe('matchesLabelSelector', () => {
  test('an absent or empty selector matches everything', () => {
    expect(matchesLabelSelector(undefined, undefined)).toBe(true);
    expect(matchesLabelSelector({}, { a: 'b' })).toBe(true);
  });

  test('evaluates matchLabels and every operator', () => {
    const labels = { team: 'a', tier: 'web' };
    expect(matchesLabelSelector({ matchLabels: { team: 'a' } }, labels)).toBe(true);
    expect(matchesLabelSelector({ matchLabels: { team: 'b' } }, labels)).toBe(false);
    const expr = (operator: string, values?: string[]) => ({
      matchExpressions: [{ key: 'tier', operator, values }],
    });
    expect(matchesLabelSelector(expr('In', ['web', 'db']), labels)).toBe(true);
    expect(matchesLabelSelector(expr('In', ['db']), labels)).toBe(false);
    expect(matchesLabelSelector(expr('NotIn', ['web']), labels)).toBe(false);
    expect(matchesLabelSelector(expr('NotIn', ['web']), {})).toBe(true);
    expect(matchesLabelSelector(expr('Exists'), labels)).toBe(true);
    expect(matchesLabelSelector(expr('DoesNotExist'), labels)).toBe(false);
  });

  test('refuses an operator it does not know', () => {
    expect(() => matchesLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Gt' }] }, {})).toThrow(
      'not a valid label selector operator',
    );
  });

  test('a label named like an object prototype key is just a label', () => {
    expect(matchesLabelSelector({ matchExpressions: [{ key: '__proto__', operator: 'Exists' }] }, {})).toBe(
      false,
    );
    expect(matchesLabelSelector({ matchLabels: { constructor: 'x' } }, {})).toBe(false);
  });
});
