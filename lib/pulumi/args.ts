import type * as pulumi from '@pulumi/pulumi';
import type {
  AggregatedApiServerOptions,
  CertManagerTlsOptions,
  GeneratedTlsOptions,
  SelfManagedTlsOptions,
  ServerSelfSignedTlsOptions,
} from '../core/index.js';

/**
 * A CA given as PEM, e.g. from `config.requireSecret(...)` or another stack's outputs. The
 * component signs the serving certificate with it (@pulumi/tls LocallySignedCert).
 */
export interface CaArgs {
  /** The CA certificate (PEM); it becomes the APIService caBundle. */
  readonly certificatePem: pulumi.Input<string>;
  /** The CA private key (PEM); the component keeps it a Pulumi secret. */
  readonly privateKeyPem: pulumi.Input<string>;
}

/** Key algorithms of the generated keys that both the aggregator (Go) and the server (Node) accept. */
export type KeyAlgorithm = 'RSA' | 'ECDSA';

/** Elliptic curves of generated ECDSA keys, in @pulumi/tls spelling. */
export type EcdsaCurve = 'P256' | 'P384' | 'P521';

/**
 * Generate the CA and the serving certificate with @pulumi/tls. The keys live in the stack's
 * state (encrypted as secrets), so `pulumi up` renders the same certificates until they are due
 * for renewal. The validity options are the cdk8s construct's (in days).
 *
 * Renewal: @pulumi/tls only notices that a certificate is within `renewBeforeDays` of its
 * expiry when the stack is refreshed (`pulumi up --refresh`); run that regularly. The CA is not
 * renewed early: replacing it changes the caBundle of every client.
 */
export interface GeneratedTlsArgs extends Omit<GeneratedTlsOptions, 'ca'> {
  /**
   * Sign the serving certificate with this CA instead of generating one.
   * @default - a CA is generated (tls.PrivateKey + tls.SelfSignedCert)
   */
  readonly ca?: CaArgs;
  /** Algorithm of the generated keys (CA and serving). @default 'RSA' */
  readonly keyAlgorithm?: KeyAlgorithm;
  /** RSA modulus length when `keyAlgorithm` is RSA: 2048, 3072 or 4096. @default 2048 */
  readonly rsaBits?: number;
  /** Curve when `keyAlgorithm` is ECDSA. @default 'P256' */
  readonly ecdsaCurve?: EcdsaCurve;
}

/**
 * Use PEMs you provide (Inputs, so they may come from Pulumi config secrets). They are checked
 * like the cdk8s construct checks them (parse, key match, chain, SANs): at construction when they
 * are plain strings, otherwise once they resolve, before the serving Secret is created.
 */
export interface ProvidedTlsArgs {
  /** Discriminator. */
  readonly mode: 'provided';
  /** The CA certificate that signed the serving certificate (becomes the APIService caBundle). */
  readonly caCertificatePem: pulumi.Input<string>;
  /** The serving certificate; it must cover `<name>.<namespace>.svc`. */
  readonly certificatePem: pulumi.Input<string>;
  /** The serving certificate's private key; the component keeps it a Pulumi secret. */
  readonly privateKeyPem: pulumi.Input<string>;
}

/** How the serving certificate is obtained; self-managed, cert-manager and self-signed are as in lib/core. */
export type TlsArgs =
  | GeneratedTlsArgs
  | SelfManagedTlsOptions
  | ProvidedTlsArgs
  | CertManagerTlsOptions
  | ServerSelfSignedTlsOptions;

/**
 * Arguments of AggregatedApiServer: the framework-neutral AggregatedApiServerOptions (see
 * lib/core/options.ts for every field, its meaning and default), with the values that typically
 * come from other resources as `pulumi.Input`s: the image and the PEMs. Everything that decides
 * which objects exist and how they are named stays a plain value, validated when the component is
 * constructed, exactly like the cdk8s construct's props.
 */
export interface AggregatedApiServerArgs extends Omit<AggregatedApiServerOptions, 'image' | 'tls'> {
  /**
   * Server image, e.g. the `ref` of an image built in the same program.
   * @default DEFAULT_IMAGE (`aggregated-apiserver:<package version>`)
   */
  readonly image?: pulumi.Input<string>;

  /**
   * The serving certificate. `self-managed` leaves it to the server (no key in the stack or the
   * manifests; the caBundle is then not an output).
   * @default { mode: 'generated' } (keys in the stack state, encrypted)
   */
  readonly tls?: TlsArgs;
}
