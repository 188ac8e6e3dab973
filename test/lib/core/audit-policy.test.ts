import {
  type AggregatedApiServerOptions,
  renderManifests,
  resolveConfig,
  serverArgs,
  type TlsMaterial,
} from '../../../lib/core/index.js';
import { parseAuditPolicy } from '../../../server/audit/audit-policy.js';
import { metricSnapshot } from '../support/definitions.js';

const options: AggregatedApiServerOptions = {
  name: 'custom-apiserver',
  resources: [metricSnapshot],
  tls: { mode: 'generated' },
};
const material: TlsMaterial = { caCertificatePem: 'CA', certificatePem: 'CERT', privateKeyPem: 'KEY' };

describe('the audit policy', () => {
  const auditPolicy: AggregatedApiServerOptions['auditPolicy'] = {
    omitStages: ['RequestReceived'],
    rules: [
      { level: 'None', nonResourceURLs: ['/healthz*', '/readyz*'] },
      {
        level: 'RequestResponse',
        verbs: ['create', 'update', 'patch', 'delete'],
        resources: [
          { group: 'metrics.example.com', resources: ['metricsnapshots', 'metricsnapshots/status'] },
        ],
      },
      { level: 'Metadata' },
    ],
  };
  const file = '/etc/aggregated-apiserver/audit/policy.json';

  test('GIVEN an audit policy THEN it is a ConfigMap the server reads as the same Policy, mounted and passed with the log on standard output', () => {
    const m = renderManifests(resolveConfig({ ...options, auditPolicy }), material);
    const text = m.auditPolicy?.data?.['policy.json'];
    expect(m.auditPolicy?.metadata?.name).toBe('custom-apiserver-audit-policy');
    expect(parseAuditPolicy(text ?? '', file)).toEqual(expect.objectContaining(auditPolicy));
    const pod = m.deployment?.spec?.template;
    expect(pod?.spec?.volumes).toContainEqual({
      name: 'audit-policy',
      configMap: { name: 'custom-apiserver-audit-policy' },
    });
    expect(pod?.spec?.containers[0].volumeMounts).toContainEqual({
      name: 'audit-policy',
      mountPath: '/etc/aggregated-apiserver/audit',
      readOnly: true,
    });
    expect(pod?.spec?.containers[0].args).toEqual(
      expect.arrayContaining([`--audit-policy-file=${file}`, '--audit-log-path=-']),
    );
  });

  test('GIVEN a changed audit policy THEN the checksum changes and the pods roll', () => {
    const checksum = (policy: AggregatedApiServerOptions['auditPolicy']) =>
      renderManifests(resolveConfig({ ...options, auditPolicy: policy }), material).deployment?.spec?.template
        .metadata?.annotations?.['checksum/audit-policy'];
    expect(checksum(auditPolicy)).toMatch(/^[0-9a-f]{64}$/);
    expect(checksum({ rules: [{ level: 'Metadata' }] })).not.toBe(checksum(auditPolicy));
  });

  test('GIVEN no audit policy THEN no ConfigMap and no audit flag', () => {
    const config = resolveConfig(options);
    expect(renderManifests(config, material).auditPolicy).toBeUndefined();
    expect(serverArgs(config).filter((a) => a.startsWith('--audit'))).toEqual([]);
  });
});
