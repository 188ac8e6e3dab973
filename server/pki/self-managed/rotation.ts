import { X509Certificate, createPrivateKey } from 'node:crypto';
import { isIP } from 'node:net';
import { createCertificateAuthority, issueCertificate, type KeyPairPem } from '../certificates.js';
import type { ServingState } from './serving-state.js';

/** How a self-managed server issues and rotates its certificates. */
export interface RotationPolicy {
  /** DNS names and IP addresses the serving certificate must cover; the first is its common name. */
  readonly hosts: readonly string[];
  /** Common name of each CA, before an `@<unix seconds>` suffix that tells rotations apart. */
  readonly caCommonName: string;
  /** Lifetime of a new CA. */
  readonly caValidityMs: number;
  /** Lifetime of a new serving certificate (never beyond its CA's). */
  readonly servingValidityMs: number;
  /**
   * How long each half of a CA rotation lasts: first the new CA is trusted next to the old one
   * while the old one still signs, then the new one signs while the old one is still trusted.
   * Must exceed the time every replica and the aggregator take to see a change.
   */
  readonly overlapMs: number;
}

/**
 * One step towards the state the policy asks for. A CA rotation is three steps, each taken only
 * once the previous one has been in place for the overlap, so the aggregator never meets a
 * serving certificate whose CA it does not trust:
 * `trust-next-ca` (bundle: old + new, old signs), `sign-with-next-ca` (new signs, bundle still
 * old + new), `drop-old-cas` (bundle: new).
 */
export type RotationStep =
  | { readonly kind: 'create'; readonly reason: string }
  | { readonly kind: 'repair-trust-bundle' }
  | { readonly kind: 'trust-next-ca'; readonly reason: string }
  | { readonly kind: 'sign-with-next-ca' }
  | { readonly kind: 'drop-old-cas' }
  | { readonly kind: 'reissue-serving'; readonly reason: string }
  | { readonly kind: 'clear-request'; readonly reason: string };

/** A rotation an operator may request through the rotate annotation. */
export const ROTATE_REQUESTS = ['ca', 'serving'] as const;

/** The next step to take, or undefined when the state is what the policy asks for. */
export function nextRotationStep(
  state: ServingState,
  now: Date,
  policy: RotationPolicy,
): RotationStep | undefined {
  const ca = state.signingCa;
  const caProblem = ca ? unusableCa(ca, now) : 'there is no CA yet';
  if (!ca || caProblem) return { kind: 'create', reason: caProblem ?? 'there is no CA yet' };
  if (!state.trustBundle.includes(ca.certPem)) return { kind: 'repair-trust-bundle' };
  const phaseAge = state.phaseSince ? now.getTime() - state.phaseSince.getTime() : Infinity;
  const request = state.rotateRequest;
  if (request !== undefined && !(ROTATE_REQUESTS as readonly string[]).includes(request)) {
    return {
      kind: 'clear-request',
      reason: `unknown rotation request "${request}" (expected ${ROTATE_REQUESTS.join(' or ')})`,
    };
  }

  if (state.nextCa) {
    const nextProblem = unusableCa(state.nextCa, now);
    if (nextProblem) return { kind: 'trust-next-ca', reason: `the next CA is unusable: ${nextProblem}` };
    if (phaseAge >= policy.overlapMs) return { kind: 'sign-with-next-ca' };
  } else if (state.trustBundle.length > 1) {
    if (phaseAge >= policy.overlapMs) return { kind: 'drop-old-cas' };
  } else {
    if (request === 'ca') return { kind: 'trust-next-ca', reason: 'a CA rotation was requested' };
    const due = renewalDue(new X509Certificate(ca.certPem), now);
    if (due) return { kind: 'trust-next-ca', reason: `the CA ${due}` };
  }

  const servingProblem = unusableServing(state.serving, ca, now, policy.hosts);
  if (servingProblem) return { kind: 'reissue-serving', reason: servingProblem };
  if (request === 'serving') return { kind: 'reissue-serving', reason: 'a re-issue was requested' };
  return undefined;
}

