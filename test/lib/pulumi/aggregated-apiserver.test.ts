import * as pulumi from '@pulumi/pulumi';
import * as k8s from '@pulumi/kubernetes';
import * as tls from '@pulumi/tls';
import { manifestList, renderManifests, resolveConfig } from '../../../lib/core/index.js';
import {
  AggregatedApiServer,
  AggregatedApiServerConfigError,
  API_SERVICE_READY,
  WAIT_FOR_ANNOTATION,
} from '../../../lib/pulumi/index.js';
import { isKubernetesObject } from '../../../lib/pulumi/testing/kubernetes-objects.js';
import { runUnderMocks } from '../../../lib/pulumi/testing/mock-deployment.js';
import { cronTab, gadget, metricSnapshot } from '../support/definitions.js';
import { deployUnderMocks, object, valueOf } from './support/mock-deploy.js';

describe('AggregatedApiServer (Pulumi component)', () => {
  test('GIVEN the defaults WHEN deployed THEN it realizes exactly the objects lib/core renders for generated TLS, in its apply order', async () => {
    const { objects } = await deployUnderMocks();
    const core = manifestList(
      renderManifests(
        resolveConfig({
          name: 'custom-apiserver',
          resources: [metricSnapshot],
          tls: { mode: 'generated' },
        }),
        {
          caCertificatePem: 'x',
          certificatePem: 'x',
          privateKeyPem: 'x',
        },
      ),
    );
    const key = (m: { kind: string; metadata: { name: string; namespace?: string } }) =>
      `${m.kind} ${m.metadata.namespace ?? '-'}/${m.metadata.name}`;
    expect(objects.map(key)).toEqual(core.map(key));
    expect(objects[0].kind).toBe('Namespace');
    expect(objects.slice(-2).map((o) => o.kind)).toEqual(['APIService', 'APIService']);
  });

  test('THEN it is a component of type aggregated-apiserver:index:AggregatedApiServer parenting every child', async () => {
    const { component, resources } = await deployUnderMocks();
    expect(component.type).toBe('aggregated-apiserver:index:AggregatedApiServer');
    expect(component.custom).toBe(false);
    expect(component.urn).toMatch(/::aggregated-apiserver:index:AggregatedApiServer::test$/);
    const children = resources.filter((r) => r !== component);
    expect(children.length).toBeGreaterThan(20);
    for (const child of children)
      expect({ child: child.name, parent: child.parent }).toEqual({
        child: child.name,
        parent: component.urn,
      });
    expect(children.map((c) => c.name)).toEqual(
      expect.arrayContaining(['test-namespace', 'test-deployment']),
    );
  });

  test('THEN every Kubernetes object depends on the one before it in apply order (destroy runs in reverse)', async () => {
    const { resources, objects } = await deployUnderMocks();
    const kube = resources.filter(isKubernetesObject);
    const byObject = (o: (typeof objects)[number]) =>
      kube.find(
        (r) => (r.inputs.metadata as { name: string }).name === o.metadata.name && r.inputs.kind === o.kind,
      );
    objects.forEach((o, i) => {
      if (i === 0) return;
      const before = byObject(objects[i - 1]);
      expect({
        object: o.metadata.name,
        dependsOn: byObject(o)?.dependencies.includes(before?.urn ?? ''),
      }).toEqual({
        object: o.metadata.name,
        dependsOn: true,
      });
    });
  });

  test('THEN each APIService depends directly on the Service, Deployment, Secret and PodDisruptionBudget, and waits for Available', async () => {
    const { resource, resources } = await deployUnderMocks();
    const backends = [
      resource('kubernetes:core/v1:Service', 'test-service').urn,
      resource('kubernetes:apps/v1:Deployment').urn,
      resource('kubernetes:core/v1:Secret', 'test-serving-secret').urn,
      resource('kubernetes:policy/v1:PodDisruptionBudget', 'test-pod-disruption-budget').urn,
    ];
    const apiServices = resources.filter((r) => r.type === 'kubernetes:apiregistration.k8s.io/v1:APIService');
    expect(apiServices.map((a) => a.name)).toEqual([
      'test-apiservice-v1.metrics.example.com',
      'test-apiservice-v1beta1.metrics.example.com',
    ]);
    for (const apiService of apiServices) {
      expect(apiService.dependencies).toEqual(expect.arrayContaining(backends));
      const metadata = apiService.inputs.metadata as { annotations: Record<string, string> };
      expect(metadata.annotations[WAIT_FOR_ANNOTATION]).toBe(API_SERVICE_READY);
    }
  });

  test('THEN registerOutputs and the public Outputs give namespace, service, APIService names, CA and caBundle', async () => {
    const { server, component } = await deployUnderMocks({ namespace: 'metrics' });
    expect(Object.keys(component.registeredOutputs ?? {}).sort()).toEqual([
      'apiServiceNames',
      'caBundle',
      'caCertificatePem',
      'namespaceName',
      'serviceName',
    ]);
    const outputs = component.registeredOutputs as Record<string, unknown>;
    expect(outputs.namespaceName).toBe('metrics');
    expect(outputs.serviceName).toBe('custom-apiserver');
    expect(outputs.apiServiceNames).toEqual(['v1.metrics.example.com', 'v1beta1.metrics.example.com']);
    expect(await valueOf(server.namespaceName)).toBe('metrics');
    expect(await valueOf(server.serviceName)).toBe('custom-apiserver');
    const caPem = await valueOf(server.caCertificatePem ?? fail('no CA'));
    expect(caPem).toContain('-----BEGIN CERTIFICATE-----');
    expect(outputs.caCertificatePem).toBe(caPem);
    expect(await valueOf(server.caBundle ?? fail('no caBundle'))).toBe(Buffer.from(caPem).toString('base64'));
  });

  test('GIVEN opts.provider WHEN deployed THEN every Kubernetes child uses that provider', async () => {
    let cluster: k8s.Provider | undefined;
    const { resources } = await deployUnderMocks({}, () => {
      cluster = new k8s.Provider('cluster', { kubeconfig: 'apiVersion: v1\nkind: Config\n' });
      return { provider: cluster };
    });
    const providerUrn = resources.find((r) => r.type === 'pulumi:providers:kubernetes')?.urn;
    expect(providerUrn).toBeDefined();
    const kube = resources.filter(isKubernetesObject);
    expect(kube.length).toBeGreaterThan(10);
    for (const r of kube) expect(r.provider?.startsWith(`${providerUrn}::`)).toBe(true);
    for (const r of resources.filter((x) => x.type.startsWith('tls:'))) expect(r.provider).toBeUndefined();
  });

  test('GIVEN opts.providers for kubernetes and tls WHEN deployed THEN each child uses the provider of its package', async () => {
    const { resources } = await deployUnderMocks({}, () => ({
      providers: [new k8s.Provider('cluster', {}), new tls.Provider('pki', {})],
    }));
    const urnOf = (type: string) => resources.find((r) => r.type === type)?.urn ?? fail(type);
    const kubernetesProvider = urnOf('pulumi:providers:kubernetes');
    const tlsProvider = urnOf('pulumi:providers:tls');
    for (const r of resources.filter(isKubernetesObject))
      expect(r.provider).toMatch(new RegExp(`^${escape(kubernetesProvider)}::`));
    const tlsResources = resources.filter((r) => r.type.startsWith('tls:index/'));
    expect(tlsResources).toHaveLength(5);
    for (const r of tlsResources) expect(r.provider).toMatch(new RegExp(`^${escape(tlsProvider)}::`));
  });

  test('GIVEN an image Output WHEN deployed THEN the Deployment runs it', async () => {
    const { objects } = await deployUnderMocks({ image: Promise.resolve('registry.example/apiserver:7') });
    const deployment = object<{ spec: { template: { spec: { containers: { image: string }[] } } } }>(
      objects,
      'Deployment',
    );
    expect(deployment.spec.template.spec.containers[0].image).toBe('registry.example/apiserver:7');
  });

  test('GIVEN a definition with code and an image Output THEN the image is theirs: it serves the definition, no ConfigMap', async () => {
    const { objects } = await deployUnderMocks({
      resources: [gadget, cronTab],
      image: pulumi.output('registry.example/gadgets:7'),
    });
    const deployment = object<{
      spec: { template: { spec: { containers: { image: string; args: string[] }[] } } };
    }>(objects, 'Deployment');
    expect(deployment.spec.template.spec.containers[0].image).toBe('registry.example/gadgets:7');
    expect(deployment.spec.template.spec.containers[0].args).toContain(
      '--resources=gadgets.gadgets.example.com,crontabs.stable.example.com',
    );
    expect(objects.map((o) => o.kind)).not.toContain('ConfigMap');
  });

  test('GIVEN a definition with code and no image THEN construction fails naming its code', async () => {
    const error = await runUnderMocks(
      () => new AggregatedApiServer('code', { resources: [gadget], tls: { mode: 'self-managed' } }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AggregatedApiServerConfigError);
    expect((error as Error).message).toContain(
      'gadgets.gadgets.example.com (Gadget) has code the stock image cannot run (the strategy hook prepareForCreate, the conversion of v1alpha1)',
    );
  });

  test('GIVEN invalid args THEN construction fails listing lib/core problems and Pulumi key problems together', async () => {
    const construct = () =>
      new AggregatedApiServer('bad', {
        resources: [metricSnapshot],
        replicas: 2,
        storage: { type: 'embedded' },
        tls: { mode: 'generated', keyAlgorithm: 'ECDSA', rsaBits: 4096 },
      });
    const error = await runUnderMocks(construct).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AggregatedApiServerConfigError);
    expect((error as AggregatedApiServerConfigError).problems).toEqual([
      expect.stringMatching(/embedded storage keeps the data on one ReadWriteOnce volume/),
      'tls.rsaBits only applies to tls.keyAlgorithm "RSA"',
    ]);
  });
});

function fail(what: string): never {
  throw new Error(`missing ${what}`);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\$]/g, '\\$&');
}
