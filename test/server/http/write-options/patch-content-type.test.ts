import {
  patchTypeForContentType,
  contentTypeForPatchType,
} from '../../../../server/http/write-options/index.js';
import { apiErrorOf } from '../../support/patch-fixtures.js';

describe('patchTypeForContentType', () => {
  test.each([
    ['application/json-patch+json', 'json'],
    ['application/merge-patch+json', 'merge'],
    ['application/strategic-merge-patch+json', 'strategic'],
    ['application/apply-patch+yaml', 'apply'],
    ['application/merge-patch+json; charset=utf-8', 'merge'],
    ['Application/Apply-Patch+YAML', 'apply'],
  ])('%s selects %s', (contentType, type) => {
    expect(patchTypeForContentType(contentType)).toBe(type);
  });

  test('anything else is 415 listing the accepted types', () => {
    const error = apiErrorOf(() => patchTypeForContentType('application/json'));
    expect(error.code).toBe(415);
    expect(error.reason).toBe('UnsupportedMediaType');
    expect(error.message).toContain(
      'application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml',
    );
    expect(apiErrorOf(() => patchTypeForContentType(undefined)).code).toBe(415);
  });

  test('a resource can leave strategic merge patch out, as custom resources do', () => {
    const error = apiErrorOf(() =>
      patchTypeForContentType('application/strategic-merge-patch+json', ['json', 'merge', 'apply']),
    );
    expect(error.code).toBe(415);
    expect(error.message).toContain(
      'accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml (',
    );
  });

  test('round trips with contentTypeForPatchType', () => {
    for (const type of ['json', 'merge', 'strategic', 'apply'] as const) {
      expect(patchTypeForContentType(contentTypeForPatchType(type))).toBe(type);
    }
  });
});
