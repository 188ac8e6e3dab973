import {
  X509Certificate,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
} from 'node:crypto';
import forge from 'node-forge';
import {
  AggregatedApiServerConfigError,
  certificateCovers,
  type CaOptions,
  type ServingCertificateSpec,
  type TlsMaterial,
  verifyTlsMaterial,
} from '../core/index.js';
import { KeyStore } from './key-store.js';

/** File names in the key store. */
export const KEY_STORE_FILES = {
  caCertificate: 'ca.crt',
  caKey: 'ca.key',
  certificate: 'tls.crt',
  key: 'tls.key',
} as const;

/** Options of ensureServingMaterial. */
export interface SynthTimePkiOptions {
  /** Absolute directory of the key store. */
  readonly keyStoreDir: string;
  /** What the serving certificate must look like. */
  readonly spec: ServingCertificateSpec;
  /** A CA to sign with instead of the stored or generated one. */
  readonly ca?: CaOptions;
  /** Fail rather than generate a CA when the key store has none. @default false */
  readonly requireExistingCa?: boolean;
  /** Where generation and re-issuance are reported. @default - stderr */
  readonly log?: (message: string) => void;
  /** The current time (tests). @default - now */
  readonly now?: Date;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Certificates start an hour in the past to tolerate clock skew between machines. */
const BACKDATE_MS = 60 * 60 * 1000;

/**
 * Returns the serving material of a deployment, creating it at most once: the CA and the serving
 * key are generated on the first synth and read back from the key store on every later one, so
 * re-running synth renders byte-identical manifests. Nothing is regenerated silently: every
 * generation and re-issuance is logged. The serving certificate is re-issued from the same CA
 * (with the same key) when it no longer covers the spec's names, was not signed by the CA, or
 * expires within `renewBeforeDays`. A stored CA is never replaced; an expired one is an error.
 *
 * cdk8s synthesis is synchronous, hence node:crypto's generateKeyPairSync for RSA keys and
 * node-forge for the X.509 certificates.
 */
export function ensureServingMaterial(options: SynthTimePkiOptions): TlsMaterial {
  const store = new KeyStore(options.keyStoreDir);
  const log =
    options.log ?? ((message: string) => process.stderr.write(`[aggregated-apiserver] ${message}\n`));
  const now = options.now ?? new Date();
  const spec = options.spec;

  const ca = options.ca
    ? checkUserCa(options.ca)
    : loadOrCreateCa(store, spec, now, log, options.requireExistingCa ?? false);

  let key = store.read(KEY_STORE_FILES.key);
  let certificate = store.read(KEY_STORE_FILES.certificate);
  if (key === undefined) {
    key = generateRsaKey(spec.rsaBits);
    store.write(KEY_STORE_FILES.key, key);
    certificate = undefined;
  }
  const reason =
    certificate === undefined
      ? 'generated a serving certificate'
      : reissueReason(certificate, key, ca, spec, now);
  if (reason) {
    certificate = issueServingCertificate(spec, key, ca, now);
    store.write(KEY_STORE_FILES.certificate, certificate);
    log(`${reason} for ${[...spec.dnsNames, ...spec.ipAddresses].join(', ')} in ${store.dir}`);
  }
  const material: TlsMaterial = {
    caCertificatePem: ca.certificatePem,
    certificatePem: certificate as string,
    privateKeyPem: key,
  };
  const problems = verifyTlsMaterial(material, spec, `key store ${store.dir}`, now);
  if (problems.length > 0) throw new AggregatedApiServerConfigError(problems);
  return material;
}

function checkUserCa(ca: CaOptions): CaOptions {
  const problems: string[] = [];
  try {
    const certificate = new X509Certificate(ca.certificatePem);
    const key = createPrivateKey(ca.privateKeyPem);
    if (!certificate.ca)
      problems.push('tls.ca.certificatePem is not a CA certificate (basicConstraints CA:FALSE)');
    if (key.asymmetricKeyType !== 'rsa') {
      problems.push(
        `tls.ca.privateKeyPem must be an RSA key (synth-time signing supports RSA), got ${key.asymmetricKeyType}`,
      );
    } else if (!certificate.checkPrivateKey(key)) {
      problems.push('tls.ca.privateKeyPem does not belong to tls.ca.certificatePem');
    }
  } catch (e) {
    problems.push(`tls.ca does not parse: ${(e as Error).message}`);
  }
  if (problems.length > 0) throw new AggregatedApiServerConfigError(problems);
  return ca;
}

function loadOrCreateCa(
  store: KeyStore,
  spec: ServingCertificateSpec,
  now: Date,
  log: (m: string) => void,
  requireExisting: boolean,
): CaOptions {
  const certificatePem = store.read(KEY_STORE_FILES.caCertificate);
  const privateKeyPem = store.read(KEY_STORE_FILES.caKey);
  if (certificatePem !== undefined && privateKeyPem !== undefined) {
    const certificate = new X509Certificate(certificatePem);
    if (!certificate.checkPrivateKey(createPrivateKey(privateKeyPem))) {
      throw new AggregatedApiServerConfigError([
        `${store.path(KEY_STORE_FILES.caKey)} does not belong to ${store.path(KEY_STORE_FILES.caCertificate)}; restore the pair or delete both to create a new CA (clients must then trust the new caBundle)`,
      ]);
    }
    const validTo = new Date(certificate.validTo).getTime();
    if (validTo <= now.getTime()) {
      throw new AggregatedApiServerConfigError([
        `the CA in ${store.dir} expired on ${certificate.validTo}; delete ${KEY_STORE_FILES.caCertificate}, ${KEY_STORE_FILES.caKey}, ${KEY_STORE_FILES.certificate} and ${KEY_STORE_FILES.key} there to create a new CA`,
      ]);
    }
    if (validTo - now.getTime() < spec.renewBeforeDays * DAY_MS) {
      log(`warning: the CA in ${store.dir} expires on ${certificate.validTo}; plan a CA rotation`);
    }
    return { certificatePem, privateKeyPem };
  }
  if (certificatePem !== undefined || privateKeyPem !== undefined) {
    throw new AggregatedApiServerConfigError([
      `${store.dir} holds only half of the CA (${KEY_STORE_FILES.caCertificate} and ${KEY_STORE_FILES.caKey} go together); restore the missing file, or delete the other to create a new CA`,
    ]);
  }
  if (requireExisting) {
    throw new AggregatedApiServerConfigError([
      `the key store ${store.dir} has no CA (${KEY_STORE_FILES.caCertificate}, ${KEY_STORE_FILES.caKey}) and tls.requireExistingCa is set: restore the key store, or use tls: { mode: "self-managed" }, which keeps no key outside the cluster`,
    ]);
  }
  const key = generateRsaKey(spec.rsaBits);
  const certificate = issueCaCertificate(spec, key, now);
  store.write(KEY_STORE_FILES.caKey, key);
  store.write(KEY_STORE_FILES.caCertificate, certificate);
  log(
    `warning: generated a new CA "${spec.caCommonName}" (valid ${spec.caValidityDays} days) in ${store.dir}: the APIServices get a new caBundle. If a key store existed elsewhere (another checkout, CI), its manifests no longer match; set tls.requireExistingCa to fail instead`,
  );
  return { certificatePem: certificate, privateKeyPem: key };
}

function reissueReason(
  certificatePem: string,
  keyPem: string,
  ca: CaOptions,
  spec: ServingCertificateSpec,
  now: Date,
): string | undefined {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certificatePem);
  } catch {
    return 're-issued the unreadable serving certificate';
  }
  const caCertificate = new X509Certificate(ca.certificatePem);
  if (!certificate.checkIssued(caCertificate) || !certificate.verify(caCertificate.publicKey)) {
    return 're-issued the serving certificate (it was not signed by the current CA)';
  }
  if (!certificate.checkPrivateKey(createPrivateKey(keyPem))) {
    return 're-issued the serving certificate (it did not match the stored key)';
  }
  if (!certificateCovers(certificate, spec)) {
    return `re-issued the serving certificate from the same CA (it no longer covered the names; it had ${certificate.subjectAltName ?? 'none'})`;
  }
  if (new Date(certificate.validTo).getTime() - now.getTime() < spec.renewBeforeDays * DAY_MS) {
    return `re-issued the serving certificate from the same CA (it expires on ${certificate.validTo})`;
  }
  return undefined;
}

