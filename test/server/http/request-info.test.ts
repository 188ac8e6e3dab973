import { parseRequestInfo } from '../../../server/http/request-info.js';

describe('parseRequestInfo', () => {
  test('maps methods to kube verbs', () => {
    const url = new URL('https://x/apis/g/v1/namespaces/ns/things/a');
    expect(parseRequestInfo('GET', url).verb).toBe('get');
    expect(parseRequestInfo('DELETE', new URL('https://x/apis/g/v1/things')).verb).toBe('deletecollection');
  });

  test('takes any other method (HTTP/2 allows any token) as its lower-case name, prototype names included', () => {
    const url = new URL('https://x/apis/g/v1/namespaces/ns/things/a');
    for (const method of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'PURGE']) {
      expect(parseRequestInfo(method, url).verb).toBe(method.toLowerCase());
    }
  });
});
