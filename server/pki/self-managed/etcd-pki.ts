import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { messageOf } from '../../auth/delegated/kube-client.js';
import type { Logger } from '../../util/logger.js';
import { createCertificateAuthority, issueCertificate, type KeyPairPem } from '../certificates.js';
import { SelfManagedClusterObjects } from './cluster-objects.js';

/** Keys of the etcd TLS Secret. The members mount only the CA certificate and their pair. */
export const ETCD_SECRET_KEYS = {
  caCertificate: 'ca.crt',
  caKey: 'ca.key',
  memberCertificate: 'member.crt',
  memberKey: 'member.key',
  clientCertificate: 'client.crt',
  clientKey: 'client.key',
} as const;

/** Common name (the etcd user, were etcd's RBAC on) of the server's client certificate. */
export const ETCD_CLIENT_COMMON_NAME = 'aggregated-apiserver';

/** Options of ensureEtcdPki. */
export interface EtcdPkiOptions {
  readonly kubeConfig: KubeConfig;
  readonly secretNamespace: string;
  readonly secretName: string;
  /** DNS names (wildcards allowed) and IPs the members' certificate covers. */
  readonly memberHosts: readonly string[];
  /** Lifetime of the CA, and of the certificates it signs. */
  readonly validityMs: number;
  /** Where the CA certificate and the client pair are written for the etcd client. */
  readonly certDir: string;
  readonly log: Logger;
  /** How long to keep trying (the Secret or the API may not be there yet). @default 60 s */
  readonly timeoutMs?: number;
}

