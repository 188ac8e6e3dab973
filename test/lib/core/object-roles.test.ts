import {
  OBJECT_ROLES,
  type AggregatedApiServerOptions,
  renderManifests,
  resolveConfig,
  roleObjects,
} from '../../../lib/core/index.js';
import { cronTab, metricSnapshot } from '../support/definitions.js';

const resources: AggregatedApiServerOptions['resources'] = [metricSnapshot];
const material = { caCertificatePem: 'CA', certificatePem: 'CERT', privateKeyPem: 'KEY' };

/** Options that together make every role render something. */
const everyRole: readonly AggregatedApiServerOptions[] = [
  {
    resources,
    tls: { mode: 'self-managed' },
    metrics: { prometheusServiceAccount: { name: 'prometheus', namespace: 'monitoring' } },
  },
  {
    resources: [metricSnapshot, cronTab],
    tls: { mode: 'cert-manager' },
    auditPolicy: { rules: [{ level: 'Metadata' }] },
  },
  { resources, replicas: 1, storage: { type: 'embedded' }, tls: { mode: 'generated' } },
  { resources, external: { address: '192.0.2.10' }, tls: { mode: 'generated' } },
];

describe('the table of object roles', () => {
  test('GIVEN the table THEN every key, Pulumi name and construct id is unique', () => {
    for (const field of ['key', 'id', 'pulumiName'] as const) {
      const values = OBJECT_ROLES.map((r) => r[field]);
      expect(new Set(values).size).toBe(values.length);
    }
  });

  test('GIVEN options covering every role THEN each role renders objects of its kind, and every role renders somewhere', () => {
    const rendered = new Set<string>();
    for (const options of everyRole) {
      const config = resolveConfig(options);
      const withMaterial = config.tls.mode === 'generated' ? material : undefined;
      for (const { role, manifest } of roleObjects(renderManifests(config, withMaterial))) {
        expect({ role: role.key, kind: manifest.kind }).toEqual({ role: role.key, kind: role.kind });
        rendered.add(role.key);
      }
    }
    expect([...rendered].sort()).toEqual(OBJECT_ROLES.map((r) => r.key).sort());
  });

  test('GIVEN the table THEN the namespace comes first and the APIServices last', () => {
    expect(OBJECT_ROLES[0].key).toBe('namespace');
    expect(OBJECT_ROLES[OBJECT_ROLES.length - 1].key).toBe('apiServices');
  });
});
