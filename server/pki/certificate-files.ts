import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  certificateStillGood,
  createCertificateAuthority,
  issueCertificate,
  type CertificateRequest,
  type KeyPairPem,
} from './certificates.js';

/** Reads `<dir>/<name>.crt` and `<dir>/<name>.key`, if both exist. */
export function readPair(dir: string, name: string): KeyPairPem | undefined {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  if (!existsSync(cert) || !existsSync(key)) return undefined;
  return { certPem: readFileSync(cert, 'utf8'), keyPem: readFileSync(key, 'utf8') };
}

function writePair(dir: string, name: string, pair: KeyPairPem): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, `${name}.crt`), pair.certPem, { mode: 0o644 });
  writeFileSync(join(dir, `${name}.key`), pair.keyPem, { mode: 0o600 });
}

/** The CA stored in `dir` under `name`, created on first use and kept for as long as it is valid. */
export async function ensureCertificateAuthority(
  dir: string,
  name: string,
  commonName: string,
): Promise<KeyPairPem> {
  const existing = readPair(dir, name);
  if (existing && certificateStillGood(existing.certPem, [], 30)) return existing;
  const ca = await createCertificateAuthority(commonName);
  writePair(dir, name, ca);
  return ca;
}

/** A leaf certificate stored in `dir`, re-issued by `ca` when missing, expiring or no longer covering its names. */
export async function ensureCertificate(
  dir: string,
  name: string,
  ca: KeyPairPem,
  request: CertificateRequest,
): Promise<KeyPairPem> {
  const existing = readPair(dir, name);
  const hosts = [...(request.dnsNames ?? []), ...(request.ipAddresses ?? [])];
  if (
    existing &&
    certificateStillGood(existing.certPem, hosts, 7) &&
    certificateIssuedBy(existing.certPem, ca.certPem)
  )
    return existing;
  const pair = await issueCertificate(ca, request);
  writePair(dir, name, pair);
  return pair;
}

export function certificateIssuedBy(certPem: string, caPem: string): boolean {
  try {
    const cert = new X509Certificate(certPem);
    const ca = new X509Certificate(caPem);
    return cert.checkIssued(ca) && cert.verify(ca.publicKey);
  } catch {
    return false;
  }
}

/** Paths of a serving pair generated into --cert-dir, as the generic apiserver names them. */
export async function ensureSelfSignedServing(
  certDir: string,
  hosts: readonly string[],
): Promise<{ certFile: string; keyFile: string }> {
  const ca = await ensureCertificateAuthority(
    certDir,
    'apiserver-ca',
    `aggregated-apiserver-ca@${Math.floor(Date.now() / 1000)}`,
  );
  const ips = hosts.filter((h) => /^[0-9.:]+$/.test(h));
  await ensureCertificate(certDir, 'apiserver', ca, {
    commonName: 'localhost',
    dnsNames: hosts.filter((h) => !ips.includes(h)),
    ipAddresses: ips,
    usage: 'server',
    validityDays: 365,
  });
  return { certFile: join(certDir, 'apiserver.crt'), keyFile: join(certDir, 'apiserver.key') };
}