/** The files the server's etcd client uses (`--etcd-cafile`, `--etcd-certfile`, `--etcd-keyfile`). */
export interface EtcdClientFiles {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

interface EtcdPki {
  readonly ca?: KeyPairPem;
  readonly member?: KeyPairPem;
  readonly client?: KeyPairPem;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The dedicated etcd's PKI, made by the server like its own serving certificate: a CA, one
 * certificate for every member (serving clients and peers, and a client itself for peer
 * authentication and etcdctl), and the server's client certificate, kept in one Secret that the
 * members mount (only the CA certificate and their pair). Created on the first start of any
 * replica (the members wait for it), re-issued from the same CA when a certificate no longer
 * covers the names or was not issued by the CA. Writes the CA certificate and the client pair
 * to `<certDir>/etcd/` and returns their paths.
 */
export async function ensureEtcdPki(options: EtcdPkiOptions): Promise<EtcdClientFiles> {
  const objects = new SelfManagedClusterObjects(options.kubeConfig, {
    secretNamespace: options.secretNamespace,
    secretName: options.secretName,
    apiServices: [],
  });
  const ref = `${options.secretNamespace}/${options.secretName}`;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    try {
      const read = await objects.readSecret();
      const text = (key: string) =>
        Object.hasOwn(read.data, key) ? Buffer.from(read.data[key], 'base64').toString('utf8') : undefined;
      const pair = (cert: string, key: string) => {
        const certPem = text(cert);
        const keyPem = text(key);
        return certPem && keyPem ? { certPem, keyPem } : undefined;
      };
      const current: EtcdPki = {
        ca: pair(ETCD_SECRET_KEYS.caCertificate, ETCD_SECRET_KEYS.caKey),
        member: pair(ETCD_SECRET_KEYS.memberCertificate, ETCD_SECRET_KEYS.memberKey),
        client: pair(ETCD_SECRET_KEYS.clientCertificate, ETCD_SECRET_KEYS.clientKey),
      };
      const { pki, changes } = await complete(current, options);
      if (changes.length > 0) {
        const data: Record<string, string> = {};
        const put = (key: string, value: string) =>
          (data[key] = Buffer.from(value, 'utf8').toString('base64'));
        put(ETCD_SECRET_KEYS.caCertificate, pki.ca.certPem);
        put(ETCD_SECRET_KEYS.caKey, pki.ca.keyPem);
        put(ETCD_SECRET_KEYS.memberCertificate, pki.member.certPem);
        put(ETCD_SECRET_KEYS.memberKey, pki.member.keyPem);
        put(ETCD_SECRET_KEYS.clientCertificate, pki.client.certPem);
        put(ETCD_SECRET_KEYS.clientKey, pki.client.keyPem);
        if (!(await objects.writeSecret(read, data, {}))) continue; // another replica wrote first
        for (const change of changes) options.log.info(0, `etcd TLS: ${change}`, { secret: ref });
      }
      return writeClientFiles(options.certDir, pki.ca, pki.client);
    } catch (error) {
      if (Date.now() >= deadline) {
        throw new Error(`etcd TLS: cannot read or write the Secret ${ref}: ${messageOf(error)}`);
      }
      options.log.error('etcd TLS: trying again', { secret: ref, error: messageOf(error) });
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
  }
}

async function complete(
  current: EtcdPki,
  options: EtcdPkiOptions,
): Promise<{ pki: Required<EtcdPki>; changes: string[] }> {
  const changes: string[] = [];
  let ca = current.ca && usableCa(current.ca) ? current.ca : undefined;
  if (!ca) {
    ca = await createCertificateAuthority(
      `${options.secretNamespace}/${options.secretName} etcd CA@${Math.floor(Date.now() / 1000)}`,
      options.validityMs / DAY_MS,
    );
    changes.push('created the etcd CA');
  }
  let member = current.member;
  if (!member || !issuedFor(member, ca, options.memberHosts)) {
    const ips = options.memberHosts.filter((h) => isIP(h) !== 0);
    member = await issueCertificate(ca, {
      commonName: 'etcd',
      dnsNames: options.memberHosts.filter((h) => !ips.includes(h)),
      ipAddresses: ips,
      usage: 'server-and-client',
      validityDays: remainingDays(ca),
    });
    changes.push('issued the members’ certificate');
  }
  let client = current.client;
  if (!client || !issuedFor(client, ca, [])) {
    client = await issueCertificate(ca, {
      commonName: ETCD_CLIENT_COMMON_NAME,
      usage: 'client',
      validityDays: remainingDays(ca),
    });
    changes.push('issued the server’s client certificate');
  }
  return { pki: { ca, member, client }, changes };
}

function usableCa(ca: KeyPairPem): boolean {
  try {
    const certificate = new X509Certificate(ca.certPem);
    return (
      certificate.ca &&
      certificate.checkPrivateKey(createPrivateKey(ca.keyPem)) &&
      new Date(certificate.validTo).getTime() > Date.now() + DAY_MS
    );
  } catch {
    return false;
  }
}

/** Whether the pair was issued by the CA, matches its key, and names every host (SANs, literally). */
function issuedFor(pair: KeyPairPem, ca: KeyPairPem, hosts: readonly string[]): boolean {
  try {
    const certificate = new X509Certificate(pair.certPem);
    const issuer = new X509Certificate(ca.certPem);
    const sans = (certificate.subjectAltName ?? '').split(', ');
    return (
      certificate.checkIssued(issuer) &&
      certificate.verify(issuer.publicKey) &&
      certificate.checkPrivateKey(createPrivateKey(pair.keyPem)) &&
      hosts.every((host) => sans.includes(isIP(host) !== 0 ? `IP Address:${host}` : `DNS:${host}`))
    );
  } catch {
    return false;
  }
}

function remainingDays(ca: KeyPairPem): number {
  return (new Date(new X509Certificate(ca.certPem).validTo).getTime() - Date.now()) / DAY_MS;
}

function writeClientFiles(certDir: string, ca: KeyPairPem, client: KeyPairPem): EtcdClientFiles {
  const dir = join(certDir, 'etcd');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const write = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(`${path}.tmp`, content, { mode: 0o600 });
    renameSync(`${path}.tmp`, path);
    return path;
  };
  return {
    caFile: write('ca.crt', ca.certPem),
    certFile: write('client.crt', client.certPem),
    keyFile: write('client.key', client.keyPem),
  };
}
