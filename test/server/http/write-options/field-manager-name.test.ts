import { managerFromUserAgent } from '../../../../server/http/write-options/index.js';

describe('managerFromUserAgent', () => {
  test('takes what precedes the first slash', () => {
    expect(managerFromUserAgent('kubectl/v1.33.0 (linux/amd64) kubernetes/abcdef')).toBe('kubectl');
    expect(managerFromUserAgent('kube-controller-manager/v1.33.0')).toBe('kube-controller-manager');
    expect(managerFromUserAgent('curl')).toBe('curl');
    expect(managerFromUserAgent(undefined)).toBe('');
  });

  test('drops unprintable characters and stops at 128 bytes', () => {
    expect(managerFromUserAgent('my\u0000agent/1')).toBe('myagent');
    expect(managerFromUserAgent('é'.repeat(100))).toBe('é'.repeat(64));
  });
});
