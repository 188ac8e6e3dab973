import { ApiError } from '../../../server/api/errors.js';
import { LabelSelector } from '../../../server/registry/label-selector.js';

describe('label selectors parse and match like k8s.io/apimachinery/pkg/labels', () => {
  const labels = { app: 'web', tier: 'frontend', replicas: '3' };

  test.each([
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['app in (web,api)', true],
    ['app notin (web)', false],
    ['missing notin (x)', true],
    ['app', true],
    ['!app', false],
    ['!missing', true],
    ['replicas>2', true],
    ['replicas<3', false],
    ['app=web,tier=backend', false],
    ['app in (web, api),tier', true],
    ['example.com/owner', false],
  ])('%s -> %s', (selector, expected) => {
    expect(LabelSelector.parse(selector).matches(labels)).toBe(expected);
  });

  test.each(['app in (web', '=web', 'app=in valid', 'app>x', 'Bad Key=1', 'a,,b'])(
    '%s is a 400',
    (selector) => {
      expect(() => LabelSelector.parse(selector)).toThrow(ApiError);
      try {
        LabelSelector.parse(selector);
      } catch (error) {
        expect((error as ApiError).code).toBe(400);
      }
    },
  );
});
