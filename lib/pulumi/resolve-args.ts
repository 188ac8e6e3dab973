import type * as pulumi from '@pulumi/pulumi';
import {
  type AggregatedApiServerConfig,
  AggregatedApiServerConfigError,
  type AggregatedApiServerOptions,
  resolveConfig,
  type TlsMaterial,
  type TlsOptions,
} from '../core/index.js';
import type { AggregatedApiServerArgs, CaArgs, EcdsaCurve, TlsArgs } from './args.js';

/** The key @pulumi/tls generates (tls.PrivateKey arguments). */
export type ServingKeyOptions =
  | { readonly algorithm: 'RSA'; readonly rsaBits: number }
  | { readonly algorithm: 'ECDSA'; readonly ecdsaCurve: EcdsaCurve };

/** Where the serving material comes from, with its Inputs. */
export type TlsSource =
  | { readonly mode: 'generated'; readonly key: ServingKeyOptions; readonly ca?: CaArgs }
  | { readonly mode: 'provided'; readonly pems: { readonly [K in keyof TlsMaterial]: pulumi.Input<string> } }
  | { readonly mode: 'self-managed' | 'cert-manager' | 'self-signed' };

/** AggregatedApiServerArgs validated: lib/core's config plus what only Pulumi needs. */
export interface ResolvedArgs {
  /**
   * lib/core's config. The provided PEMs and the image in it are placeholders when they are
   * Outputs: lib/core only checks that the PEMs look like PEM (and that an image is given), and
   * the component renders with the real values (the TlsMaterial, the bound image).
   */
  readonly config: AggregatedApiServerConfig;
  /** The server image, as given (or lib/core's default). */
  readonly image: pulumi.Input<string>;
  /** The serving material's source. */
  readonly tls: TlsSource;
}

/** Stands in for a PEM that is an Output when lib/core validates the options (see ResolvedArgs). */
const PEM_RESOLVED_LATER = '-----BEGIN PULUMI INPUT-----\n-----END PULUMI INPUT-----\n';

/** Stands in for an image that is an Output when lib/core validates the options (see ResolvedArgs). */
const IMAGE_RESOLVED_LATER = '<pulumi input>';

const RSA_BITS = [2048, 3072, 4096];
const ECDSA_CURVES: readonly EcdsaCurve[] = ['P256', 'P384', 'P521'];

/**
 * Validates the arguments with lib/core (every default and check the cdk8s construct applies)
 * plus the Pulumi-only key options, and throws one AggregatedApiServerConfigError listing every
 * problem.
 */
export function resolveArgs(args: AggregatedApiServerArgs): ResolvedArgs {
  const problems: string[] = [];
  const { image, tls, ...rest } = args;
  const options: AggregatedApiServerOptions = {
    ...rest,
    // Given as an Output, the image is bound later; that it is given decides the server entry.
    image: image === undefined || typeof image === 'string' ? image : IMAGE_RESOLVED_LATER,
    tls: coreTlsOptions(tls ?? { mode: 'generated' }),
  };
  let config: AggregatedApiServerConfig | undefined;
  try {
    config = resolveConfig(options);
  } catch (e) {
    if (!(e instanceof AggregatedApiServerConfigError)) throw e;
    problems.push(...e.problems);
  }
  const source = tlsSource(tls, problems);
  if (!config || problems.length > 0) throw new AggregatedApiServerConfigError(problems);
  return { config, image: image ?? config.image, tls: source };
}

function coreTlsOptions(tls: TlsArgs): TlsOptions {
  if (tls.mode === 'generated') {
    // The CA (signed with through @pulumi/tls) is not read by lib/core's rendering.
    return {
      mode: 'generated',
      caValidityDays: tls.caValidityDays,
      servingValidityDays: tls.servingValidityDays,
      renewBeforeDays: tls.renewBeforeDays,
      additionalDnsNames: tls.additionalDnsNames,
      additionalIpAddresses: tls.additionalIpAddresses,
    };
  }
  if (tls.mode === 'provided') {
    const pem = (value: pulumi.Input<string>) => (typeof value === 'string' ? value : PEM_RESOLVED_LATER);
    return {
      mode: 'provided',
      caCertificatePem: pem(tls.caCertificatePem),
      certificatePem: pem(tls.certificatePem),
      privateKeyPem: pem(tls.privateKeyPem),
    };
  }
  return tls;
}

function tlsSource(tls: TlsArgs | undefined, problems: string[]): TlsSource {
  if (tls === undefined || tls.mode === 'generated') {
    return { mode: 'generated', key: servingKeyOptions(tls ?? { mode: 'generated' }, problems), ca: tls?.ca };
  }
  if (tls.mode === 'provided') {
    const { caCertificatePem, certificatePem, privateKeyPem } = tls;
    return { mode: 'provided', pems: { caCertificatePem, certificatePem, privateKeyPem } };
  }
  return { mode: tls.mode };
}

function servingKeyOptions(
  tls: Extract<TlsArgs, { mode: 'generated' }>,
  problems: string[],
): ServingKeyOptions {
  const algorithm = tls.keyAlgorithm ?? 'RSA';
  if (algorithm === 'RSA') {
    const rsaBits = tls.rsaBits ?? 2048;
    if (!RSA_BITS.includes(rsaBits)) {
      problems.push(`tls.rsaBits must be one of ${RSA_BITS.join(', ')}, got ${rsaBits}`);
    }
    if (tls.ecdsaCurve !== undefined) {
      problems.push('tls.ecdsaCurve only applies to tls.keyAlgorithm "ECDSA"');
    }
    return { algorithm, rsaBits };
  }
  if (algorithm === 'ECDSA') {
    const ecdsaCurve = tls.ecdsaCurve ?? 'P256';
    if (!ECDSA_CURVES.includes(ecdsaCurve)) {
      problems.push(`tls.ecdsaCurve must be one of ${ECDSA_CURVES.join(', ')}, got ${String(ecdsaCurve)}`);
    }
    if (tls.rsaBits !== undefined) problems.push('tls.rsaBits only applies to tls.keyAlgorithm "RSA"');
    return { algorithm, ecdsaCurve };
  }
  problems.push(`tls.keyAlgorithm must be "RSA" or "ECDSA", got "${String(algorithm)}"`);
  return { algorithm: 'RSA', rsaBits: 2048 };
}
