import type { AggregatedApiServerOptions, GeneratedTlsOptions, TlsOptions } from '../core/index.js';

/**
 * `generated` TLS with cdk8s: the CA and serving certificate are made at synth time and kept in a
 * key store, so re-running synth writes byte-identical manifests. Mind that the rendered serving
 * Secret then holds the serving private key (base64, not encrypted): commit the manifests only
 * to a place that may hold it, or use `self-managed` (the default), which renders no key at all.
 */
export interface Cdk8sGeneratedTlsOptions extends GeneratedTlsOptions {
  /**
   * Directory of the key store (CA and serving key and certificate). Relative paths resolve
   * against the app's directory (the nearest `cdk8s.yaml` above the entry script), never the
   * working directory. It holds private keys: it gets a `.gitignore`; keep it out of git and back
   * it up, since losing it means a new CA (and caBundle) on the next synth.
   * @default '.aggregated-apiserver/pki/<namespace>-<name>'
   */
  readonly keyStoreDir?: string;
  /**
   * Fail instead of generating a new CA when the key store has none, e.g. in CI, where a fresh
   * checkout has no key store and would otherwise render a new CA and caBundle.
   * @default false
   */
  readonly requireExistingCa?: boolean;
}

/** The serving certificate options of the cdk8s construct. */
export type Cdk8sTlsOptions = Exclude<TlsOptions, GeneratedTlsOptions> | Cdk8sGeneratedTlsOptions;

/**
 * Props of AggregatedApiServer: the framework-neutral AggregatedApiServerOptions (see
 * lib/core/options.ts for every field, its meaning and default) plus what only cdk8s needs.
 */
export interface AggregatedApiServerProps extends Omit<AggregatedApiServerOptions, 'tls' | 'namespace'> {
  /**
   * Namespace of the namespaced objects.
   * @default - the Chart's namespace, else the `name`
   */
  readonly namespace?: string;
  /** The serving certificate. @default { mode: 'self-managed' } */
  readonly tls?: Cdk8sTlsOptions;
  /**
   * Receives the key store's messages (CA or serving certificate generated, re-issued, expiring).
   * @default - written to stderr
   */
  readonly logger?: (message: string) => void;
}
