import 'reflect-metadata';
import { createPrivateKey, createPublicKey, generateKeyPair, randomBytes, webcrypto } from 'node:crypto';
import { promisify } from 'node:util';
import * as x509 from '@peculiar/x509';

/**
 * Real keys, certificate requests and certificates, made the way the tls provider
 * (terraform-provider-tls behind @pulumi/tls) makes them from the same inputs, so that code run
 * under Pulumi mocks deploys material a real TLS stack accepts. @peculiar/x509 on WebCrypto, like
 * server/pki/certificates.ts; unlike it, every function here signs with the key it is given
 * rather than one it generates, because the resources pass keys to each other by PEM.
 */
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKey = webcrypto.CryptoKey;

/** A tls.PrivateKey's algorithm inputs. */
export interface KeySpec {
  readonly algorithm: string;
  readonly rsaBits?: number;
  readonly ecdsaCurve?: string;
}

/** The PEM outputs of a tls.PrivateKey. */
export interface GeneratedKey {
  /** PKCS#1 for RSA, SEC 1 for ECDSA, as the provider writes them. */
  readonly privateKeyPem: string;
  readonly privateKeyPemPkcs8: string;
  readonly publicKeyPem: string;
}

/** A certificate subject, in @pulumi/tls field names. */
export interface SubjectSpec {
  readonly commonName?: string;
  readonly organization?: string;
  readonly organizationalUnit?: string;
  readonly country?: string;
  readonly province?: string;
  readonly locality?: string;
}

/** What a certificate says about its use and lifetime, in @pulumi/tls field names. */
export interface CertificateUses {
  readonly allowedUses: readonly string[];
  readonly validityPeriodHours: number;
  readonly isCaCertificate?: boolean;
  readonly setSubjectKeyId?: boolean;
}

/** A minted certificate with its validity, as @pulumi/tls reports it. */
export interface MintedCertificate {
  readonly certPem: string;
  readonly validityStartTime: string;
  readonly validityEndTime: string;
}

const ECDSA_CURVES: Readonly<Record<string, { node: string; web: string; hash: string }>> = {
  P256: { node: 'prime256v1', web: 'P-256', hash: 'SHA-256' },
  P384: { node: 'secp384r1', web: 'P-384', hash: 'SHA-384' },
  P521: { node: 'secp521r1', web: 'P-521', hash: 'SHA-512' },
};

const KEY_USAGES: Readonly<Record<string, x509.KeyUsageFlags>> = {
  digital_signature: x509.KeyUsageFlags.digitalSignature,
  content_commitment: x509.KeyUsageFlags.nonRepudiation,
  key_encipherment: x509.KeyUsageFlags.keyEncipherment,
  data_encipherment: x509.KeyUsageFlags.dataEncipherment,
  key_agreement: x509.KeyUsageFlags.keyAgreement,
  cert_signing: x509.KeyUsageFlags.keyCertSign,
  crl_signing: x509.KeyUsageFlags.cRLSign,
  encipher_only: x509.KeyUsageFlags.encipherOnly,
  decipher_only: x509.KeyUsageFlags.decipherOnly,
};

const EXTENDED_KEY_USAGES: Readonly<Record<string, string>> = {
  server_auth: x509.ExtendedKeyUsage.serverAuth,
  client_auth: x509.ExtendedKeyUsage.clientAuth,
  code_signing: x509.ExtendedKeyUsage.codeSigning,
  email_protection: x509.ExtendedKeyUsage.emailProtection,
  timestamping: x509.ExtendedKeyUsage.timeStamping,
  ocsp_signing: x509.ExtendedKeyUsage.ocspSigning,
};

const generate = promisify(generateKeyPair);

/** tls.PrivateKey: a new RSA or ECDSA key. */
export async function generatePrivateKey(spec: KeySpec): Promise<GeneratedKey> {
  if (spec.algorithm === 'RSA') {
    const { privateKey, publicKey } = await generate('rsa', { modulusLength: spec.rsaBits ?? 2048 });
    return {
      privateKeyPem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
      privateKeyPemPkcs8: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    };
  }
  if (spec.algorithm === 'ECDSA') {
    // The provider's default curve, P224, has no WebCrypto support: the mocks refuse it.
    const curve = ECDSA_CURVES[spec.ecdsaCurve ?? 'P224'];
    if (!curve) throw new Error(`mock tls.PrivateKey: unsupported ecdsaCurve ${spec.ecdsaCurve ?? 'P224'}`);
    const { privateKey, publicKey } = await generate('ec', { namedCurve: curve.node });
    return {
      privateKeyPem: privateKey.export({ type: 'sec1', format: 'pem' }).toString(),
      privateKeyPemPkcs8: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    };
  }
  throw new Error(`mock tls.PrivateKey: unsupported algorithm ${spec.algorithm}`);
}

