import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createCertificateAuthority,
  issueCertificate,
  type KeyPairPem,
} from '../../../server/pki/certificates.js';

/** A certificate (or CA) with its key, in memory and on disk. */
export interface CertificateFiles extends KeyPairPem {
  readonly certFile: string;
  readonly keyFile: string;
}

/** The key pair kube-apiserver signs service account tokens with. */
export interface ServiceAccountKeys {
  readonly publicKeyPem: string;
  readonly privateKeyPem: string;
  readonly publicKeyFile: string;
  readonly privateKeyFile: string;
}

/** Everything a control plane needs, laid out like kubeadm's /etc/kubernetes/pki. */
export interface ControlPlanePki {
  readonly dir: string;
  /** Signs every serving certificate and every client certificate users authenticate with. */
  readonly clusterCa: CertificateFiles;
  /** Trusted by `--requestheader-client-ca-file`: only the aggregator's proxy client has a cert. */
  readonly frontProxyCa: CertificateFiles;
  /** The aggregator's client certificate (CN front-proxy-client), signed by the front-proxy CA. */
  readonly frontProxyClient: CertificateFiles;
  /** kube-apiserver's serving certificate. */
  readonly apiServerServing: CertificateFiles;
  /** CN kubernetes-admin, O system:masters. */
  readonly admin: CertificateFiles;
  /** CN system:kube-controller-manager. */
  readonly controllerManagerClient: CertificateFiles;
  /** kube-controller-manager's serving certificate (127.0.0.1, localhost). */
  readonly controllerManagerServing: CertificateFiles;
  readonly serviceAccount: ServiceAccountKeys;
}

/** The service IP kube-apiserver gives the `kubernetes` Service: the first of 10.96.0.0/16. */
export const KUBERNETES_SERVICE_IP = '10.96.0.1';
export const FRONT_PROXY_CLIENT_NAME = 'front-proxy-client';
const VALIDITY_DAYS = 2;

function save(dir: string, name: string, pair: KeyPairPem): CertificateFiles {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  writeFileSync(certFile, pair.certPem, { mode: 0o644 });
  writeFileSync(keyFile, pair.keyPem, { mode: 0o600 });
  return { ...pair, certFile, keyFile };
}

/** A client certificate for `user` in `groups` (subject O), signed by `ca`. */
export function issueClientCertificate(
  ca: KeyPairPem,
  user: string,
  groups: readonly string[] = [],
): Promise<KeyPairPem> {
  return issueCertificate(ca, {
    commonName: user,
    organizations: groups,
    usage: 'client',
    validityDays: VALIDITY_DAYS,
  });
}

/** Creates the whole PKI in `dir` (ECDSA P-256, from server/pki/certificates.ts). */
export async function createControlPlanePki(dir: string): Promise<ControlPlanePki> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const [clusterCa, frontProxyCa] = await Promise.all([
    createCertificateAuthority('e2e-kubernetes-ca', VALIDITY_DAYS),
    createCertificateAuthority('e2e-front-proxy-ca', VALIDITY_DAYS),
  ]);
  const [frontProxyClient, apiServerServing, admin, controllerManagerClient, controllerManagerServing] =
    await Promise.all([
      issueClientCertificate(frontProxyCa, FRONT_PROXY_CLIENT_NAME),
      issueCertificate(clusterCa, {
        commonName: 'kube-apiserver',
        dnsNames: [
          'localhost',
          'kubernetes',
          'kubernetes.default',
          'kubernetes.default.svc',
          'kubernetes.default.svc.cluster.local',
        ],
        ipAddresses: ['127.0.0.1', KUBERNETES_SERVICE_IP],
        usage: 'server',
        validityDays: VALIDITY_DAYS,
      }),
      issueClientCertificate(clusterCa, 'kubernetes-admin', ['system:masters']),
      issueClientCertificate(clusterCa, 'system:kube-controller-manager'),
      issueCertificate(clusterCa, {
        commonName: 'kube-controller-manager',
        dnsNames: ['localhost'],
        ipAddresses: ['127.0.0.1'],
        usage: 'server',
        validityDays: VALIDITY_DAYS,
      }),
    ]);
  const sa = generateKeyPairSync('ec', {
    namedCurve: 'prime256v1',
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const serviceAccount: ServiceAccountKeys = {
    publicKeyPem: sa.publicKey,
    privateKeyPem: sa.privateKey,
    publicKeyFile: join(dir, 'sa.pub'),
    privateKeyFile: join(dir, 'sa.key'),
  };
  writeFileSync(serviceAccount.publicKeyFile, sa.publicKey, { mode: 0o644 });
  writeFileSync(serviceAccount.privateKeyFile, sa.privateKey, { mode: 0o600 });
  return {
    dir,
    clusterCa: save(dir, 'ca', clusterCa),
    frontProxyCa: save(dir, 'front-proxy-ca', frontProxyCa),
    frontProxyClient: save(dir, 'front-proxy-client', frontProxyClient),
    apiServerServing: save(dir, 'apiserver', apiServerServing),
    admin: save(dir, 'admin', admin),
    controllerManagerClient: save(dir, 'controller-manager-client', controllerManagerClient),
    controllerManagerServing: save(dir, 'controller-manager-serving', controllerManagerServing),
    serviceAccount,
  };
}