/** Takes one step: mints what it needs and returns the new state. */
export async function applyRotationStep(
  state: ServingState,
  step: RotationStep,
  now: Date,
  policy: RotationPolicy,
): Promise<ServingState> {
  switch (step.kind) {
    case 'create': {
      const ca = await mintCa(policy, now);
      return { trustBundle: [ca.certPem], signingCa: ca, serving: await mintServing(ca, policy, now) };
    }
    case 'repair-trust-bundle':
      return { ...state, trustBundle: [...state.trustBundle, required(state.signingCa).certPem] };
    case 'trust-next-ca': {
      const next = await mintCa(policy, now);
      const signing = required(state.signingCa).certPem;
      return {
        ...state,
        nextCa: next,
        trustBundle: [...state.trustBundle.filter((pem) => pem === signing), next.certPem],
        phaseSince: now,
        rotateRequest: state.rotateRequest === 'ca' ? undefined : state.rotateRequest,
      };
    }
    case 'sign-with-next-ca': {
      const next = required(state.nextCa);
      return {
        ...state,
        signingCa: next,
        nextCa: undefined,
        serving: await mintServing(next, policy, now),
        phaseSince: now,
      };
    }
    case 'drop-old-cas':
      return { ...state, trustBundle: [required(state.signingCa).certPem], phaseSince: undefined };
    case 'reissue-serving':
      return {
        ...state,
        serving: await mintServing(required(state.signingCa), policy, now),
        rotateRequest: state.rotateRequest === 'serving' ? undefined : state.rotateRequest,
      };
    case 'clear-request':
      return { ...state, rotateRequest: undefined };
  }
}

/** Why a CA cannot sign (expired, not a CA, key not its own), or undefined. */
function unusableCa(ca: KeyPairPem, now: Date): string | undefined {
  try {
    const certificate = new X509Certificate(ca.certPem);
    if (!certificate.ca) return 'its certificate is not a CA';
    if (!certificate.checkPrivateKey(createPrivateKey(ca.keyPem))) return 'its key does not match';
    if (new Date(certificate.validTo).getTime() <= now.getTime())
      return `it expired on ${certificate.validTo}`;
    return undefined;
  } catch (error) {
    return `it does not parse (${(error as Error).message})`;
  }
}

/** Why the serving pair must be re-issued from `ca`, or undefined. */
function unusableServing(
  serving: KeyPairPem | undefined,
  ca: KeyPairPem,
  now: Date,
  hosts: readonly string[],
): string | undefined {
  if (!serving) return 'there is no serving certificate yet';
  try {
    const certificate = new X509Certificate(serving.certPem);
    const issuer = new X509Certificate(ca.certPem);
    if (!certificate.checkIssued(issuer) || !certificate.verify(issuer.publicKey)) {
      return 'the serving certificate was not signed by the current CA';
    }
    if (!certificate.checkPrivateKey(createPrivateKey(serving.keyPem))) {
      return 'the serving key does not match its certificate';
    }
    const missing = hosts.filter((host) =>
      isIP(host) !== 0
        ? certificate.checkIP(host) === undefined
        : certificate.checkHost(host, { subject: 'never', wildcards: false }) === undefined,
    );
    if (missing.length > 0) return `the serving certificate does not cover ${missing.join(', ')}`;
    const due = renewalDue(certificate, now);
    return due && `the serving certificate ${due}`;
  } catch (error) {
    return `the serving certificate does not parse (${(error as Error).message})`;
  }
}

/** Certificates are renewed once two thirds of their lifetime have passed, as cert-manager does. */
function renewalDue(certificate: X509Certificate, now: Date): string | undefined {
  const from = new Date(certificate.validFrom).getTime();
  const to = new Date(certificate.validTo).getTime();
  return to - now.getTime() < (to - from) / 3 ? `expires on ${certificate.validTo}` : undefined;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function mintCa(policy: RotationPolicy, now: Date): Promise<KeyPairPem> {
  return createCertificateAuthority(
    `${policy.caCommonName}@${Math.floor(now.getTime() / 1000)}`,
    policy.caValidityMs / DAY_MS,
  );
}

function mintServing(ca: KeyPairPem, policy: RotationPolicy, now: Date): Promise<KeyPairPem> {
  const caRemainingMs = new Date(new X509Certificate(ca.certPem).validTo).getTime() - now.getTime();
  const ips = policy.hosts.filter((host) => isIP(host) !== 0);
  return issueCertificate(ca, {
    commonName: policy.hosts[0] ?? 'localhost',
    dnsNames: policy.hosts.filter((host) => !ips.includes(host)),
    ipAddresses: ips,
    usage: 'server',
    validityDays: Math.min(policy.servingValidityMs, caRemainingMs) / DAY_MS,
  });
}

function required<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('internal: rotation step applied to a state that lacks its CA');
  return value;
}