/** tls.SelfSignedCert: a certificate for `privateKeyPem`, signed by it. */
export async function selfSignedCertificate(request: {
  readonly privateKeyPem: string;
  readonly subject: SubjectSpec;
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  readonly uses: CertificateUses;
}): Promise<MintedCertificate> {
  const key = await signingKey(request.privateKeyPem);
  const name = subjectName(request.subject);
  return mint({
    subject: name,
    issuer: name,
    publicKey: key.publicKey,
    signer: key,
    dnsNames: request.dnsNames,
    ipAddresses: request.ipAddresses,
    uses: request.uses,
  });
}

/** tls.CertRequest: a PKCS#10 request with the subject and SANs, signed by `privateKeyPem`. */
export async function certificateRequest(request: {
  readonly privateKeyPem: string;
  readonly subject: SubjectSpec;
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
}): Promise<string> {
  const key = await signingKey(request.privateKeyPem);
  const sans = subjectAltNames(request.dnsNames, request.ipAddresses);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: subjectName(request.subject),
    keys: { privateKey: key.privateKey, publicKey: key.publicKey },
    signingAlgorithm: key.signingAlgorithm,
    extensions: sans ? [sans] : [],
  });
  return pem(csr.toString('pem'));
}

/**
 * tls.LocallySignedCert: the request's subject, SANs and public key, signed by the CA. Like the
 * provider, the request's signature is checked and its other extensions are ignored.
 */
export async function locallySignedCertificate(request: {
  readonly certRequestPem: string;
  readonly caCertPem: string;
  readonly caPrivateKeyPem: string;
  readonly uses: CertificateUses;
}): Promise<MintedCertificate> {
  const csr = new x509.Pkcs10CertificateRequest(request.certRequestPem);
  if (!(await csr.verify())) throw new Error('mock tls.LocallySignedCert: the request signature is invalid');
  const ca = new x509.X509Certificate(request.caCertPem);
  const caKey = await signingKey(request.caPrivateKeyPem);
  const caPublicKey = Buffer.from(await webcrypto.subtle.exportKey('spki', caKey.publicKey));
  if (!caPublicKey.equals(Buffer.from(ca.publicKey.rawData))) {
    throw new Error('mock tls.LocallySignedCert: caPrivateKeyPem does not belong to caCertPem');
  }
  const requested = csr.extensions.find(
    (e): e is x509.SubjectAlternativeNameExtension => e instanceof x509.SubjectAlternativeNameExtension,
  );
  const caKeyId = ca.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
  return mint({
    subject: csr.subjectName,
    issuer: ca.subjectName,
    publicKey: csr.publicKey,
    signer: caKey,
    sans: requested,
    // Go's x509 names the issuer's key when the issuer has a subject key id.
    authorityKeyId: caKeyId,
    uses: request.uses,
  });
}

interface SigningKey {
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  readonly signingAlgorithm: { name: string; hash: string };
}

/** Imports a PEM private key (PKCS#1, SEC 1 or PKCS#8) for WebCrypto signing. */
async function signingKey(privateKeyPem: string): Promise<SigningKey> {
  const key = createPrivateKey(privateKeyPem);
  const pkcs8 = key.export({ type: 'pkcs8', format: 'der' });
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
  let importAlgorithm: { name: string; hash?: string; namedCurve?: string };
  let signingAlgorithm: SigningKey['signingAlgorithm'];
  if (key.asymmetricKeyType === 'rsa') {
    importAlgorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    signingAlgorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  } else if (key.asymmetricKeyType === 'ec') {
    const curve = Object.values(ECDSA_CURVES).find((c) => c.node === key.asymmetricKeyDetails?.namedCurve);
    if (!curve) throw new Error(`mock tls: unsupported curve ${key.asymmetricKeyDetails?.namedCurve}`);
    importAlgorithm = { name: 'ECDSA', namedCurve: curve.web };
    signingAlgorithm = { name: 'ECDSA', hash: curve.hash };
  } else {
    throw new Error(`mock tls: unsupported key type ${key.asymmetricKeyType}`);
  }
  return {
    privateKey: await webcrypto.subtle.importKey('pkcs8', pkcs8, importAlgorithm, false, ['sign']),
    publicKey: await webcrypto.subtle.importKey('spki', spki, importAlgorithm, true, ['verify']),
    signingAlgorithm,
  };
}

