import type {
  V1APIService,
  V1Deployment,
  V1EndpointSlice,
  V1Service,
  V1StatefulSet,
} from '@kubernetes/client-node';
import { X509Certificate } from 'node:crypto';
import { all, cleanupTempDirs, one, synthSeed } from '../support/synth.js';

afterAll(cleanupTempDirs);

describe('example app (apps/cdk8s)', () => {
  test('GIVEN no environment THEN the seed system: 2 replicas, dedicated etcd, MetricSnapshot v1 and v1beta1', () => {
    const objects = synthSeed({});
    const deployment = one<V1Deployment>(objects, 'Deployment', 'custom-apiserver');
    expect(deployment.metadata.namespace).toBe('custom-apiserver');
    expect(deployment.spec?.replicas).toBe(2);
    expect(one<V1StatefulSet>(objects, 'StatefulSet').spec?.replicas).toBe(3);
    expect(all<V1APIService>(objects, 'APIService').map((a) => a.metadata.name)).toEqual([
      'v1.metrics.example.com',
      'v1beta1.metrics.example.com',
    ]);
  });

  test('GIVEN a loopback AGGREGATED_APISERVER_EXTERNAL_ADDRESS and generated TLS THEN an ExternalName localhost Service, no workload', () => {
    const objects = synthSeed({
      AGGREGATED_APISERVER_EXTERNAL_ADDRESS: '127.0.0.1:6443',
      AGGREGATED_APISERVER_TLS_MODE: 'generated',
    });
    expect(all(objects, 'Deployment')).toHaveLength(0);
    expect(all(objects, 'StatefulSet')).toHaveLength(0);
    expect(one<V1Service>(objects, 'Service').spec).toEqual({
      type: 'ExternalName',
      externalName: 'localhost',
    });
    for (const a of all<V1APIService>(objects, 'APIService')) expect(a.spec?.service?.port).toBe(6443);
    const tlsCrt = one<{ data: Record<string, string> }>(objects, 'Secret').data['tls.crt'];
    const cert = new X509Certificate(Buffer.from(tlsCrt, 'base64').toString());
    expect(cert.checkHost('custom-apiserver.custom-apiserver.svc', { subject: 'never' })).toBeDefined();
    expect(cert.checkHost('localhost', { subject: 'never' })).toBe('localhost');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
  });

  test('GIVEN no TLS mode THEN the server manages its certificate: no key, no caBundle, an empty Secret', () => {
    const objects = synthSeed({});
    const secret = one<{ data?: unknown; type: string }>(objects, 'Secret', 'custom-apiserver-serving-cert');
    expect(secret.type).toBe('Opaque');
    expect(secret.data).toBeUndefined();
    for (const a of all<V1APIService>(objects, 'APIService')) expect(a.spec?.caBundle).toBeUndefined();
    expect(JSON.stringify(objects)).not.toContain('PRIVATE KEY');
  });

  test('GIVEN a routable AGGREGATED_APISERVER_EXTERNAL_ADDRESS THEN a selector-less Service and an EndpointSlice', () => {
    const objects = synthSeed({ AGGREGATED_APISERVER_EXTERNAL_ADDRESS: '10.1.2.3:6443' });
    expect(one<V1EndpointSlice>(objects, 'EndpointSlice').endpoints).toEqual([
      { addresses: ['10.1.2.3'], conditions: { ready: true } },
    ]);
    expect(one<V1Service>(objects, 'Service').spec?.selector).toBeUndefined();
  });
});