function generateRsaKey(bits: number): string {
  return generateKeyPairSync('rsa', {
    modulusLength: bits,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  }).privateKey;
}

/** A positive, non-zero 128-bit serial number (Go rejects negative serials). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] & 0x7f) | 0x01;
  return bytes.toString('hex');
}

function publicKeyOf(privateKeyPem: string): forge.pki.PublicKey {
  const spki = createPublicKey(createPrivateKey(privateKeyPem))
    .export({ type: 'spki', format: 'pem' })
    .toString();
  return forge.pki.publicKeyFromPem(spki);
}

function issueCaCertificate(spec: ServingCertificateSpec, keyPem: string, now: Date): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKeyOf(keyPem);
  cert.serialNumber = serialNumber();
  cert.validity.notBefore = new Date(now.getTime() - BACKDATE_MS);
  cert.validity.notAfter = new Date(now.getTime() + spec.caValidityDays * DAY_MS);
  const subject = [{ name: 'commonName', value: spec.caCommonName }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(keyPem), forge.md.sha256.create());
  return toPem(cert);
}

function issueServingCertificate(
  spec: ServingCertificateSpec,
  keyPem: string,
  ca: CaOptions,
  now: Date,
): string {
  const caCert = forge.pki.certificateFromPem(ca.certificatePem);
  const caNotAfter = caCert.validity.notAfter.getTime();
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKeyOf(keyPem);
  cert.serialNumber = serialNumber();
  cert.validity.notBefore = new Date(now.getTime() - BACKDATE_MS);
  cert.validity.notAfter = new Date(Math.min(now.getTime() + spec.validityDays * DAY_MS, caNotAfter));
  cert.setSubject([{ name: 'commonName', value: spec.commonName }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        ...spec.dnsNames.map((value) => ({ type: 2, value })),
        ...spec.ipAddresses.map((ip) => ({ type: 7, ip })),
      ],
    },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(ca.privateKeyPem), forge.md.sha256.create());
  return toPem(cert);
}

/** PEM with LF line endings (node-forge writes CRLF), like openssl and node:crypto. */
function toPem(cert: forge.pki.Certificate): string {
  return forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n');
}
