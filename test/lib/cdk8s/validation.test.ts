import { AggregatedApiServerConfigError, type AggregatedApiServerProps } from '../../../lib/cdk8s/index.js';
import type { ResourceDefinition } from '../../../api/index.js';
import { gadget } from '../support/definitions.js';
import { cleanupTempDirs, synthServer } from '../support/synth.js';

afterAll(cleanupTempDirs);

describe('AggregatedApiServer refuses invalid props at synth', () => {
  test.each<[string, Partial<AggregatedApiServerProps>, RegExp]>([
    [
      'replicas > 1 with embedded storage',
      { replicas: 3, storage: { type: 'embedded' } },
      /embedded storage .* supports a single replica, got replicas: 3/,
    ],
    [
      'an empty etcd endpoint list',
      { storage: { type: 'etcd', endpoints: [] } },
      /storage\.endpoints must list at least one etcd client URL/,
    ],
    [
      'insecureSkipTLSVerify together with a CA',
      { insecureSkipTLSVerify: true },
      /insecureSkipTLSVerify cannot be combined with a CA/,
    ],
    [
      'insecureSkipTLSVerify together with provided PEMs',
      {
        insecureSkipTLSVerify: true,
        tls: {
          mode: 'provided',
          caCertificatePem: '-----BEGIN',
          certificatePem: '-----BEGIN',
          privateKeyPem: '-----BEGIN',
        },
      },
      /insecureSkipTLSVerify cannot be combined with a CA \(tls mode "provided"/,
    ],
    [
      'a self-signed certificate without insecureSkipTLSVerify',
      { tls: { mode: 'self-signed' } },
      /set insecureSkipTLSVerify: true explicitly/,
    ],
    [
      'a description of a resource instead of its definition',
      {
        resources: [
          {
            group: 'metrics.example.com',
            versions: ['v1'],
            kind: 'MetricSnapshot',
            plural: 'metricsnapshots',
          },
        ] as unknown as ResourceDefinition[],
      },
      /resources\[0\] is not a resource definition/,
    ],
    [
      'a definition with code and no image',
      { resources: [gadget] },
      /gadgets\.gadgets\.example\.com \(Gadget\) has code the stock image cannot run \(the strategy hook prepareForCreate, the conversion of v1alpha1\)/,
    ],
    ['port 443 for the container', { securePort: 443 }, /securePort must be an unprivileged port/],
    [
      'an even number of etcd members',
      { storage: { type: 'dedicated-etcd', members: 4 } },
      /storage\.members must be 1, 3 or 5/,
    ],
    [
      'storage with an external server',
      { external: { address: '127.0.0.1' }, storage: { type: 'embedded' } },
      /storage cannot be combined with external/,
    ],
    [
      'a managed flag in extraArgs',
      { extraArgs: ['--etcd-servers=http://x:2379'] },
      /extraArgs must not set --etcd-servers/,
    ],
    [
      'groupPriorityMinimum 0',
      { groupPriorityMinimum: 0 },
      /groupPriorityMinimum must be an integer from 1 to 20000/,
    ],
    ['versionPriority 1001', { versionPriority: 1001 }, /versionPriority must be an integer from 1 to 1000/],
  ])('GIVEN %s WHEN synthesized THEN it fails with a clear message', (_what, props, message) => {
    let error: unknown;
    try {
      synthServer(props);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AggregatedApiServerConfigError);
    expect((error as Error).message).toMatch(message);
  });
});
