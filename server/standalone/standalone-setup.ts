import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ensureCertificate, ensureCertificateAuthority } from '../pki/certificate-files.js';

export interface StandaloneSetup {
  readonly certFile: string;
  readonly keyFile: string;
  /** The CA that signs admin (and any other) client certificates. */
  readonly clientCaPem: string;
  /** Writes `<dataDir>/kubeconfig` for the port the server ended up listening on; returns its path. */
  writeKubeconfig(port: number): string;
}

const b64 = (text: string): string => Buffer.from(text).toString('base64');

/**
 * The local quick start: a CA in `<dataDir>/pki`, a serving certificate for localhost, an
 * admin client certificate (CN=admin, O=system:masters) and `<dataDir>/kubeconfig` that
 * points kubectl at this server. Everything is reused across restarts.
 */
export async function prepareStandalone(dataDir: string, host: string): Promise<StandaloneSetup> {
  const pkiDir = join(dataDir, 'pki');
  const ca = await ensureCertificateAuthority(pkiDir, 'ca', 'aggregated-apiserver standalone CA');
  await ensureCertificate(pkiDir, 'serving', ca, {
    commonName: 'localhost',
    dnsNames: ['localhost'],
    ipAddresses: [
      ...new Set([
        '127.0.0.1',
        '::1',
        ...(/^[0-9.:]+$/.test(host) && host !== '0.0.0.0' && host !== '::' ? [host] : []),
      ]),
    ],
    usage: 'server',
    validityDays: 365,
  });
  const admin = await ensureCertificate(pkiDir, 'admin', ca, {
    commonName: 'admin',
    organizations: ['system:masters'],
    usage: 'client',
    validityDays: 365,
  });
  const writeKubeconfig = (port: number): string => {
    const serverHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
    const kubeconfig = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'aggregated-apiserver',
          cluster: {
            server: `https://${serverHost.includes(':') ? `[${serverHost}]` : serverHost}:${port}`,
            'certificate-authority-data': b64(ca.certPem),
          },
        },
      ],
      users: [
        {
          name: 'admin',
          user: { 'client-certificate-data': b64(admin.certPem), 'client-key-data': b64(admin.keyPem) },
        },
      ],
      contexts: [
        {
          name: 'aggregated-apiserver',
          context: { cluster: 'aggregated-apiserver', user: 'admin', namespace: 'default' },
        },
      ],
      'current-context': 'aggregated-apiserver',
    };
    const kubeconfigPath = join(dataDir, 'kubeconfig');
    writeFileSync(kubeconfigPath, stringify(kubeconfig), { mode: 0o600 });
    return kubeconfigPath;
  };
  return {
    certFile: join(pkiDir, 'serving.crt'),
    keyFile: join(pkiDir, 'serving.key'),
    clientCaPem: ca.certPem,
    writeKubeconfig,
  };
}
