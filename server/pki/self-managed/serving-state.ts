import type { KeyPairPem } from '../certificates.js';

/**
 * What a self-managed server keeps in its Secret: the CA that signs its serving certificate, the
 * serving pair, the trust bundle the APIServices carry (`ca.crt`), and during a CA rotation the
 * next CA. Every replica reads and writes the one Secret, so they all serve the same certificate
 * and agree on where a rotation stands.
 */
export interface ServingState {
  /** The CA that signed `serving`. */
  readonly signingCa?: KeyPairPem;
  /** A new CA already trusted (in `trustBundle`) but not yet signing: the first half of a rotation. */
  readonly nextCa?: KeyPairPem;
  /** The CA certificates the APIServices trust, PEM, each ending in a newline. */
  readonly trustBundle: readonly string[];
  /** The serving certificate and key. */
  readonly serving?: KeyPairPem;
  /** When the current rotation phase began (trust bundle widened, or signing CA switched). */
  readonly phaseSince?: Date;
  /** A rotation someone asked for with the `aggregated-apiserver.io/rotate` annotation. */
  readonly rotateRequest?: string;
}

/** Keys of the Secret's data. */
export const SECRET_KEYS = {
  trustBundle: 'ca.crt',
  servingCertificate: 'tls.crt',
  servingKey: 'tls.key',
  signingCaCertificate: 'signing-ca.crt',
  signingCaKey: 'signing-ca.key',
  nextCaCertificate: 'next-ca.crt',
  nextCaKey: 'next-ca.key',
} as const;

/** Annotation recording when the current rotation phase began (RFC 3339). */
export const PHASE_SINCE_ANNOTATION = 'aggregated-apiserver.io/rotation-phase-since';

/**
 * Annotation an operator sets to rotate now: `ca` starts a CA rotation (with the usual overlap),
 * `serving` re-issues the serving certificate from the current CA. The server removes it once
 * the rotation has started.
 */
export const ROTATE_ANNOTATION = 'aggregated-apiserver.io/rotate';

/** The Secret fields the state lives in. */
export interface SecretFields {
  readonly data: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The certificates of a PEM bundle, each normalized to end in one newline. */
export function splitPemBundle(bundle: string): string[] {
  return (bundle.match(PEM_CERTIFICATE) ?? []).map((pem) => `${pem}\n`);
}

/** Reads the state from a Secret's base64 data and annotations; missing parts stay missing. */
export function stateFromSecret(fields: SecretFields): ServingState {
  const text = (key: string): string | undefined => {
    const value = Object.hasOwn(fields.data, key) ? fields.data[key] : undefined;
    return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
  };
  const pair = (cert: string, key: string): KeyPairPem | undefined => {
    const certPem = text(cert);
    const keyPem = text(key);
    return certPem && keyPem ? { certPem, keyPem } : undefined;
  };
  const annotation = (key: string): string | undefined =>
    Object.hasOwn(fields.annotations, key) ? fields.annotations[key] : undefined;
  const since = annotation(PHASE_SINCE_ANNOTATION);
  const phaseSince = since === undefined ? undefined : new Date(since);
  return {
    signingCa: pair(SECRET_KEYS.signingCaCertificate, SECRET_KEYS.signingCaKey),
    nextCa: pair(SECRET_KEYS.nextCaCertificate, SECRET_KEYS.nextCaKey),
    trustBundle: splitPemBundle(text(SECRET_KEYS.trustBundle) ?? ''),
    serving: pair(SECRET_KEYS.servingCertificate, SECRET_KEYS.servingKey),
    phaseSince: phaseSince && !Number.isNaN(phaseSince.getTime()) ? phaseSince : undefined,
    rotateRequest: annotation(ROTATE_ANNOTATION) || undefined,
  };
}

/**
 * The Secret's data and the annotations the state owns (others are kept by the caller): a
 * missing annotation value means "remove it".
 */
export function secretFromState(state: ServingState): {
  data: Record<string, string>;
  annotations: Record<string, string | undefined>;
} {
  const data: Record<string, string> = {};
  const put = (key: string, value: string | undefined): void => {
    if (value !== undefined) data[key] = Buffer.from(value, 'utf8').toString('base64');
  };
  put(SECRET_KEYS.trustBundle, state.trustBundle.join(''));
  put(SECRET_KEYS.servingCertificate, state.serving?.certPem);
  put(SECRET_KEYS.servingKey, state.serving?.keyPem);
  put(SECRET_KEYS.signingCaCertificate, state.signingCa?.certPem);
  put(SECRET_KEYS.signingCaKey, state.signingCa?.keyPem);
  put(SECRET_KEYS.nextCaCertificate, state.nextCa?.certPem);
  put(SECRET_KEYS.nextCaKey, state.nextCa?.keyPem);
  return {
    data,
    annotations: {
      [PHASE_SINCE_ANNOTATION]: state.phaseSince?.toISOString(),
      [ROTATE_ANNOTATION]: state.rotateRequest,
    },
  };
}
