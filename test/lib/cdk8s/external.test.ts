import type { V1APIService, V1EndpointSlice, V1Secret, V1Service } from '@kubernetes/client-node';
import { all, cleanupTempDirs, one, synthServer } from '../support/synth.js';

afterAll(cleanupTempDirs);

describe('external server on an IP address', () => {
  const { objects, server } = synthServer({
    external: { address: '192.0.2.10', port: 6443 },
    tls: { mode: 'generated' },
  });

  test('GIVEN an external IP THEN no Deployment, PodDisruptionBudget or etcd is rendered', () => {
    for (const kind of [
      'Deployment',
      'PodDisruptionBudget',
      'StatefulSet',
      'PersistentVolumeClaim',
      'NetworkPolicy',
    ]) {
      expect(all(objects, kind)).toHaveLength(0);
    }
    expect(server.objects.deployment).toBeUndefined();
  });

  test('GIVEN an external IP THEN a selector-less Service with the named port and an EndpointSlice carrying that name', () => {
    const service = one<V1Service>(objects, 'Service');
    expect(service.spec?.selector).toBeUndefined();
    expect(service.spec?.type).toBe('ClusterIP');
    expect(service.spec?.ports).toEqual([{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }]);
    const slice = one<V1EndpointSlice>(objects, 'EndpointSlice');
    expect(slice.apiVersion).toBe('discovery.k8s.io/v1');
    expect(slice.metadata.namespace).toBe('custom-apiserver');
    expect(slice.metadata.labels?.['kubernetes.io/service-name']).toBe(service.metadata.name);
    expect(slice.addressType).toBe('IPv4');
    expect(slice.ports).toEqual([{ name: service.spec?.ports?.[0].name, port: 6443, protocol: 'TCP' }]);
    expect(slice.endpoints).toEqual([{ addresses: ['192.0.2.10'], conditions: { ready: true } }]);
  });

  test('GIVEN an external IP THEN the APIServices still verify <service>.<namespace>.svc against the caBundle', () => {
    for (const a of all<V1APIService>(objects, 'APIService')) {
      expect(a.spec?.service).toEqual({ name: 'custom-apiserver', namespace: 'custom-apiserver', port: 443 });
      expect(a.spec?.caBundle).toBeDefined();
    }
    expect(one<V1Secret>(objects, 'Secret').type).toBe('kubernetes.io/tls');
    expect(server.tlsMaterial?.certificatePem).toContain('BEGIN CERTIFICATE');
  });

  test('GIVEN an external IPv6 address THEN the EndpointSlice is IPv6', () => {
    const out = synthServer({ external: { address: '2001:db8::10' } }).objects;
    expect(one<V1EndpointSlice>(out, 'EndpointSlice')).toMatchObject({
      addressType: 'IPv6',
      endpoints: [{ addresses: ['2001:db8::10'] }],
    });
  });
});

describe('external server on this machine', () => {
  test('GIVEN a loopback address THEN synth fails and points at localhost (Kubernetes refuses loopback endpoints)', () => {
    expect(() => synthServer({ external: { address: '127.0.0.1' } })).toThrow(
      /loopback range .* use address: "localhost"/,
    );
  });

  test('GIVEN localhost THEN an ExternalName Service the aggregator dials on the external port', () => {
    const { objects } = synthServer({ external: { address: 'localhost', port: 6443 } });
    expect(one<V1Service>(objects, 'Service').spec).toEqual({
      type: 'ExternalName',
      externalName: 'localhost',
    });
    for (const a of all<V1APIService>(objects, 'APIService')) {
      expect(a.spec?.service).toEqual({
        name: 'custom-apiserver',
        namespace: 'custom-apiserver',
        port: 6443,
      });
    }
  });
});

describe('external server on a DNS name', () => {
  test('GIVEN an external host name THEN an ExternalName Service and the APIServices dial the external port', () => {
    const { objects } = synthServer({ external: { address: 'apiserver.corp.example', port: 7443 } });
    expect(one<V1Service>(objects, 'Service').spec).toEqual({
      type: 'ExternalName',
      externalName: 'apiserver.corp.example',
    });
    expect(all(objects, 'EndpointSlice')).toHaveLength(0);
    expect(all(objects, 'Deployment')).toHaveLength(0);
    for (const a of all<V1APIService>(objects, 'APIService')) expect(a.spec?.service?.port).toBe(7443);
  });
});