async function mint(request: {
  readonly subject: x509.Name | x509.JsonName;
  readonly issuer: x509.Name | x509.JsonName;
  readonly publicKey: CryptoKey | x509.PublicKey;
  readonly signer: SigningKey;
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  readonly sans?: x509.SubjectAlternativeNameExtension;
  readonly authorityKeyId?: string;
  readonly uses: CertificateUses;
}): Promise<MintedCertificate> {
  const { uses } = request;
  // X.509 times have a resolution of one second; the provider reports the truncated times.
  const notBefore = new Date(Math.floor(Date.now() / 1000) * 1000);
  const notAfter = new Date(notBefore.getTime() + uses.validityPeriodHours * 60 * 60 * 1000);
  const keyUsages = uses.allowedUses
    .filter((use) => use in KEY_USAGES)
    .reduce((flags, use) => flags | KEY_USAGES[use], 0);
  const extendedKeyUsages = uses.allowedUses.filter((use) => !(use in KEY_USAGES)).map(extendedKeyUsage);
  const sans = request.sans ?? subjectAltNames(request.dnsNames ?? [], request.ipAddresses ?? []);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(uses.isCaCertificate ?? false, undefined, true),
    ...(keyUsages !== 0 ? [new x509.KeyUsagesExtension(keyUsages, true)] : []),
    ...(extendedKeyUsages.length > 0 ? [new x509.ExtendedKeyUsageExtension(extendedKeyUsages)] : []),
    ...(sans ? [sans] : []),
    ...(uses.setSubjectKeyId ? [await x509.SubjectKeyIdentifierExtension.create(request.publicKey)] : []),
    ...(request.authorityKeyId ? [new x509.AuthorityKeyIdentifierExtension(request.authorityKeyId)] : []),
  ];
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: request.subject,
    issuer: request.issuer,
    notBefore,
    notAfter,
    signingAlgorithm: request.signer.signingAlgorithm,
    publicKey: request.publicKey,
    signingKey: request.signer.privateKey,
    extensions,
  });
  return {
    certPem: pem(certificate.toString('pem')),
    validityStartTime: notBefore.toISOString().replace('.000Z', 'Z'),
    validityEndTime: notAfter.toISOString().replace('.000Z', 'Z'),
  };
}

function extendedKeyUsage(use: string): string {
  const oid = EXTENDED_KEY_USAGES[use];
  if (!oid) throw new Error(`mock tls: unsupported allowed use "${use}"`);
  return oid;
}

/** The subject in Go's pkix.Name order (country first, common name last). */
function subjectName(subject: SubjectSpec): x509.JsonName {
  const attributes: [string, string | undefined][] = [
    ['C', subject.country],
    ['ST', subject.province],
    ['L', subject.locality],
    ['O', subject.organization],
    ['OU', subject.organizationalUnit],
    ['CN', subject.commonName],
  ];
  return attributes
    .filter((a): a is [string, string] => a[1] !== undefined && a[1] !== '')
    .map(([type, value]) => ({ [type]: [value] }));
}

function subjectAltNames(
  dnsNames: readonly string[],
  ipAddresses: readonly string[],
): x509.SubjectAlternativeNameExtension | undefined {
  const names = [
    ...dnsNames.map((value) => ({ type: 'dns' as const, value })),
    ...ipAddresses.map((value) => ({ type: 'ip' as const, value })),
  ];
  return names.length > 0 ? new x509.SubjectAlternativeNameExtension(names) : undefined;
}

/** A positive 128-bit serial number, as hex (what Go's tls provider draws). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f;
  return bytes.toString('hex');
}

/** PEM ending in a newline, as the provider writes it. */
function pem(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}
