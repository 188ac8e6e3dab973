import { deploymentEnvironment, environmentServing } from '../../../apps/support/deployment-environment.js';

describe('the example deployments read their environment', () => {
  test('GIVEN addresses, SANs, an image and a TLS mode THEN they parse, and garbage is refused', () => {
    expect(
      deploymentEnvironment({ AGGREGATED_APISERVER_EXTERNAL_ADDRESS: 'localhost:7443' }).external,
    ).toEqual({
      address: 'localhost',
      port: 7443,
    });
    expect(deploymentEnvironment({ AGGREGATED_APISERVER_EXTERNAL_ADDRESS: '[::1]:6443' })).toEqual({
      external: { address: 'localhost', port: 6443 },
      extraSans: ['::1'],
    });
    expect(
      deploymentEnvironment({ AGGREGATED_APISERVER_EXTERNAL_ADDRESS: '[2001:db8::1]:6443' }).external,
    ).toEqual({ address: '2001:db8::1', port: 6443 });
    expect(
      deploymentEnvironment({ AGGREGATED_APISERVER_EXTRA_SANS: 'localhost, 127.0.0.1' }).extraSans,
    ).toEqual(['localhost', '127.0.0.1']);
    expect(deploymentEnvironment({ AGGREGATED_APISERVER_IMAGE: 'x:1' }).image).toBe('x:1');
    expect(deploymentEnvironment({ AGGREGATED_APISERVER_TLS_MODE: 'generated' }).tlsMode).toBe('generated');
    expect(() => deploymentEnvironment({ AGGREGATED_APISERVER_TLS_MODE: 'provided' })).toThrow(
      /AGGREGATED_APISERVER_TLS_MODE must be self-managed or generated/,
    );
    expect(() => deploymentEnvironment({ AGGREGATED_APISERVER_EXTERNAL_ADDRESS: '127.0.0.1' })).toThrow(
      /must be <host>:<port>/,
    );
  });

  test('GIVEN a loopback server THEN the certificate covers localhost and the IP, and the mode defaults to the program', () => {
    const environment = deploymentEnvironment({ AGGREGATED_APISERVER_EXTERNAL_ADDRESS: '127.0.0.1:6443' });
    expect(environmentServing(environment, 'generated')).toEqual({
      tls: { mode: 'generated', additionalDnsNames: ['localhost'], additionalIpAddresses: ['127.0.0.1'] },
      external: { address: 'localhost', port: 6443 },
    });
    expect(environmentServing({ tlsMode: 'self-managed' }, 'generated')).toEqual({
      tls: { mode: 'self-managed', additionalDnsNames: [], additionalIpAddresses: [] },
    });
  });
});
