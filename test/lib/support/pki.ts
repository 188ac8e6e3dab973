import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

/**
 * Test PKI built with @peculiar/x509 on WebCrypto: a library independent of node-forge (which the
 * construct signs with), so that tests check the construct's certificates with other code than
 * made them, and feed it certificates it did not make.
 */
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** The WebCrypto key pair type @peculiar/x509 works with (no DOM lib in this project). */
type KeyPair = Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'];

const ALG = {
  name: 'RSASSA-PKCS1-v1_5',
  hash: 'SHA-256',
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048,
};
const DAY = 24 * 60 * 60 * 1000;

/** A certificate and its key as PEM, with the WebCrypto key pair for signing. */
export interface TestCert {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  readonly keys: KeyPair;
  readonly certificate: x509.X509Certificate;
}

async function keyPair(): Promise<KeyPair> {
  return (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as unknown as KeyPair;
}

async function privateKeyPem(keys: KeyPair): Promise<string> {
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as unknown as webcrypto.CryptoKey);
  return x509.PemConverter.encode(pkcs8, 'PRIVATE KEY');
}

/** A self-signed CA. */
export async function makeCa(commonName = 'test CA'): Promise<TestCert> {
  const keys = await keyPair();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `CN=${commonName}`,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 365 * DAY),
    signingAlgorithm: ALG,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  return {
    certificatePem: certificate.toString('pem'),
    privateKeyPem: await privateKeyPem(keys),
    keys,
    certificate,
  };
}

/** A serving certificate signed by `ca`. */
export async function makeServingCert(
  ca: TestCert,
  dnsNames: readonly string[],
  options: { ipAddresses?: readonly string[]; commonName?: string } = {},
): Promise<TestCert> {
  const keys = await keyPair();
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: '02',
    subject: `CN=${options.commonName ?? dnsNames[0] ?? 'server'}`,
    issuer: ca.certificate.subject,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 90 * DAY),
    signingAlgorithm: ALG,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
        true,
      ),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        ...dnsNames.map((value) => ({ type: 'dns' as const, value })),
        ...(options.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
      ]),
    ],
  });
  return {
    certificatePem: certificate.toString('pem'),
    privateKeyPem: await privateKeyPem(keys),
    keys,
    certificate,
  };
}

/** TLS material as given to `tls: { mode: 'provided', ... }`: the CA's certificate, cert's certificate and keyOf's private key (cert's own unless given). */
export function pems(
  ca: TestCert,
  cert: TestCert,
  keyOf: TestCert = cert,
): { caCertificatePem: string; certificatePem: string; privateKeyPem: string } {
  return {
    caCertificatePem: ca.certificatePem,
    certificatePem: cert.certificatePem,
    privateKeyPem: keyOf.privateKeyPem,
  };
}

/** Whether @peculiar/x509 builds the chain leaf -> CA and the signature verifies. */
export async function chainVerifies(leafPem: string, caPem: string): Promise<boolean> {
  const leaf = new x509.X509Certificate(leafPem);
  const ca = new x509.X509Certificate(caPem);
  const chain = await new x509.X509ChainBuilder({ certificates: [ca] }).build(leaf);
  const signed = await leaf.verify({ publicKey: ca.publicKey, date: new Date() });
  return chain.length === 2 && chain[1].equal(ca) && signed;
}
