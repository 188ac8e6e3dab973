import { type AggregatedApiServerOptions, renderManifests, resolveConfig } from '../../../lib/core/index.js';
import { metricSnapshot } from '../support/definitions.js';

const options: AggregatedApiServerOptions = {
  name: 'custom-apiserver',
  resources: [metricSnapshot],
};

describe('Prometheus scraping', () => {
  test('GIVEN no metrics option THEN no monitoring objects', () => {
    const m = renderManifests(resolveConfig(options));
    expect([m.serviceMonitor, m.metricsReaderClusterRole, m.metricsReaderClusterRoleBinding]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  test("GIVEN Prometheus's ServiceAccount THEN it may get /metrics, which the server authorizes with a SubjectAccessReview", () => {
    const m = renderManifests(
      resolveConfig({
        ...options,
        metrics: { prometheusServiceAccount: { name: 'prometheus', namespace: 'monitoring' } },
      }),
    );
    expect(m.metricsReaderClusterRole?.rules).toEqual([{ nonResourceURLs: ['/metrics'], verbs: ['get'] }]);
    expect(m.metricsReaderClusterRoleBinding?.roleRef.name).toBe(
      'custom-apiserver:custom-apiserver:metrics-reader',
    );
    expect(m.metricsReaderClusterRoleBinding?.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'prometheus', namespace: 'monitoring' },
    ]);
  });

  test('GIVEN a ServiceMonitor THEN it scrapes the https port with its token and verifies the Service name against the Secret CA', () => {
    const m = renderManifests(
      resolveConfig({ ...options, metrics: { interval: '15s', serviceMonitorLabels: { release: 'prom' } } }),
    );
    expect(m.serviceMonitor?.metadata.labels).toMatchObject({ release: 'prom' });
    expect(m.serviceMonitor?.spec).toEqual({
      selector: {
        matchLabels: {
          'app.kubernetes.io/name': 'aggregated-apiserver',
          'app.kubernetes.io/instance': 'custom-apiserver',
          'app.kubernetes.io/component': 'apiserver',
        },
      },
      namespaceSelector: { matchNames: ['custom-apiserver'] },
      endpoints: [
        {
          port: 'https',
          scheme: 'https',
          path: '/metrics',
          interval: '15s',
          bearerTokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token',
          tlsConfig: {
            serverName: 'custom-apiserver.custom-apiserver.svc',
            ca: { secret: { name: 'custom-apiserver-serving-cert', key: 'ca.crt' } },
          },
        },
      ],
    });
    expect(m.service.metadata.labels).toMatchObject(m.serviceMonitor?.spec.selector.matchLabels ?? {});
  });

  test('GIVEN a bad interval or ServiceAccount name THEN synth fails naming them', () => {
    expect(() =>
      resolveConfig({
        ...options,
        metrics: {
          interval: 'often',
          prometheusServiceAccount: { name: 'Prometheus', namespace: 'monitoring' },
        },
      }),
    ).toThrow(
      /metrics\.interval "often" is not a Go duration[\s\S]*metrics\.prometheusServiceAccount\.name "Prometheus"/,
    );
  });
});
