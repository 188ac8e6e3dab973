import { webhookUrl } from '../../../../server/admission/webhook/webhook-client.js';

describe('webhookUrl', () => {
  test("addresses a service as kube-apiserver's default resolver does", () => {
    expect(
      webhookUrl({ service: { name: 'policy', namespace: 'kyverno', path: '/validate', port: 8443 } }, 10)
        .href,
    ).toBe('https://policy.kyverno.svc:8443/validate?timeout=10s');
    expect(webhookUrl({ service: { name: 'policy', namespace: 'kyverno' } }, 5).href).toBe(
      'https://policy.kyverno.svc/?timeout=5s',
    );
  });

  test('refuses a URL that is not https', () => {
    expect(() => webhookUrl({ url: 'http://127.0.0.1/x' }, 10)).toThrow('is not https');
  });
});
